/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Known errors on the Manager: the database (shipped entries, then the
 * operator's) is matched against every disk when it is found or changes
 * and after each health poll (power-on hours feed the countdowns).  A match
 * is a known-error incident citing the advisory, with its workaround:
 * ISO/IEC 20000's "known error" — an incident matching it gets the
 * workaround at once.  An entry's Action= asks the response agent, once
 * its condition is met, through the same policy and guards as a fault.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "alloc-util.h"
#include "known-errors.h"
#include "log.h"
#include "manager.h"
#include "string-util.h"

int manager_known_errors_load(Manager *m) {
        KnownErrorDb db = {};
        int r;

        r = known_error_db_load_dirs(&db, (const char *const *) m->config.known_errors_dirs);
        if (r < 0)
                log_error_errno(r, "Some known-error entries could not be read (see above), using the others: %m");
        known_error_db_done(&m->known_errors);
        m->known_errors = db;
        log_info("Loaded %zu known-error entr%s.", db.n, db.n == 1 ? "y" : "ies");
        return 0;
}

/* The classes seen on one disk, for entries with Evidence= (in memory:
 * after a restart a class counts again once it is seen again). */
typedef struct EvidenceSeen {
        char *ci_id;          /* the hash key */
        uint64_t classes;     /* bit (1 << EreportClass) */
} EvidenceSeen;
_Static_assert(_EREPORT_CLASS_MAX <= 64, "one bit per ereport class");

static void evidence_seen_free_all(Manager *m) {
        EvidenceSeen *e;

        HASHMAP_FOREACH(e, m->evidence_seen) {
                free(e->ci_id);
                free(e);
        }
        m->evidence_seen = hashmap_free(m->evidence_seen);
}

void manager_known_errors_done(Manager *m) {
        evidence_seen_free_all(m);
        known_error_db_done(&m->known_errors);
}

void manager_known_errors_evidence(Manager *m, const char *ci_id, EreportClass class) {
        EvidenceSeen *e;
        const Ci *c;

        if (class < 0 || class >= _EREPORT_CLASS_MAX || !known_error_db_wants(&m->known_errors, class))
                return;
        if (!m->evidence_seen && !(m->evidence_seen = hashmap_new()))
                return (void) log_oom();
        e = hashmap_get(m->evidence_seen, ci_id);
        if (!e) {
                e = new0(EvidenceSeen, 1);
                if (!e || !(e->ci_id = strdup(ci_id)) || hashmap_put(m->evidence_seen, e->ci_id, e) < 0) {
                        if (e)
                                free(e->ci_id);
                        free(e);
                        return (void) log_oom();
                }
        }
        if (e->classes & (UINT64_C(1) << class))
                return;
        e->classes |= UINT64_C(1) << class;
        c = inventory_get(m->inventory, ci_id);
        if (c)
                manager_known_errors_check(m, c);
}

static uint64_t power_on_hours_of(Manager *m, const Ci *c) {
        json_object *snap = manager_health_snapshot(m, c->id, NULL, NULL), *v;

        if (snap && json_object_object_get_ex(snap, "power_on_hours", &v) && json_object_is_type(v, json_type_int))
                return (uint64_t) json_object_get_int64(v);
        return UINT64_MAX;
}

static const ResponseAction known_error_response[_KNOWN_ERROR_ACTION_MAX] = {
        [KNOWN_ERROR_ACTION_NONE] = _RESPONSE_ACTION_INVALID,
        [KNOWN_ERROR_ACTION_ISOLATE_MEMBER] = RESPONSE_MD_FAIL_MEMBER,
        [KNOWN_ERROR_ACTION_OFFLINE_DEVICE] = RESPONSE_SCSI_OFFLINE,
        [KNOWN_ERROR_ACTION_FAIL_PATH] = RESPONSE_MPATH_FAIL_PATH,
};

static void report_match(Manager *m, const Ci *c, const KnownErrorMatch *k) {
        const KnownError *e = k->entry;
        _cleanup_free_ char *model = strdup_printable(strempty(c->model), 64);
        _cleanup_free_ char *fw = strdup_printable(strempty(c->firmware), 16);
        char key[256], title[512], desc[512];
        json_object *evidence = json_object_new_array(), *ci = NULL;
        IncidentInput in = {};
        Incident *i = NULL;
        int r;

        snprintf(key, sizeof(key), "known-error:%s:%s", e->id, c->id);
        /* Once per status: a countdown that reaches the limit is news,
         * the same match found again at the next rescan is not. */
        i = incident_manager_find_active(m->incidents, key);
        if (i && i->cause && streq(i->cause, known_error_status_to_string(k->status)))
                goto finish;

        snprintf(title, sizeof(title), "Disk %s (%s, firmware %s): known error %s", c->name, strna(model), strna(fw),
                 e->id);
        switch (k->status) {
        case KNOWN_ERROR_COUNTDOWN:
                snprintf(desc, sizeof(desc), "%s. %llu power-on hours left before the limit of %llu.", e->title,
                         (unsigned long long) k->hours_left, (unsigned long long) e->power_on_hours_limit);
                break;
        case KNOWN_ERROR_LIMIT_REACHED:
                snprintf(desc, sizeof(desc), "%s. The limit of %llu power-on hours is reached.", e->title,
                         (unsigned long long) e->power_on_hours_limit);
                break;
        case KNOWN_ERROR_AGE_UNKNOWN:
                snprintf(desc, sizeof(desc), "%s. Power-on hours unknown: check how close the limit of %llu is.",
                         e->title, (unsigned long long) e->power_on_hours_limit);
                break;
        default:
                snprintf(desc, sizeof(desc), "%s.", e->title);
                break;
        }
        STRV_FOREACH(ref, e->references)
                if (evidence)
                        json_object_array_add(evidence, json_object_new_string(*ref));
        ci = json_object_new_object();
        if (ci) {
                json_object_object_add(ci, "id", json_object_new_string(c->id));
                json_object_object_add(ci, "name", json_object_new_string(strempty(c->name)));
                if (c->model)
                        json_object_object_add(ci, "model", json_object_new_string(c->model));
                if (c->serial)
                        json_object_object_add(ci, "serial", json_object_new_string(c->serial));
                if (c->firmware)
                        json_object_object_add(ci, "firmware", json_object_new_string(c->firmware));
                if (c->wwn)
                        json_object_object_add(ci, "wwn", json_object_new_string(c->wwn));
        }
        in = (IncidentInput) {
                .dedup_key = key,
                .title = title,
                .description = desc,
                .category = INCIDENT_CATEGORY_KNOWN_ERROR,
                .ci_id = c->id,
                .ci = ci,
                /* It has not failed yet: a known error is a warning with a
                 * fix, urgent once the limit is near or reached. */
                .impact = k->status == KNOWN_ERROR_LIMIT_REACHED ? IMPACT_DEGRADED : IMPACT_NONE_YET,
                .urgency = k->status == KNOWN_ERROR_LIMIT_REACHED || k->status == KNOWN_ERROR_COUNTDOWN ? URGENCY_HIGH
                                                                                                           : URGENCY_MEDIUM,
                .known_error_id = e->id,
                .workaround = e->workaround,
                .cause = known_error_status_to_string(k->status),
                .evidence = evidence,
                .confidence_percent = 100,
        };
        r = incident_manager_report(m->incidents, &in, now(CLOCK_REALTIME), &i);
        if (r < 0)
                log_error_errno(r, "Failed to record known error %s on '%s': %m", e->id, c->name);
        else
                log_warning("Incident %s %s: %s — %s Workaround: %s", i->id, r > 0 ? "raised" : "updated", title, desc,
                            strna(e->workaround));
        if (r >= 0 && i && !streq_ptr(i->cause, in.cause))
                (void) free_and_strdup(&i->cause, in.cause);
        /* Once per status, like the incident: the action, dry run or
         * refusal goes on it. */
        if (r >= 0 && i && known_error_action_due(k) != KNOWN_ERROR_ACTION_NONE)
                manager_respond_to(m, c->id, known_error_response[known_error_action_due(k)], i);
finish:
        json_object_put(ci);
        json_object_put(evidence);
}

void manager_known_errors_check(Manager *m, const Ci *c) {
        KnownErrorMatch matches[8];
        KnownErrorDevice dev;
        EreportClass seen[_EREPORT_CLASS_MAX];
        EvidenceSeen *e;
        size_t n, n_seen = 0;

        if (!m->incidents || m->known_errors.n == 0 || c->type != CI_DISK || c->state != CI_STATE_PRESENT)
                return;
        dev = (KnownErrorDevice) {
                .vendor = c->vendor,
                .model = c->model,
                .firmware = c->firmware,
                .transport = c->transport,
                .power_on_hours = power_on_hours_of(m, c),
                .seen = seen,
        };
        e = m->evidence_seen ? hashmap_get(m->evidence_seen, c->id) : NULL;
        for (EreportClass k = 0; e && k < _EREPORT_CLASS_MAX; k++)
                if (e->classes & (UINT64_C(1) << k))
                        seen[n_seen++] = k;
        dev.n_seen = n_seen;
        n = known_error_match(&m->known_errors, &dev, matches, ELEMENTSOF(matches));
        for (size_t k = 0; k < n; k++)
                report_match(m, c, &matches[k]);
}

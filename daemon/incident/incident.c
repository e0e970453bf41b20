/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "alloc-util.h"
#include "incident.h"
#include "json-util.h"
#include "string-table.h"
#include "string-util.h"

static const char *const incident_status_table[_INCIDENT_STATUS_MAX] = {
        [INCIDENT_OPEN] = "open",
        [INCIDENT_MITIGATED] = "mitigated",
        [INCIDENT_RESOLVED] = "resolved",
        [INCIDENT_CLOSED] = "closed",
};
DEFINE_STRING_TABLE_LOOKUP(incident_status, IncidentStatus);

static const char *const incident_category_table[_INCIDENT_CATEGORY_MAX] = {
        [INCIDENT_CATEGORY_DISK] = "disk",
        [INCIDENT_CATEGORY_CONTROLLER] = "controller",
        [INCIDENT_CATEGORY_PATH] = "path",
        [INCIDENT_CATEGORY_ARRAY] = "array",
        [INCIDENT_CATEGORY_ENCLOSURE] = "enclosure",
        [INCIDENT_CATEGORY_KNOWN_ERROR] = "known-error",
};
DEFINE_STRING_TABLE_LOOKUP(incident_category, IncidentCategory);

static const char *const impact_table[_IMPACT_MAX] = {
        [IMPACT_SERVICE_DOWN] = "service-down",
        [IMPACT_REDUNDANCY_LOST] = "redundancy-lost",
        [IMPACT_DEGRADED] = "degraded",
        [IMPACT_NONE_YET] = "no-impact-yet",
};
DEFINE_STRING_TABLE_LOOKUP(impact, Impact);

static const char *const urgency_table[_URGENCY_MAX] = {
        [URGENCY_HIGH] = "high",
        [URGENCY_MEDIUM] = "medium",
        [URGENCY_LOW] = "low",
};
DEFINE_STRING_TABLE_LOOKUP(urgency, Urgency);

static const char *const handling_class_table[_HANDLING_MAX] = {
        [HANDLING_URGENT] = "urgent",
        [HANDLING_NORMAL] = "normal",
        [HANDLING_AWAITING_REPRODUCTION] = "awaiting-reproduction",
};
DEFINE_STRING_TABLE_LOOKUP(handling_class, HandlingClass);

static const char *const lifecycle_stage_table[_STAGE_MAX] = {
        [STAGE_DETECTED] = "detected",
        [STAGE_DIAGNOSED] = "diagnosed",
        [STAGE_REPAIRED] = "repaired",
        [STAGE_RECOVERED] = "recovered",
        [STAGE_RESTORED] = "restored",
};
DEFINE_STRING_TABLE_LOOKUP(lifecycle_stage, LifecycleStage);

/*                          urgency: high medium low */
const PriorityMatrix priority_matrix_default = { .p = {
        [IMPACT_SERVICE_DOWN] =    { 1, 1, 2 },
        [IMPACT_REDUNDANCY_LOST] = { 1, 2, 3 },
        [IMPACT_DEGRADED] =        { 2, 3, 4 },
        [IMPACT_NONE_YET] =        { 3, 4, 5 },
} };

unsigned priority_from_matrix(const PriorityMatrix *m, Impact impact, Urgency urgency) {
        if (impact < 0 || impact >= _IMPACT_MAX || urgency < 0 || urgency >= _URGENCY_MAX)
                return 5;
        return m->p[impact][urgency];
}

bool incident_is_major(Impact impact, bool spare_available) {
        return impact == IMPACT_SERVICE_DOWN || (impact == IMPACT_REDUNDANCY_LOST && !spare_available);
}

Incident *incident_new(void) {
        Incident *i = new0(Incident, 1);

        if (!i)
                return NULL;
        i->status = INCIDENT_OPEN;
        i->impact = IMPACT_NONE_YET;
        i->urgency = URGENCY_LOW;
        i->priority = 5;
        i->handling = HANDLING_NORMAL;
        i->evidence = json_object_new_array();
        if (!i->evidence)
                return mfree(i);
        return i;
}

Incident *incident_free(Incident *i) {
        if (!i)
                return NULL;
        free(i->id);
        free(i->dedup_key);
        free(i->title);
        free(i->description);
        free(i->host);
        free(i->ci_id);
        json_object_put(i->ci);
        free(i->acknowledged_by);
        for (size_t k = 0; k < i->n_suspects; k++)
                free(i->suspects[k].ci_id);
        free(i->suspects);
        for (size_t k = 0; k < i->n_actions; k++) {
                free(i->actions[k].action);
                free(i->actions[k].target);
                free(i->actions[k].mode);
                free(i->actions[k].result);
        }
        free(i->actions);
        json_object_put(i->evidence);
        free(i->workaround);
        free(i->known_error_id);
        free(i->cause);
        free(i->related_id);
        return mfree(i);
}

void incident_set_classification(Incident *i, const PriorityMatrix *m, Impact impact, Urgency urgency) {
        i->impact = impact;
        i->urgency = urgency;
        i->priority = priority_from_matrix(m, impact, urgency);
        i->handling = i->priority <= 2 ? HANDLING_URGENT : HANDLING_NORMAL;
}

int incident_transition(Incident *i, IncidentStatus to, usec_t now) {
        IncidentStatus from = i->status;
        bool ok;

        if (from == to)
                return 0;
        switch (from) {
        case INCIDENT_OPEN:
                ok = to == INCIDENT_MITIGATED || to == INCIDENT_RESOLVED;
                break;
        case INCIDENT_MITIGATED:
                ok = to == INCIDENT_RESOLVED || to == INCIDENT_OPEN;
                break;
        case INCIDENT_RESOLVED:
                ok = to == INCIDENT_CLOSED || to == INCIDENT_OPEN;
                break;
        default:
                ok = false; /* closed is final */
                break;
        }
        if (!ok)
                return -EPERM;

        i->status = to;
        if (to == INCIDENT_RESOLVED)
                i->resolved_usec = now;
        else if (to == INCIDENT_CLOSED)
                i->closed_usec = now;
        else if (to == INCIDENT_OPEN)
                i->resolved_usec = 0; /* reopened */
        incident_touch(i, now);
        return 0;
}

int incident_mark_stage(Incident *i, LifecycleStage stage, usec_t now) {
        if (stage < 0 || stage >= _STAGE_MAX)
                return -EINVAL;
        if (i->stage_usec[stage] != 0)
                return 0;
        i->stage_usec[stage] = now;
        incident_touch(i, now);
        return 1;
}

int incident_acknowledge(Incident *i, const char *who, usec_t now) {
        int r;

        if (isempty(who))
                return -EINVAL;
        if (i->status == INCIDENT_CLOSED)
                return -EPERM;
        r = free_and_strdup(&i->acknowledged_by, who);
        if (r < 0)
                return r;
        i->acknowledged_usec = now;
        incident_touch(i, now);
        return 0;
}

static int action_append(Incident *i, usec_t now, const char *action, const char *target, const char *mode,
                         const char *result) {
        IncidentAction *a, *n;

        n = realloc(i->actions, sizeof(IncidentAction) * (i->n_actions + 1));
        if (!n)
                return -ENOMEM;
        i->actions = n;
        a = &i->actions[i->n_actions];
        *a = (IncidentAction) { .time_usec = now };
        if (!(a->action = strdup(strempty(action))) || !(a->target = strdup(strempty(target))) ||
            !(a->mode = strdup(strempty(mode))) || !(a->result = strdup(strempty(result)))) {
                free(a->action);
                free(a->target);
                free(a->mode);
                free(a->result);
                return -ENOMEM;
        }
        i->n_actions++;
        return 0;
}

int incident_add_action(Incident *i, usec_t now, const char *action, const char *target, const char *mode,
                        const char *result) {
        int r = action_append(i, now, action, target, mode, result);

        if (r < 0)
                return r;
        incident_touch(i, now);
        return 0;
}

int incident_set_suspect(Incident *i, const char *ci_id, unsigned confidence_percent) {
        IncidentSuspect *n;

        for (size_t k = 0; k < i->n_suspects; k++)
                if (streq(i->suspects[k].ci_id, ci_id)) {
                        i->suspects[k].confidence_percent = MIN(confidence_percent, 100u);
                        return 0;
                }
        n = realloc(i->suspects, sizeof(IncidentSuspect) * (i->n_suspects + 1));
        if (!n)
                return -ENOMEM;
        i->suspects = n;
        n[i->n_suspects].ci_id = strdup(ci_id);
        if (!n[i->n_suspects].ci_id)
                return -ENOMEM;
        n[i->n_suspects].confidence_percent = MIN(confidence_percent, 100u);
        i->n_suspects++;
        return 0;
}

int incident_add_evidence(Incident *i, json_object *e, size_t max) {
        if (json_object_array_add(i->evidence, e) < 0) {
                json_object_put(e);
                return -ENOMEM;
        }
        if (max > 0 && json_object_array_length(i->evidence) > max)
                (void) json_object_array_del_idx(i->evidence, 0, json_object_array_length(i->evidence) - max);
        return 0;
}

void incident_touch(Incident *i, usec_t now) {
        i->seq++;
        i->updated_usec = now;
}

bool incident_quiet_expired(const Incident *i, usec_t quiet_usec, usec_t now_usec) {
        /* Dedup keys are "<fault class>:<suspect>" (diagnosis.h). */
        static const char *const streams[] = {
                "disk.media:", "disk.transport:", "disk.link:", "disk.precursors:", "disk.fail_slow:",
                "controller:", "path.flapping:",
        };
        bool stream = false;

        if (quiet_usec == 0 || i->status != INCIDENT_OPEN || !i->dedup_key)
                return false;
        for (size_t k = 0; k < ELEMENTSOF(streams); k++)
                if (startswith(i->dedup_key, streams[k]))
                        stream = true;
        return stream && i->updated_usec + quiet_usec <= now_usec;
}

/* --- JSON --------------------------------------------------------------- */

json_object *incident_to_json(const Incident *i) {
        json_object *o = json_object_new_object(), *lifecycle = NULL, *suspects = NULL, *actions = NULL;
        int r = 0;

        if (!o)
                return NULL;
        lifecycle = json_object_new_object();
        suspects = json_object_new_array();
        actions = json_object_new_array();
        if (!lifecycle || !suspects || !actions)
                goto fail;
        for (int s = 0; s < _STAGE_MAX; s++)
                if (json_put_time(lifecycle, lifecycle_stage_to_string(s), i->stage_usec[s]) < 0)
                        goto fail;
        for (size_t k = 0; k < i->n_suspects; k++) {
                json_object *x = json_object_new_object();
                if (!x || json_object_array_add(suspects, x) < 0) {
                        json_object_put(x);
                        goto fail;
                }
                if (json_put_str(x, "ci_id", i->suspects[k].ci_id) < 0 ||
                    json_put_u64(x, "confidence_percent", i->suspects[k].confidence_percent) < 0)
                        goto fail;
        }
        for (size_t k = 0; k < i->n_actions; k++) {
                json_object *x = json_object_new_object();
                if (!x || json_object_array_add(actions, x) < 0) {
                        json_object_put(x);
                        goto fail;
                }
                if (json_put_u64(x, "time_usec", i->actions[k].time_usec) < 0 ||
                    json_put_str(x, "action", i->actions[k].action) < 0 || json_put_str(x, "target", i->actions[k].target) < 0 ||
                    json_put_str(x, "mode", i->actions[k].mode) < 0 || json_put_str(x, "result", i->actions[k].result) < 0)
                        goto fail;
        }

        r |= json_put_str(o, "id", i->id);
        r |= json_put_str(o, "dedup_key", i->dedup_key);
        r |= json_put_str(o, "title", i->title);
        r |= json_put_str(o, "description", i->description);
        r |= json_put_str(o, "host", i->host);
        r |= json_put_str(o, "category", incident_category_to_string(i->category));
        r |= json_put_str(o, "ci_id", i->ci_id);
        r |= json_put_obj(o, "ci", i->ci);
        r |= json_put_str(o, "impact", impact_to_string(i->impact));
        r |= json_put_str(o, "urgency", urgency_to_string(i->urgency));
        r |= json_put_u64(o, "priority", i->priority);
        r |= json_object_object_add(o, "major", json_object_new_boolean(i->major));
        r |= json_put_str(o, "status", incident_status_to_string(i->status));
        r |= json_put_str(o, "handling", handling_class_to_string(i->handling));
        r |= json_put_str(o, "acknowledged_by", i->acknowledged_by);
        r |= json_put_time(o, "acknowledged_usec", i->acknowledged_usec);
        r |= json_put_time(o, "resolved_usec", i->resolved_usec);
        r |= json_put_time(o, "closed_usec", i->closed_usec);
        r |= json_put_time(o, "updated_usec", i->updated_usec);
        r |= json_put_str(o, "workaround", i->workaround);
        r |= json_put_str(o, "known_error_id", i->known_error_id);
        r |= json_put_str(o, "cause", i->cause);
        r |= json_put_str(o, "related_id", i->related_id);
        r |= json_put_u64(o, "occurrences", i->occurrences);
        r |= json_put_u64(o, "precursors", i->precursors);
        r |= json_put_u64(o, "seq", i->seq);
        if (r != 0)
                goto fail;
        if (json_object_object_add(o, "lifecycle", lifecycle) < 0)
                goto fail;
        lifecycle = NULL;
        if (json_object_object_add(o, "suspects", suspects) < 0)
                goto fail;
        suspects = NULL;
        if (json_object_object_add(o, "actions", actions) < 0)
                goto fail;
        actions = NULL;
        if (json_put_obj(o, "evidence", i->evidence) < 0)
                goto fail;
        return o;

fail:
        json_object_put(lifecycle);
        json_object_put(suspects);
        json_object_put(actions);
        json_object_put(o);
        return NULL;
}

static int dup_str(json_object *o, const char *k, char **ret) {
        const char *v = json_get_str(o, k);

        if (!v)
                return 0;
        *ret = strdup(v);
        return *ret ? 0 : -ENOMEM;
}

int incident_from_json(json_object *o, Incident **ret) {
        _cleanup_(incident_freep) Incident *i = NULL;
        json_object *v, *lc;
        int r = 0;

        if (!json_object_is_type(o, json_type_object) || !json_get_str(o, "id") || !json_get_str(o, "dedup_key"))
                return -EBADMSG;
        i = incident_new();
        if (!i)
                return -ENOMEM;

        r |= dup_str(o, "id", &i->id);
        r |= dup_str(o, "dedup_key", &i->dedup_key);
        r |= dup_str(o, "title", &i->title);
        r |= dup_str(o, "description", &i->description);
        r |= dup_str(o, "host", &i->host);
        r |= dup_str(o, "ci_id", &i->ci_id);
        r |= dup_str(o, "acknowledged_by", &i->acknowledged_by);
        r |= dup_str(o, "workaround", &i->workaround);
        r |= dup_str(o, "known_error_id", &i->known_error_id);
        r |= dup_str(o, "cause", &i->cause);
        r |= dup_str(o, "related_id", &i->related_id);
        if (r != 0)
                return -ENOMEM;

        i->category = incident_category_from_string(json_get_str(o, "category"));
        i->impact = impact_from_string(json_get_str(o, "impact"));
        i->urgency = urgency_from_string(json_get_str(o, "urgency"));
        i->status = incident_status_from_string(json_get_str(o, "status"));
        i->handling = handling_class_from_string(json_get_str(o, "handling"));
        if (i->category < 0 || i->impact < 0 || i->urgency < 0 || i->status < 0 || i->handling < 0)
                return -EBADMSG;
        i->priority = (unsigned) json_get_u64(o, "priority");
        if (i->priority < 1 || i->priority > 5)
                return -EBADMSG;
        i->major = json_object_object_get_ex(o, "major", &v) && json_object_get_boolean(v);
        i->acknowledged_usec = json_get_u64(o, "acknowledged_usec");
        i->resolved_usec = json_get_u64(o, "resolved_usec");
        i->closed_usec = json_get_u64(o, "closed_usec");
        i->updated_usec = json_get_u64(o, "updated_usec");
        i->occurrences = json_get_u64(o, "occurrences");
        i->precursors = json_get_u64(o, "precursors");
        i->seq = json_get_u64(o, "seq");
        if (json_object_object_get_ex(o, "ci", &v) && json_object_is_type(v, json_type_object))
                i->ci = json_object_get(v);
        if (json_object_object_get_ex(o, "lifecycle", &lc) && json_object_is_type(lc, json_type_object))
                for (int s = 0; s < _STAGE_MAX; s++)
                        i->stage_usec[s] = json_get_u64(lc, lifecycle_stage_to_string(s));
        if (json_object_object_get_ex(o, "suspects", &v) && json_object_is_type(v, json_type_array))
                for (size_t k = 0; k < json_object_array_length(v); k++) {
                        json_object *x = json_object_array_get_idx(v, k);
                        const char *id = json_get_str(x, "ci_id");
                        if (!id)
                                return -EBADMSG;
                        r = incident_set_suspect(i, id, (unsigned) json_get_u64(x, "confidence_percent"));
                        if (r < 0)
                                return r;
                }
        if (json_object_object_get_ex(o, "actions", &v) && json_object_is_type(v, json_type_array))
                for (size_t k = 0; k < json_object_array_length(v); k++) {
                        json_object *x = json_object_array_get_idx(v, k);
                        r = action_append(i, json_get_u64(x, "time_usec"), json_get_str(x, "action"), json_get_str(x, "target"),
                                          json_get_str(x, "mode"), json_get_str(x, "result"));
                        if (r < 0)
                                return r;
                }
        if (json_object_object_get_ex(o, "evidence", &v) && json_object_is_type(v, json_type_array)) {
                json_object_put(i->evidence);
                i->evidence = json_object_get(v);
        }
        *ret = TAKE_PTR(i);
        return 0;
}

/* --- figures ------------------------------------------------------------ */

bool incident_counts_as_down_default(const Incident *i) {
        return i->impact == IMPACT_SERVICE_DOWN || i->impact == IMPACT_REDUNDANCY_LOST;
}

int incident_figures(const Incident *const *incidents, size_t n, usec_t from, usec_t to,
                     bool (*counts_as_down)(const Incident *i), IncidentFigures *ret) {
        usec_t window, downtime = 0, restore_sum = 0;
        unsigned failures = 0, restored = 0;

        if (to <= from)
                return -EINVAL;
        window = to - from;
        if (!counts_as_down)
                counts_as_down = incident_counts_as_down_default;

        for (size_t k = 0; k < n; k++) {
                const Incident *i = incidents[k];
                usec_t start = i->stage_usec[STAGE_DETECTED], end = i->stage_usec[STAGE_RESTORED];

                if (start == 0 || !counts_as_down(i))
                        continue;
                if (end == 0 || end > to)
                        end = to; /* still down at the end of the window */
                if (start >= to || end <= from)
                        continue;
                if (start >= from)
                        failures++;
                downtime += MIN(end, to) - MAX(start, from);
                if (i->stage_usec[STAGE_RESTORED] != 0 && i->stage_usec[STAGE_RESTORED] >= from &&
                    i->stage_usec[STAGE_RESTORED] < to && i->stage_usec[STAGE_RESTORED] >= start) {
                        restore_sum += i->stage_usec[STAGE_RESTORED] - start;
                        restored++;
                }
        }
        downtime = MIN(downtime, window); /* overlapping incidents of one CI */

        *ret = (IncidentFigures) {
                .failures = failures,
                .downtime_usec = downtime,
                .mtbf_usec = failures > 0 ? (window - downtime) / failures : USEC_INFINITY,
                .mtrs_usec = restored > 0 ? restore_sum / restored : 0,
                .availability_percent = 100.0 * (double) (window - downtime) / (double) window,
        };
        return 0;
}

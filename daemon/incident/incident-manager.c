/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "hashmap.h"
#include "incident-manager.h"
#include "log.h"
#include "message-ids.h"
#include "parse-util.h"
#include "string-util.h"

#define STATE_NEXT_NUMBER "incident.next_number"

/* A change the store did not take yet, in the order it happened. */
typedef struct PendingChange {
        char *id;
        uint64_t seq;
        char *event_type;
        char *comment;
        usec_t time_usec;
} PendingChange;

struct IncidentManager {
        char *host;
        Store *store;
        PriorityMatrix matrix;
        IncidentManagerHooks hooks;

        Hashmap *by_id;      /* owns the incidents */
        Hashmap *active;     /* dedup key -> open or mitigated incident */
        Incident **order;    /* creation order */
        size_t n_order, n_order_allocated;
        uint64_t next_number;

        PendingChange *pending;
        size_t n_pending, n_pending_allocated;
        bool store_failing;  /* said once, until it works again */
};

int incident_manager_new(const char *host, Store *store, const PriorityMatrix *matrix,
                         const IncidentManagerHooks *hooks, IncidentManager **ret) {
        _cleanup_(incident_manager_freep) IncidentManager *m = new0(IncidentManager, 1);

        if (!m)
                return -ENOMEM;
        m->host = strdup(host);
        m->by_id = hashmap_new();
        m->active = hashmap_new();
        if (!m->host || !m->by_id || !m->active)
                return -ENOMEM;
        m->store = store;
        m->matrix = matrix ? *matrix : priority_matrix_default;
        if (hooks)
                m->hooks = *hooks;
        m->next_number = 1;
        *ret = TAKE_PTR(m);
        return 0;
}

static void pending_done(PendingChange *p) {
        free(p->id);
        free(p->event_type);
        free(p->comment);
}

IncidentManager *incident_manager_free(IncidentManager *m) {
        Incident *i;

        if (!m)
                return NULL;
        HASHMAP_FOREACH(i, m->by_id)
                incident_free(i);
        hashmap_free(m->by_id);
        hashmap_free(m->active);
        free(m->order);
        for (size_t k = 0; k < m->n_pending; k++)
                pending_done(&m->pending[k]);
        free(m->pending);
        free(m->host);
        return mfree(m);
}

static bool is_active(const Incident *i) {
        return i->status == INCIDENT_OPEN || i->status == INCIDENT_MITIGATED;
}

/* The number N of an id "<host>-N", 0 if it has none. */
static uint64_t id_number(const char *id) {
        const char *dash = strrchr(id, '-');
        uint64_t n;

        if (!dash || safe_atou64(dash + 1, &n) < 0)
                return 0;
        return n;
}

static int index_incident(IncidentManager *m, Incident *i) {
        int r;

        r = hashmap_put(m->by_id, i->id, i);
        if (r < 0)
                return r;
        r = GREEDY_REALLOC(m->order, m->n_order_allocated, m->n_order + 1);
        if (r < 0) {
                hashmap_remove(m->by_id, i->id);
                return r;
        }
        m->order[m->n_order++] = i;
        if (is_active(i)) {
                r = hashmap_replace(m->active, i->dedup_key, i);
                if (r < 0)
                        return r;
        }
        m->next_number = MAX(m->next_number, id_number(i->id) + 1);
        return 0;
}

static void reindex_active(IncidentManager *m, Incident *i) {
        if (is_active(i))
                (void) hashmap_replace(m->active, i->dedup_key, i);
        else if (hashmap_get(m->active, i->dedup_key) == i)
                hashmap_remove(m->active, i->dedup_key);
}

static int load_one(const StoreIncident *row, void *userdata) {
        IncidentManager *m = userdata;
        json_object *o = json_tokener_parse(row->json);
        Incident *i = NULL;
        int r;

        if (!o) {
                log_error("Incident '%s' in '%s' is not valid JSON, skipping it.", row->id, store_path(m->store));
                return 0;
        }
        r = incident_from_json(o, &i);
        json_object_put(o);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || !streq(i->id, row->id)) {
                log_error("Incident '%s' in '%s' cannot be read back, skipping it.", row->id, store_path(m->store));
                incident_free(i);
                return 0;
        }
        if (hashmap_get(m->by_id, i->id)) {
                incident_free(i);
                return 0;
        }
        r = index_incident(m, i);
        if (r < 0)
                incident_free(i);
        return r;
}

int incident_manager_load(IncidentManager *m) {
        _cleanup_free_ char *next = NULL;
        size_t before = m->n_order;
        uint64_t n;
        int r;

        if (!m->store)
                return 0;
        r = store_incident_foreach(m->store, false, load_one, m);
        if (r < 0)
                return r;
        if (store_state_get(m->store, STATE_NEXT_NUMBER, &next) >= 0 && safe_atou64(next, &n) >= 0)
                m->next_number = MAX(m->next_number, n);
        return (int) (m->n_order - before);
}

static int event_json(const Incident *i, const char *event_type, const char *comment, char **ret) {
        json_object *o = json_object_new_object();
        int r = 0;

        if (!o)
                return -ENOMEM;
        if (json_object_object_add(o, "event", json_object_new_string(event_type)) < 0 ||
            json_object_object_add(o, "status", json_object_new_string(incident_status_to_string(i->status))) < 0 ||
            json_object_object_add(o, "priority", json_object_new_int((int) i->priority)) < 0 ||
            (comment && json_object_object_add(o, "comment", json_object_new_string(comment)) < 0))
                r = -ENOMEM;
        if (r >= 0) {
                *ret = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
                if (!*ret)
                        r = -ENOMEM;
        }
        json_object_put(o);
        return r;
}

/* One change, one transaction: the incident row, its event row, the
 * notifications, the id counter. */
static int write_change(IncidentManager *m, const Incident *i, uint64_t seq, const char *event_type,
                        const char *comment, usec_t now) {
        _cleanup_free_ char *ev = NULL;
        const char *json;
        json_object *o;
        char next[32];
        int r;

        o = incident_to_json(i);
        if (!o)
                return -ENOMEM;
        r = event_json(i, event_type, comment, &ev);
        if (r < 0) {
                json_object_put(o);
                return r;
        }
        json = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        snprintf(next, sizeof(next), "%llu", (unsigned long long) m->next_number);

        r = store_begin(m->store);
        if (r >= 0)
                r = store_incident_put(m->store, &(StoreIncident) {
                        .id = i->id,
                        .dedup_key = i->dedup_key,
                        .status = incident_status_to_string(i->status),
                        .priority = (int) i->priority,
                        .seq = i->seq,
                        .created_usec = i->stage_usec[STAGE_DETECTED],
                        .updated_usec = i->updated_usec,
                        .json = json,
                });
        if (r >= 0) {
                r = store_incident_event_add(m->store, i->id, seq, now, event_type, ev);
                if (r == -EEXIST)
                        r = 0; /* written before a crash, the rest was not */
        }
        if (r >= 0 && m->hooks.enqueue)
                r = m->hooks.enqueue(m->store, i, seq, event_type, now, m->hooks.userdata);
        if (r >= 0)
                r = store_state_set(m->store, STATE_NEXT_NUMBER, next);
        if (r >= 0)
                r = store_commit(m->store);
        else
                store_rollback(m->store);
        json_object_put(o);
        return r;
}

static int queue_pending(IncidentManager *m, const Incident *i, const char *event_type, const char *comment,
                         usec_t now) {
        PendingChange *p;
        int r;

        r = GREEDY_REALLOC(m->pending, m->n_pending_allocated, m->n_pending + 1);
        if (r < 0)
                return r;
        p = &m->pending[m->n_pending];
        *p = (PendingChange) { .seq = i->seq, .time_usec = now };
        p->id = strdup(i->id);
        p->event_type = strdup(event_type);
        p->comment = comment ? strdup(comment) : NULL;
        if (!p->id || !p->event_type || (comment && !p->comment)) {
                pending_done(p);
                return -ENOMEM;
        }
        m->n_pending++;
        return 0;
}

int incident_manager_flush(IncidentManager *m, usec_t now) {
        size_t done = 0;
        int r = 0;

        if (!m->store)
                return 0;
        for (; done < m->n_pending; done++) {
                PendingChange *p = &m->pending[done];
                Incident *i = hashmap_get(m->by_id, p->id);

                if (!i)
                        continue;
                r = write_change(m, i, p->seq, p->event_type, p->comment, p->time_usec);
                if (r < 0)
                        break;
        }
        for (size_t k = 0; k < done; k++)
                pending_done(&m->pending[k]);
        memmove(m->pending, m->pending + done, (m->n_pending - done) * sizeof(PendingChange));
        m->n_pending -= done;

        if (r < 0) {
                if (!m->store_failing)
                        log_event_errno(LOG_ERR, r, SG_MESSAGE_STORE_UNWRITABLE,
                                        LOG_FIELDS({ "STORGUARD_PATH", store_path(m->store) }),
                                        "Cannot write incidents to '%s': %m. Keeping %zu change(s) in memory "
                                        "and retrying; incidents stay visible on D-Bus and in the journal.",
                                        store_path(m->store), m->n_pending);
                m->store_failing = true;
                return (int) m->n_pending;
        }
        if (m->store_failing)
                log_event(LOG_NOTICE, SG_MESSAGE_STORE_RECOVERED, LOG_FIELDS({ "STORGUARD_PATH", store_path(m->store) }),
                          "Incident store '%s' is writable again; caught up with every change kept in memory.",
                          store_path(m->store));
        m->store_failing = false;
        return 0;
}

size_t incident_manager_unsaved(const IncidentManager *m) {
        return m->n_pending;
}

/* Persist (or keep) one change and tell the hooks. */
static int commit_change(IncidentManager *m, Incident *i, const char *event_type, const char *comment, usec_t now) {
        int r;

        reindex_active(m, i);
        r = queue_pending(m, i, event_type, comment, now);
        if (r < 0)
                return r;
        r = incident_manager_flush(m, now);
        if (r < 0)
                return r;
        if (m->hooks.changed)
                m->hooks.changed(i, event_type, m->hooks.userdata);
        return 0;
}

/* Several model operations make one change: one seq step. */
static void one_step(Incident *i, uint64_t seq_before, usec_t now) {
        i->seq = seq_before + 1;
        i->updated_usec = now;
}

static int copy_evidence(Incident *i, json_object *evidence) {
        if (!evidence || !json_object_is_type(evidence, json_type_array))
                return 0;
        for (size_t k = 0; k < json_object_array_length(evidence); k++) {
                int r = incident_add_evidence(i, json_object_get(json_object_array_get_idx(evidence, k)),
                                              INCIDENT_EVIDENCE_MAX);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int set_str(char **field, const char *v) {
        return v ? (free_and_strdup(field, v) < 0 ? -ENOMEM : 0) : 0;
}

int incident_manager_report(IncidentManager *m, const IncidentInput *in, usec_t now, Incident **ret) {
        Incident *i;
        uint64_t seq;
        const char *event;
        int r;

        if (isempty(in->dedup_key) || isempty(in->title) || isempty(in->ci_id))
                return -EINVAL;

        i = hashmap_get(m->active, in->dedup_key);
        if (!i) {
                /* A resolved (not closed) incident of the same fault comes
                 * back to life: one fault, one incident. */
                for (size_t k = m->n_order; k > 0; k--)
                        if (streq(m->order[k - 1]->dedup_key, in->dedup_key) &&
                            m->order[k - 1]->status == INCIDENT_RESOLVED) {
                                i = m->order[k - 1];
                                break;
                        }
        }

        if (i) {
                bool reopened = i->status == INCIDENT_RESOLVED;

                seq = i->seq;
                if (reopened)
                        (void) incident_transition(i, INCIDENT_OPEN, now);
                i->occurrences += MAX(in->occurrences, (uint64_t) 1);
                i->precursors += in->precursors;
                /* Classification only ever gets more serious by itself; an
                 * operator can lower it. */
                if (in->impact < i->impact || (in->impact == i->impact && in->urgency < i->urgency)) {
                        incident_set_classification(i, &m->matrix, MIN(in->impact, i->impact),
                                                    MIN(in->urgency, i->urgency));
                        i->major = i->major || incident_is_major(in->impact, in->spare_available);
                }
                if ((r = copy_evidence(i, in->evidence)) < 0 || (r = set_str(&i->known_error_id, in->known_error_id)) < 0 ||
                    (r = set_str(&i->related_id, in->related_id)) < 0)
                        return r;
                if (in->confidence_percent > 0 &&
                    (r = incident_set_suspect(i, in->suspect_id ?: in->ci_id, in->confidence_percent)) < 0)
                        return r;
                one_step(i, seq, now);
                event = reopened ? "reopened" : "updated";
                r = commit_change(m, i, event, NULL, now);
                if (r < 0)
                        return r;
                if (ret)
                        *ret = i;
                return 0;
        }

        {
                _cleanup_(incident_freep) Incident *n = incident_new();
                char id[128];

                if (!n)
                        return -ENOMEM;
                snprintf(id, sizeof(id), "%s-%06llu", m->host, (unsigned long long) m->next_number);
                if (!(n->id = strdup(id)) || !(n->dedup_key = strdup(in->dedup_key)) ||
                    !(n->title = strdup(in->title)) || !(n->host = strdup(m->host)) || !(n->ci_id = strdup(in->ci_id)) ||
                    set_str(&n->description, in->description) < 0 || set_str(&n->known_error_id, in->known_error_id) < 0 ||
                    set_str(&n->workaround, in->workaround) < 0 || set_str(&n->cause, in->cause) < 0 ||
                    set_str(&n->related_id, in->related_id) < 0)
                        return -ENOMEM;
                n->category = in->category;
                if (in->ci) {
                        n->ci = NULL;
                        if (json_object_deep_copy(in->ci, &n->ci, NULL) < 0)
                                return -ENOMEM;
                }
                incident_set_classification(n, &m->matrix, in->impact, in->urgency);
                n->major = incident_is_major(in->impact, in->spare_available);
                n->occurrences = MAX(in->occurrences, (uint64_t) 1);
                n->precursors = in->precursors;
                n->stage_usec[STAGE_DETECTED] = now;
                n->stage_usec[STAGE_DIAGNOSED] = now;
                if ((r = copy_evidence(n, in->evidence)) < 0 ||
                    (r = incident_set_suspect(n, in->suspect_id ?: in->ci_id, in->confidence_percent ?: 100)) < 0)
                        return r;
                one_step(n, 0, now);

                m->next_number++;
                i = n;
                r = index_incident(m, n);
                if (r < 0) {
                        m->next_number--;
                        return r;
                }
                TAKE_PTR(n);
        }

        r = commit_change(m, i, "raised", NULL, now);
        if (r < 0)
                return r;
        if (ret)
                *ret = i;
        return 1;
}

int incident_manager_acknowledge(IncidentManager *m, const char *id, const char *who, const char *comment, usec_t now) {
        Incident *i = hashmap_get(m->by_id, id);
        uint64_t seq;
        int r;

        if (!i)
                return -ENOENT;
        seq = i->seq;
        r = incident_acknowledge(i, who, now);
        if (r < 0)
                return r;
        one_step(i, seq, now);
        return commit_change(m, i, "acknowledged", comment, now);
}

static const char *status_event(IncidentStatus s) {
        switch (s) {
        case INCIDENT_OPEN:
                return "reopened";
        case INCIDENT_MITIGATED:
                return "mitigated";
        case INCIDENT_RESOLVED:
                return "resolved";
        case INCIDENT_CLOSED:
                return "closed";
        default:
                return "updated";
        }
}

int incident_manager_set_status(IncidentManager *m, const char *id, IncidentStatus status, const char *comment,
                                usec_t now) {
        Incident *i = hashmap_get(m->by_id, id);
        uint64_t seq;
        int r;

        if (!i)
                return -ENOENT;
        if (i->status == status)
                return 0;
        seq = i->seq;
        r = incident_transition(i, status, now);
        if (r < 0)
                return r;
        one_step(i, seq, now);
        return commit_change(m, i, status_event(status), comment, now);
}

int incident_manager_mark_stage(IncidentManager *m, const char *id, LifecycleStage stage, usec_t now) {
        Incident *i = hashmap_get(m->by_id, id);
        uint64_t seq;
        int r;

        if (!i)
                return -ENOENT;
        seq = i->seq;
        r = incident_mark_stage(i, stage, now);
        if (r <= 0)
                return r;
        one_step(i, seq, now);
        return commit_change(m, i, lifecycle_stage_to_string(stage), NULL, now);
}

int incident_manager_add_action(IncidentManager *m, const char *id, const char *action, const char *target,
                                const char *mode, const char *result, usec_t now) {
        Incident *i = hashmap_get(m->by_id, id);
        uint64_t seq;
        int r;

        if (!i)
                return -ENOENT;
        seq = i->seq;
        r = incident_add_action(i, now, action, target, mode, result);
        if (r < 0)
                return r;
        one_step(i, seq, now);
        return commit_change(m, i, "action", result, now);
}

int incident_manager_link(IncidentManager *m, const char *id, const char *related_id, usec_t now) {
        Incident *i = hashmap_get(m->by_id, id);
        uint64_t seq;
        int r;

        if (!i)
                return -ENOENT;
        if (streq_ptr(i->related_id, related_id))
                return 0;
        seq = i->seq;
        r = free_and_strdup(&i->related_id, related_id);
        if (r < 0)
                return r;
        one_step(i, seq, now);
        return commit_change(m, i, "updated", related_id, now);
}

Incident *incident_manager_get(const IncidentManager *m, const char *id) {
        return hashmap_get(m->by_id, id);
}

Incident *incident_manager_find_active(const IncidentManager *m, const char *dedup_key) {
        return hashmap_get(m->active, dedup_key);
}

int incident_manager_list(const IncidentManager *m, Incident ***ret) {
        Incident **l = new(Incident *, m->n_order + 1);

        if (!l)
                return -ENOMEM;
        memcpy_safe(l, m->order, m->n_order * sizeof(Incident *));
        l[m->n_order] = NULL;
        *ret = l;
        return (int) m->n_order;
}

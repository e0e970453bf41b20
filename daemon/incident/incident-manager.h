/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The incident manager: one fault, one incident.  It keeps every incident
 * in memory (active ones indexed by dedup key), numbers them, persists each
 * change in one store transaction together with its event row and the
 * notifications it causes (the enqueue hook, e.g. the webhook outbox), and
 * restores them after a restart so nothing is raised twice.
 *
 * When the store cannot be written (state directory read-only or full) the
 * change is kept in memory, marked unsaved, said loudly once, and written
 * by incident_manager_flush() when the store works again.
 */

#include <json-c/json.h>
#include <stdbool.h>

#include "incident.h"
#include "store.h"

typedef struct IncidentManager IncidentManager;

/* What a fault says, for raising or updating its incident. */
typedef struct IncidentInput {
        const char *dedup_key;        /* required: "<fault class>:<suspect CI id>" */
        const char *title;            /* required */
        const char *description;
        IncidentCategory category;
        const char *ci_id;            /* required: primary CI */
        json_object *ci;              /* identity snapshot (borrowed; copied) */
        Impact impact;
        Urgency urgency;
        bool spare_available;         /* for the major rule */
        const char *suspect_id;       /* NULL: ci_id */
        unsigned confidence_percent;
        const char *known_error_id;
        const char *workaround;
        const char *cause;
        const char *related_id;
        json_object *evidence;        /* array of new evidence (borrowed; copied) */
        uint64_t occurrences;         /* how many observations this input stands for (>= 1) */
        uint64_t precursors;
} IncidentInput;

/* Called after every persisted (or kept-in-memory) change, outside the
 * transaction: D-Bus signals, journal messages. */
typedef void (*IncidentChangedFn)(const Incident *i, const char *event_type, void *userdata);
/* Called inside the transaction of each change: write the notifications
 * (outbox rows) that announce it.  @seq is the number of the change (the
 * incident's seq when it happened; i holds the incident as it is now,
 * which is later when changes are caught up after a store failure).  A
 * negative return aborts the change. */
typedef int (*IncidentEnqueueFn)(Store *s, const Incident *i, uint64_t seq, const char *event_type, usec_t now,
                                 void *userdata);

typedef struct IncidentManagerHooks {
        IncidentChangedFn changed;
        IncidentEnqueueFn enqueue;
        void *userdata;
} IncidentManagerHooks;

#define INCIDENT_EVIDENCE_MAX 32 /* kept per incident; occurrences counts all */

/* incident_manager_new() - @host: this host's name, the prefix of ids.
 * @store: may be NULL (nothing persisted). */
int incident_manager_new(const char *host, Store *store, const PriorityMatrix *matrix,
                         const IncidentManagerHooks *hooks, IncidentManager **ret);
IncidentManager *incident_manager_free(IncidentManager *m);
DEFINE_POINTER_CLEANUP_FUNC(IncidentManager, incident_manager_free);

/* incident_manager_load() - read every incident from the store (after a
 * restart).  Rows that cannot be parsed are skipped with an error naming
 * them.  Return: the number loaded, or -errno. */
int incident_manager_load(IncidentManager *m);

/* incident_manager_report() - a fault was diagnosed (again).  An active
 * incident with the same dedup key is updated (occurrences, evidence,
 * classification only ever raised); a resolved one is reopened; else a new
 * incident is raised.
 * Return: 1 raised, 0 updated (or reopened), -errno. */
int incident_manager_report(IncidentManager *m, const IncidentInput *in, usec_t now, Incident **ret);

/* Operator and lifecycle changes; each persists and notifies.
 * Return: 0, -ENOENT (no such id), -EPERM (the lifecycle forbids it),
 * -EINVAL. */
int incident_manager_acknowledge(IncidentManager *m, const char *id, const char *who, const char *comment, usec_t now);
int incident_manager_set_status(IncidentManager *m, const char *id, IncidentStatus status, const char *comment,
                                usec_t now);
int incident_manager_mark_stage(IncidentManager *m, const char *id, LifecycleStage stage, usec_t now);
int incident_manager_add_action(IncidentManager *m, const char *id, const char *action, const char *target,
                                const char *mode, const char *result, usec_t now);

/* incident_manager_link() - record that id is a symptom of (or otherwise
 * tied to) related_id. */
int incident_manager_link(IncidentManager *m, const char *id, const char *related_id, usec_t now);

Incident *incident_manager_get(const IncidentManager *m, const char *id);
/* incident_manager_find_active() - the open or mitigated incident with this dedup key. */
Incident *incident_manager_find_active(const IncidentManager *m, const char *dedup_key);
/* incident_manager_list() - all incidents, oldest first; *ret borrowed pointers. */
int incident_manager_list(const IncidentManager *m, Incident ***ret);

/* incident_manager_flush() - write the changes the store refused before.
 * Return: how many are still unsaved (0: all written), or -errno. */
int incident_manager_flush(IncidentManager *m, usec_t now);
size_t incident_manager_unsaved(const IncidentManager *m) _pure_;

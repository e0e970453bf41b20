/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Incidents in the vocabulary of ISO/IEC 20000-1 (see shared CONTEXT.md):
 * an unplanned interruption of a service, a reduction in its quality, or
 * an event that has not yet affected it.  One fault, one incident: the
 * dedup key is the fault's fingerprint and repeats update the incident.
 *
 * This module is the model only: pure functions, time passed in.  The
 * store persists an incident as its JSON (incident_to_json /
 * incident_from_json); D-Bus and the webhook read the same fields.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "macro.h"
#include "time-util.h"

typedef enum IncidentStatus {
        INCIDENT_OPEN,
        INCIDENT_MITIGATED, /* a workaround is in place (member isolated, path failed) */
        INCIDENT_RESOLVED,  /* the fault cleared, or an operator resolved it */
        INCIDENT_CLOSED,    /* an operator closed the record */
        _INCIDENT_STATUS_MAX,
        _INCIDENT_STATUS_INVALID = -EINVAL,
} IncidentStatus;

typedef enum IncidentCategory {
        INCIDENT_CATEGORY_DISK,
        INCIDENT_CATEGORY_CONTROLLER,
        INCIDENT_CATEGORY_PATH,
        INCIDENT_CATEGORY_ARRAY,
        INCIDENT_CATEGORY_ENCLOSURE,
        INCIDENT_CATEGORY_KNOWN_ERROR,
        _INCIDENT_CATEGORY_MAX,
        _INCIDENT_CATEGORY_INVALID = -EINVAL,
} IncidentCategory;

typedef enum Impact {
        IMPACT_SERVICE_DOWN,     /* data unavailable */
        IMPACT_REDUNDANCY_LOST,  /* still served, one more failure loses it */
        IMPACT_DEGRADED,         /* served, slower or with errors */
        IMPACT_NONE_YET,         /* a precursor: has not affected the service */
        _IMPACT_MAX,
        _IMPACT_INVALID = -EINVAL,
} Impact;

typedef enum Urgency {
        URGENCY_HIGH,   /* getting worse now */
        URGENCY_MEDIUM,
        URGENCY_LOW,
        _URGENCY_MAX,
        _URGENCY_INVALID = -EINVAL,
} Urgency;

typedef enum HandlingClass {
        HANDLING_URGENT,
        HANDLING_NORMAL,
        HANDLING_AWAITING_REPRODUCTION,
        _HANDLING_MAX,
        _HANDLING_INVALID = -EINVAL,
} HandlingClass;

/* Lifecycle stamps (CLOCK_REALTIME usec; 0 = not yet). */
typedef enum LifecycleStage {
        STAGE_DETECTED,
        STAGE_DIAGNOSED,
        STAGE_REPAIRED,   /* the failed component was replaced */
        STAGE_RECOVERED,  /* the component is back in service (resync done) */
        STAGE_RESTORED,   /* normal service resumed (array optimal again) */
        _STAGE_MAX,
        _STAGE_INVALID = -EINVAL,
} LifecycleStage;

/* priority = matrix[impact][urgency], 1 (highest) to 5.  ITIL's usual
 * 3 x 3 table, widened by the "no impact yet" row. */
typedef struct PriorityMatrix {
        uint8_t p[_IMPACT_MAX][_URGENCY_MAX];
} PriorityMatrix;

extern const PriorityMatrix priority_matrix_default;

typedef struct IncidentAction {
        usec_t time_usec;
        char *action;  /* "md.fail_member", "mpath.fail_path", "scsi.offline", ... */
        char *target;  /* CI id */
        char *mode;    /* "dry-run", "enforce" */
        char *result;  /* "done", "would do", "refused: last in-sync member", "failed: ..." */
} IncidentAction;

typedef struct IncidentSuspect {
        char *ci_id;
        unsigned confidence_percent;
} IncidentSuspect;

typedef struct Incident {
        char *id;         /* "<host>-<number>", unique across hosts */
        char *dedup_key;  /* the fault's fingerprint */
        char *title;
        char *description;
        char *host;
        IncidentCategory category;
        char *ci_id;      /* the primary configuration item */
        json_object *ci;  /* its identity when raised: model, serial, wwn, firmware, slot, relationships */
        Impact impact;
        Urgency urgency;
        unsigned priority;
        bool major;
        IncidentStatus status;
        HandlingClass handling;
        char *acknowledged_by;
        usec_t acknowledged_usec;
        usec_t stage_usec[_STAGE_MAX];
        usec_t resolved_usec, closed_usec, updated_usec;
        IncidentSuspect *suspects;
        size_t n_suspects;
        IncidentAction *actions;
        size_t n_actions;
        json_object *evidence; /* array of the most recent ereports, as JSON */
        char *workaround;
        char *known_error_id;
        char *cause;
        char *related_id;      /* e.g. the controller incident a disk incident is a symptom of */
        uint64_t occurrences;  /* how often the fault was seen */
        uint64_t precursors;   /* near misses counted for it */
        uint64_t seq;          /* number of the last change (webhook event ids) */
} Incident;

const char *incident_status_to_string(IncidentStatus s) _const_;
IncidentStatus incident_status_from_string(const char *s) _pure_;
const char *incident_category_to_string(IncidentCategory c) _const_;
IncidentCategory incident_category_from_string(const char *s) _pure_;
const char *impact_to_string(Impact i) _const_;
Impact impact_from_string(const char *s) _pure_;
const char *urgency_to_string(Urgency u) _const_;
Urgency urgency_from_string(const char *s) _pure_;
const char *handling_class_to_string(HandlingClass h) _const_;
HandlingClass handling_class_from_string(const char *s) _pure_;
const char *lifecycle_stage_to_string(LifecycleStage s) _const_;
LifecycleStage lifecycle_stage_from_string(const char *s) _pure_;

/* priority_from_matrix() - Return: 1..5 (5 for out-of-range input). */
unsigned priority_from_matrix(const PriorityMatrix *m, Impact impact, Urgency urgency) _pure_;

/* incident_is_major() - the default major-incident rule: the service is
 * down, or redundancy is lost on something with no spare left. */
bool incident_is_major(Impact impact, bool spare_available) _const_;

Incident *incident_new(void);
Incident *incident_free(Incident *i);
DEFINE_POINTER_CLEANUP_FUNC(Incident, incident_free);

/* incident_set_classification() - impact and urgency, and from them
 * priority (through m) and the handling class. */
void incident_set_classification(Incident *i, const PriorityMatrix *m, Impact impact, Urgency urgency);

/* incident_transition() - move to a new status at now.
 * Allowed: open -> mitigated -> resolved -> closed, open -> resolved,
 * resolved -> open (the fault came back), mitigated -> open (workaround
 * undone); closing is final.  Return: 0 (also for "already there"),
 * -EPERM for a transition the lifecycle forbids. */
int incident_transition(Incident *i, IncidentStatus to, usec_t now);

/* incident_mark_stage() - stamp a lifecycle stage once (a later stamp of
 * the same stage is ignored).  Return: 1 if stamped, 0 if it was already. */
int incident_mark_stage(Incident *i, LifecycleStage stage, usec_t now);

/* incident_acknowledge() - Return: 0, -EPERM when closed, -EINVAL for an
 * empty name. */
int incident_acknowledge(Incident *i, const char *who, usec_t now);

int incident_add_action(Incident *i, usec_t now, const char *action, const char *target, const char *mode,
                        const char *result);
int incident_set_suspect(Incident *i, const char *ci_id, unsigned confidence_percent);

/* incident_add_evidence() - append one piece of evidence (JSON, taken),
 * keeping at most max entries (the oldest go first, occurrences keeps the
 * count).  Return: 0 or -ENOMEM. */
int incident_add_evidence(Incident *i, json_object *e, size_t max);

/* incident_touch() - a change was made: bump seq and updated_usec. */
void incident_touch(Incident *i, usec_t now);

/* incident_quiet_expired() - whether an open incident of a fault that
 * shows as a stream of events (media errors, timeouts, resets, link
 * resets, near misses, slowness, a controller pattern, a flapping path)
 * has seen no new occurrence for quiet_usec, so that its fault has
 * cleared.  Faults that are states (a failed member, a failed path, a
 * known error) never expire this way: their device's state resolves them.
 * quiet_usec 0 never expires. */
bool incident_quiet_expired(const Incident *i, usec_t quiet_usec, usec_t now_usec) _pure_;

/* JSON: the one serialisation (store, D-Bus GetIncident, webhook). */
json_object *incident_to_json(const Incident *i);
/* incident_from_json() - Return: 0, -EBADMSG naming nothing (the caller
 * says which row), -ENOMEM. */
int incident_from_json(json_object *o, Incident **ret);

/* Figures per CI from its incidents, over a window [from, to):
 *   MTRS = mean(restored - detected) of incidents restored in the window
 *   MTBF = (time in service - downtime) / number of failures
 *   availability = (window - downtime) / window x 100 %
 * Downtime counts the time an incident with impact service_down or
 * redundancy_lost (configurable by the caller through counts_as_down)
 * spent between detected and restored (or to when still open). */
typedef struct IncidentFigures {
        unsigned failures;
        usec_t downtime_usec;
        usec_t mtbf_usec;     /* USEC_INFINITY with no failure */
        usec_t mtrs_usec;     /* 0 with nothing restored */
        double availability_percent;
} IncidentFigures;

int incident_figures(const Incident *const *incidents, size_t n, usec_t from, usec_t to,
                     bool (*counts_as_down)(const Incident *i), IncidentFigures *ret);
bool incident_counts_as_down_default(const Incident *i) _pure_;

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The store: one SQLite database (WAL mode) under the state directory that
 * holds what must survive a crash or restart:
 *
 *   incidents         one row per incident: indexed columns + the full
 *                     record as JSON (the incident module owns its shape)
 *   incident_events   every change of an incident (time, type, cause, JSON)
 *   outbox            notifications to deliver (webhook), written in the
 *                     same transaction as the incident change they announce
 *   device_history    health attribute series per CI (SMART counters, ...)
 *   state             small named values: the kmsg cursor, engine state
 *
 * The schema is versioned (PRAGMA user_version) and migrated forward on
 * open.  A database that cannot be opened or fails its integrity check is
 * moved aside ("storguard.db.corrupt-<time>") and a fresh one started:
 * never a crash loop.
 */

#include <stdbool.h>
#include <stdint.h>

#include "macro.h"
#include "time-util.h"

typedef struct Store Store;

#define STORE_FILENAME "storguard.db"
#define STORE_SCHEMA_VERSION 2

typedef enum StoreSync {
        STORE_SYNC_NORMAL, /* WAL + NORMAL: survives a process crash, may lose the last commits on power loss */
        STORE_SYNC_FULL,   /* WAL + FULL: every commit survives power loss */
        _STORE_SYNC_MAX,
        _STORE_SYNC_INVALID = -EINVAL,
} StoreSync;

const char *store_sync_to_string(StoreSync s) _const_;
StoreSync store_sync_from_string(const char *s) _pure_;

/* store_open() - open (create, migrate) dir/storguard.db.
 * @ret_recreated: set to true when a corrupt database was moved aside.
 * Return: 0, or -errno when even a fresh database cannot be made (the
 * directory is missing or read-only: the caller goes on without a store). */
int store_open(const char *dir, StoreSync sync, Store **ret, bool *ret_recreated);
Store *store_close(Store *s);
DEFINE_POINTER_CLEANUP_FUNC(Store, store_close);

/* store_path() - the database file name. */
const char *store_path(const Store *s) _pure_;
int store_schema_version(Store *s);

/* Transactions: nested calls are not supported; every write below that
 * must be atomic with another happens between begin and commit. */
int store_begin(Store *s);
int store_commit(Store *s);
void store_rollback(Store *s);

/* state: small named values. Return: 0, -ENOENT if absent, -errno. */
int store_state_get(Store *s, const char *key, char **ret);
int store_state_set(Store *s, const char *key, const char *value);

typedef struct StoreIncident {
        const char *id;
        const char *dedup_key;
        const char *status;   /* open, mitigated, resolved, closed */
        int priority;         /* 1 (highest) .. 5 */
        uint64_t seq;         /* number of the last change */
        usec_t created_usec;
        usec_t updated_usec;
        const char *json;     /* the whole record */
} StoreIncident;

/* store_incident_put() - insert or replace an incident row. */
int store_incident_put(Store *s, const StoreIncident *i);
/* store_incident_event_add() - one change of an incident. */
int store_incident_event_add(Store *s, const char *incident_id, uint64_t seq, usec_t time_usec, const char *type,
                             const char *json);

typedef int (*StoreIncidentFn)(const StoreIncident *i, void *userdata);
/* store_incident_foreach() - every incident (only_active: open or
 * mitigated), oldest first.  The callback's negative return stops the walk
 * and is returned. */
int store_incident_foreach(Store *s, bool only_active, StoreIncidentFn fn, void *userdata);
/* store_incident_count() - how many incidents the store holds. */
int store_incident_count(Store *s, uint64_t *ret);

typedef enum OutboxState {
        OUTBOX_PENDING,
        OUTBOX_DELIVERED,
        OUTBOX_DEAD,
        _OUTBOX_STATE_MAX,
        _OUTBOX_STATE_INVALID = -EINVAL,
} OutboxState;

const char *outbox_state_to_string(OutboxState s) _const_;
OutboxState outbox_state_from_string(const char *s) _pure_;

typedef struct OutboxEntry {
        int64_t rowid;
        const char *event_id;    /* "<incident id>.<seq>": stable across retries */
        const char *incident_id;
        uint64_t seq;
        const char *endpoint;    /* which receiver */
        const char *payload;     /* JSON */
        OutboxState state;
        unsigned attempts;
        usec_t created_usec;
        usec_t next_attempt_usec;
        const char *last_error;
        usec_t attempted_usec;   /* last attempt (0: never) */
        usec_t delivered_usec;   /* 0 unless delivered */
        usec_t queued_usec;      /* (re)entered the queue: created, or re-queued by the operator */
} OutboxEntry;

/* store_outbox_add() - queue an event for one endpoint. Return: 0, -EEXIST
 * if that event id is already queued for that endpoint. */
int store_outbox_add(Store *s, const OutboxEntry *e);
typedef int (*StoreOutboxFn)(const OutboxEntry *e, void *userdata);
/* store_outbox_foreach() - entries in the given state, in queue order. */
int store_outbox_foreach(Store *s, OutboxState state, StoreOutboxFn fn, void *userdata);
int store_outbox_update(Store *s, int64_t rowid, OutboxState state, unsigned attempts, usec_t next_attempt_usec,
                        const char *last_error);
int store_outbox_count(Store *s, OutboxState state, uint64_t *ret);

/* The notifier's queries.  A "lane" is one endpoint and one incident:
 * events of a lane are delivered one after the other, in rowid order (the
 * order of the incident's changes); lanes go in parallel.  Rows these
 * return to fn for lanes carry an empty payload: fetch it with
 * store_outbox_get() when it is sent. */

/* store_outbox_get() - one row, payload included.  Return: 0, -ENOENT. */
int store_outbox_get(Store *s, int64_t rowid, StoreOutboxFn fn, void *userdata);
/* store_outbox_foreach_lane_head() - the oldest pending row of every lane. */
int store_outbox_foreach_lane_head(Store *s, StoreOutboxFn fn, void *userdata);
/* store_outbox_lane_next() - the oldest pending row of one lane.
 * Return: 0 after fn ran, -ENOENT when the lane is empty. */
int store_outbox_lane_next(Store *s, const char *endpoint, const char *incident_id, StoreOutboxFn fn,
                           void *userdata);
/* store_outbox_foreach_since() - pending rows added after after_rowid. */
int store_outbox_foreach_since(Store *s, int64_t after_rowid, StoreOutboxFn fn, void *userdata);
int store_outbox_max_rowid(Store *s, int64_t *ret);
/* store_outbox_attempted() - the outcome of an attempt at attempt_usec
 * (also the delivery time when state is OUTBOX_DELIVERED). */
int store_outbox_attempted(Store *s, int64_t rowid, OutboxState state, unsigned attempts, usec_t next_attempt_usec,
                           const char *last_error, usec_t attempt_usec);
/* store_outbox_requeue_dead() - dead letters of endpoint (NULL: of every
 * endpoint) back to pending, due now, with a fresh maximum age.
 * Return: how many, or -errno. */
int store_outbox_requeue_dead(Store *s, const char *endpoint, usec_t now_usec);
/* store_outbox_prune_delivered() - drop delivered rows delivered before
 * before_usec.  Return: how many, or -errno. */
int store_outbox_prune_delivered(Store *s, usec_t before_usec);

typedef struct OutboxStats {
        const char *endpoint;
        uint64_t pending, delivered, dead;
        usec_t last_delivered_usec;   /* 0: never */
        const char *last_error;       /* of the most recent failed attempt, NULL: none */
        usec_t last_error_usec;
        usec_t oldest_pending_usec;   /* created_usec of the oldest pending row, 0: none */
} OutboxStats;
typedef int (*StoreOutboxStatsFn)(const OutboxStats *x, void *userdata);
/* store_outbox_endpoint_stats() - one OutboxStats per endpoint that has rows. */
int store_outbox_endpoint_stats(Store *s, StoreOutboxStatsFn fn, void *userdata);

/* Device health history. */
int store_history_add(Store *s, const char *ci_id, const char *attribute, usec_t time_usec, double value);
typedef int (*StoreHistoryFn)(usec_t time_usec, double value, void *userdata);
int store_history_foreach(Store *s, const char *ci_id, const char *attribute, StoreHistoryFn fn, void *userdata);
/* store_history_prune() - drop samples older than before_usec, and beyond
 * max_rows per (CI, attribute) keep only the newest.  Return: rows removed. */
int store_history_prune(Store *s, usec_t before_usec, unsigned max_rows);

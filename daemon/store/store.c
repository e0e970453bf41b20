/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "alloc-util.h"
#include "fileio.h"
#include "log.h"
#include "store.h"
#include "string-table.h"
#include "string-util.h"

struct Store {
        sqlite3 *db;
        char *path;
};

static const char *const store_sync_table[_STORE_SYNC_MAX] = {
        [STORE_SYNC_NORMAL] = "normal",
        [STORE_SYNC_FULL] = "full",
};
DEFINE_STRING_TABLE_LOOKUP(store_sync, StoreSync);

static const char *const outbox_state_table[_OUTBOX_STATE_MAX] = {
        [OUTBOX_PENDING] = "pending",
        [OUTBOX_DELIVERED] = "delivered",
        [OUTBOX_DEAD] = "dead",
};
DEFINE_STRING_TABLE_LOOKUP(outbox_state, OutboxState);

/* Migrations: migrations[i] takes the schema from version i to i + 1.
 * Append only; never edit a step that has shipped. */
static const char *const migrations[] = {
        /* 0 -> 1 */
        "CREATE TABLE incidents ("
        "  id TEXT PRIMARY KEY,"
        "  dedup_key TEXT NOT NULL,"
        "  status TEXT NOT NULL,"
        "  priority INTEGER NOT NULL,"
        "  seq INTEGER NOT NULL,"
        "  created_usec INTEGER NOT NULL,"
        "  updated_usec INTEGER NOT NULL,"
        "  data TEXT NOT NULL"
        ");"
        "CREATE INDEX incidents_status ON incidents(status);"
        "CREATE INDEX incidents_dedup ON incidents(dedup_key);"
        "CREATE TABLE incident_events ("
        "  incident_id TEXT NOT NULL,"
        "  seq INTEGER NOT NULL,"
        "  time_usec INTEGER NOT NULL,"
        "  type TEXT NOT NULL,"
        "  data TEXT NOT NULL,"
        "  PRIMARY KEY (incident_id, seq)"
        ");"
        "CREATE TABLE outbox ("
        "  rowid INTEGER PRIMARY KEY AUTOINCREMENT,"
        "  event_id TEXT NOT NULL,"
        "  incident_id TEXT NOT NULL,"
        "  seq INTEGER NOT NULL,"
        "  endpoint TEXT NOT NULL,"
        "  payload TEXT NOT NULL,"
        "  state TEXT NOT NULL DEFAULT 'pending',"
        "  attempts INTEGER NOT NULL DEFAULT 0,"
        "  created_usec INTEGER NOT NULL,"
        "  next_attempt_usec INTEGER NOT NULL,"
        "  last_error TEXT,"
        "  UNIQUE (event_id, endpoint)"
        ");"
        "CREATE INDEX outbox_state ON outbox(state, rowid);"
        "CREATE TABLE device_history ("
        "  ci_id TEXT NOT NULL,"
        "  attribute TEXT NOT NULL,"
        "  time_usec INTEGER NOT NULL,"
        "  value REAL NOT NULL,"
        "  PRIMARY KEY (ci_id, attribute, time_usec)"
        ") WITHOUT ROWID;"
        "CREATE TABLE state ("
        "  key TEXT PRIMARY KEY,"
        "  value TEXT NOT NULL"
        ");",
        /* 1 -> 2: the webhook notifier.  When each row was last attempted,
         * delivered and (re)queued (MaxAgeSec= counts from queued_usec, so a
         * dead letter re-queued by the operator gets a fresh life), and an
         * index for "the oldest pending event of this endpoint and
         * incident" (order is kept per incident). */
        "ALTER TABLE outbox ADD COLUMN attempted_usec INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE outbox ADD COLUMN delivered_usec INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE outbox ADD COLUMN queued_usec INTEGER NOT NULL DEFAULT 0;"
        "UPDATE outbox SET queued_usec = created_usec;"
        "CREATE INDEX outbox_lane ON outbox(endpoint, incident_id, state, rowid);",
};

static int errno_from_sqlite(int rc) {
        switch (rc & 0xff) {
        case SQLITE_OK:
        case SQLITE_DONE:
        case SQLITE_ROW:
                return 0;
        case SQLITE_NOMEM:
                return -ENOMEM;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return -EBUSY;
        case SQLITE_READONLY:
                return -EROFS;
        case SQLITE_FULL:
                return -ENOSPC;
        case SQLITE_CANTOPEN:
                return -EACCES;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
                return -EBADMSG;
        case SQLITE_CONSTRAINT:
                return -EEXIST;
        case SQLITE_IOERR:
                return -EIO;
        case SQLITE_TOOBIG:
                return -E2BIG;
        default:
                return -EIO;
        }
}

static int exec(Store *s, const char *sql) {
        char *err = NULL;
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, &err);

        if (rc != SQLITE_OK) {
                log_debug("SQLite '%s' on '%s': %s", sql, s->path, err ?: sqlite3_errstr(rc));
                sqlite3_free(err);
                return errno_from_sqlite(rc);
        }
        return 0;
}

static void finalizep(sqlite3_stmt **st) {
        if (*st)
                sqlite3_finalize(*st);
}
#define _cleanup_finalize_ _cleanup_(finalizep)

static int prepare(Store *s, const char *sql, sqlite3_stmt **ret) {
        int rc = sqlite3_prepare_v2(s->db, sql, -1, ret, NULL);

        if (rc != SQLITE_OK) {
                log_debug("SQLite cannot prepare '%s' on '%s': %s", sql, s->path, sqlite3_errmsg(s->db));
                return errno_from_sqlite(rc);
        }
        return 0;
}

static int step_done(Store *s, sqlite3_stmt *st) {
        int rc = sqlite3_step(st);

        if (rc != SQLITE_DONE) {
                log_debug("SQLite step on '%s': %s", s->path, sqlite3_errmsg(s->db));
                return errno_from_sqlite(rc);
        }
        return 0;
}

int store_schema_version(Store *s) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        r = prepare(s, "PRAGMA user_version;", &st);
        if (r < 0)
                return r;
        if (sqlite3_step(st) != SQLITE_ROW)
                return errno_from_sqlite(sqlite3_errcode(s->db));
        return sqlite3_column_int(st, 0);
}

static int migrate(Store *s) {
        int v, r;

        v = store_schema_version(s);
        if (v < 0)
                return v;
        if (v > (int) ELEMENTSOF(migrations)) {
                log_error("Database '%s' has schema version %d, newer than this storguard knows (%zu).", s->path, v,
                          ELEMENTSOF(migrations));
                return -EPROTONOSUPPORT;
        }
        for (; v < (int) ELEMENTSOF(migrations); v++) {
                char pragma[64];

                r = exec(s, "BEGIN IMMEDIATE;");
                if (r < 0)
                        return r;
                snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d;", v + 1);
                r = exec(s, migrations[v]);
                if (r >= 0)
                        r = exec(s, pragma);
                if (r >= 0)
                        r = exec(s, "COMMIT;");
                if (r < 0) {
                        (void) exec(s, "ROLLBACK;");
                        return r;
                }
                log_debug("Migrated '%s' to schema version %d.", s->path, v + 1);
        }
        return 0;
}

static int check_integrity(Store *s) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        const unsigned char *t;
        int r;

        /* quick_check is O(N) but skips index/content cross-checks: a few
         * milliseconds for a database of this size, once at start. */
        r = prepare(s, "PRAGMA quick_check;", &st);
        if (r < 0)
                return r;
        if (sqlite3_step(st) != SQLITE_ROW)
                return errno_from_sqlite(sqlite3_errcode(s->db));
        t = sqlite3_column_text(st, 0);
        if (!t || strcmp((const char *) t, "ok") != 0) {
                log_debug("Integrity check of '%s' failed: %s", s->path, t ? (const char *) t : "?");
                return -EBADMSG;
        }
        return 0;
}

static int open_db(const char *path, StoreSync sync, Store *s) {
        char pragma[64];
        int rc, r;

        rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW, NULL);
        if (rc != SQLITE_OK)
                return errno_from_sqlite(rc);
        (void) sqlite3_extended_result_codes(s->db, 1);
        (void) sqlite3_busy_timeout(s->db, 5000);

        r = check_integrity(s);
        if (r < 0)
                return r;
        if ((r = exec(s, "PRAGMA journal_mode = WAL;")) < 0)
                return r;
        snprintf(pragma, sizeof(pragma), "PRAGMA synchronous = %s;", sync == STORE_SYNC_FULL ? "FULL" : "NORMAL");
        if ((r = exec(s, pragma)) < 0 || (r = exec(s, "PRAGMA foreign_keys = ON;")) < 0)
                return r;
        return migrate(s);
}

static void close_db(Store *s) {
        if (s->db)
                (void) sqlite3_close_v2(s->db);
        s->db = NULL;
}

static int move_aside(const char *path) {
        static const char *const suffixes[] = { "", "-wal", "-shm" };
        char stamp[32];
        int r = 0;

        snprintf(stamp, sizeof(stamp), "%llu", (unsigned long long) (now(CLOCK_REALTIME) / USEC_PER_SEC));
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                _cleanup_free_ char *from = NULL, *to = NULL;

                if (asprintf(&from, "%s%s", path, suffixes[i]) < 0 ||
                    asprintf(&to, "%s.corrupt-%s%s", path, stamp, suffixes[i]) < 0)
                        return -ENOMEM;
                if (rename(from, to) < 0 && errno != ENOENT && r == 0)
                        r = -errno;
        }
        return r;
}

int store_open(const char *dir, StoreSync sync, Store **ret, bool *ret_recreated) {
        _cleanup_(store_closep) Store *s = NULL;
        bool recreated = false;
        int r;

        assert(dir);
        assert(ret);

        s = new0(Store, 1);
        if (!s)
                return -ENOMEM;
        s->path = path_join(dir, STORE_FILENAME);
        if (!s->path)
                return -ENOMEM;

        r = open_db(s->path, sync, s);
        if (r == -EBADMSG || r == -EPROTONOSUPPORT) {
                int k;

                close_db(s);
                log_error("Database '%s' is %s: moving it aside and starting a fresh one.", s->path,
                          r == -EBADMSG ? "corrupt or not a database" : "from a newer storguard");
                k = move_aside(s->path);
                if (k < 0)
                        return log_error_errno(k, "Failed to move '%s' aside: %m", s->path);
                recreated = true;
                r = open_db(s->path, sync, s);
        }
        if (r < 0)
                return r;

        if (ret_recreated)
                *ret_recreated = recreated;
        *ret = TAKE_PTR(s);
        return 0;
}

Store *store_close(Store *s) {
        if (!s)
                return NULL;
        close_db(s);
        free(s->path);
        return mfree(s);
}

const char *store_path(const Store *s) {
        return s->path;
}

int store_begin(Store *s) {
        return exec(s, "BEGIN IMMEDIATE;");
}

int store_commit(Store *s) {
        int r = exec(s, "COMMIT;");

        if (r < 0)
                store_rollback(s);
        return r;
}

void store_rollback(Store *s) {
        if (!sqlite3_get_autocommit(s->db))
                (void) exec(s, "ROLLBACK;");
}

int store_state_get(Store *s, const char *key, char **ret) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        const unsigned char *v;
        int r, rc;

        r = prepare(s, "SELECT value FROM state WHERE key = ?1;", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return errno_from_sqlite(rc);
        v = sqlite3_column_text(st, 0);
        *ret = strdup(v ? (const char *) v : "");
        return *ret ? 0 : -ENOMEM;
}

int store_state_set(Store *s, const char *key, const char *value) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        r = prepare(s, "INSERT INTO state(key, value) VALUES (?1, ?2) "
                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value;", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
        return step_done(s, st);
}

int store_incident_put(Store *s, const StoreIncident *i) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        r = prepare(s, "INSERT INTO incidents(id, dedup_key, status, priority, seq, created_usec, updated_usec, data) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(id) DO UPDATE SET "
                       "dedup_key = excluded.dedup_key, status = excluded.status, priority = excluded.priority, "
                       "seq = excluded.seq, updated_usec = excluded.updated_usec, data = excluded.data;", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, i->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, i->dedup_key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, i->status, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, i->priority);
        sqlite3_bind_int64(st, 5, (sqlite3_int64) i->seq);
        sqlite3_bind_int64(st, 6, (sqlite3_int64) i->created_usec);
        sqlite3_bind_int64(st, 7, (sqlite3_int64) i->updated_usec);
        sqlite3_bind_text(st, 8, i->json, -1, SQLITE_STATIC);
        return step_done(s, st);
}

int store_incident_event_add(Store *s, const char *incident_id, uint64_t seq, usec_t time_usec, const char *type,
                             const char *json) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        r = prepare(s, "INSERT INTO incident_events(incident_id, seq, time_usec, type, data) "
                       "VALUES (?1, ?2, ?3, ?4, ?5);", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (sqlite3_int64) seq);
        sqlite3_bind_int64(st, 3, (sqlite3_int64) time_usec);
        sqlite3_bind_text(st, 4, type, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, json, -1, SQLITE_STATIC);
        return step_done(s, st);
}

static const char *col_text(sqlite3_stmt *st, int i) {
        const unsigned char *t = sqlite3_column_text(st, i);
        return t ? (const char *) t : NULL;
}

int store_incident_foreach(Store *s, bool only_active, StoreIncidentFn fn, void *userdata) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = prepare(s, only_active
                               ? "SELECT id, dedup_key, status, priority, seq, created_usec, updated_usec, data FROM incidents "
                                 "WHERE status IN ('open', 'mitigated') ORDER BY created_usec, id;"
                               : "SELECT id, dedup_key, status, priority, seq, created_usec, updated_usec, data FROM incidents "
                                 "ORDER BY created_usec, id;",
                    &st);
        if (r < 0)
                return r;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                StoreIncident i = {
                        .id = col_text(st, 0),
                        .dedup_key = col_text(st, 1),
                        .status = col_text(st, 2),
                        .priority = sqlite3_column_int(st, 3),
                        .seq = (uint64_t) sqlite3_column_int64(st, 4),
                        .created_usec = (usec_t) sqlite3_column_int64(st, 5),
                        .updated_usec = (usec_t) sqlite3_column_int64(st, 6),
                        .json = col_text(st, 7),
                };
                if (!i.id || !i.dedup_key || !i.status || !i.json)
                        return -EBADMSG;
                r = fn(&i, userdata);
                if (r < 0)
                        return r;
        }
        return rc == SQLITE_DONE ? 0 : errno_from_sqlite(rc);
}

static int count(Store *s, const char *sql, const char *arg, uint64_t *ret) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = prepare(s, sql, &st);
        if (r < 0)
                return r;
        if (arg)
                sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
                /* No row (SQLITE_DONE maps to 0): never success with *ret unset. */
                r = errno_from_sqlite(rc);
                return r < 0 ? r : -ENODATA;
        }
        *ret = (uint64_t) sqlite3_column_int64(st, 0);
        return 0;
}

int store_incident_count(Store *s, uint64_t *ret) {
        return count(s, "SELECT count(*) FROM incidents;", NULL, ret);
}

int store_outbox_add(Store *s, const OutboxEntry *e) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        r = prepare(s, "INSERT INTO outbox(event_id, incident_id, seq, endpoint, payload, state, attempts, "
                       "created_usec, next_attempt_usec, queued_usec) VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6, ?7, ?6);", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, e->event_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, e->incident_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64) e->seq);
        sqlite3_bind_text(st, 4, e->endpoint, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, e->payload, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, (sqlite3_int64) e->created_usec);
        sqlite3_bind_int64(st, 7, (sqlite3_int64) e->next_attempt_usec);
        return step_done(s, st);
}

#define OUTBOX_COLUMNS                                                                     \
        "rowid, event_id, incident_id, seq, endpoint, payload, attempts, created_usec, "   \
        "next_attempt_usec, last_error, state, attempted_usec, delivered_usec, queued_usec"

/* outbox_walk() - run fn on every row st yields (st selects OUTBOX_COLUMNS).
 * Return: the number of rows, or -errno. */
static int outbox_walk(Store *s, sqlite3_stmt *st, StoreOutboxFn fn, void *userdata) {
        int r, rc, n = 0;

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                OutboxEntry e = {
                        .rowid = sqlite3_column_int64(st, 0),
                        .event_id = col_text(st, 1),
                        .incident_id = col_text(st, 2),
                        .seq = (uint64_t) sqlite3_column_int64(st, 3),
                        .endpoint = col_text(st, 4),
                        .payload = col_text(st, 5),
                        .state = outbox_state_from_string(col_text(st, 10)),
                        .attempts = (unsigned) sqlite3_column_int(st, 6),
                        .created_usec = (usec_t) sqlite3_column_int64(st, 7),
                        .next_attempt_usec = (usec_t) sqlite3_column_int64(st, 8),
                        .last_error = col_text(st, 9),
                        .attempted_usec = (usec_t) sqlite3_column_int64(st, 11),
                        .delivered_usec = (usec_t) sqlite3_column_int64(st, 12),
                        .queued_usec = (usec_t) sqlite3_column_int64(st, 13),
                };
                if (!e.event_id || !e.incident_id || !e.endpoint || !e.payload || e.state < 0)
                        return -EBADMSG;
                r = fn(&e, userdata);
                if (r < 0)
                        return r;
                n++;
        }
        return rc == SQLITE_DONE ? n : errno_from_sqlite(rc);
}

int store_outbox_foreach(Store *s, OutboxState state, StoreOutboxFn fn, void *userdata) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        r = prepare(s, "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE state = ?1 ORDER BY rowid;", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, outbox_state_to_string(state), -1, SQLITE_STATIC);
        r = outbox_walk(s, st, fn, userdata);
        return MIN(r, 0);
}

int store_outbox_get(Store *s, int64_t rowid, StoreOutboxFn fn, void *userdata) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        r = prepare(s, "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE rowid = ?1;", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, rowid);
        r = outbox_walk(s, st, fn, userdata);
        return r == 0 ? -ENOENT : MIN(r, 0);
}

int store_outbox_foreach_lane_head(Store *s, StoreOutboxFn fn, void *userdata) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        /* SQLite takes the bare columns of an aggregate query with min()
         * from the row that holds the minimum: one row per lane, its oldest. */
        r = prepare(s, "SELECT min(rowid) AS rowid, event_id, incident_id, seq, endpoint, '' AS payload, attempts, "
                       "created_usec, next_attempt_usec, last_error, state, attempted_usec, delivered_usec, queued_usec "
                       "FROM outbox WHERE state = 'pending' GROUP BY endpoint, incident_id ORDER BY rowid;", &st);
        if (r < 0)
                return r;
        r = outbox_walk(s, st, fn, userdata);
        return MIN(r, 0);
}

int store_outbox_lane_next(Store *s, const char *endpoint, const char *incident_id, StoreOutboxFn fn,
                           void *userdata) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        r = prepare(s, "SELECT rowid, event_id, incident_id, seq, endpoint, '' AS payload, attempts, created_usec, "
                       "next_attempt_usec, last_error, state, attempted_usec, delivered_usec, queued_usec "
                       "FROM outbox WHERE endpoint = ?1 AND incident_id = ?2 AND state = 'pending' "
                       "ORDER BY rowid LIMIT 1;", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, endpoint, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, incident_id, -1, SQLITE_STATIC);
        r = outbox_walk(s, st, fn, userdata);
        return r == 0 ? -ENOENT : MIN(r, 0);
}

int store_outbox_foreach_since(Store *s, int64_t after_rowid, StoreOutboxFn fn, void *userdata) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        r = prepare(s, "SELECT rowid, event_id, incident_id, seq, endpoint, '' AS payload, attempts, created_usec, "
                       "next_attempt_usec, last_error, state, attempted_usec, delivered_usec, queued_usec "
                       "FROM outbox WHERE rowid > ?1 AND state = 'pending' ORDER BY rowid;", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, after_rowid);
        r = outbox_walk(s, st, fn, userdata);
        return MIN(r, 0);
}

int store_outbox_attempted(Store *s, int64_t rowid, OutboxState state, unsigned attempts, usec_t next_attempt_usec,
                           const char *last_error, usec_t attempt_usec) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        r = prepare(s, "UPDATE outbox SET state = ?2, attempts = ?3, next_attempt_usec = ?4, last_error = ?5, "
                       "attempted_usec = ?6, delivered_usec = CASE WHEN ?2 = 'delivered' THEN ?6 ELSE delivered_usec END "
                       "WHERE rowid = ?1;", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, rowid);
        sqlite3_bind_text(st, 2, outbox_state_to_string(state), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, (int) attempts);
        sqlite3_bind_int64(st, 4, (sqlite3_int64) next_attempt_usec);
        if (last_error)
                sqlite3_bind_text(st, 5, last_error, -1, SQLITE_STATIC);
        else
                sqlite3_bind_null(st, 5);
        sqlite3_bind_int64(st, 6, (sqlite3_int64) attempt_usec);
        r = step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) == 1 ? 0 : -ENOENT;
}

int store_outbox_requeue_dead(Store *s, const char *endpoint, usec_t now_usec) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        /* attempts and last_error stay: they tell the story of the row. */
        r = prepare(s, "UPDATE outbox SET state = 'pending', next_attempt_usec = ?2, queued_usec = ?2 "
                       "WHERE state = 'dead' AND (?1 IS NULL OR endpoint = ?1);", &st);
        if (r < 0)
                return r;
        if (endpoint)
                sqlite3_bind_text(st, 1, endpoint, -1, SQLITE_STATIC);
        else
                sqlite3_bind_null(st, 1);
        sqlite3_bind_int64(st, 2, (sqlite3_int64) now_usec);
        r = step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db);
}

int store_outbox_endpoint_stats(Store *s, StoreOutboxStatsFn fn, void *userdata) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = prepare(s, "SELECT endpoint, "
                       "  sum(state = 'pending'), sum(state = 'delivered'), sum(state = 'dead'), "
                       "  max(delivered_usec), "
                       "  (SELECT last_error FROM outbox i WHERE i.endpoint = o.endpoint AND i.last_error IS NOT NULL "
                       "     ORDER BY attempted_usec DESC, rowid DESC LIMIT 1), "
                       "  (SELECT attempted_usec FROM outbox i WHERE i.endpoint = o.endpoint AND i.last_error IS NOT NULL "
                       "     ORDER BY attempted_usec DESC, rowid DESC LIMIT 1), "
                       "  min(CASE WHEN state = 'pending' THEN created_usec END) "
                       "FROM outbox o GROUP BY endpoint ORDER BY endpoint;", &st);
        if (r < 0)
                return r;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                OutboxStats x = {
                        .endpoint = col_text(st, 0),
                        .pending = (uint64_t) sqlite3_column_int64(st, 1),
                        .delivered = (uint64_t) sqlite3_column_int64(st, 2),
                        .dead = (uint64_t) sqlite3_column_int64(st, 3),
                        .last_delivered_usec = (usec_t) sqlite3_column_int64(st, 4),
                        .last_error = col_text(st, 5),
                        .last_error_usec = (usec_t) sqlite3_column_int64(st, 6),
                        .oldest_pending_usec = (usec_t) sqlite3_column_int64(st, 7),
                };
                if (!x.endpoint)
                        return -EBADMSG;
                r = fn(&x, userdata);
                if (r < 0)
                        return r;
        }
        return rc == SQLITE_DONE ? 0 : errno_from_sqlite(rc);
}

int store_outbox_max_rowid(Store *s, int64_t *ret) {
        uint64_t v;
        int r;

        r = count(s, "SELECT coalesce(max(rowid), 0) FROM outbox;", NULL, &v);
        if (r < 0)
                return r;
        *ret = (int64_t) v;
        return 0;
}

int store_outbox_prune_delivered(Store *s, usec_t before_usec) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        r = prepare(s, "DELETE FROM outbox WHERE state = 'delivered' AND delivered_usec < ?1;", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (sqlite3_int64) before_usec);
        r = step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db);
}

int store_outbox_update(Store *s, int64_t rowid, OutboxState state, unsigned attempts, usec_t next_attempt_usec,
                        const char *last_error) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        r = prepare(s, "UPDATE outbox SET state = ?2, attempts = ?3, next_attempt_usec = ?4, last_error = ?5 "
                       "WHERE rowid = ?1;", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, rowid);
        sqlite3_bind_text(st, 2, outbox_state_to_string(state), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, (int) attempts);
        sqlite3_bind_int64(st, 4, (sqlite3_int64) next_attempt_usec);
        if (last_error)
                sqlite3_bind_text(st, 5, last_error, -1, SQLITE_STATIC);
        else
                sqlite3_bind_null(st, 5);
        r = step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) == 1 ? 0 : -ENOENT;
}

int store_outbox_count(Store *s, OutboxState state, uint64_t *ret) {
        return count(s, "SELECT count(*) FROM outbox WHERE state = ?1;", outbox_state_to_string(state), ret);
}

int store_history_add(Store *s, const char *ci_id, const char *attribute, usec_t time_usec, double value) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        r = prepare(s, "INSERT OR REPLACE INTO device_history(ci_id, attribute, time_usec, value) "
                       "VALUES (?1, ?2, ?3, ?4);", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, ci_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, attribute, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64) time_usec);
        sqlite3_bind_double(st, 4, value);
        return step_done(s, st);
}

int store_history_foreach(Store *s, const char *ci_id, const char *attribute, StoreHistoryFn fn, void *userdata) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = prepare(s, "SELECT time_usec, value FROM device_history WHERE ci_id = ?1 AND attribute = ?2 "
                       "ORDER BY time_usec;", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, ci_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, attribute, -1, SQLITE_STATIC);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                r = fn((usec_t) sqlite3_column_int64(st, 0), sqlite3_column_double(st, 1), userdata);
                if (r < 0)
                        return r;
        }
        return rc == SQLITE_DONE ? 0 : errno_from_sqlite(rc);
}

int store_history_prune(Store *s, usec_t before_usec, unsigned max_rows) {
        _cleanup_finalize_ sqlite3_stmt *a = NULL, *b = NULL;
        int r, removed;

        r = prepare(s, "DELETE FROM device_history WHERE time_usec < ?1;", &a);
        if (r < 0)
                return r;
        sqlite3_bind_int64(a, 1, (sqlite3_int64) before_usec);
        r = step_done(s, a);
        if (r < 0)
                return r;
        removed = sqlite3_changes(s->db);
        if (max_rows == 0)
                return removed;

        r = prepare(s, "DELETE FROM device_history WHERE (ci_id, attribute, time_usec) IN ("
                       "  SELECT ci_id, attribute, time_usec FROM ("
                       "    SELECT ci_id, attribute, time_usec, row_number() OVER ("
                       "      PARTITION BY ci_id, attribute ORDER BY time_usec DESC) AS n FROM device_history)"
                       "  WHERE n > ?1);", &b);
        if (r < 0)
                return r;
        sqlite3_bind_int(b, 1, (int) max_rows);
        r = step_done(s, b);
        if (r < 0)
                return r;
        return removed + sqlite3_changes(s->db);
}

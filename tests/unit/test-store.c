/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SQLite store: schema and migration, every table's operations, a
 * corrupt or newer database moved aside, and crash consistency under
 * SIGKILL at random points of a loop of transactions. */

#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <sqlite3.h>

#include "test-helpers.h"

#include "alloc-util.h"
#include "fd-util.h"
#include "store.h"
#include "string-util.h"

typedef struct Fixture {
        char *dir;
        Store *store;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));

        f->dir = scratch_dir();
        log_set_max_level(LOG_WARNING);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        store_close(f->store);
        rm_rf(f->dir);
        free(f->dir);
        free(f);
        return 0;
}

static void test_fresh_schema_and_state(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *v = NULL;
        bool recreated = true;

        assert_int_equal(store_open(f->dir, STORE_SYNC_FULL, &f->store, &recreated), 0);
        assert_false(recreated);
        assert_int_equal(store_schema_version(f->store), STORE_SCHEMA_VERSION);
        assert_int_equal(store_state_get(f->store, "kmsg.cursor", &v), -ENOENT);
        assert_int_equal(store_state_set(f->store, "kmsg.cursor", "1234"), 0);
        assert_int_equal(store_state_set(f->store, "kmsg.cursor", "1240"), 0);
        assert_int_equal(store_state_get(f->store, "kmsg.cursor", &v), 0);
        assert_string_equal(v, "1240");

        /* Reopening keeps everything and does not migrate again. */
        f->store = store_close(f->store);
        free(v);
        v = NULL;
        assert_int_equal(store_open(f->dir, STORE_SYNC_NORMAL, &f->store, NULL), 0);
        assert_int_equal(store_state_get(f->store, "kmsg.cursor", &v), 0);
        assert_string_equal(v, "1240");
}

typedef struct Collected {
        unsigned n;
        char ids[8][64];
        uint64_t seq[8];
        int64_t rowid[8];
} Collected;

static int collect_incident(const StoreIncident *i, void *userdata) {
        Collected *c = userdata;

        assert_true(c->n < 8);
        snprintf(c->ids[c->n], sizeof(c->ids[0]), "%s", i->id);
        c->seq[c->n++] = i->seq;
        return 0;
}

static int collect_outbox(const OutboxEntry *e, void *userdata) {
        Collected *c = userdata;

        assert_true(c->n < 8);
        snprintf(c->ids[c->n], sizeof(c->ids[0]), "%s", e->event_id);
        c->rowid[c->n] = e->rowid;
        c->seq[c->n++] = e->seq;
        return 0;
}

static void test_incidents_and_outbox(void **state) {
        Fixture *f = *state;
        Collected c = {};
        uint64_t n;
        StoreIncident a = { .id = "h1-1", .dedup_key = "md.member.faulty:wwn-0x1", .status = "open", .priority = 2,
                            .seq = 1, .created_usec = 10, .updated_usec = 10, .json = "{\"id\":\"h1-1\"}" };
        StoreIncident b = { .id = "h1-2", .dedup_key = "ctrl:pci-0000:03:00.0", .status = "open", .priority = 1,
                            .seq = 1, .created_usec = 20, .updated_usec = 20, .json = "{}" };
        OutboxEntry e = { .event_id = "h1-1.1", .incident_id = "h1-1", .seq = 1, .endpoint = "sms",
                          .payload = "{}", .created_usec = 10, .next_attempt_usec = 10 };

        assert_int_equal(store_open(f->dir, STORE_SYNC_FULL, &f->store, NULL), 0);
        assert_int_equal(store_begin(f->store), 0);
        assert_int_equal(store_incident_put(f->store, &a), 0);
        assert_int_equal(store_incident_event_add(f->store, "h1-1", 1, 10, "raised", "{}"), 0);
        assert_int_equal(store_outbox_add(f->store, &e), 0);
        assert_int_equal(store_commit(f->store), 0);
        assert_int_equal(store_incident_put(f->store, &b), 0);

        /* The same event for the same endpoint is refused; for another
         * endpoint it is a separate delivery. */
        assert_int_equal(store_outbox_add(f->store, &e), -EEXIST);
        e.endpoint = "pagerduty";
        assert_int_equal(store_outbox_add(f->store, &e), 0);

        /* Update in place: resolved incidents drop out of the active list. */
        a.status = "resolved";
        a.seq = 2;
        assert_int_equal(store_incident_put(f->store, &a), 0);
        assert_int_equal(store_incident_foreach(f->store, true, collect_incident, &c), 0);
        assert_int_equal(c.n, 1);
        assert_string_equal(c.ids[0], "h1-2");
        c = (Collected) {};
        assert_int_equal(store_incident_foreach(f->store, false, collect_incident, &c), 0);
        assert_int_equal(c.n, 2);
        assert_string_equal(c.ids[0], "h1-1");
        assert_int_equal(c.seq[0], 2);
        assert_int_equal(store_incident_count(f->store, &n), 0);
        assert_int_equal(n, 2);

        c = (Collected) {};
        assert_int_equal(store_outbox_foreach(f->store, OUTBOX_PENDING, collect_outbox, &c), 0);
        assert_int_equal(c.n, 2);
        assert_int_equal(store_outbox_update(f->store, c.rowid[0], OUTBOX_DELIVERED, 1, 0, NULL), 0);
        assert_int_equal(store_outbox_update(f->store, c.rowid[1], OUTBOX_DEAD, 7, 0, "HTTP 404: no such hook"), 0);
        assert_int_equal(store_outbox_update(f->store, 99999, OUTBOX_DEAD, 1, 0, NULL), -ENOENT);
        assert_int_equal(store_outbox_count(f->store, OUTBOX_PENDING, &n), 0);
        assert_int_equal(n, 0);
        assert_int_equal(store_outbox_count(f->store, OUTBOX_DEAD, &n), 0);
        assert_int_equal(n, 1);

        /* A rolled-back transaction leaves nothing. */
        assert_int_equal(store_begin(f->store), 0);
        b.id = "h1-3";
        assert_int_equal(store_incident_put(f->store, &b), 0);
        store_rollback(f->store);
        assert_int_equal(store_incident_count(f->store, &n), 0);
        assert_int_equal(n, 2);
}

typedef struct Series {
        unsigned n;
        double last;
} Series;

static int collect_history(usec_t t, double v, void *userdata) {
        Series *s = userdata;

        s->n++;
        s->last = v;
        return 0;
}

static void test_history_and_retention(void **state) {
        Fixture *f = *state;
        Series s = {};

        assert_int_equal(store_open(f->dir, STORE_SYNC_NORMAL, &f->store, NULL), 0);
        assert_int_equal(store_begin(f->store), 0);
        for (unsigned i = 1; i <= 100; i++) {
                assert_int_equal(store_history_add(f->store, "wwn-0x1", "smart.5.raw", i * USEC_PER_DAY, i), 0);
                assert_int_equal(store_history_add(f->store, "wwn-0x2", "smart.5.raw", i * USEC_PER_DAY, 0), 0);
        }
        assert_int_equal(store_commit(f->store), 0);
        /* Older than day 11 goes (10 x 2 rows); then at most 50 per series. */
        assert_int_equal(store_history_prune(f->store, 11 * USEC_PER_DAY, 50), 20 + 2 * 40);
        assert_int_equal(store_history_foreach(f->store, "wwn-0x1", "smart.5.raw", collect_history, &s), 0);
        assert_int_equal(s.n, 50);
        assert_true(s.last == 100.0);
}

static void write_bytes(const char *path, const char *bytes, size_t n) {
        FILE *fp = fopen(path, "we");

        assert_non_null(fp);
        assert_int_equal(fwrite(bytes, 1, n, fp), n);
        assert_int_equal(fclose(fp), 0);
}

static unsigned count_aside(const char *dir) {
        _cleanup_closedir_ DIR *d = opendir(dir);
        struct dirent *de;
        unsigned n = 0;

        assert_non_null(d);
        while ((de = readdir(d)))
                if (strstr(de->d_name, STORE_FILENAME ".corrupt-") && !endswith(de->d_name, "-wal") &&
                    !endswith(de->d_name, "-shm"))
                        n++;
        return n;
}

/* Garbage where the database should be: moved aside, a fresh one made. */
static void test_corrupt_moved_aside(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *p = NULL;
        char junk[8192];
        bool recreated = false;

        for (size_t i = 0; i < sizeof(junk); i++)
                junk[i] = (char) (i * 7 + 3);
        assert_true(asprintf(&p, "%s/" STORE_FILENAME, f->dir) > 0);
        write_bytes(p, junk, sizeof(junk));

        assert_int_equal(store_open(f->dir, STORE_SYNC_FULL, &f->store, &recreated), 0);
        assert_true(recreated);
        assert_int_equal(count_aside(f->dir), 1);
        assert_int_equal(store_state_set(f->store, "k", "v"), 0);
}

/* A valid database whose pages were damaged after the fact. */
static void test_damaged_pages_moved_aside(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *p = NULL;
        bool recreated = false;
        FILE *fp;

        assert_int_equal(store_open(f->dir, STORE_SYNC_FULL, &f->store, NULL), 0);
        assert_int_equal(store_begin(f->store), 0);
        for (unsigned i = 0; i < 2000; i++) {
                char id[32];
                snprintf(id, sizeof(id), "x-%u", i);
                assert_int_equal(store_state_set(f->store, id, "a fairly long value to fill several pages ......"), 0);
        }
        assert_int_equal(store_commit(f->store), 0);
        f->store = store_close(f->store); /* checkpoints the WAL into the file */

        assert_true(asprintf(&p, "%s/" STORE_FILENAME, f->dir) > 0);
        fp = fopen(p, "r+e");
        assert_non_null(fp);
        /* Over the b-tree page headers of pages 2-4 (pages are 4 KiB; page
         * 1 holds the file header, which we leave alone). */
        assert_int_equal(fseek(fp, 4096, SEEK_SET), 0);
        for (int i = 0; i < 3 * 4096; i++)
                fputc(0xA5, fp);
        assert_int_equal(fclose(fp), 0);

        assert_int_equal(store_open(f->dir, STORE_SYNC_FULL, &f->store, &recreated), 0);
        assert_true(recreated);
        assert_int_equal(count_aside(f->dir), 1);
}

/* A database from an older storguard (schema 0: no tables, as the first
 * release's empty file) migrates; one from a newer storguard is moved
 * aside rather than misread. */
static void test_migration_and_newer(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *p = NULL;
        bool recreated = true;
        sqlite3 *db;

        assert_true(asprintf(&p, "%s/" STORE_FILENAME, f->dir) > 0);
        assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 0; CREATE TABLE unrelated(x);", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
        assert_int_equal(store_open(f->dir, STORE_SYNC_FULL, &f->store, &recreated), 0);
        assert_false(recreated);
        assert_int_equal(store_schema_version(f->store), STORE_SCHEMA_VERSION);
        f->store = store_close(f->store);

        assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99;", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
        assert_int_equal(store_open(f->dir, STORE_SYNC_FULL, &f->store, &recreated), 0);
        assert_true(recreated);
        assert_int_equal(store_schema_version(f->store), STORE_SCHEMA_VERSION);
}

/* The notifier's queries: lanes (endpoint, incident) and their heads, the
 * next row of a lane, new rows, attempts, dead letters re-queued, the
 * per-endpoint figures; and schema 1 -> 2 keeps a queued row. */
typedef struct Rows {
        int64_t rowid[16];
        char event[16][32];
        usec_t queued[16];
        size_t n;
} Rows;

static int collect_rows(const OutboxEntry *e, void *userdata) {
        Rows *c = userdata;

        assert_true(c->n < ELEMENTSOF(c->rowid));
        c->rowid[c->n] = e->rowid;
        snprintf(c->event[c->n], sizeof(c->event[c->n]), "%s@%s", e->event_id, e->endpoint);
        c->queued[c->n] = e->queued_usec;
        c->n++;
        return 0;
}

static int collect_stats(const OutboxStats *x, void *userdata) {
        OutboxStats *out = userdata;

        for (size_t k = 0; k < 2; k++)
                if (!out[k].endpoint) {
                        out[k] = *x;
                        out[k].endpoint = strdup(x->endpoint);
                        out[k].last_error = x->last_error ? strdup(x->last_error) : NULL;
                        return 0;
                }
        fail();
        return -EINVAL;
}

static void add_row(Store *s, const char *incident, uint64_t seq, const char *endpoint, usec_t t) {
        char id[64];
        OutboxEntry e = {
                .event_id = id, .incident_id = incident, .seq = seq, .endpoint = endpoint,
                .payload = "{}", .created_usec = t, .next_attempt_usec = t,
        };

        snprintf(id, sizeof(id), "%s.%" PRIu64, incident, seq);
        assert_int_equal(store_outbox_add(s, &e), 0);
}

static void test_outbox_lanes(void **state) {
        Fixture *f = *state;
        OutboxStats st[2] = {};
        int64_t max = -1;
        Rows c = {};

        assert_int_equal(store_open(f->dir, STORE_SYNC_NORMAL, &f->store, NULL), 0);
        assert_int_equal(store_outbox_max_rowid(f->store, &max), 0);
        assert_int_equal(max, 0);
        add_row(f->store, "h-1", 1, "a", 100);
        add_row(f->store, "h-1", 1, "b", 100);
        add_row(f->store, "h-2", 1, "a", 110);
        add_row(f->store, "h-1", 2, "a", 120);
        add_row(f->store, "h-1", 3, "a", 130);

        assert_int_equal(store_outbox_foreach_lane_head(f->store, collect_rows, &c), 0);
        assert_int_equal(c.n, 3);
        assert_string_equal(c.event[0], "h-1.1@a");
        assert_string_equal(c.event[1], "h-1.1@b");
        assert_string_equal(c.event[2], "h-2.1@a");

        /* h-1.1@a delivered: h-1.2 is the head of lane (a, h-1). */
        assert_int_equal(store_outbox_attempted(f->store, c.rowid[0], OUTBOX_DELIVERED, 1, 0, NULL, 200), 0);
        c = (Rows) {};
        assert_int_equal(store_outbox_lane_next(f->store, "a", "h-1", collect_rows, &c), 0);
        assert_string_equal(c.event[0], "h-1.2@a");
        assert_int_equal(store_outbox_attempted(f->store, c.rowid[0], OUTBOX_DEAD, 3, 0, "HTTP 400: bad", 300), 0);
        c = (Rows) {};
        assert_int_equal(store_outbox_lane_next(f->store, "a", "h-1", collect_rows, &c), 0);
        assert_string_equal(c.event[0], "h-1.3@a");
        assert_int_equal(store_outbox_lane_next(f->store, "c", "h-1", collect_rows, &c), -ENOENT);

        c = (Rows) {};
        assert_int_equal(store_outbox_foreach_since(f->store, 3, collect_rows, &c), 0);
        assert_int_equal(c.n, 1); /* row 4 is dead now */
        assert_string_equal(c.event[0], "h-1.3@a");
        assert_int_equal(store_outbox_max_rowid(f->store, &max), 0);
        assert_int_equal(max, 5);

        assert_int_equal(store_outbox_endpoint_stats(f->store, collect_stats, st), 0);
        assert_string_equal(st[0].endpoint, "a");
        assert_int_equal(st[0].pending, 2);
        assert_int_equal(st[0].delivered, 1);
        assert_int_equal(st[0].dead, 1);
        assert_int_equal(st[0].last_delivered_usec, 200);
        assert_string_equal(st[0].last_error, "HTTP 400: bad");
        assert_int_equal(st[0].last_error_usec, 300);
        assert_int_equal(st[0].oldest_pending_usec, 110);
        assert_string_equal(st[1].endpoint, "b");
        assert_int_equal(st[1].pending, 1);
        assert_null(st[1].last_error);
        for (size_t k = 0; k < 2; k++) {
                free((char *) st[k].endpoint);
                free((char *) st[k].last_error);
        }

        /* Re-queued with a fresh age; the error stays for the story. */
        assert_int_equal(store_outbox_requeue_dead(f->store, "b", 400), 0);
        assert_int_equal(store_outbox_requeue_dead(f->store, NULL, 400), 1);
        c = (Rows) {};
        assert_int_equal(store_outbox_get(f->store, 4, collect_rows, &c), 0);
        assert_int_equal(c.queued[0], 400);
        assert_int_equal(store_outbox_get(f->store, 42, collect_rows, &c), -ENOENT);

        assert_int_equal(store_outbox_prune_delivered(f->store, 150), 0);
        assert_int_equal(store_outbox_prune_delivered(f->store, 250), 1);
}

static void test_outbox_migration_1_to_2(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *p = NULL;
        sqlite3 *db;
        Rows c = {};

        assert_true(asprintf(&p, "%s/" STORE_FILENAME, f->dir) > 0);
        assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
        /* The outbox of schema 1, as it shipped. */
        assert_int_equal(sqlite3_exec(db,
                                      "CREATE TABLE outbox (rowid INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL,"
                                      " incident_id TEXT NOT NULL, seq INTEGER NOT NULL, endpoint TEXT NOT NULL,"
                                      " payload TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending',"
                                      " attempts INTEGER NOT NULL DEFAULT 0, created_usec INTEGER NOT NULL,"
                                      " next_attempt_usec INTEGER NOT NULL, last_error TEXT, UNIQUE (event_id, endpoint));"
                                      "INSERT INTO outbox(event_id, incident_id, seq, endpoint, payload, created_usec,"
                                      " next_attempt_usec) VALUES ('h-1.1', 'h-1', 1, 'a', '{}', 777, 777);"
                                      "PRAGMA user_version = 1;",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(db);
        assert_int_equal(store_open(f->dir, STORE_SYNC_FULL, &f->store, NULL), 0);
        assert_int_equal(store_schema_version(f->store), 2);
        assert_int_equal(store_outbox_foreach_lane_head(f->store, collect_rows, &c), 0);
        assert_int_equal(c.n, 1);
        assert_int_equal(c.queued[0], 777);
}

static void test_missing_directory(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *p = NULL;
        Store *s = NULL;

        assert_true(asprintf(&p, "%s/does/not/exist", f->dir) > 0);
        assert_true(store_open(p, STORE_SYNC_FULL, &s, NULL) < 0);
        assert_null(s);
}

/*
 * Crash consistency.  A child commits transactions in a loop, each one
 * changing an incident, adding its event and its outbox row, and reports
 * every commit on a pipe.  The parent SIGKILLs it after a random number of
 * reported commits (the child keeps writing meanwhile, so the kill lands
 * at a random point inside or between transactions), reopens the store
 * and checks: no commit reported is missing, and every incident's seq
 * equals its number of events and of outbox rows (nothing half-written).
 */
#define CRASH_ROUNDS 40
#define INCIDENTS 5

static _noreturn_ void crash_child(const char *dir, int fd, unsigned round) {
        Store *s = NULL;
        uint64_t seq[INCIDENTS] = {};
        Collected c = {};

        if (store_open(dir, STORE_SYNC_NORMAL, &s, NULL) < 0)
                _exit(2);
        /* Continue from what the store holds. */
        if (store_incident_foreach(s, false, collect_incident, &c) < 0)
                _exit(3);
        for (unsigned i = 0; i < c.n; i++)
                seq[c.ids[i][2] - '0'] = c.seq[i];

        for (uint64_t k = 0;; k++) {
                unsigned which = (unsigned) ((k * 7 + round) % INCIDENTS);
                char id[16], ev[48], json[64];
                uint64_t n = ++seq[which];
                StoreIncident inc = { .id = id, .dedup_key = id, .status = "open", .priority = 3, .seq = n,
                                      .created_usec = 1, .updated_usec = n, .json = json };
                OutboxEntry e = { .event_id = ev, .incident_id = id, .seq = n, .endpoint = "sms",
                                  .payload = json, .created_usec = n, .next_attempt_usec = n };

                snprintf(id, sizeof(id), "i-%u", which);
                snprintf(ev, sizeof(ev), "%s.%llu", id, (unsigned long long) n);
                snprintf(json, sizeof(json), "{\"seq\":%llu}", (unsigned long long) n);
                if (store_begin(s) < 0 || store_incident_put(s, &inc) < 0 ||
                    store_incident_event_add(s, id, n, n, "updated", json) < 0 || store_outbox_add(s, &e) < 0 ||
                    store_commit(s) < 0)
                        _exit(4);
                if (write(fd, "c", 1) != 1)
                        _exit(5);
        }
}

static void test_crash_consistency(void **state) {
        Fixture *f = *state;
        uint64_t acked_total = 0, transactions;
        unsigned seed = 12345;

        for (unsigned round = 0; round < CRASH_ROUNDS; round++) {
                int p[2], status;
                unsigned want = 1 + rand_r(&seed) % 200, got = 0;
                pid_t pid;

                assert_int_equal(pipe2(p, O_CLOEXEC), 0);
                pid = fork();
                assert_true(pid >= 0);
                if (pid == 0) {
                        close(p[0]);
                        crash_child(f->dir, p[1], round);
                }
                close(p[1]);
                while (got < want) {
                        char buf[256];
                        ssize_t n = read(p[0], buf, MIN(sizeof(buf), (size_t) (want - got)));
                        if (n <= 0)
                                fail_msg("crash child %u stopped early", round);
                        got += (unsigned) n;
                }
                assert_int_equal(kill(pid, SIGKILL), 0);
                assert_int_equal(waitpid(pid, &status, 0), pid);
                assert_true(WIFSIGNALED(status));
                /* Commits reported but not yet read from the pipe count too. */
                for (char b; read(p[0], &b, 1) == 1;)
                        got++;
                close(p[0]);
                acked_total += got;
        }

        assert_int_equal(store_open(f->dir, STORE_SYNC_NORMAL, &f->store, NULL), 0);
        {
                Collected c = {};
                uint64_t events = 0, outbox = 0, incidents_seq = 0;
                sqlite3 *db;
                sqlite3_stmt *st;
                _cleanup_free_ char *p = NULL;

                assert_int_equal(store_incident_foreach(f->store, false, collect_incident, &c), 0);
                assert_int_equal(c.n, INCIDENTS);
                for (unsigned i = 0; i < c.n; i++)
                        incidents_seq += c.seq[i];

                assert_true(asprintf(&p, "%s/" STORE_FILENAME, f->dir) > 0);
                assert_int_equal(sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
                /* Per incident: events 1..seq and outbox rows 1..seq, no gaps. */
                assert_int_equal(sqlite3_prepare_v2(db,
                        "SELECT i.id, i.seq, (SELECT count(*) FROM incident_events e WHERE e.incident_id = i.id),"
                        " (SELECT max(seq) FROM incident_events e WHERE e.incident_id = i.id),"
                        " (SELECT count(*) FROM outbox o WHERE o.incident_id = i.id) FROM incidents i;", -1, &st, NULL),
                        SQLITE_OK);
                while (sqlite3_step(st) == SQLITE_ROW) {
                        int64_t seq = sqlite3_column_int64(st, 1);
                        assert_int_equal(sqlite3_column_int64(st, 2), seq);
                        assert_int_equal(sqlite3_column_int64(st, 3), seq);
                        assert_int_equal(sqlite3_column_int64(st, 4), seq);
                        events += (uint64_t) sqlite3_column_int64(st, 2);
                        outbox += (uint64_t) sqlite3_column_int64(st, 4);
                }
                sqlite3_finalize(st);
                sqlite3_close(db);
                transactions = incidents_seq;
                assert_int_equal(events, transactions);
                assert_int_equal(outbox, transactions);
        }
        /* Nothing acknowledged was lost (more may have committed unreported). */
        assert_true(transactions >= acked_total);
        print_message("crash consistency: %u SIGKILLs, %llu transactions committed (%llu acknowledged), "
                      "none lost or torn\n", CRASH_ROUNDS, (unsigned long long) transactions,
                      (unsigned long long) acked_total);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_fresh_schema_and_state, setup, teardown),
                cmocka_unit_test_setup_teardown(test_incidents_and_outbox, setup, teardown),
                cmocka_unit_test_setup_teardown(test_outbox_lanes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_outbox_migration_1_to_2, setup, teardown),
                cmocka_unit_test_setup_teardown(test_history_and_retention, setup, teardown),
                cmocka_unit_test_setup_teardown(test_corrupt_moved_aside, setup, teardown),
                cmocka_unit_test_setup_teardown(test_damaged_pages_moved_aside, setup, teardown),
                cmocka_unit_test_setup_teardown(test_migration_and_newer, setup, teardown),
                cmocka_unit_test_setup_teardown(test_missing_directory, setup, teardown),
                cmocka_unit_test_setup_teardown(test_crash_consistency, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

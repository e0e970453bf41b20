/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The incident manager on a real SQLite store: one fault one incident,
 * reopen and close rules, ids that survive restarts, notifications written
 * in the same transaction, and catching up after the store refused writes. */

#include <sqlite3.h>

#include "test-helpers.h"

#include "alloc-util.h"
#include "incident-manager.h"
#include "string-util.h"

typedef struct Fixture {
        char *dir;
        Store *store;
        IncidentManager *m;
        unsigned changed;
        char last_event[32];
        int enqueue_error;   /* what the enqueue hook returns: a full disk, say */
        unsigned enqueued;
} Fixture;

static void on_changed(const Incident *i, const char *event_type, void *userdata) {
        Fixture *f = userdata;

        f->changed++;
        snprintf(f->last_event, sizeof(f->last_event), "%s", event_type);
}

/* Writes one outbox row per change, as the webhook does. */
static int on_enqueue(Store *s, const Incident *i, uint64_t seq, const char *event_type, usec_t now, void *userdata) {
        Fixture *f = userdata;
        char ev[160];

        if (f->enqueue_error < 0)
                return f->enqueue_error;
        snprintf(ev, sizeof(ev), "%s.%llu", i->id, (unsigned long long) seq);
        f->enqueued++;
        return store_outbox_add(s, &(OutboxEntry) { .event_id = ev, .incident_id = i->id, .seq = seq,
                                                    .endpoint = "test", .payload = event_type,
                                                    .created_usec = now, .next_attempt_usec = now });
}

static void open_manager(Fixture *f) {
        IncidentManagerHooks hooks = { .changed = on_changed, .enqueue = on_enqueue, .userdata = f };

        assert_int_equal(store_open(f->dir, STORE_SYNC_NORMAL, &f->store, NULL), 0);
        assert_int_equal(incident_manager_new("stor01", f->store, NULL, &hooks, &f->m), 0);
        assert_true(incident_manager_load(f->m) >= 0);
}

static void close_manager(Fixture *f) {
        f->m = incident_manager_free(f->m);
        f->store = store_close(f->store);
}

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));

        f->dir = scratch_dir();
        log_set_max_level(LOG_CRIT);
        open_manager(f);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        close_manager(f);
        rm_rf(f->dir);
        free(f->dir);
        free(f);
        return 0;
}

static IncidentInput member_fault(void) {
        return (IncidentInput) {
                .dedup_key = "disk.failed:wwn-0x5000c50000a00002",
                .title = "md0 member sdb failed (medium errors)",
                .category = INCIDENT_CATEGORY_DISK,
                .ci_id = "wwn-0x5000c50000a00002",
                .impact = IMPACT_REDUNDANCY_LOST,
                .urgency = URGENCY_HIGH,
                .confidence_percent = 90,
        };
}

static uint64_t count_rows(Fixture *f, const char *sql) {
        _cleanup_free_ char *p = NULL;
        sqlite3 *db;
        sqlite3_stmt *st;
        uint64_t n;

        assert_true(asprintf(&p, "%s/" STORE_FILENAME, f->dir) > 0);
        assert_int_equal(sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        n = (uint64_t) sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(db);
        return n;
}

static void test_one_fault_one_incident(void **state) {
        Fixture *f = *state;
        IncidentInput in = member_fault();
        Incident *a, *b, *c;

        assert_int_equal(incident_manager_report(f->m, &in, 1000, &a), 1);
        assert_string_equal(a->id, "stor01-000001");
        assert_int_equal(a->seq, 1);
        assert_int_equal(a->priority, 1);
        assert_true(a->major);
        assert_int_equal(a->stage_usec[STAGE_DETECTED], 1000);
        assert_string_equal(f->last_event, "raised");

        /* The same fault again: updated, not raised. */
        in.impact = IMPACT_DEGRADED; /* never lowers the classification */
        assert_int_equal(incident_manager_report(f->m, &in, 2000, &b), 0);
        assert_ptr_equal(a, b);
        assert_int_equal(b->occurrences, 2);
        assert_int_equal(b->seq, 2);
        assert_int_equal(b->impact, IMPACT_REDUNDANCY_LOST);
        assert_string_equal(f->last_event, "updated");

        /* Another fault: another incident. */
        in.dedup_key = "controller:pci-0000:00:04.0";
        in.category = INCIDENT_CATEGORY_CONTROLLER;
        assert_int_equal(incident_manager_report(f->m, &in, 3000, &c), 1);
        assert_string_equal(c->id, "stor01-000002");

        /* Every change: one incident row state, one event row, one outbox row. */
        assert_int_equal(count_rows(f, "SELECT count(*) FROM incidents"), 2);
        assert_int_equal(count_rows(f, "SELECT count(*) FROM incident_events"), 3);
        assert_int_equal(count_rows(f, "SELECT count(*) FROM outbox"), 3);
        assert_int_equal(count_rows(f, "SELECT seq FROM incidents WHERE id = 'stor01-000001'"), 2);
}

static void test_lifecycle_rules(void **state) {
        Fixture *f = *state;
        IncidentInput in = member_fault();
        Incident *a, *b;

        assert_int_equal(incident_manager_report(f->m, &in, 10, &a), 1);
        assert_int_equal(incident_manager_set_status(f->m, a->id, INCIDENT_MITIGATED, "member isolated", 20), 0);
        assert_int_equal(incident_manager_mark_stage(f->m, a->id, STAGE_REPAIRED, 30), 0);
        assert_int_equal(incident_manager_mark_stage(f->m, a->id, STAGE_RESTORED, 40), 0);
        assert_int_equal(incident_manager_set_status(f->m, a->id, INCIDENT_RESOLVED, NULL, 50), 0);
        assert_null(incident_manager_find_active(f->m, in.dedup_key));

        /* Resolved and seen again: the same incident reopens. */
        assert_int_equal(incident_manager_report(f->m, &in, 60, &b), 0);
        assert_ptr_equal(a, b);
        assert_int_equal(b->status, INCIDENT_OPEN);
        assert_string_equal(f->last_event, "reopened");
        assert_ptr_equal(incident_manager_find_active(f->m, in.dedup_key), b);

        /* Closed is final: the next occurrence is a new incident. */
        assert_int_equal(incident_manager_set_status(f->m, a->id, INCIDENT_RESOLVED, NULL, 70), 0);
        assert_int_equal(incident_manager_set_status(f->m, a->id, INCIDENT_CLOSED, "disk replaced", 80), 0);
        assert_int_equal(incident_manager_report(f->m, &in, 90, &b), 1);
        assert_ptr_not_equal(a, b);

        assert_int_equal(incident_manager_set_status(f->m, a->id, INCIDENT_OPEN, NULL, 100), -EPERM);
        assert_int_equal(incident_manager_acknowledge(f->m, "stor01-999999", "ops", NULL, 100), -ENOENT);
        assert_int_equal(incident_manager_acknowledge(f->m, b->id, "alice", "on it", 110), 0);
        assert_string_equal(b->acknowledged_by, "alice");
        assert_int_equal(incident_manager_add_action(f->m, b->id, "md.fail_member", b->ci_id, "dry-run",
                                                     "would fail sdb in md0", 120), 0);
        in.title = NULL;
        assert_int_equal(incident_manager_report(f->m, &in, 130, NULL), -EINVAL);
}

/* After a restart the same fault updates its incident; numbering goes on. */
static void test_restart(void **state) {
        Fixture *f = *state;
        IncidentInput in = member_fault();
        Incident *a, *b;
        uint64_t seq;

        assert_int_equal(incident_manager_report(f->m, &in, 10, &a), 1);
        assert_int_equal(incident_manager_add_action(f->m, a->id, "md.fail_member", a->ci_id, "enforce", "done", 20), 0);
        seq = a->seq;
        close_manager(f);

        open_manager(f);
        a = incident_manager_find_active(f->m, in.dedup_key);
        assert_non_null(a);
        assert_string_equal(a->id, "stor01-000001");
        assert_int_equal(a->seq, seq);
        assert_int_equal(a->n_actions, 1);
        assert_int_equal(incident_manager_report(f->m, &in, 30, &b), 0);
        assert_ptr_equal(a, b);
        in.dedup_key = "path.failed:x";
        assert_int_equal(incident_manager_report(f->m, &in, 40, &b), 1);
        assert_string_equal(b->id, "stor01-000002");
}

/* The store refuses writes (a full state directory): changes stay in
 * memory, in order, and are written when it works again. */
static void test_catch_up(void **state) {
        Fixture *f = *state;
        IncidentInput in = member_fault();
        Incident *a;

        f->enqueue_error = -ENOSPC;
        assert_int_equal(incident_manager_report(f->m, &in, 10, &a), 1);
        assert_int_equal(incident_manager_report(f->m, &in, 20, NULL), 0);
        assert_int_equal(incident_manager_acknowledge(f->m, a->id, "bob", NULL, 30), 0);
        assert_int_equal(incident_manager_unsaved(f->m), 3);
        assert_int_equal(f->changed, 3); /* still reported to D-Bus and the journal */
        assert_int_equal(count_rows(f, "SELECT count(*) FROM incidents"), 0);

        f->enqueue_error = 0;
        assert_int_equal(incident_manager_flush(f->m, 40), 0);
        assert_int_equal(incident_manager_unsaved(f->m), 0);
        assert_int_equal(count_rows(f, "SELECT count(*) FROM incident_events"), 3);
        assert_int_equal(count_rows(f, "SELECT count(*) FROM outbox"), 3);
        assert_int_equal(count_rows(f, "SELECT max(seq) FROM incident_events"), 3);
        assert_int_equal(count_rows(f, "SELECT count(*) FROM incidents WHERE data LIKE '%\"acknowledged_by\":\"bob\"%'"), 1);
}

/* Without a store (no state directory at all) everything still works. */
static void test_no_store(void **state) {
        _cleanup_(incident_manager_freep) IncidentManager *m = NULL;
        IncidentInput in = member_fault();
        Incident *a;

        assert_int_equal(incident_manager_new("h", NULL, NULL, NULL, &m), 0);
        assert_int_equal(incident_manager_load(m), 0);
        assert_int_equal(incident_manager_report(m, &in, 1, &a), 1);
        assert_string_equal(a->id, "h-000001");
        assert_int_equal(incident_manager_unsaved(m), 1);
}

/* No incident yet: the list is empty and NULL-terminated.  The order array
 * was never allocated then; copying from it was undefined (UBSan stopped
 * storguardd at its first ListIncidents under --enable-sanitizers). */
static void test_list_empty(void **state) {
        _cleanup_(incident_manager_freep) IncidentManager *m = NULL;
        _cleanup_free_ Incident **l = NULL;

        assert_int_equal(incident_manager_new("h", NULL, NULL, NULL, &m), 0);
        assert_int_equal(incident_manager_load(m), 0);
        assert_int_equal(incident_manager_list(m, &l), 0);
        assert_non_null(l);
        assert_null(l[0]);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_one_fault_one_incident, setup, teardown),
                cmocka_unit_test_setup_teardown(test_lifecycle_rules, setup, teardown),
                cmocka_unit_test_setup_teardown(test_restart, setup, teardown),
                cmocka_unit_test_setup_teardown(test_catch_up, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_store, setup, teardown),
                cmocka_unit_test(test_list_empty),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

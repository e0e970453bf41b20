/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The incident model: priority matrix, lifecycle transitions, stamps,
 * JSON round trip, and MTBF / MTRS / availability on timed tables. */

#include <math.h>

#include "test-helpers.h"

#include "alloc-util.h"
#include "incident.h"

#define H USEC_PER_HOUR
#define D USEC_PER_DAY

static void test_priority_matrix(void **state) {
        const PriorityMatrix *m = &priority_matrix_default;

        assert_int_equal(priority_from_matrix(m, IMPACT_SERVICE_DOWN, URGENCY_HIGH), 1);
        assert_int_equal(priority_from_matrix(m, IMPACT_REDUNDANCY_LOST, URGENCY_MEDIUM), 2);
        assert_int_equal(priority_from_matrix(m, IMPACT_DEGRADED, URGENCY_LOW), 4);
        assert_int_equal(priority_from_matrix(m, IMPACT_NONE_YET, URGENCY_LOW), 5);
        assert_int_equal(priority_from_matrix(m, _IMPACT_INVALID, URGENCY_LOW), 5);
        /* Priority never gets better as impact or urgency gets worse. */
        for (int i = 0; i < _IMPACT_MAX; i++)
                for (int u = 0; u < _URGENCY_MAX; u++) {
                        if (i > 0)
                                assert_true(m->p[i - 1][u] <= m->p[i][u]);
                        if (u > 0)
                                assert_true(m->p[i][u - 1] <= m->p[i][u]);
                }
        assert_true(incident_is_major(IMPACT_SERVICE_DOWN, true));
        assert_true(incident_is_major(IMPACT_REDUNDANCY_LOST, false));
        assert_false(incident_is_major(IMPACT_REDUNDANCY_LOST, true));
        assert_false(incident_is_major(IMPACT_DEGRADED, false));
}

static void test_transitions(void **state) {
        _cleanup_(incident_freep) Incident *i = incident_new();

        assert_int_equal(i->status, INCIDENT_OPEN);
        assert_int_equal(incident_transition(i, INCIDENT_CLOSED, 1), -EPERM);
        assert_int_equal(incident_transition(i, INCIDENT_MITIGATED, 2), 0);
        assert_int_equal(i->seq, 1);
        assert_int_equal(incident_transition(i, INCIDENT_MITIGATED, 3), 0);
        assert_int_equal(i->seq, 1); /* no change, no new event */
        assert_int_equal(incident_transition(i, INCIDENT_RESOLVED, 4), 0);
        assert_int_equal(i->resolved_usec, 4);
        /* The fault came back: reopened. */
        assert_int_equal(incident_transition(i, INCIDENT_OPEN, 5), 0);
        assert_int_equal(i->resolved_usec, 0);
        assert_int_equal(incident_transition(i, INCIDENT_RESOLVED, 6), 0);
        assert_int_equal(incident_transition(i, INCIDENT_CLOSED, 7), 0);
        assert_int_equal(i->closed_usec, 7);
        /* Closed is final, for transitions and acknowledgements alike. */
        assert_int_equal(incident_transition(i, INCIDENT_OPEN, 8), -EPERM);
        assert_int_equal(incident_acknowledge(i, "ops", 9), -EPERM);
        assert_int_equal(i->status, INCIDENT_CLOSED);
}

static void test_stages_and_actions(void **state) {
        _cleanup_(incident_freep) Incident *i = incident_new();

        assert_int_equal(incident_mark_stage(i, STAGE_DETECTED, 100), 1);
        assert_int_equal(incident_mark_stage(i, STAGE_DETECTED, 200), 0);
        assert_int_equal(i->stage_usec[STAGE_DETECTED], 100);
        assert_int_equal(incident_mark_stage(i, _STAGE_MAX, 1), -EINVAL);
        assert_int_equal(incident_acknowledge(i, "", 1), -EINVAL);
        assert_int_equal(incident_acknowledge(i, "alice", 300), 0);
        assert_string_equal(i->acknowledged_by, "alice");
        assert_int_equal(incident_add_action(i, 400, "md.fail_member", "wwn-0x1", "enforce", "done"), 0);
        assert_int_equal(incident_add_action(i, 401, "md.fail_member", "wwn-0x2", "enforce",
                                             "refused: last in-sync member of md0"), 0);
        assert_int_equal(i->n_actions, 2);
        assert_int_equal(incident_set_suspect(i, "pci-0000:03:00.0", 80), 0);
        assert_int_equal(incident_set_suspect(i, "pci-0000:03:00.0", 150), 0);
        assert_int_equal(i->n_suspects, 1);
        assert_int_equal(i->suspects[0].confidence_percent, 100);
        for (int k = 0; k < 40; k++)
                assert_int_equal(incident_add_evidence(i, json_object_new_int(k), 32), 0);
        assert_int_equal(json_object_array_length(i->evidence), 32);
        assert_int_equal(json_object_get_int(json_object_array_get_idx(i->evidence, 0)), 8);
}

static void test_json_round_trip(void **state) {
        _cleanup_(incident_freep) Incident *i = incident_new(), *j = NULL;
        json_object *o, *o2;

        i->id = strdup("stor01-000042");
        i->dedup_key = strdup("disk.media:wwn-0x5000c500a1b2c3d4");
        i->title = strdup("Disk sdb: unrecovered read errors; md0 lost redundancy");
        i->host = strdup("stor01");
        i->ci_id = strdup("wwn-0x5000c500a1b2c3d4");
        i->category = INCIDENT_CATEGORY_DISK;
        i->ci = json_object_new_object();
        json_object_object_add(i->ci, "serial", json_object_new_string("Z1Z0A001"));
        incident_set_classification(i, &priority_matrix_default, IMPACT_REDUNDANCY_LOST, URGENCY_HIGH);
        i->major = true;
        i->occurrences = 7;
        i->precursors = 3;
        incident_mark_stage(i, STAGE_DETECTED, 1000);
        incident_mark_stage(i, STAGE_DIAGNOSED, 1500);
        incident_add_action(i, 2000, "md.fail_member", "wwn-0x5000c500a1b2c3d4", "enforce", "done");
        incident_set_suspect(i, "wwn-0x5000c500a1b2c3d4", 90);
        incident_add_evidence(i, json_object_new_string("sd 2:0:0:0: [sdb] Sense Key : Medium Error"), 32);
        incident_transition(i, INCIDENT_MITIGATED, 2100);

        o = incident_to_json(i);
        assert_non_null(o);
        assert_int_equal(incident_from_json(o, &j), 0);
        o2 = incident_to_json(j);
        /* Everything survives, byte for byte. */
        assert_string_equal(json_object_to_json_string(o), json_object_to_json_string(o2));
        assert_int_equal(j->priority, 1);
        assert_int_equal(j->handling, HANDLING_URGENT);
        assert_int_equal(j->status, INCIDENT_MITIGATED);
        assert_int_equal(j->stage_usec[STAGE_DIAGNOSED], 1500);
        assert_int_equal(j->seq, i->seq);
        assert_string_equal(j->actions[0].result, "done");
        json_object_put(o);
        json_object_put(o2);
}

static void test_json_rejects_bad(void **state) {
        static const char *const bad[] = {
                "[]",
                "{\"id\":\"x\"}",
                "{\"id\":\"x\",\"dedup_key\":\"k\",\"category\":\"toaster\",\"impact\":\"degraded\","
                "\"urgency\":\"low\",\"status\":\"open\",\"handling\":\"normal\",\"priority\":4}",
                "{\"id\":\"x\",\"dedup_key\":\"k\",\"category\":\"disk\",\"impact\":\"degraded\","
                "\"urgency\":\"low\",\"status\":\"open\",\"handling\":\"normal\",\"priority\":9}",
                "{\"id\":\"x\",\"dedup_key\":\"k\",\"category\":\"disk\",\"impact\":\"degraded\","
                "\"urgency\":\"low\",\"status\":\"open\",\"handling\":\"normal\",\"priority\":4,"
                "\"suspects\":[{\"confidence_percent\":3}]}",
        };
        for (size_t k = 0; k < ELEMENTSOF(bad); k++) {
                json_object *o = json_tokener_parse(bad[k]);
                Incident *i = NULL;

                assert_non_null(o);
                assert_int_equal(incident_from_json(o, &i), -EBADMSG);
                assert_null(i);
                json_object_put(o);
        }
}

static Incident *timed(usec_t detected, usec_t restored, Impact impact) {
        Incident *i = incident_new();

        i->impact = impact;
        i->stage_usec[STAGE_DETECTED] = detected;
        i->stage_usec[STAGE_RESTORED] = restored;
        return i;
}

/* A 30-day window of one array: down 2 h on day 3, 4 h on day 10, a
 * precursor (no impact) on day 20, and an outage still open from day 29
 * 12:00 to the end of the window. */
static void test_figures(void **state) {
        Incident *list[] = {
                timed(3 * D, 3 * D + 2 * H, IMPACT_REDUNDANCY_LOST),
                timed(10 * D, 10 * D + 4 * H, IMPACT_SERVICE_DOWN),
                timed(20 * D, 0, IMPACT_NONE_YET),
                timed(29 * D + 12 * H, 0, IMPACT_REDUNDANCY_LOST),
        };
        IncidentFigures f;
        usec_t down = 2 * H + 4 * H + 12 * H;

        assert_int_equal(incident_figures((const Incident *const *) list, ELEMENTSOF(list), 0, 30 * D, NULL, &f), 0);
        assert_int_equal(f.failures, 3);
        assert_int_equal(f.downtime_usec, down);
        assert_int_equal(f.mtrs_usec, 3 * H);              /* (2 h + 4 h) / 2 restored */
        assert_int_equal(f.mtbf_usec, (30 * D - down) / 3);
        assert_true(fabs(f.availability_percent - 100.0 * (double) (30 * D - down) / (double) (30 * D)) < 1e-9);

        /* A window that starts in the middle of the first outage counts
         * only its tail, and not as a failure of that window. */
        assert_int_equal(incident_figures((const Incident *const *) list, 1, 3 * D + H, 4 * D, NULL, &f), 0);
        assert_int_equal(f.failures, 0);
        assert_int_equal(f.downtime_usec, H);
        assert_true(f.mtbf_usec == USEC_INFINITY);

        assert_int_equal(incident_figures((const Incident *const *) list, 0, 5, 5, NULL, &f), -EINVAL);
        for (size_t k = 0; k < ELEMENTSOF(list); k++)
                incident_free(list[k]);
}

static void test_quiet_expired(void **state) {
        _cleanup_(incident_freep) Incident *i = incident_new();

        i->dedup_key = strdup("disk.transport:wwn-0x1");
        i->updated_usec = 10 * D;
        assert_false(incident_quiet_expired(i, 7 * D, 16 * D));
        assert_true(incident_quiet_expired(i, 7 * D, 17 * D));
        assert_false(incident_quiet_expired(i, 0, 100 * D));   /* 0: never */
        i->status = INCIDENT_MITIGATED;                          /* only open ones */
        assert_false(incident_quiet_expired(i, 7 * D, 17 * D));
        i->status = INCIDENT_OPEN;
        free(i->dedup_key);
        i->dedup_key = strdup("disk.failed:wwn-0x1");            /* a state: its device resolves it */
        assert_false(incident_quiet_expired(i, 7 * D, 100 * D));
        free(i->dedup_key);
        i->dedup_key = strdup("controller:scsi-0000:03:00.0");
        assert_true(incident_quiet_expired(i, 7 * D, 100 * D));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_priority_matrix),
                cmocka_unit_test(test_transitions),
                cmocka_unit_test(test_stages_and_actions),
                cmocka_unit_test(test_json_round_trip),
                cmocka_unit_test(test_json_rejects_bad),
                cmocka_unit_test(test_figures),
                cmocka_unit_test(test_quiet_expired),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

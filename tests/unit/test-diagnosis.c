/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* daemon/diagnosis: SERD engines, controller correlation (the cascade of
 * CONTEXT.md), sibling-healthy disk faults, path flapping, precursors and
 * fail-slow, as tables of timed ereports with the faults they must give. */

#include "test-helpers.h"

#include "alloc-util.h"
#include "diagnosis.h"
#include "failslow.h"
#include "kmsg-fixture.h"
#include "kmsg.h"
#include "serd.h"
#include "string-util.h"

#define S USEC_PER_SEC
#define MIN_ USEC_PER_MINUTE
#define T0 (1700000000 * USEC_PER_SEC)

/* ---- SERD ---- */

static void test_serd(void **state) {
        SerdEngine e;

        serd_init(&e, (SerdParams) { 3, 10 * S });
        assert_false(serd_record(&e, 0));
        assert_false(serd_record(&e, 5 * S));
        assert_false(serd_record(&e, 11 * S)); /* 0..11 is wider than 10 s */
        assert_true(serd_record(&e, 12 * S));  /* 5, 11, 12 */
        assert_false(serd_record(&e, 13 * S)); /* fired once per burst */
        assert_int_equal(serd_count(&e, 13 * S), 3); /* it remembers the last n */
        assert_int_equal(serd_count(&e, 30 * S), 0);
        serd_reset(&e);
        assert_int_equal(serd_count(&e, 13 * S), 0);
        assert_false(serd_record(&e, 100 * S));
        assert_false(serd_record(&e, 50 * S)); /* out of order: counted as now */
        assert_true(serd_record(&e, 101 * S));

        serd_init(&e, (SerdParams) { 1, 0 });
        assert_true(serd_record(&e, 7));
        serd_init(&e, (SerdParams) { 1000, S });
        assert_int_equal(e.params.n, SERD_N_MAX);
}

/* ---- topology: two controllers, a RAID1 pair and others ---- */

typedef struct Dev {
        const char *name, *ci_id;
        CiType type;
        const char *controller, *array, *map;
} Dev;

static const Dev topology[] = {
        /* host0 (megaraid_sas in the perc5i log): six disks, md members on partitions */
        { "sda", "disk-sda", CI_DISK, "ctrl-host0", "md-2", NULL },
        { "sdb", "disk-sdb", CI_DISK, "ctrl-host0", "md-2", NULL },
        { "sdc", "disk-sdc", CI_DISK, "ctrl-host0", "md-2", NULL },
        { "sdc5", "disk-sdc", CI_DISK, "ctrl-host0", "md-2", NULL },
        { "sdd", "disk-sdd", CI_DISK, "ctrl-host0", "md-2", NULL },
        { "sde", "disk-sde", CI_DISK, "ctrl-host0", "md-2", NULL },
        { "sde5", "disk-sde", CI_DISK, "ctrl-host0", "md-2", NULL },
        { "sdf", "disk-sdf", CI_DISK, "ctrl-host0", "md-2", NULL },
        { "sdb1", "disk-sdb", CI_DISK, "ctrl-host0", "md-2", NULL },
        { "host0", "ctrl-host0", CI_CONTROLLER, NULL, NULL, NULL },
        /* multipath: two HBAs, one path each */
        { "65:0", "lun-a@hba1", CI_DISK, "ctrl-hba1", NULL, "mpath-a" },
        { "65:32", "lun-a@hba2", CI_DISK, "ctrl-hba2", NULL, "mpath-a" },
        { "mpt2sas3", "ctrl-mpt2sas3", CI_CONTROLLER, NULL, NULL, NULL },
        { "sdg", "disk-sdg", CI_DISK, "ctrl-host1", NULL, NULL },
        { "sdh", "disk-sdh", CI_DISK, "ctrl-host1", NULL, NULL },
};

static int lookup(void *userdata, const char *device, DiagNode *ret) {
        for (size_t i = 0; i < ELEMENTSOF(topology); i++)
                if (streq(topology[i].name, device)) {
                        *ret = (DiagNode) {
                                .ci_id = topology[i].ci_id,
                                .type = topology[i].type,
                                .name = topology[i].name,
                                .controller_id = topology[i].controller,
                                .array_id = topology[i].array,
                                .map_id = topology[i].map,
                        };
                        return 0;
                }
        return -ENOENT;
}

typedef struct Collected {
        Fault faults[16];
        size_t n;
} Collected;

static void collect(const Fault *f, void *userdata) {
        Collected *c = userdata;
        assert_true(c->n < ELEMENTSOF(c->faults));
        c->faults[c->n++] = *f;
}

typedef struct Timed {
        usec_t at; /* offset from T0 */
        EreportClass class;
        const char *device;
        uint64_t value;
} Timed;

static void feed(Diagnosis *d, const Timed *t, size_t n) {
        for (size_t i = 0; i < n; i++) {
                Ereport e;
                ereport_init(&e, t[i].class, "test", t[i].device, T0 + t[i].at);
                e.value = t[i].value;
                assert_int_equal(diagnosis_feed(d, &e, T0 + t[i].at), 0);
        }
}

static const Fault *find_fault(const Collected *c, FaultClass class, const char *suspect) {
        for (size_t i = 0; i < c->n; i++)
                if (c->faults[i].class == class && streq(c->faults[i].suspect, suspect))
                        return &c->faults[i];
        return NULL;
}

/* The real perc5i log: every disk behind host0 gets DID_NO_CONNECT within
 * a second, md fails two members.  Verdict: ONE controller fault, and the
 * two members md failed (facts: md2 lost redundancy), each raised after the
 * controller fault and saying its controller is suspect; no other disk
 * fault. */
static void test_cascade_real_log(void **state) {
        _cleanup_(diagnosis_freep) Diagnosis *d = NULL;
        Collected c = {};
        KmsgFixture f = {};
        const Fault *x;

        assert_int_equal(diagnosis_new(NULL, lookup, NULL, collect, &c, &d), 0);
        assert_int_equal(kmsg_fixture_load(TOP_SRCDIR "/tests/fixtures/kmsg/linux-raid-2019-perc5i-no-connect.dmesg", &f), 0);
        for (size_t i = 0; i < f.n; i++) {
                Ereport e[KMSG_EREPORTS_MAX];
                int k = kmsg_parse_line(f.records[i], f.lengths[i], T0, e);
                for (int j = 0; j < k; j++) {
                        int r = diagnosis_feed(d, &e[j], e[j].time_usec);
                        assert_true(r == 0 || r == -ENOENT); /* md2 itself is not in the table */
                }
        }
        kmsg_fixture_free(&f);
        /* Long after: nothing held back may come out as a disk fault. */
        diagnosis_tick(d, T0 + 16000 * S);
        diagnosis_tick(d, T0 + 90000 * S);

        assert_int_equal(c.n, 3);
        for (size_t i = 1; i < c.n; i++) {
                assert_int_equal(c.faults[i].class, FAULT_DISK_FAILED);
                assert_int_equal(c.faults[i].action, FAULT_ACTION_ISOLATE_MEMBER);
                assert_non_null(strstr(c.faults[i].reason, "its controller 'ctrl-host0' is suspect"));
        }
        assert_non_null(find_fault(&c, FAULT_DISK_FAILED, "disk-sdc"));
        assert_non_null(find_fault(&c, FAULT_DISK_FAILED, "disk-sde"));
        x = &c.faults[0];
        assert_int_equal(x->class, FAULT_CONTROLLER);
        assert_string_equal(x->suspect, "ctrl-host0");
        assert_int_equal(x->action, FAULT_ACTION_CHECK_CONTROLLER);
        assert_true(x->n_evidence > 0);
        assert_true(x->confidence_pct >= 75);
        assert_non_null(strstr(x->reason, "behind 'ctrl-host0'"));
        /* sdc and sde, the first two in trouble, are named as its symptoms */
        assert_true(x->n_symptoms >= 2);
        assert_string_equal(x->symptoms[0], "disk-sdc");
        assert_string_equal(x->symptoms[1], "disk-sde");
}

/* CONTEXT.md: one RAID1 member fails; an hour later the controller keeps
 * retrying and timeouts spread over every disk behind it.  Verdict: the
 * member's disk fault (when it was the only one in trouble) and then ONE
 * controller fault -- not a disk fault per disk. */
static void test_cascade_context(void **state) {
        static const Timed member_fails[] = {
                { 0, EREPORT_SCSI_SENSE_MEDIUM_ERROR, "sdb", 0 },
                { 2 * S, EREPORT_BLK_MEDIUM_ERROR, "sdb", 0 },
                { 4 * S, EREPORT_SCSI_SENSE_MEDIUM_ERROR, "sdb", 0 },
                { 5 * S, EREPORT_MD_MEMBER_FAULTY, "sdb1", 0 },
        };
        static const Timed spread[] = {
                /* the controller cannot detach sdb: retries, resets */
                { 3600 * S, EREPORT_SCSI_TIMEOUT, "sdb", 0 },
                { 3610 * S, EREPORT_SCSI_ABORT, "sdb", 0 },
                { 3620 * S, EREPORT_SCSI_TIMEOUT, "sdb", 0 },
                { 3630 * S, EREPORT_SCSI_DEVICE_RESET, "sdb", 0 },
                { 3640 * S, EREPORT_SCSI_TIMEOUT, "sdb", 0 },
                /* then the other disks slow down */
                { 3700 * S, EREPORT_SCSI_TIMEOUT, "sdc", 0 },
                { 3705 * S, EREPORT_BLK_LATENCY_OUTLIER, "sdd", 250000 },
                { 3710 * S, EREPORT_SCSI_TIMEOUT, "sde", 0 },
                { 3720 * S, EREPORT_SCSI_CMD_FAILED, "sdf", 3 /* DID_TIME_OUT */ },
                { 3730 * S, EREPORT_SCSI_TIMEOUT, "sdc", 0 },
                { 3740 * S, EREPORT_SCSI_TIMEOUT, "sda", 0 },
                { 3750 * S, EREPORT_SCSI_TIMEOUT, "sdc", 0 },
                { 3760 * S, EREPORT_SCSI_TIMEOUT, "sdc", 0 },
                { 3770 * S, EREPORT_SCSI_TIMEOUT, "sdc", 0 },
                { 3780 * S, EREPORT_SCSI_TIMEOUT, "sdd", 0 },
        };
        _cleanup_(diagnosis_freep) Diagnosis *d = NULL;
        Collected c = {};
        const Fault *x;

        assert_int_equal(diagnosis_new(NULL, lookup, NULL, collect, &c, &d), 0);
        /* Only sda is known as sdb's sibling at first. */
        feed(d, (Timed[]) { { 0, EREPORT_SCSI_SENSE_RECOVERED, "sda", 0 } }, 1);
        feed(d, member_fails, ELEMENTSOF(member_fails));
        assert_int_equal(c.n, 0); /* held back for correlation */
        assert_int_equal(diagnosis_next_deadline(d), T0 + 5 * S + DIAG_HOLD_USEC);
        assert_int_equal(diagnosis_tick(d, T0 + 5 * S + DIAG_HOLD_USEC), 1);
        assert_int_equal(c.n, 1);
        x = find_fault(&c, FAULT_DISK_FAILED, "disk-sdb");
        assert_non_null(x);
        assert_int_equal(x->action, FAULT_ACTION_ISOLATE_MEMBER);
        assert_non_null(strstr(x->reason, "siblings behind 'ctrl-host0' are healthy"));
        assert_int_equal(x->confidence_pct, 90);
        assert_int_equal(x->evidence[0].class, EREPORT_SCSI_SENSE_MEDIUM_ERROR);

        feed(d, spread, ELEMENTSOF(spread));
        diagnosis_tick(d, T0 + 4000 * S);
        diagnosis_tick(d, T0 + 9000 * S);

        assert_int_equal(c.n, 2);
        x = find_fault(&c, FAULT_CONTROLLER, "ctrl-host0");
        assert_non_null(x);
        assert_int_equal(x->action, FAULT_ACTION_CHECK_CONTROLLER);
        for (size_t i = 0; i < c.n; i++)
                assert_false(c.faults[i].class == FAULT_DISK_TRANSPORT);
}

/* The cascade as the VM lab plays it (tests/vmlab/scenarios/12): a member
 * fails while the storm is starting, before the controller is suspect (held
 * back), another once it is.  Verdict: the controller fault first, then
 * both member faults (not absorbed: md failed them), and none for the
 * timeouts and resets of the disks themselves. */
static void test_cascade_member_fails_in_storm(void **state) {
        static const Timed t[] = {
                { 0, EREPORT_SCSI_SENSE_RECOVERED, "sda", 0 },
                { 1 * S, EREPORT_SCSI_TIMEOUT, "sdc", 0 },
                { 1 * S, EREPORT_MD_MEMBER_FAULTY, "sdb1", 0 },
                { 2 * S, EREPORT_SCSI_TIMEOUT, "sdd", 0 }, /* two disks: the controller */
                { 3 * S, EREPORT_MD_MEMBER_FAULTY, "sde5", 0 },
                { 4 * S, EREPORT_SCSI_TIMEOUT, "sdc", 0 },
                { 5 * S, EREPORT_SCSI_DEVICE_RESET, "sdc", 0 },
                { 6 * S, EREPORT_SCSI_TIMEOUT, "sdc", 0 },
                { 7 * S, EREPORT_SCSI_TIMEOUT, "sdc", 0 }, /* sdc's own transport SERD fires */
                { 8 * S, EREPORT_SCSI_TIMEOUT, "sda", 0 },
                { 9 * S, EREPORT_SCSI_CMD_FAILED, "sdf", 3 /* DID_TIME_OUT */ },
        };
        _cleanup_(diagnosis_freep) Diagnosis *d = NULL;
        Collected c = {};
        const Fault *x;

        assert_int_equal(diagnosis_new(NULL, lookup, NULL, collect, &c, &d), 0);
        feed(d, t, 3);
        assert_int_equal(c.n, 0); /* sdb's failure waits: is it the controller? */
        feed(d, t + 3, 1);
        assert_int_equal(c.n, 2);
        assert_int_equal(c.faults[0].class, FAULT_CONTROLLER);
        x = &c.faults[1];
        assert_int_equal(x->class, FAULT_DISK_FAILED);
        assert_string_equal(x->suspect, "disk-sdb");
        assert_int_equal(x->action, FAULT_ACTION_ISOLATE_MEMBER);
        assert_non_null(strstr(x->reason, "md failed the member; its controller 'ctrl-host0' is suspect"));
        assert_int_equal(diagnosis_next_deadline(d), USEC_INFINITY); /* nothing left held back */
        /* Once the controller is suspect, a member failure is raised at once. */
        feed(d, t + 4, 1);
        assert_int_equal(c.n, 3);
        assert_non_null(find_fault(&c, FAULT_DISK_FAILED, "disk-sde"));
        feed(d, t + 5, ELEMENTSOF(t) - 5);
        diagnosis_tick(d, T0 + 10 * MIN_);
        assert_int_equal(c.n, 3);
        /* a repeat of md's verdict raises nothing new */
        feed(d, (Timed[]) { { 11 * MIN_, EREPORT_MD_MEMBER_FAULTY, "sdb1", 0 } }, 1);
        diagnosis_tick(d, T0 + 20 * MIN_);
        assert_int_equal(c.n, 3);
}

/* A RAID1 member with hard errors while its sibling on the same controller
 * is healthy: a disk fault, and the controller is never blamed. */
static void test_member_errors_sibling_healthy(void **state) {
        static const Timed t[] = {
                { 0, EREPORT_SCSI_SENSE_RECOVERED, "sda", 0 },
                { 10 * S, EREPORT_BLK_MEDIUM_ERROR, "sdb", 0 },
                { 30 * MIN_, EREPORT_BLK_MEDIUM_ERROR, "sdb", 0 },
                { 60 * MIN_, EREPORT_SCSI_SENSE_MEDIUM_ERROR, "sdb", 0 },
        };
        _cleanup_(diagnosis_freep) Diagnosis *d = NULL;
        Collected c = {};
        const Fault *x;

        assert_int_equal(diagnosis_new(NULL, lookup, NULL, collect, &c, &d), 0);
        feed(d, t, ELEMENTSOF(t));
        assert_int_equal(c.n, 0);
        diagnosis_tick(d, T0 + 70 * MIN_);
        assert_int_equal(c.n, 1);
        x = &c.faults[0];
        assert_int_equal(x->class, FAULT_DISK_MEDIA);
        assert_string_equal(x->suspect, "disk-sdb");
        assert_int_equal(x->action, FAULT_ACTION_ISOLATE_MEMBER);
        assert_int_equal(x->n_evidence, 3);
        assert_int_equal(x->confidence_pct, 90);
        /* a repeat does not raise a second fault */
        feed(d, (Timed[]) { { 71 * MIN_, EREPORT_BLK_MEDIUM_ERROR, "sdb", 0 } }, 1);
        diagnosis_tick(d, T0 + 200 * MIN_);
        assert_int_equal(c.n, 1);
        /* after repair it may */
        diagnosis_clear(d, "disk-sdb");
        feed(d, (Timed[]) { { 300 * MIN_, EREPORT_SCSI_PREDICTIVE_FAILURE, "sdb", 0 } }, 1);
        diagnosis_tick(d, T0 + 310 * MIN_);
        assert_int_equal(c.n, 2);
}

static void test_paths(void **state) {
        static const Timed t[] = {
                /* hba1's path flaps */
                { 0, EREPORT_MPATH_PATH_FAILED, "65:0", 0 },
                { 20 * S, EREPORT_MPATH_PATH_REINSTATED, "65:0", 0 },
                { 10 * MIN_, EREPORT_MPATH_PATH_FAILED, "65:0", 0 },
                { 10 * MIN_ + 20 * S, EREPORT_MPATH_PATH_REINSTATED, "65:0", 0 },
                { 20 * MIN_, EREPORT_MPATH_PATH_FAILED, "65:0", 0 },
                { 20 * MIN_ + 20 * S, EREPORT_MPATH_PATH_REINSTATED, "65:0", 0 },
                /* hba2's path fails for good */
                { 40 * MIN_, EREPORT_MPATH_PATH_FAILED, "65:32", 0 },
        };
        _cleanup_(diagnosis_freep) Diagnosis *d = NULL;
        Collected c = {};

        assert_int_equal(diagnosis_new(NULL, lookup, NULL, collect, &c, &d), 0);
        feed(d, t, ELEMENTSOF(t));
        diagnosis_tick(d, T0 + 42 * MIN_);
        assert_int_equal(c.n, 1);
        assert_non_null(find_fault(&c, FAULT_PATH_FLAPPING, "lun-a@hba1"));
        assert_int_equal(diagnosis_next_deadline(d), T0 + 45 * MIN_);
        diagnosis_tick(d, T0 + 46 * MIN_);
        assert_int_equal(c.n, 2);
        assert_non_null(find_fault(&c, FAULT_PATH_FAILED, "lun-a@hba2"));
        assert_null(find_fault(&c, FAULT_PATH_FAILED, "lun-a@hba1")); /* it came back each time */
}

static void test_precursors_and_host_resets(void **state) {
        Timed t[12];
        _cleanup_(diagnosis_freep) Diagnosis *d = NULL;
        Collected c = {};
        const Fault *x;

        assert_int_equal(diagnosis_new(NULL, lookup, NULL, collect, &c, &d), 0);
        for (size_t i = 0; i < 10; i++)
                t[i] = (Timed) { i * 5 * MIN_, EREPORT_SCSI_SENSE_RECOVERED, "sdg", 0 };
        feed(d, t, 9);
        diagnosis_tick(d, T0 + 60 * MIN_);
        assert_int_equal(c.n, 0); /* 9 in an hour: under the threshold */
        feed(d, t + 9, 1);
        diagnosis_tick(d, T0 + 50 * MIN_ + DIAG_HOLD_USEC);
        assert_int_equal(c.n, 1);
        x = &c.faults[0];
        assert_int_equal(x->class, FAULT_DISK_PRECURSORS);
        assert_int_equal(x->action, FAULT_ACTION_MONITOR);
        assert_int_equal(x->confidence_pct, 30);

        /* The mpt2sas3 escalation of tests/fixtures/kmsg/openzfs-704: abort,
         * device reset, target reset within minutes. */
        feed(d, (Timed[]) { { 100 * MIN_, EREPORT_SCSI_ABORT, "mpt2sas3", 0 },
                            { 100 * MIN_ + 17 * S, EREPORT_SCSI_DEVICE_RESET, "mpt2sas3", 0 },
                            { 100 * MIN_ + 35 * S, EREPORT_SCSI_TARGET_RESET, "mpt2sas3", 0 } },
             3);
        assert_int_equal(c.n, 2);
        assert_non_null(find_fault(&c, FAULT_CONTROLLER, "ctrl-mpt2sas3"));

        /* unknown devices are counted, not invented */
        Ereport e;
        ereport_init(&e, EREPORT_SCSI_TIMEOUT, "test", "sdzz", T0);
        assert_int_equal(diagnosis_feed(d, &e, T0 + 200 * MIN_), -ENOENT);
}

static void test_failslow(void **state) {
        /* 4 members, 5 windows; member 2 slows from window 2 on while doing
         * the same work; member 3 is slow only while it resyncs (3x work). */
        const FailSlowSample s[5][4] = {
                { { 4000, 100 }, { 4200, 110 }, { 4100, 105 }, { 4000, 100 } },
                { { 4000, 100 }, { 4200, 110 }, { 9000, 100 }, { 4000, 100 } },
                { { 4000, 100 }, { 4200, 110 }, { 30000, 95 }, { 40000, 400 } },
                { { 4000, 100 }, { 4200, 110 }, { 32000, 90 }, { 40000, 400 } },
                { { 4000, 100 }, { 4200, 110 }, { 35000, 92 }, { 40000, 400 } },
        };
        FailSlowVerdict v;
        FailSlowParams p;

        assert_int_equal(failslow_evaluate(&s[0][0], 4, 5, NULL, &v), 1);
        assert_int_equal(v.member, 2);
        assert_int_equal(v.windows, 3);
        assert_true(v.ratio > 8.0 && v.ratio < 9.0); /* 35000 / median(4000,4200,40000) */
        /* not yet with only two slow windows */
        assert_int_equal(failslow_evaluate(&s[0][0], 4, 4, NULL, &v), 0);
        /* a stricter ratio clears it */
        failslow_params_default(&p);
        p.ratio = 10.0;
        assert_int_equal(failslow_evaluate(&s[0][0], 4, 5, &p, &v), 0);
        assert_int_equal(failslow_evaluate(&s[0][0], 1, 5, NULL, &v), -EINVAL);

        /* A mirror: the one sibling is the peer; the fast one is not flagged. */
        {
                const FailSlowSample mirror[3][2] = {
                        { { 3000, 200 }, { 25000, 180 } },
                        { { 3100, 210 }, { 27000, 190 } },
                        { { 2900, 190 }, { 26000, 185 } },
                };
                assert_int_equal(failslow_evaluate(&mirror[0][0], 2, 3, NULL, &v), 1);
                assert_int_equal(v.member, 1);
                assert_true(v.ratio > 8.0);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_serd),
                cmocka_unit_test(test_cascade_real_log),
                cmocka_unit_test(test_cascade_context),
                cmocka_unit_test(test_cascade_member_fails_in_storm),
                cmocka_unit_test(test_member_errors_sibling_healthy),
                cmocka_unit_test(test_paths),
                cmocka_unit_test(test_precursors_and_host_resets),
                cmocka_unit_test(test_failslow),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* daemon/diagnosis: SERD engines, controller correlation (the cascade of
 * CONTEXT.md), sibling-healthy disk faults, path flapping, precursors and
 * fail-slow, as tables of timed ereports with the faults they must give. */

#include "test-helpers.h"

#include "alloc-util.h"
#include "diagnosis.h"
#include "failslow.h"
#include "fileio.h"
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
        /* ids as long as the daemon's (a controller node is named by its id) */
        { "sdi", "wwn-0x5000c500a1b2c3d4@pci-0000:03:00.0-sas-phy7-lun-0-with-a-long-path", CI_DISK,
          "controller-pci-0000:03:00.0-host7-with-a-long-name", NULL, NULL },
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

/* ---- a device the kernel took offline ---- */

/* The topology above, but the disks named in userdata (a NULL-ended list
 * of CI ids) were taken offline by storguard's own response. */
static int lookup_self_offlined(void *userdata, const char *device, DiagNode *ret) {
        const char *const *ours = userdata;
        int r = lookup(NULL, device, ret);

        for (size_t i = 0; r >= 0 && ours && ours[i]; i++)
                if (streq(ret->ci_id, ours[i]))
                        ret->offlined_by_us = true;
        return r;
}

typedef struct WantFault {
        FaultClass class;
        const char *suspect;
        FaultAction action;
} WantFault;

/* One offline ereport is a fault of its own (no SERD), held for the
 * correlation window like every disk fault; absorbed when its controller
 * turns out to be the suspect; a multipath path's offline is a path
 * matter; and the offline storguard did itself (scsi.offline) is no fault
 * and no transport evidence either. */
static void test_offline(void **state) {
        static const char *const ours[] = { "disk-sdg", NULL };
        static const struct {
                const char *name;
                Timed t[4];
                size_t n;
                const char *const *self_offlined;
                usec_t tick; /* offset from T0 */
                WantFault want[3];
                size_t n_want;
        } cases[] = {
                { "lone disk, sibling healthy",
                  { { 0, EREPORT_SCSI_DEVICE_OFFLINE, "sdg", 0 } }, 1, NULL, 2 * MIN_,
                  { { FAULT_DISK_OFFLINE, "disk-sdg", FAULT_ACTION_REPLACE_DISK } }, 1 },
                { "md member: isolate it",
                  { { 0, EREPORT_SCSI_DEVICE_OFFLINE, "sdc", 0 } }, 1, NULL, 2 * MIN_,
                  { { FAULT_DISK_OFFLINE, "disk-sdc", FAULT_ACTION_ISOLATE_MEMBER } }, 1 },
                { "repeats: one fault",
                  { { 0, EREPORT_SCSI_DEVICE_OFFLINE, "sdg", 0 },
                    { 1 * S, EREPORT_SCSI_DEVICE_OFFLINE, "sdg", 0 },
                    { 5 * MIN_, EREPORT_SCSI_DEVICE_OFFLINE, "sdg", 0 } }, 3, NULL, 10 * MIN_,
                  { { FAULT_DISK_OFFLINE, "disk-sdg", FAULT_ACTION_REPLACE_DISK } }, 1 },
                { "two disks behind one controller: the controller, the disks absorbed",
                  { { 0, EREPORT_SCSI_DEVICE_OFFLINE, "sda", 0 },
                    { 10 * S, EREPORT_SCSI_DEVICE_OFFLINE, "sdb", 0 } }, 2, NULL, 10 * MIN_,
                  { { FAULT_CONTROLLER, "ctrl-host0", FAULT_ACTION_CHECK_CONTROLLER } }, 1 },
                { "multipath path: no disk fault",
                  { { 0, EREPORT_SCSI_DEVICE_OFFLINE, "65:0", 0 } }, 1, NULL, 2 * MIN_,
                  {}, 0 },
                { "offlined by storguard itself: nothing",
                  { { 0, EREPORT_SCSI_DEVICE_OFFLINE, "sdg", 0 } }, 1, ours, 10 * MIN_,
                  {}, 0 },
                { "ours is not transport evidence: its sibling alone is a disk fault",
                  { { 0, EREPORT_SCSI_DEVICE_OFFLINE, "sdg", 0 },
                    { 10 * S, EREPORT_SCSI_DEVICE_OFFLINE, "sdh", 0 } }, 2, ours, 10 * MIN_,
                  { { FAULT_DISK_OFFLINE, "disk-sdh", FAULT_ACTION_REPLACE_DISK } }, 1 },
        };

        for (size_t k = 0; k < ELEMENTSOF(cases); k++) {
                _cleanup_(diagnosis_freep) Diagnosis *d = NULL;
                Collected c = {};

                print_message("case: %s\n", cases[k].name);
                assert_int_equal(diagnosis_new(NULL, lookup_self_offlined, (void *) cases[k].self_offlined, collect,
                                               &c, &d), 0);
                feed(d, cases[k].t, cases[k].n);
                /* held back for the correlation window, not raised at once */
                if (cases[k].n == 1)
                        assert_int_equal(c.n, 0);
                diagnosis_tick(d, T0 + cases[k].tick);
                assert_int_equal(c.n, cases[k].n_want);
                for (size_t w = 0; w < cases[k].n_want; w++) {
                        const Fault *x = find_fault(&c, cases[k].want[w].class, cases[k].want[w].suspect);
                        assert_non_null(x);
                        assert_int_equal(x->action, cases[k].want[w].action);
                }
        }
}

/* HoldSec=0: the offline disk is raised by the ereport itself. */
static void test_offline_no_hold(void **state) {
        _cleanup_(diagnosis_freep) Diagnosis *d = NULL;
        Collected c = {};
        DiagParams p;

        diag_params_default(&p);
        p.hold_usec = 0;
        assert_int_equal(diagnosis_new(&p, lookup, NULL, collect, &c, &d), 0);
        feed(d, (Timed[]) { { 0, EREPORT_SCSI_DEVICE_OFFLINE, "sdg", 0 } }, 1);
        assert_int_equal(diagnosis_tick(d, T0), 1);
        assert_int_equal(c.n, 1);
        assert_int_equal(c.faults[0].class, FAULT_DISK_OFFLINE);
        assert_string_equal(fault_class_to_string(FAULT_DISK_OFFLINE), "disk.offline");
        assert_int_equal(fault_class_from_string("disk.offline"), FAULT_DISK_OFFLINE);
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

/* 4 members, 5 windows; member 2 slows from window 2 on while doing the
 * same work; member 3 is slow only while it resyncs (3x work). */
static const FailSlowSample failslow_table[5][4] = {
        { { 4000, 100 }, { 4200, 110 }, { 4100, 105 }, { 4000, 100 } },
        { { 4000, 100 }, { 4200, 110 }, { 9000, 100 }, { 4000, 100 } },
        { { 4000, 100 }, { 4200, 110 }, { 30000, 95 }, { 40000, 400 } },
        { { 4000, 100 }, { 4200, 110 }, { 32000, 90 }, { 40000, 400 } },
        { { 4000, 100 }, { 4200, 110 }, { 35000, 92 }, { 40000, 400 } },
};

static void test_failslow(void **state) {
        const FailSlowSample (*s)[4] = failslow_table;
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


/* ---- the engines' state across a restart (diagnosis-snapshot.c) ---- */

#define TICK _EREPORT_CLASS_MAX /* a Timed entry that only lets time pass */

/* Every engine with partial evidence at some point: media SERD on a
 * member (its sibling quiet), transport SERD on a disk alone, link resets,
 * near misses, a controller's own escalations, a flapping path and a path
 * that stays failed, and a held-back disk fault absorbed by the controller
 * fault that correlation finds. */
static const Timed restart_table[] = {
        { 0, EREPORT_SCSI_SENSE_RECOVERED, "sda", 0 },
        { 0, EREPORT_SCSI_SENSE_RECOVERED, "sdh", 0 },
        { 10 * S, EREPORT_BLK_MEDIUM_ERROR, "sdb", 0 },
        { 20 * S, EREPORT_MPATH_PATH_FAILED, "65:0", 0 },
        { 40 * S, EREPORT_MPATH_PATH_REINSTATED, "65:0", 0 },
        { 1 * MIN_, EREPORT_SCSI_TIMEOUT, "sdg", 0 },
        { 2 * MIN_, EREPORT_SCSI_TIMEOUT, "sdg", 0 },
        { 3 * MIN_, EREPORT_SCSI_ABORT, "sdg", 0 },
        { 4 * MIN_, EREPORT_SCSI_TIMEOUT, "sdg", 0 },
        { 5 * MIN_, EREPORT_SCSI_DEVICE_RESET, "sdg", 0 },
        { 10 * MIN_, EREPORT_MPATH_PATH_FAILED, "65:0", 0 },
        { 10 * MIN_ + 20 * S, EREPORT_MPATH_PATH_REINSTATED, "65:0", 0 },
        { 20 * MIN_, EREPORT_MPATH_PATH_FAILED, "65:0", 0 },
        { 20 * MIN_ + 20 * S, EREPORT_MPATH_PATH_REINSTATED, "65:0", 0 },
        { 30 * MIN_, EREPORT_BLK_MEDIUM_ERROR, "sdb", 0 },
        { 40 * MIN_, EREPORT_MPATH_PATH_FAILED, "65:32", 0 },
        { 42 * MIN_, TICK, NULL, 0 },
        { 60 * MIN_, EREPORT_SCSI_SENSE_MEDIUM_ERROR, "sdb", 0 },
        { 70 * MIN_, TICK, NULL, 0 },
        { 2 * 60 * MIN_, EREPORT_ATA_LINK_RESET, "sdh", 0 },
        { 2 * 60 * MIN_ + 10 * MIN_, EREPORT_ATA_LINK_RESET, "sdh", 0 },
        { 2 * 60 * MIN_ + 20 * MIN_, EREPORT_ATA_LINK_RESET, "sdh", 0 },
        { 3 * 60 * MIN_, EREPORT_SCSI_SENSE_RECOVERED, "sdd", 0 },
        { 3 * 60 * MIN_ + 5 * MIN_, EREPORT_SCSI_SENSE_RECOVERED, "sdd", 0 },
        { 3 * 60 * MIN_ + 10 * MIN_, EREPORT_SCSI_SENSE_RECOVERED, "sdd", 0 },
        { 3 * 60 * MIN_ + 15 * MIN_, EREPORT_SCSI_SENSE_RECOVERED, "sdd", 0 },
        { 3 * 60 * MIN_ + 20 * MIN_, EREPORT_SCSI_SENSE_RECOVERED, "sdd", 0 },
        { 3 * 60 * MIN_ + 25 * MIN_, EREPORT_SCSI_SENSE_RECOVERED, "sdd", 0 },
        { 3 * 60 * MIN_ + 30 * MIN_, EREPORT_SCSI_SENSE_RECOVERED, "sdd", 0 },
        { 3 * 60 * MIN_ + 35 * MIN_, EREPORT_SCSI_SENSE_RECOVERED, "sdd", 0 },
        { 3 * 60 * MIN_ + 40 * MIN_, EREPORT_SCSI_SENSE_RECOVERED, "sdd", 0 },
        { 3 * 60 * MIN_ + 45 * MIN_, EREPORT_SCSI_SENSE_RECOVERED, "sdd", 0 },
        { 5 * 60 * MIN_, EREPORT_SCSI_ABORT, "mpt2sas3", 0 },
        { 5 * 60 * MIN_ + 17 * S, EREPORT_SCSI_DEVICE_RESET, "mpt2sas3", 0 },
        { 5 * 60 * MIN_ + 35 * S, EREPORT_SCSI_TARGET_RESET, "mpt2sas3", 0 },
        { 6 * 60 * MIN_, EREPORT_SCSI_TIMEOUT, "sdc", 0 },
        { 6 * 60 * MIN_ + 10 * S, EREPORT_SCSI_TIMEOUT, "sdc", 0 },
        { 6 * 60 * MIN_ + 20 * S, EREPORT_SCSI_TIMEOUT, "sdc", 0 },
        { 6 * 60 * MIN_ + 30 * S, EREPORT_SCSI_TIMEOUT, "sdc", 0 },
        { 6 * 60 * MIN_ + 40 * S, EREPORT_SCSI_TIMEOUT, "sdc", 0 },
        { 6 * 60 * MIN_ + 60 * S, EREPORT_SCSI_TIMEOUT, "sde", 0 },
        { 8 * 60 * MIN_, TICK, NULL, 0 },
};

static void feed_timed(Diagnosis *d, const Timed *t, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (t[i].class == TICK)
                        (void) diagnosis_tick(d, T0 + t[i].at);
                else
                        feed(d, &t[i], 1);
        }
}

/* A save and a restore (into a new engine, as after a restart) between
 * entries split and split + 1. */
static void run_split(const DiagParams *p, const Timed *t, size_t n, size_t split, Collected *c) {
        _cleanup_(diagnosis_freep) Diagnosis *d = NULL, *d2 = NULL;
        _cleanup_free_ char *text = NULL;
        char reason[DIAG_SNAPSHOT_REASON_MAX];

        assert_int_equal(diagnosis_new(p, lookup, NULL, collect, c, &d), 0);
        feed_timed(d, t, split);
        assert_int_equal(diagnosis_snapshot(d, &text), 0);
        d = diagnosis_free(d);
        assert_int_equal(diagnosis_new(p, lookup, NULL, collect, c, &d2), 0);
        if (diagnosis_restore(d2, text, false, reason, sizeof(reason)) < 0)
                fail_msg("restore after %zu entries: %s", split, reason);
        feed_timed(d2, t + split, n - split);
}

static int fault_cmp(const void *a, const void *b) {
        const Fault *x = a, *y = b;

        if (x->time_usec != y->time_usec)
                return x->time_usec < y->time_usec ? -1 : 1;
        if (x->class != y->class)
                return x->class < y->class ? -1 : 1;
        return strcmp(x->suspect, y->suspect);
}

/* Faults released by one tick come in the engines' hash order, which a
 * restore may change: compare them by diagnosis time, class, suspect. */
static void sort_faults(Collected *c) {
        qsort(c->faults, c->n, sizeof(c->faults[0]), fault_cmp);
}

static void assert_same_faults(const Collected *a, Collected *b, size_t split) {
        sort_faults(b);
        if (a->n != b->n)
                fail_msg("split after %zu entries: %zu faults, unsplit %zu", split, b->n, a->n);
        for (size_t i = 0; i < a->n; i++) {
                const Fault *x = &a->faults[i], *y = &b->faults[i];
                if (x->class != y->class || !streq(x->suspect, y->suspect) || x->time_usec != y->time_usec ||
                    x->confidence_pct != y->confidence_pct || x->action != y->action ||
                    x->n_evidence != y->n_evidence || x->n_evidence_total != y->n_evidence_total ||
                    x->n_symptoms != y->n_symptoms || !streq(x->reason, y->reason))
                        fail_msg("split after %zu entries: fault %zu differs: %s %s at %llu vs %s %s at %llu", split, i,
                                 fault_class_to_string(y->class), y->suspect, (unsigned long long) y->time_usec,
                                 fault_class_to_string(x->class), x->suspect, (unsigned long long) x->time_usec);
                for (size_t k = 0; k < x->n_evidence; k++)
                        assert_int_equal(x->evidence[k].time_usec, y->evidence[k].time_usec);
        }
}

static void test_restart_every_split(void **state) {
        static const struct {
                FaultClass class;
                const char *suspect;
        } expected[] = {
                { FAULT_DISK_TRANSPORT, "disk-sdg" },   { FAULT_PATH_FLAPPING, "lun-a@hba1" },
                { FAULT_DISK_MEDIA, "disk-sdb" },       { FAULT_PATH_FAILED, "lun-a@hba2" },
                { FAULT_DISK_LINK, "disk-sdh" },        { FAULT_DISK_PRECURSORS, "disk-sdd" },
                { FAULT_CONTROLLER, "ctrl-mpt2sas3" }, { FAULT_CONTROLLER, "ctrl-host0" },
        };
        size_t n = ELEMENTSOF(restart_table);
        Collected whole = {};

        run_split(NULL, restart_table, n, n, &whole);
        /* The table exercises every engine: the unsplit run gives these, in
         * the order of diagnosis time (the controller absorbs sdc's
         * held-back fault). */
        sort_faults(&whole);
        assert_int_equal(whole.n, ELEMENTSOF(expected));
        for (size_t i = 0; i < whole.n; i++) {
                assert_int_equal(whole.faults[i].class, expected[i].class);
                assert_string_equal(whole.faults[i].suspect, expected[i].suspect);
        }
        assert_null(find_fault(&whole, FAULT_DISK_TRANSPORT, "disk-sdc"));

        for (size_t split = 0; split <= n; split++) {
                Collected c = {};
                run_split(NULL, restart_table, n, split, &c);
                assert_same_faults(&whole, &c, split);
        }
}

/* A snapshot is restored with today's parameters: a smaller N keeps the
 * newest events, so a configuration change does not drop the evidence. */
static void test_restart_changed_params(void **state) {
        _cleanup_(diagnosis_freep) Diagnosis *d = NULL, *d2 = NULL;
        _cleanup_free_ char *text = NULL;
        char reason[DIAG_SNAPSHOT_REASON_MAX];
        Collected c = {};
        DiagParams p;

        assert_int_equal(diagnosis_new(NULL, lookup, NULL, collect, &c, &d), 0);
        feed(d, (Timed[]) { { 0, EREPORT_BLK_MEDIUM_ERROR, "sdg", 0 }, { 10 * S, EREPORT_BLK_MEDIUM_ERROR, "sdg", 0 } }, 2);
        assert_int_equal(diagnosis_snapshot(d, &text), 0);

        diag_params_default(&p);
        p.media.n = 2;
        p.media.t_usec = 5 * S;
        assert_int_equal(diagnosis_new(&p, lookup, NULL, collect, &c, &d2), 0);
        assert_int_equal(diagnosis_restore(d2, text, false, reason, sizeof(reason)), 0);
        /* N=2 within 5 s: the 10 s event and this one fire, the 0 s one is gone */
        feed(d2, (Timed[]) { { 12 * S, EREPORT_BLK_MEDIUM_ERROR, "sdg", 0 } }, 1);
        diagnosis_tick(d2, T0 + 12 * S + DIAG_HOLD_USEC);
        assert_int_equal(c.n, 1);
        assert_int_equal(c.faults[0].class, FAULT_DISK_MEDIA);
        assert_int_equal(c.faults[0].n_evidence_total, 3);
}

/* Long CI ids and names survive a restart (the benchmark's inventory found
 * a limit that refused every real host's snapshot). */
static void test_restart_long_names(void **state) {
        static const Timed t[] = {
                { 0, EREPORT_BLK_MEDIUM_ERROR, "sdi", 0 },
                { S, EREPORT_BLK_MEDIUM_ERROR, "sdi", 0 },
                { 2 * S, EREPORT_BLK_MEDIUM_ERROR, "sdi", 0 },
                { 10 * MIN_, TICK, NULL, 0 },
        };
        Collected whole = {}, split = {};

        run_split(NULL, t, ELEMENTSOF(t), ELEMENTSOF(t), &whole);
        assert_int_equal(whole.n, 1);
        run_split(NULL, t, ELEMENTSOF(t), 2, &split);
        assert_same_faults(&whole, &split, 2);
}

/* A failed path is this boot's state; SERD windows (realtime) carry over a
 * reboot. */
static void test_restart_new_boot(void **state) {
        _cleanup_(diagnosis_freep) Diagnosis *d = NULL, *d2 = NULL;
        _cleanup_free_ char *text = NULL;
        char reason[DIAG_SNAPSHOT_REASON_MAX];
        Collected c = {};

        assert_int_equal(diagnosis_new(NULL, lookup, NULL, collect, &c, &d), 0);
        feed(d, (Timed[]) { { 0, EREPORT_MPATH_PATH_FAILED, "65:32", 0 },
                            { 0, EREPORT_BLK_MEDIUM_ERROR, "sdg", 0 },
                            { S, EREPORT_BLK_MEDIUM_ERROR, "sdg", 0 } }, 3);
        assert_int_equal(diagnosis_snapshot(d, &text), 0);
        assert_int_equal(diagnosis_new(NULL, lookup, NULL, collect, &c, &d2), 0);
        assert_int_equal(diagnosis_restore(d2, text, true, reason, sizeof(reason)), 0);
        assert_int_equal(diagnosis_next_deadline(d2), USEC_INFINITY);
        feed(d2, (Timed[]) { { 2 * MIN_, EREPORT_BLK_MEDIUM_ERROR, "sdg", 0 } }, 1);
        diagnosis_tick(d2, T0 + 60 * MIN_);
        assert_int_equal(c.n, 1);
        assert_int_equal(c.faults[0].class, FAULT_DISK_MEDIA);
        /* the same snapshot in the same boot keeps the failed path */
        d2 = diagnosis_free(d2);
        c.n = 0;
        assert_int_equal(diagnosis_new(NULL, lookup, NULL, collect, &c, &d2), 0);
        assert_int_equal(diagnosis_restore(d2, text, false, reason, sizeof(reason)), 0);
        assert_int_equal(diagnosis_next_deadline(d2), T0 + DIAG_PATH_FAILED_HOLD_USEC);
}

static char *replace(const char *s, const char *from, const char *to) {
        const char *hit = strstr(s, from);
        char *r;

        assert_non_null(hit);
        assert_true(asprintf(&r, "%.*s%s%s", (int) (hit - s), s, to, hit + strlen(from)) > 0);
        return r;
}

/* Garbage, truncated and subtly wrong snapshots are refused with a reason
 * naming the place, and the engines keep what they had. */
static void test_restore_garbage(void **state) {
        static const struct {
                const char *from, *to, *reason;
        } mutations[] = {
                { "\"version\":1", "\"version\":2", "version 2" },
                { "\"version\":1", "\"version\":\"1\"", "'version'" },
                { "\"nodes\":[", "\"nodes\":7,\"x\":[", "'nodes'" },
                { "\"id\":\"disk-sdb\"", "\"id\":5", "'id'" },
                { "\"type\":\"disk\"", "\"type\":\"toaster\"", "CI type 'toaster'" },
                { "\"class\":\"blk.medium_error\"", "\"class\":\"blk.nonsense\"", "ereport class 'blk.nonsense'" },
                { "\"controller\":\"ctrl-host0\"", "\"controller\":\"ctrl-nowhere\"", "controller 'ctrl-nowhere'" },
                { "\"fired\":false", "\"fired\":0", "'fired'" },
                { "\"recent_head\":0", "\"recent_head\":99", "'recent_head' is out of range" },
                { "\"sense\":[", "\"sense\":[300,", "'sense'" },
                { "\"total\":", "\"total\":-", "'total'" },
        };
        _cleanup_(diagnosis_freep) Diagnosis *d = NULL, *fresh = NULL;
        _cleanup_free_ char *text = NULL, *before = NULL, *after = NULL;
        char reason[DIAG_SNAPSHOT_REASON_MAX];
        Collected c = {};

        assert_int_equal(diagnosis_new(NULL, lookup, NULL, collect, &c, &d), 0);
        feed(d, (Timed[]) { { 0, EREPORT_SCSI_SENSE_RECOVERED, "sda", 0 },
                            { 10 * S, EREPORT_BLK_MEDIUM_ERROR, "sdb", 0 },
                            { 20 * S, EREPORT_BLK_MEDIUM_ERROR, "sdb", 0 } }, 3);
        assert_int_equal(diagnosis_snapshot(d, &text), 0);
        assert_int_equal(diagnosis_new(NULL, lookup, NULL, collect, &c, &fresh), 0);
        assert_int_equal(diagnosis_snapshot(fresh, &before), 0);

        /* Every truncation of a real snapshot. */
        for (size_t l = 0; l < strlen(text); l++) {
                _cleanup_free_ char *t = strndup(text, l);
                assert_non_null(t);
                assert_int_equal(diagnosis_restore(fresh, t, false, reason, sizeof(reason)), -EBADMSG);
                assert_true(reason[0] != '\0');
        }
        assert_int_equal(diagnosis_restore(fresh, "", false, reason, sizeof(reason)), -EBADMSG);
        assert_int_equal(diagnosis_restore(fresh, "[1,2]", false, reason, sizeof(reason)), -EBADMSG);
        assert_string_equal(reason, "not a JSON object");
        assert_int_equal(diagnosis_restore(fresh, "\xff\xfe{\"version\":1}", false, reason, sizeof(reason)), -EBADMSG);

        for (size_t i = 0; i < ELEMENTSOF(mutations); i++) {
                _cleanup_free_ char *t = replace(text, mutations[i].from, mutations[i].to);
                assert_int_equal(diagnosis_restore(fresh, t, false, reason, sizeof(reason)), -EBADMSG);
                if (!strstr(reason, mutations[i].reason))
                        fail_msg("mutation %zu: reason '%s' does not say '%s'", i, reason, mutations[i].reason);
        }
        /* A node-level error names the node. */
        {
                _cleanup_free_ char *t = replace(text, "\"fired\":false", "\"fired\":0");
                assert_int_equal(diagnosis_restore(fresh, t, false, reason, sizeof(reason)), -EBADMSG);
                assert_non_null(strstr(reason, "node '"));
        }
        /* The same node twice. */
        {
                _cleanup_free_ char *t = NULL;
                const char *first = strstr(text, "\"nodes\":[") + strlen("\"nodes\":[");
                size_t l = strlen(first) - 2; /* without "]}" */
                assert_true(asprintf(&t, "%.*s%.*s,%.*s]}", (int) (first - text), text, (int) l, first, (int) l, first) > 0);
                assert_int_equal(diagnosis_restore(fresh, t, false, reason, sizeof(reason)), -EBADMSG);
                assert_non_null(strstr(reason, "appears twice"));
        }

        /* Nothing of all that stuck. */
        assert_int_equal(diagnosis_snapshot(fresh, &after), 0);
        assert_string_equal(before, after);
        /* and the real one still restores */
        assert_int_equal(diagnosis_restore(fresh, text, false, reason, sizeof(reason)), 0);
}

/* ---- fail-slow windows across a restart ---- */

typedef struct Rings {
        FailSlowRing r[4];
        const char *keys[4];
} Rings;

static int take_ring(const char *key, const FailSlowRing *r, void *userdata) {
        Rings *x = userdata;

        for (size_t m = 0; m < 4; m++)
                if (streq(key, x->keys[m])) {
                        x->r[m] = *r;
                        return 0;
                }
        fail_msg("unknown ring '%s'", key);
        return -ENOENT;
}

/* The last `windows` windows of each ring as failslow_evaluate() takes them. */
static int evaluate_rings(const Rings *x, FailSlowVerdict *v) {
        FailSlowSample mat[FAILSLOW_RING_MAX * 4];
        unsigned w = MIN(x->r[0].n, 3U);

        for (unsigned k = 0; k < w; k++)
                for (size_t m = 0; m < 4; m++)
                        mat[k * 4 + m] = x->r[m].windows[x->r[m].n - w + k];
        return failslow_evaluate(mat, 4, w, NULL, v);
}

/* A ring holds something to judge (and to save) only once a window saw
 * an I/O, and again nothing once that window has left it. */
static void test_failslow_ring_idle(void **state) {
        FailSlowRing r = {};

        assert_true(failslow_ring_idle(&r));
        for (unsigned i = 0; i < FAILSLOW_RING_MAX; i++)
                failslow_ring_push(&r, (FailSlowSample) { .latency_usec = 0, .ios = 0 }, T0 + i);
        assert_true(failslow_ring_idle(&r));
        failslow_ring_push(&r, (FailSlowSample) { .latency_usec = 900, .ios = 3 }, T0 + 100);
        assert_false(failslow_ring_idle(&r));
        for (unsigned i = 0; i < FAILSLOW_RING_MAX - 1; i++) {
                failslow_ring_push(&r, (FailSlowSample) {}, T0 + 200 + i);
                assert_false(failslow_ring_idle(&r));
        }
        failslow_ring_push(&r, (FailSlowSample) {}, T0 + 300);
        assert_true(failslow_ring_idle(&r));
}

static void test_failslow_restart(void **state) {
        /* member 2 slows from window 2 on */
        const FailSlowSample (*s)[4] = failslow_table;
        static const char *const keys[4] = { "/sys/block/sda", "/sys/block/sdb", "/sys/block/sdc", "/sys/block/sdd" };
        const usec_t interval = USEC_PER_MINUTE;
        char reason[DIAG_SNAPSHOT_REASON_MAX];

        for (size_t split = 0; split <= 5; split++) {
                Rings a = {}, b = {};
                FailSlowNamedRing named[4];
                _cleanup_free_ char *text = NULL;
                FailSlowVerdict v;

                for (size_t m = 0; m < 4; m++) {
                        a.keys[m] = b.keys[m] = keys[m];
                        named[m] = (FailSlowNamedRing) { keys[m], &a.r[m] };
                }
                for (size_t w = 0; w < split; w++)
                        for (size_t m = 0; m < 4; m++)
                                failslow_ring_push(&a.r[m], s[w][m], T0 + w * interval);
                a.r[1].flagged = true;
                assert_int_equal(failslow_rings_snapshot(named, 4, interval, &text), 0);
                assert_int_equal(failslow_rings_restore(text, interval, take_ring, &b, reason, sizeof(reason)), 0);
                assert_true(b.r[1].flagged);
                for (size_t w = split; w < 5; w++)
                        for (size_t m = 0; m < 4; m++)
                                failslow_ring_push(&b.r[m], s[w][m], T0 + w * interval);
                assert_int_equal(b.r[0].n, 5);
                assert_int_equal(b.r[0].last_usec, T0 + 4 * interval);
                assert_int_equal(evaluate_rings(&b, &v), 1);
                assert_int_equal(v.member, 2);
                assert_int_equal(v.windows, 3);

                /* Sampled at another interval: valid, nothing resumed. */
                {
                        Rings c = { .keys = { keys[0], keys[1], keys[2], keys[3] } };
                        assert_int_equal(failslow_rings_restore(text, 2 * interval, take_ring, &c, reason, sizeof(reason)), 0);
                        assert_int_equal(c.r[0].n, 0);
                }
                /* Every truncation is refused. */
                for (size_t l = 0; l < strlen(text); l++) {
                        _cleanup_free_ char *t = strndup(text, l);
                        Rings c = { .keys = { keys[0], keys[1], keys[2], keys[3] } };
                        assert_int_equal(failslow_rings_restore(t, interval, take_ring, &c, reason, sizeof(reason)), -EBADMSG);
                        assert_int_equal(c.r[0].n, 0);
                }
        }
        assert_int_equal(failslow_rings_restore("{\"version\":1,\"interval_usec\":60000000,\"rings\":[{\"key\":\"/sys/block/sda\","
                                                "\"last_usec\":1,\"flagged\":false,\"windows\":[[1,2,3]]}]}",
                                                USEC_PER_MINUTE, take_ring, NULL, reason, sizeof(reason)), -EBADMSG);
        assert_string_equal(reason, "ring '/sys/block/sda': window 0 is not [latency_usec, ios]");
}

/* The state storguardd saved in the VM lab (tests/fixtures/diagnosis/)
 * restores, and a save of the restored engines restores to the same. */
static void test_restore_real_snapshot(void **state) {
        _cleanup_(diagnosis_freep) Diagnosis *d = NULL, *d2 = NULL;
        _cleanup_free_ char *text = NULL, *again = NULL, *third = NULL;
        char reason[DIAG_SNAPSHOT_REASON_MAX];
        Collected c = {};

        assert_int_equal(read_full_file(TOP_SRCDIR "/tests/fixtures/diagnosis/scsi-debug-media-window.json", 1024 * 1024,
                                        &text, NULL), 0);
        assert_int_equal(diagnosis_new(NULL, lookup, NULL, collect, &c, &d), 0);
        if (diagnosis_restore(d, text, false, reason, sizeof(reason)) < 0)
                fail_msg("the lab's snapshot is refused: %s", reason);
        assert_int_equal(diagnosis_snapshot(d, &again), 0);
        assert_int_equal(diagnosis_new(NULL, lookup, NULL, collect, &c, &d2), 0);
        assert_int_equal(diagnosis_restore(d2, again, false, reason, sizeof(reason)), 0);
        assert_int_equal(diagnosis_snapshot(d2, &third), 0);
        assert_int_equal(strlen(again), strlen(third));
        assert_non_null(strstr(again, "\"media\":{\"times\":[1795319969439897,1795319969440199]"));
        assert_int_equal(c.n, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_serd),
                cmocka_unit_test(test_cascade_real_log),
                cmocka_unit_test(test_cascade_context),
                cmocka_unit_test(test_cascade_member_fails_in_storm),
                cmocka_unit_test(test_member_errors_sibling_healthy),
                cmocka_unit_test(test_paths),
                cmocka_unit_test(test_offline),
                cmocka_unit_test(test_offline_no_hold),
                cmocka_unit_test(test_precursors_and_host_resets),
                cmocka_unit_test(test_failslow),
                cmocka_unit_test(test_restart_every_split),
                cmocka_unit_test(test_restart_changed_params),
                cmocka_unit_test(test_restart_new_boot),
                cmocka_unit_test(test_restart_long_names),
                cmocka_unit_test(test_restore_garbage),
                cmocka_unit_test(test_failslow_ring_idle),
                cmocka_unit_test(test_failslow_restart),
                cmocka_unit_test(test_restore_real_snapshot),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

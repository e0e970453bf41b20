/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* daemon/core/evidence-state.c: the diagnosis state and the kmsg cursor
 * across a restart, on a real store file.  Each "life" is the daemon's
 * evidence path from start to stop or kill -9: the store opened, incidents
 * loaded, the engines restored, the kernel log replayed from the saved
 * cursor (the kernel ring still holds the old records), faults reported
 * to the incident manager.  The records are the VM lab's real kernel log
 * of md-raid1-medium-error.kmsg (tests/fixtures/kmsg/README). */

#include "test-helpers.h"

#include "alloc-util.h"
#include "evidence-state.h"
#include "incident-manager.h"
#include "kmsg-fixture.h"
#include "kmsg.h"
#include "string-util.h"

#define FIXTURE TOP_SRCDIR "/tests/fixtures/kmsg/md-raid1-medium-error.kmsg"
#define BOOT "6b0d4c1e-1f3a-4d55-9a0e-2c7f3b9d8e11"
#define T0 (1700000000 * USEC_PER_SEC)
#define MEDIA_KEY "disk.media:disk-sdg"

typedef struct Life {
        Store *store;
        IncidentManager *incidents;
        Diagnosis *diagnosis;
        KmsgReader *reader;
        KmsgCursor cursor;    /* the reader's, as the daemon keeps it */
        const KmsgFixture *ring;
        size_t available;     /* records the kernel has logged so far */
        size_t next;          /* the next record read() returns */
        usec_t last_usec;
} Life;

/* --- the kernel: the ring holds every record logged so far --- */

static ssize_t ring_read(void *userdata, char *buf, size_t size) {
        Life *l = userdata;
        size_t n;

        if (l->next >= l->available)
                return -EAGAIN;
        n = MIN(l->ring->lengths[l->next], size);
        memcpy(buf, l->ring->records[l->next], n);
        l->next++;
        return (ssize_t) n;
}

static int ring_boot_id(void *userdata, char ret[static KMSG_BOOT_ID_MAX]) {
        snprintf(ret, KMSG_BOOT_ID_MAX, "%s", BOOT);
        return 0;
}

static usec_t ring_boot_realtime(void *userdata) {
        return T0;
}

static const KmsgOps ring_ops = { .read = ring_read, .boot_id = ring_boot_id, .boot_realtime = ring_boot_realtime };

static int cursor_get(void *userdata, KmsgCursor *ret) {
        Life *l = userdata;
        return evidence_cursor_load(l->store, ret);
}

static int cursor_set(void *userdata, const KmsgCursor *c) {
        Life *l = userdata;
        l->cursor = *c;
        return 0;
}

/* --- the daemon's evidence path --- */

static int lookup(void *userdata, const char *device, DiagNode *ret) {
        static const char *const disks[][2] = { { "sdg", "disk-sdg" }, { "sdc", "disk-sdc" } };

        for (size_t i = 0; i < ELEMENTSOF(disks); i++)
                if (startswith(device, disks[i][0])) {
                        *ret = (DiagNode) { .ci_id = disks[i][1], .type = CI_DISK, .name = disks[i][0],
                                            .controller_id = "ctrl-host9", .array_id = "md0" };
                        return 0;
                }
        return -ENOENT;
}

static void on_fault(const Fault *f, void *userdata) {
        Life *l = userdata;
        char key[256];
        Incident *i;

        snprintf(key, sizeof(key), "%s:%s", fault_class_to_string(f->class), f->suspect);
        assert_true(incident_manager_report(l->incidents,
                                            &(IncidentInput) { .dedup_key = key, .title = key, .ci_id = f->suspect,
                                                               .occurrences = f->n_evidence_total },
                                            f->time_usec, &i) >= 0);
}

static void on_ereport(const Ereport *e, void *userdata) {
        Life *l = userdata;
        int r = diagnosis_feed(l->diagnosis, e, e->time_usec);

        assert_true(r == 0 || r == -ENOENT);
        l->last_usec = MAX(l->last_usec, e->time_usec);
}

static void life_start(Life *l, const char *dir, const KmsgFixture *ring, size_t available) {
        KmsgCursorStore cs = { .get = cursor_get, .set = cursor_set, .userdata = l };

        *l = (Life) { .ring = ring, .available = available };
        assert_int_equal(store_open(dir, STORE_SYNC_NORMAL, &l->store, NULL), 0);
        assert_int_equal(incident_manager_new("test", l->store, NULL, NULL, &l->incidents), 0);
        assert_true(incident_manager_load(l->incidents) >= 0);
        assert_int_equal(diagnosis_new(NULL, lookup, NULL, on_fault, l, &l->diagnosis), 0);
        assert_true(evidence_state_load(l->store, l->diagnosis, BOOT) >= 0);
        assert_int_equal(kmsg_reader_new(&ring_ops, l, &cs, &l->reader), 0);
}

static void life_read(Life *l) {
        assert_true(kmsg_reader_dispatch(l->reader, 0, on_ereport, l) >= 0);
}

static void life_tick(Life *l) {
        (void) diagnosis_tick(l->diagnosis, l->last_usec + DIAG_HOLD_USEC);
}

static void life_save(Life *l) {
        assert_int_equal(evidence_state_save(l->store, l->diagnosis, BOOT, &l->cursor, NULL), 0);
}

/* kill -9: nothing more is written; what is committed stays. */
static void life_end(Life *l) {
        l->reader = kmsg_reader_free(l->reader);
        l->diagnosis = diagnosis_free(l->diagnosis);
        l->incidents = incident_manager_free(l->incidents);
        l->store = store_close(l->store);
}

/* A whole life: read what the kernel holds, let held-back faults ripen,
 * then a clean stop (save) or kill -9. */
static void life(const char *dir, const KmsgFixture *ring, size_t available, bool save) {
        Life l;

        life_start(&l, dir, ring, available);
        life_read(&l);
        life_tick(&l);
        if (save)
                life_save(&l);
        life_end(&l);
}

typedef struct Count {
        const char *key;
        unsigned n;
        uint64_t occurrences;
} Count;

static int count_one(const StoreIncident *i, void *userdata) {
        Count *c = userdata;
        _cleanup_(incident_freep) Incident *x = NULL;
        json_object *o = json_tokener_parse(i->json);

        assert_non_null(o);
        assert_int_equal(incident_from_json(o, &x), 0);
        json_object_put(o);
        if (streq(i->dedup_key, c->key)) {
                c->n++;
                c->occurrences = x->occurrences;
        }
        return 0;
}

/* The incidents with key in the store file, as a fresh process sees them. */
static Count count_incidents(const char *dir, const char *key) {
        _cleanup_(store_closep) Store *s = NULL;
        Count c = { .key = key };

        assert_int_equal(store_open(dir, STORE_SYNC_NORMAL, &s, NULL), 0);
        assert_true(store_incident_foreach(s, false, count_one, &c) >= 0);
        return c;
}

typedef struct Setup {
        KmsgFixture ring;
        size_t third;    /* the records up to the 3rd media error: [0, third] */
        size_t second;   /* the record of the 2nd media error */
        uint64_t sdg;    /* ereports on sdg up to the 3rd: the fault's evidence, counted once */
        char *dir;
} Setup;

static int setup(void **state) {
        Setup *s = calloc(1, sizeof(Setup));
        unsigned media = 0;

        assert_non_null(s);
        assert_int_equal(kmsg_fixture_load(FIXTURE, &s->ring), 0);
        /* Where the media errors are in the real log. */
        for (size_t i = 0; i < s->ring.n && media < 3; i++) {
                Ereport e[KMSG_EREPORTS_MAX];
                int k = kmsg_parse_line(s->ring.records[i], s->ring.lengths[i], T0, e);

                for (int j = 0; j < k; j++) {
                        if (startswith(e[j].device, "sdg"))
                                s->sdg++;
                        if (e[j].class == EREPORT_SCSI_SENSE_MEDIUM_ERROR || e[j].class == EREPORT_BLK_MEDIUM_ERROR) {
                                if (++media == 2)
                                        s->second = i;
                                if (media == 3)
                                        s->third = i;
                        }
                }
        }
        assert_int_equal(media, 3);
        assert_true(s->second < s->third);
        s->dir = scratch_dir();
        *state = s;
        return 0;
}

static int teardown(void **state) {
        Setup *s = *state;

        kmsg_fixture_free(&s->ring);
        rm_rf(s->dir);
        free(s->dir);
        free(s);
        return 0;
}

/* Without a restart: one media fault from the three errors. */
static void test_unsplit(void **state) {
        Setup *s = *state;
        Count c;

        life(s->dir, &s->ring, s->third + 1, false);
        c = count_incidents(s->dir, MEDIA_KEY);
        assert_int_equal(c.n, 1);
        assert_int_equal(c.occurrences, s->sdg);
}

/* A clean restart between the 2nd and the 3rd media error: the 3rd one
 * completes the window saved before the restart. */
static void test_restart_between(void **state) {
        Setup *s = *state;
        Count c;

        life(s->dir, &s->ring, s->second + 1, true);
        assert_int_equal(count_incidents(s->dir, MEDIA_KEY).n, 0);
        life(s->dir, &s->ring, s->third + 1, false);
        c = count_incidents(s->dir, MEDIA_KEY);
        assert_int_equal(c.n, 1);
        assert_int_equal(c.occurrences, s->sdg);
}

/* The same without the saved engines (a store of an older storguard, or a
 * snapshot refused as garbage): the window starts from zero, so the test
 * above shows the state, not the replay. */
static void test_restart_without_state(void **state) {
        Setup *s = *state;
        Life l;

        life_start(&l, s->dir, &s->ring, s->second + 1);
        life_read(&l);
        life_save(&l);
        assert_int_equal(store_state_set(l.store, DIAGNOSIS_SNAPSHOT_KEY, "{\"version\":1,\"nodes\":["), 0);
        life_end(&l);

        life(s->dir, &s->ring, s->third + 1, false);
        assert_int_equal(count_incidents(s->dir, MEDIA_KEY).n, 0);
}

/* kill -9 after the 3rd error was read but before the state was saved:
 * the records after the saved cursor are read again, into the engines as
 * saved: counted once. */
static void test_kill_before_save(void **state) {
        Setup *s = *state;
        Life l;
        Count c;

        life_start(&l, s->dir, &s->ring, s->second + 1);
        life_read(&l);
        life_save(&l);
        l.available = s->third + 1; /* the kernel logs the 3rd; we read it, then die */
        life_read(&l);
        life_end(&l);
        assert_int_equal(count_incidents(s->dir, MEDIA_KEY).n, 0); /* still held back when killed */

        life(s->dir, &s->ring, s->third + 1, false);
        c = count_incidents(s->dir, MEDIA_KEY);
        assert_int_equal(c.n, 1);
        assert_int_equal(c.occurrences, s->sdg);
}

/* kill -9 after the fault's incident was committed but before the state
 * was saved (the daemon saves right after such a batch; this is the gap
 * in between): the replay finds the open incident and updates it, it
 * does not raise a second one. */
static void test_kill_after_raise(void **state) {
        Setup *s = *state;
        Life l;

        life_start(&l, s->dir, &s->ring, s->second + 1);
        life_read(&l);
        life_save(&l);
        l.available = s->third + 1;
        life_read(&l);
        life_tick(&l);
        life_end(&l);
        assert_int_equal(count_incidents(s->dir, MEDIA_KEY).n, 1);

        life(s->dir, &s->ring, s->third + 1, false);
        assert_int_equal(count_incidents(s->dir, MEDIA_KEY).n, 1);
}

/* The cursor is only ever written with the snapshot: reading alone never
 * moves the saved cursor. */
static void test_cursor_saved_with_snapshot(void **state) {
        Setup *s = *state;
        _cleanup_free_ char *v = NULL;
        KmsgCursor c;
        Life l;

        life_start(&l, s->dir, &s->ring, s->second + 1);
        life_read(&l);
        assert_int_equal(evidence_cursor_load(l.store, &c), -ENOENT);
        life_save(&l);
        assert_int_equal(evidence_cursor_load(l.store, &c), 0);
        assert_string_equal(c.boot_id, BOOT);
        assert_int_equal(c.seq, l.cursor.seq);
        assert_int_equal(store_state_get(l.store, DIAGNOSIS_BOOT_ID_KEY, &v), 0);
        assert_string_equal(v, BOOT);
        assert_int_equal(store_state_set(l.store, KMSG_CURSOR_KEY, "garbage"), 0);
        assert_int_equal(evidence_cursor_load(l.store, &c), -ENOENT);
        life_end(&l);
}

static int fresh_dir(void **state) {
        Setup *s = *state;

        rm_rf(s->dir);
        free(s->dir);
        s->dir = scratch_dir();
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_unsplit, fresh_dir),
                cmocka_unit_test_setup(test_restart_between, fresh_dir),
                cmocka_unit_test_setup(test_restart_without_state, fresh_dir),
                cmocka_unit_test_setup(test_kill_before_save, fresh_dir),
                cmocka_unit_test_setup(test_kill_after_raise, fresh_dir),
                cmocka_unit_test_setup(test_cursor_saved_with_snapshot, fresh_dir),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}

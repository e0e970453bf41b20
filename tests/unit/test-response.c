/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The response agent: every guard, the policy modes, and execution over a
 * recording of the kernel calls it makes. */

#include "test-helpers.h"

#include "alloc-util.h"
#include "response.h"
#include "string-util.h"

#define NOW (1800000000ULL * USEC_PER_SEC)
#define UP (3600ULL * USEC_PER_SEC)

static Ci *disk(const char *name, const char *controller) {
        Ci *c = ci_new(CI_DISK);

        c->id = strdup(name);
        c->name = strdup(name);
        c->devnode = strdup("/dev/x");
        asprintf(&c->syspath, "/sys/block/%s", name);
        c->controller_id = controller ? strdup(controller) : NULL;
        return c;
}

/* An md array: level, raid_disks, then "name:role" pairs. */
static Ci *array(const char *level, unsigned raid_disks, const char *const members[]) {
        Ci *c = ci_new(CI_ARRAY);
        size_t n = 0;

        c->id = strdup("md-uuid");
        c->name = strdup("md0");
        c->syspath = strdup("/sys/devices/virtual/block/md0");
        c->devnode = strdup("/dev/md0");
        c->level = strdup(level);
        c->raid_disks = raid_disks;
        while (members[n])
                n++;
        c->members = calloc(n, sizeof(ArrayMember));
        for (size_t k = 0; k < n; k++) {
                const char *colon = strchr(members[k], ':');
                c->members[k].name = strndup(members[k], (size_t) (colon - members[k]));
                c->members[k].disk_name = strdup(c->members[k].name);
                c->members[k].role = member_role_from_string(colon + 1);
                c->members[k].slot = (int) k;
        }
        c->n_members = n;
        return c;
}

static Ci *map(const char *const paths[]) {
        Ci *c = ci_new(CI_MULTIPATH);
        size_t n = 0;

        c->id = strdup("mpath-x");
        c->name = strdup("dm-0");
        c->alias = strdup("mpatha");
        while (paths[n])
                n++;
        c->paths = calloc(n, sizeof(MultipathPath));
        for (size_t k = 0; k < n; k++) {
                const char *colon = strchr(paths[k], ':');
                c->paths[k].name = strndup(paths[k], (size_t) (colon - paths[k]));
                c->paths[k].state = path_state_from_string(colon + 1);
        }
        c->n_paths = n;
        return c;
}

static ResponseVerdict decide(const ResponsePolicy *p, const ResponseHistory *h, ResponseAction a, Ci *target,
                              Ci *arr, Ci *mp, bool ctrl_suspect, bool operator, char *reason) {
        ResponseRequest r = {
                .action = a, .target = target, .array = arr, .map = mp, .controller_suspect = ctrl_suspect,
                .by_operator = operator, .now_usec = NOW, .uptime_usec = UP,
        };
        return response_decide(p, h, &r, reason, 256);
}

static void test_md_guards(void **state) {
        ResponsePolicy p;
        ResponseHistory h = {};
        char reason[256];
        _cleanup_(ci_freep) Ci *sdb = disk("sdb", "c1"), *sdc = disk("sdc", "c1");
        _cleanup_(ci_freep) Ci *ok = array("raid1", 2, (const char *const[]) { "sdb:active", "sdc:active", NULL });
        _cleanup_(ci_freep) Ci *degraded = array("raid1", 2, (const char *const[]) { "sdc:active", NULL });
        _cleanup_(ci_freep) Ci *faulty = array("raid1", 2, (const char *const[]) { "sdb:faulty", "sdc:active", NULL });
        _cleanup_(ci_freep) Ci *r5 = array("raid5", 4, (const char *const[]) { "sdb:active", "sdc:active", "sdd:active", NULL });
        _cleanup_(ci_freep) Ci *r6 = array("raid6", 4, (const char *const[]) { "sdb:active", "sdc:active", "sdd:active", NULL });
        _cleanup_(ci_freep) Ci *r0 = array("raid0", 2, (const char *const[]) { "sdb:active", "sdc:active", NULL });

        response_policy_default(&p);
        p.mode[RESPONSE_MD_FAIL_MEMBER] = POLICY_ENFORCE;

        assert_int_equal(decide(&p, &h, RESPONSE_MD_FAIL_MEMBER, sdb, ok, NULL, false, false, reason), RESPONSE_EXECUTE);
        /* The last in-sync member of a degraded mirror stays. */
        assert_int_equal(decide(&p, &h, RESPONSE_MD_FAIL_MEMBER, sdc, degraded, NULL, false, false, reason), RESPONSE_REFUSED);
        assert_non_null(strstr(reason, "guard 'last redundancy'"));
        assert_non_null(strstr(reason, "md0"));
        /* An operator cannot override that guard either. */
        assert_int_equal(decide(&p, &h, RESPONSE_MD_FAIL_MEMBER, sdc, degraded, NULL, false, true, reason), RESPONSE_REFUSED);
        /* A member md already failed can always be removed. */
        assert_int_equal(decide(&p, &h, RESPONSE_MD_FAIL_MEMBER, sdb, faulty, NULL, false, false, reason), RESPONSE_EXECUTE);
        /* RAID5 already missing one: every remaining member is needed. */
        assert_int_equal(decide(&p, &h, RESPONSE_MD_FAIL_MEMBER, sdb, r5, NULL, false, false, reason), RESPONSE_REFUSED);
        /* RAID6 missing one may lose one more. */
        assert_int_equal(decide(&p, &h, RESPONSE_MD_FAIL_MEMBER, sdb, r6, NULL, false, false, reason), RESPONSE_EXECUTE);
        /* RAID0 has nothing to spare. */
        assert_int_equal(decide(&p, &h, RESPONSE_MD_FAIL_MEMBER, sdb, r0, NULL, false, false, reason), RESPONSE_REFUSED);
        /* Not a member, or no array: refused. */
        assert_int_equal(decide(&p, &h, RESPONSE_MD_FAIL_MEMBER, sdb, degraded, NULL, false, false, reason), RESPONSE_REFUSED);
        assert_int_equal(decide(&p, &h, RESPONSE_MD_FAIL_MEMBER, sdb, NULL, NULL, false, false, reason), RESPONSE_REFUSED);
}

static void test_path_and_offline_guards(void **state) {
        ResponsePolicy p;
        ResponseHistory h = {};
        char reason[256];
        _cleanup_(ci_freep) Ci *sdg = disk("sdg", "c1"), *sdh = disk("sdh", "c2"), *lone = disk("sdz", "c1");
        _cleanup_(ci_freep) Ci *two = map((const char *const[]) { "sdg:active", "sdh:active", NULL });
        _cleanup_(ci_freep) Ci *one = map((const char *const[]) { "sdg:active", "sdh:failed", NULL });
        _cleanup_(ci_freep) Ci *ok = array("raid1", 2, (const char *const[]) { "sdg:active", "sdh:active", NULL });

        response_policy_default(&p);
        for (int a = 0; a < _RESPONSE_ACTION_MAX; a++)
                p.mode[a] = POLICY_ENFORCE;

        assert_int_equal(decide(&p, &h, RESPONSE_MPATH_FAIL_PATH, sdh, NULL, two, false, false, reason), RESPONSE_EXECUTE);
        /* Only while another path is active. */
        assert_int_equal(decide(&p, &h, RESPONSE_MPATH_FAIL_PATH, sdg, NULL, one, false, false, reason), RESPONSE_REFUSED);
        assert_non_null(strstr(reason, "guard 'last path'"));
        /* SCSI offline needs something else to carry the data. */
        assert_int_equal(decide(&p, &h, RESPONSE_SCSI_OFFLINE, lone, NULL, NULL, false, false, reason), RESPONSE_REFUSED);
        assert_int_equal(decide(&p, &h, RESPONSE_SCSI_OFFLINE, sdg, ok, NULL, false, false, reason), RESPONSE_EXECUTE);
        assert_int_equal(decide(&p, &h, RESPONSE_SCSI_OFFLINE, sdg, NULL, one, false, false, reason), RESPONSE_REFUSED);
}

static void test_controller_rate_holdoff_modes(void **state) {
        ResponsePolicy p;
        ResponseHistory h = {};
        ResponseRequest r;
        char reason[256];
        _cleanup_(ci_freep) Ci *sdb = disk("sdb", "c1"), *sdx = disk("sdx", "c9");
        _cleanup_(ci_freep) Ci *ok = array("raid1", 2, (const char *const[]) { "sdb:active", "sdc:active", NULL });
        _cleanup_(ci_freep) Ci *ok2 = array("raid1", 2, (const char *const[]) { "sdx:active", "sdy:active", NULL });

        response_policy_default(&p);
        /* Default: destructive actions are dry-run. */
        assert_int_equal(decide(&p, &h, RESPONSE_MD_FAIL_MEMBER, sdb, ok, NULL, false, false, reason), RESPONSE_DRY_RUN);
        assert_non_null(strstr(reason, "would md.fail_member sdb"));
        p.mode[RESPONSE_MD_FAIL_MEMBER] = POLICY_OFF;
        assert_int_equal(decide(&p, &h, RESPONSE_MD_FAIL_MEMBER, sdb, ok, NULL, false, false, reason), RESPONSE_DISABLED);
        p.mode[RESPONSE_MD_FAIL_MEMBER] = POLICY_ENFORCE;

        /* The controller is the suspect: its disks are not isolated. */
        assert_int_equal(decide(&p, &h, RESPONSE_MD_FAIL_MEMBER, sdb, ok, NULL, true, false, reason), RESPONSE_REFUSED);
        assert_non_null(strstr(reason, "guard 'controller suspect'"));

        /* Per controller: 2 an hour (default), then refused; another controller goes on. */
        response_history_add(&h, NOW - 50 * USEC_PER_MINUTE, "c1");
        response_history_add(&h, NOW - 10 * USEC_PER_MINUTE, "c1");
        assert_int_equal(decide(&p, &h, RESPONSE_MD_FAIL_MEMBER, sdb, ok, NULL, false, false, reason), RESPONSE_REFUSED);
        assert_non_null(strstr(reason, "behind controller c1"));
        assert_int_equal(decide(&p, &h, RESPONSE_MD_FAIL_MEMBER, sdx, ok2, NULL, false, false, reason), RESPONSE_EXECUTE);
        /* An operator is not rate limited. */
        assert_int_equal(decide(&p, &h, RESPONSE_MD_FAIL_MEMBER, sdb, ok, NULL, false, true, reason), RESPONSE_EXECUTE);
        /* An hour later the window is clear. */
        r = (ResponseRequest) { .action = RESPONSE_MD_FAIL_MEMBER, .target = sdb, .array = ok,
                                .now_usec = NOW + 51 * USEC_PER_MINUTE, .uptime_usec = UP };
        assert_int_equal(response_decide(&p, &h, &r, reason, sizeof(reason)), RESPONSE_EXECUTE);
        /* Per host: 4 an hour (default). */
        response_history_add(&h, NOW - 5 * USEC_PER_MINUTE, "c7");
        response_history_add(&h, NOW - 4 * USEC_PER_MINUTE, "c8");
        assert_int_equal(decide(&p, &h, RESPONSE_MD_FAIL_MEMBER, sdx, ok2, NULL, false, false, reason), RESPONSE_REFUSED);
        assert_non_null(strstr(reason, "on this host"));

        /* Boot hold-off for automatic actions only. */
        memset(&h, 0, sizeof(h));
        r = (ResponseRequest) { .action = RESPONSE_MD_FAIL_MEMBER, .target = sdb, .array = ok, .now_usec = NOW,
                                .uptime_usec = 30 * USEC_PER_SEC };
        assert_int_equal(response_decide(&p, &h, &r, reason, sizeof(reason)), RESPONSE_REFUSED);
        assert_non_null(strstr(reason, "guard 'boot hold-off'"));
        r.by_operator = true;
        assert_int_equal(response_decide(&p, &h, &r, reason, sizeof(reason)), RESPONSE_EXECUTE);
        /* Reversals are not isolations: no redundancy guard. */
        p.mode[RESPONSE_SCSI_ONLINE] = POLICY_ENFORCE;
        r = (ResponseRequest) { .action = RESPONSE_SCSI_ONLINE, .target = sdb, .now_usec = NOW, .by_operator = true };
        assert_int_equal(response_decide(&p, &h, &r, reason, sizeof(reason)), RESPONSE_EXECUTE);
}

/* What the kernel was asked to do, in order. */
typedef struct Calls {
        char log[1024];
        int fail_on; /* 1-based call number that fails with -EBUSY, 0 none */
        int n;
} Calls;

static int record(Calls *c, const char *line) {
        size_t l = strlen(c->log);

        snprintf(c->log + l, sizeof(c->log) - l, "%s;", line);
        return ++c->n == c->fail_on ? -EBUSY : 0;
}

static int rec_md(void *u, const char *array_syspath, const char *member, const char *value) {
        char line[256];
        snprintf(line, sizeof(line), "md %s dev-%s %s", array_syspath, member, value);
        return record(u, line);
}
static int rec_readd(void *u, const char *a, const char *m) {
        char line[256];
        snprintf(line, sizeof(line), "readd %s %s", a, m);
        return record(u, line);
}
static int rec_dm(void *u, const char *map_name, const char *message) {
        char line[256];
        snprintf(line, sizeof(line), "dm %s '%s'", map_name, message);
        return record(u, line);
}
static int rec_scsi(void *u, const char *syspath, const char *value) {
        char line[256];
        snprintf(line, sizeof(line), "scsi %s %s", syspath, value);
        return record(u, line);
}
static int rec_devnum(void *u, const char *syspath, char ret[static 32]) {
        snprintf(ret, 32, "8:112");
        return 0;
}

static const ResponseOps recording_ops = {
        .md_member_state = rec_md, .md_readd = rec_readd, .dm_message = rec_dm,
        .scsi_state = rec_scsi, .devnum = rec_devnum,
};

static void test_execute(void **state) {
        _cleanup_(ci_freep) Ci *sdb = disk("sdb", "c1"), *sdh = disk("sdh", "c1");
        _cleanup_(ci_freep) Ci *ok = array("raid1", 2, (const char *const[]) { "sdb:active", "sdc:active", NULL });
        _cleanup_(ci_freep) Ci *faulty = array("raid1", 2, (const char *const[]) { "sdb:faulty", "sdc:active", NULL });
        _cleanup_(ci_freep) Ci *two = map((const char *const[]) { "sdg:active", "sdh:active", NULL });
        char result[256];
        Calls c = {};
        ResponseRequest r = { .action = RESPONSE_MD_FAIL_MEMBER, .target = sdb, .array = ok };

        assert_int_equal(response_execute(&recording_ops, &c, &r, result, sizeof(result)), 0);
        assert_string_equal(c.log, "md /sys/devices/virtual/block/md0 dev-sdb faulty;md /sys/devices/virtual/block/md0 dev-sdb remove;");
        assert_string_equal(result, "done: sdb failed and removed from md0");

        /* Already faulty: only removed.  A failing kernel call is reported. */
        c = (Calls) { .fail_on = 1 };
        r.array = faulty;
        assert_int_equal(response_execute(&recording_ops, &c, &r, result, sizeof(result)), -EBUSY);
        assert_string_equal(c.log, "md /sys/devices/virtual/block/md0 dev-sdb remove;");
        assert_non_null(strstr(result, "removing it failed"));

        c = (Calls) {};
        r = (ResponseRequest) { .action = RESPONSE_MPATH_FAIL_PATH, .target = sdh, .map = two };
        assert_int_equal(response_execute(&recording_ops, &c, &r, result, sizeof(result)), 0);
        assert_string_equal(c.log, "dm mpatha 'fail_path 8:112';");
        r.action = RESPONSE_MPATH_REINSTATE;
        c = (Calls) {};
        assert_int_equal(response_execute(&recording_ops, &c, &r, result, sizeof(result)), 0);
        assert_string_equal(c.log, "dm mpatha 'reinstate_path 8:112';");

        c = (Calls) {};
        r = (ResponseRequest) { .action = RESPONSE_SCSI_OFFLINE, .target = sdh };
        assert_int_equal(response_execute(&recording_ops, &c, &r, result, sizeof(result)), 0);
        assert_string_equal(c.log, "scsi /sys/block/sdh offline;");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_md_guards),
                cmocka_unit_test(test_path_and_offline_guards),
                cmocka_unit_test(test_controller_rate_holdoff_modes),
                cmocka_unit_test(test_execute),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

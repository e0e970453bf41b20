/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Prometheus text file: label escaping of hostile device strings,
 * health from incidents, every family present, counts from the store's
 * outbox, the atomic write.  `test-metrics --sample FILE` writes the
 * hostile sample that tests/unit/test-metrics-parse.sh feeds to real
 * Prometheus parsers (promtool, python3-prometheus-client).
 */
#include "test-helpers.h"

#include <sys/stat.h>
#include <dirent.h>

#include "alloc-util.h"
#include "metrics.h"
#include "string-util.h"

/* Device strings as a broken or malicious device could report them. */
#define HOSTILE_MODEL "ST4000\"} 1\nstorguard_fake 9\\\x01\xff\xfe%n"
#define HOSTILE_SERIAL "Z1Z\\\"\r\n# TYPE x counter"

typedef struct Sample {
        char *dir;
        Inventory *inv;
        IncidentManager *incidents;
        Store *store;
} Sample;

static Ci *make_ci(CiType type, const char *id, const char *name) {
        Ci *c = ci_new(type);

        assert_non_null(c);
        c->id = strdup(id);
        c->name = strdup(name);
        assert_true(asprintf(&c->syspath, "/sys/fake/%s", name) > 0);
        return c;
}

static void sample_init(Sample *s) {
        Ci *c;
        Incident *i;
        IncidentInput in = {
                .dedup_key = "disk.media:wwn-0x5000c500a1b2c3d4",
                .title = "Disk sda: unrecovered media errors",
                .category = INCIDENT_CATEGORY_DISK,
                .ci_id = "wwn-0x5000c500a1b2c3d4",
                .impact = IMPACT_DEGRADED,
                .urgency = URGENCY_HIGH,
                .occurrences = 1,
        };
        OutboxEntry e = { .incident_id = "h-1", .seq = 1, .endpoint = "sms", .payload = "{}" };

        *s = (Sample) { .dir = scratch_dir(), .inv = inventory_new() };
        assert_non_null(s->inv);

        c = make_ci(CI_DISK, "wwn-0x5000c500a1b2c3d4", "sda");
        c->model = strdup(HOSTILE_MODEL);
        c->serial = strdup(HOSTILE_SERIAL);
        c->health_source = HEALTH_SOURCE_ATA;
        assert_true(inventory_update(s->inv, c, 1, NULL) >= 0);
        c = make_ci(CI_DISK, "serial-QEMU_vdb", "vdb"); /* no health interface, no incident */
        assert_true(inventory_update(s->inv, c, 1, NULL) >= 0);
        c = make_ci(CI_DISK, "wwn-0x5000c500a1b2c3d5", "sdb"); /* healthy */
        c->health_source = HEALTH_SOURCE_ATA;
        assert_true(inventory_update(s->inv, c, 1, NULL) >= 0);
        c = make_ci(CI_DISK, "wwn-0x5000c500a1b2c3d6", "sdc"); /* removed: not listed */
        assert_true(inventory_update(s->inv, c, 1, NULL) >= 0);
        assert_int_equal(inventory_mark_removed(s->inv, "/sys/fake/sdc", 2, NULL), INVENTORY_REMOVED);
        c = make_ci(CI_ARRAY, "md-0d1e2f", "md0");
        c->level = strdup("raid1");
        c->array_state = strdup("clean\"degraded");
        c->raid_disks = 2;
        c->degraded = 1;
        assert_true(inventory_update(s->inv, c, 1, NULL) >= 0);

        assert_int_equal(store_open(s->dir, STORE_SYNC_NORMAL, &s->store, NULL), 0);
        assert_int_equal(incident_manager_new("h", NULL, NULL, NULL, &s->incidents), 0);
        assert_int_equal(incident_manager_report(s->incidents, &in, 10, &i), 1);

        /* Two pending notifications and a dead letter. */
        for (unsigned k = 1; k <= 3; k++) {
                char id[32];

                snprintf(id, sizeof(id), "h-1.%u", k);
                e.event_id = id;
                e.seq = k;
                assert_int_equal(store_outbox_add(s->store, &e), 0);
        }
        assert_int_equal(store_outbox_update(s->store, 1, OUTBOX_DEAD, 9, 0, "404"), 0);
}

static void sample_done(Sample *s) {
        s->incidents = incident_manager_free(s->incidents);
        s->store = store_close(s->store);
        s->inv = inventory_free(s->inv);
        rm_rf(s->dir);
        free(s->dir);
}

/* The last health polls: sdb read fine, sda says it is failing, the
 * others were never read. */
static HealthAssessment polled(const Ci *c, void *userdata) {
        if (streq(c->name, "sdb"))
                return HEALTH_OK;
        if (streq(c->name, "sda"))
                return HEALTH_WARNING;
        return _HEALTH_ASSESSMENT_INVALID;
}

static MetricsSources sources(Sample *s) {
        return (MetricsSources) {
                .inventory = s->inv,
                .incidents = s->incidents,
                .store = s->store,
                .ereports_total = 42,
                .health_reads_total = 9,
                .now_usec = 1700000000 * USEC_PER_SEC + 5,
                .polled_health = polled,
        };
}

static char *render(const MetricsSources *src) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        assert_non_null(f);
        assert_int_equal(metrics_render(src, f), 0);
        assert_int_equal(fclose(f), 0);
        return buf;
}

static void test_escape_label(void **state) {
        _cleanup_free_ char *a = metrics_escape_label("plain"), *b = metrics_escape_label("a\"b\\c\nd\x7f\xc3\xa9"),
                            *c = metrics_escape_label(NULL);
        char longs[400];
        _cleanup_free_ char *d = NULL;

        assert_string_equal(a, "plain");
        /* Quote and backslash escaped; newline, DEL and non-ASCII bytes
         * become '?', so no line break ever reaches the file. */
        assert_string_equal(b, "a\\\"b\\\\c?d???");
        assert_string_equal(c, "");
        memset(longs, '"', sizeof(longs) - 1);
        longs[sizeof(longs) - 1] = '\0';
        d = metrics_escape_label(longs);
        assert_int_equal(strlen(d), 2 * METRICS_LABEL_MAX);
}

static void test_render(void **state) {
        Sample s;
        MetricsSources src;
        _cleanup_free_ char *out = NULL;

        sample_init(&s);
        src = sources(&s);
        out = render(&src);

        /* Every line is a comment or a sample: a hostile string never
         * starts a line of its own. */
        for (const char *l = out; *l; l = strchr(l, '\n') + 1) {
                assert_true(startswith(l, "# HELP storguard_") || startswith(l, "# TYPE storguard_") ||
                            startswith(l, "storguard_"));
                assert_non_null(strchr(l, '\n'));
        }
        assert_null(strstr(out, "\nstorguard_fake"));
        assert_null(strstr(out, "\n# TYPE x"));

        assert_non_null(strstr(out, "storguard_build_info{version=\"" PACKAGE_VERSION "\"} 1\n"));
        assert_non_null(strstr(out, "storguard_metrics_updated_timestamp_seconds 1700000000.000005\n"));
        assert_non_null(strstr(out, "# TYPE storguard_ereports_total counter\nstorguard_ereports_total 42\n"));
        assert_non_null(strstr(out, "# TYPE storguard_health_reads_total counter\nstorguard_health_reads_total 9\n"));
        assert_non_null(strstr(out, "storguard_devices{type=\"disk\"} 3\n"));
        assert_non_null(strstr(out, "storguard_devices_without_health_interface 1\n"));
        /* Polled warning, media errors incident: failing (2); polled ok: 0;
         * never read and no incident: unknown (4). */
        assert_non_null(strstr(out, "storguard_device_health{ci_id=\"wwn-0x5000c500a1b2c3d4\",type=\"disk\",device=\"sda\","
                                    "model=\"ST4000\\\"} 1?storguard_fake 9\\\\???%n\",serial=\"Z1Z\\\\\\\"??# TYPE x counter\"} 2\n"));
        assert_non_null(strstr(out, "device=\"sdb\",model=\"\",serial=\"\"} 0\n"));
        assert_non_null(strstr(out, "device=\"vdb\",model=\"\",serial=\"\"} 4\n"));
        assert_null(strstr(out, "sdc"));
        assert_non_null(strstr(out, "storguard_array_devices{ci_id=\"md-0d1e2f\",type=\"array\",array=\"md0\",level=\"raid1\"} 2\n"));
        assert_non_null(strstr(out, "storguard_array_devices_missing{ci_id=\"md-0d1e2f\",type=\"array\",array=\"md0\",level=\"raid1\"} 1\n"));
        assert_non_null(strstr(out, "storguard_array_state{ci_id=\"md-0d1e2f\",type=\"array\",array=\"md0\",state=\"clean\\\"degraded\"} 1\n"));
        /* impact degraded x urgency high: priority 2 in the default matrix. */
        assert_non_null(strstr(out, "storguard_incidents{priority=\"5\",status=\"closed\"} 0\n"));
        assert_non_null(strstr(out, "storguard_store_up 1\n"));
        assert_non_null(strstr(out, "storguard_webhook_outbox_events{state=\"pending\"} 2\n"));
        assert_non_null(strstr(out, "storguard_webhook_outbox_events{state=\"dead\"} 1\n"));
        assert_non_null(strstr(out, "storguard_webhook_outbox_events{state=\"delivered\"} 0\n"));

        sample_done(&s);
}

static void test_incident_counts(void **state) {
        Sample s;
        MetricsSources src;
        _cleanup_free_ char *out = NULL, *want = NULL;
        _cleanup_free_ Incident **l = NULL;

        sample_init(&s);
        assert_int_equal(incident_manager_list(s.incidents, &l), 1);
        src = sources(&s);
        out = render(&src);
        assert_true(asprintf(&want, "storguard_incidents{priority=\"%u\",status=\"open\"} 1\n", l[0]->priority) > 0);
        assert_non_null(strstr(out, want));
        free(out);

        /* Resolved: back to what the poll says (warning), the count moves. */
        assert_int_equal(incident_manager_set_status(s.incidents, l[0]->id, INCIDENT_RESOLVED, NULL, 20), 0);
        out = render(&src);
        assert_non_null(strstr(out, "device=\"sda\""));
        assert_non_null(strstr(out, "serial=\"Z1Z\\\\\\\"??# TYPE x counter\"} 1\n"));
        free(want);
        assert_true(asprintf(&want, "storguard_incidents{priority=\"%u\",status=\"resolved\"} 1\n", l[0]->priority) > 0);
        assert_non_null(strstr(out, want));
        sample_done(&s);
}

static void test_without_store(void **state) {
        MetricsSources src = { .now_usec = 1 };
        _cleanup_free_ char *out = render(&src);

        assert_non_null(strstr(out, "storguard_store_up 0\n"));
        assert_non_null(strstr(out, "# TYPE storguard_webhook_outbox_events gauge\n"));
        assert_null(strstr(out, "storguard_webhook_outbox_events{"));
        assert_non_null(strstr(out, "storguard_devices_without_health_interface 0\n"));
}

static unsigned count_entries(const char *dir) {
        unsigned n = 0;
        DIR *d = opendir(dir);
        struct dirent *de;

        assert_non_null(d);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

static void test_write_file(void **state) {
        /* Not scratch_dir()/rm_rf(): gcc 12 sees a dangling pointer through
         * their inlining here (-Wdangling-pointer, a false positive). */
        _cleanup_free_ char *dir = NULL, *path = NULL, *missing = NULL;
        MetricsSources src = { .ereports_total = 7, .now_usec = 1 };
        struct stat st;
        mode_t old = umask(0077); /* as under the unit */

        assert_true(asprintf(&dir, "%s/storguard-test-XXXXXX", getenv("TMPDIR") ?: "/tmp") > 0);
        assert_non_null(mkdtemp(dir));

        assert_true(asprintf(&path, "%s/storguard.prom", dir) > 0);
        assert_int_equal(metrics_write_file(path, &src), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0644); /* node_exporter reads it as another user */
        src.ereports_total = 8;
        assert_int_equal(metrics_write_file(path, &src), 0);
        assert_int_equal(count_entries(dir), 1); /* no temporary file left */

        assert_true(asprintf(&missing, "%s/no-such-dir/storguard.prom", dir) > 0);
        assert_int_equal(metrics_write_file(missing, &src), -ENOENT);

        /* A directory in the way of the rename: fails, leaves nothing. */
        assert_int_equal(unlink(path), 0);
        assert_int_equal(mkdir(path, 0755), 0);
        assert_int_not_equal(metrics_write_file(path, &src), 0);
        assert_int_equal(count_entries(dir), 1);
        assert_int_equal(rmdir(path), 0);
        assert_int_equal(rmdir(dir), 0); /* empty: nothing was left behind */

        umask(old);
}

static int write_sample(const char *path) {
        Sample s;
        MetricsSources src;
        int r;

        sample_init(&s);
        src = sources(&s);
        r = metrics_write_file(path, &src);
        sample_done(&s);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main(int argc, char *argv[]) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_escape_label),
                cmocka_unit_test(test_render),
                cmocka_unit_test(test_incident_counts),
                cmocka_unit_test(test_without_store),
                cmocka_unit_test(test_write_file),
        };

        if (argc == 3 && streq(argv[1], "--sample"))
                return write_sample(argv[2]);
        log_set_max_level(LOG_WARNING);
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The corpus test: every real capture in ../shared/corpus through the same
 * code path as `storguardctl assess` (health_read_file()), compared with
 * what the tool that captured it reported:
 *
 *   - libatasmart blobs (19 in libatasmart-blob-examples, 13 .bin in
 *     libblockdev-smart_dumps): against Debian skdump 0.19's `--load`
 *     output in skdump-output/ (and, for blobs without one, against
 *     `skdump --load` run now when skdump is installed);
 *   - every smartctl JSON file: against smartctl's own smart_status,
 *     temperature, power_on_time and the raw values it listed.
 *
 * The corpus is not part of the repository: STORGUARD_CORPUS points at it,
 * default $(abs_top_srcdir)/../shared/corpus; without it the test skips.
 * The figures are printed; disagreements are listed with their reasons in
 * tests/fixtures/corpus/README.md, and the test fails when a count falls
 * below what is documented there.
 */

#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <math.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "test-helpers.h"

#include "alloc-util.h"
#include "fd-util.h"
#include "fileio.h"
#include "health-read.h"
#include "smartctl-json.h"
#include "string-util.h"

/* Documented floors (tests/fixtures/corpus/README.md). */
#define EXPECTED_BLOBS 32
#define EXPECTED_JSON_FILES 213
#define MIN_BLOB_VERDICT_AGREE 31 /* WDC_WD2500JB has no SMART status section: no verdict */
#define MIN_JSON_VERDICT_AGREE 196

typedef struct Tally {
        unsigned compared, agreed;
} Tally;

typedef struct Figures {
        unsigned files, parsed, rejected, unreadable, no_data;
        Tally verdict, smart_status, temperature, power_on, power_cycles, bad_sectors, reallocated, pending,
                offline_unc, reported_unc, attributes, overall, identity, critical_warning, media_errors;
} Figures;

static const char *corpus_dir(void) {
        static char buf[4096];
        const char *e = getenv("STORGUARD_CORPUS");
        struct stat st;

        if (e && *e)
                snprintf(buf, sizeof(buf), "%s", e);
        else
                snprintf(buf, sizeof(buf), "%s/../shared/corpus", TOP_SRCDIR);
        if (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))
                return NULL;
        return buf;
}

#define SKIP_WITHOUT_CORPUS(dir)                                                                   \
        do {                                                                                       \
                if (!(dir)) {                                                                      \
                        print_message("corpus not found (set STORGUARD_CORPUS or put it at "        \
                                      "../shared/corpus): skipping\n");                            \
                        skip();                                                                    \
                }                                                                                  \
        } while (0)

static void tally(Tally *t, bool agree, const char *file, const char *what, const char *ours, const char *theirs) {
        t->compared++;
        if (agree)
                t->agreed++;
        else
                print_message("  DISAGREE %-48s %-16s storguard=%s reference=%s\n", file, what, ours, theirs);
}

static void tally_u64(Tally *t, uint64_t ours, uint64_t theirs, const char *file, const char *what) {
        char a[32], b[32];

        if (theirs == HEALTH_VALUE_NONE)
                return;
        snprintf(a, sizeof(a), "%" PRIu64, ours);
        snprintf(b, sizeof(b), "%" PRIu64, theirs);
        tally(t, ours == theirs, file, what, ours == HEALTH_VALUE_NONE ? "none" : a, b);
}

static void print_tally(const char *what, const Tally *t) {
        if (t->compared > 0)
                print_message("  %-22s %4u / %4u agree\n", what, t->agreed, t->compared);
}

/* Sorted regular files of @dir whose name passes @want. */
static char **list_dir(const char *dir, bool (*want)(const char *name)) {
        _cleanup_closedir_ DIR *d = opendir(dir);
        char **l = NULL;
        struct dirent *de;

        if (!d)
                return NULL;
        while ((de = readdir(d))) {
                char *p;

                if (de->d_name[0] == '.' || !want(de->d_name))
                        continue;
                assert_true(asprintf(&p, "%s/%s", dir, de->d_name) > 0);
                assert_int_equal(strv_push(&l, p), 0);
        }
        strv_sort(l);
        return l;
}

static bool is_blob_name(const char *n) {
        /* MODEL--FIRMWARE; firmware revisions may contain dots. */
        return strstr(n, "--") != NULL && !endswith(n, ".txt");
}
static bool is_bin(const char *n) {
        return endswith(n, ".bin") != NULL;
}
static bool is_json(const char *n) {
        return endswith(n, ".json") != NULL;
}

/* ---- skdump text ------------------------------------------------------- */

typedef struct SkdumpAttr {
        unsigned id, value, worst, thres;
        bool thres_na;
        uint64_t raw;
} SkdumpAttr;

typedef struct Skdump {
        char model[64], serial[64], firmware[64];
        int health_good; /* 1, 0, -1 not available */
        char overall[64];
        uint64_t bad_sectors, power_cycles;
        double power_on_hours; /* < 0: none */
        double power_on_unit_hours;
        double temperature_c; /* NAN: none */
        SkdumpAttr attrs[64];
        size_t n_attrs;
} Skdump;

static void bracketed(const char *v, char *out, size_t l) {
        const char *a = strchr(v, '['), *b = strrchr(v, ']');

        if (a && b && b > a)
                snprintf(out, l, "%.*s", (int) (b - a - 1), a + 1);
        else
                snprintf(out, l, "%s", v);
}

static void parse_skdump(const char *text, Skdump *k) {
        _cleanup_strv_free_ char **lines = NULL;

        *k = (Skdump) { .health_good = -1, .bad_sectors = HEALTH_VALUE_NONE, .power_cycles = HEALTH_VALUE_NONE,
                        .power_on_hours = -1, .temperature_c = NAN };
        assert_int_equal(strv_split(text, "\n", &lines), 0);
        STRV_FOREACH(line, lines) {
                const char *v;
                unsigned id, val, worst;
                char name[64], thres[16], pretty1[32], raw[32];

                if ((v = startswith(*line, "Model: ")))
                        bracketed(v, k->model, sizeof(k->model));
                else if ((v = startswith(*line, "Serial: ")))
                        bracketed(v, k->serial, sizeof(k->serial));
                else if ((v = startswith(*line, "Firmware: ")))
                        bracketed(v, k->firmware, sizeof(k->firmware));
                else if ((v = startswith(*line, "SMART Disk Health Good: ")))
                        k->health_good = streq(v, "yes") ? 1 : streq(v, "no") ? 0 : -1;
                else if ((v = startswith(*line, "Overall Status: ")))
                        snprintf(k->overall, sizeof(k->overall), "%s", v);
                else if ((v = startswith(*line, "Bad Sectors: ")))
                        k->bad_sectors = isdigit((unsigned char) *v) ? strtoull(v, NULL, 10) : HEALTH_VALUE_NONE;
                else if ((v = startswith(*line, "Power Cycles: ")))
                        k->power_cycles = isdigit((unsigned char) *v) ? strtoull(v, NULL, 10) : HEALTH_VALUE_NONE;
                else if ((v = startswith(*line, "Temperature: ")))
                        k->temperature_c = isdigit((unsigned char) *v) ? strtod(v, NULL) : NAN;
                else if ((v = startswith(*line, "Powered On: "))) {
                        /* libatasmart's print_value(): years are 365 days, months 30. */
                        static const struct {
                                const char *unit;
                                double hours;
                        } units[] = { { " years", 24 * 365 }, { " months", 24 * 30 }, { " days", 24 },
                                      { " h", 1 },           { " min", 1.0 / 60 },   { " s", 1.0 / 3600 },
                                      { " ms", 1.0 / 3600000 } };
                        char *end;
                        double x = strtod(v, &end);

                        for (size_t i = 0; end != v && i < ELEMENTSOF(units); i++)
                                if (streq(end, units[i].unit)) {
                                        k->power_on_hours = x * units[i].hours;
                                        k->power_on_unit_hours = units[i].hours;
                                }
                } else if (sscanf(*line, "%u %63s %u %u %15s %31s", &id, name, &val, &worst, thres, pretty1) == 6 &&
                           id > 0 && id < 256 && k->n_attrs < ELEMENTSOF(k->attrs)) {
                        /* The raw column is the first "0x" word (the pretty
                         * column may hold one or two words). */
                        const char *r = strstr(*line, " 0x");
                        SkdumpAttr *a = &k->attrs[k->n_attrs];

                        if (!r || sscanf(r + 3, "%12[0-9a-f]", raw) != 1 || strlen(raw) != 12)
                                continue;
                        a->id = id;
                        a->value = val;
                        a->worst = worst;
                        a->thres_na = streq(thres, "n/a");
                        a->thres = a->thres_na ? 0 : (unsigned) strtoul(thres, NULL, 10);
                        /* skdump prints raw[0..5] in memory order. */
                        a->raw = 0;
                        for (int i = 0; i < 6; i++) {
                                unsigned byte;
                                sscanf(raw + 2 * i, "%2x", &byte);
                                a->raw |= (uint64_t) byte << (8 * i);
                        }
                        k->n_attrs++;
                }
        }
}

static bool failing_or_worse(HealthAssessment a) {
        return health_assessment_rank(a) >= health_assessment_rank(HEALTH_FAILING);
}

/* skdump's overall statuses that mean "this drive is failing". */
static bool skdump_failing(const char *overall) {
        return streq(overall, "BAD_STATUS") || streq(overall, "BAD_ATTRIBUTE_NOW") || streq(overall, "BAD_SECTOR_MANY");
}

static void compare_with_skdump(const char *file, const HealthSnapshot *s, const Skdump *k, Figures *f) {
        char a[64], b[64];

        tally(&f->identity, streq_ptr(s->model, k->model) && streq_ptr(s->serial, k->serial) &&
                                    streq_ptr(s->firmware, k->firmware),
              file, "identity", strna(s->model), k->model);
        if (k->health_good >= 0)
                tally(&f->smart_status, (s->smart_status == SMART_STATUS_PASSED) == (k->health_good == 1), file,
                      "smart_status", smart_status_to_string(s->smart_status), k->health_good ? "yes" : "no");
        if (k->overall[0]) {
                /* A status name, not an error text ("No such device or address"). */
                bool known = strspn(k->overall, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == strlen(k->overall);

                if (known) {
                        tally(&f->verdict, failing_or_worse(s->assessment) == skdump_failing(k->overall), file,
                              "verdict", health_assessment_to_string(s->assessment), k->overall);
                        tally(&f->overall, streq_ptr(s->ata_overall, k->overall), file, "overall", strna(s->ata_overall),
                              k->overall);
                }
        }
        tally_u64(&f->bad_sectors, s->bad_sectors, k->bad_sectors, file, "bad_sectors");
        tally_u64(&f->power_cycles, s->power_cycles, k->power_cycles, file, "power_cycles");
        if (!isnan(k->temperature_c)) {
                snprintf(a, sizeof(a), "%.1f", s->temperature_mkelvin == HEALTH_VALUE_NONE ? -999.0
                                                                                          : mkelvin_to_celsius(s->temperature_mkelvin));
                snprintf(b, sizeof(b), "%.1f", k->temperature_c);
                tally(&f->temperature, streq(a, b), file, "temperature", a, b);
        }
        if (k->power_on_hours >= 0) {
                /* skdump prints one decimal of its unit; we keep whole hours. */
                double tol = 0.05 * k->power_on_unit_hours + 1;
                snprintf(a, sizeof(a), "%" PRIu64 "h", s->power_on_hours);
                snprintf(b, sizeof(b), "%.0fh", k->power_on_hours);
                tally(&f->power_on, s->power_on_hours != HEALTH_VALUE_NONE &&
                                            fabs((double) s->power_on_hours - k->power_on_hours) <= tol,
                      file, "power_on_hours", a, b);
        }
        for (size_t i = 0; i < k->n_attrs; i++) {
                const AtaAttribute *at = health_snapshot_get_attribute(s, (uint8_t) k->attrs[i].id);
                bool ok = at && at->raw == k->attrs[i].raw && at->value == k->attrs[i].value &&
                          at->worst == k->attrs[i].worst &&
                          (k->attrs[i].thres_na ? !at->threshold_valid : at->threshold == k->attrs[i].thres);

                snprintf(a, sizeof(a), "%u", k->attrs[i].id);
                tally(&f->attributes, ok, file, "attribute", a, ok ? "same" : "differs");
        }
}

/* Run skdump --load=FILE (no shell) and return its output, or NULL. */
static char *run_skdump(const char *file) {
        static const char *const paths[] = { "/usr/sbin/skdump", "/usr/bin/skdump", "/sbin/skdump" };
        const char *tool = NULL;
        char *arg, *out = NULL;
        size_t size = 0;
        int p[2], status;
        pid_t pid;
        FILE *f;

        for (size_t i = 0; i < ELEMENTSOF(paths) && !tool; i++)
                if (access(paths[i], X_OK) == 0)
                        tool = paths[i];
        if (!tool || pipe(p) < 0)
                return NULL;
        assert_true(asprintf(&arg, "--load=%s", file) > 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int null = open("/dev/null", O_WRONLY);
                dup2(p[1], STDOUT_FILENO);
                if (null >= 0)
                        dup2(null, STDERR_FILENO);
                close(p[0]);
                execl(tool, tool, arg, (char *) NULL);
                _exit(127);
        }
        free(arg);
        close(p[1]);
        f = fdopen(p[0], "r");
        assert_non_null(f);
        {
                char buf[4096];
                size_t n;
                FILE *m = open_memstream(&out, &size);
                while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
                        fwrite(buf, 1, n, m);
                fclose(m);
        }
        fclose(f);
        waitpid(pid, &status, 0);
        /* skdump highlights bad values with ANSI escapes even into a pipe. */
        if (out) {
                char *w = out;
                for (char *r = out; *r; r++) {
                        if (*r == '\x1b') {
                                while (*r && *r != 'm')
                                        r++;
                                if (!*r)
                                        break;
                                continue;
                        }
                        *w++ = *r;
                }
                *w = '\0';
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) == 127)
                return mfree(out);
        return out;
}

static void test_corpus_blobs(void **state) {
        const char *dir = corpus_dir();
        _cleanup_free_ char *d1 = NULL, *d2 = NULL;
        _cleanup_strv_free_ char **a = NULL, **b = NULL;
        Figures f = {};
        unsigned from_txt = 0, from_tool = 0;

        SKIP_WITHOUT_CORPUS(dir);
        assert_true(asprintf(&d1, "%s/libatasmart-blob-examples", dir) > 0);
        assert_true(asprintf(&d2, "%s/libblockdev-smart_dumps", dir) > 0);
        a = list_dir(d1, is_blob_name);
        b = list_dir(d2, is_bin);

        print_message("ATA blobs (libatasmart blob path), compared with skdump --load:\n");
        for (int pass = 0; pass < 2; pass++)
                STRV_FOREACH(p, pass == 0 ? a : b) {
                        _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
                        _cleanup_free_ char *txt_path = NULL, *txt = NULL;
                        const char *base = strrchr(*p, '/') + 1;
                        HealthParseError e = {};
                        Skdump k;
                        int r;

                        f.files++;
                        r = health_read_file(*p, &s, &e);
                        if (r < 0) {
                                print_message("  REJECTED %s: %s\n", base, e.message);
                                f.rejected++;
                                continue;
                        }
                        f.parsed++;
                        assert_int_equal(s->protocol, HEALTH_PROTOCOL_ATA);
                        assert_true(s->assessment >= 0 && s->assessment < _HEALTH_ASSESSMENT_MAX);

                        assert_true(asprintf(&txt_path, "%s/skdump-output/%s.txt", d1, base) > 0);
                        if (pass == 0 && read_full_file(txt_path, 1 << 20, &txt, NULL) >= 0)
                                from_txt++;
                        else if ((txt = run_skdump(*p)))
                                from_tool++;
                        else
                                continue;
                        parse_skdump(txt, &k);
                        compare_with_skdump(base, s, &k, &f);
                }

        print_message("ATA blobs: %u files, %u parsed, %u rejected; compared with %u skdump-output files and %u "
                      "skdump --load runs\n",
                      f.files, f.parsed, f.rejected, from_txt, from_tool);
        print_tally("verdict (failing?)", &f.verdict);
        print_tally("SMART status", &f.smart_status);
        print_tally("identity", &f.identity);
        print_tally("bad sectors", &f.bad_sectors);
        print_tally("temperature", &f.temperature);
        print_tally("power-on hours", &f.power_on);
        print_tally("power cycles", &f.power_cycles);
        print_tally("libatasmart overall", &f.overall);
        print_tally("attribute rows", &f.attributes);

        assert_int_equal(f.files, EXPECTED_BLOBS);
        assert_int_equal(f.parsed, EXPECTED_BLOBS);
        if (from_txt + from_tool == EXPECTED_BLOBS)
                assert_true(f.verdict.agreed >= MIN_BLOB_VERDICT_AGREE);
        assert_int_equal(f.verdict.agreed, f.verdict.compared);
        assert_int_equal(f.identity.agreed, f.identity.compared);
        assert_int_equal(f.attributes.agreed, f.attributes.compared);
        assert_int_equal(f.overall.agreed, f.overall.compared);
}

/* ---- smartctl JSON ------------------------------------------------------ */

static json_object *jget(json_object *o, const char *k) {
        json_object *v = NULL;
        return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static uint64_t ju64(json_object *v) {
        return v && json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0
                       ? (uint64_t) json_object_get_int64(v)
                       : HEALTH_VALUE_NONE;
}

static uint64_t table_raw(json_object *root, unsigned id) {
        json_object *t = jget(jget(root, "ata_smart_attributes"), "table");

        for (size_t i = 0; t && json_object_is_type(t, json_type_array) && i < json_object_array_length(t); i++) {
                json_object *e = json_object_array_get_idx(t, i);
                if (ju64(jget(e, "id")) == id)
                        return ju64(jget(jget(e, "raw"), "value"));
        }
        return HEALTH_VALUE_NONE;
}

static void compare_with_smartctl(const char *file, const HealthSnapshot *s, json_object *root, Figures *f) {
        json_object *passed = jget(jget(root, "smart_status"), "passed");
        uint64_t t;

        if (passed && json_object_is_type(passed, json_type_boolean))
                tally(&f->verdict, failing_or_worse(s->assessment) == !json_object_get_boolean(passed), file, "verdict",
                      health_assessment_to_string(s->assessment), json_object_get_boolean(passed) ? "PASSED" : "FAILED");
        t = ju64(jget(jget(root, "temperature"), "current"));
        if (t != HEALTH_VALUE_NONE)
                tally_u64(&f->temperature,
                          s->temperature_mkelvin == HEALTH_VALUE_NONE
                                  ? HEALTH_VALUE_NONE
                                  : (uint64_t) llround(mkelvin_to_celsius(s->temperature_mkelvin)),
                          t, file, "temperature");
        tally_u64(&f->power_on, s->power_on_hours, ju64(jget(jget(root, "power_on_time"), "hours")), file,
                  "power_on_hours");
        if (s->protocol == HEALTH_PROTOCOL_ATA) {
                /* smartctl's raw value; ours uses the low 32 bits. */
                uint64_t v;
                v = table_raw(root, 5);
                tally_u64(&f->reallocated, s->reallocated_sectors, v == HEALTH_VALUE_NONE ? v : v, file, "attr5");
                v = table_raw(root, 197);
                tally_u64(&f->pending, s->pending_sectors, v, file, "attr197");
                v = table_raw(root, 198);
                tally_u64(&f->offline_unc, s->offline_uncorrectable, v, file, "attr198");
                v = table_raw(root, 187);
                tally_u64(&f->reported_unc, s->reported_uncorrect, v, file, "attr187");
        }
        if (s->protocol == HEALTH_PROTOCOL_NVME) {
                json_object *l = jget(root, "nvme_smart_health_information_log");
                tally_u64(&f->critical_warning, s->critical_warning, ju64(jget(l, "critical_warning")), file,
                          "critical_warning");
                tally_u64(&f->media_errors, s->media_errors, ju64(jget(l, "media_errors")), file, "media_errors");
        }
}

static void test_corpus_json(void **state) {
        static const char *const dirs[] = { "smartctl_exporter-testdata", "scrutiny-testdata", "libblockdev-smart_dumps" };
        const char *dir = corpus_dir();
        Figures f = {};
        unsigned protocols[_HEALTH_PROTOCOL_MAX] = {}, levels[_HEALTH_ASSESSMENT_MAX] = {};

        SKIP_WITHOUT_CORPUS(dir);
        print_message("smartctl JSON (same reader as storguardctl assess), compared with smartctl's own values:\n");
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *d = NULL;
                _cleanup_strv_free_ char **l = NULL;

                assert_true(asprintf(&d, "%s/%s", dir, dirs[i]) > 0);
                l = list_dir(d, is_json);
                STRV_FOREACH(p, l) {
                        _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
                        const char *base = strrchr(*p, '/') + 1;
                        HealthParseError e = {};
                        json_object *root;
                        int r;

                        f.files++;
                        r = health_read_file(*p, &s, &e);
                        if (r < 0) {
                                assert_int_not_equal(r, -ENOMEM);
                                print_message("  REJECTED %-48s %s\n", base, e.message);
                                f.rejected++;
                                continue;
                        }
                        f.parsed++;
                        protocols[s->protocol]++;
                        levels[s->assessment]++;
                        if (s->error != 0) {
                                print_message("  UNKNOWN  %-48s %s\n", base, strna(s->error_text));
                                f.unreadable++;
                                continue;
                        }
                        if (s->assessment == HEALTH_UNKNOWN) {
                                f.no_data++;
                                continue;
                        }
                        root = json_object_from_file(*p);
                        assert_non_null(root);
                        compare_with_smartctl(base, s, root, &f);
                        json_object_put(root);
                }
        }
        print_message("smartctl JSON: %u files, %u parsed (ATA %u, SCSI %u, NVMe %u), %u rejected, %u unreadable "
                      "per smartctl's exit status, %u without health data\n",
                      f.files, f.parsed, protocols[HEALTH_PROTOCOL_ATA], protocols[HEALTH_PROTOCOL_SCSI],
                      protocols[HEALTH_PROTOCOL_NVME], f.rejected, f.unreadable, f.no_data);
        print_message("  assessments: ok %u, warning %u, failing %u, failed %u, unknown %u\n", levels[HEALTH_OK],
                      levels[HEALTH_WARNING], levels[HEALTH_FAILING], levels[HEALTH_FAILED], levels[HEALTH_UNKNOWN]);
        print_tally("verdict (failing?)", &f.verdict);
        print_tally("temperature", &f.temperature);
        print_tally("power-on hours", &f.power_on);
        print_tally("reallocated (5)", &f.reallocated);
        print_tally("pending (197)", &f.pending);
        print_tally("offline unc. (198)", &f.offline_unc);
        print_tally("reported unc. (187)", &f.reported_unc);
        print_tally("NVMe critical warning", &f.critical_warning);
        print_tally("NVMe media errors", &f.media_errors);

        assert_int_equal(f.files, EXPECTED_JSON_FILES);
        assert_true(f.verdict.agreed >= MIN_JSON_VERDICT_AGREE);
        assert_int_equal(f.verdict.agreed, f.verdict.compared);
        /* models__smart-ata-date2.json is internally inconsistent (README). */
        assert_true(f.temperature.compared - f.temperature.agreed <= 1);
        assert_true(f.power_on.compared - f.power_on.agreed <= 1);
        assert_int_equal(f.critical_warning.agreed, f.critical_warning.compared);
        assert_int_equal(f.media_errors.agreed, f.media_errors.compared);
}

/* ---- broken inputs ------------------------------------------------------ */

static void check_no_crash(const void *buf, size_t len, const char *name) {
        _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
        HealthParseError e = {};
        int r = health_parse_buffer(buf, len, name, &s, &e);

        assert_int_not_equal(r, -ENOMEM);
        if (r >= 0) {
                assert_non_null(s);
                assert_true(s->assessment >= 0 && s->assessment < _HEALTH_ASSESSMENT_MAX);
        } else
                assert_true(e.message[0] != '\0');
}

static void test_corpus_broken(void **state) {
        const char *dir = corpus_dir();
        static const char *const files[] = {
                "libatasmart-blob-examples/ST9100821AS--3.CME",
                "libatasmart-blob-examples/WDC_WD2500JB--00REA0-20.00K20",
                "libblockdev-smart_dumps/WDC_WD20EARS-00MVWB0.bin",
                "libblockdev-smart_dumps/SEAGATE_ST600MP0036.json",
                "libblockdev-smart_dumps/TOSHIBA_THNSNH128GBST.json",
                "smartctl_exporter-testdata/nvme-null-SAMSUNG_MZWLL3T2HAJQ-00005-nvme0.json",
                "scrutiny-testdata/models__smart-fail2.json",
        };
        unsigned cases = 0, truncated_json_rejected = 0, truncated_json = 0;

        SKIP_WITHOUT_CORPUS(dir);
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *p = NULL, *buf = NULL, *garbage = NULL;
                size_t size;
                bool json = endswith(files[i], ".json");

                assert_true(asprintf(&p, "%s/%s", dir, files[i]) > 0);
                assert_int_equal(read_full_file(p, 1 << 20, &buf, &size), 0);

                /* Every truncation of the blobs, a spread of the JSON. */
                for (size_t l = 0; l < size; l += json ? 1 + size / 97 : 7) {
                        _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;

                        check_no_crash(buf, l, p);
                        cases++;
                        if (json && l > 0) {
                                HealthParseError e = {};
                                truncated_json++;
                                if (health_parse_buffer(buf, l, p, &s, &e) == -EBADMSG)
                                        truncated_json_rejected++;
                        }
                }
                /* Bit flips and random garbage of the same size. */
                garbage = malloc(size);
                assert_non_null(garbage);
                memcpy(garbage, buf, size);
                srand(42 + (unsigned) i);
                for (unsigned n = 0; n < 100; n++) {
                        size_t at = (size_t) rand() % size;
                        garbage[at] ^= (char) (1u << (rand() % 8));
                        check_no_crash(garbage, size, p);
                        cases++;
                }
                for (size_t j = 0; j < size; j++)
                        garbage[j] = (char) rand();
                if (!json)
                        memcpy(garbage, "IDFY", 4);
                check_no_crash(garbage, size, p);
                cases++;
        }
        /* Oversized: larger than any capture may be. */
        {
                _cleanup_free_ char *big = malloc(HEALTH_FILE_MAX + 1);
                _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
                HealthParseError e = {};

                assert_non_null(big);
                memset(big, ' ', HEALTH_FILE_MAX + 1);
                big[0] = '{';
                assert_int_equal(health_parse_buffer(big, HEALTH_FILE_MAX + 1, "big", &s, &e), -EFBIG);
                memcpy(big, "IDFY", 4);
                assert_int_equal(health_parse_buffer(big, HEALTH_FILE_MAX + 1, "big", &s, &e), -EFBIG);
                assert_int_equal(health_parse_buffer(big, 8 + 512 + 8 + 512 + 8 + 512 + 8 + 4 + 1, "big", &s, &e),
                                 -EBADMSG);
                cases += 3;
        }
        print_message("broken inputs: %u truncated/flipped/garbage/oversized cases, no crash; %u of %u truncated "
                      "JSON documents rejected as malformed\n",
                      cases, truncated_json_rejected, truncated_json);
        assert_int_equal(truncated_json_rejected, truncated_json);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_corpus_blobs),
                cmocka_unit_test(test_corpus_json),
                cmocka_unit_test(test_corpus_broken),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

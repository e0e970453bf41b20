/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Backblaze CSV reader (good rows, malformed rows named by file:line)
 * and the ATA health policy on real rows.  The rows come from the shared
 * corpus (../shared/corpus, or $STORGUARD_CORPUS) at run time; nothing of
 * it is committed.  Without the corpus the tests skip. */

#include "test-helpers.h"

#include "alloc-util.h"
#include "ata-policy.h"
#include "backblaze-csv.h"
#include "diagnosis-config.h"
#include "string-util.h"

static char *corpus_file(const char *rel) {
        const char *base = getenv("STORGUARD_CORPUS") ?: TOP_SRCDIR "/../shared/corpus";
        char *p;

        assert_true(asprintf(&p, "%s/%s", base, rel) > 0);
        if (access(p, R_OK) < 0) {
                free(p);
                return NULL;
        }
        return p;
}

#define ST8000 "backblaze-2019-sample/ST8000NM0055_last_day_all_q_raw.csv"
#define DEV "backblaze-2013-2016-dev/drives.csv.gz"

static void test_dates(void **state) {
        int32_t d;
        char buf[11];

        assert_int_equal(bb_parse_date("1970-01-01", 10, &d), 0);
        assert_int_equal(d, 0);
        assert_int_equal(bb_parse_date("2019-12-31", 10, &d), 0);
        assert_int_equal(d, 18261);
        assert_string_equal(bb_format_date(buf, d), "2019-12-31");
        assert_int_equal(bb_parse_date("2016-02-29", 10, &d), 0);
        assert_string_equal(bb_format_date(buf, d), "2016-02-29");
        assert_int_equal(bb_parse_date("2019-13-01", 10, &d), -EINVAL);
        assert_int_equal(bb_parse_date("2019-02-30", 10, &d), -EINVAL);
        assert_int_equal(bb_parse_date("2019-1-01", 9, &d), -EINVAL);
        assert_int_equal(bb_parse_date("20x9-01-01", 10, &d), -EINVAL);
}

static void test_read_real_file(void **state) {
        _cleanup_free_ char *path = corpus_file(ST8000);
        _cleanup_(bb_csv_freep) BbCsv *c = NULL;
        BbRow row;
        size_t n = 0, failed = 0;
        FILE *f;

        if (!path)
                skip();
        f = fopen(path, "re");
        assert_non_null(f);
        assert_int_equal(bb_csv_open(f, path, &c), 0);
        assert_int_equal(bb_csv_next(c, &row), 1);
        /* 2019-12-31,ZA101R30,ST8000NM0055,...: smart_5_raw 0.0, smart_9_raw 23429.0 */
        assert_string_equal(row.serial, "ZA101R30");
        assert_string_equal(row.model, "ST8000NM0055");
        assert_false(row.failure);
        assert_int_equal(row.sample.raw[ATA_ATTR_REALLOCATED], 0);
        assert_int_equal(row.sample.raw[ATA_ATTR_POWER_ON_HOURS], 23429);
        assert_int_equal(row.sample.raw[ATA_ATTR_PENDING], 0);
        n = 1;
        while (bb_csv_next(c, &row) > 0) {
                n++;
                failed += row.failure;
        }
        assert_int_equal(n, 14679);
        assert_int_equal(failed, 221);
        assert_int_equal(bb_csv_bad_rows(c), 0);
        fclose(f);
}

/* Out of line: gcc 12 sees through the inlined asprintf() of scratch_dir()
 * and warns about a dangling pointer that is not there. */
static __attribute__((noinline)) char *make_scratch_dir(void) {
        return scratch_dir();
}

/* Real rows, then the same rows damaged: each damage is named by line. */
static void test_malformed_rows(void **state) {
        _cleanup_free_ char *path = corpus_file(ST8000), *header = NULL, *good = NULL, *csv = NULL;
        _cleanup_free_ char *p = NULL;
        _cleanup_(bb_csv_freep) BbCsv *c = NULL;
        char *dir;
        size_t cap = 0;
        LogCapture log;
        const char *out;
        BbRow row;
        FILE *f;
        int n = 0;

        if (!path)
                skip();
        f = fopen(path, "re");
        assert_non_null(f);
        assert_true(getline(&header, &cap, f) > 0);
        cap = 0;
        assert_true(getline(&good, &cap, f) > 0);
        fclose(f);
        good[strcspn(good, "\n")] = '\0';

        /* line 2 good; 3 wrong field count; 4 bad date; 5 failure=2; 6 raw
         * "abc"; 7 good again */
        char *damaged[4];
        damaged[0] = strdup(good);
        *strrchr(damaged[0], ',') = '\0';
        assert_true(asprintf(&damaged[1], "2019-13-31%s", good + 10) > 0);
        damaged[2] = strdup(good);
        *(strstr(damaged[2], ",0,") + 1) = '2';
        damaged[3] = strdup(good);
        memcpy(strstr(damaged[3], ",0.0,") + 1, "abc", 3);
        assert_true(asprintf(&csv, "%s%s\n%s\n%s\n%s\n%s\n%s\n", header, good, damaged[0], damaged[1], damaged[2],
                             damaged[3], good) > 0);
        for (int i = 0; i < 4; i++)
                free(damaged[i]);

        dir = make_scratch_dir();
        p = write_file(dir, "rows.csv", csv);
        f = fopen(p, "re");
        assert_non_null(f);
        log_capture_start(&log);
        assert_int_equal(bb_csv_open(f, p, &c), 0);
        while (bb_csv_next(c, &row) > 0)
                n++;
        out = log_capture_end(&log);
        assert_int_equal(n, 2);
        assert_int_equal(bb_csv_bad_rows(c), 4);
        assert_non_null(strstr(out, "rows.csv:3: wrong number of fields"));
        assert_non_null(strstr(out, "rows.csv:4: bad date '2019-13-31'"));
        assert_non_null(strstr(out, "rows.csv:5: failure must be 0 or 1, not '2'"));
        assert_non_null(strstr(out, "rows.csv:6: bad raw SMART value 'abc'"));
        log_capture_free(&log);
        fclose(f);

        /* A header without the needed columns is refused at line 1. */
        free(p);
        p = write_file(dir, "nohdr.csv", "day,serial\n2019-01-01,X\n");
        f = fopen(p, "re");
        log_capture_start(&log);
        c = bb_csv_free(c);
        assert_int_equal(bb_csv_open(f, p, &c), -EBADMSG);
        assert_non_null(strstr(log_capture_end(&log), "nohdr.csv:1: header lacks"));
        log_capture_free(&log);
        fclose(f);
        rm_rf(dir);
        free(dir);
}

static AtaSample sample(int32_t day, uint64_t r5, uint64_t r187, uint64_t r197, uint64_t r198) {
        AtaSample s = { .time_usec = (usec_t) day * USEC_PER_DAY };

        for (size_t a = 0; a < _ATA_ATTR_MAX; a++)
                s.raw[a] = ATA_VALUE_NONE;
        s.raw[ATA_ATTR_REALLOCATED] = r5;
        s.raw[ATA_ATTR_UNCORRECTABLE] = r187;
        s.raw[ATA_ATTR_PENDING] = r197;
        s.raw[ATA_ATTR_OFFLINE_UNC] = r198;
        return s;
}

static int32_t day_of(const char *date) {
        int32_t d;

        assert_int_equal(bb_parse_date(date, strlen(date), &d), 0);
        return d;
}

/* Real histories from the corpus's dev set (drives.csv.gz), typed in as the
 * values of their change points. */
static void test_policy_real_histories(void **state) {
        AtaPolicyParams p;
        char why[ATA_POLICY_REASON_MAX];
        AtaPolicyState st = {};
        AtaSample s;

        ata_policy_params_default(&p);

        /* 5XW02KDD (ST31500541AS, failed 2013-10-15): reallocated 827 on
         * 2013-04-10, the day it entered the data: a large stock warns. */
        s = sample(15805, 827, ATA_VALUE_NONE, 0, ATA_VALUE_NONE);
        assert_true(ata_policy_evaluate(&p, &st, &s, why, sizeof(why)));
        assert_string_equal(why, "reallocated sectors 827 (>= 32)");

        /* 5XW0398Q (ST31500541AS): reallocated 22 -> 39 -> 46 -> 47 */
        st = (AtaPolicyState) {};
        p.reallocated_min = 1000; /* look at growth only */
        p.reallocated_growth_min = 2;
        s = sample(15805, 22, ATA_VALUE_NONE, 0, ATA_VALUE_NONE);
        assert_false(ata_policy_evaluate(&p, &st, &s, why, sizeof(why)));
        s = sample(15993, 39, ATA_VALUE_NONE, 0, ATA_VALUE_NONE); /* 2013-10-15: 188 days later */
        assert_false(ata_policy_evaluate(&p, &st, &s, why, sizeof(why)));
        s = sample(16036, 46, ATA_VALUE_NONE, 0, ATA_VALUE_NONE); /* 2013-11-27 */
        assert_true(ata_policy_evaluate(&p, &st, &s, why, sizeof(why)));
        assert_string_equal(why, "reallocated sectors 39 -> 46 within 90d (growth >= 2)");

        /* a small stable count alone never warns (the main source of the
         * Backblaze rule's false alarms) -- but Backblaze's rule does */
        ata_policy_params_default(&p);
        st = (AtaPolicyState) {};
        for (int32_t day = 15805; day < 16500; day += 30) {
                s = sample(day, 8, 0, 0, 0);
                assert_false(ata_policy_evaluate(&p, &st, &s, why, sizeof(why)));
        }
        assert_true(ata_policy_backblaze_rule(&s, why, sizeof(why)));
        assert_string_equal(why, "reallocated sectors 8 (>= 1)");

        /* pending + offline uncorrectable: both named */
        s = sample(16600, 8, 0, 8, 8);
        assert_true(ata_policy_evaluate(&p, &st, &s, why, sizeof(why)));
        assert_string_equal(why, "reallocated sectors 8, pending sectors 8 and offline uncorrectable sectors 8 at "
                                 "once (>= 2 of 5/187/197/198)");
        /* a reported uncorrectable error */
        st = (AtaPolicyState) {};
        s = sample(16600, 0, 2, 0, 0);
        assert_true(ata_policy_evaluate(&p, &st, &s, why, sizeof(why)));
        assert_string_equal(why, "reported uncorrectable errors 2 (>= 1)");
        /* attributes a drive does not report are not zero, just absent */
        st = (AtaPolicyState) {};
        s = sample(16600, ATA_VALUE_NONE, ATA_VALUE_NONE, ATA_VALUE_NONE, ATA_VALUE_NONE);
        assert_false(ata_policy_evaluate(&p, &st, &s, why, sizeof(why)));
        assert_false(ata_policy_backblaze_rule(&s, why, sizeof(why)));
}

/* The rules added to the defaults, on real drives of the dev set. */
static void test_policy_rules_on_real_drives(void **state) {
        AtaPolicyParams p;
        char why[ATA_POLICY_REASON_MAX];
        AtaPolicyState st = {};
        AtaSample s;

        ata_policy_params_default(&p);

        /* 5XW03NR4 (ST31500541AS, did not fail): one pending sector on
         * 2013-10-22 is not yet a warning, two on 2013-12-20 are. */
        s = sample(day_of("2013-04-10"), 0, ATA_VALUE_NONE, 0, ATA_VALUE_NONE);
        assert_false(ata_policy_evaluate(&p, &st, &s, why, sizeof(why)));
        s = sample(day_of("2013-10-22"), 0, ATA_VALUE_NONE, 1, ATA_VALUE_NONE);
        assert_false(ata_policy_evaluate(&p, &st, &s, why, sizeof(why)));
        assert_true(ata_policy_backblaze_rule(&s, why, sizeof(why)));
        s = sample(day_of("2013-12-20"), 0, ATA_VALUE_NONE, 2, ATA_VALUE_NONE);
        assert_true(ata_policy_evaluate(&p, &st, &s, why, sizeof(why)));
        assert_string_equal(why, "pending sectors 2 (>= 2)");

        /* Z1F1B6JW (ST3000DM001, failed 2014-11-12): 38 command timeouts
         * and every error counter at zero on 2014-02-13, 272 days ahead. */
        st = (AtaPolicyState) {};
        s = sample(day_of("2014-02-13"), 0, 0, 0, 0);
        s.raw[ATA_ATTR_COMMAND_TIMEOUT] = 38;
        assert_false(ata_policy_backblaze_rule(&s, why, sizeof(why)));
        assert_true(ata_policy_evaluate(&p, &st, &s, why, sizeof(why)));
        assert_string_equal(why, "command timeouts 38 (>= 20)");

        /* 9XW01L1L (ST31500541AS): 188 raw 131075 is Seagate's packed
         * 2:3, five timeouts; reallocated 5 -> 27 then one pending and one
         * offline uncorrectable sector on 2014-02-24 warn as a combination. */
        assert_int_equal(ata_policy_command_timeouts(131075), 5);
        assert_int_equal(ata_policy_command_timeouts(38), 38);
        assert_true(ata_policy_command_timeouts(ATA_VALUE_NONE) == ATA_VALUE_NONE);
        st = (AtaPolicyState) {};
        static const struct {
                const char *date;
                uint64_t r5, r197;
        } h[] = {
                { "2014-01-10", 0, 0 },  { "2014-01-18", 5, 0 },  { "2014-01-29", 11, 0 },
                { "2014-02-10", 14, 0 }, { "2014-02-16", 20, 0 }, { "2014-02-23", 27, 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(h); i++) {
                s = sample(day_of(h[i].date), h[i].r5, 0, h[i].r197, 0);
                s.raw[ATA_ATTR_COMMAND_TIMEOUT] = 131075;
                assert_false(ata_policy_evaluate(&p, &st, &s, why, sizeof(why)));
        }
        s = sample(day_of("2014-02-24"), 27, 0, 1, 1);
        s.raw[ATA_ATTR_COMMAND_TIMEOUT] = 131075;
        assert_true(ata_policy_evaluate(&p, &st, &s, why, sizeof(why)));
        assert_string_equal(why, "reallocated sectors 27, pending sectors 1 and offline uncorrectable sectors 1 at "
                                 "once (>= 2 of 5/187/197/198)");

        /* Each rule can be turned off with 0. */
        p.combined_min = p.offline_unc_min = 0;
        st = (AtaPolicyState) {};
        assert_false(ata_policy_evaluate(&p, &st, &s, why, sizeof(why)));
}

/* The growth window holds on daily samples, as the daemon feeds them: a
 * constructed series (one reallocated sector more every ten days) grows by
 * 8 within 90 days only when the whole window is remembered. */
static void test_policy_growth_window_daily(void **state) {
        AtaPolicyParams p;
        char why[ATA_POLICY_REASON_MAX];
        AtaPolicyState st = {};
        AtaSample s;

        ata_policy_params_default(&p);
        for (int32_t day = 0; day < 80; day++) {
                s = sample(19000 + day, 1 + (uint64_t) day / 10, 0, 0, 0);
                assert_false(ata_policy_evaluate(&p, &st, &s, why, sizeof(why)));
        }
        s = sample(19080, 9, 0, 0, 0);
        assert_true(ata_policy_evaluate(&p, &st, &s, why, sizeof(why)));
        assert_string_equal(why, "reallocated sectors 1 -> 9 within 90d (growth >= 8)");
}

/* On the real 2019 file: the failed ZA11SBWJ (reallocated 30872, 187 = 4)
 * warns; the healthy ZA101R30 (all zero) does not. */
static void test_policy_real_file(void **state) {
        _cleanup_free_ char *path = corpus_file(ST8000);
        _cleanup_(bb_csv_freep) BbCsv *c = NULL;
        AtaPolicyParams p;
        BbRow row;
        unsigned seen = 0;
        FILE *f;

        if (!path)
                skip();
        ata_policy_params_default(&p);
        f = fopen(path, "re");
        assert_int_equal(bb_csv_open(f, path, &c), 0);
        while (bb_csv_next(c, &row) > 0) {
                AtaPolicyState st = {};
                char why[ATA_POLICY_REASON_MAX];
                bool w = ata_policy_evaluate(&p, &st, &row.sample, why, sizeof(why));

                if (streq(row.serial, "ZA11SBWJ")) {
                        assert_true(row.failure);
                        assert_true(w);
                        assert_string_equal(why, "reallocated sectors 30872 and reported uncorrectable errors 4 at "
                                                 "once (>= 2 of 5/187/197/198)");
                        seen++;
                } else if (streq(row.serial, "ZA101R30")) {
                        assert_false(w);
                        seen++;
                }
        }
        assert_int_equal(seen, 2);
        fclose(f);
}

/* Thresholds come from storguard.conf; bad values name file:line. */
static void test_config(void **state) {
        char *dir = make_scratch_dir();
        _cleanup_free_ char *p = NULL, *q = NULL;
        DiagnosisConfig c;
        LogCapture log;

        p = write_file(dir, "storguard.conf",
                       "[AtaPolicy]\n"
                       "ReallocatedMin=64\n"
                       "CombinedMin=3\n"
                       "CommandTimeoutMin=0\n"
                       "GrowthWindowSec=30d\n"
                       "[Diagnosis]\n"
                       "CorrelationDisks=3\n"
                       "MediaErrorsSec=12h\n"
                       "FailSlowRatio=2.5\n");
        assert_int_equal(diagnosis_config_load(&c, p, false), 0);
        assert_int_equal(c.ata.reallocated_min, 64);
        assert_int_equal(c.ata.combined_min, 3);
        assert_int_equal(c.ata.command_timeout_min, 0);
        assert_int_equal(c.ata.pending_min, ATA_POLICY_PENDING_MIN);
        assert_int_equal(c.ata.growth_window_usec, 30 * USEC_PER_DAY);
        assert_int_equal(c.diag.correlation_disks, 3);
        assert_int_equal(c.diag.media.t_usec, 12 * USEC_PER_HOUR);
        assert_int_equal(c.diag.media.n, DIAG_MEDIA_SERD_N);
        assert_true(c.failslow.ratio == 2.5);

        q = write_file(dir, "bad.conf", "[AtaPolicy]\nReallocatedMin=many\n");
        log_capture_start(&log);
        assert_int_equal(diagnosis_config_load(&c, q, false), -EINVAL);
        assert_non_null(strstr(log_capture_end(&log), "bad.conf:2"));
        log_capture_free(&log);
        rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_dates),
                cmocka_unit_test(test_read_real_file),
                cmocka_unit_test(test_malformed_rows),
                cmocka_unit_test(test_policy_real_histories),
                cmocka_unit_test(test_policy_rules_on_real_drives),
                cmocka_unit_test(test_policy_growth_window_daily),
                cmocka_unit_test(test_policy_real_file),
                cmocka_unit_test(test_config),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

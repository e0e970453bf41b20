/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ATA policy on live history, as the daemon runs it after each poll:
 * real SMART blobs are parsed by the driver (health_read_file()), turned
 * into the snapshot JSON the poll worker sends, recorded in a real store
 * (manager_history_record()), read back as the policy's daily series
 * (manager_history_ata_series()) and tracked (ata_policy_track()).
 *
 * The blobs: the QEMU drive of tests/fixtures/ata (all counters zero), and
 * from ../shared/corpus/libatasmart-blob-examples two captures of one
 * Maxtor 96147H8 (2.8 and 3.1 months of power-on time: 69 reallocated,
 * 2 pending sectors) and a Seagate ST9160821AS (1 pending, 1 offline
 * uncorrectable).  They are strung into one timed table of polls of one
 * disk: real values, an invented order.  Without the corpus the test skips. */

#include "test-helpers.h"

#include "alloc-util.h"
#include "ata-policy.h"
#include "health-json.h"
#include "health-read.h"
#include "hex-fixture.h"
#include "manager.h"
#include "store.h"

#define FIX TOP_SRCDIR "/tests/fixtures/"
#define HEALTHY FIX "ata/WDC_WD20EFRX-68EUZN0--82.00A82"
#define MAXTOR_1 "libatasmart-blob-examples/Maxtor_96147H8--BAC51KJ0"
#define MAXTOR_2 "libatasmart-blob-examples/Maxtor_96147H8--BAC51KJ0--2"
#define SEAGATE "libatasmart-blob-examples/ST9160821AS--3.CLH"
#define DAY0 (20000 * USEC_PER_DAY) /* 2024-10-04 */

static void record_blob(Store *store, const char *path, usec_t t) {
        _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
        json_object *j;

        assert_int_equal(health_read_file(path, &s, NULL), 0);
        j = health_snapshot_to_json(s);
        assert_non_null(j);
        assert_int_equal(manager_history_record(store, "disk-1", j, t), 0);
        json_object_put(j);
}

static void test_timed_table(void **state) {
        const char *corpus = test_corpus_dir();
        char maxtor1[4200], maxtor2[4200], seagate[4200];
        static const struct {
                int blob; /* 0 healthy, 1 maxtor 1, 2 maxtor 2, 3 seagate */
                usec_t at;
                size_t days;        /* samples the policy sees */
                const char *raised; /* NULL: nothing raised at this poll */
        } polls[] = {
                { 0, DAY0, 1, NULL },
                { 0, DAY0 + 1 * USEC_PER_HOUR, 1, NULL }, /* same day: replaces the day's sample */
                { 0, DAY0 + USEC_PER_DAY, 2, NULL },
                { 1, DAY0 + 2 * USEC_PER_DAY, 3,
                  "reallocated sectors 69 and pending sectors 2 at once (>= 2 of 5/187/197/198)" },
                { 2, DAY0 + 3 * USEC_PER_DAY, 4, NULL }, /* still warns: the same episode */
                { 2, DAY0 + 3 * USEC_PER_DAY + USEC_PER_HOUR, 4, NULL },
                { 0, DAY0 + 4 * USEC_PER_DAY, 5, NULL }, /* all well: the episode ends */
                { 3, DAY0 + 5 * USEC_PER_DAY, 6,
                  "pending sectors 1 and offline uncorrectable sectors 1 at once (>= 2 of 5/187/197/198)" },
                { 3, DAY0 + 6 * USEC_PER_DAY, 7, NULL },
        };
        const char *blobs[4] = { HEALTHY, maxtor1, maxtor2, seagate };
        _cleanup_(store_closep) Store *store = NULL;
        AtaPolicyParams p;
        AtaPolicyTracker t = {};
        char *dir;

        if (!corpus)
                skip();
        snprintf(maxtor1, sizeof(maxtor1), "%s/%s", corpus, MAXTOR_1);
        snprintf(maxtor2, sizeof(maxtor2), "%s/%s", corpus, MAXTOR_2);
        snprintf(seagate, sizeof(seagate), "%s/%s", corpus, SEAGATE);
        ata_policy_params_default(&p);
        dir = scratch_dir();
        assert_int_equal(store_open(dir, STORE_SYNC_NORMAL, &store, NULL), 0);

        for (size_t i = 0; i < ELEMENTSOF(polls); i++) {
                _cleanup_free_ AtaSample *series = NULL;
                char why[ATA_POLICY_REASON_MAX] = "";
                size_t n = 0;
                bool raised;

                record_blob(store, blobs[polls[i].blob], polls[i].at);
                assert_int_equal(manager_history_ata_series(store, "disk-1", &series, &n), 0);
                assert_int_equal(n, polls[i].days);
                assert_true(series[n - 1].time_usec == polls[i].at);
                raised = ata_policy_track(&p, &t, series, n, why, sizeof(why));
                if (polls[i].raised) {
                        assert_true(raised);
                        assert_string_equal(why, polls[i].raised);
                } else
                        assert_false(raised);
        }
        rm_rf(dir);
        free(dir);
}

/* The newest sample of the series carries the drive's values, attribute
 * by attribute, and what a drive does not report stays absent. */
static void test_series_values(void **state) {
        const char *corpus = test_corpus_dir();
        char maxtor[4200]; /* then the Samsung */
        _cleanup_(store_closep) Store *store = NULL;
        _cleanup_free_ AtaSample *series = NULL;
        size_t n = 0;
        char *dir;

        if (!corpus)
                skip();
        snprintf(maxtor, sizeof(maxtor), "%s/%s", corpus, MAXTOR_1);
        dir = scratch_dir();
        assert_int_equal(store_open(dir, STORE_SYNC_NORMAL, &store, NULL), 0);
        record_blob(store, maxtor, DAY0);
        assert_int_equal(manager_history_ata_series(store, "disk-1", &series, &n), 0);
        assert_int_equal(n, 1);
        /* skdump: 5 raw 69, 197 raw 2, 198 raw 0, no 187, no 188 */
        assert_int_equal(series[0].raw[ATA_ATTR_REALLOCATED], 69);
        assert_int_equal(series[0].raw[ATA_ATTR_PENDING], 2);
        assert_int_equal(series[0].raw[ATA_ATTR_OFFLINE_UNC], 0);
        assert_true(series[0].raw[ATA_ATTR_UNCORRECTABLE] == ATA_VALUE_NONE);
        assert_true(series[0].raw[ATA_ATTR_COMMAND_TIMEOUT] == ATA_VALUE_NONE);
        /* SAMSUNG HD501LJ reports 188 (raw 0): recorded as command_timeouts */
        series = mfree(series);
        snprintf(maxtor, sizeof(maxtor), "%s/libatasmart-blob-examples/SAMSUNG_HD501LJ--CR100-12", corpus);
        record_blob(store, maxtor, DAY0 + USEC_PER_DAY);
        assert_int_equal(manager_history_ata_series(store, "disk-1", &series, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(series[1].raw[ATA_ATTR_COMMAND_TIMEOUT], 0);
        assert_int_equal(series[1].raw[ATA_ATTR_REALLOCATED], 1);
        /* another disk has no history */
        series = mfree(series);
        assert_int_equal(manager_history_ata_series(store, "disk-2", &series, &n), 0);
        assert_int_equal(n, 0);
        rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_timed_table),
                cmocka_unit_test(test_series_values),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The known-errors database: the shipped entries parse cleanly, bad files
 * are named by file:line, user entries override shipped ones, and the
 * matcher counts down to a power-on-hours limit. */

#include "test-helpers.h"

#include "alloc-util.h"
#include "known-errors.h"
#include "string-util.h"

static const char *const shipped[] = { TOP_SRCDIR "/rules/known-errors", NULL };

static const KnownError *find(const KnownErrorDb *db, const char *id) {
        for (size_t i = 0; i < db->n; i++)
                if (streq(db->entries[i]->id, id))
                        return db->entries[i];
        return NULL;
}

static void test_shipped(void **state) {
        KnownErrorDb db = {};
        LogCapture log;

        log_capture_start(&log);
        assert_int_equal(known_error_db_load_dirs(&db, shipped), 0);
        assert_null(strstr(log_capture_end(&log), "known-errors/"));
        log_capture_free(&log);
        assert_true(db.n >= 9);
        for (size_t i = 0; i < db.n; i++) {
                assert_non_null(db.entries[i]->title);
                assert_non_null(db.entries[i]->workaround);
                assert_true(strv_length(db.entries[i]->references) >= 1);
        }
        assert_int_equal(find(&db, "HPE-SAS-SSD-32768H")->power_on_hours_limit, 32768);
        assert_string_equal(find(&db, "HPE-SAS-SSD-40000H")->firmware_below, "HPD7");
        known_error_db_done(&db);
}

static KnownErrorMatch match_one(const KnownErrorDb *db, const char *vendor, const char *model, const char *fw,
                                 uint64_t poh, size_t *n) {
        KnownErrorMatch m[4] = {};
        KnownErrorDevice dev = { .vendor = vendor, .model = model, .firmware = fw, .transport = TRANSPORT_SAS,
                                 .power_on_hours = poh };

        *n = known_error_match(db, &dev, m, ELEMENTSOF(m));
        return m[0];
}

static void test_countdown(void **state) {
        KnownErrorDb db = {};
        KnownErrorMatch m;
        size_t n;

        assert_int_equal(known_error_db_load_dirs(&db, shipped), 0);

        /* far from the limit: affected, hours left reported */
        m = match_one(&db, "HP", "MO0800JFFCH", "HPD4", 20000, &n);
        assert_int_equal(n, 1);
        assert_string_equal(m.entry->id, "HPE-SAS-SSD-32768H");
        assert_int_equal(m.status, KNOWN_ERROR_AFFECTED);
        assert_int_equal(m.hours_left, 12768);
        /* within 90 days of power-on time: countdown */
        m = match_one(&db, "HP", "MO0800JFFCH", "HPD4", 31000, &n);
        assert_int_equal(m.status, KNOWN_ERROR_COUNTDOWN);
        assert_int_equal(m.hours_left, 1768);
        m = match_one(&db, "HP", "MO0800JFFCH", "HPD7", 32768, &n);
        assert_int_equal(m.status, KNOWN_ERROR_LIMIT_REACHED);
        m = match_one(&db, "HP", "MO0800JFFCH", "HPD7", UINT64_MAX, &n);
        assert_int_equal(m.status, KNOWN_ERROR_AGE_UNKNOWN);
        /* fixed firmware, other vendor, other model: no match */
        match_one(&db, "HP", "MO0800JFFCH", "HPD8", 32000, &n);
        assert_int_equal(n, 0);
        match_one(&db, "SEAGATE", "MO0800JFFCH", "HPD4", 32000, &n);
        assert_int_equal(n, 0);
        match_one(&db, "HP", "MO0800JFFCX", "HPD4", 32000, &n);
        assert_int_equal(n, 0);

        /* the 40,000-hour HPE entry, and Crucial m4 from drivedb.h */
        m = match_one(&db, "HPE", "EK0800JVYPN", "HPD6", 39000, &n);
        assert_int_equal(n, 1);
        assert_int_equal(m.status, KNOWN_ERROR_COUNTDOWN);
        m = match_one(&db, NULL, "M4-CT256M4SSD2", "0009", 5000, &n);
        assert_int_equal(n, 1);
        assert_string_equal(m.entry->id, "CRUCIAL-M4-5184H");
        assert_int_equal(m.status, KNOWN_ERROR_COUNTDOWN);
        assert_int_equal(m.hours_left, 184);
        match_one(&db, NULL, "M4-CT256M4SSD2", "0309", 5000, &n);
        assert_int_equal(n, 0);
        m = match_one(&db, NULL, "ST31000340AS", "SD15", 100, &n);
        assert_int_equal(n, 1);
        assert_int_equal(m.status, KNOWN_ERROR_AFFECTED);
        match_one(&db, NULL, "ST31000340AS", "SD1A", 100, &n);
        assert_int_equal(n, 0);

        assert_true(known_error_firmware_below("HPD7", "HPD8"));
        assert_false(known_error_firmware_below("HPD8", "HPD8"));
        assert_true(known_error_firmware_below("9", "0309"));
        known_error_db_done(&db);
}

/* Out of line: gcc 12 sees through the inlined asprintf() of scratch_dir()
 * and warns about a dangling pointer that is not there. */
static __attribute__((noinline)) char *make_scratch_dir(void) {
        return scratch_dir();
}

static void test_user_entries(void **state) {
        char *dir = make_scratch_dir();
        _cleanup_free_ char *p1 = NULL, *p2 = NULL;
        const char *dirs[] = { TOP_SRCDIR "/rules/known-errors", NULL, NULL };
        KnownErrorDb db = {};
        LogCapture log;
        const char *out;

        /* The operator extends the HPE entry with a model and adds an
         * evidence-matched entry of their own. */
        dirs[1] = dir;
        p1 = write_file(dir, "10-site.conf",
                        "[HPE-SAS-SSD-32768H]\n"
                        "Title=HPE SAS SSD 32,768-hour bug (site list)\n"
                        "Model=MO0400JFFCF EO0400JDVFB\n"
                        "FirmwareBelow=HPD8\n"
                        "PowerOnHoursLimit=32768\n"
                        "Workaround=Flash HPD8\n"
                        "Reference=local change ticket\n"
                        "\n"
                        "[SITE-TIMEOUTS]\n"
                        "Title=Our HBA firmware times out under load\n"
                        "Model=*\n"
                        "Evidence=scsi.cmd.timeout scsi.eh.abort\n"
                        "Workaround=Set the queue depth to 16\n");
        log_capture_start(&log);
        assert_int_equal(known_error_db_load_dirs(&db, dirs), 0);
        log_capture_free(&log);
        assert_int_equal(strv_length(find(&db, "HPE-SAS-SSD-32768H")->models), 2);
        {
                EreportClass seen[] = { EREPORT_SCSI_ABORT };
                KnownErrorMatch m[4];
                KnownErrorDevice dev = { .model = "ANY", .power_on_hours = UINT64_MAX };
                assert_int_equal(known_error_match(&db, &dev, m, 4), 0);
                dev.seen = seen;
                dev.n_seen = 1;
                assert_int_equal(known_error_match(&db, &dev, m, 4), 1);
                assert_string_equal(m[0].entry->id, "SITE-TIMEOUTS");
        }
        known_error_db_done(&db);

        /* Bad lines are named by file and line; parsing goes on. */
        p2 = write_file(dir, "20-bad.conf",
                        "[BAD-1]\n"
                        "Title=missing workaround and model\n"
                        "[BAD-2]\n"
                        "Title=t\n"
                        "Model=X\n"
                        "Workaround=w\n"
                        "PowerOnHoursLimit=soon\n"
                        "Transport=carrier-pigeon\n"
                        "Colour=blue\n"
                        "this line is no key\n");
        log_capture_start(&log);
        assert_int_equal(known_error_db_load_file(&db, p2), -EINVAL);
        out = log_capture_end(&log);
        assert_non_null(strstr(out, "20-bad.conf:2: entry [BAD-1] needs Title=, Model= and Workaround="));
        assert_non_null(strstr(out, "20-bad.conf:7: expected a positive number of hours: 'soon'"));
        assert_non_null(strstr(out, "20-bad.conf:8: unknown transport: 'carrier-pigeon'"));
        assert_non_null(strstr(out, "20-bad.conf:9: unknown key 'Colour'"));
        assert_non_null(strstr(out, "20-bad.conf:10: not a key=value line"));
        log_capture_free(&log);
        assert_non_null(find(&db, "BAD-2"));
        assert_null(find(&db, "BAD-1"));
        known_error_db_done(&db);
        rm_rf(dir);
        free(dir);
}

/* Action=: parsed, refused without a condition (named by the Action=
 * line), and due only once the condition is met. */
static void test_action(void **state) {
        char *dir = make_scratch_dir();
        _cleanup_free_ char *p = NULL, *bad = NULL;
        KnownErrorDb db = {};
        LogCapture log;
        const char *out;

        p = write_file(dir, "30-action.conf",
                       "[AGED]\n"
                       "Title=hangs at 5184 hours\n"
                       "Model=M4-*\n"
                       "PowerOnHoursLimit=5184\n"
                       "WarnBeforeHours=720\n"
                       "Action=isolate-member\n"
                       "Workaround=Update the firmware\n"
                       "[SEEN]\n"
                       "Title=times out\n"
                       "Model=X*\n"
                       "Action=fail-path\n"
                       "Evidence=scsi.cmd.timeout\n"
                       "Workaround=w\n"
                       "[PLAIN]\n"
                       "Title=no action\n"
                       "Model=P*\n"
                       "Workaround=w\n"
                       "Action=none\n");
        assert_int_equal(known_error_db_load_file(&db, p), 0);
        assert_int_equal(find(&db, "AGED")->action, KNOWN_ERROR_ACTION_ISOLATE_MEMBER);
        assert_int_equal(find(&db, "SEEN")->action, KNOWN_ERROR_ACTION_FAIL_PATH);
        assert_int_equal(find(&db, "PLAIN")->action, KNOWN_ERROR_ACTION_NONE);

        {
                static const struct {
                        const char *model;
                        uint64_t poh;
                        bool seen;
                        KnownErrorStatus status;
                        KnownErrorAction due;
                } table[] = {
                        { "M4-CT128M4SSD2", 1000, false, KNOWN_ERROR_AFFECTED, KNOWN_ERROR_ACTION_NONE },
                        { "M4-CT128M4SSD2", 5000, false, KNOWN_ERROR_COUNTDOWN, KNOWN_ERROR_ACTION_NONE },
                        { "M4-CT128M4SSD2", UINT64_MAX, false, KNOWN_ERROR_AGE_UNKNOWN, KNOWN_ERROR_ACTION_NONE },
                        { "M4-CT128M4SSD2", 5184, false, KNOWN_ERROR_LIMIT_REACHED, KNOWN_ERROR_ACTION_ISOLATE_MEMBER },
                        { "M4-CT128M4SSD2", 9000, false, KNOWN_ERROR_LIMIT_REACHED, KNOWN_ERROR_ACTION_ISOLATE_MEMBER },
                        { "X1", UINT64_MAX, true, KNOWN_ERROR_AFFECTED, KNOWN_ERROR_ACTION_FAIL_PATH },
                        { "P1", 100000, false, KNOWN_ERROR_AFFECTED, KNOWN_ERROR_ACTION_NONE },
                };
                EreportClass seen[] = { EREPORT_SCSI_TIMEOUT };

                for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                        KnownErrorDevice dev = { .model = table[i].model, .power_on_hours = table[i].poh,
                                                 .seen = table[i].seen ? seen : NULL, .n_seen = table[i].seen };
                        KnownErrorMatch m[4];

                        assert_int_equal(known_error_match(&db, &dev, m, 4), 1);
                        assert_int_equal(m[0].status, table[i].status);
                        assert_int_equal(known_error_action_due(&m[0]), table[i].due);
                }
                /* the daemon tracks only the classes an Evidence= names */
                assert_true(known_error_db_wants(&db, EREPORT_SCSI_TIMEOUT));
                assert_false(known_error_db_wants(&db, EREPORT_SCSI_ABORT));
                /* without its evidence the SEEN entry does not match at all */
                assert_int_equal(known_error_match(&db, &(KnownErrorDevice) { .model = "X1" }, (KnownErrorMatch[4]) {}, 4), 0);
        }
        known_error_db_done(&db);

        bad = write_file(dir, "40-bad-action.conf",
                         "[NO-CONDITION]\n"
                         "Title=t\n"
                         "Model=X\n"
                         "Workaround=w\n"
                         "Action=offline-device\n"
                         "[WRONG]\n"
                         "Title=t\n"
                         "Model=X\n"
                         "PowerOnHoursLimit=10\n"
                         "Workaround=w\n"
                         "Action=format-disk\n");
        log_capture_start(&log);
        assert_int_equal(known_error_db_load_file(&db, bad), -EINVAL);
        out = log_capture_end(&log);
        assert_non_null(strstr(out, "40-bad-action.conf:5: Action=offline-device in [NO-CONDITION] needs a condition"));
        assert_non_null(strstr(out, "40-bad-action.conf:11: unknown action (none, isolate-member, offline-device, fail-path): 'format-disk'"));
        log_capture_free(&log);
        assert_null(find(&db, "NO-CONDITION"));
        assert_int_equal(find(&db, "WRONG")->action, KNOWN_ERROR_ACTION_NONE);
        known_error_db_done(&db);
        rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_shipped),
                cmocka_unit_test(test_countdown),
                cmocka_unit_test(test_user_entries),
                cmocka_unit_test(test_action),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

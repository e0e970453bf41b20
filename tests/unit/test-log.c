/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "test-helpers.h"

#include "log.h"

static void test_errno_and_m(void **state) {
        LogCapture c;
        int r;

        log_capture_start(&c);
        r = log_error_errno(-ENOENT, "Failed to open '%s': %m", "/dev/sdq");
        assert_int_equal(r, -ENOENT);
        r = log_warning_errno(EIO, "Read failed, ignoring: %m");
        assert_int_equal(r, -EIO);
        assert_string_equal(log_capture_end(&c),
                            "Failed to open '/dev/sdq': No such file or directory\n"
                            "Read failed, ignoring: Input/output error\n");
        log_capture_free(&c);
}

static void test_max_level(void **state) {
        LogCapture c;

        log_capture_start(&c);
        log_set_max_level(LOG_NOTICE);
        log_debug("hidden");
        log_info("hidden too");
        log_notice("shown");
        /* Below the level nothing is formatted, but the error still returns. */
        assert_int_equal(log_debug_errno(EAGAIN, "x"), -EAGAIN);
        assert_string_equal(log_capture_end(&c), "shown\n");
        log_capture_free(&c);
}

static void test_level_names(void **state) {
        assert_int_equal(log_level_from_string("debug"), LOG_DEBUG);
        assert_int_equal(log_level_from_string("err"), LOG_ERR);
        assert_int_equal(log_level_from_string("verbose"), -EINVAL);
        assert_string_equal(log_level_to_string(LOG_WARNING), "warning");
        assert_int_equal(log_target_from_string("journal"), LOG_TARGET_JOURNAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_errno_and_m),
                cmocka_unit_test(test_max_level),
                cmocka_unit_test(test_level_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

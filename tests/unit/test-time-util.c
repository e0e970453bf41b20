/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "test-helpers.h"

#include "time-util.h"

static void test_parse_sec(void **state) {
        usec_t u;

        assert_int_equal(parse_sec("30", &u), 0);
        assert_int_equal(u, 30 * USEC_PER_SEC);
        assert_int_equal(parse_sec("5min", &u), 0);
        assert_int_equal(u, 5 * USEC_PER_MINUTE);
        assert_int_equal(parse_sec("1h 30min", &u), 0);
        assert_int_equal(u, USEC_PER_HOUR + 30 * USEC_PER_MINUTE);
        assert_int_equal(parse_sec("100ms", &u), 0);
        assert_int_equal(u, 100 * USEC_PER_MSEC);
        assert_int_equal(parse_sec("2d", &u), 0);
        assert_int_equal(u, 2 * USEC_PER_DAY);
        assert_int_equal(parse_sec("3 m", &u), 0);
        assert_int_equal(u, 3 * USEC_PER_MINUTE);
        assert_int_equal(parse_sec("infinity", &u), 0);
        assert_true(u == USEC_INFINITY);

        u = 7;
        assert_int_equal(parse_sec("", &u), -EINVAL);
        assert_int_equal(parse_sec("5 parsecs", &u), -EINVAL);
        assert_int_equal(parse_sec("-5s", &u), -EINVAL);
        assert_int_equal(parse_sec("99999999999999999999999s", &u), -ERANGE);
        assert_int_equal(parse_sec("18446744073709551615d", &u), -ERANGE);
        assert_int_equal(u, 7); /* untouched on failure */
}

static void test_format_timespan(void **state) {
        char buf[FORMAT_TIMESPAN_MAX];

        assert_string_equal(format_timespan(buf, sizeof(buf), 0), "0");
        assert_string_equal(format_timespan(buf, sizeof(buf), 90 * USEC_PER_MINUTE), "1h 30min");
        assert_string_equal(format_timespan(buf, sizeof(buf), 250 * USEC_PER_MSEC), "250ms");
        assert_string_equal(format_timespan(buf, sizeof(buf), USEC_INFINITY), "infinity");
}

static void test_format_timestamp(void **state) {
        char buf[FORMAT_TIMESTAMP_MAX];

        /* 2026-11-22T00:28:18Z is 1795307298 s after the epoch. */
        assert_string_equal(format_timestamp_utc(buf, sizeof(buf), 1795307298ULL * USEC_PER_SEC + 123456),
                            "2026-11-22T00:28:18.123456Z");
        assert_string_equal(format_timestamp_utc(buf, sizeof(buf), 0), "n/a");
}

static void test_now_monotonic(void **state) {
        usec_t a = now(CLOCK_MONOTONIC), b = now(CLOCK_MONOTONIC);

        assert_true(b >= a);
        assert_true(now(CLOCK_REALTIME) > 1700000000ULL * USEC_PER_SEC);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_sec),
                cmocka_unit_test(test_format_timespan),
                cmocka_unit_test(test_format_timestamp),
                cmocka_unit_test(test_now_monotonic),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

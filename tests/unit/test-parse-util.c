/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "test-helpers.h"

#include "parse-util.h"

static void test_safe_atou64(void **state) {
        uint64_t u = 99;

        assert_int_equal(safe_atou64("0", &u), 0);
        assert_int_equal(u, 0);
        /* sysfs attributes end in a newline. */
        assert_int_equal(safe_atou64("209715200\n", &u), 0);
        assert_int_equal(u, 209715200);
        assert_int_equal(safe_atou64("0x1c", &u), 0);
        assert_int_equal(u, 0x1c);
        assert_int_equal(safe_atou64("18446744073709551615", &u), 0);
        assert_true(u == UINT64_MAX);
        u = 99;
        assert_int_equal(safe_atou64("18446744073709551616", &u), -ERANGE);
        assert_int_equal(safe_atou64("-1", &u), -EINVAL);
        assert_int_equal(safe_atou64("12abc", &u), -EINVAL);
        assert_int_equal(safe_atou64("", &u), -EINVAL);
        assert_int_equal(safe_atou64("none", &u), -EINVAL);
        assert_int_equal(u, 99);
}

static void test_safe_atoi(void **state) {
        int i = 5;
        unsigned u;

        assert_int_equal(safe_atoi("-3", &i), 0);
        assert_int_equal(i, -3);
        assert_int_equal(safe_atoi("2147483648", &i), -ERANGE);
        assert_int_equal(safe_atou("4294967296", &u), -ERANGE);
        assert_int_equal(safe_atoi("1 2", &i), -EINVAL);
}

static void test_parse_boolean(void **state) {
        assert_int_equal(parse_boolean("yes"), 1);
        assert_int_equal(parse_boolean("On"), 1);
        assert_int_equal(parse_boolean("0"), 0);
        assert_int_equal(parse_boolean("false"), 0);
        assert_int_equal(parse_boolean("maybe"), -EINVAL);
        assert_int_equal(parse_boolean(""), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_safe_atou64),
                cmocka_unit_test(test_safe_atoi),
                cmocka_unit_test(test_parse_boolean),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* String helpers and string tables. */

#include "test-helpers.h"

#include "alloc-util.h"
#include "ci.h"
#include "string-table.h"
#include "string-util.h"

static void test_startswith_endswith(void **state) {
        assert_string_equal(startswith("mpath-3600", "mpath-"), "3600");
        assert_null(startswith("mpat", "mpath-"));
        assert_string_equal(endswith("x.conf", ".conf"), ".conf");
        assert_null(endswith("conf", ".conf"));
}

static void test_strstrip(void **state) {
        char a[] = "  QEMU HARDDISK   \n", b[] = "   ", c[] = "x";

        assert_string_equal(strstrip(a), "QEMU HARDDISK");
        assert_string_equal(strstrip(b), "");
        assert_string_equal(strstrip(c), "x");
}

/* Device strings are untrusted: control characters and format directives
 * must come out inert, and length is bounded. */
static void test_strdup_printable(void **state) {
        _cleanup_free_ char *a = strdup_printable("ST4000\x1b[31m%n\n", 64);
        _cleanup_free_ char *b = strdup_printable("0123456789", 4);

        assert_string_equal(a, "ST4000?[31m%n?");
        assert_string_equal(b, "0123");
}

static void test_udev_decode(void **state) {
        /* ID_MODEL_ENC as udev writes it for a QEMU disk. */
        _cleanup_free_ char *a = udev_decode_string("QEMU\\x20HARDDISK\\x20\\x20\\x20");
        _cleanup_free_ char *b = udev_decode_string("bad\\x2");
        _cleanup_free_ char *c = udev_decode_string("\\xZZ");

        assert_string_equal(a, "QEMU HARDDISK");
        assert_string_equal(b, "bad\\x2");
        assert_string_equal(c, "\\xZZ");
}

/* The generated lookups go both ways and refuse what is not in the table. */
static void test_string_table(void **state) {
        for (int i = 0; i < _TRANSPORT_MAX; i++) {
                const char *s = transport_to_string((Transport) i);
                assert_non_null(s);
                assert_int_equal(transport_from_string(s), i);
        }
        assert_null(transport_to_string(_TRANSPORT_MAX));
        assert_null(transport_to_string(-1));
        assert_int_equal(transport_from_string("sata "), -EINVAL);
        assert_int_equal(transport_from_string(NULL), -EINVAL);
        assert_int_equal(ci_type_from_string("multipath"), CI_MULTIPATH);
        assert_string_equal(health_source_to_string(HEALTH_SOURCE_ATA), "ata-smart");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_startswith_endswith),
                cmocka_unit_test(test_strstrip),
                cmocka_unit_test(test_strdup_printable),
                cmocka_unit_test(test_udev_decode),
                cmocka_unit_test(test_string_table),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

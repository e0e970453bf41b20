/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Cleanup macros, ownership helpers and file descriptor helpers. */

#include <fcntl.h>
#include <unistd.h>

#include "test-helpers.h"

#include "alloc-util.h"
#include "fd-util.h"
#include "string-util.h"

static bool fd_is_open(int fd) {
        return fcntl(fd, F_GETFD) >= 0;
}

static void test_closep_closes(void **state) {
        int p[2];

        assert_int_equal(pipe(p), 0);
        {
                _cleanup_close_ int a = p[0], b = p[1];
                assert_true(fd_is_open(a));
                assert_true(fd_is_open(b));
        }
        assert_false(fd_is_open(p[0]));
        assert_false(fd_is_open(p[1]));
}

/* The classic bug: a closep() that treats 0 as "unset" leaks fd 0, and one
 * that closes -1 clobbers errno. */
static void test_closep_fd0_and_negative(void **state) {
        int saved = dup(STDIN_FILENO), p[2];

        assert_true(saved >= 0);
        assert_int_equal(pipe(p), 0);
        assert_int_equal(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
        close(p[0]);
        close(p[1]);
        {
                _cleanup_close_ int fd0 = STDIN_FILENO;
                (void) fd0;
        }
        assert_false(fd_is_open(STDIN_FILENO));
        assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
        close(saved);

        errno = 4242;
        {
                _cleanup_close_ int none = -EBADF;
                _cleanup_close_ int minus_one = -1;
                (void) none;
                (void) minus_one;
        }
        assert_int_equal(errno, 4242);
        assert_int_equal(safe_close(-1), -EBADF);
}

static void test_take_ptr_and_fd(void **state) {
        _cleanup_free_ char *a = strdup("x");
        char *b;
        int fd = 5, g;

        assert_non_null(a);
        b = TAKE_PTR(a);
        assert_null(a);
        assert_string_equal(b, "x");
        free(b);

        g = TAKE_FD(fd);
        assert_int_equal(g, 5);
        assert_int_equal(fd, -EBADF);
}

static void test_free_and_strdup(void **state) {
        _cleanup_free_ char *s = NULL;

        assert_int_equal(free_and_strdup(&s, "a"), 1);
        assert_string_equal(s, "a");
        assert_int_equal(free_and_strdup(&s, "a"), 0);
        assert_int_equal(free_and_strdup(&s, "b"), 1);
        assert_string_equal(s, "b");
        assert_int_equal(free_and_strdup(&s, NULL), 1);
        assert_null(s);
}

static void test_greedy_realloc(void **state) {
        _cleanup_free_ int *v = NULL;
        size_t allocated = 0;

        for (size_t i = 0; i < 1000; i++) {
                assert_int_equal(GREEDY_REALLOC(v, allocated, i + 1), 0);
                assert_true(allocated >= i + 1);
                v[i] = (int) i;
        }
        for (size_t i = 0; i < 1000; i++)
                assert_int_equal(v[i], (int) i);
        /* Overflowing sizes fail cleanly. */
        assert_int_equal(greedy_realloc((void **) &v, &allocated, SIZE_MAX / 2, 16), -ENOMEM);
        assert_int_equal(v[999], 999);
        assert_null(new(uint64_t, SIZE_MAX / 4));
}

static void test_strv(void **state) {
        _cleanup_strv_free_ char **l = NULL;

        assert_int_equal(strv_split("  sdb sda\tsdc  ", " \t", &l), 0);
        assert_int_equal(strv_length(l), 3);
        strv_sort(l);
        assert_string_equal(l[0], "sda");
        assert_string_equal(l[2], "sdc");
        assert_true(strv_contains(l, "sdb"));
        assert_false(strv_contains(l, "sdd"));
        l = strv_free(l);
        assert_int_equal(strv_split("", " ", &l), 0);
        assert_int_equal(strv_length(l), 0);
        assert_non_null(l);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_closep_closes),
                cmocka_unit_test(test_closep_fd0_and_negative),
                cmocka_unit_test(test_take_ptr_and_fd),
                cmocka_unit_test(test_free_and_strdup),
                cmocka_unit_test(test_greedy_realloc),
                cmocka_unit_test(test_strv),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

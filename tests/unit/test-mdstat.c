/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* drivers/md/mdstat: which arrays' /proc/mdstat entries changed, on the
 * /proc/mdstat captured by the VM lab before and after md failed a member
 * (tests/fixtures/md/README.md). */

#include "test-helpers.h"

#include "alloc-util.h"
#include "fileio.h"
#include "md/mdstat.h"
#include "string-util.h"

#define FIXTURE(name) TOP_SRCDIR "/tests/fixtures/md/" name

/* The /proc/mdstat part of an md snapshot fixture. */
static char *load_mdstat(const char *path) {
        _cleanup_free_ char *s = NULL;
        const char *p;
        size_t n;

        assert_int_equal(read_full_file(path, 1 << 20, &s, &n), 0);
        p = strstr(s, "# /proc/mdstat\n");
        assert_non_null(p);
        return strdup(p + strlen("# /proc/mdstat\n"));
}

static void check(const char *before, const char *after, const char *want) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *got = NULL;
        int n = mdstat_changed(before, after, &l);

        assert_true(n >= 0);
        assert_int_equal((size_t) n, strv_length(l));
        {
                size_t len = 0;
                FILE *f = open_memstream(&got, &len);

                assert_non_null(f);
                for (size_t i = 0; l[i]; i++)
                        fprintf(f, "%s%s", i > 0 ? " " : "", l[i]);
                assert_int_equal(fclose(f), 0);
        }
        assert_string_equal(got, want);
}

static void test_mdstat_changed(void **state) {
        _cleanup_free_ char *before = load_mdstat(FIXTURE("md-raid1-medium-error.before"));
        _cleanup_free_ char *after = load_mdstat(FIXTURE("md-raid1-medium-error.after"));
        _cleanup_free_ char *two_before = NULL, *two_after = NULL, *md1 = NULL;
        const char *e;

        assert_non_null(before);
        assert_non_null(after);
        check(before, after, "md0");     /* sdg[0](F), [2/1] [_U] */
        check(after, after, "");         /* a wake-up for nothing */
        check(NULL, before, "md0");      /* the first read */
        check("", before, "md0");        /* assembled */
        check(before, "Personalities : [raid1] \nunused devices: <none>\n", "md0"); /* stopped */
        check(before, NULL, "md0");

        /* Two arrays, one changes: only it.  md1 is md0's entry renamed,
         * so that both entries are real ones. */
        e = strstr(before, "md0 : ");
        assert_non_null(e);
        md1 = strdup(e);
        assert_non_null(md1);
        md1[2] = '1';
        *strstr(md1, "unused devices") = '\0';
        assert_true(asprintf(&two_before, "%.*s%s", (int) (strstr(before, "unused") - before), before, md1) > 0);
        assert_true(asprintf(&two_after, "%.*s%s", (int) (strstr(after, "unused") - after), after, md1) > 0);
        check(two_before, two_after, "md0");
        check(two_after, two_before, "md0");
        check(two_before, two_before, "");
        check(before, two_before, "md1"); /* md1 appeared */
        check(two_after, before, "md0 md1");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_mdstat_changed),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

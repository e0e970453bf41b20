/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* drivers/dm: the multipath status and table lines of the VM lab's map
 * (tests/fixtures/multipath/README.md: `dmsetup status` and `dmsetup
 * table` print what DM_TABLE_STATUS returns), the parser's refusals, and
 * the ioctl itself over a wrapped ioctl() that answers as the kernel does. */

#include <linux/dm-ioctl.h>
#include <stdarg.h>
#include <sys/ioctl.h>

#include "test-helpers.h"

#include "alloc-util.h"
#include "dm/dm-status.h"
#include "fileio.h"
#include "string-util.h"

#define FIXTURES TOP_SRCDIR "/tests/fixtures/multipath/"

/* The line after "# dmsetup <what> mpatha" in a fixture, without
 * "<start> <length> <target> ". */
static char *fixture_params(const char *name, const char *what) {
        _cleanup_free_ char *path = NULL, *text = NULL, *header = NULL;
        const char *p;
        char *line;

        assert_true(asprintf(&path, "%s%s", FIXTURES, name) > 0);
        assert_true(asprintf(&header, "# dmsetup %s mpatha\n", what) > 0);
        assert_int_equal(read_full_file(path, 1024 * 1024, &text, NULL), 0);
        p = strstr(text, header);
        assert_non_null(p);
        p += strlen(header);
        line = strndup(p, strcspn(p, "\n"));
        assert_non_null(line);
        assert_true(startswith(line, "0 131072 multipath "));
        memmove(line, line + strlen("0 131072 multipath "), strlen(line) - strlen("0 131072 multipath ") + 1);
        return line;
}

static void test_fixtures(void **state) {
        static const struct {
                const char *file;
                bool sdh_active;
                unsigned sdh_fails;
                char group2;
        } cases[] = {
                { "mpath-path-fail-reinstate.before", true, 0, 'E' },
                { "mpath-path-fail-reinstate.failed", false, 1, 'E' },
                { "mpath-path-fail-reinstate.after", true, 1, 'E' }, /* the fail count stays */
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *status = fixture_params(cases[i].file, "status");
                _cleanup_free_ char *table = fixture_params(cases[i].file, "table");
                DmMpathStatus s;
                bool q = true;

                assert_int_equal(dm_mpath_status_parse(status, &s), 0);
                assert_false(s.queue_io);
                assert_int_equal(s.n_groups, 2);
                assert_int_equal(s.group_state[0], 'A');
                assert_int_equal(s.group_state[1], cases[i].group2);
                assert_int_equal(s.n_paths, 2);
                /* sdg 8:96 in group 1, sdh 8:112 in group 2 */
                assert_int_equal(s.paths[0].major, 8);
                assert_int_equal(s.paths[0].minor, 96);
                assert_true(s.paths[0].active);
                assert_int_equal(s.paths[0].fail_count, 0);
                assert_int_equal(s.paths[0].group, 1);
                assert_int_equal(s.paths[1].minor, 112);
                assert_int_equal(s.paths[1].active, cases[i].sdh_active);
                assert_int_equal(s.paths[1].fail_count, cases[i].sdh_fails);
                assert_int_equal(s.paths[1].group, 2);

                /* the lab's map was loaded without queue_if_no_path */
                assert_int_equal(dm_mpath_table_queue_if_no_path(table, &q), 0);
                assert_false(q);
        }
}

/* queue_if_no_path among other features (the table format of the kernel's
 * Documentation/admin-guide/device-mapper/dm-multipath: a count, then the
 * words), and refusals: truncations of the real line, wrong words. */
static void test_table_and_refusals(void **state) {
        static const char *const bad[] = {
                "", "x", "2 0", "2 0 1 0 2 1 A 0 1 2 8:96 A 0 0",         /* a selector arg short */
                "2 0 1 0 2 1 Q 0 1 2 8:96 A 0 0 1",                          /* group state */
                "2 0 1 0 1 1 A 0 1 2 8:96 X 0 0 1",                          /* path state */
                "2 0 1 0 1 1 A 0 1 2 sdg A 0 0 1",                           /* not major:minor */
                "2 0 1 0 1 3 A 0 1 2 8:96 A 0 0 1",                          /* next group beyond */
                "2 0 1 0 1 1 A 0 1 2 8:96 A 0 0 1 trailing",
                "2 0 1 0 1 1 A 0 1 2 8:96 A -1 0 1",
        };
        _cleanup_free_ char *real = fixture_params("mpath-path-fail-reinstate.failed", "status");
        DmMpathStatus s;
        bool q;

        assert_int_equal(dm_mpath_table_queue_if_no_path("3 queue_if_no_path queue_mode bio 1 alua 1 1 service-time 0 1 2 8:96 1 1", &q), 0);
        assert_true(q);
        assert_int_equal(dm_mpath_table_queue_if_no_path("1 retain_attached_hw_handler 0 1 1", &q), 0);
        assert_false(q);
        assert_int_equal(dm_mpath_table_queue_if_no_path("2 queue_if_no_path", &q), -EBADMSG);

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (dm_mpath_status_parse(bad[i], &s) != -EBADMSG)
                        fail_msg("accepted '%s'", bad[i]);
        /* Every truncation of the real line (the kernel ends it with a
         * space: the line without it is the whole line). */
        for (size_t l = 0; l < strlen(real) - 1; l++) {
                _cleanup_free_ char *t = strndup(real, l);
                if (dm_mpath_status_parse(t, &s) != -EBADMSG)
                        fail_msg("accepted the truncation '%s'", t);
        }
        /* More paths than fit. */
        {
                _cleanup_free_ char *many = NULL;
                FILE *f;
                size_t size;

                f = open_memstream(&many, &size);
                assert_non_null(f);
                fprintf(f, "2 0 0 0 1 1 A 0 %d 0", DM_MPATH_PATHS_MAX + 1);
                for (int k = 0; k <= DM_MPATH_PATHS_MAX; k++)
                        fprintf(f, " 8:%d A 0", k);
                assert_int_equal(fclose(f), 0);
                assert_int_equal(dm_mpath_status_parse(many, &s), -E2BIG);
        }
}

/* --- the ioctl, answered as the kernel does ---------------------------- */

static const char *answer_params; /* NULL: ENXIO */
static unsigned answer_full;      /* answer DM_BUFFER_FULL_FLAG this many times */
static uint32_t last_flags;

int __wrap_ioctl(int fd, unsigned long request, ...);
int __wrap_ioctl(int fd, unsigned long request, ...) {
        struct dm_ioctl *io;
        struct dm_target_spec *t;
        va_list ap;

        va_start(ap, request);
        io = va_arg(ap, struct dm_ioctl *);
        va_end(ap);
        assert_int_equal(request, DM_TABLE_STATUS);
        assert_string_equal(io->name, "mpatha");
        last_flags = io->flags;
        if (!answer_params) {
                errno = ENXIO;
                return -1;
        }
        if (answer_full > 0) {
                answer_full--;
                io->flags |= DM_BUFFER_FULL_FLAG;
                return 0;
        }
        assert_true(io->data_size >= io->data_start + sizeof(*t) + strlen(answer_params) + 1);
        io->target_count = 1;
        t = (struct dm_target_spec *) ((char *) io + io->data_start);
        *t = (struct dm_target_spec) { .sector_start = 0, .length = 131072 };
        snprintf(t->target_type, sizeof(t->target_type), "multipath");
        strcpy((char *) (t + 1), answer_params);
        t->next = (uint32_t) (sizeof(*t) + strlen(answer_params) + 1);
        return 0;
}

static void test_ioctl(void **state) {
        _cleanup_free_ char *real = fixture_params("mpath-path-fail-reinstate.failed", "status");
        _cleanup_free_ char *type = NULL, *params = NULL;

        /* /dev/null stands in for /dev/mapper/control: ioctl() is ours. */
        answer_params = real;
        answer_full = 1;
        assert_int_equal(dm_target_status("/dev/null", "mpatha", false, &type, &params), 0);
        assert_string_equal(type, "multipath");
        assert_string_equal(params, real);
        assert_int_equal(last_flags & DM_STATUS_TABLE_FLAG, 0);
        type = mfree(type);
        params = mfree(params);
        assert_int_equal(dm_target_status("/dev/null", "mpatha", true, &type, &params), 0);
        assert_true(last_flags & DM_STATUS_TABLE_FLAG);

        answer_params = NULL;
        assert_int_equal(dm_target_status("/dev/null", "mpatha", false, &type, &params), -ENXIO);
        assert_int_equal(dm_target_status("/nonexistent/control", "mpatha", false, &type, &params), -ENOENT);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fixtures),
                cmocka_unit_test(test_table_and_refusals),
                cmocka_unit_test(test_ioctl),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "fileio.h"

#define ONE_LINE_FILE_MAX ((size_t) 64 * 1024) /* bytes: sysfs and /proc values are far smaller */

int read_full_file(const char *path, size_t max, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -EBADF;

        assert(path);
        assert(ret);

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return read_full_fd(fd, max, ret, ret_size);
}

int read_full_fd(int fd, size_t max, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t allocated = 0, n = 0;

        assert(fd >= 0);
        assert(ret);

        for (;;) {
                ssize_t k;
                int r;

                r = GREEDY_REALLOC(buf, allocated, MIN(n + 4096, max + 2));
                if (r < 0)
                        return r;
                k = read(fd, buf + n, allocated - n - 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n > max)
                        return -EFBIG;
        }
        if (!buf) {
                buf = strdup("");
                if (!buf)
                        return -ENOMEM;
        }
        buf[n] = '\0';
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = n;
        return 0;
}

int read_one_line_file(const char *path, char **ret) {
        char *s;
        int r;

        r = read_full_file(path, ONE_LINE_FILE_MAX, &s, NULL);
        if (r < 0)
                return r;
        /* NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage): set on r >= 0; the analyzer takes -errno for >= 0 */
        s[strcspn(s, "\n")] = '\0';
        *ret = s;
        return 0;
}

char *path_join(const char *a, const char *b) {
        size_t la = strlen(a);
        char *p;

        while (la > 1 && a[la - 1] == '/')
                la--;
        while (*b == '/')
                b++;
        if (la > INT_MAX || asprintf(&p, "%.*s/%s", (int) la, a, b) < 0)
                return NULL;
        return p;
}

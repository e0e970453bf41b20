/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <unistd.h>

#include "fd-util.h"

int safe_close(int fd) {
        /* fd 0 is a valid descriptor (a daemon may have closed stdin and
         * reopened something there); only negative values mean "none". */
        if (fd >= 0) {
                int saved = errno;
                (void) close(fd);
                errno = saved;
        }
        return -EBADF;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <dirent.h>
#include <stddef.h>
#include <stdio.h>

#include "macro.h"

/* safe_close() - close fd if it is valid (>= 0), keeping errno.
 * Return: -EBADF, to assign back: "fd = safe_close(fd);". */
int safe_close(int fd);

/* loop_write() - write all @n bytes of @buf to a blocking @fd, across
 * short writes and EINTR.  Return: 0 or -errno. */
int loop_write(int fd, const void *buf, size_t n);

/* loop_read_exact() - read exactly @n bytes from a blocking @fd.
 * Return: 0, -EPIPE at end of file before @n bytes, or -errno. */
int loop_read_exact(int fd, void *buf, size_t n);

static inline void closep(int *fd) {
        safe_close(*fd);
}

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

static inline void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_closedir_ _cleanup_(closedirp)

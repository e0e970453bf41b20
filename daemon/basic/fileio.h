/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* read_full_file() - read a whole file, at most max bytes (a sysfs
 * attribute or a config file, never a device node), NUL-terminated.
 * Return: 0 with *ret (and *ret_size if non-NULL) set; -EFBIG when the file
 * is larger than max; -errno from open/read. */
int read_full_file(const char *path, size_t max, char **ret, size_t *ret_size);
/* read_full_fd() - the same from an open fd, from its current position to
 * its end (the caller rewinds it, e.g. a /proc file read again). */
int read_full_fd(int fd, size_t max, char **ret, size_t *ret_size);

/* read_one_line_file() - the first line of a small file without its
 * newline (sysfs attributes).  Return: 0 or -errno. */
int read_one_line_file(const char *path, char **ret);

/* path_join() - join two path parts with exactly one '/'.
 * Return: a new string or NULL on ENOMEM. */
char *path_join(const char *a, const char *b);

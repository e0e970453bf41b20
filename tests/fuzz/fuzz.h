/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What every libFuzzer target shares (tests/fuzz/README.md): silent
 * logging, and copies of the input as a NUL-terminated string or as a
 * file in a private temporary directory for the parsers that read files.
 */

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_setup(void) {
        static int done;

        if (done)
                return;
        done = 1;
        /* Parsers log bad input; a fuzzer feeds nothing else. */
        log_set_target(LOG_TARGET_NULL);
        log_set_max_level(LOG_EMERG);
}

/* fuzz_strndup() - data as a C string (embedded NULs cut it short, as they
 * would for the real callers). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);

        if (!s)
                return NULL;
        memcpy(s, data, size);
        s[size] = 0;
        return s;
}

/* fuzz_write_file() - data into "<private dir>/<name>", returns its path
 * (static buffer: one file per target at a time). */
static inline const char *fuzz_write_file(const char *name, const uint8_t *data, size_t size) {
        static char dir[64], path[128];
        int fd;

        if (!dir[0]) {
                const char *t = getenv("TMPDIR");

                snprintf(dir, sizeof dir, "%s/sg-fuzz-XXXXXX", t && strlen(t) < 40 ? t : "/tmp");
                if (!mkdtemp(dir))
                        abort();
        }
        snprintf(path, sizeof path, "%s/%s", dir, name);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                abort();
        if (size > 0 && write(fd, data, size) != (ssize_t) size)
                abort();
        close(fd);
        return path;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by the unit tests: a scratch directory and captured log output. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

typedef struct LogCapture {
        char *buf;
        size_t size;
        FILE *f;
} LogCapture;

static inline void log_capture_start(LogCapture *c) {
        *c = (LogCapture) {};
        c->f = open_memstream(&c->buf, &c->size);
        assert_non_null(c->f);
        log_set_stream(c->f);
        log_set_max_level(LOG_DEBUG);
}

/* log_capture_end() - stop capturing; returns what was logged (owned by c). */
static inline const char *log_capture_end(LogCapture *c) {
        log_set_stream(NULL);
        fclose(c->f);
        c->f = NULL;
        return c->buf;
}

static inline void log_capture_free(LogCapture *c) {
        if (c->f)
                log_capture_end(c);
        free(c->buf);
        c->buf = NULL;
}

/* A fresh directory under $TMPDIR (never the current directory). */
static inline char *scratch_dir(void) {
        const char *tmp = getenv("TMPDIR") ?: "/tmp";
        char *p;

        assert_true(asprintf(&p, "%s/storguard-test-XXXXXX", tmp) > 0);
        assert_non_null(mkdtemp(p));
        return p;
}

static inline char *write_file(const char *dir, const char *name, const char *content) {
        char *p;
        FILE *f;

        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        f = fopen(p, "we");
        assert_non_null(f);
        assert_int_equal(fputs(content, f) >= 0, 1);
        assert_int_equal(fclose(f), 0);
        return p;
}

/* Not inlined: gcc 12 then misreads cmocka's pointer checks as dangling. */
static __attribute__((noinline, unused)) void rm_rf(const char *dir) {
        char *cmd;

        /* Only ever our own mkdtemp() directories. */
        assert_non_null(strstr(dir, "storguard-test-"));
        assert_true(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
        assert_int_equal(system(cmd), 0);
        free(cmd);
}

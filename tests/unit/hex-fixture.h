/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Hex fixtures: sg3_utils' "inhex" format, which is also storguard's
 * capture format (tests/fixtures/README.md): '#' comment lines, then bytes
 * as hex pairs separated by white space or commas.  A file may hold
 * several responses, each after its own comment heading.
 */

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-helpers.h"

/* hex_fixture_load() - the bytes of @path; with @section, only those after
 * the first comment line containing @section, up to the next comment line
 * that follows data.  Returns a malloc'ed buffer, *ret_len set; fails the
 * test when the file or section is missing. */
static inline uint8_t *hex_fixture_load(const char *path, const char *section, size_t *ret_len) {
        FILE *f = fopen(path, "re");
        uint8_t *buf = malloc(65536);
        size_t n = 0;
        char line[1024];
        bool in = section == NULL, seen = false;

        if (!f)
                fail_msg("cannot open fixture %s", path);
        assert_non_null(buf);
        while (fgets(line, sizeof(line), f)) {
                const char *p = line;

                while (isspace((unsigned char) *p))
                        p++;
                if (*p == '#') {
                        if (section && !in && strstr(p, section))
                                in = true;
                        else if (section && in && seen)
                                break;
                        continue;
                }
                if (!in)
                        continue;
                while (*p) {
                        unsigned v;
                        int used;

                        if (isspace((unsigned char) *p) || *p == ',') {
                                p++;
                                continue;
                        }
                        if (sscanf(p, "%2x%n", &v, &used) != 1)
                                break;
                        assert_true(n < 65536);
                        buf[n++] = (uint8_t) v;
                        seen = true;
                        p += used;
                }
        }
        fclose(f);
        if (!seen)
                fail_msg("no data in %s%s%s", path, section ? " section " : "", section ?: "");
        *ret_len = n;
        return buf;
}

/* The corpus directory (STORGUARD_CORPUS or ../shared/corpus), or NULL. */
static inline const char *test_corpus_dir(void) {
        static char buf[4096];
        const char *e = getenv("STORGUARD_CORPUS");
        FILE *f;

        snprintf(buf, sizeof(buf), "%s", e && *e ? e : TOP_SRCDIR "/../shared/corpus");
        {
                char probe[4200];
                snprintf(probe, sizeof(probe), "%s/README.md", buf);
                f = fopen(probe, "re");
        }
        if (!f)
                return NULL;
        fclose(f);
        return buf;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <strings.h>

#include "macro.h"
#include "parse-util.h"
#include "string-util.h"

static bool only_trailing_space(const char *e) {
        for (; *e; e++)
                if (!isspace((unsigned char) *e))
                        return false;
        return true;
}

int safe_atou64(const char *s, uint64_t *ret) {
        unsigned long long v;
        char *e;

        assert(s);
        s += strspn(s, " \t");
        if (!isdigit((unsigned char) *s))
                return -EINVAL; /* strtoull would accept "-1" */
        errno = 0;
        v = strtoull(s, &e, 0);
        if (errno == ERANGE)
                return -ERANGE;
        if (e == s || !only_trailing_space(e))
                return -EINVAL;
        *ret = v;
        return 0;
}

int safe_atoi64(const char *s, int64_t *ret) {
        long long v;
        char *e;

        assert(s);
        errno = 0;
        v = strtoll(s, &e, 0);
        if (errno == ERANGE)
                return -ERANGE;
        if (e == s || !only_trailing_space(e))
                return -EINVAL;
        *ret = v;
        return 0;
}

int safe_atou(const char *s, unsigned *ret) {
        uint64_t v;
        int r = safe_atou64(s, &v);

        if (r < 0)
                return r;
        if (v > UINT_MAX)
                return -ERANGE;
        *ret = (unsigned) v;
        return 0;
}

int safe_atoi(const char *s, int *ret) {
        int64_t v;
        int r = safe_atoi64(s, &v);

        if (r < 0)
                return r;
        if (v < INT_MIN || v > INT_MAX)
                return -ERANGE;
        *ret = (int) v;
        return 0;
}

int parse_boolean(const char *s) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

        assert(s);
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcasecmp(s, yes[i]) == 0)
                        return 1;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcasecmp(s, no[i]) == 0)
                        return 0;
        return -EINVAL;
}

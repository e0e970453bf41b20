/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "alloc-util.h"
#include "string-util.h"

char *startswith(const char *s, const char *prefix) {
        size_t l = strlen(prefix);

        if (strncmp(s, prefix, l) != 0)
                return NULL;
        return (char *) s + l;
}

char *endswith(const char *s, const char *suffix) {
        size_t sl = strlen(s), pl = strlen(suffix);

        if (pl > sl || memcmp(s + sl - pl, suffix, pl) != 0)
                return NULL;
        return (char *) s + sl - pl;
}

char *strstrip(char *s) {
        char *e;

        while (isspace((unsigned char) *s))
                s++;
        e = s + strlen(s);
        while (e > s && isspace((unsigned char) e[-1]))
                e--;
        *e = '\0';
        return s;
}

char *strdup_printable(const char *s, size_t max) {
        size_t n = strnlen(s, max);
        char *t = new(char, n + 1);

        if (!t)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];
                t[i] = (c >= 0x20 && c < 0x7f) ? (char) c : '?';
        }
        t[n] = '\0';
        return t;
}

static int unhex(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}

char *udev_decode_string(const char *s) {
        /* Decoding only shrinks: done in place in a copy. */
        _cleanup_free_ char *t = strdup(s);
        char *d;

        if (!t)
                return NULL;
        d = t;
        for (const char *p = t; *p; p++) {
                int a, b;

                if (p[0] == '\\' && p[1] == 'x' && (a = unhex(p[2])) >= 0 && (b = unhex(p[3])) >= 0) {
                        *d++ = (char) (a << 4 | b);
                        p += 3;
                } else
                        *d++ = *p;
        }
        *d = '\0';
        return strdup(strstrip(t));
}

char **strv_free(char **l) {
        STRV_FOREACH(s, l)
                free(*s);
        free(l);
        return NULL;
}

size_t strv_length(char *const *l) {
        size_t n = 0;

        STRV_FOREACH(s, l)
                n++;
        return n;
}

int strv_push(char ***l, char *s) {
        size_t n = strv_length(*l);
        char **t;

        if (n > SIZE_MAX / sizeof(char *) - 2)
                return -ENOMEM;
        t = realloc(*l, sizeof(char *) * (n + 2));
        if (!t)
                return -ENOMEM;
        t[n] = s;
        t[n + 1] = NULL;
        *l = t;
        return 0;
}

bool strv_contains(char *const *l, const char *s) {
        STRV_FOREACH(i, l)
                if (streq(*i, s))
                        return true;
        return false;
}

int strv_split(const char *s, const char *separators, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const char *p = s;
        int r;

        assert(ret);

        for (;;) {
                size_t n;
                char *w;

                p += strspn(p, separators);
                if (*p == '\0')
                        break;
                n = strcspn(p, separators);
                w = strndup(p, n);
                if (!w)
                        return -ENOMEM;
                r = strv_push(&l, w);
                if (r < 0) {
                        free(w);
                        return r;
                }
                p += n;
        }
        if (!l) {
                l = new0(char *, 1);
                if (!l)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

void strv_sort(char **l) {
        size_t n = strv_length(l);

        if (n > 1)
                qsort(l, n, sizeof(char *), cmp_str);
}

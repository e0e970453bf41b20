/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "alloc-util.h"
#include "md/mdstat.h"
#include "string-util.h"

/* Find the entry of the array that starts at *p: its name (length) and its
 * text up to the blank line that ends it.  Return: false at the end. */
static bool next_entry(const char **p, const char **ret_name, size_t *ret_name_len, const char **ret_text,
                       size_t *ret_text_len) {
        const char *s = *p;

        while (s && *s) {
                const char *eol = strchrnul(s, '\n'), *colon, *end;
                size_t n = strcspn(s, " \t\n");

                colon = s + n;
                colon += strspn(colon, " \t");
                if (n == 0 || *colon != ':' || startswith(s, "Personalities") || startswith(s, "unused")) {
                        s = *eol ? eol + 1 : eol;
                        continue;
                }
                /* The entry: up to a line that is blank (spaces only). */
                end = *eol ? eol + 1 : eol;
                while (*end) {
                        const char *e2 = strchrnul(end, '\n');
                        if (strspn(end, " \t") == (size_t) (e2 - end))
                                break;
                        end = *e2 ? e2 + 1 : e2;
                }
                *ret_name = s;
                *ret_name_len = n;
                *ret_text = s;
                *ret_text_len = (size_t) (end - s);
                *p = end;
                return true;
        }
        return false;
}

/* The entry of the array named name (length n) in text, or NULL. */
static const char *find_entry(const char *text, const char *name, size_t n, size_t *ret_len) {
        const char *p = text, *en, *et;
        size_t enl, etl;

        while (next_entry(&p, &en, &enl, &et, &etl))
                if (enl == n && strneq(en, name, n)) {
                        *ret_len = etl;
                        return et;
                }
        return NULL;
}

static int push_name(char ***l, const char *name, size_t n) {
        char *s = strndup(name, n);

        if (!s)
                return -ENOMEM;
        if (strv_contains(*l, s)) {
                free(s);
                return 0;
        }
        return strv_push(l, s);
}

int mdstat_changed(const char *before, const char *after, char ***ret_names) {
        _cleanup_strv_free_ char **l = NULL;
        const char *p, *name, *text, *old;
        size_t n, len, old_len;
        int r;

        l = new0(char *, 1);
        if (!l)
                return -ENOMEM;
        for (p = after; next_entry(&p, &name, &n, &text, &len);) {
                old = before ? find_entry(before, name, n, &old_len) : NULL;
                if (!old || old_len != len || memcmp(old, text, len) != 0)
                        if ((r = push_name(&l, name, n)) < 0)
                                return r;
        }
        for (p = before; next_entry(&p, &name, &n, &text, &len);)
                if (!after || !find_entry(after, name, n, &old_len))
                        if ((r = push_name(&l, name, n)) < 0)
                                return r;
        r = (int) strv_length(l);
        *ret_names = TAKE_PTR(l);
        return r;
}

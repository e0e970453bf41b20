/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "macro.h"

#define streq(a, b) (strcmp((a), (b)) == 0)
#define strneq(a, b, n) (strncmp((a), (b), (n)) == 0)

static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return streq(a, b);
}

static inline bool isempty(const char *s) {
        return !s || s[0] == '\0';
}

static inline const char *strempty(const char *s) {
        return s ?: "";
}

static inline const char *strna(const char *s) {
        return isempty(s) ? "n/a" : s;
}

/* startswith() - Return: the rest of s after prefix, or NULL. */
char *startswith(const char *s, const char *prefix) _pure_;
char *endswith(const char *s, const char *suffix) _pure_;

/* strstrip() - remove leading and trailing white space in place.
 * Return: s advanced past leading white space. */
char *strstrip(char *s);

/* strdup_printable() - copy s, replacing each byte outside printable ASCII
 * by '?' and cutting it at max bytes.  Device strings (model, serial,
 * firmware) come from hardware and may hold control characters or be huge;
 * this is what we put in tables and log lines.
 * Return: a new string, or NULL on ENOMEM. */
char *strdup_printable(const char *s, size_t max);

/* udev_decode_string() - decode udev's \xNN escapes (ID_MODEL_ENC and
 * friends) into a new string with white space trimmed.
 * Return: a new string, or NULL on ENOMEM. */
char *udev_decode_string(const char *s);

/* strv: NULL-terminated arrays of strings. */
char **strv_free(char **l);
DEFINE_POINTER_CLEANUP_FUNC(char *, strv_free);
#define _cleanup_strv_free_ _cleanup_(strv_freep)
size_t strv_length(char *const *l) _pure_;
/* strv_push() - append s (taking ownership) to *l. Return: 0 or -ENOMEM. */
int strv_push(char ***l, char *s);
bool strv_contains(char *const *l, const char *s) _pure_;
/* strv_split() - split s on any of the separators, skipping empty words. */
int strv_split(const char *s, const char *separators, char ***ret);
void strv_sort(char **l);

#define STRV_FOREACH(s, l) for (char *const *s = (l); s && *s; s++)

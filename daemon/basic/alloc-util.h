/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

/* new(T, n) - allocate n elements of T, NULL on overflow or no memory. */
#define new(t, n) ((t *) malloc_multiply(sizeof(t), (n)))
#define new0(t, n) ((t *) calloc((n) ?: 1, sizeof(t)))

static inline void *malloc_multiply(size_t size, size_t n) {
        if (size > 0 && n > SIZE_MAX / size)
                return NULL;
        return malloc(size * n ?: 1);
}

/* mfree() - free and return NULL, so "p = mfree(p);" leaves no dangling pointer. */
static inline void *mfree(void *p) {
        free(p);
        return NULL;
}

static inline void freep(void *p) {
        free(*(void **) p);
}

#define _cleanup_free_ _cleanup_(freep)

/* memcpy_safe() - memcpy() that allows src == NULL when n == 0 (an empty
 * array that was never allocated): memcpy() with NULL is undefined even
 * for zero bytes (C11 7.24.1p2), and UBSan reports it. */
static inline void *memcpy_safe(void *dst, const void *src, size_t n) {
        if (n == 0)
                return dst;
        return memcpy(dst, src, n);
}

/* free_and_strdup() - replace *p by a copy of s (NULL allowed).
 * Return: 1 if changed, 0 if equal, -ENOMEM. */
int free_and_strdup(char **p, const char *s);

/* greedy_realloc() - grow *p to hold at least need elements of size bytes,
 * doubling, and track the allocated count in *allocated.
 * Return: 0, or -ENOMEM with *p untouched. */
int greedy_realloc(void **p, size_t *allocated, size_t need, size_t size);

/* The element size as a type (sizeof(__typeof__(...))): arrays of pointers
 * (Node **, Incident **) are grown too, and clang-tidy's
 * bugprone-sizeof-expression reads sizeof(array[0]) on them as a mistake. */
#define GREEDY_REALLOC(array, allocated, need)                                             \
        greedy_realloc((void **) &(array), &(allocated), (need), sizeof(__typeof__((array)[0])))

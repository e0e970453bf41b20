/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A string-keyed hash table with separate chaining.  Keys are borrowed (the
 * caller keeps them alive as long as the entry, typically the key is a field
 * of the value); values are never freed by the table.  Lookups, inserts and
 * removals are O(1) on average, so inventory and correlation stay linear in
 * the number of devices.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

typedef struct Hashmap Hashmap;

typedef struct HashmapIter {
        size_t bucket;
        void *entry;
} HashmapIter;
#define HASHMAP_ITER_FIRST ((HashmapIter) {})

/* FNV-1a, 64 bit: a digest to tell "the same bytes again" (a snapshot
 * unchanged, a stat line that did not move) and to spread devices over an
 * interval.  Not for anything an attacker chooses.  Chain calls through
 * @h; start with FNV1A64_INIT. */
#define FNV1A64_INIT UINT64_C(1469598103934665603)
static inline uint64_t fnv1a64(uint64_t h, const void *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                h = (h ^ ((const unsigned char *) p)[i]) * UINT64_C(1099511628211);
        return h;
}

Hashmap *hashmap_new(void);
Hashmap *hashmap_free(Hashmap *h);
DEFINE_POINTER_CLEANUP_FUNC(Hashmap, hashmap_free);

/* hashmap_put() - Return: 0, -EEXIST if the key is present, -ENOMEM. */
int hashmap_put(Hashmap *h, const char *key, void *value);
/* hashmap_replace() - insert or replace. Return: 0 or -ENOMEM. */
int hashmap_replace(Hashmap *h, const char *key, void *value);
void *hashmap_get(const Hashmap *h, const char *key);
/* hashmap_remove() - Return: the value removed, or NULL. */
void *hashmap_remove(Hashmap *h, const char *key);
size_t hashmap_size(const Hashmap *h) _pure_;
/* hashmap_iterate() - walk every entry in an unspecified order; removing
 * the entry just returned is allowed.  Return: false at the end. */
bool hashmap_iterate(const Hashmap *h, HashmapIter *i, void **ret_value, const char **ret_key);

#define HASHMAP_FOREACH(v, h)                                                              \
        for (HashmapIter _i_##v = HASHMAP_ITER_FIRST; hashmap_iterate((h), &_i_##v, (void **) &(v), NULL);)

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "alloc-util.h"
#include "hashmap.h"

typedef struct Entry {
        struct Entry *next;
        const char *key;
        void *value;
        uint32_t hash;
} Entry;

struct Hashmap {
        Entry **buckets;
        size_t n_buckets; /* a power of two */
        size_t n_entries;
};

#define INITIAL_BUCKETS 16u

/* FNV-1a, 32 bit.  Keys are device ids and kernel names: short, and not
 * chosen by an attacker who could flood one bucket. */
static uint32_t hash_string(const char *s) {
        uint32_t h = 2166136261u;

        for (; *s; s++) {
                h ^= (unsigned char) *s;
                h *= 16777619u;
        }
        return h;
}

Hashmap *hashmap_new(void) {
        Hashmap *h = new0(Hashmap, 1);

        if (!h)
                return NULL;
        h->buckets = new0(Entry *, INITIAL_BUCKETS);
        if (!h->buckets)
                return mfree(h);
        h->n_buckets = INITIAL_BUCKETS;
        return h;
}

Hashmap *hashmap_free(Hashmap *h) {
        if (!h)
                return NULL;
        for (size_t b = 0; b < h->n_buckets; b++)
                for (Entry *e = h->buckets[b], *n; e; e = n) {
                        n = e->next;
                        free(e);
                }
        free(h->buckets);
        return mfree(h);
}

static Entry **find(const Hashmap *h, const char *key, uint32_t hash) {
        Entry **p = &h->buckets[hash & (h->n_buckets - 1)];

        for (; *p; p = &(*p)->next)
                if ((*p)->hash == hash && strcmp((*p)->key, key) == 0)
                        return p;
        return p;
}

static int resize(Hashmap *h) {
        size_t n = h->n_buckets * 2;
        Entry **b;

        if (n > SIZE_MAX / sizeof(Entry *))
                return -ENOMEM;
        b = new0(Entry *, n);
        if (!b)
                return -ENOMEM;
        for (size_t i = 0; i < h->n_buckets; i++)
                for (Entry *e = h->buckets[i], *next; e; e = next) {
                        next = e->next;
                        e->next = b[e->hash & (n - 1)];
                        b[e->hash & (n - 1)] = e;
                }
        free(h->buckets);
        h->buckets = b;
        h->n_buckets = n;
        return 0;
}

static int put(Hashmap *h, const char *key, void *value, bool replace) {
        uint32_t hash = hash_string(key);
        Entry **p, *e;

        p = find(h, key, hash);
        if (*p) {
                if (!replace)
                        return -EEXIST;
                (*p)->key = key;
                (*p)->value = value;
                return 0;
        }
        if (h->n_entries + 1 > h->n_buckets * 3 / 4 && resize(h) >= 0)
                p = find(h, key, hash);
        e = new(Entry, 1);
        if (!e)
                return -ENOMEM;
        *e = (Entry) { .key = key, .value = value, .hash = hash };
        *p = e;
        h->n_entries++;
        return 0;
}

int hashmap_put(Hashmap *h, const char *key, void *value) {
        assert(h);
        assert(key);
        return put(h, key, value, false);
}

int hashmap_replace(Hashmap *h, const char *key, void *value) {
        assert(h);
        assert(key);
        return put(h, key, value, true);
}

void *hashmap_get(const Hashmap *h, const char *key) {
        Entry **p;

        if (!h || !key)
                return NULL;
        p = find(h, key, hash_string(key));
        return *p ? (*p)->value : NULL;
}

void *hashmap_remove(Hashmap *h, const char *key) {
        Entry **p, *e;
        void *v;

        if (!h || !key)
                return NULL;
        p = find(h, key, hash_string(key));
        if (!*p)
                return NULL;
        e = *p;
        v = e->value;
        *p = e->next;
        free(e);
        h->n_entries--;
        return v;
}

size_t hashmap_size(const Hashmap *h) {
        return h ? h->n_entries : 0;
}

bool hashmap_iterate(const Hashmap *h, HashmapIter *i, void **ret_value, const char **ret_key) {
        Entry *e;

        if (!h)
                return false;
        /* i->entry is the entry to return next (saved before returning the
         * previous one, so that the caller may remove what it was given). */
        e = i->entry;
        while (!e) {
                if (i->bucket >= h->n_buckets)
                        return false;
                e = h->buckets[i->bucket++];
        }
        i->entry = e->next;
        if (ret_value)
                *ret_value = e->value;
        if (ret_key)
                *ret_key = e->key;
        return true;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "test-helpers.h"

#include "alloc-util.h"
#include "hashmap.h"

static void test_put_get_remove(void **state) {
        _cleanup_(hashmap_freep) Hashmap *h = hashmap_new();
        int a = 1, b = 2;

        assert_non_null(h);
        assert_int_equal(hashmap_put(h, "sda", &a), 0);
        assert_int_equal(hashmap_put(h, "sda", &b), -EEXIST);
        assert_ptr_equal(hashmap_get(h, "sda"), &a);
        assert_int_equal(hashmap_replace(h, "sda", &b), 0);
        assert_ptr_equal(hashmap_get(h, "sda"), &b);
        assert_int_equal(hashmap_size(h), 1);
        assert_null(hashmap_get(h, "sdb"));
        assert_ptr_equal(hashmap_remove(h, "sda"), &b);
        assert_null(hashmap_remove(h, "sda"));
        assert_int_equal(hashmap_size(h), 0);
        assert_null(hashmap_get(NULL, "x"));
}

/* Many keys: growth keeps every entry reachable; iteration sees each once;
 * removing the entry just returned during iteration is allowed. */
static void test_many_and_iterate(void **state) {
        _cleanup_(hashmap_freep) Hashmap *h = hashmap_new();
        enum { N = 5000 };
        char (*keys)[16] = calloc(N, 16);
        unsigned *seen = calloc(N, sizeof(unsigned));
        HashmapIter i = HASHMAP_ITER_FIRST;
        const char *k;
        void *v;
        size_t count = 0;

        assert_non_null(keys);
        assert_non_null(seen);
        for (size_t j = 0; j < N; j++) {
                snprintf(keys[j], 16, "sd%zu", j);
                assert_int_equal(hashmap_put(h, keys[j], &seen[j]), 0);
        }
        assert_int_equal(hashmap_size(h), N);
        for (size_t j = 0; j < N; j++)
                assert_ptr_equal(hashmap_get(h, keys[j]), &seen[j]);

        while (hashmap_iterate(h, &i, &v, &k)) {
                (*(unsigned *) v)++;
                count++;
                if (count % 2 == 0)
                        assert_non_null(hashmap_remove(h, k));
        }
        assert_int_equal(count, N);
        for (size_t j = 0; j < N; j++)
                assert_int_equal(seen[j], 1);
        assert_int_equal(hashmap_size(h), N - N / 2);
        free(keys);
        free(seen);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_put_get_remove),
                cmocka_unit_test(test_many_and_iterate),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

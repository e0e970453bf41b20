/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "alloc-util.h"
#include "string-util.h"

int free_and_strdup(char **p, const char *s) {
        char *t = NULL;

        assert(p);

        if (streq_ptr(*p, s))
                return 0;
        if (s) {
                t = strdup(s);
                if (!t)
                        return -ENOMEM;
        }
        free(*p);
        *p = t;
        return 1;
}

int greedy_realloc(void **p, size_t *allocated, size_t need, size_t size) {
        size_t n;
        void *q;

        assert(p);
        assert(allocated);
        assert(size > 0);

        if (*allocated >= need)
                return 0;
        n = MAX(need, 4u);
        if (n <= SIZE_MAX / 2)
                n = MAX(n, *allocated * 2);
        if (size > 0 && n > SIZE_MAX / size)
                return -ENOMEM;
        q = realloc(*p, n * size);
        if (!q)
                return -ENOMEM;
        *p = q;
        *allocated = n;
        return 0;
}

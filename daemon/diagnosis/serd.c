/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "serd.h"

void serd_init(SerdEngine *e, SerdParams p) {
        *e = (SerdEngine) { .params = p };
        e->params.n = MIN(MAX(p.n, 1U), SERD_N_MAX);
}

void serd_reset(SerdEngine *e) {
        serd_init(e, e->params);
}

static usec_t oldest(const SerdEngine *e) {
        /* With count == n the oldest sits at head (about to be overwritten). */
        unsigned n = e->params.n;
        return e->times[(e->head + n - e->count) % n];
}

bool serd_record(SerdEngine *e, usec_t now_usec) {
        unsigned n = e->params.n;

        if (e->count > 0) {
                usec_t newest = e->times[(e->head + n - 1) % n];
                if (now_usec < newest)
                        now_usec = newest;
        }
        e->times[e->head] = now_usec;
        e->head = (e->head + 1) % n;
        if (e->count < n)
                e->count++;

        if (e->fired || e->count < n)
                return false;
        if (now_usec - oldest(e) <= e->params.t_usec) {
                e->fired = true;
                return true;
        }
        return false;
}

unsigned serd_count(const SerdEngine *e, usec_t now_usec) {
        unsigned n = e->params.n, c = 0;

        for (unsigned i = 0; i < e->count; i++) {
                usec_t t = e->times[(e->head + n - 1 - i) % n];
                if (t <= now_usec && now_usec - t <= e->params.t_usec)
                        c++;
        }
        return c;
}

unsigned serd_times(const SerdEngine *e, usec_t ret[static SERD_N_MAX]) {
        unsigned n = e->params.n;

        for (unsigned i = 0; i < e->count; i++)
                ret[i] = e->times[(e->head + n - e->count + i) % n];
        return e->count;
}

int serd_load(SerdEngine *e, SerdParams p, const usec_t *times, unsigned k, bool fired) {
        SerdEngine x;

        if (k > SERD_N_MAX)
                return -EINVAL;
        for (unsigned i = 1; i < k; i++)
                if (times[i] < times[i - 1])
                        return -EINVAL;
        serd_init(&x, p);
        for (unsigned i = k > x.params.n ? k - x.params.n : 0; i < k; i++) {
                x.times[x.head] = times[i];
                x.head = (x.head + 1) % x.params.n;
                x.count++;
        }
        x.fired = fired;
        *e = x;
        return 0;
}

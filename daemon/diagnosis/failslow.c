/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "failslow.h"

void failslow_params_default(FailSlowParams *p) {
        *p = (FailSlowParams) {
                .ratio = FAILSLOW_RATIO_DEFAULT,
                .windows = FAILSLOW_WINDOWS_DEFAULT,
                .work_ratio = FAILSLOW_WORK_RATIO_DEFAULT,
                .min_latency_usec = FAILSLOW_MIN_LATENCY_USEC_DEFAULT,
                .min_ios = FAILSLOW_MIN_IOS_DEFAULT,
        };
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

/* Median of the other members' values (n_members is small: an array or a
 * controller's disks). */
static uint64_t peer_median(const FailSlowSample *row, size_t n, size_t except, bool ios) {
        uint64_t v[256];
        size_t k = 0;

        for (size_t m = 0; m < n && k < 256; m++)
                if (m != except)
                        v[k++] = ios ? row[m].ios : row[m].latency_usec;
        qsort(v, k, sizeof(v[0]), cmp_u64);
        return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

static bool slow_in(const FailSlowSample *row, size_t n, size_t m, const FailSlowParams *p, double *ret_ratio) {
        uint64_t lat = peer_median(row, n, m, false), ios = peer_median(row, n, m, true);
        double ratio;

        if (row[m].ios < p->min_ios || row[m].latency_usec < p->min_latency_usec)
                return false;
        /* Comparable work: a member doing far more (a resync, a hot file)
         * is allowed to be slower. */
        if (ios == 0 || (double) row[m].ios > p->work_ratio * (double) ios ||
            (double) row[m].ios * p->work_ratio < (double) ios)
                return false;
        ratio = (double) row[m].latency_usec / (double) (lat ?: 1);
        if (ratio < p->ratio)
                return false;
        *ret_ratio = ratio;
        return true;
}

int failslow_evaluate(const FailSlowSample *samples, size_t n_members, size_t n_windows, const FailSlowParams *p,
                      FailSlowVerdict *ret) {
        FailSlowParams def;

        if (!p) {
                failslow_params_default(&def);
                p = &def;
        }
        if (n_members < 2 || n_members > 256 || n_windows < p->windows || p->windows == 0)
                return -EINVAL;

        for (size_t m = 0; m < n_members; m++) {
                unsigned run = 0;
                double ratio = 0;

                for (size_t w = n_windows; w > 0; w--) {
                        double r;
                        if (!slow_in(samples + (w - 1) * n_members, n_members, m, p, &r))
                                break;
                        if (run == 0)
                                ratio = r;
                        run++;
                }
                if (run >= p->windows) {
                        *ret = (FailSlowVerdict) { .member = m, .windows = run, .ratio = ratio };
                        return 1;
                }
        }
        return 0;
}

void failslow_ring_push(FailSlowRing *r, FailSlowSample s, usec_t now_usec) {
        if (r->n == FAILSLOW_RING_MAX) {
                memmove(r->windows, r->windows + 1, sizeof(r->windows[0]) * (FAILSLOW_RING_MAX - 1));
                r->n--;
        }
        r->windows[r->n++] = s;
        r->last_usec = now_usec;
}

bool failslow_ring_idle(const FailSlowRing *r) {
        for (unsigned i = 0; i < r->n && i < FAILSLOW_RING_MAX; i++)
                if (r->windows[i].ios > 0)
                        return false;
        return true;
}

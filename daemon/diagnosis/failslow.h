/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Fail-slow: a member whose latency stays well above its peers' for several
 * windows while doing comparable work is a suspect even when it reports no
 * error (Gunawi et al., "Fail-Slow at Scale", FAST '18).  Peers are the
 * other members of its array or the other disks behind its controller.
 * Pure: the caller samples /sys/block/X/stat per window and passes the
 * numbers in.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "time-util.h"

typedef struct FailSlowSample {
        uint64_t latency_usec; /* mean completion time of the window's I/O */
        uint64_t ios;          /* I/Os completed in the window */
} FailSlowSample;

#define FAILSLOW_RATIO_DEFAULT 3.0            /* latency >= 3x the peers' median ... */
#define FAILSLOW_WINDOWS_DEFAULT 3U           /* ... for 3 consecutive windows ... */
#define FAILSLOW_WORK_RATIO_DEFAULT 2.0       /* ... with I/O count within 2x of the peers' ... */
#define FAILSLOW_MIN_LATENCY_USEC_DEFAULT 5000 /* ... and at least 5 ms (idle noise is not slowness) */
#define FAILSLOW_MIN_IOS_DEFAULT 10U          /* a window with fewer I/Os says nothing */

typedef struct FailSlowParams {
        double ratio;
        unsigned windows;
        double work_ratio;
        uint64_t min_latency_usec;
        uint64_t min_ios;
} FailSlowParams;

void failslow_params_default(FailSlowParams *p);

typedef struct FailSlowVerdict {
        size_t member;          /* the slow one */
        unsigned windows;       /* consecutive slow windows, ending with the last */
        double ratio;           /* its latency / the peers' median, last window */
} FailSlowVerdict;

/* failslow_evaluate() - samples[w * n_members + m] is member m in window w,
 * oldest window first.  Needs at least 2 members: with 2 (a mirror) the
 * peer is the sibling, with more the median of the others.
 * Return: 1 and *ret when one member is fail-slow in the latest windows,
 * 0 when none is, -EINVAL for too few members/windows. */
int failslow_evaluate(const FailSlowSample *samples, size_t n_members, size_t n_windows, const FailSlowParams *p,
                      FailSlowVerdict *ret);

/* The windows of one block device, newest last, as the sampler keeps them
 * (and as they are saved across a restart). */
#define FAILSLOW_RING_MAX 16

typedef struct FailSlowRing {
        FailSlowSample windows[FAILSLOW_RING_MAX]; /* oldest first */
        unsigned n;
        usec_t last_usec;  /* CLOCK_REALTIME of the newest window, 0: none */
        bool flagged;      /* fail-slow reported for this episode */
} FailSlowRing;

/* failslow_ring_push() - one more window at now_usec; the oldest goes when full. */
void failslow_ring_push(FailSlowRing *r, FailSlowSample s, usec_t now_usec);
/* failslow_ring_idle() - no window of @r saw an I/O: nothing in it can
 * ever be judged slow, so there is nothing to save across a restart. */
bool failslow_ring_idle(const FailSlowRing *r) _pure_;

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * SERD engines: "N events in T" (Soft Error Rate Discrimination, after
 * OpenZFS cmd/zed/agents/fmd_serd.c).  An engine remembers the times of its
 * last N events; it fires when the newest and the oldest of them lie within
 * T.  Pure: time is passed in, nothing is read from a clock.
 */

#include <stdbool.h>

#include "macro.h"
#include "time-util.h"

#define SERD_N_MAX 64U

typedef struct SerdParams {
        unsigned n;    /* events, 1..SERD_N_MAX */
        usec_t t_usec; /* window */
} SerdParams;

typedef struct SerdEngine {
        SerdParams params;
        usec_t times[SERD_N_MAX]; /* ring of the last n event times */
        unsigned count;           /* events held, <= n */
        unsigned head;            /* next slot */
        bool fired;
} SerdEngine;

/* serd_init() - an empty engine; n is clamped to 1..SERD_N_MAX. */
void serd_init(SerdEngine *e, SerdParams p);

/* serd_record() - add an event at now_usec (events must come in time order;
 * an older one is treated as happening now).
 * Return: true when this event makes the engine fire: n events within
 * t_usec.  A fired engine stays fired (and returns false) until
 * serd_reset(), so one burst is one diagnosis. */
bool serd_record(SerdEngine *e, usec_t now_usec);

/* serd_count() - events within the window ending at now_usec. */
unsigned serd_count(const SerdEngine *e, usec_t now_usec) _pure_;

void serd_reset(SerdEngine *e);

/* serd_times() - the events held, oldest first, into ret (room for
 * SERD_N_MAX).  Return: how many. */
unsigned serd_times(const SerdEngine *e, usec_t ret[static SERD_N_MAX]);

/* serd_load() - an engine with params p holding the events times[0..k)
 * (oldest first, as serd_times() gave them; beyond p.n only the newest
 * are kept, so a smaller N from a changed configuration still works) and
 * the fired flag.  Return: 0, -EINVAL when the times go backwards or k is
 * larger than SERD_N_MAX. */
int serd_load(SerdEngine *e, SerdParams p, const usec_t *times, unsigned k, bool fired);

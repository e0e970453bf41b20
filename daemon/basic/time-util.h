/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <time.h>

#include "macro.h"

/* Every time value in storguard is a usec_t: microseconds, on the clock its
 * name or context says (CLOCK_REALTIME for wall-clock stamps stored in
 * incidents, CLOCK_MONOTONIC/BOOTTIME for intervals and SERD windows). */
typedef uint64_t usec_t;

#define USEC_INFINITY ((usec_t) UINT64_MAX)
#define USEC_PER_MSEC ((usec_t) 1000ULL)
#define USEC_PER_SEC ((usec_t) 1000000ULL)
#define USEC_PER_MINUTE (60ULL * USEC_PER_SEC)
#define USEC_PER_HOUR (60ULL * USEC_PER_MINUTE)
#define USEC_PER_DAY (24ULL * USEC_PER_HOUR)
#define USEC_PER_WEEK (7ULL * USEC_PER_DAY)
#define NSEC_PER_USEC ((uint64_t) 1000ULL)

usec_t now(clockid_t clock);
usec_t timespec_load(const struct timespec *ts) _pure_;

/* parse_sec() - parse a time span: "30", "30s", "5min", "1h 30min", "2d",
 * "100ms", "infinity".  A bare number is seconds.
 * Return: 0 with *ret set, or -EINVAL / -ERANGE. */
int parse_sec(const char *s, usec_t *ret);

/* format_timespan() - "1h 30min", "250ms", "infinity" into buf. */
char *format_timespan(char *buf, size_t l, usec_t t);
#define FORMAT_TIMESPAN_MAX 64

/* format_timestamp_utc() - CLOCK_REALTIME usec as ISO 8601 UTC with
 * microseconds, "2026-11-22T00:28:18.123456Z", into buf. */
char *format_timestamp_utc(char *buf, size_t l, usec_t t);
#define FORMAT_TIMESTAMP_MAX 40

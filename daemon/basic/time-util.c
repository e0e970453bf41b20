/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "string-util.h"
#include "time-util.h"

usec_t now(clockid_t clock) {
        struct timespec ts;

        /* Fails only for a clock id this kernel does not know: that is a
         * programming error, not a run-time condition. */
        if (clock_gettime(clock, &ts) < 0)
                abort();
        return timespec_load(&ts);
}

usec_t timespec_load(const struct timespec *ts) {
        if (ts->tv_sec < 0 || ts->tv_nsec < 0)
                return 0;
        if ((uint64_t) ts->tv_sec > (UINT64_MAX - ((uint64_t) ts->tv_nsec / NSEC_PER_USEC)) / USEC_PER_SEC)
                return USEC_INFINITY;
        return (uint64_t) ts->tv_sec * USEC_PER_SEC + (uint64_t) ts->tv_nsec / NSEC_PER_USEC;
}

static const struct {
        const char *suffix;
        usec_t usec;
} time_units[] = {
        /* Longest first where one suffix is the prefix of another ("ms" / "m"). */
        { "seconds", USEC_PER_SEC }, { "second", USEC_PER_SEC }, { "sec", USEC_PER_SEC },
        { "s", USEC_PER_SEC },       { "minutes", USEC_PER_MINUTE }, { "minute", USEC_PER_MINUTE },
        { "min", USEC_PER_MINUTE },  { "months", 2629800ULL * USEC_PER_SEC },
        { "msec", USEC_PER_MSEC },   { "ms", USEC_PER_MSEC },    { "m", USEC_PER_MINUTE },
        { "hours", USEC_PER_HOUR },  { "hour", USEC_PER_HOUR },  { "hr", USEC_PER_HOUR },
        { "h", USEC_PER_HOUR },      { "days", USEC_PER_DAY },   { "day", USEC_PER_DAY },
        { "d", USEC_PER_DAY },       { "weeks", USEC_PER_WEEK }, { "week", USEC_PER_WEEK },
        { "w", USEC_PER_WEEK },      { "usec", 1 },              { "us", 1 },
};

int parse_sec(const char *s, usec_t *ret) {
        const char *p = s;
        usec_t total = 0;
        bool any = false;

        assert(s);
        assert(ret);

        p += strspn(p, " \t");
        if (streq(p, "infinity")) {
                *ret = USEC_INFINITY;
                return 0;
        }

        for (;;) {
                unsigned long long v;
                usec_t mult = USEC_PER_SEC;
                char *e;

                p += strspn(p, " \t");
                if (*p == '\0')
                        break;
                if (!isdigit((unsigned char) *p))
                        return -EINVAL;
                errno = 0;
                v = strtoull(p, &e, 10);
                if (errno == ERANGE)
                        return -ERANGE;
                p = e;
                p += strspn(p, " \t");
                if (isalpha((unsigned char) *p)) {
                        size_t n = 0;
                        bool found = false;

                        while (isalpha((unsigned char) p[n]))
                                n++;
                        for (size_t i = 0; i < ELEMENTSOF(time_units); i++)
                                if (strlen(time_units[i].suffix) == n && strneq(p, time_units[i].suffix, n)) {
                                        mult = time_units[i].usec;
                                        found = true;
                                        break;
                                }
                        if (!found)
                                return -EINVAL;
                        p += n;
                }
                if (v > (UINT64_MAX - 1 - total) / mult)
                        return -ERANGE;
                total += v * mult;
                any = true;
        }
        if (!any)
                return -EINVAL;
        *ret = total;
        return 0;
}

char *format_timespan(char *buf, size_t l, usec_t t) {
        static const struct {
                const char *suffix;
                usec_t usec;
        } table[] = {
                { "d", USEC_PER_DAY }, { "h", USEC_PER_HOUR }, { "min", USEC_PER_MINUTE },
                { "s", USEC_PER_SEC }, { "ms", USEC_PER_MSEC }, { "us", 1 },
        };
        size_t n = 0;

        assert(buf);
        assert(l > 0);

        if (t == USEC_INFINITY) {
                snprintf(buf, l, "infinity");
                return buf;
        }
        if (t == 0) {
                snprintf(buf, l, "0");
                return buf;
        }
        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(table) && t > 0; i++) {
                usec_t a = t / table[i].usec;
                int k;

                if (a == 0)
                        continue;
                k = snprintf(buf + n, l - n, "%s%llu%s", n > 0 ? " " : "", (unsigned long long) a,
                             table[i].suffix);
                if (k < 0 || (size_t) k >= l - n)
                        break;
                n += (size_t) k;
                t -= a * table[i].usec;
        }
        return buf;
}

char *format_timestamp_utc(char *buf, size_t l, usec_t t) {
        time_t sec = (time_t) (t / USEC_PER_SEC);
        struct tm tm;
        char tmp[32];

        assert(buf);
        if (t == 0 || t == USEC_INFINITY || !gmtime_r(&sec, &tm) ||
            strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
                snprintf(buf, l, "n/a");
                return buf;
        }
        snprintf(buf, l, "%s.%06lluZ", tmp, (unsigned long long) (t % USEC_PER_SEC));
        return buf;
}

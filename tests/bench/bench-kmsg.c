/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmsg parse rate: every real record of tests/fixtures/kmsg/ (storage and
 * non-storage lines alike), repeated to BENCH_KMSG_RECORDS records, parsed
 * and classified on one core.  Prints records per second.
 *   make bench-kmsg   (or: tests/bench/bench-kmsg [records])
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kmsg.h"
#include "macro.h"
#include "time-util.h"
#include <inttypes.h>
#include "../unit/kmsg-fixture.h"

#define BENCH_KMSG_RECORDS 5000000UL

int main(int argc, char *argv[]) {
        const char *dir = TOP_SRCDIR "/tests/fixtures/kmsg";
        unsigned long total = argc > 1 ? strtoul(argv[1], NULL, 10) : BENCH_KMSG_RECORDS;
        KmsgFixture all = {};
        uint64_t ereports = 0, storage = 0;
        usec_t t0, t1;

        if (kmsg_fixture_load_dir(dir, &all) < 0)
                return 1;
        if (all.n == 0)
                return 1;

        t0 = now(CLOCK_MONOTONIC);
        for (unsigned long i = 0; i < total; i++) {
                Ereport e[KMSG_EREPORTS_MAX];
                size_t k = i % all.n;
                int r = kmsg_parse_line(all.records[k], all.lengths[k], 0, e);
                if (r > 0) {
                        ereports += (uint64_t) r;
                        storage++;
                }
        }
        t1 = now(CLOCK_MONOTONIC);

        printf("kmsg: %lu records (%zu distinct real records, %.0f%% storage), %" PRIu64 " ereports\n", total,
               all.n, 100.0 * (double) storage / (double) total, ereports);
        printf("kmsg: %.3f s, %.0f records/s on one core, no allocation per record\n",
               (double) (t1 - t0) / 1e6, (double) total / ((double) (t1 - t0) / 1e6));
        kmsg_fixture_free(&all);
        return 0;
}

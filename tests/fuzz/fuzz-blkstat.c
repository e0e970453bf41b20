/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The text of /sys/block/<disk>/stat. */
#include "blkstat/blkstat.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        BlkStat b;
        char *t;

        fuzz_setup();
        t = fuzz_strndup(data, size);
        if (!t)
                return 0;
        (void) blkstat_parse(t, &b);
        free(t);
        return 0;
}

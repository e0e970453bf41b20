/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /dev/kmsg records: the header parser and the storage classifier.  The
 * input is split at newlines that do not start a " KEY=value" continuation,
 * the way read(2) on /dev/kmsg hands out one record per call. */
#include "fuzz.h"
#include "kmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *p = (const char *) data, *end = p + size;

        fuzz_setup();
        /* Also the whole input as one record: records may hold newlines. */
        {
                Ereport e[KMSG_EREPORTS_MAX];

                (void) kmsg_parse_line(p, size, 0, e);
        }
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t n = nl ? (size_t) (nl - p) + 1 : (size_t) (end - p);
                Ereport e[KMSG_EREPORTS_MAX];

                while (nl && nl + 1 < end && nl[1] == ' ') {
                        nl = memchr(nl + 1, '\n', (size_t) (end - nl - 1));
                        n = nl ? (size_t) (nl - p) + 1 : (size_t) (end - p);
                }
                (void) kmsg_parse_line(p, n, 1700000000000000ULL, e);
                p += n;
        }
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Backblaze drive-stats CSV (storguardctl replay --backblaze). */
#include "backblaze-csv.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        BbCsv *c = NULL;
        BbRow row;
        FILE *f;
        int32_t day;

        fuzz_setup();
        (void) bb_parse_date((const char *) data, size, &day);
        if (size == 0)
                return 0;
        f = fmemopen((void *) data, size, "r");
        if (!f)
                return 0;
        if (bb_csv_open(f, "fuzz.csv", &c) >= 0) {
                while (bb_csv_next(c, &row) > 0)
                        ;
                bb_csv_free(c);
        }
        fclose(f);
        return 0;
}

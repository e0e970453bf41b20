/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libatasmart-format SMART blobs (IDENTIFY + SMART data + thresholds), as
 * captured by `skdump --save` or replayed with storguardctl health --file. */
#include "ata/ata-smart.h"
#include "fuzz.h"
#include "health.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        HealthSnapshot *s = NULL;

        fuzz_setup();
        if (ata_parse_blob(data, size, "fuzz", &s) >= 0)
                health_snapshot_free(s);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* health_parse_buffer(): the format sniffer in front of every health file
 * reader (blob, smartctl JSON, NVMe log). */
#include "fuzz.h"
#include "health-read.h"
#include "health.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        HealthSnapshot *s = NULL;
        HealthParseError e = {};

        fuzz_setup();
        if (health_parse_buffer(data, size, "fuzz", &s, &e) >= 0)
                health_snapshot_free(s);
        return 0;
}

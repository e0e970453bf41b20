/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `smartctl --json` output (storguardctl health --file, the corpus replay). */
#include "fuzz.h"
#include "health.h"
#include "smartctl-json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        HealthSnapshot *s = NULL;
        HealthParseError e = {};

        fuzz_setup();
        if (smartctl_json_parse((const char *) data, size, "fuzz", &s, &e) >= 0)
                health_snapshot_free(s);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* D-Bus method arguments: every string a bus handler accepts goes through
 * these validators before it reaches the Manager (bus-util.h). */
#include "bus-util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s;

        fuzz_setup();
        s = fuzz_strndup(data, size);
        if (!s)
                return 0;
        (void) bus_valid_id(s);
        (void) bus_valid_device(s);
        (void) bus_valid_text(s, BUS_WHO_MAX, false);
        (void) bus_valid_text(s, BUS_COMMENT_MAX, true);
        free(s);
        return 0;
}

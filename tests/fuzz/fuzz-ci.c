/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Inventory strings from the device: ATA IDENTIFY strings and WWNs in the
 * forms udev and sysfs report them. */
#include "ci.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s, *r = NULL;

        fuzz_setup();
        if (size >= 2) {
                size_t word = data[0] % 256, n = data[1] % 64;

                if (ata_id_string(data + 2, size - 2, word, n, &r) >= 0)
                        free(r);
                r = NULL;
        }
        s = fuzz_strndup(data, size);
        if (!s)
                return 0;
        if (wwn_normalize(s, &r) >= 0)
                free(r);
        free(s);
        return 0;
}

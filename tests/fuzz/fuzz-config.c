/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /etc/storguard/storguardd.conf through the daemon's whole config table
 * (conf-parser over inih), written to a file in a private directory. */
#include "configuration.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Config c;
        const char *path;

        fuzz_setup();
        path = fuzz_write_file("storguardd.conf", data, size);
        /* config_load() starts from config_init()'s defaults itself. */
        (void) config_load(&c, path, false);
        config_done(&c);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The known-errors database (rules/known-errors/ *.conf and the admin's
 * drop-ins in /etc). */
#include "fuzz.h"
#include "known-errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        KnownErrorDb db = {};
        const char *path;

        fuzz_setup();
        path = fuzz_write_file("fuzz.conf", data, size);
        (void) known_error_db_load_file(&db, path);
        known_error_db_done(&db);
        return 0;
}

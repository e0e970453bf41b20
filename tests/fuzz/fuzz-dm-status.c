/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parameters of a dm-multipath map's status and table (DM_TABLE_STATUS). */
#include "dm/dm-status.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        DmMpathStatus s;
        bool q;
        char *t;

        fuzz_setup();
        t = fuzz_strndup(data, size);
        if (!t)
                return 0;
        (void) dm_mpath_status_parse(t, &s);
        (void) dm_mpath_table_queue_if_no_path(t, &q);
        free(t);
        return 0;
}

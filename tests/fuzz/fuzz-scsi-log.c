/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* LOG SENSE pages (every page the SCSI driver parses goes through
 * scsi_log_parse_page(), which dispatches on the page code in the header),
 * the supported-pages list and the MODE SENSE(10) IEC page. */
#include "fuzz.h"
#include "health.h"
#include "scsi/scsi-pages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        HealthSnapshot *s;
        uint8_t page, subpage, pages[256];
        size_t len;

        fuzz_setup();
        (void) scsi_log_page_header(data, size, &page, &subpage, &len);
        (void) scsi_log_parse_supported(data, size, pages, sizeof pages);

        s = health_snapshot_new(HEALTH_PROTOCOL_SCSI, "fuzz");
        if (!s)
                return 0;
        (void) scsi_log_parse_page(data, size, s);
        (void) scsi_mode_parse_iec(data, size, s);
        (void) health_assess(s);
        health_snapshot_free(s);
        return 0;
}

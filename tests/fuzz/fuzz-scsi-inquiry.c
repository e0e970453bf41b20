/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Standard INQUIRY data and the VPD pages 0x80 (serial) and 0x83 (device
 * identification: the WWN). */
#include "fuzz.h"
#include "scsi/scsi-pages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        ScsiInquiry inq;
        char *s = NULL;

        fuzz_setup();
        (void) scsi_parse_inquiry(data, size, &inq);
        if (scsi_parse_vpd_serial(data, size, &s) >= 0)
                free(s);
        s = NULL;
        if (scsi_parse_vpd_wwn(data, size, &s) >= 0)
                free(s);
        return 0;
}

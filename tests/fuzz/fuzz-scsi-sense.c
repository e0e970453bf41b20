/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SCSI sense data, fixed (0x70/0x71) and descriptor (0x72/0x73) format, and
 * the ATA Return descriptor of an ATA PASS-THROUGH answer. */
#include "fuzz.h"
#include "scsi/scsi-sense.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        ScsiSense s;
        AtaRegisters a;

        fuzz_setup();
        if (scsi_sense_decode(data, size, &s) >= 0)
                (void) scsi_sense_to_errno(&s);
        (void) scsi_sense_ata_registers(data, size, &a);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NVMe admin data: SMART / Health log (02h), Firmware Slot log (03h),
 * Error Information log (01h) and Identify Controller. */
#include "fuzz.h"
#include "health.h"
#include "nvme/nvme-health.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        HealthSnapshot *s;

        fuzz_setup();
        s = health_snapshot_new(HEALTH_PROTOCOL_NVME, "fuzz");
        if (!s)
                return 0;
        (void) nvme_parse_identify_ctrl(data, size, s);
        (void) nvme_parse_smart_log(data, size, s);
        (void) nvme_parse_fw_slot_log(data, size, s);
        (void) nvme_parse_error_log(data, size, s);
        (void) health_assess(s);
        health_snapshot_free(s);
        return 0;
}

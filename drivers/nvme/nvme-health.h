/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * NVMe health: the SMART / Health Information log (0x02), the firmware slot
 * log (0x03) and the error information log (0x01), parsed from raw log
 * bytes with libnvme's structs (pure functions, fuzzed), and read live
 * through an ops table whose real implementation calls libnvme.
 *
 *   log 0x02 field         snapshot field
 *   ---------------------  ------------------------------------------
 *   critical_warning       critical_warning (bits: health.h)
 *   temperature (K)        temperature_mkelvin
 *   avail_spare/thresh     available_spare_pct, spare_threshold_pct
 *   percent_used           percentage_used
 *   media_errors           media_errors (128-bit, saturated to 64)
 *   num_err_log_entries    error_log_entries
 *   power_on_hours         power_on_hours
 *   power_cycles           power_cycles
 *   unsafe_shutdowns       unsafe_shutdowns
 */

#include <stddef.h>
#include <stdint.h>

#include "ereport.h"
#include "health.h"

#define NVME_LOG_SMART 0x02
#define NVME_LOG_FW_SLOT 0x03
#define NVME_LOG_ERROR 0x01
#define NVME_LOG_PAGE_SIZE 512     /* bytes: SMART and firmware slot logs */
#define NVME_ERROR_ENTRY_SIZE ((size_t) 64) /* bytes per error information entry */
#define NVME_IDENTIFY_SIZE 4096
#define NVME_NSID_ALL_ 0xffffffffu

typedef struct NvmeOps {
        /* get_log() - read @len bytes of log page @lid for @nsid.
         * Return: 0, or -errno (NVMe status codes translated). */
        int (*get_log)(void *userdata, uint8_t lid, uint32_t nsid, void *buf, size_t len);
        /* identify_ctrl() - the 4096-byte Identify Controller data.
         * Return: 0 or -errno. */
        int (*identify_ctrl)(void *userdata, void *buf);
} NvmeOps;

/* nvme_parse_smart_log() - Return: 0, -EBADMSG when shorter than 512 bytes. */
int nvme_parse_smart_log(const uint8_t *buf, size_t len, HealthSnapshot *s);

/* nvme_parse_fw_slot_log() - the active slot's revision into
 * active_firmware.  Return: 0, -EBADMSG (short, or active slot 0),
 * -ENOMEM. */
int nvme_parse_fw_slot_log(const uint8_t *buf, size_t len, HealthSnapshot *s);

/* nvme_parse_error_log() - the entries with a nonzero error count (at most
 * NVME_ERROR_ENTRIES_MAX).  Return: the number kept, -EBADMSG, -ENOMEM. */
int nvme_parse_error_log(const uint8_t *buf, size_t len, HealthSnapshot *s);

/* nvme_parse_identify_ctrl() - model, serial, firmware revision.
 * Return: 0, -EBADMSG, -ENOMEM. */
int nvme_parse_identify_ctrl(const uint8_t *buf, size_t len, HealthSnapshot *s);

/* nvme_read_health() - identify, SMART log (required), firmware slot and
 * error logs (optional); assess; emit ereports to @sink (may be NULL).
 * An unreadable device gets a snapshot with assessment unknown.
 * Return: 0 with a new snapshot, or -ENOMEM. */
int nvme_read_health(const NvmeOps *ops, void *userdata, const char *device, usec_t now_usec, EreportSink sink,
                     void *sink_userdata, HealthSnapshot **ret);

/* nvme_ops_libnvme: the real ops; userdata is a pointer to an int fd of
 * an NVMe controller or namespace node (opened by nvme_open_node()). */
extern const NvmeOps nvme_ops_libnvme;
int nvme_open_node(const char *node, int *ret_fd);

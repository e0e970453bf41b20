/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Parsers of SCSI responses: pure functions over byte buffers (they are
 * fuzzed), each returning 0 or -EBADMSG for a malformed buffer (with the
 * offset of the problem in a debug message), -ENODATA when the page holds
 * nothing of what is asked.  References: SPC-5 (INQUIRY, VPD, LOG SENSE,
 * MODE SENSE), SBC-4 (error counter pages, background scan).
 *
 * Log pages fill the matching fields of a HealthSnapshot:
 *
 *   page  name                         snapshot fields
 *   ----  ---------------------------  ------------------------------------------
 *   0x00  supported log pages          (list)
 *   0x02  write error counters         write_errors
 *   0x03  read error counters          read_errors
 *   0x05  verify error counters        verify_errors
 *   0x06  non-medium error             non_medium_errors
 *   0x0d  temperature                  temperature_mkelvin, trip_temperature_mkelvin
 *   0x0e  start-stop cycle counter     start_stop_cycles, load_unload_cycles
 *   0x10  self-test results            self_test_failures
 *   0x15  background scan results      power_on_hours, background_scan_status, medium_scan_errors
 *   0x2f  informational exceptions     ie_present, ie_asc, ie_ascq, temperature_mkelvin
 *   mode page 0x1c (IEC)               ie_enabled, ie_mrie
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "health.h"

#define SCSI_LOG_PAGES_MAX 64

/* scsi_log_page_header() - validate a LOG SENSE response header.
 * Return: 0 with page code, subpage and the number of valid bytes (header
 * included, clamped to @len); -EBADMSG when shorter than 4 bytes. */
int scsi_log_page_header(const uint8_t *buf, size_t len, uint8_t *ret_page, uint8_t *ret_subpage, size_t *ret_len);

/* scsi_log_parse_supported() - page 0x00: the supported page codes.
 * Return: the number of pages written to @pages (at most @max), -EBADMSG. */
int scsi_log_parse_supported(const uint8_t *buf, size_t len, uint8_t *pages, size_t max);

/* scsi_log_parse_page() - parse any of the pages in the table above into
 * @s (by the page code in the buffer).
 * Return: 0, -EBADMSG for a malformed page, -EOPNOTSUPP for a page this
 * parser does not know. */
int scsi_log_parse_page(const uint8_t *buf, size_t len, HealthSnapshot *s);

/* scsi_mode_parse_iec() - the Informational Exceptions Control mode page
 * (0x1c) in a MODE SENSE(10) response (header, block descriptors, pages).
 * Return: 0 with ie_enabled/ie_mrie set in @s, -ENODATA when the page is
 * not in the response, -EBADMSG. */
int scsi_mode_parse_iec(const uint8_t *buf, size_t len, HealthSnapshot *s);

typedef struct ScsiInquiry {
        uint8_t peripheral_type; /* 0x00 disk, 0x0d enclosure, ... */
        char vendor[9], product[17], revision[5]; /* trailing blanks removed */
} ScsiInquiry;

/* scsi_parse_inquiry() - the standard INQUIRY response.
 * Return: 0, -EBADMSG when shorter than 36 bytes. */
int scsi_parse_inquiry(const uint8_t *buf, size_t len, ScsiInquiry *ret);

/* scsi_parse_vpd_serial() - VPD 0x80, blanks trimmed.
 * Return: 0 and a new string, -EBADMSG, -ENOMEM. */
int scsi_parse_vpd_serial(const uint8_t *buf, size_t len, char **ret);

/* scsi_parse_vpd_wwn() - VPD 0x83: the logical unit's NAA designator as
 * "0x<hex>" (or EUI-64 as "eui.<hex>").
 * Return: 0 and a new string, -ENODATA when none, -EBADMSG, -ENOMEM. */
int scsi_parse_vpd_wwn(const uint8_t *buf, size_t len, char **ret);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * `smartctl --json` output (smartmontools 7.x, json_format_version 1.x)
 * mapped into a HealthSnapshot, so captures from other machines are
 * assessed by the same rules as live reads.
 *
 *   smartctl key                                  snapshot field
 *   --------------------------------------------  -------------------------------
 *   device.protocol ("ATA", "SCSI", "NVMe")       protocol (else guessed from keys)
 *   model_name | scsi_model_name, serial_number,
 *   firmware_version | scsi_revision              model, serial, firmware
 *   smart_status.passed                           smart_status
 *   ata_smart_attributes.table[]                  attributes (id, name, value, worst,
 *                                                 thresh, flags.prefailure,
 *                                                 flags.updated_online, raw.value)
 *     -> 194/190/231 raw byte 0                   temperature_mkelvin (ATA: decoded by us)
 *     -> 9 raw low 32 bits                        power_on_hours      (ATA: decoded by us)
 *     -> 12 raw                                   power_cycles
 *   ata_smart_data.self_test.status.passed        self_test_failed
 *   ata_smart_error_log.summary.count             error_log_count
 *   temperature.current / drive_trip              temperature (SCSI, NVMe; ATA fallback)
 *   power_on_time.hours                           power_on_hours (SCSI, NVMe; ATA fallback)
 *   scsi_error_counter_log.{read,write,verify}    read/write/verify_errors
 *   scsi_grown_defect_list                        grown_defects
 *   scsi_start_stop_cycle_counter                 start_stop_cycles, load_unload_cycles
 *   scsi_self_test_N.result.value                 self_test_failures
 *   nvme_smart_health_information_log             critical_warning, available_spare,
 *                                                 percentage_used, media_errors, ...
 *
 * smartctl's exit status bits 0..2 (command line, open, SMART command
 * failed) make the snapshot unknown with that error.
 */

#include <stddef.h>

#include "health.h"

#define SMARTCTL_JSON_MAX ((size_t) 16 * 1024 * 1024) /* bytes: real outputs are < 100 KiB */

/* smartctl_json_parse() - parse @len bytes of text (need not be
 * NUL-terminated) named @name (for messages and the snapshot).
 * Return: 0 with a new, assessed snapshot; -EBADMSG for invalid JSON or
 * not a smartctl document (a debug message gives the offset); -EFBIG when
 * larger than SMARTCTL_JSON_MAX; -EPROTONOSUPPORT for a json_format_version
 * other than 1; -ENOMEM.  @error (may be NULL) says what and where on failure. */
int smartctl_json_parse(const char *text, size_t len, const char *name, HealthSnapshot **ret, HealthParseError *error);

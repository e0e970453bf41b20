/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A health snapshot as JSON (the "health" object of `storguardctl
 * inventory --json` and of `storguardctl assess --json`), and as text.
 *
 *   key                     value
 *   ----------------------  --------------------------------------------------
 *   protocol                "ata" | "scsi" | "nvme"
 *   assessment              "ok" | "warning" | "failing" | "failed" | "unknown"
 *   reasons                 [{level, source, value, text}]
 *   error, errno            why it could not be read (assessment "unknown")
 *   skipped                 true when the read was skipped (disk in standby)
 *   model, serial, firmware identity as the device reported it
 *   smart_status            "passed" | "failed" | "unknown"
 *   temperature_celsius     number (from temperature_mkelvin)
 *   power_on_hours, power_cycles, ...  numbers; absent when not reported
 *   ata: attributes         [{id, name, value, worst, threshold, raw, prefailure,
 *                             online, failing_now, failed_in_past}]
 *   scsi: error_counters    {read|write|verify: {corrected, uncorrected, ...}}
 *   nvme: critical_warning  {value, bits: ["spare", ...]}
 */

#include <json-c/json.h>
#include <stdio.h>

#include "health.h"

/* health_snapshot_to_json() - Return: a new object or NULL on ENOMEM. */
json_object *health_snapshot_to_json(const HealthSnapshot *s);

/* health_snapshot_print() - the human-readable report; device strings are
 * made printable.  Return: 0 or -errno from writing. */
int health_snapshot_print(const HealthSnapshot *s, FILE *f);

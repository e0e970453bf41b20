/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The entry points the daemon and storguardctl use: read a device's health
 * live (dispatching to ata/, scsi/ or nvme/ by protocol), or a captured
 * file (a libatasmart blob or `smartctl --json` output).
 */

#include <stddef.h>

#include "ereport.h"
#include "health.h"
#include "scsi/scsi-health.h"

#define HEALTH_FILE_MAX ((size_t) 16 * 1024 * 1024) /* bytes */

/* health_parse_buffer() - a libatasmart blob (starts with the "IDFY" tag)
 * or smartctl JSON, told apart by content.  @name names it in messages.
 * Return: 0 with a new snapshot; -EBADMSG (garbage, naming the offset in a
 * debug message), -EFBIG, -EPROTONOSUPPORT, -ENOMEM; @error (may be NULL)
 * says what and where. */
int health_parse_buffer(const void *buf, size_t len, const char *name, HealthSnapshot **ret, HealthParseError *error);

/* health_read_file() - read @path (at most HEALTH_FILE_MAX bytes) and
 * health_parse_buffer() it.  Return: as above, or -errno from reading. */
int health_read_file(const char *path, HealthSnapshot **ret, HealthParseError *error);

/* What a driver keeps about a device between two reads of it (plain data:
 * it crosses the daemon's worker pipe as bytes).  Only the SCSI driver
 * keeps something so far (identity and supported log pages): an ATA read
 * needs IDENTIFY for its attribute names anyway, and NVMe reads one log. */
typedef struct HealthCache {
        ScsiHealthCache scsi;
} HealthCache;

/* health_read_device() - read the device node @node live through the
 * driver for @protocol (SG_IO for ATA via SAT and SCSI, libnvme for NVMe).
 * @cache (may be NULL): what an earlier read of the same device kept,
 * updated by this read (see ScsiHealthCache).
 * A device that cannot be opened or read gets a snapshot with assessment
 * unknown and the reason (EACCES when storguard lacks the permission).
 * Ereports go to @sink (may be NULL).
 * Return: 0 with a new snapshot, -ENOMEM, -EINVAL for a bad protocol. */
int health_read_device(const char *node, HealthProtocol protocol, HealthCache *cache, usec_t now_usec,
                       EreportSink sink, void *userdata, HealthSnapshot **ret);

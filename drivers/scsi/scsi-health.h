/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ereport.h"
#include "health.h"
#include "scsi-transport.h"

#define SCSI_LOG_BUFFER_SIZE 0xfffc /* bytes: the largest LOG SENSE allocation length, 4-aligned */

/*
 * scsi_read_health() - read a SCSI/SAS disk's health through @t:
 * INQUIRY (+ VPD 0x80), TEST UNIT READY, LOG SENSE 0x00 and every
 * supported page of scsi-pages.h, MODE SENSE 0x1c, REQUEST SENSE (MRIE 6
 * reports a predictive failure there).  Sense data met on the way is
 * emitted as ereports to @sink (may be NULL), as is what the snapshot
 * implies (health_snapshot_emit()).
 * A device that cannot be read gets a snapshot with assessment unknown and
 * the error; this returns an error only for -ENOMEM.
 * Return: 0 with a new snapshot, or -ENOMEM.
 */
int scsi_read_health(const ScsiTransport *t, const char *device, usec_t now_usec, EreportSink sink, void *userdata,
                     HealthSnapshot **ret);

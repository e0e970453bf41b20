/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "ereport.h"
#include "health.h"
#include "scsi-transport.h"

#define SCSI_LOG_BUFFER_SIZE 0xfffc /* bytes: the largest LOG SENSE allocation length, 4-aligned */
#define SCSI_HEALTH_PAGES_MAX 9     /* the health pages scsi-health.c reads */

/*
 * What a SCSI disk says once and keeps saying: its identity (standard
 * INQUIRY, VPD 0x80) and which of the health log pages it supports (LOG
 * SENSE 0x00).  A caller that keeps it between reads of the same device
 * saves those commands on every later read; the snapshot is the same.
 * Plain data (it crosses the daemon's worker pipe as bytes).  The caller
 * drops it (valid = false) when udev reports the device added or changed
 * and after a read that failed; the driver drops it itself when the device
 * reports a unit attention (a reset, changed mode parameters or INQUIRY
 * data: SPC-5 5.14) and reads everything again.
 */
typedef struct ScsiHealthCache {
        bool valid;
        char model[32];     /* "VENDOR PRODUCT": 8 + 1 + 16 bytes of INQUIRY */
        char firmware[8];   /* INQUIRY product revision, 4 bytes */
        char serial[256];   /* VPD 0x80 (a page of at most 255 bytes) */
        bool has_serial;
        int supported_error; /* -errno when LOG SENSE 0x00 failed, else 0 */
        uint8_t pages[SCSI_HEALTH_PAGES_MAX]; /* supported health pages, in reading order */
        uint8_t n_pages;
        /* Mode page 0x1c (informational exceptions control): settings,
         * changed only by MODE SELECT. */
        bool ie_enabled_known, ie_enabled;
        uint8_t ie_mrie;
        /* The IE log page (0x2f) reports the temperature the temperature
         * page (0x0d) does: a steady read takes it from there, with the
         * reference temperature of the full read. */
        bool temperature_in_ie;
        uint64_t trip_temperature_mkelvin;
} ScsiHealthCache;

/* scsi_health_cache_equal() - the same identity, pages and settings
 * (member by member: the struct has padding). */
bool scsi_health_cache_equal(const ScsiHealthCache *a, const ScsiHealthCache *b) _pure_;

/*
 * scsi_read_health() - read a SCSI/SAS disk's health through @t:
 * INQUIRY (+ VPD 0x80), TEST UNIT READY, LOG SENSE 0x00 and every
 * supported page of scsi-pages.h, MODE SENSE 0x1c, REQUEST SENSE (MRIE 6
 * reports a predictive failure there).  With a valid @cache (may be NULL)
 * only what changes without a MODE SELECT is sent: the health pages, but
 * not the temperature page when the IE page gave the same temperature in
 * the full read, and REQUEST SENSE only without an IE page (the IE page
 * holds the condition REQUEST SENSE would, whatever MRIE says; a unit
 * attention comes back on the first LOG SENSE).  On a disk with only the
 * IE and temperature pages (scsi_debug) that is one command a read.  A full
 * read fills @cache.  Sense data met on the way is emitted as
 * ereports to @sink (may be NULL), as is what the snapshot implies
 * (health_snapshot_emit()).
 * A device that cannot be read gets a snapshot with assessment unknown and
 * the error; this returns an error only for -ENOMEM.
 * Return: 0 with a new snapshot, or -ENOMEM.
 */
int scsi_read_health(const ScsiTransport *t, const char *device, ScsiHealthCache *cache, usec_t now_usec,
                     EreportSink sink, void *userdata, HealthSnapshot **ret);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * History of the failure-predicting health values, per device and key.
 * The store (issue 6) will implement HealthHistoryOps on SQLite; until
 * then memory_history_new() keeps a bounded ring per series.
 *
 *   key                       value
 *   ------------------------  ------------------------------------------------
 *   "ata.5"  "ata.10" ...     raw value (low 32 bits) of ATA attributes 5, 10,
 *                             184, 187, 188, 196, 197, 198, 199
 *   "ata.<id>.norm"           normalised value of SSD wear/spare attributes
 *                             169, 173, 177, 202, 231, 232, 233
 *   "nvme.percentage_used", "nvme.available_spare", "nvme.media_errors"
 *   "scsi.grown_defects", "scsi.uncorrected_read|write|verify"
 */

#include <stddef.h>
#include <stdint.h>

#include "ereport.h"
#include "health.h"
#include "time-util.h"

#define HEALTH_HISTORY_KEY_MAX 32
#define MEMORY_HISTORY_SAMPLES_DEFAULT 1024 /* samples per series: ~42 days at one poll an hour */

typedef struct HealthSample {
        char key[HEALTH_HISTORY_KEY_MAX];
        usec_t time_usec;
        uint64_t value;
} HealthSample;

typedef struct HealthHistoryOps {
        /* record() - append samples of @device_id.  Return: 0 or -errno. */
        int (*record)(void *userdata, const char *device_id, const HealthSample *samples, size_t n);
        /* last() - the newest sample of a series.  Return: 0, -ENOENT. */
        int (*last)(void *userdata, const char *device_id, const char *key, HealthSample *ret);
        /* query() - the samples of a series at or after @since_usec,
         * oldest first.  Return: the count (>= 0) with a new array, -errno. */
        int (*query)(void *userdata, const char *device_id, const char *key, usec_t since_usec, HealthSample **ret);
} HealthHistoryOps;

typedef struct HealthHistory {
        const HealthHistoryOps *ops;
        void *userdata;
} HealthHistory;

/* health_history_samples() - the tracked values of a snapshot.
 * Return: the count written to @samples (at most @max). */
size_t health_history_samples(const HealthSnapshot *s, usec_t time_usec, HealthSample *samples, size_t max);

/* health_history_record_snapshot() - record the tracked values of @s and
 * emit EREPORT_ATA_SMART_ATTRIBUTE (raw "attribute 5 raw 12 -> 16") or
 * EREPORT_NVME_MEDIA_ERRORS for each counter that rose since the previous
 * sample.  Snapshots with an error are not recorded.
 * Return: the number of rises, or -errno from the store. */
int health_history_record_snapshot(const HealthHistory *h, const char *device_id, const char *device,
                                   const HealthSnapshot *s, usec_t time_usec, EreportSink sink, void *userdata);

/* The in-memory implementation. */
typedef struct MemoryHistory MemoryHistory;
MemoryHistory *memory_history_new(size_t samples_per_series);
MemoryHistory *memory_history_free(MemoryHistory *m);
DEFINE_POINTER_CLEANUP_FUNC(MemoryHistory, memory_history_free);
/* memory_history_as_history() - the HealthHistory view of @m. */
HealthHistory memory_history_as_history(MemoryHistory *m);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Per-disk I/O statistics and SCSI error counters from sysfs:
 *
 *   <disk>/stat                 Documentation/block/stat.rst: read I/Os,
 *                               read merges, read sectors, read ticks (ms),
 *                               write ..., in flight, io ticks, time in queue,
 *                               [discard ..., flush ...] (11, 15 or 17 fields)
 *   <disk>/device/ioerr_cnt     SCSI: commands completed with an error (hex)
 *   <disk>/device/iotmo_cnt     SCSI: commands that timed out (hex)
 *   <disk>/device/iorequest_cnt, iodone_cnt
 *   <disk>/device/state         SCSI: "running", "offline", "blocked", ...
 *                               (an administrative `echo offline` there
 *                               sends no uevent and logs nothing: only a
 *                               read notices it)
 *
 * Parsers are pure; readers take the disk's sysfs path (from udev).
 */

#include <stdbool.h>
#include <stdint.h>

#include "macro.h"

typedef struct BlkStat {
        uint64_t read_ios, read_sectors, read_ticks_ms;
        uint64_t write_ios, write_sectors, write_ticks_ms;
        uint64_t in_flight, io_ticks_ms;
        uint64_t digest;        /* of every field, discards and flushes too */
} BlkStat;

typedef struct ScsiCounters {
        bool present;
        bool offline;           /* device/state "offline" or "transport-offline" */
        uint64_t ioerr, iotmo, iorequest, iodone;
} ScsiCounters;

/* scsi_state_is_offline() - a SCSI device state that takes no more I/O. */
bool scsi_state_is_offline(const char *state) _pure_;

/* blkstat_parse() - the text of <disk>/stat.  Return: 0, -EBADMSG. */
int blkstat_parse(const char *text, BlkStat *ret);
int blkstat_read(const char *disk_syspath, BlkStat *ret);
/* scsi_counters_read() - Return: 0 (present false for non-SCSI disks). */
int scsi_counters_read(const char *disk_syspath, ScsiCounters *ret);

/* /proc/diskstats: one line per block device, "major minor name" and then
 * the fields of <disk>/stat; one read gives every device's counters. */
#define BLKSTAT_NAME_MAX 32 /* DISK_NAME_LEN */

typedef struct BlkStatEntry {
        char name[BLKSTAT_NAME_MAX];
        BlkStat stat;
} BlkStatEntry;

/* blkstat_parse_diskstats() - every line of @text that parses, sorted by
 * name for blkstat_find() (a line that does not parse is left out: that
 * device is read from its own stat file).  Return: 0, -ENOMEM. */
int blkstat_parse_diskstats(const char *text, BlkStatEntry **ret, size_t *ret_n);
int blkstat_read_diskstats(const char *path, BlkStatEntry **ret, size_t *ret_n);
const BlkStatEntry *blkstat_find(const BlkStatEntry *entries, size_t n, const char *name) _pure_;

/* blkstat_idle() - nothing went through the block layer between two
 * samples (@before may be NULL: no earlier sample): no request completed,
 * none is in flight.  The SCSI error counters of an idle disk can move
 * only through pass-through commands (SG_IO), so a sampler reads them
 * every few samples instead of every sample. */
bool blkstat_idle(const BlkStat *before, const BlkStat *after) _pure_;

/* blkstat_window() - what happened between two samples: completed I/Os
 * and their mean completion time.  Counters that went backwards (the
 * device was re-created) count as a fresh start.
 * Return: the I/Os, with *ret_latency_usec (0 without I/O). */
uint64_t blkstat_window(const BlkStat *before, const BlkStat *after, uint64_t *ret_latency_usec);

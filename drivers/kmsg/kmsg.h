/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The kernel log (/dev/kmsg) as evidence.
 *
 * A /dev/kmsg read returns one record (Documentation/ABI/testing/dev-kmsg):
 *
 *   "<prefix>,<seq>,<usec>,<flags>[,<more>];<message>\n"
 *   " SUBSYSTEM=scsi\n"              (dev_printk() continuation lines)
 *   " DEVICE=+scsi:2:0:0:0\n"
 *
 *   field      meaning
 *   ---------  -----------------------------------------------------------
 *   prefix     syslog facility << 3 | level
 *   seq        64-bit record sequence number, restarts at 0 each boot;
 *              a gap means records were overwritten before we read them
 *   usec       CLOCK_MONOTONIC (boot-relative) time of the record
 *   flags      '-' or 'c' (continuation), and ",caller=T123" on newer kernels
 *   message    non-printable bytes escaped as "\xNN": a message printed
 *              with an embedded newline (md's "Disk failure on ...\n
 *              Operation continuing on N devices") stays one record
 *   SUBSYSTEM  the device's subsystem ("scsi", "block", "pci")
 *   DEVICE     "b8:16" block dev, "c" char dev, "n2" netdev, "+scsi:2:0:0:0"
 *
 * The parser never allocates: a KmsgRecord points into the caller's buffer
 * and the classifier writes into caller-provided Ereports.  Input is
 * untrusted; every scan is bounded by the record's length.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ereport.h"
#include "macro.h"
#include "time-util.h"

/* The kernel's record limit (CONSOLE_EXT_LOG_MAX in printk.h). */
#define KMSG_RECORD_MAX 8192
/* One record yields at most this many ereports ("Disk failure on sdb1" and
 * "Operation continuing on 1 devices" in one md record). */
#define KMSG_EREPORTS_MAX 2

typedef struct KmsgRecord {
        int level;               /* LOG_EMERG..LOG_DEBUG */
        int facility;            /* 0 = kernel */
        uint64_t seq;
        usec_t monotonic_usec;
        const char *message;     /* into the buffer, not NUL-terminated */
        size_t message_len;
        const char *subsystem;   /* SUBSYSTEM= value or NULL */
        size_t subsystem_len;
        const char *device;      /* DEVICE= value or NULL */
        size_t device_len;
} KmsgRecord;

/* kmsg_record_parse() - split one /dev/kmsg record.
 * Return: 0 and *ret filled, -EBADMSG when the header is malformed. */
int kmsg_record_parse(const char *buf, size_t len, KmsgRecord *ret);

/* kmsg_classify() - turn a storage record into ereports (drivers/ereport.h).
 * @boot_realtime_usec: CLOCK_REALTIME of boot, added to the record's
 *      monotonic time to stamp the ereports.
 * @ret: room for KMSG_EREPORTS_MAX ereports.
 * Return: the number of ereports written (0 for a record that is not about
 * storage). */
int kmsg_classify(const KmsgRecord *rec, usec_t boot_realtime_usec, Ereport ret[static KMSG_EREPORTS_MAX]);

/* kmsg_parse_line() - kmsg_record_parse() + kmsg_classify(), the hot path.
 * Return: the number of ereports, or -EBADMSG. */
int kmsg_parse_line(const char *buf, size_t len, usec_t boot_realtime_usec,
                    Ereport ret[static KMSG_EREPORTS_MAX]);

/* SCSI host byte names ("DID_TIME_OUT") and back (include/scsi/scsi_status.h). */
int scsi_host_byte_from_string(const char *s, size_t len) _pure_;
const char *scsi_host_byte_to_string(int b) _const_;
/* scsi_host_byte_is_transport() - the host byte says the command never got
 * a device answer: timeout, no connect, bus busy, reset, abort, transport
 * disruption.  These implicate the path/controller as much as the disk. */
bool scsi_host_byte_is_transport(int b) _const_;

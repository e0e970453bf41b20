/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Ereports: the normalised evidence every driver emits and diagnosis
 * consumes (after OpenZFS FMA's ereport, "error report").  One ereport is
 * one observation: a class, the device it is about, when, and the raw
 * evidence it came from.  Drivers fill them; they never decide what an
 * observation means for the service (that is diagnosis).
 *
 * Ereports are plain fixed-size structs so that the kernel-log path can
 * produce millions per second without allocating.
 *
 *   field        meaning
 *   -----------  ---------------------------------------------------------
 *   class        what was observed (EreportClass; "scsi.sense.medium_error")
 *   device       the kernel name it names: "sda", "host2", "md0", "dm-1",
 *                "nvme0", "ata3" (diagnosis resolves it to a CI id)
 *   ci_id        the CI id when the emitter knows it (else empty)
 *   time_usec    CLOCK_REALTIME when it happened (the kernel's time for kmsg)
 *   seq          the source's sequence number (kmsg record), 0 if none
 *   lba          the block address involved, EREPORT_LBA_NONE if none
 *   value        a class-dependent number: a counter's new value, a
 *                latency in usec, an md member's error count, a host byte
 *   sense_key/asc/ascq  SCSI sense when the evidence carried it (else 0xff)
 *   source       which driver: "kmsg", "scsi", "ata", "nvme", "md", ...
 *   raw          the evidence as text: the kmsg line, a hex sense buffer,
 *                "attribute 5 raw 12 -> 16"
 */

#include <stdbool.h>
#include <stdint.h>

#include "macro.h"
#include "time-util.h"

typedef enum EreportClass {
        /* SCSI sense data (a command completed with CHECK CONDITION). */
        EREPORT_SCSI_SENSE_RECOVERED,       /* key 0x1: a near miss */
        EREPORT_SCSI_SENSE_NOT_READY,       /* key 0x2 */
        EREPORT_SCSI_SENSE_MEDIUM_ERROR,    /* key 0x3 */
        EREPORT_SCSI_SENSE_HARDWARE_ERROR,  /* key 0x4 */
        EREPORT_SCSI_SENSE_ILLEGAL_REQUEST, /* key 0x5 */
        EREPORT_SCSI_SENSE_UNIT_ATTENTION,  /* key 0x6 */
        EREPORT_SCSI_SENSE_ABORTED,         /* key 0xb */
        EREPORT_SCSI_SENSE_OTHER,
        EREPORT_SCSI_PREDICTIVE_FAILURE,    /* ASC 0x5d: failure prediction threshold exceeded */
        /* SCSI command and error-handling events. */
        EREPORT_SCSI_CMD_FAILED,            /* "FAILED Result: hostbyte=... driverbyte=..." */
        EREPORT_SCSI_TIMEOUT,               /* command timed out */
        EREPORT_SCSI_ABORT,                 /* error handler aborted a command */
        EREPORT_SCSI_DEVICE_RESET,
        EREPORT_SCSI_TARGET_RESET,
        EREPORT_SCSI_BUS_RESET,
        EREPORT_SCSI_HOST_RESET,            /* the whole controller was reset */
        EREPORT_SCSI_DEVICE_OFFLINE,        /* device state went offline */
        EREPORT_SCSI_IOERR_COUNT,           /* ioerr_cnt rose; value = new count */
        EREPORT_SCSI_IOTMO_COUNT,           /* iotmo_cnt rose; value = new count */
        /* ATA. */
        EREPORT_ATA_LINK_RESET,             /* "hard resetting link" */
        EREPORT_ATA_EXCEPTION,              /* "exception Emask ... frozen" */
        EREPORT_ATA_SMART_FAILING,          /* SMART overall status says failing */
        EREPORT_ATA_SMART_ATTRIBUTE,        /* a tracked attribute moved; raw says which */
        /* Block layer. */
        EREPORT_BLK_IO_ERROR,               /* "I/O error, dev sdX, sector N" */
        EREPORT_BLK_MEDIUM_ERROR,           /* "critical medium error, dev sdX, sector N" */
        EREPORT_BLK_TIMEOUT,                /* "timeout error, dev sdX, sector N" */
        EREPORT_BLK_LATENCY_OUTLIER,        /* value = latency in usec */
        EREPORT_BLK_FAIL_SLOW,              /* slower than its peers for several windows; value = latency in usec */
        /* md. */
        EREPORT_MD_MEMBER_FAULTY,           /* "Disk failure on sdX, disabling device" */
        EREPORT_MD_DEGRADED,                /* "Operation continuing on N devices"; value = N */
        EREPORT_MD_MEMBER_ERRORS,           /* dev-X/errors rose (corrected read errors) */
        EREPORT_MD_RECOVERY_DONE,
        /* dm-multipath. */
        EREPORT_MPATH_PATH_FAILED,
        EREPORT_MPATH_PATH_REINSTATED,
        /* NVMe. */
        EREPORT_NVME_CRITICAL_WARNING,      /* value = the critical warning bits */
        EREPORT_NVME_MEDIA_ERRORS,          /* value = new media and data integrity error count */
        EREPORT_NVME_TIMEOUT,
        EREPORT_NVME_RESET,                 /* controller reset */
        /* Health assessments of drivers that poll (SMART, log pages). */
        EREPORT_HEALTH_WARNING,
        EREPORT_HEALTH_FAILING,
        _EREPORT_CLASS_MAX,
        _EREPORT_CLASS_INVALID = -EINVAL,
} EreportClass;

/* What an ereport says about the service, for counting and trending. */
typedef enum EreportKind {
        EREPORT_KIND_ERROR,     /* something failed */
        EREPORT_KIND_PRECURSOR, /* a near miss: recovered, retried, timed out but completed */
        EREPORT_KIND_STATE,     /* a state change (path reinstated, recovery done) */
        _EREPORT_KIND_MAX,
        _EREPORT_KIND_INVALID = -EINVAL,
} EreportKind;

#define EREPORT_DEVICE_MAX 32
#define EREPORT_CI_ID_MAX 128
#define EREPORT_SOURCE_MAX 16
#define EREPORT_RAW_MAX 256
#define EREPORT_LBA_NONE UINT64_MAX
#define EREPORT_SENSE_NONE 0xff

typedef struct Ereport {
        EreportClass class;
        char device[EREPORT_DEVICE_MAX];
        char ci_id[EREPORT_CI_ID_MAX];
        usec_t time_usec;
        uint64_t seq;
        uint64_t lba;
        uint64_t value;
        uint8_t sense_key, asc, ascq;
        char source[EREPORT_SOURCE_MAX];
        char raw[EREPORT_RAW_MAX];
} Ereport;

/* "scsi.sense.medium_error" and back. */
const char *ereport_class_to_string(EreportClass c) _const_;
EreportClass ereport_class_from_string(const char *s) _pure_;
EreportKind ereport_class_kind(EreportClass c) _const_;
const char *ereport_kind_to_string(EreportKind k) _const_;

/* ereport_init() - an empty ereport of class c about device (truncated
 * to fit), with no LBA and no sense. */
void ereport_init(Ereport *e, EreportClass c, const char *source, const char *device, usec_t time_usec);

/* ereport_set_raw() - copy the evidence text, truncated, control
 * characters replaced (kmsg lines and device strings are untrusted). */
void ereport_set_raw(Ereport *e, const char *raw, size_t len);

/* A sink for ereports: drivers call it, the daemon routes it to diagnosis
 * and tests collect into arrays. */
typedef void (*EreportSink)(const Ereport *e, void *userdata);

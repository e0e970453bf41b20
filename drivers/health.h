/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The normalised health snapshot every health driver (ata/, scsi/, nvme/,
 * and the smartctl-JSON reader) fills, and the assessment computed from it.
 *
 * A snapshot is plain data: no libatasmart, libsgutils2 or libnvme type
 * reaches it.  Numbers a device did not report are HEALTH_VALUE_NONE; an
 * unreadable device has assessment "unknown" and the error, never "ok".
 *
 *   field                  ATA (SMART)              SCSI (LOG SENSE)          NVMe (log 0x02)
 *   ---------------------  -----------------------  ------------------------  ----------------------
 *   smart_status           SMART RETURN STATUS      IE page 0x2f ASC (0x5d)   critical_warning == 0
 *   temperature_mkelvin    attr 194/190/231         page 0x0d / 0x2f          composite temperature
 *   power_on_hours         attr 9 (and variants)    page 0x15 / 0x0e          power_on_hours
 *   power_cycles           attr 12                  page 0x0e start-stop      power_cycles
 *   reallocated_sectors    attr 5                   grown defect list         -
 *   pending_sectors        attr 197                 -                         -
 *   uncorrectable_errors   attr 198                 pages 0x02/0x03/0x05      media_errors
 *   reported_uncorrect     attr 187                 -                         -
 *
 * The assessment is a pure function of the snapshot (health_assess()); each
 * reason names the attribute, page or bit ("ata.attribute.5",
 * "scsi.log.0x2f", "nvme.critical_warning.spare") and the value behind it.
 */

#include <stdbool.h>
#include <stdint.h>

#include "ereport.h"
#include "macro.h"
#include "time-util.h"

#define HEALTH_VALUE_NONE UINT64_MAX

/* Default thresholds of the assessment (STYLE.md: named, with units). */
#define HEALTH_TEMPERATURE_WARN_CELSIUS 60      /* ATA/SCSI, when the device gives no trip point */
#define HEALTH_NVME_PERCENTAGE_USED_WARN 100    /* percent of rated endurance (NVMe 1.4: may exceed 100) */
#define HEALTH_MKELVIN_OFFSET 273150

typedef enum HealthAssessment {
        HEALTH_OK,
        HEALTH_WARNING, /* precursors: reallocations, pending sectors, errors logged */
        HEALTH_FAILING, /* the device predicts its own failure, or a pre-fail attribute crossed its threshold */
        HEALTH_FAILED,  /* the device says it can no longer work (NVMe read-only, ...) */
        HEALTH_UNKNOWN, /* could not be read (or skipped): never a silent ok */
        _HEALTH_ASSESSMENT_MAX,
        _HEALTH_ASSESSMENT_INVALID = -EINVAL,
} HealthAssessment;

typedef enum HealthProtocol {
        HEALTH_PROTOCOL_ATA,
        HEALTH_PROTOCOL_SCSI,
        HEALTH_PROTOCOL_NVME,
        _HEALTH_PROTOCOL_MAX,
        _HEALTH_PROTOCOL_INVALID = -EINVAL,
} HealthProtocol;

typedef enum SmartStatus {
        SMART_STATUS_UNKNOWN,
        SMART_STATUS_PASSED,
        SMART_STATUS_FAILED,
        _SMART_STATUS_MAX,
        _SMART_STATUS_INVALID = -EINVAL,
} SmartStatus;

typedef struct HealthReason {
        HealthAssessment level;
        char *source; /* "ata.attribute.5", "scsi.log.0x2f", "nvme.critical_warning.spare" */
        uint64_t value;
        char *text;   /* "reallocated-sector-count raw 12 > 0" */
} HealthReason;

#define ATA_ATTRIBUTE_NAME_MAX 40

/* One ATA SMART attribute (ATA8-ACS SMART READ DATA, 12 bytes each). */
typedef struct AtaAttribute {
        uint8_t id;
        char name[ATA_ATTRIBUTE_NAME_MAX];
        uint8_t value, worst, threshold;
        bool value_valid, worst_valid, threshold_valid;
        bool prefailure; /* flag bit 0: pre-fail, else old-age */
        bool online;     /* flag bit 1: updated online */
        bool failing_now;    /* value <= threshold (1..0xfd) */
        bool failed_in_past; /* worst <= threshold */
        uint64_t raw;        /* the 48-bit raw value, little endian */
} AtaAttribute;

/* SCSI error counter log pages 0x02/0x03/0x05 (SBC-4 / SPC-5). */
typedef struct ScsiErrorCounters {
        bool present;
        uint64_t corrected_fast, corrected_delayed, corrected_rereads;
        uint64_t total_corrected, algorithm_invocations;
        uint64_t bytes_processed;
        uint64_t total_uncorrected;
} ScsiErrorCounters;

#define NVME_ERROR_ENTRIES_MAX 16

typedef struct NvmeErrorEntry {
        uint64_t error_count;
        uint16_t sqid, cmdid, status_field, parm_error_location;
        uint64_t lba;
        uint32_t nsid;
} NvmeErrorEntry;

typedef struct HealthSnapshot {
        HealthProtocol protocol;
        char *device;   /* where it was read from: "/dev/sda", a file name */
        char *model, *serial, *firmware;
        usec_t time_usec;

        HealthAssessment assessment;
        HealthReason *reasons;
        size_t n_reasons;
        int error;        /* -errno when the device could not be read */
        char *error_text; /* what failed: "SMART READ DATA: Input/output error" */
        bool skipped;     /* read skipped on purpose (disk in standby) */

        /* common */
        SmartStatus smart_status;
        uint64_t temperature_mkelvin;
        uint64_t power_on_hours;
        uint64_t power_cycles;

        /* ATA */
        AtaAttribute *attributes;
        size_t n_attributes;
        uint64_t reallocated_sectors;   /* 5 */
        uint64_t pending_sectors;       /* 197 */
        uint64_t offline_uncorrectable; /* 198 */
        uint64_t reported_uncorrect;    /* 187 */
        uint64_t bad_sectors;           /* libatasmart: reallocated + pending */
        char *ata_overall;              /* libatasmart's overall: "GOOD", "BAD_SECTOR", ... */
        char *self_test_status;         /* last self-test execution status text */
        bool self_test_failed;
        char *offline_status;
        uint64_t error_log_count;       /* ATA SMART error log entries (smartctl JSON) */

        /* SCSI */
        bool ie_present;
        uint8_t ie_asc, ie_ascq;        /* informational exceptions, 0x2f */
        uint64_t trip_temperature_mkelvin;
        ScsiErrorCounters read_errors, write_errors, verify_errors;
        uint64_t non_medium_errors;     /* 0x06 */
        uint64_t grown_defects;         /* READ DEFECT DATA / smartctl */
        uint64_t start_stop_cycles, load_unload_cycles; /* 0x0e */
        uint64_t self_test_failures;    /* failed entries in the self-test log 0x10 */
        uint64_t background_scan_status, medium_scan_errors; /* 0x15 */
        bool ie_enabled_known, ie_enabled; /* mode page 0x1c DEXCPT == 0 */
        uint8_t ie_mrie;

        /* NVMe */
        uint64_t critical_warning;
        uint64_t available_spare_pct, spare_threshold_pct, percentage_used;
        uint64_t media_errors, error_log_entries, unsafe_shutdowns;
        char *active_firmware;          /* firmware slot log */
        NvmeErrorEntry *error_entries;
        size_t n_error_entries;
} HealthSnapshot;

/* Why a captured file could not be parsed, for the operator: filled by
 * the parsers on failure (they log only at debug level). */
typedef struct HealthParseError {
        size_t offset; /* byte offset of the problem, SIZE_MAX if none */
        char message[160];
} HealthParseError;

/* health_parse_error_set() - fill @e (if not NULL) and return -|error|. */
int health_parse_error_set(HealthParseError *e, int error, size_t offset, const char *format, ...) _printf_(4, 5);

const char *health_assessment_to_string(HealthAssessment a) _const_;
HealthAssessment health_assessment_from_string(const char *s) _pure_;
/* health_assessment_rank() - ok 0 < warning 1 < failing 2 < failed 3;
 * unknown -1 (it is not on that scale). */
int health_assessment_rank(HealthAssessment a) _const_;
const char *health_protocol_to_string(HealthProtocol p) _const_;
HealthProtocol health_protocol_from_string(const char *s) _pure_;
const char *smart_status_to_string(SmartStatus s) _const_;
SmartStatus smart_status_from_string(const char *s) _pure_;

/* health_snapshot_new() - an empty snapshot, every value HEALTH_VALUE_NONE.
 * Return: the snapshot or NULL on ENOMEM. */
HealthSnapshot *health_snapshot_new(HealthProtocol protocol, const char *device);
HealthSnapshot *health_snapshot_free(HealthSnapshot *s);
DEFINE_POINTER_CLEANUP_FUNC(HealthSnapshot, health_snapshot_free);

/* health_snapshot_set_error() - mark the snapshot unreadable: assessment
 * unknown, the error and what failed.  Return: 0 or -ENOMEM. */
int health_snapshot_set_error(HealthSnapshot *s, int error, const char *format, ...) _printf_(3, 4);

/* health_snapshot_add_reason() - add a reason and raise the assessment to
 * at least @level.  Return: 0 or -ENOMEM. */
int health_snapshot_add_reason(HealthSnapshot *s, HealthAssessment level, const char *source, uint64_t value,
                               const char *format, ...) _printf_(5, 6);

/* health_snapshot_add_attribute() - append a copy of @a.
 * Return: 0 or -ENOMEM. */
int health_snapshot_add_attribute(HealthSnapshot *s, const AtaAttribute *a);
const AtaAttribute *health_snapshot_get_attribute(const HealthSnapshot *s, uint8_t id) _pure_;

/* health_snapshot_fill_ata_counts() - set reallocated_sectors (5),
 * reported_uncorrect (187), pending_sectors (197) and offline_uncorrectable
 * (198) from the attributes' raw values (low 32 bits; drives keep vendor
 * data in the upper 16), where not set yet. */
void health_snapshot_fill_ata_counts(HealthSnapshot *s);

/* health_assess() - compute the assessment and its reasons from the values
 * in @s (any earlier reasons are replaced).  A snapshot with an error stays
 * unknown; one with no health data at all becomes unknown ("no health data").
 * Return: 0 or -ENOMEM. */
int health_assess(HealthSnapshot *s);

/* health_snapshot_emit() - the ereports the snapshot implies (SMART failing,
 * SCSI predictive failure, NVMe critical warning, media errors, and the
 * assessment's warning/failing) to @sink. */
void health_snapshot_emit(const HealthSnapshot *s, const char *device, usec_t time_usec, EreportSink sink,
                          void *userdata);

/* nvme_critical_warning_bit_name() - "spare", "temperature", "reliability",
 * "read_only", "volatile_backup", "persistent_memory" for bits 0..5, else NULL. */
const char *nvme_critical_warning_bit_name(unsigned bit) _const_;

/* Temperature helpers: whole degrees Celsius <-> mK. */
static inline uint64_t celsius_to_mkelvin(int64_t c) {
        return (uint64_t) (c * 1000 + HEALTH_MKELVIN_OFFSET);
}
static inline double mkelvin_to_celsius(uint64_t mk) {
        return ((double) mk - HEALTH_MKELVIN_OFFSET) / 1000.0;
}

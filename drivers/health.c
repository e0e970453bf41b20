/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc-util.h"
#include "health.h"
#include "scsi/scsi-sense.h"
#include "string-table.h"
#include "string-util.h"

static const struct {
        const char *name;
        int rank;
} health_assessments[_HEALTH_ASSESSMENT_MAX] = {
        [HEALTH_OK] = { "ok", 0 },
        [HEALTH_WARNING] = { "warning", 1 },
        [HEALTH_FAILING] = { "failing", 2 },
        [HEALTH_FAILED] = { "failed", 3 },
        [HEALTH_UNKNOWN] = { "unknown", -1 },
};

const char *health_assessment_to_string(HealthAssessment a) {
        if (a < 0 || a >= _HEALTH_ASSESSMENT_MAX)
                return NULL;
        return health_assessments[a].name;
}

HealthAssessment health_assessment_from_string(const char *s) {
        if (!s)
                return _HEALTH_ASSESSMENT_INVALID;
        for (int i = 0; i < _HEALTH_ASSESSMENT_MAX; i++)
                if (strcmp(health_assessments[i].name, s) == 0)
                        return (HealthAssessment) i;
        return _HEALTH_ASSESSMENT_INVALID;
}

int health_assessment_rank(HealthAssessment a) {
        if (a < 0 || a >= _HEALTH_ASSESSMENT_MAX)
                return -1;
        return health_assessments[a].rank;
}

static const char *const health_protocol_table[_HEALTH_PROTOCOL_MAX] = {
        [HEALTH_PROTOCOL_ATA] = "ata",
        [HEALTH_PROTOCOL_SCSI] = "scsi",
        [HEALTH_PROTOCOL_NVME] = "nvme",
};
DEFINE_STRING_TABLE_LOOKUP(health_protocol, HealthProtocol);

static const char *const smart_status_table[_SMART_STATUS_MAX] = {
        [SMART_STATUS_UNKNOWN] = "unknown",
        [SMART_STATUS_PASSED] = "passed",
        [SMART_STATUS_FAILED] = "failed",
};
DEFINE_STRING_TABLE_LOOKUP(smart_status, SmartStatus);

int health_parse_error_set(HealthParseError *e, int error, size_t offset, const char *format, ...) {
        va_list ap;

        if (e) {
                e->offset = offset;
                va_start(ap, format);
                vsnprintf(e->message, sizeof(e->message), format, ap);
                va_end(ap);
        }
        return -ERRNO_VALUE(error);
}

HealthSnapshot *health_snapshot_new(HealthProtocol protocol, const char *device) {
        HealthSnapshot *s = new0(HealthSnapshot, 1);

        if (!s)
                return NULL;
        s->protocol = protocol;
        s->assessment = HEALTH_UNKNOWN;
        if (device) {
                s->device = strdup(device);
                if (!s->device)
                        return mfree(s);
        }
        s->temperature_mkelvin = s->power_on_hours = s->power_cycles = HEALTH_VALUE_NONE;
        s->reallocated_sectors = s->pending_sectors = s->offline_uncorrectable = HEALTH_VALUE_NONE;
        s->reported_uncorrect = s->bad_sectors = s->error_log_count = HEALTH_VALUE_NONE;
        s->trip_temperature_mkelvin = s->non_medium_errors = s->grown_defects = HEALTH_VALUE_NONE;
        s->start_stop_cycles = s->load_unload_cycles = s->self_test_failures = HEALTH_VALUE_NONE;
        s->background_scan_status = s->medium_scan_errors = HEALTH_VALUE_NONE;
        s->critical_warning = s->available_spare_pct = s->spare_threshold_pct = HEALTH_VALUE_NONE;
        s->percentage_used = s->media_errors = s->error_log_entries = s->unsafe_shutdowns = HEALTH_VALUE_NONE;
        return s;
}

static void reasons_clear(HealthSnapshot *s) {
        for (size_t i = 0; i < s->n_reasons; i++) {
                free(s->reasons[i].source);
                free(s->reasons[i].text);
        }
        s->reasons = mfree(s->reasons);
        s->n_reasons = 0;
}

HealthSnapshot *health_snapshot_free(HealthSnapshot *s) {
        if (!s)
                return NULL;
        reasons_clear(s);
        free(s->device);
        free(s->model);
        free(s->serial);
        free(s->firmware);
        free(s->error_text);
        free(s->attributes);
        free(s->ata_overall);
        free(s->self_test_status);
        free(s->offline_status);
        free(s->active_firmware);
        free(s->error_entries);
        return mfree(s);
}

int health_snapshot_set_error(HealthSnapshot *s, int error, const char *format, ...) {
        va_list ap;
        char *t;
        int r;

        va_start(ap, format);
        r = vasprintf(&t, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        free(s->error_text);
        s->error_text = t;
        s->error = -ERRNO_VALUE(error);
        s->assessment = HEALTH_UNKNOWN;
        return 0;
}

static HealthAssessment worse(HealthAssessment a, HealthAssessment b) {
        return health_assessment_rank(b) > health_assessment_rank(a) ? b : a;
}

int health_snapshot_add_reason(HealthSnapshot *s, HealthAssessment level, const char *source, uint64_t value,
                               const char *format, ...) {
        _cleanup_free_ char *src = NULL, *text = NULL;
        HealthReason *n;
        va_list ap;
        int r;

        src = strdup(source);
        if (!src)
                return -ENOMEM;
        va_start(ap, format);
        r = vasprintf(&text, format, ap);
        va_end(ap);
        if (r < 0) {
                text = NULL;
                return -ENOMEM;
        }
        n = reallocarray(s->reasons, s->n_reasons + 1, sizeof(HealthReason));
        if (!n)
                return -ENOMEM;
        s->reasons = n;
        s->reasons[s->n_reasons++] = (HealthReason) {
                .level = level,
                .source = TAKE_PTR(src),
                .value = value,
                .text = TAKE_PTR(text),
        };
        if (s->assessment == HEALTH_UNKNOWN)
                s->assessment = level;
        else
                s->assessment = worse(s->assessment, level);
        return 0;
}

int health_snapshot_add_attribute(HealthSnapshot *s, const AtaAttribute *a) {
        AtaAttribute *n = reallocarray(s->attributes, s->n_attributes + 1, sizeof(AtaAttribute));

        if (!n)
                return -ENOMEM;
        s->attributes = n;
        s->attributes[s->n_attributes++] = *a;
        return 0;
}

const AtaAttribute *health_snapshot_get_attribute(const HealthSnapshot *s, uint8_t id) {
        for (size_t i = 0; i < s->n_attributes; i++)
                if (s->attributes[i].id == id)
                        return &s->attributes[i];
        return NULL;
}

static bool have(uint64_t v) {
        return v != HEALTH_VALUE_NONE;
}

/* Attributes whose raw value counts something bad that public field
 * studies tie to failure (Backblaze: 5, 187, 197, 198; Pinheiro et al.,
 * FAST'07: 5, 196, 197, 198, 10).  A count above zero is a precursor. */
static const struct {
        uint8_t id;
        const char *what;
} ata_precursors[] = {
        { 5, "reallocated sectors" },
        { 10, "spin retries" },
        { 184, "end-to-end errors" },
        { 187, "reported uncorrectable errors" },
        { 196, "reallocation events" },
        { 197, "pending sectors" },
        { 198, "offline uncorrectable sectors" },
};

/* Sector and event counts use the low 32 bits: drives put vendor data in
 * the upper 16 (libatasmart does the same for 5 and 197).  0xffffffff is
 * "unknown" (libatasmart's verify_sectors()). */
static uint64_t ata_count(const AtaAttribute *a) {
        uint64_t v = a->raw & 0xffffffffu;

        return v == 0xffffffffu ? HEALTH_VALUE_NONE : v;
}

void health_snapshot_fill_ata_counts(HealthSnapshot *s) {
        static const struct {
                uint8_t id;
                size_t offset;
        } map[] = {
                { 5, offsetof(HealthSnapshot, reallocated_sectors) },
                { 187, offsetof(HealthSnapshot, reported_uncorrect) },
                { 197, offsetof(HealthSnapshot, pending_sectors) },
                { 198, offsetof(HealthSnapshot, offline_uncorrectable) },
        };

        for (size_t i = 0; i < ELEMENTSOF(map); i++) {
                const AtaAttribute *a = health_snapshot_get_attribute(s, map[i].id);
                uint64_t *f = (uint64_t *) ((uint8_t *) s + map[i].offset);

                if (a && *f == HEALTH_VALUE_NONE)
                        *f = ata_count(a);
        }
}

static int assess_ata(HealthSnapshot *s) {
        int r;

        if (s->smart_status == SMART_STATUS_FAILED) {
                r = health_snapshot_add_reason(s, HEALTH_FAILING, "ata.smart_status", 1,
                                               "SMART RETURN STATUS: the drive reports a threshold exceeded (FAILING)");
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < s->n_attributes; i++) {
                const AtaAttribute *a = &s->attributes[i];
                char src[32];

                snprintf(src, sizeof(src), "ata.attribute.%u", a->id);
                if (a->failing_now)
                        r = health_snapshot_add_reason(
                                s, a->prefailure ? HEALTH_FAILING : HEALTH_WARNING, src, a->value,
                                "%s (%u) %s attribute at or below its threshold: value %u <= threshold %u",
                                a->name, a->id, a->prefailure ? "pre-fail" : "old-age", a->value, a->threshold);
                else if (a->failed_in_past)
                        r = health_snapshot_add_reason(
                                s, HEALTH_WARNING, src, a->worst,
                                "%s (%u) was at or below its threshold in the past: worst %u <= threshold %u", a->name,
                                a->id, a->worst, a->threshold);
                else
                        r = 0;
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(ata_precursors); i++) {
                const AtaAttribute *a = health_snapshot_get_attribute(s, ata_precursors[i].id);
                char src[32];
                uint64_t v;

                if (!a)
                        continue;
                v = ata_count(a);
                if (!have(v) || v == 0)
                        continue;
                snprintf(src, sizeof(src), "ata.attribute.%u", a->id);
                r = health_snapshot_add_reason(s, HEALTH_WARNING, src, v, "%s (%u): %s raw %" PRIu64 " > 0",
                                               a->name, a->id, ata_precursors[i].what, v);
                if (r < 0)
                        return r;
        }
        if (s->ata_overall && strcmp(s->ata_overall, "BAD_SECTOR_MANY") == 0) {
                r = health_snapshot_add_reason(s, HEALTH_FAILING, "ata.bad_sectors", s->bad_sectors,
                                               "%" PRIu64 " bad sectors: more than libatasmart's limit (log2(sectors) * 1024)",
                                               s->bad_sectors);
                if (r < 0)
                        return r;
        }
        if (s->self_test_failed) {
                r = health_snapshot_add_reason(s, HEALTH_WARNING, "ata.self_test", 1, "last self-test failed: %s",
                                               s->self_test_status ?: "unknown");
                if (r < 0)
                        return r;
        }
        return 0;
}

static int assess_scsi(HealthSnapshot *s) {
        const ScsiErrorCounters *c[] = { &s->read_errors, &s->write_errors, &s->verify_errors };
        static const char *const page[] = { "scsi.log.0x03", "scsi.log.0x02", "scsi.log.0x05" };
        static const char *const what[] = { "read", "write", "verify" };
        int r;

        if (s->ie_present && s->ie_asc != 0) {
                /* SPC-5: ASC 0x5d is "failure prediction threshold exceeded";
                 * 0x0b is a warning (0x0b/0x01: warning - specified temperature exceeded). */
                r = health_snapshot_add_reason(s, s->ie_asc == 0x5d ? HEALTH_FAILING : HEALTH_WARNING, "scsi.log.0x2f",
                                               ((uint64_t) s->ie_asc << 8) | s->ie_ascq,
                                               "informational exception ASC/ASCQ 0x%02x/0x%02x%s", s->ie_asc,
                                               s->ie_ascq, s->ie_asc == 0x5d ? " (failure prediction threshold exceeded)" : "");
                if (r < 0)
                        return r;
        }
        if (s->smart_status == SMART_STATUS_FAILED && !(s->ie_present && s->ie_asc != 0)) {
                r = health_snapshot_add_reason(s, HEALTH_FAILING, "scsi.smart_status", 1,
                                               "the device reports a failure prediction (SMART health status failed)");
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(c); i++)
                if (c[i]->present && have(c[i]->total_uncorrected) && c[i]->total_uncorrected > 0) {
                        r = health_snapshot_add_reason(s, HEALTH_WARNING, page[i], c[i]->total_uncorrected,
                                                       "%" PRIu64 " uncorrected %s errors", c[i]->total_uncorrected,
                                                       what[i]);
                        if (r < 0)
                                return r;
                }
        if (have(s->grown_defects) && s->grown_defects > 0) {
                r = health_snapshot_add_reason(s, HEALTH_WARNING, "scsi.grown_defects", s->grown_defects,
                                               "%" PRIu64 " grown defects (reallocated blocks)", s->grown_defects);
                if (r < 0)
                        return r;
        }
        if (have(s->self_test_failures) && s->self_test_failures > 0) {
                r = health_snapshot_add_reason(s, HEALTH_WARNING, "scsi.log.0x10", s->self_test_failures,
                                               "%" PRIu64 " failed self-tests in the self-test log", s->self_test_failures);
                if (r < 0)
                        return r;
        }
        return 0;
}

static const struct {
        unsigned bit;
        const char *name;
        HealthAssessment level;
        const char *text;
} nvme_critical_bits[] = {
        /* NVMe Base Specification 2.0, SMART / Health Information log, byte 0. */
        { 0, "spare", HEALTH_FAILING, "available spare below threshold" },
        { 1, "temperature", HEALTH_WARNING, "temperature above or below a threshold" },
        { 2, "reliability", HEALTH_FAILING, "NVM subsystem reliability degraded" },
        { 3, "read_only", HEALTH_FAILED, "media placed in read-only mode" },
        { 4, "volatile_backup", HEALTH_FAILING, "volatile memory backup device failed" },
        { 5, "persistent_memory", HEALTH_FAILING, "persistent memory region read-only or unreliable" },
};

const char *nvme_critical_warning_bit_name(unsigned bit) {
        for (size_t i = 0; i < ELEMENTSOF(nvme_critical_bits); i++)
                if (nvme_critical_bits[i].bit == bit)
                        return nvme_critical_bits[i].name;
        return NULL;
}

static int assess_nvme(HealthSnapshot *s) {
        int r;

        if (have(s->critical_warning) && s->critical_warning != 0) {
                for (size_t i = 0; i < ELEMENTSOF(nvme_critical_bits); i++) {
                        char src[64];

                        if (!(s->critical_warning & (1u << nvme_critical_bits[i].bit)))
                                continue;
                        snprintf(src, sizeof(src), "nvme.critical_warning.%s", nvme_critical_bits[i].name);
                        r = health_snapshot_add_reason(s, nvme_critical_bits[i].level, src, s->critical_warning,
                                                       "critical warning 0x%02" PRIx64 " bit %u: %s",
                                                       s->critical_warning, nvme_critical_bits[i].bit,
                                                       nvme_critical_bits[i].text);
                        if (r < 0)
                                return r;
                }
                if (s->critical_warning & ~UINT64_C(0x3f)) {
                        r = health_snapshot_add_reason(s, HEALTH_WARNING, "nvme.critical_warning.reserved",
                                                       s->critical_warning,
                                                       "critical warning 0x%02" PRIx64 " has reserved bits set",
                                                       s->critical_warning);
                        if (r < 0)
                                return r;
                }
        }
        if (s->smart_status == SMART_STATUS_FAILED && !(have(s->critical_warning) && s->critical_warning != 0)) {
                r = health_snapshot_add_reason(s, HEALTH_FAILING, "nvme.smart_status", 1,
                                               "the controller reports a failed health status");
                if (r < 0)
                        return r;
        }
        if (have(s->available_spare_pct) && have(s->spare_threshold_pct) && s->spare_threshold_pct > 0 &&
            s->available_spare_pct < s->spare_threshold_pct &&
            !(have(s->critical_warning) && (s->critical_warning & 1))) {
                r = health_snapshot_add_reason(s, HEALTH_FAILING, "nvme.available_spare", s->available_spare_pct,
                                               "available spare %" PRIu64 "%% below threshold %" PRIu64 "%%",
                                               s->available_spare_pct, s->spare_threshold_pct);
                if (r < 0)
                        return r;
        }
        if (have(s->percentage_used) && s->percentage_used >= HEALTH_NVME_PERCENTAGE_USED_WARN) {
                r = health_snapshot_add_reason(s, HEALTH_WARNING, "nvme.percentage_used", s->percentage_used,
                                               "%" PRIu64 "%% of rated endurance used", s->percentage_used);
                if (r < 0)
                        return r;
        }
        if (have(s->media_errors) && s->media_errors > 0) {
                r = health_snapshot_add_reason(s, HEALTH_WARNING, "nvme.media_errors", s->media_errors,
                                               "%" PRIu64 " media and data integrity errors", s->media_errors);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool has_health_data(const HealthSnapshot *s) {
        return s->smart_status != SMART_STATUS_UNKNOWN || s->n_attributes > 0 || s->ie_present ||
               have(s->critical_warning) || s->read_errors.present || s->write_errors.present ||
               s->verify_errors.present || have(s->grown_defects) || have(s->temperature_mkelvin);
}

int health_assess(HealthSnapshot *s) {
        int r;

        reasons_clear(s);
        if (s->error != 0 || s->skipped) {
                s->assessment = HEALTH_UNKNOWN;
                return 0;
        }
        if (!has_health_data(s)) {
                s->assessment = HEALTH_UNKNOWN;
                if (!s->error_text) {
                        s->error_text = strdup("no health data");
                        if (!s->error_text)
                                return -ENOMEM;
                }
                return 0;
        }
        /* Everything starts ok; reasons only ever raise it. */
        s->assessment = HEALTH_OK;

        switch (s->protocol) {
        case HEALTH_PROTOCOL_ATA:
                r = assess_ata(s);
                break;
        case HEALTH_PROTOCOL_SCSI:
                r = assess_scsi(s);
                break;
        case HEALTH_PROTOCOL_NVME:
                r = assess_nvme(s);
                break;
        default:
                r = -EINVAL;
        }
        if (r < 0)
                return r;

        if (have(s->temperature_mkelvin)) {
                uint64_t limit = have(s->trip_temperature_mkelvin) && s->trip_temperature_mkelvin > HEALTH_MKELVIN_OFFSET
                                         ? s->trip_temperature_mkelvin
                                         : celsius_to_mkelvin(HEALTH_TEMPERATURE_WARN_CELSIUS);

                /* NVMe reports over-temperature through its own critical warning bit. */
                if (s->protocol != HEALTH_PROTOCOL_NVME && s->temperature_mkelvin >= limit) {
                        r = health_snapshot_add_reason(s, HEALTH_WARNING, "temperature", s->temperature_mkelvin,
                                                       "temperature %.0f C at or above %.0f C",
                                                       mkelvin_to_celsius(s->temperature_mkelvin),
                                                       mkelvin_to_celsius(limit));
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

void health_snapshot_emit(const HealthSnapshot *s, const char *device, usec_t time_usec, EreportSink sink,
                          void *userdata) {
        static const char *const sources[_HEALTH_PROTOCOL_MAX] = {
                [HEALTH_PROTOCOL_ATA] = "ata",
                [HEALTH_PROTOCOL_SCSI] = "scsi",
                [HEALTH_PROTOCOL_NVME] = "nvme",
        };
        const char *source = s->protocol >= 0 && s->protocol < _HEALTH_PROTOCOL_MAX ? sources[s->protocol] : "health";
        char raw[EREPORT_RAW_MAX];
        Ereport e;

        if (!sink || s->assessment == HEALTH_UNKNOWN)
                return;

        if (s->protocol == HEALTH_PROTOCOL_ATA && s->smart_status == SMART_STATUS_FAILED) {
                ereport_init(&e, EREPORT_ATA_SMART_FAILING, source, device, time_usec);
                e.value = 1;
                ereport_set_raw(&e, "SMART RETURN STATUS: threshold exceeded", SIZE_MAX);
                sink(&e, userdata);
        }
        if (s->protocol == HEALTH_PROTOCOL_SCSI && s->ie_present && s->ie_asc == 0x5d) {
                ereport_init(&e, EREPORT_SCSI_PREDICTIVE_FAILURE, source, device, time_usec);
                e.asc = s->ie_asc;
                e.ascq = s->ie_ascq;
                char text[96];

                snprintf(raw, sizeof(raw), "informational exception asc 0x%02x ascq 0x%02x: %s", s->ie_asc,
                         s->ie_ascq, scsi_asc_text(s->ie_asc, s->ie_ascq, text, sizeof(text)));
                ereport_set_raw(&e, raw, SIZE_MAX);
                sink(&e, userdata);
        }
        if (s->protocol == HEALTH_PROTOCOL_NVME && have(s->critical_warning) && s->critical_warning != 0) {
                ereport_init(&e, EREPORT_NVME_CRITICAL_WARNING, source, device, time_usec);
                e.value = s->critical_warning;
                {
                        size_t n = (size_t) snprintf(raw, sizeof(raw), "critical_warning 0x%02" PRIx64,
                                                     s->critical_warning);

                        /* Decoded: each bit set by its name (NVMe Base 2.0, Figure 207). */
                        for (unsigned bit = 0; bit < 8 && n < sizeof(raw); bit++)
                                if (s->critical_warning & (1u << bit))
                                        n += (size_t) snprintf(raw + n, sizeof(raw) - n, "%s%s", n > 24 ? ", " : ": ",
                                                               strna(nvme_critical_warning_bit_name(bit)));
                }
                ereport_set_raw(&e, raw, SIZE_MAX);
                sink(&e, userdata);
        }
        if (s->protocol == HEALTH_PROTOCOL_NVME && have(s->media_errors) && s->media_errors > 0) {
                ereport_init(&e, EREPORT_NVME_MEDIA_ERRORS, source, device, time_usec);
                e.value = s->media_errors;
                snprintf(raw, sizeof(raw), "media_errors %" PRIu64, s->media_errors);
                ereport_set_raw(&e, raw, SIZE_MAX);
                sink(&e, userdata);
        }
        if (s->assessment == HEALTH_WARNING || s->assessment == HEALTH_FAILING || s->assessment == HEALTH_FAILED) {
                const HealthReason *worst = NULL;

                for (size_t i = 0; i < s->n_reasons; i++)
                        if (!worst || health_assessment_rank(s->reasons[i].level) > health_assessment_rank(worst->level))
                                worst = &s->reasons[i];
                ereport_init(&e, s->assessment == HEALTH_WARNING ? EREPORT_HEALTH_WARNING : EREPORT_HEALTH_FAILING,
                             source, device, time_usec);
                e.value = (uint64_t) health_assessment_rank(s->assessment);
                if (worst) {
                        snprintf(raw, sizeof(raw), "%s: %s", worst->source, worst->text);
                        ereport_set_raw(&e, raw, SIZE_MAX);
                }
                sink(&e, userdata);
        }
}

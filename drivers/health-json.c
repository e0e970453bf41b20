/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "alloc-util.h"
#include "health-json.h"
#include "string-util.h"

/* Small builder: the first failure sticks, so the long list of fields below
 * reads as a list and is checked once. */
typedef struct Builder {
        json_object *o;
        int r;
} Builder;

static void put(Builder *b, const char *key, json_object *v) {
        if (b->r < 0) {
                json_object_put(v);
                return;
        }
        if (!v || json_object_object_add(b->o, key, v) < 0) {
                json_object_put(v);
                b->r = -ENOMEM;
        }
}

static void put_str(Builder *b, const char *key, const char *v) {
        if (v)
                put(b, key, json_object_new_string(v));
}

static void put_u64(Builder *b, const char *key, uint64_t v) {
        if (v != HEALTH_VALUE_NONE)
                put(b, key, json_object_new_uint64(v));
}

static void put_bool(Builder *b, const char *key, bool v) {
        put(b, key, json_object_new_boolean(v));
}

static void put_celsius(Builder *b, const char *key, uint64_t mk) {
        if (mk != HEALTH_VALUE_NONE)
                put(b, key, json_object_new_int64(((int64_t) mk - HEALTH_MKELVIN_OFFSET) / 1000));
}

static json_object *reasons_to_json(const HealthSnapshot *s) {
        json_object *a = json_object_new_array();

        if (!a)
                return NULL;
        for (size_t i = 0; i < s->n_reasons; i++) {
                Builder b = { .o = json_object_new_object() };

                if (!b.o || json_object_array_add(a, b.o) < 0) {
                        json_object_put(b.o);
                        return json_object_put(a), NULL;
                }
                put_str(&b, "level", health_assessment_to_string(s->reasons[i].level));
                put_str(&b, "source", s->reasons[i].source);
                put_u64(&b, "value", s->reasons[i].value);
                put_str(&b, "text", s->reasons[i].text);
                if (b.r < 0)
                        return json_object_put(a), NULL;
        }
        return a;
}

static json_object *attributes_to_json(const HealthSnapshot *s) {
        json_object *a = json_object_new_array();

        if (!a)
                return NULL;
        for (size_t i = 0; i < s->n_attributes; i++) {
                const AtaAttribute *at = &s->attributes[i];
                Builder b = { .o = json_object_new_object() };

                if (!b.o || json_object_array_add(a, b.o) < 0) {
                        json_object_put(b.o);
                        return json_object_put(a), NULL;
                }
                put_u64(&b, "id", at->id);
                put_str(&b, "name", at->name);
                if (at->value_valid)
                        put_u64(&b, "value", at->value);
                if (at->worst_valid)
                        put_u64(&b, "worst", at->worst);
                if (at->threshold_valid)
                        put_u64(&b, "threshold", at->threshold);
                put_u64(&b, "raw", at->raw);
                put_bool(&b, "prefailure", at->prefailure);
                put_bool(&b, "online", at->online);
                put_bool(&b, "failing_now", at->failing_now);
                put_bool(&b, "failed_in_past", at->failed_in_past);
                if (b.r < 0)
                        return json_object_put(a), NULL;
        }
        return a;
}

static json_object *counters_to_json(const ScsiErrorCounters *c) {
        Builder b = { .o = json_object_new_object() };

        if (!b.o)
                return NULL;
        put_u64(&b, "corrected_fast", c->corrected_fast);
        put_u64(&b, "corrected_delayed", c->corrected_delayed);
        put_u64(&b, "corrected_rereads", c->corrected_rereads);
        put_u64(&b, "total_corrected", c->total_corrected);
        put_u64(&b, "algorithm_invocations", c->algorithm_invocations);
        put_u64(&b, "bytes_processed", c->bytes_processed);
        put_u64(&b, "total_uncorrected", c->total_uncorrected);
        if (b.r < 0)
                return json_object_put(b.o), NULL;
        return b.o;
}

json_object *health_snapshot_to_json(const HealthSnapshot *s) {
        Builder b = { .o = json_object_new_object() };

        if (!b.o)
                return NULL;
        put_str(&b, "protocol", health_protocol_to_string(s->protocol));
        put_str(&b, "device", s->device);
        put_str(&b, "assessment", health_assessment_to_string(s->assessment));
        put(&b, "reasons", reasons_to_json(s));
        if (s->error != 0) {
                put_str(&b, "error", s->error_text ?: strerror(ERRNO_VALUE(s->error)));
                put_u64(&b, "errno", (uint64_t) ERRNO_VALUE(s->error));
        } else if (s->error_text)
                put_str(&b, "error", s->error_text);
        if (s->skipped)
                put_bool(&b, "skipped", true);
        put_str(&b, "model", s->model);
        put_str(&b, "serial", s->serial);
        put_str(&b, "firmware", s->firmware);
        put_str(&b, "smart_status", smart_status_to_string(s->smart_status));
        put_celsius(&b, "temperature_celsius", s->temperature_mkelvin);
        put_u64(&b, "power_on_hours", s->power_on_hours);
        put_u64(&b, "power_cycles", s->power_cycles);

        switch (s->protocol) {
        case HEALTH_PROTOCOL_ATA:
                put_u64(&b, "reallocated_sectors", s->reallocated_sectors);
                put_u64(&b, "pending_sectors", s->pending_sectors);
                put_u64(&b, "offline_uncorrectable", s->offline_uncorrectable);
                put_u64(&b, "reported_uncorrect", s->reported_uncorrect);
                put_u64(&b, "bad_sectors", s->bad_sectors);
                put_str(&b, "libatasmart_overall", s->ata_overall);
                put_str(&b, "self_test_status", s->self_test_status);
                put_str(&b, "offline_data_collection_status", s->offline_status);
                put_u64(&b, "error_log_count", s->error_log_count);
                if (s->n_attributes > 0)
                        put(&b, "attributes", attributes_to_json(s));
                break;
        case HEALTH_PROTOCOL_SCSI:
                if (s->ie_present) {
                        put_u64(&b, "ie_asc", s->ie_asc);
                        put_u64(&b, "ie_ascq", s->ie_ascq);
                }
                if (s->ie_enabled_known) {
                        put_bool(&b, "ie_enabled", s->ie_enabled);
                        put_u64(&b, "ie_mrie", s->ie_mrie);
                }
                put_celsius(&b, "trip_temperature_celsius", s->trip_temperature_mkelvin);
                if (s->read_errors.present || s->write_errors.present || s->verify_errors.present) {
                        Builder c = { .o = json_object_new_object() };

                        if (!c.o)
                                b.r = -ENOMEM;
                        if (s->read_errors.present)
                                put(&c, "read", counters_to_json(&s->read_errors));
                        if (s->write_errors.present)
                                put(&c, "write", counters_to_json(&s->write_errors));
                        if (s->verify_errors.present)
                                put(&c, "verify", counters_to_json(&s->verify_errors));
                        if (c.r < 0)
                                b.r = c.r;
                        put(&b, "error_counters", c.o);
                }
                put_u64(&b, "non_medium_errors", s->non_medium_errors);
                put_u64(&b, "grown_defects", s->grown_defects);
                put_u64(&b, "start_stop_cycles", s->start_stop_cycles);
                put_u64(&b, "load_unload_cycles", s->load_unload_cycles);
                put_u64(&b, "self_test_failures", s->self_test_failures);
                put_u64(&b, "background_scan_status", s->background_scan_status);
                put_u64(&b, "medium_scan_errors", s->medium_scan_errors);
                break;
        case HEALTH_PROTOCOL_NVME:
                if (s->critical_warning != HEALTH_VALUE_NONE) {
                        Builder c = { .o = json_object_new_object() };
                        json_object *bits = json_object_new_array();

                        if (!c.o)
                                b.r = -ENOMEM;
                        put_u64(&c, "value", s->critical_warning);
                        for (unsigned i = 0; bits && i < 8; i++)
                                if (s->critical_warning & (1u << i)) {
                                        const char *n = nvme_critical_warning_bit_name(i);
                                        if (json_object_array_add(bits, json_object_new_string(n ?: "reserved")) < 0)
                                                c.r = -ENOMEM;
                                }
                        put(&c, "bits", bits);
                        if (c.r < 0)
                                b.r = c.r;
                        put(&b, "critical_warning", c.o);
                }
                put_u64(&b, "available_spare_percent", s->available_spare_pct);
                put_u64(&b, "available_spare_threshold_percent", s->spare_threshold_pct);
                put_u64(&b, "percentage_used", s->percentage_used);
                put_u64(&b, "media_errors", s->media_errors);
                put_u64(&b, "error_log_entries", s->error_log_entries);
                put_u64(&b, "unsafe_shutdowns", s->unsafe_shutdowns);
                put_str(&b, "active_firmware", s->active_firmware);
                break;
        default:
                break;
        }
        if (b.r < 0)
                return json_object_put(b.o), NULL;
        return b.o;
}

static const char *pr(char **store, const char *s) {
        free(*store);
        *store = s ? strdup_printable(s, 256) : NULL;
        return *store ?: "-";
}

static void line_u64(FILE *f, const char *label, uint64_t v) {
        if (v != HEALTH_VALUE_NONE)
                fprintf(f, "  %-28s %" PRIu64 "\n", label, v);
}

int health_snapshot_print(const HealthSnapshot *s, FILE *f) {
        _cleanup_free_ char *t = NULL, *t2 = NULL;

        fprintf(f, "%s (%s)\n", pr(&t, s->device), health_protocol_to_string(s->protocol));
        fprintf(f, "  %-28s %s\n", "Assessment:", health_assessment_to_string(s->assessment));
        for (size_t i = 0; i < s->n_reasons; i++)
                fprintf(f, "    %-8s %-28s %s\n", health_assessment_to_string(s->reasons[i].level),
                        pr(&t, s->reasons[i].source), pr(&t2, s->reasons[i].text));
        if (s->error_text)
                fprintf(f, "  %-28s %s\n", s->skipped ? "Skipped:" : "Error:", pr(&t, s->error_text));
        if (s->model)
                fprintf(f, "  %-28s %s\n", "Model:", pr(&t, s->model));
        if (s->serial)
                fprintf(f, "  %-28s %s\n", "Serial:", pr(&t, s->serial));
        if (s->firmware)
                fprintf(f, "  %-28s %s\n", "Firmware:", pr(&t, s->firmware));
        fprintf(f, "  %-28s %s\n", "SMART status:", smart_status_to_string(s->smart_status));
        if (s->temperature_mkelvin != HEALTH_VALUE_NONE)
                fprintf(f, "  %-28s %.1f C\n", "Temperature:", mkelvin_to_celsius(s->temperature_mkelvin));
        line_u64(f, "Power-on hours:", s->power_on_hours);
        line_u64(f, "Power cycles:", s->power_cycles);
        switch (s->protocol) {
        case HEALTH_PROTOCOL_ATA:
                line_u64(f, "Reallocated sectors (5):", s->reallocated_sectors);
                line_u64(f, "Pending sectors (197):", s->pending_sectors);
                line_u64(f, "Offline uncorrectable (198):", s->offline_uncorrectable);
                line_u64(f, "Reported uncorrect (187):", s->reported_uncorrect);
                if (s->ata_overall)
                        fprintf(f, "  %-28s %s\n", "libatasmart overall:", s->ata_overall);
                if (s->self_test_status)
                        fprintf(f, "  %-28s %s\n", "Last self-test:", pr(&t, s->self_test_status));
                if (s->n_attributes > 0)
                        fprintf(f, "  %3s %-28s %5s %5s %5s %-16s %s\n", "ID", "Name", "Value", "Worst", "Thres", "Raw",
                                "Type");
                for (size_t i = 0; i < s->n_attributes; i++) {
                        const AtaAttribute *a = &s->attributes[i];
                        char v[8] = "-", w[8] = "-", th[8] = "-";

                        if (a->value_valid)
                                snprintf(v, sizeof(v), "%u", a->value);
                        if (a->worst_valid)
                                snprintf(w, sizeof(w), "%u", a->worst);
                        if (a->threshold_valid)
                                snprintf(th, sizeof(th), "%u", a->threshold);
                        fprintf(f, "  %3u %-28s %5s %5s %5s %-16" PRIu64 " %s%s\n", a->id, pr(&t, a->name), v, w, th,
                                a->raw, a->prefailure ? "prefail" : "old-age",
                                a->failing_now ? " FAILING_NOW" : a->failed_in_past ? " In_the_past" : "");
                }
                break;
        case HEALTH_PROTOCOL_SCSI:
                if (s->ie_present)
                        fprintf(f, "  %-28s 0x%02x/0x%02x\n", "IE ASC/ASCQ:", s->ie_asc, s->ie_ascq);
                if (s->read_errors.present)
                        line_u64(f, "Uncorrected read errors:", s->read_errors.total_uncorrected);
                if (s->write_errors.present)
                        line_u64(f, "Uncorrected write errors:", s->write_errors.total_uncorrected);
                if (s->verify_errors.present)
                        line_u64(f, "Uncorrected verify errors:", s->verify_errors.total_uncorrected);
                line_u64(f, "Non-medium errors:", s->non_medium_errors);
                line_u64(f, "Grown defects:", s->grown_defects);
                line_u64(f, "Start-stop cycles:", s->start_stop_cycles);
                line_u64(f, "Failed self-tests:", s->self_test_failures);
                break;
        case HEALTH_PROTOCOL_NVME:
                if (s->critical_warning != HEALTH_VALUE_NONE)
                        fprintf(f, "  %-28s 0x%02" PRIx64 "\n", "Critical warning:", s->critical_warning);
                line_u64(f, "Available spare (%):", s->available_spare_pct);
                line_u64(f, "Spare threshold (%):", s->spare_threshold_pct);
                line_u64(f, "Percentage used:", s->percentage_used);
                line_u64(f, "Media errors:", s->media_errors);
                line_u64(f, "Error log entries:", s->error_log_entries);
                line_u64(f, "Unsafe shutdowns:", s->unsafe_shutdowns);
                if (s->active_firmware)
                        fprintf(f, "  %-28s %s\n", "Active firmware:", pr(&t, s->active_firmware));
                break;
        default:
                break;
        }
        return ferror(f) ? -EIO : 0;
}

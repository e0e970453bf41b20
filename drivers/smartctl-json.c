/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "log.h"
#include "smartctl-json.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);
DEFINE_TRIVIAL_CLEANUP_FUNC(json_tokener *, json_tokener_free);

static json_object *get(json_object *o, const char *key) {
        json_object *v = NULL;

        if (!o || !json_object_is_type(o, json_type_object))
                return NULL;
        return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static json_object *get_path(json_object *o, const char *a, const char *b) {
        return get(get(o, a), b);
}

/* Numbers as smartctl prints them; anything else (a string, a negative
 * number, a float) is "not reported". */
static uint64_t get_u64(json_object *v) {
        if (!v)
                return HEALTH_VALUE_NONE;
        if (json_object_is_type(v, json_type_int)) {
                int64_t i = json_object_get_int64(v);
                if (i < 0) {
                        /* json-c keeps values above INT64_MAX as uint64 */
                        uint64_t u = json_object_get_uint64(v);
                        return u > (uint64_t) INT64_MAX ? u : HEALTH_VALUE_NONE;
                }
                return (uint64_t) i;
        }
        return HEALTH_VALUE_NONE;
}

static bool get_bool(json_object *v, bool *ret) {
        if (!v || !json_object_is_type(v, json_type_boolean))
                return false;
        *ret = json_object_get_boolean(v);
        return true;
}

static int dup_str(char **dst, json_object *v) {
        const char *s;

        if (!v || !json_object_is_type(v, json_type_string))
                return 0;
        s = json_object_get_string(v);
        free(*dst);
        *dst = strdup(s);
        return *dst ? 0 : -ENOMEM;
}

static int guess_protocol(json_object *root, HealthProtocol *ret) {
        json_object *p = get_path(root, "device", "protocol");

        if (p && json_object_is_type(p, json_type_string)) {
                const char *s = json_object_get_string(p);
                if (strcasecmp(s, "ATA") == 0)
                        return *ret = HEALTH_PROTOCOL_ATA, 0;
                if (strcasecmp(s, "SCSI") == 0)
                        return *ret = HEALTH_PROTOCOL_SCSI, 0;
                if (strcasecmp(s, "NVMe") == 0)
                        return *ret = HEALTH_PROTOCOL_NVME, 0;
        }
        if (get(root, "ata_smart_attributes") || get(root, "ata_smart_data"))
                return *ret = HEALTH_PROTOCOL_ATA, 0;
        if (get(root, "nvme_smart_health_information_log"))
                return *ret = HEALTH_PROTOCOL_NVME, 0;
        if (get(root, "scsi_error_counter_log") || get(root, "scsi_vendor") || get(root, "scsi_model_name"))
                return *ret = HEALTH_PROTOCOL_SCSI, 0;
        return -ENODATA;
}

static int parse_ata_attributes(json_object *root, HealthSnapshot *s) {
        json_object *table = get_path(root, "ata_smart_attributes", "table");
        size_t n;

        if (!table || !json_object_is_type(table, json_type_array))
                return 0;
        n = json_object_array_length(table);
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(table, i);
                uint64_t id = get_u64(get(e, "id")), value = get_u64(get(e, "value")), worst = get_u64(get(e, "worst")),
                         thresh = get_u64(get(e, "thresh")), raw = get_u64(get_path(e, "raw", "value")),
                         flags = get_u64(get_path(e, "flags", "value"));
                json_object *name = get(e, "name");
                AtaAttribute a = {};
                bool b;
                int r;

                if (id == HEALTH_VALUE_NONE || id == 0 || id > 255)
                        continue;
                a.id = (uint8_t) id;
                snprintf(a.name, sizeof(a.name), "%s",
                         name && json_object_is_type(name, json_type_string) ? json_object_get_string(name) : "unknown");
                /* Validity as libatasmart judges it: 1..0xfd. */
                a.value_valid = value >= 1 && value <= 0xfd;
                a.worst_valid = worst >= 1 && worst <= 0xfd;
                a.threshold_valid = thresh != HEALTH_VALUE_NONE && thresh <= 0xfe && thresh != 0xfe;
                a.value = a.value_valid ? (uint8_t) value : 0;
                a.worst = a.worst_valid ? (uint8_t) worst : 0;
                a.threshold = thresh <= 0xff ? (uint8_t) thresh : 0;
                if (get_bool(get_path(e, "flags", "prefailure"), &b))
                        a.prefailure = b;
                else
                        a.prefailure = flags != HEALTH_VALUE_NONE && (flags & 1);
                if (get_bool(get_path(e, "flags", "updated_online"), &b))
                        a.online = b;
                else
                        a.online = flags != HEALTH_VALUE_NONE && (flags & 2);
                a.raw = raw == HEALTH_VALUE_NONE ? 0 : raw & UINT64_C(0xffffffffffff);
                /* Thresholds 1..0xfd only (0 "always passing", 0xfe/0xff
                 * "always failing"/invalid are no assessment). */
                if (a.threshold >= 1 && a.threshold <= 0xfd) {
                        a.failing_now = a.value_valid && a.value <= a.threshold;
                        a.failed_in_past = a.worst_valid && a.worst <= a.threshold;
                }
                r = health_snapshot_add_attribute(s, &a);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ATA values decoded from the attribute table by our rules (not copied
 * from smartctl's summary), so the corpus test compares two decoders. */
static void ata_decode(HealthSnapshot *s) {
        static const uint8_t temp_ids[] = { 194, 190, 231 };
        const AtaAttribute *a;

        for (size_t i = 0; i < ELEMENTSOF(temp_ids) && s->temperature_mkelvin == HEALTH_VALUE_NONE; i++) {
                a = health_snapshot_get_attribute(s, temp_ids[i]);
                /* Byte 0 is the current temperature in Celsius; the others
                 * hold min/max on many drives (smartctl's "tempminmax"). */
                if (a && (a->raw & 0xff) > 0 && (a->raw & 0xff) < 128)
                        s->temperature_mkelvin = celsius_to_mkelvin((int64_t) (a->raw & 0xff));
        }
        a = health_snapshot_get_attribute(s, 9);
        if (a)
                s->power_on_hours = a->raw & 0xffffffffu;
        a = health_snapshot_get_attribute(s, 12);
        if (a)
                s->power_cycles = a->raw & 0xffffffffu;
        health_snapshot_fill_ata_counts(s);
}

static void parse_scsi_counters(json_object *o, ScsiErrorCounters *c) {
        json_object *gb;

        if (!o || !json_object_is_type(o, json_type_object))
                return;
        c->present = true;
        c->corrected_fast = get_u64(get(o, "errors_corrected_by_eccfast"));
        c->corrected_delayed = get_u64(get(o, "errors_corrected_by_eccdelayed"));
        c->corrected_rereads = get_u64(get(o, "errors_corrected_by_rereads_rewrites"));
        c->total_corrected = get_u64(get(o, "total_errors_corrected"));
        c->algorithm_invocations = get_u64(get(o, "correction_algorithm_invocations"));
        c->total_uncorrected = get_u64(get(o, "total_uncorrected_errors"));
        c->bytes_processed = HEALTH_VALUE_NONE;
        /* smartctl prints "gigabytes_processed" as a decimal string (10^9 bytes). */
        gb = get(o, "gigabytes_processed");
        if (gb && json_object_is_type(gb, json_type_string)) {
                char *end;
                double d = strtod(json_object_get_string(gb), &end);
                if (*end == '\0' && isfinite(d) && d >= 0 && d < 1.8e10)
                        c->bytes_processed = (uint64_t) (d * 1e9);
        }
}

static void parse_scsi(json_object *root, HealthSnapshot *s) {
        json_object *ssc = get(root, "scsi_start_stop_cycle_counter");
        json_object *ecl = get(root, "scsi_error_counter_log");
        uint64_t v;

        v = get_u64(get(root, "scsi_grown_defect_list"));
        s->grown_defects = v;
        s->start_stop_cycles = get_u64(get(ssc, "accumulated_start_stop_cycles"));
        s->load_unload_cycles = get_u64(get(ssc, "accumulated_load_unload_cycles"));
        parse_scsi_counters(get(ecl, "read"), &s->read_errors);
        parse_scsi_counters(get(ecl, "write"), &s->write_errors);
        parse_scsi_counters(get(ecl, "verify"), &s->verify_errors);
        v = get_u64(get(get(root, "scsi_non_medium_error"), "count"));
        if (v != HEALTH_VALUE_NONE)
                s->non_medium_errors = v;

        /* scsi_self_test_0 is the most recent; failures newer than the
         * last passing test count (the rule of scsi-pages.c). */
        for (unsigned i = 0; i < 20; i++) {
                char key[32];
                uint64_t result;

                snprintf(key, sizeof(key), "scsi_self_test_%u", i);
                result = get_u64(get_path(get(root, key), "result", "value"));
                if (result == HEALTH_VALUE_NONE)
                        break;
                if (s->self_test_failures == HEALTH_VALUE_NONE)
                        s->self_test_failures = 0;
                if (result == 0)
                        break;
                if (result >= 3 && result <= 7)
                        s->self_test_failures++;
        }
        v = get_u64(get_path(root, "temperature", "drive_trip"));
        if (v != HEALTH_VALUE_NONE && v > 0 && v < 256)
                s->trip_temperature_mkelvin = celsius_to_mkelvin((int64_t) v);
}

static void parse_nvme(json_object *root, HealthSnapshot *s) {
        json_object *l = get(root, "nvme_smart_health_information_log");
        uint64_t t;

        if (!l)
                return;
        s->critical_warning = get_u64(get(l, "critical_warning"));
        s->available_spare_pct = get_u64(get(l, "available_spare"));
        s->spare_threshold_pct = get_u64(get(l, "available_spare_threshold"));
        s->percentage_used = get_u64(get(l, "percentage_used"));
        s->media_errors = get_u64(get(l, "media_errors"));
        s->error_log_entries = get_u64(get(l, "num_err_log_entries"));
        s->unsafe_shutdowns = get_u64(get(l, "unsafe_shutdowns"));
        s->power_on_hours = get_u64(get(l, "power_on_hours"));
        s->power_cycles = get_u64(get(l, "power_cycles"));
        /* smartctl converts the log's Kelvin to Celsius. */
        t = get_u64(get(l, "temperature"));
        if (t != HEALTH_VALUE_NONE && t < 1000)
                s->temperature_mkelvin = celsius_to_mkelvin((int64_t) t);
}

static const char *exit_status_text(uint64_t st) {
        if (st & 0x01)
                return "command line did not parse";
        if (st & 0x02)
                return "device open failed, or device did not return an IDENTIFY DEVICE structure";
        return "some SMART or other command to the disk failed, or a SMART data structure checksum error";
}

int smartctl_json_parse(const char *text, size_t len, const char *name, HealthSnapshot **ret, HealthParseError *error) {
        _cleanup_(json_tokener_freep) json_tokener *tok = NULL;
        _cleanup_(json_object_putp) json_object *root = NULL;
        _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
        json_object *v;
        HealthProtocol protocol;
        enum json_tokener_error jerr;
        uint64_t st;
        bool passed;
        size_t end;
        int r;

        if (len > SMARTCTL_JSON_MAX)
                return health_parse_error_set(error, EFBIG, SIZE_MAX, "%zu bytes, larger than %zu", len, SMARTCTL_JSON_MAX);
        if (!text || len == 0)
                return health_parse_error_set(error, EBADMSG, 0, "empty file");

        tok = json_tokener_new_ex(64);
        if (!tok)
                return -ENOMEM;
        root = json_tokener_parse_ex(tok, text, (int) len);
        jerr = json_tokener_get_error(tok);
        end = json_tokener_get_parse_end(tok);
        if (!root || jerr != json_tokener_success)
                return health_parse_error_set(error, EBADMSG, end, "invalid JSON at offset %zu: %s", end,
                                              jerr == json_tokener_continue ? "unexpected end of input (truncated)"
                                                                            : json_tokener_error_desc(jerr));
        for (; end < len; end++)
                if (!isspace((unsigned char) text[end]) && text[end] != '\0')
                        return health_parse_error_set(error, EBADMSG, end, "trailing data after the JSON document at offset %zu", end);
        if (!json_object_is_type(root, json_type_object))
                return health_parse_error_set(error, EBADMSG, 0, "top level is not a JSON object");

        v = get(root, "json_format_version");
        if (v) {
                uint64_t major = json_object_is_type(v, json_type_array) && json_object_array_length(v) >= 1
                                         ? get_u64(json_object_array_get_idx(v, 0))
                                         : HEALTH_VALUE_NONE;
                if (major != 1)
                        return health_parse_error_set(error, EPROTONOSUPPORT, SIZE_MAX,
                                                      "smartctl json_format_version %s unsupported (want [1, x])",
                                                      json_object_to_json_string(v));
        }
        if (!get(root, "smartctl") && !get(root, "device"))
                return health_parse_error_set(error, EBADMSG, SIZE_MAX, "not smartctl output (no \"smartctl\" or \"device\" member)");

        if (guess_protocol(root, &protocol) < 0)
                return health_parse_error_set(error, EBADMSG, SIZE_MAX,
                                              "no device in this smartctl output (a --scan, or no protocol)");
        s = health_snapshot_new(protocol, name);
        if (!s)
                return -ENOMEM;

        if ((r = dup_str(&s->model, get(root, "model_name"))) < 0 ||
            (!s->model && (r = dup_str(&s->model, get(root, "scsi_model_name"))) < 0) ||
            (r = dup_str(&s->serial, get(root, "serial_number"))) < 0 ||
            (r = dup_str(&s->firmware, get(root, "firmware_version"))) < 0 ||
            (!s->firmware && (r = dup_str(&s->firmware, get(root, "scsi_revision"))) < 0))
                return r;

        st = get_u64(get_path(root, "smartctl", "exit_status"));
        /* Bits 0 and 1: smartctl read nothing.  Bit 2 (a command failed or
         * a checksum was wrong) still leaves the rest of the output valid:
         * assess it and say so. */
        if (st != HEALTH_VALUE_NONE && (st & 0x03)) {
                r = health_snapshot_set_error(s, EIO, "smartctl exit status %" PRIu64 ": %s", st, exit_status_text(st));
                if (r < 0)
                        return r;
                *ret = TAKE_PTR(s);
                return 0;
        }

        if (get_bool(get_path(root, "smart_status", "passed"), &passed))
                s->smart_status = passed ? SMART_STATUS_PASSED : SMART_STATUS_FAILED;

        switch (protocol) {
        case HEALTH_PROTOCOL_ATA:
                r = parse_ata_attributes(root, s);
                if (r < 0)
                        return r;
                ata_decode(s);
                v = get(get_path(root, "ata_smart_data", "self_test"), "status");
                if (get_bool(get(v, "passed"), &passed)) {
                        s->self_test_failed = !passed;
                        r = dup_str(&s->self_test_status, get(v, "string"));
                        if (r < 0)
                                return r;
                }
                s->error_log_count = get_u64(get(get_path(root, "ata_smart_error_log", "summary"), "count"));
                break;
        case HEALTH_PROTOCOL_SCSI:
                parse_scsi(root, s);
                break;
        case HEALTH_PROTOCOL_NVME:
                parse_nvme(root, s);
                break;
        default:
                break;
        }

        /* smartctl's summary values where our own decoding found none. */
        if (s->temperature_mkelvin == HEALTH_VALUE_NONE) {
                uint64_t t = get_u64(get_path(root, "temperature", "current"));
                if (t != HEALTH_VALUE_NONE && t < 1000)
                        s->temperature_mkelvin = celsius_to_mkelvin((int64_t) t);
        }
        if (s->power_on_hours == HEALTH_VALUE_NONE)
                s->power_on_hours = get_u64(get_path(root, "power_on_time", "hours"));
        if (s->power_cycles == HEALTH_VALUE_NONE)
                s->power_cycles = get_u64(get(root, "power_cycle_count"));

        r = health_assess(s);
        if (r < 0)
                return r;
        if (st != HEALTH_VALUE_NONE && (st & 0x04) && s->assessment != HEALTH_UNKNOWN) {
                r = health_snapshot_add_reason(s, HEALTH_OK, "smartctl.exit_status", st,
                                               "smartctl exit status %" PRIu64 ": %s; values may be incomplete", st,
                                               exit_status_text(st & 0x04));
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

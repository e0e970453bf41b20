/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ATA health policy on live SMART history: every poll's values go to
 * the store's device history, and after each poll of an ATA disk the
 * policy (ata_policy_track(), the function `storguardctl replay` runs) is
 * evaluated on the disk's stored series.  A warning is raised once per
 * episode as a disk.smart_history fault, through the same path as
 * diagnosis' faults.
 *
 * The policy's thresholds were tuned on Backblaze's daily snapshots, so the
 * series it sees is daily too: the last sample of each UTC day (hourly
 * polls would otherwise fill its growth history with near-identical
 * samples of one day).
 *
 *   history key             from the snapshot (health-json.c)     policy attribute
 *   ----------------------  ------------------------------------  ----------------
 *   reallocated_sectors     reallocated_sectors (ATA 5)           ATA_ATTR_REALLOCATED
 *   reported_uncorrect      reported_uncorrect (187)              ATA_ATTR_UNCORRECTABLE
 *   pending_sectors         pending_sectors (197)                 ATA_ATTR_PENDING
 *   offline_uncorrectable   offline_uncorrectable (198)           ATA_ATTR_OFFLINE_UNC
 *   power_on_hours          power_on_hours (9)                    ATA_ATTR_POWER_ON_HOURS
 *   command_timeouts        attributes[id == 188].raw (48 bits)   ATA_ATTR_COMMAND_TIMEOUT
 */

#include <errno.h>
#include <string.h>

#include "alloc-util.h"
#include "log.h"
#include "manager.h"
#include "string-util.h"

static const struct {
        const char *key;
        AtaPolicyAttr attr; /* _ATA_ATTR_INVALID: recorded, not a policy input */
} history_keys[] = {
        { "temperature_celsius", _ATA_ATTR_INVALID },
        { "power_on_hours", ATA_ATTR_POWER_ON_HOURS },
        { "reallocated_sectors", ATA_ATTR_REALLOCATED },
        { "pending_sectors", ATA_ATTR_PENDING },
        { "offline_uncorrectable", ATA_ATTR_OFFLINE_UNC },
        { "reported_uncorrect", ATA_ATTR_UNCORRECTABLE },
        { "command_timeouts", ATA_ATTR_COMMAND_TIMEOUT },
        { "media_errors", _ATA_ATTR_INVALID },
        { "percentage_used", _ATA_ATTR_INVALID },
        { "available_spare_pct", _ATA_ATTR_INVALID },
        { "grown_defects", _ATA_ATTR_INVALID },
};

/* The raw value of ATA attribute @id in the snapshot's "attributes". */
static bool snapshot_attribute_raw(json_object *snap, unsigned id, double *ret) {
        json_object *attrs;

        if (!json_object_object_get_ex(snap, "attributes", &attrs) || !json_object_is_type(attrs, json_type_array))
                return false;
        for (size_t i = 0; i < json_object_array_length(attrs); i++) {
                json_object *a = json_object_array_get_idx(attrs, i), *v;

                if (json_object_object_get_ex(a, "id", &v) && json_object_get_int64(v) == (int64_t) id &&
                    json_object_object_get_ex(a, "raw", &v) &&
                    (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))) {
                        *ret = json_object_get_double(v);
                        return true;
                }
        }
        return false;
}

int manager_history_record(Store *s, const char *ci_id, json_object *snap, usec_t t) {
        int r = 0;

        for (size_t k = 0; k < ELEMENTSOF(history_keys); k++) {
                json_object *v;
                double x;
                int q;

                if (streq(history_keys[k].key, "command_timeouts")) {
                        if (!snapshot_attribute_raw(snap, 188, &x))
                                continue;
                } else if (json_object_object_get_ex(snap, history_keys[k].key, &v) &&
                           (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
                        x = json_object_get_double(v);
                else
                        continue;
                q = store_history_add(s, ci_id, history_keys[k].key, t, x);
                if (q < 0 && r == 0)
                        r = q;
        }
        return r;
}

typedef struct SeriesBuilder {
        AtaSample *samples;
        size_t n, allocated;
        AtaPolicyAttr attr;
        int error;
} SeriesBuilder;

static int series_add(usec_t t, double value, void *userdata) {
        SeriesBuilder *b = userdata;
        usec_t day = t / USEC_PER_DAY;
        size_t lo = 0, hi = b->n;

        /* The sample of t's day, kept in time order. */
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (b->samples[mid].time_usec / USEC_PER_DAY < day)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo == b->n || b->samples[lo].time_usec / USEC_PER_DAY != day) {
                if (GREEDY_REALLOC(b->samples, b->allocated, b->n + 1) < 0) {
                        b->error = -ENOMEM;
                        return -ENOMEM;
                }
                memmove(b->samples + lo + 1, b->samples + lo, (b->n - lo) * sizeof(AtaSample));
                b->samples[lo] = (AtaSample) { .time_usec = t };
                for (size_t a = 0; a < _ATA_ATTR_MAX; a++)
                        b->samples[lo].raw[a] = ATA_VALUE_NONE;
                b->n++;
        }
        /* A day's last sample wins; counters are never negative. */
        if (t >= b->samples[lo].time_usec)
                b->samples[lo].time_usec = t;
        b->samples[lo].raw[b->attr] = value >= 0 && value < 18446744073709551616.0 ? (uint64_t) value : ATA_VALUE_NONE;
        return 0;
}

int manager_history_ata_series(Store *s, const char *ci_id, AtaSample **ret, size_t *ret_n) {
        SeriesBuilder b = {};

        for (size_t k = 0; k < ELEMENTSOF(history_keys); k++) {
                int r;

                if (history_keys[k].attr < 0)
                        continue;
                b.attr = history_keys[k].attr;
                r = store_history_foreach(s, ci_id, history_keys[k].key, series_add, &b);
                if (b.error < 0 || r < 0) {
                        free(b.samples);
                        return b.error < 0 ? b.error : r;
                }
        }
        *ret = b.samples;
        *ret_n = b.n;
        return 0;
}

void manager_ata_policy_check(Manager *m, const Ci *c, AtaPolicyTracker *t, usec_t now_usec) {
        _cleanup_free_ AtaSample *series = NULL;
        char reason[ATA_POLICY_REASON_MAX], key[256];
        size_t n = 0;
        Fault f;
        int r;

        if (!m->store || c->health_source != HEALTH_SOURCE_ATA)
                return;
        r = manager_history_ata_series(m->store, c->id, &series, &n);
        if (r < 0) {
                log_warning_errno(r, "Failed to read the SMART history of '%s', ignoring: %m", c->name);
                return;
        }
        if (!ata_policy_track(&m->config.diagnosis.ata, t, series, n, reason, sizeof(reason)))
                return;
        /* After a restart the episode may already have its open incident. */
        snprintf(key, sizeof(key), "%s:%s", fault_class_to_string(FAULT_DISK_SMART_HISTORY), c->id);
        if (incident_manager_find_active(m->incidents, key))
                return;

        f = (Fault) {
                .class = FAULT_DISK_SMART_HISTORY,
                .suspect_type = c->type,
                .confidence_pct = 50, /* about half the warned drives of the replay's data failed */
                .action = FAULT_ACTION_REPLACE_DISK,
                .time_usec = now_usec,
                .n_evidence_total = 1,
        };
        snprintf(f.suspect, sizeof(f.suspect), "%s", c->id);
        snprintf(f.suspect_name, sizeof(f.suspect_name), "%s", strempty(c->name));
        snprintf(f.reason, sizeof(f.reason), "%s", reason);
        manager_raise_fault(m, &f);
}

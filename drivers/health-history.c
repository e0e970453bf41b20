/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "alloc-util.h"
#include "hashmap.h"
#include "health-history.h"

/* Raw counts that field studies tie to failure (health.c has the list of
 * those that warn; 188 and 199 are tracked for trends only: 188 packs
 * several counters on some drives, 199 points at cables). */
static const uint8_t ata_raw_ids[] = { 5, 10, 184, 187, 188, 196, 197, 198, 199 };
/* SSD wear and spare: the normalised value is the meaningful one. */
static const uint8_t ata_norm_ids[] = { 169, 173, 177, 202, 231, 232, 233 };

static void add(HealthSample *samples, size_t max, size_t *n, const char *key, usec_t t, uint64_t v) {
        if (*n >= max || v == HEALTH_VALUE_NONE)
                return;
        snprintf(samples[*n].key, sizeof(samples[*n].key), "%s", key);
        samples[*n].time_usec = t;
        samples[*n].value = v;
        (*n)++;
}

size_t health_history_samples(const HealthSnapshot *s, usec_t time_usec, HealthSample *samples, size_t max) {
        char key[HEALTH_HISTORY_KEY_MAX];
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(ata_raw_ids); i++) {
                const AtaAttribute *a = health_snapshot_get_attribute(s, ata_raw_ids[i]);
                if (!a)
                        continue;
                snprintf(key, sizeof(key), "ata.%u", a->id);
                add(samples, max, &n, key, time_usec, a->raw & 0xffffffffu);
        }
        for (size_t i = 0; i < ELEMENTSOF(ata_norm_ids); i++) {
                const AtaAttribute *a = health_snapshot_get_attribute(s, ata_norm_ids[i]);
                if (!a || !a->value_valid)
                        continue;
                snprintf(key, sizeof(key), "ata.%u.norm", a->id);
                add(samples, max, &n, key, time_usec, a->value);
        }
        add(samples, max, &n, "nvme.percentage_used", time_usec, s->percentage_used);
        add(samples, max, &n, "nvme.available_spare", time_usec, s->available_spare_pct);
        add(samples, max, &n, "nvme.media_errors", time_usec, s->media_errors);
        add(samples, max, &n, "scsi.grown_defects", time_usec, s->grown_defects);
        if (s->read_errors.present)
                add(samples, max, &n, "scsi.uncorrected_read", time_usec, s->read_errors.total_uncorrected);
        if (s->write_errors.present)
                add(samples, max, &n, "scsi.uncorrected_write", time_usec, s->write_errors.total_uncorrected);
        if (s->verify_errors.present)
                add(samples, max, &n, "scsi.uncorrected_verify", time_usec, s->verify_errors.total_uncorrected);
        return n;
}

/* Keys whose rise is news: counters of bad things (not wear levels). */
static bool is_counter(const char *key) {
        return !strstr(key, ".norm") && strcmp(key, "nvme.percentage_used") != 0 &&
               strcmp(key, "nvme.available_spare") != 0;
}

int health_history_record_snapshot(const HealthHistory *h, const char *device_id, const char *device,
                                   const HealthSnapshot *s, usec_t time_usec, EreportSink sink, void *userdata) {
        HealthSample samples[48];
        size_t n;
        int r, rises = 0;

        if (!h || !h->ops || s->error != 0 || s->skipped)
                return 0;
        n = health_history_samples(s, time_usec, samples, ELEMENTSOF(samples));
        for (size_t i = 0; i < n; i++) {
                HealthSample prev;
                char raw[EREPORT_RAW_MAX];
                Ereport e;

                if (!is_counter(samples[i].key) || h->ops->last(h->userdata, device_id, samples[i].key, &prev) < 0 ||
                    samples[i].value <= prev.value)
                        continue;
                rises++;
                if (!sink)
                        continue;
                if (strncmp(samples[i].key, "nvme.", 5) == 0) {
                        ereport_init(&e, EREPORT_NVME_MEDIA_ERRORS, "nvme", device, time_usec);
                        snprintf(raw, sizeof(raw), "%.31s %" PRIu64 " -> %" PRIu64, samples[i].key, prev.value,
                                 samples[i].value);
                } else if (strncmp(samples[i].key, "ata.", 4) == 0) {
                        ereport_init(&e, EREPORT_ATA_SMART_ATTRIBUTE, "ata", device, time_usec);
                        snprintf(raw, sizeof(raw), "attribute %.27s raw %" PRIu64 " -> %" PRIu64, samples[i].key + 4,
                                 prev.value, samples[i].value);
                } else {
                        ereport_init(&e, EREPORT_HEALTH_WARNING, "scsi", device, time_usec);
                        snprintf(raw, sizeof(raw), "%.31s %" PRIu64 " -> %" PRIu64, samples[i].key, prev.value,
                                 samples[i].value);
                }
                e.value = samples[i].value;
                ereport_set_raw(&e, raw, SIZE_MAX);
                sink(&e, userdata);
        }
        if (n > 0) {
                r = h->ops->record(h->userdata, device_id, samples, n);
                if (r < 0)
                        return r;
        }
        return rises;
}

/* In memory: one ring per "device_id\x1fkey". */
typedef struct Series {
        char *name;
        HealthSample *ring;
        size_t head, count;
} Series;

struct MemoryHistory {
        Hashmap *series;
        size_t capacity;
};

MemoryHistory *memory_history_new(size_t samples_per_series) {
        MemoryHistory *m = new0(MemoryHistory, 1);

        if (!m)
                return NULL;
        m->capacity = samples_per_series ?: MEMORY_HISTORY_SAMPLES_DEFAULT;
        m->series = hashmap_new();
        if (!m->series)
                return mfree(m);
        return m;
}

MemoryHistory *memory_history_free(MemoryHistory *m) {
        Series *s;

        if (!m)
                return NULL;
        HASHMAP_FOREACH(s, m->series) {
                free(s->name);
                free(s->ring);
                free(s);
        }
        hashmap_free(m->series);
        return mfree(m);
}

static char *series_name(const char *device_id, const char *key) {
        char *n;

        if (asprintf(&n, "%s\x1f%s", device_id, key) < 0)
                return NULL;
        return n;
}

static int mem_record(void *userdata, const char *device_id, const HealthSample *samples, size_t n) {
        MemoryHistory *m = userdata;

        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *name = series_name(device_id, samples[i].key);
                Series *s;

                if (!name)
                        return -ENOMEM;
                s = hashmap_get(m->series, name);
                if (!s) {
                        int r;

                        s = new0(Series, 1);
                        if (!s)
                                return -ENOMEM;
                        s->ring = new(HealthSample, m->capacity);
                        if (!s->ring) {
                                free(s);
                                return -ENOMEM;
                        }
                        s->name = TAKE_PTR(name);
                        r = hashmap_put(m->series, s->name, s);
                        if (r < 0) {
                                free(s->name);
                                free(s->ring);
                                free(s);
                                return r;
                        }
                }
                s->ring[(s->head + s->count) % m->capacity] = samples[i];
                if (s->count < m->capacity)
                        s->count++;
                else
                        s->head = (s->head + 1) % m->capacity;
        }
        return 0;
}

static int mem_last(void *userdata, const char *device_id, const char *key, HealthSample *ret) {
        MemoryHistory *m = userdata;
        _cleanup_free_ char *name = series_name(device_id, key);
        Series *s;

        if (!name)
                return -ENOMEM;
        s = hashmap_get(m->series, name);
        if (!s || s->count == 0)
                return -ENOENT;
        *ret = s->ring[(s->head + s->count - 1) % m->capacity];
        return 0;
}

static int mem_query(void *userdata, const char *device_id, const char *key, usec_t since_usec, HealthSample **ret) {
        MemoryHistory *m = userdata;
        _cleanup_free_ char *name = series_name(device_id, key);
        HealthSample *out;
        Series *s;
        size_t n = 0;

        if (!name)
                return -ENOMEM;
        s = hashmap_get(m->series, name);
        out = new(HealthSample, s ? MAX(s->count, (size_t) 1) : 1);
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; s && i < s->count; i++) {
                const HealthSample *x = &s->ring[(s->head + i) % m->capacity];
                if (x->time_usec >= since_usec)
                        out[n++] = *x;
        }
        *ret = out;
        return (int) n;
}

static const HealthHistoryOps memory_ops = {
        .record = mem_record,
        .last = mem_last,
        .query = mem_query,
};

HealthHistory memory_history_as_history(MemoryHistory *m) {
        return (HealthHistory) { .ops = &memory_ops, .userdata = m };
}

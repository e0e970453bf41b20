/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The health snapshot: assessment rules, JSON, history. */

#include <json-c/json.h>

#include "test-helpers.h"

#include "alloc-util.h"
#include "health-history.h"
#include "health-json.h"

static HealthSnapshot *ata_with(uint8_t id, uint64_t raw, bool prefail, uint8_t value, uint8_t thresh) {
        HealthSnapshot *s = health_snapshot_new(HEALTH_PROTOCOL_ATA, "sda");
        AtaAttribute a = { .id = id, .raw = raw, .prefailure = prefail, .value = value, .worst = value,
                           .threshold = thresh, .value_valid = true, .worst_valid = true, .threshold_valid = true };

        assert_non_null(s);
        snprintf(a.name, sizeof(a.name), "attr-%u", id);
        a.failing_now = thresh >= 1 && thresh <= 0xfd && value <= thresh;
        a.failed_in_past = a.failing_now;
        s->smart_status = SMART_STATUS_PASSED;
        assert_int_equal(health_snapshot_add_attribute(s, &a), 0);
        health_snapshot_fill_ata_counts(s);
        assert_int_equal(health_assess(s), 0);
        return s;
}

static void test_assessment_rules(void **state) {
        _cleanup_(health_snapshot_freep) HealthSnapshot *a = ata_with(5, 12, true, 100, 36),
                                                       *b = ata_with(5, 0, true, 30, 36),
                                                       *c = ata_with(197, 0xffff00000003ULL, false, 100, 0),
                                                       *d = ata_with(9, 5000, false, 90, 0),
                                                       *e = health_snapshot_new(HEALTH_PROTOCOL_SCSI, "sdb"),
                                                       *f = health_snapshot_new(HEALTH_PROTOCOL_ATA, "sdc");

        assert_int_equal(a->assessment, HEALTH_WARNING);
        assert_string_equal(a->reasons[0].source, "ata.attribute.5");
        assert_int_equal(a->reasons[0].value, 12);
        assert_int_equal(b->assessment, HEALTH_FAILING); /* pre-fail at threshold */
        assert_int_equal(c->assessment, HEALTH_WARNING);
        assert_int_equal(c->pending_sectors, 3); /* low 32 bits */
        assert_int_equal(d->assessment, HEALTH_OK);
        assert_int_equal(d->n_reasons, 0);

        /* No data at all is unknown, never ok. */
        assert_int_equal(health_assess(e), 0);
        assert_int_equal(e->assessment, HEALTH_UNKNOWN);
        assert_int_equal(health_snapshot_set_error(f, EIO, "SMART READ DATA: %s", "Input/output error"), 0);
        assert_int_equal(health_assess(f), 0);
        assert_int_equal(f->assessment, HEALTH_UNKNOWN);
        assert_int_equal(f->error, -EIO);

        /* SCSI temperature at its trip point warns. */
        e->temperature_mkelvin = celsius_to_mkelvin(61);
        e->trip_temperature_mkelvin = celsius_to_mkelvin(60);
        assert_int_equal(health_assess(e), 0);
        assert_int_equal(e->assessment, HEALTH_WARNING);
        assert_string_equal(e->reasons[0].source, "temperature");

        assert_int_equal(health_assessment_from_string("failing"), HEALTH_FAILING);
        assert_int_equal(health_assessment_from_string("bogus"), _HEALTH_ASSESSMENT_INVALID);
        assert_true(health_assessment_rank(HEALTH_FAILED) > health_assessment_rank(HEALTH_FAILING));
        assert_int_equal(health_assessment_rank(HEALTH_UNKNOWN), -1);
}

static void test_json(void **state) {
        _cleanup_(health_snapshot_freep) HealthSnapshot *a = ata_with(5, 12, true, 100, 36);
        json_object *o = health_snapshot_to_json(a), *v = NULL, *r = NULL;

        assert_non_null(o);
        assert_true(json_object_object_get_ex(o, "assessment", &v));
        assert_string_equal(json_object_get_string(v), "warning");
        assert_true(json_object_object_get_ex(o, "reasons", &r));
        assert_int_equal(json_object_array_length(r), 1);
        assert_true(json_object_object_get_ex(o, "reallocated_sectors", &v));
        assert_int_equal(json_object_get_int64(v), 12);
        assert_false(json_object_object_get_ex(o, "temperature_celsius", &v)); /* not reported: absent */
        json_object_put(o);
}

typedef struct Collected {
        Ereport e[8];
        size_t n;
} Collected;

static void collect(const Ereport *e, void *userdata) {
        Collected *c = userdata;
        if (c->n < ELEMENTSOF(c->e))
                c->e[c->n++] = *e;
}

static void test_history(void **state) {
        _cleanup_(memory_history_freep) MemoryHistory *m = memory_history_new(4);
        HealthHistory h = memory_history_as_history(m);
        _cleanup_free_ HealthSample *q = NULL;
        Collected c = {};
        HealthSample last;

        assert_non_null(m);
        for (unsigned i = 0; i < 6; i++) {
                _cleanup_(health_snapshot_freep) HealthSnapshot *s = ata_with(5, i < 3 ? 8 : 16, true, 100, 36);
                int r = health_history_record_snapshot(&h, "wwn-0x1", "sda", s, (i + 1) * USEC_PER_HOUR, collect, &c);
                assert_int_equal(r, i == 3 ? 1 : 0);
        }
        assert_int_equal(c.n, 1);
        assert_int_equal(c.e[0].class, EREPORT_ATA_SMART_ATTRIBUTE);
        assert_string_equal(c.e[0].raw, "attribute 5 raw 8 -> 16");
        assert_int_equal(h.ops->last(h.userdata, "wwn-0x1", "ata.5", &last), 0);
        assert_int_equal(last.value, 16);
        /* Bounded: 4 samples kept of 6. */
        assert_int_equal(h.ops->query(h.userdata, "wwn-0x1", "ata.5", 0, &q), 4);
        assert_int_equal(q[0].time_usec, 3 * USEC_PER_HOUR);
        assert_int_equal(h.ops->last(h.userdata, "wwn-0x2", "ata.5", &last), -ENOENT);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_assessment_rules),
                cmocka_unit_test(test_json),
                cmocka_unit_test(test_history),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

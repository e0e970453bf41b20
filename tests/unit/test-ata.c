/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ATA driver: the blob parser (libatasmart) and the live SAT path, the
 * latter replaying a real drive's IDENTIFY / SMART data / thresholds (the
 * sections of a libatasmart blob from ../shared/corpus) through ATA
 * PASS-THROUGH(16) with both sense formats libata produces.
 */

#include <arpa/inet.h>

#include "test-helpers.h"
#include "hex-fixture.h"

#include "alloc-util.h"
#include "ata/ata-smart.h"
#include "fileio.h"
#include "health-read.h"

typedef struct Sections {
        uint8_t identify[512], data[512], thresholds[512];
        int status; /* 1, 0, -1 none */
} Sections;

static bool load_sections(const char *name, Sections *ret, char **ret_blob, size_t *ret_size) {
        const char *c = test_corpus_dir();
        _cleanup_free_ char *p = NULL, *b = NULL;
        size_t size, off = 0;

        if (!c)
                return false;
        assert_true(asprintf(&p, "%s/libatasmart-blob-examples/%s", c, name) > 0);
        assert_int_equal(read_full_file(p, 1 << 16, &b, &size), 0);
        *ret = (Sections) { .status = -1 };
        while (off + 8 <= size) {
                uint32_t l;
                memcpy(&l, b + off + 4, 4);
                l = ntohl(l);
                assert_true(off + 8 + l <= size);
                if (memcmp(b + off, "IDFY", 4) == 0)
                        memcpy(ret->identify, b + off + 8, 512);
                else if (memcmp(b + off, "SMDT", 4) == 0)
                        memcpy(ret->data, b + off + 8, 512);
                else if (memcmp(b + off, "SMTH", 4) == 0)
                        memcpy(ret->thresholds, b + off + 8, 512);
                else if (memcmp(b + off, "SMST", 4) == 0)
                        ret->status = b[off + 11] != 0;
                off += 8 + l;
        }
        if (ret_blob) {
                *ret_blob = TAKE_PTR(b);
                *ret_size = size;
        }
        return true;
}

#define REQUIRE_SECTIONS(sec, name, blob, size)                                                    \
        if (!load_sections(name, &sec, blob, size)) {                                              \
                print_message("corpus not found: skipping\n");                                      \
                skip();                                                                            \
        }

typedef enum Mode {
        MODE_DESCRIPTOR, /* D_SENSE=1: registers in descriptor 0x09 */
        MODE_QEMU_FIXED, /* D_SENSE=0 and QEMU AHCI's 0x58 on data-in */
        MODE_STANDBY,
        MODE_NO_SAT,
        MODE_FAILING,
} Mode;

typedef struct SatDevice {
        const Sections *sec;
        Mode mode;
        unsigned smart_reads;
} SatDevice;

static void regs_sense(ScsiResult *ret, bool descriptor, uint8_t status, uint8_t count, uint32_t lba) {
        ret->status = SCSI_STATUS_CHECK_CONDITION;
        if (descriptor) {
                const uint8_t s[] = { 0x72, 0x01, 0x00, 0x1d, 0, 0, 0, 0x0e, 0x09, 0x0c, 0x00, 0x00, 0x00, count,
                                      0x00, (uint8_t) lba, 0x00, (uint8_t) (lba >> 8), 0x00, (uint8_t) (lba >> 16), 0x40,
                                      status };
                memcpy(ret->sense, s, sizeof(s));
                ret->sense_len = sizeof(s);
        } else {
                const uint8_t s[] = { 0xf0, 0, status & 0x08 ? 0x05 : 0x01, 0x00, status, 0x40, count, 0x0a, 0x00,
                                      (uint8_t) lba, (uint8_t) (lba >> 8), (uint8_t) (lba >> 16),
                                      status & 0x08 ? 0x21 : 0x00, status & 0x08 ? 0x04 : 0x1d, 0, 0, 0, 0 };
                memcpy(ret->sense, s, sizeof(s));
                ret->sense_len = sizeof(s);
        }
}

static int sat_execute(void *userdata, const uint8_t *cdb, size_t cdb_len, ScsiDirection dir, uint8_t *data,
                       size_t data_len, unsigned timeout_msec, ScsiResult *ret) {
        SatDevice *d = userdata;
        uint8_t command = cdb[14], feature = cdb[4];
        const uint8_t *src = NULL;
        bool desc = d->mode != MODE_QEMU_FIXED;

        *ret = (ScsiResult) {};
        if (cdb[0] != 0x85 || d->mode == MODE_NO_SAT) {
                /* ILLEGAL REQUEST, invalid command operation code. */
                static const uint8_t ir[] = { 0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x20, 0x00, 0, 0, 0, 0 };
                ret->status = SCSI_STATUS_CHECK_CONDITION;
                memcpy(ret->sense, ir, sizeof(ir));
                ret->sense_len = sizeof(ir);
                return 0;
        }
        assert_int_equal(cdb_len, 16);
        if (command == ATA_CMD_IDENTIFY_DEVICE)
                src = d->sec->identify;
        else if (command == ATA_CMD_SMART && feature == ATA_SMART_READ_DATA) {
                src = d->sec->data;
                d->smart_reads++;
        } else if (command == ATA_CMD_SMART && feature == ATA_SMART_READ_THRESHOLDS)
                src = d->sec->thresholds;

        if (src) {
                assert_int_equal(dir, SCSI_DIRECTION_FROM_DEVICE);
                assert_int_equal(data_len, 512);
                memcpy(data, src, 512);
                ret->data_len = 512;
                if (d->mode == MODE_QEMU_FIXED)
                        regs_sense(ret, false, 0x58, 0x01, 0);
                return 0;
        }
        assert_int_equal(dir, SCSI_DIRECTION_NONE);
        assert_true(cdb[2] & 0x20); /* CK_COND */
        if (command == ATA_CMD_CHECK_POWER_MODE)
                regs_sense(ret, desc, 0x50, d->mode == MODE_STANDBY ? 0x00 : 0xff, 0);
        else if (command == ATA_CMD_SMART && feature == ATA_SMART_RETURN_STATUS)
                regs_sense(ret, desc, 0x50, 0, d->mode == MODE_FAILING ? 0x2cf400 : 0xc24f00);
        else
                regs_sense(ret, desc, 0x51, 0, 0); /* ERR, ABRT below */
        return 0;
}

static const ScsiTransportOps sat_ops = { .execute = sat_execute };

static void test_blob_build_roundtrip(void **state) {
        Sections sec;
        _cleanup_free_ char *orig = NULL;
        _cleanup_free_ uint8_t *blob = NULL;
        _cleanup_(health_snapshot_freep) HealthSnapshot *a = NULL, *b = NULL;
        size_t osize, size;

        REQUIRE_SECTIONS(sec, "ST9100821AS--3.CME", &orig, &osize);
        assert_int_equal(ata_blob_build(sec.identify, sec.status, sec.data, sec.thresholds, &blob, &size), 0);
        assert_int_equal(size, osize);
        assert_memory_equal(blob, orig, size);
        assert_int_equal(ata_parse_blob(blob, size, "x", &a), 0);
        assert_string_equal(a->model, "ST9100821AS");
        assert_string_equal(a->serial, "5NJ0R13A");
        assert_string_equal(a->firmware, "3.CME");
        assert_int_equal(a->smart_status, SMART_STATUS_PASSED);
        assert_int_equal(a->n_attributes, 24);
        assert_int_equal(a->power_cycles, 550);
        assert_int_equal(a->temperature_mkelvin, 307150);
        assert_string_equal(a->ata_overall, "GOOD");
        /* start-stop-count (4) is old-age at value 1 <= threshold 20: a warning. */
        assert_int_equal(a->assessment, HEALTH_WARNING);
        assert_true(health_snapshot_get_attribute(a, 4)->failing_now);
        assert_false(health_snapshot_get_attribute(a, 4)->prefailure);

        /* Without the thresholds libatasmart cannot judge thresholds. */
        blob = mfree(blob);
        assert_int_equal(ata_blob_build(sec.identify, -1, sec.data, NULL, &blob, &size), 0);
        assert_int_equal(ata_parse_blob(blob, size, "x", &b), 0);
        assert_int_equal(b->smart_status, SMART_STATUS_UNKNOWN);
        assert_false(health_snapshot_get_attribute(b, 4)->threshold_valid);

        assert_int_equal(ata_blob_build(NULL, 1, NULL, NULL, &blob, &size), -EINVAL);
        assert_int_equal(ata_parse_blob("IDFY", 4, "x", &b), -EBADMSG);
}

static void test_failing_blob(void **state) {
        Sections sec;
        _cleanup_free_ char *orig = NULL;
        _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
        size_t osize;

        /* The libatasmart example with SMART status "BAD" (skdump: "SMART
         * Disk Health Good: no", Overall Status: BAD_STATUS). */
        REQUIRE_SECTIONS(sec, "Maxtor_96147H8--BAC51KJ0--2", &orig, &osize);
        assert_int_equal(ata_parse_blob(orig, osize, "maxtor", &s), 0);
        assert_int_equal(s->smart_status, SMART_STATUS_FAILED);
        assert_string_equal(s->ata_overall, "BAD_STATUS");
        assert_int_equal(s->assessment, HEALTH_FAILING);
        assert_string_equal(s->reasons[0].source, "ata.smart_status");
}

typedef struct Collected {
        Ereport e[16];
        size_t n;
} Collected;

static void collect(const Ereport *e, void *userdata) {
        Collected *c = userdata;
        if (c->n < ELEMENTSOF(c->e))
                c->e[c->n++] = *e;
}

static void test_sat_live(void **state) {
        Sections sec;
        _cleanup_free_ char *orig = NULL;
        _cleanup_(health_snapshot_freep) HealthSnapshot *ref = NULL;
        size_t osize;

        REQUIRE_SECTIONS(sec, "ST9100821AS--3.CME", &orig, &osize);
        assert_int_equal(ata_parse_blob(orig, osize, "ref", &ref), 0);

        for (Mode m = MODE_DESCRIPTOR; m <= MODE_FAILING; m++) {
                SatDevice d = { .sec = &sec, .mode = m };
                ScsiTransport t = { .ops = &sat_ops, .userdata = &d };
                _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
                _cleanup_free_ uint8_t *blob = NULL;
                size_t size = 0;
                Collected c = {};

                assert_int_equal(ata_read_health(&t, "/dev/sda", &s, &blob, &size), 0);
                switch (m) {
                case MODE_DESCRIPTOR:
                case MODE_QEMU_FIXED:
                        /* The same drive, read live, is the capture. */
                        assert_int_equal(s->error, 0);
                        assert_int_equal(size, osize);
                        assert_memory_equal(blob, orig, size);
                        assert_int_equal(s->assessment, ref->assessment);
                        assert_int_equal(s->n_attributes, ref->n_attributes);
                        assert_int_equal(s->smart_status, SMART_STATUS_PASSED);
                        break;
                case MODE_STANDBY:
                        assert_true(s->skipped);
                        assert_int_equal(s->assessment, HEALTH_UNKNOWN);
                        assert_string_equal(s->error_text, "skipped: disk in standby");
                        assert_int_equal(d.smart_reads, 0); /* never woken */
                        break;
                case MODE_NO_SAT:
                        assert_int_equal(s->assessment, HEALTH_UNKNOWN);
                        assert_int_equal(s->error, -EOPNOTSUPP);
                        assert_non_null(strstr(s->error_text, "IDENTIFY DEVICE"));
                        break;
                case MODE_FAILING:
                        assert_int_equal(s->smart_status, SMART_STATUS_FAILED);
                        assert_int_equal(s->assessment, HEALTH_FAILING);
                        health_snapshot_emit(s, "sda", 1, collect, &c);
                        assert_true(c.n >= 1);
                        assert_int_equal(c.e[0].class, EREPORT_ATA_SMART_FAILING);
                        assert_string_equal(c.e[0].device, "sda");
                        break;
                }
        }
}

static void test_power_mode(void **state) {
        assert_int_equal(ata_power_mode_from_count(0x00), ATA_POWER_MODE_STANDBY);
        assert_int_equal(ata_power_mode_from_count(0x40), ATA_POWER_MODE_STANDBY);
        assert_int_equal(ata_power_mode_from_count(0x80), ATA_POWER_MODE_IDLE);
        assert_int_equal(ata_power_mode_from_count(0xff), ATA_POWER_MODE_ACTIVE);
        assert_int_equal(ata_power_mode_from_count(0x13), ATA_POWER_MODE_UNKNOWN);
        assert_string_equal(ata_power_mode_to_string(ATA_POWER_MODE_STANDBY), "standby");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_blob_build_roundtrip),
                cmocka_unit_test(test_failing_blob),
                cmocka_unit_test(test_sat_live),
                cmocka_unit_test(test_power_mode),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

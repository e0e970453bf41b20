/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SCSI driver: sense decoding, log/mode/VPD page parsers and the live read
 * over a replayed transport.  Data: sg3_utils' inhex files (scsi_debug
 * responses and sense examples, origin in ../shared/corpus/sg3_utils-inhex
 * and tests/fixtures/scsi/README.md); where no capture exists yet the bytes
 * are built here from the standard and say so.
 */

#include "test-helpers.h"
#include "hex-fixture.h"

#include "alloc-util.h"
#include "health-json.h"
#include "scsi/scsi-health.h"
#include "scsi/scsi-pages.h"
#include "scsi/scsi-sense.h"
#include "scsi/scsi-transport.h"

static char *inhex(const char *name) {
        const char *c = test_corpus_dir();
        char *p;

        if (!c)
                return NULL;
        assert_true(asprintf(&p, "%s/sg3_utils-inhex/%s", c, name) > 0);
        return p;
}

#define REQUIRE_INHEX(var, name)                                                                   \
        _cleanup_free_ char *var = inhex(name);                                                    \
        if (!var) {                                                                                \
                print_message("corpus not found: skipping\n");                                      \
                skip();                                                                            \
        }

static void test_sense_fixed(void **state) {
        REQUIRE_INHEX(p, "fixed_sense.hex");
        _cleanup_free_ uint8_t *b = NULL;
        ScsiSense s;
        size_t n;

        /* sg3_utils fixed_sense.hex: medium error 0x11/0x00 at LBA 0x1234. */
        b = hex_fixture_load(p, NULL, &n);
        assert_int_equal(scsi_sense_decode(b, n, &s), 0);
        assert_false(s.descriptor_format);
        assert_int_equal(s.sense_key, 0x3);
        assert_int_equal(s.asc, 0x11);
        assert_int_equal(s.ascq, 0x00);
        assert_true(s.info_valid);
        assert_int_equal(s.information, 0x1234);
        assert_int_equal(s.class, SCSI_SENSE_CLASS_MEDIUM_ERROR);
        assert_string_equal(s.asc_text, "Unrecovered read error");
        assert_int_equal(scsi_sense_to_errno(&s), -EIO);
        assert_int_equal(scsi_sense_to_ereport_class(&s), EREPORT_SCSI_SENSE_MEDIUM_ERROR);
        /* Every truncation decodes or is refused, never read past the end. */
        for (size_t l = 0; l < n; l++) {
                ScsiSense t;
                int r = scsi_sense_decode(b, l, &t);
                assert_true(r == 0 || r == -EBADMSG);
        }
}

static void test_sense_descriptor(void **state) {
        REQUIRE_INHEX(p, "descriptor_sense.hex");
        _cleanup_free_ uint8_t *b = NULL;
        ScsiSense s;
        size_t n;

        b = hex_fixture_load(p, NULL, &n);
        assert_int_equal(scsi_sense_decode(b, n, &s), 0);
        assert_true(s.descriptor_format);
        assert_int_equal(s.sense_key, 0x1);
        assert_int_equal(s.asc, 0x03);
        assert_int_equal(s.ascq, 0x02);
        assert_true(s.info_valid);
        assert_int_equal(s.information, 0x11223344556677bbULL);
        assert_int_equal(s.class, SCSI_SENSE_CLASS_RECOVERED);
        assert_int_equal(scsi_sense_to_errno(&s), 0);
        assert_int_equal(scsi_sense_to_ereport_class(&s), EREPORT_SCSI_SENSE_RECOVERED);
}

static void test_sense_classes(void **state) {
        /* Built per SPC-5 4.4.3 (fixed format): what scsi_debug returns for
         * REQUEST SENSE after the IE mode page got MRIE=6, TEST=1
         * (VMLAB.md): NO SENSE, 0x5d/0xff. */
        static const uint8_t pf[] = { 0x70, 0, 0x00, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x5d, 0xff, 0, 0, 0, 0 };
        static const uint8_t ua[] = { 0x70, 0, 0x06, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x2a, 0x01, 0, 0, 0, 0 };
        static const uint8_t nr[] = { 0x72, 0x02, 0x04, 0x02, 0, 0, 0, 0 };
        static const uint8_t garbage[] = { 0x12, 0x34, 0x56, 0x78 };
        ScsiSense s;

        assert_int_equal(scsi_sense_decode(pf, sizeof(pf), &s), 0);
        assert_int_equal(s.class, SCSI_SENSE_CLASS_PREDICTIVE_FAILURE);
        assert_int_equal(scsi_sense_to_ereport_class(&s), EREPORT_SCSI_PREDICTIVE_FAILURE);
        assert_int_equal(scsi_sense_to_errno(&s), 0);
        assert_int_equal(scsi_sense_decode(ua, sizeof(ua), &s), 0);
        assert_int_equal(s.class, SCSI_SENSE_CLASS_UNIT_ATTENTION);
        assert_int_equal(scsi_sense_to_errno(&s), -EAGAIN);
        assert_int_equal(scsi_sense_decode(nr, sizeof(nr), &s), 0);
        assert_int_equal(s.class, SCSI_SENSE_CLASS_NOT_READY);
        assert_int_equal(scsi_sense_to_errno(&s), -EBUSY);
        assert_int_equal(scsi_sense_decode(garbage, sizeof(garbage), &s), -EBADMSG);
        assert_int_equal(scsi_sense_decode(NULL, 0, &s), -EBADMSG);
        assert_string_equal(scsi_sense_class_to_string(SCSI_SENSE_CLASS_PREDICTIVE_FAILURE), "predictive_failure");
        assert_int_equal(scsi_sense_class_from_string("medium_error"), SCSI_SENSE_CLASS_MEDIUM_ERROR);
}

static void test_sense_ata_registers(void **state) {
        /* libata's ATA PASS-THROUGH replies (drivers/ata/libata-scsi.c,
         * ata_gen_passthru_sense()): descriptor format with the ATA Status
         * Return descriptor (D_SENSE=1), and fixed format with the
         * registers in INFORMATION/COMMAND-SPECIFIC (D_SENSE=0), here with
         * QEMU AHCI's status 0x58 (DRQ) that made libata say ILLEGAL
         * REQUEST 0x21/0x04 (VMLAB.md). */
        static const uint8_t desc[] = { 0x72, 0x01, 0x00, 0x1d, 0, 0, 0, 0x0e, 0x09, 0x0c, 0x00, 0x00, 0x00,
                                        0x01, 0x00, 0x00, 0x00, 0x4f, 0x00, 0xc2, 0x40, 0x50 };
        static const uint8_t fixed[] = { 0xf0, 0, 0x05, 0x00, 0x58, 0x40, 0x01, 0x0a, 0x00, 0x00, 0x4f, 0xc2,
                                         0x21, 0x04, 0, 0, 0, 0 };
        static const uint8_t fixed_novalid[] = { 0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x20, 0x00, 0, 0, 0, 0 };
        AtaRegisters r;

        assert_int_equal(scsi_sense_ata_registers(desc, sizeof(desc), &r), 0);
        assert_int_equal(r.status, 0x50);
        assert_int_equal(r.count, 0x01);
        assert_int_equal((r.lba >> 8) & 0xffff, 0xc24f);
        assert_int_equal(scsi_sense_ata_registers(fixed, sizeof(fixed), &r), 0);
        assert_int_equal(r.status, 0x58);
        assert_int_equal(r.error, 0x00);
        assert_int_equal(r.count, 0x01);
        assert_int_equal((r.lba >> 8) & 0xffff, 0xc24f);
        assert_int_equal(scsi_sense_ata_registers(fixed_novalid, sizeof(fixed_novalid), &r), -ENODATA);
        assert_int_equal(scsi_sense_ata_registers(desc, 12, &r), -ENODATA);
}

static void test_sense_ata_registers_truncated(void **state) {
        /* Found by tests/fuzz/fuzz-scsi-sense: descriptor sense whose
         * ATA Status Return descriptor (type 0x09) starts at the last byte
         * of the buffer.  Its length byte d[1] was read before the bounds
         * check (ASan: heap-buffer-overflow, 1 byte).  Heap copy of the
         * exact size so that ASan and valgrind see any overrun. */
        static const uint8_t input[] = { 0x73, 0x09, 0x09, 0x0d, 0x09, 0x09, 0x09, 0x09, 0x09 };
        _cleanup_free_ uint8_t *buf = malloc(sizeof(input));
        AtaRegisters r;

        assert_non_null(buf);
        memcpy(buf, input, sizeof(input));
        assert_int_equal(scsi_sense_ata_registers(buf, sizeof(input), &r), -ENODATA);
}

static void test_log_pages_scsi_debug(void **state) {
        REQUIRE_INHEX(p, "logs_sdeb_aa.hex");
        _cleanup_(health_snapshot_freep) HealthSnapshot *s = health_snapshot_new(HEALTH_PROTOCOL_SCSI, "sdx");
        _cleanup_free_ uint8_t *sup = NULL, *temp = NULL, *ie = NULL;
        uint8_t pages[SCSI_LOG_PAGES_MAX];
        size_t n1, n2, n3;

        /* sg_logs -A -HHHH of a scsi_debug disk. */
        sup = hex_fixture_load(p, "Supported log pages log page  [0x0]", &n1);
        temp = hex_fixture_load(p, "Temperature log page", &n2);
        ie = hex_fixture_load(p, "Informational exceptions log page", &n3);

        assert_int_equal(scsi_log_parse_supported(sup, n1, pages, ELEMENTSOF(pages)), 3);
        assert_int_equal(pages[0], 0x00);
        assert_int_equal(pages[1], 0x0d);
        assert_int_equal(pages[2], 0x2f);

        assert_int_equal(scsi_log_parse_page(temp, n2, s), 0);
        assert_int_equal(s->temperature_mkelvin, celsius_to_mkelvin(38));
        assert_int_equal(s->trip_temperature_mkelvin, celsius_to_mkelvin(65));
        assert_int_equal(scsi_log_parse_page(ie, n3, s), 0);
        assert_true(s->ie_present);
        assert_int_equal(s->ie_asc, 0);
        assert_int_equal(s->ie_ascq, 0);

        /* A parameter that runs past the page is malformed, named by offset. */
        temp[7] = 0x40;
        assert_int_equal(scsi_log_parse_page(temp, n2, s), -EBADMSG);
        for (size_t l = 0; l < n3; l++)
                (void) scsi_log_parse_page(ie, l, s);
}

static void test_log_pages_spec(void **state) {
        /* No capture yet (scsi_debug has no error counter, self-test or
         * background scan pages): built per SBC-4 6.4 / SPC-5 7.3. */
        static const uint8_t read_errors[] = {
                0x03, 0x00, 0x00, 0x2c,
                0x00, 0x00, 0x02, 0x04, 0x0a, 0x2c, 0xb4, 0x53, /* corrected fast: 170701907 */
                0x00, 0x01, 0x02, 0x04, 0x00, 0x00, 0x00, 0x00,
                0x00, 0x03, 0x02, 0x04, 0x0a, 0x2c, 0xb4, 0x53, /* total corrected */
                0x00, 0x05, 0x02, 0x08, 0, 0, 0, 0x14, 0xad, 0xc4, 0x6e, 0x00, /* bytes processed */
                0x00, 0x06, 0x02, 0x04, 0x00, 0x00, 0x00, 0x07, /* total uncorrected: 7 */
        };
        static const uint8_t self_test[] = {
                0x10, 0x00, 0x00, 0x3c,
                /* most recent: background long, failed in segment (5), LBA 0x1234 */
                0x00, 0x01, 0x03, 0x10, 0x45, 0x02, 0x00, 0x30, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x03, 0x11, 0x00, 0,
                /* older: passed */
                0x00, 0x02, 0x03, 0x10, 0x20, 0x00, 0x00, 0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0,
                /* oldest: failed, outdated by the pass above */
                0x00, 0x03, 0x03, 0x10, 0x47, 0x01, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0, 1, 0x03, 0x11, 0x00, 0,
        };
        static const uint8_t bms[] = {
                0x15, 0x00, 0x00, 0x2c,
                0x00, 0x00, 0x01, 0x0c, 0x00, 0x04, 0x47, 0x9c, 0x00, 0x04, 0x00, 0x11, 0x00, 0x00, 0x00, 0x03, /* 280476 min */
                0x00, 0x01, 0x03, 0x14, 0x00, 0x04, 0x47, 0x90, 0x23, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x00,
        };
        static const uint8_t start_stop[] = {
                0x0e, 0x00, 0x00, 0x10,
                0x00, 0x04, 0x03, 0x04, 0x00, 0x00, 0x04, 0x42, /* 1090 */
                0x00, 0x06, 0x03, 0x04, 0x00, 0x00, 0x04, 0x9d, /* 1181 */
        };
        _cleanup_(health_snapshot_freep) HealthSnapshot *s = health_snapshot_new(HEALTH_PROTOCOL_SCSI, "sdx");

        assert_int_equal(scsi_log_parse_page(read_errors, sizeof(read_errors), s), 0);
        assert_true(s->read_errors.present);
        assert_int_equal(s->read_errors.corrected_fast, 170701907);
        assert_int_equal(s->read_errors.total_uncorrected, 7);
        assert_int_equal(s->read_errors.bytes_processed, 0x14adc46e00ULL);
        assert_false(s->write_errors.present);
        assert_int_equal(scsi_log_parse_page(self_test, sizeof(self_test), s), 0);
        assert_int_equal(s->self_test_failures, 1);
        assert_int_equal(scsi_log_parse_page(bms, sizeof(bms), s), 0);
        assert_int_equal(s->power_on_hours, 280476 / 60);
        assert_int_equal(s->medium_scan_errors, 1);
        assert_int_equal(scsi_log_parse_page(start_stop, sizeof(start_stop), s), 0);
        assert_int_equal(s->start_stop_cycles, 1090);
        assert_int_equal(s->load_unload_cycles, 1181);

        s->ie_present = true;
        s->smart_status = SMART_STATUS_PASSED;
        assert_int_equal(health_assess(s), 0);
        assert_int_equal(s->assessment, HEALTH_WARNING); /* 7 uncorrected reads, 1 failed self-test */
        assert_int_equal(s->n_reasons, 2);
        assert_string_equal(s->reasons[0].source, "scsi.log.0x03");
        assert_int_equal(s->reasons[0].value, 7);
}

static void test_mode_iec(void **state) {
        REQUIRE_INHEX(p, "modes_sdeb.hex");
        _cleanup_(health_snapshot_freep) HealthSnapshot *s = health_snapshot_new(HEALTH_PROTOCOL_SCSI, "sdx");
        _cleanup_free_ uint8_t *b = NULL;
        size_t n;

        /* A whole MODE SENSE(10) response of scsi_debug (sg_modes -a). */
        b = hex_fixture_load(p, NULL, &n);
        assert_int_equal(n, 240);
        assert_int_equal(scsi_mode_parse_iec(b, n, s), 0);
        assert_true(s->ie_enabled_known);
        assert_false(s->ie_enabled); /* DEXCPT=1 by default */
        assert_int_equal(s->ie_mrie, 0);
        for (size_t l = 0; l < n; l++) {
                int r = scsi_mode_parse_iec(b, l, s);
                assert_true(r == 0 || r == -ENODATA || r == -EBADMSG);
        }
}

static void test_inquiry_vpd(void **state) {
        REQUIRE_INHEX(inq, "inq_standard.hex");
        _cleanup_free_ char *devid = inhex("vpd_dev_id.hex"), *sdeb = inhex("vpd_sdeb.hex");
        _cleanup_free_ uint8_t *a = NULL, *b = NULL, *c = NULL, *d = NULL;
        _cleanup_free_ char *wwn = NULL, *wwn2 = NULL, *serial = NULL;
        ScsiInquiry q;
        size_t n;

        a = hex_fixture_load(inq, NULL, &n);
        assert_int_equal(scsi_parse_inquiry(a, n, &q), 0);
        assert_int_equal(q.peripheral_type, 0);
        assert_string_equal(q.vendor, "Linux");
        assert_string_equal(q.product, "scsi_debug");
        assert_string_equal(q.revision, "0191");
        assert_int_equal(scsi_parse_inquiry(a, 35, &q), -EBADMSG);

        b = hex_fixture_load(devid, NULL, &n);
        assert_int_equal(scsi_parse_vpd_wwn(b, n, &wwn), 0);
        assert_string_equal(wwn, "0x5000c5003011cb2b");

        c = hex_fixture_load(sdeb, "Unit serial number", &n);
        assert_int_equal(scsi_parse_vpd_serial(c, n, &serial), 0);
        assert_string_equal(serial, "2000");
        d = hex_fixture_load(sdeb, "Device identification", &n);
        assert_int_equal(scsi_parse_vpd_wwn(d, n, &wwn2), 0);
        assert_string_equal(wwn2, "0x33333330000007d0");
        for (size_t l = 0; l < n; l++) {
                char *x = NULL;
                if (scsi_parse_vpd_wwn(d, l, &x) == 0)
                        free(x);
        }
}

/* A transport replaying recorded responses, looked up by opcode and page. */
typedef struct Reply {
        uint8_t opcode;
        int page; /* -1: any */
        uint8_t status;
        const uint8_t *data;
        size_t len;
        const uint8_t *sense;
        size_t sense_len;
} Reply;

typedef struct Replay {
        const Reply *replies;
        size_t n;
        unsigned calls;
        unsigned by_opcode[256]; /* commands seen, by opcode */
        unsigned attention;      /* answer this many commands with a unit attention first */
} Replay;

static int replay_execute(void *userdata, const uint8_t *cdb, size_t cdb_len, ScsiDirection dir, uint8_t *data,
                          size_t data_len, unsigned timeout_msec, ScsiResult *ret) {
        Replay *r = userdata;
        int page = cdb[0] == 0x12 ? ((cdb[1] & 1) ? cdb[2] : -2) : cdb[0] == 0x4d ? (cdb[2] & 0x3f)
                   : cdb[0] == 0x5a                                              ? (cdb[2] & 0x3f)
                                                                                  : -1;

        r->calls++;
        r->by_opcode[cdb[0]]++;
        if (r->attention > 0) {
                /* UNIT ATTENTION, mode parameters changed (SPC-5 6.39, 2a/01). */
                static const uint8_t ua[] = { 0x70, 0, 0x06, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x2a, 0x01, 0, 0, 0, 0 };
                r->attention--;
                *ret = (ScsiResult) { .status = SCSI_STATUS_CHECK_CONDITION, .sense_len = sizeof(ua) };
                memcpy(ret->sense, ua, sizeof(ua));
                return 0;
        }
        for (size_t i = 0; i < r->n; i++) {
                const Reply *p = &r->replies[i];

                if (p->opcode != cdb[0] || (p->page != -1 && p->page != page))
                        continue;
                *ret = (ScsiResult) { .status = p->status, .sense_len = p->sense_len };
                if (p->sense) /* memcpy() from NULL is undefined even for 0 bytes (UBSan) */
                        memcpy(ret->sense, p->sense, MIN(p->sense_len, sizeof(ret->sense)));
                if (data && p->data) {
                        ret->data_len = MIN(p->len, data_len);
                        memcpy(data, p->data, ret->data_len);
                }
                return 0;
        }
        /* Not recorded: ILLEGAL REQUEST, invalid field in CDB. */
        static const uint8_t ir[] = { 0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x24, 0x00, 0, 0, 0, 0 };
        *ret = (ScsiResult) { .status = SCSI_STATUS_CHECK_CONDITION, .sense_len = sizeof(ir) };
        memcpy(ret->sense, ir, sizeof(ir));
        return 0;
}

static const ScsiTransportOps replay_ops = { .execute = replay_execute };

typedef struct Collected {
        Ereport e[16];
        size_t n;
} Collected;

static void collect(const Ereport *e, void *userdata) {
        Collected *c = userdata;
        if (c->n < ELEMENTSOF(c->e))
                c->e[c->n++] = *e;
}

/* What a scsi_debug disk answers (sg3_utils' inhex captures of one):
 * INQUIRY, VPD 0x80, LOG SENSE 0x00/0x0d/0x2f, MODE SENSE 0x1c. */
typedef struct SdebPages {
        uint8_t *q, *sn, *sup, *temp, *ie, *mode;
        size_t nq, nsn, nsup, ntemp, nie, nmode;
} SdebPages;

static void sdeb_pages_free(SdebPages *p) {
        free(p->q);
        free(p->sn);
        free(p->sup);
        free(p->temp);
        free(p->ie);
        free(p->mode);
}

/* Return: false when the corpus is not there (the caller skips). */
static bool sdeb_pages_load(SdebPages *p) {
        _cleanup_free_ char *logs = inhex("logs_sdeb_aa.hex"), *inq = inhex("inq_standard.hex"),
                            *vpd = inhex("vpd_sdeb.hex"), *modes = inhex("modes_sdeb.hex");

        *p = (SdebPages) {};
        if (!logs)
                return false;
        p->q = hex_fixture_load(inq, NULL, &p->nq);
        p->sn = hex_fixture_load(vpd, "Unit serial number", &p->nsn);
        p->sup = hex_fixture_load(logs, "Supported log pages log page  [0x0]", &p->nsup);
        p->temp = hex_fixture_load(logs, "Temperature log page", &p->ntemp);
        p->ie = hex_fixture_load(logs, "Informational exceptions log page", &p->nie);
        p->mode = hex_fixture_load(modes, NULL, &p->nmode);
        return true;
}

/* The replies to a full read, REQUEST SENSE answering @rs (18 bytes). */
#define SDEB_REPLIES(pg, rs)                                                                       \
        { 0x12, -2, 0, (pg).q, (pg).nq, NULL, 0 }, { 0x12, 0x80, 0, (pg).sn, (pg).nsn, NULL, 0 },     \
        { 0x00, -1, 0, NULL, 0, NULL, 0 }, { 0x4d, 0x00, 0, (pg).sup, (pg).nsup, NULL, 0 },           \
        { 0x4d, 0x0d, 0, (pg).temp, (pg).ntemp, NULL, 0 }, { 0x4d, 0x2f, 0, (pg).ie, (pg).nie, NULL, 0 }, \
        { 0x5a, 0x1c, 0, (pg).mode, (pg).nmode, NULL, 0 }, { 0x03, -1, 0, (rs), 18, NULL, 0 }

#define REQUIRE_SDEB_PAGES(var)                                                                    \
        _cleanup_(sdeb_pages_free) SdebPages var;                                                  \
        if (!sdeb_pages_load(&var)) {                                                              \
                print_message("corpus not found: skipping\n");                                      \
                skip();                                                                            \
        }

static void test_read_health_scsi_debug(void **state) {
        REQUIRE_SDEB_PAGES(pg);
        static const uint8_t pf_sense[] = { 0x70, 0, 0x00, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x5d, 0xff, 0, 0, 0, 0 };
        static const uint8_t no_sense[] = { 0x70, 0, 0x00, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x00, 0x00, 0, 0, 0, 0 };


        for (int pass = 0; pass < 2; pass++) {
                /* pass 1: MRIE 6 predictive failure, reported by REQUEST SENSE. */
                const Reply replies[] = {
                        SDEB_REPLIES(pg, pass ? pf_sense : no_sense),
                };
                Replay rp = { replies, ELEMENTSOF(replies) };
                ScsiTransport t = { .ops = &replay_ops, .userdata = &rp };
                _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
                Collected c = {};

                assert_int_equal(scsi_read_health(&t, "sdb", NULL, 1000, collect, &c, &s), 0);
                assert_int_equal(s->error, 0);
                assert_string_equal(s->model, "Linux scsi_debug");
                assert_string_equal(s->serial, "2000");
                assert_string_equal(s->firmware, "0191");
                assert_int_equal(s->temperature_mkelvin, celsius_to_mkelvin(38));
                if (pass == 0) {
                        assert_int_equal(s->assessment, HEALTH_OK);
                        assert_int_equal(s->smart_status, SMART_STATUS_PASSED);
                        assert_int_equal(c.n, 0);
                } else {
                        bool seen = false;
                        assert_int_equal(s->assessment, HEALTH_FAILING);
                        assert_int_equal(s->smart_status, SMART_STATUS_FAILED);
                        assert_int_equal(s->ie_asc, 0x5d);
                        for (size_t i = 0; i < c.n; i++)
                                seen = seen || c.e[i].class == EREPORT_SCSI_PREDICTIVE_FAILURE;
                        assert_true(seen);
                }
        }
}

/* A read with the identity and supported pages kept from the first one
 * sends only what can change, and gives the same snapshot; a unit
 * attention on the way makes it read everything again. */
static void test_read_health_cached(void **state) {
        REQUIRE_SDEB_PAGES(pg);
        static const uint8_t no_sense[] = { 0x70, 0, 0x00, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x00, 0x00, 0, 0, 0, 0 };
        ScsiHealthCache cache = {};
        _cleanup_free_ char *first = NULL;

        const Reply replies[] = {
                SDEB_REPLIES(pg, no_sense),
        };

        for (int pass = 0; pass < 3; pass++) {
                /* pass 0: cold; 1: cached; 2: cached, a unit attention first. */
                Replay rp = { replies, ELEMENTSOF(replies), .attention = pass == 2 };
                ScsiTransport t = { .ops = &replay_ops, .userdata = &rp };
                _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
                json_object *o;
                Collected c = {};

                ScsiHealthCache before = cache;

                assert_int_equal(scsi_read_health(&t, "sdb", &cache, 1000, collect, &c, &s), 0);
                assert_int_equal(s->error, 0);
                assert_true(cache.valid);
                /* The first read fills the cache; later ones, steady or
                 * read again whole after the attention, leave what it
                 * holds as it was (the worker then tells the daemon its
                 * copy is right). */
                assert_int_equal(scsi_health_cache_equal(&before, &cache), pass > 0);
                assert_int_equal(cache.n_pages, 2); /* 0x0d, 0x2f of scsi_debug's 0x00, 0x0d, 0x2f */
                o = health_snapshot_to_json(s);
                assert_non_null(o);
                if (pass == 0) {
                        assert_int_equal(rp.by_opcode[0x12], 2);
                        assert_int_equal(rp.calls, 8);
                        first = strdup(json_object_to_json_string(o));
                } else {
                        assert_string_equal(json_object_to_json_string(o), first);
                        if (pass == 1) {
                                /* LOG SENSE 0x2f only: it holds the
                                 * temperature 0x0d gave (38 C) and the
                                 * condition REQUEST SENSE would; the
                                 * reference temperature (65 C) is kept. */
                                assert_int_equal(rp.calls, 1);
                                assert_int_equal(rp.by_opcode[0x12], 0);
                                assert_int_equal(rp.by_opcode[0x5a], 0);
                                assert_int_equal(rp.by_opcode[0x00], 0);
                                assert_int_equal(rp.by_opcode[0x03], 0);
                                assert_int_equal(rp.by_opcode[0x4d], 1);
                                assert_int_equal(s->temperature_mkelvin, celsius_to_mkelvin(38));
                                assert_int_equal(s->trip_temperature_mkelvin, celsius_to_mkelvin(65));
                        } else {
                                /* The attention, then the whole read again. */
                                assert_int_equal(rp.by_opcode[0x12], 2);
                                assert_int_equal(rp.calls, 1 + 8);
                                assert_int_equal(c.n, 1);
                                assert_int_equal(c.e[0].class, EREPORT_SCSI_SENSE_UNIT_ATTENTION);
                        }
                }
                json_object_put(o);
        }
}

/* A steady read of a disk whose IE page reports another temperature than
 * its temperature page still reads the temperature page; and a
 * predictive failure the IE page reports (MRIE 6, so no unit attention)
 * is seen without REQUEST SENSE. */
static void test_read_health_cached_ie(void **state) {
        REQUIRE_SDEB_PAGES(pg);
        static const uint8_t no_sense[] = { 0x70, 0, 0x00, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x00, 0x00, 0, 0, 0, 0 };
        ScsiHealthCache cache = {};

        /* scsi_debug's IE page: header, parameter 0000h (4 bytes), ASC,
         * ASCQ, temperature. */
        uint8_t *ie = pg.ie;

        assert_true(pg.nie >= 11);
        assert_int_equal(ie[10], 38);

        for (int pass = 0; pass < 4; pass++) {
                /* 0: cold, IE says 40 C; 1: steady, so 0x0d is read too;
                 * 2: cold again (38 C both); 3: steady, IE says 0x5d/0xff. */
                const Reply replies[] = {
                        SDEB_REPLIES(pg, no_sense),
                };
                Replay rp = { replies, ELEMENTSOF(replies) };
                ScsiTransport t = { .ops = &replay_ops, .userdata = &rp };
                _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
                Collected c = {};

                ie[10] = pass < 2 ? 40 : 38;
                if (pass == 2)
                        cache = (ScsiHealthCache) {};
                if (pass == 3) {
                        ie[8] = 0x5d;
                        ie[9] = 0xff;
                }
                assert_int_equal(scsi_read_health(&t, "sdb", &cache, 1000, collect, &c, &s), 0);
                assert_int_equal(s->error, 0);
                switch (pass) {
                case 0:
                case 2:
                        assert_int_equal(rp.calls, 8);
                        assert_int_equal(cache.temperature_in_ie, pass == 2);
                        break;
                case 1:
                        assert_int_equal(rp.calls, 2); /* LOG SENSE 0x0d and 0x2f */
                        assert_int_equal(rp.by_opcode[0x03], 0);
                        assert_int_equal(s->temperature_mkelvin, celsius_to_mkelvin(38)); /* the temperature page's */
                        break;
                case 3: {
                        bool seen = false;

                        assert_int_equal(rp.calls, 1);
                        assert_int_equal(s->assessment, HEALTH_FAILING);
                        assert_int_equal(s->ie_asc, 0x5d);
                        for (size_t i = 0; i < c.n; i++)
                                if (c.e[i].class == EREPORT_SCSI_PREDICTIVE_FAILURE) {
                                        seen = true;
                                        /* Named as T10 names it, for the incident's reader. */
                                        assert_string_equal(c.e[i].raw, "informational exception asc 0x5d ascq 0xff: "
                                                                        "Failure prediction threshold exceeded (false)");
                                }
                        assert_true(seen);
                        break;
                }
                }
        }
}

/* A log page longer than the first LOG SENSE's 4 KiB is read again at its
 * own length: the parameter at its end (here the informational exception,
 * SPC-5 7.3.8) is not lost. */
static void test_read_health_long_page(void **state) {
        static const uint8_t inq[36] = { 0x00, 0, 0x06, 0x02, 31, 0, 0, 0, 'V', 'E', 'N', 'D', 'O', 'R', ' ', ' ',
                                         'P', 'R', 'O', 'D', 'U', 'C', 'T', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
                                         '0', '0', '0', '1' };
        static const uint8_t sup[] = { 0x00, 0x00, 0x00, 0x02, 0x00, 0x2f };
        static const uint8_t no_sense[] = { 0x70, 0, 0x00, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x00, 0x00, 0, 0, 0, 0 };
        _cleanup_free_ uint8_t *ie = NULL;
        size_t len = 4, n_filler = 0;

        /* Vendor parameters (0x8000 + i, 248 bytes each) past 4 KiB, then
         * parameter 0: ASC 0x5d (failure prediction), 42 degrees. */
        ie = calloc(1, 8192);
        assert_non_null(ie);
        while (len < 5000) {
                uint16_t code = (uint16_t) (0x8000 + n_filler++);
                ie[len] = (uint8_t) (code >> 8);
                ie[len + 1] = (uint8_t) code;
                ie[len + 2] = 0x03;
                ie[len + 3] = 248;
                len += 4 + 248;
        }
        ie[len + 2] = 0x03;
        ie[len + 3] = 3;
        ie[len + 4] = 0x5d;
        ie[len + 5] = 0x10;
        ie[len + 6] = 42;
        len += 7;
        ie[0] = 0x2f;
        ie[2] = (uint8_t) ((len - 4) >> 8);
        ie[3] = (uint8_t) (len - 4);
        const Reply replies[] = {
                { 0x12, -2, 0, inq, sizeof(inq), NULL, 0 },
                { 0x00, -1, 0, NULL, 0, NULL, 0 },
                { 0x4d, 0x00, 0, sup, sizeof(sup), NULL, 0 },
                { 0x4d, 0x2f, 0, ie, len, NULL, 0 },
                { 0x03, -1, 0, no_sense, sizeof(no_sense), NULL, 0 },
        };
        Replay rp = { replies, ELEMENTSOF(replies) };
        ScsiTransport t = { .ops = &replay_ops, .userdata = &rp };
        _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;

        assert_true(len > 4096);
        assert_int_equal(scsi_read_health(&t, "sdl", NULL, 0, NULL, NULL, &s), 0);
        assert_int_equal(s->error, 0);
        assert_true(s->ie_present);
        assert_int_equal(s->ie_asc, 0x5d);
        assert_int_equal(s->ie_ascq, 0x10);
        assert_int_equal(s->temperature_mkelvin, celsius_to_mkelvin(42));
        assert_int_equal(s->assessment, HEALTH_FAILING);
        /* LOG SENSE 0x00, 0x2f at 4 KiB, 0x2f again at its length. */
        assert_int_equal(rp.by_opcode[0x4d], 3);
}

static void test_read_health_unreadable(void **state) {
        /* A device that answers nothing (every command ILLEGAL REQUEST):
         * unknown with the error, never ok. */
        Replay rp = { NULL, 0 };
        ScsiTransport t = { .ops = &replay_ops, .userdata = &rp };
        _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;

        assert_int_equal(scsi_read_health(&t, "sdz", NULL, 0, NULL, NULL, &s), 0);
        assert_int_equal(s->assessment, HEALTH_UNKNOWN);
        assert_int_equal(s->error, -EOPNOTSUPP);
        assert_non_null(strstr(s->error_text, "INQUIRY"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sense_fixed),
                cmocka_unit_test(test_sense_descriptor),
                cmocka_unit_test(test_sense_classes),
                cmocka_unit_test(test_sense_ata_registers),
                cmocka_unit_test(test_sense_ata_registers_truncated),
                cmocka_unit_test(test_log_pages_scsi_debug),
                cmocka_unit_test(test_log_pages_spec),
                cmocka_unit_test(test_mode_iec),
                cmocka_unit_test(test_inquiry_vpd),
                cmocka_unit_test(test_read_health_scsi_debug),
                cmocka_unit_test(test_read_health_cached),
                cmocka_unit_test(test_read_health_cached_ie),
                cmocka_unit_test(test_read_health_long_page),
                cmocka_unit_test(test_read_health_unreadable),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

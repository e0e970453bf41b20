/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * NVMe driver: log page parsers and the live path over replayed ops.
 * No raw NVMe log capture exists yet (the VM lab will capture QEMU's, see
 * tests/fixtures/nvme/README.md); the SMART log here carries the values a
 * real Samsung MZWLL3T2HAJQ reported to smartctl (smartctl_exporter
 * testdata, volatile memory backup failed) laid out per NVMe Base 2.0
 * Figure 207, built with libnvme's struct.
 */

#include <endian.h>
#include <nvme/types.h>

#include "test-helpers.h"

#include "alloc-util.h"
#include "nvme/nvme-health.h"

static void put_le128(uint8_t v[16], uint64_t x) {
        memset(v, 0, 16);
        for (int i = 0; i < 8; i++)
                v[i] = (uint8_t) (x >> (8 * i));
}

static struct nvme_smart_log samsung_log(void) {
        struct nvme_smart_log l = {};

        l.critical_warning = 0x10;
        l.temperature[0] = (uint8_t) (313 & 0xff); /* 40 C in Kelvin */
        l.temperature[1] = (uint8_t) (313 >> 8);
        l.avail_spare = 100;
        l.spare_thresh = 10;
        l.percent_used = 0;
        put_le128(l.power_cycles, 6);
        put_le128(l.power_on_hours, 18376);
        put_le128(l.unsafe_shutdowns, 4);
        put_le128(l.media_errors, 0);
        put_le128(l.num_err_log_entries, 0);
        return l;
}

static void test_smart_log(void **state) {
        _cleanup_(health_snapshot_freep) HealthSnapshot *s = health_snapshot_new(HEALTH_PROTOCOL_NVME, "nvme0");
        struct nvme_smart_log l = samsung_log();

        assert_int_equal(nvme_parse_smart_log((uint8_t *) &l, sizeof(l), s), 0);
        assert_int_equal(s->critical_warning, 0x10);
        assert_int_equal(s->temperature_mkelvin, 313000);
        assert_int_equal(s->power_on_hours, 18376);
        assert_int_equal(s->unsafe_shutdowns, 4);
        assert_int_equal(s->smart_status, SMART_STATUS_FAILED);
        assert_int_equal(health_assess(s), 0);
        assert_int_equal(s->assessment, HEALTH_FAILING);
        assert_string_equal(s->reasons[0].source, "nvme.critical_warning.volatile_backup");
        assert_int_equal(nvme_parse_smart_log((uint8_t *) &l, sizeof(l) - 1, s), -EBADMSG);

        /* Read-only media is a failed device; 128-bit counters saturate. */
        l.critical_warning = 0x08;
        l.media_errors[9] = 1;
        assert_int_equal(nvme_parse_smart_log((uint8_t *) &l, sizeof(l), s), 0);
        assert_int_equal(s->media_errors, UINT64_MAX - 1);
        assert_int_equal(health_assess(s), 0);
        assert_int_equal(s->assessment, HEALTH_FAILED);
}

/* The SMART / Health log page of QEMU 7.2's emulated NVMe controller read
 * by nvme-cli in the VM lab (tests/fixtures/nvme/README.md), before and
 * after the host set critical warning 0x04 over QMP. */
static uint8_t *read_fixture(const char *name, size_t *ret_size) {
        _cleanup_free_ char *p = NULL;
        uint8_t *buf = malloc(8192);
        FILE *f;

        assert_non_null(buf);
        assert_true(asprintf(&p, TOP_SRCDIR "/tests/fixtures/nvme/%s", name) > 0);
        f = fopen(p, "re");
        if (!f)
                fail_msg("cannot open fixture '%s'", p);
        *ret_size = fread(buf, 1, 8192, f);
        fclose(f);
        return buf;
}

static void test_qemu_smart_log(void **state) {
        _cleanup_(health_snapshot_freep) HealthSnapshot *ok = health_snapshot_new(HEALTH_PROTOCOL_NVME, "nvme0");
        _cleanup_(health_snapshot_freep) HealthSnapshot *cw = health_snapshot_new(HEALTH_PROTOCOL_NVME, "nvme0");
        _cleanup_free_ uint8_t *a = NULL, *b = NULL;
        size_t na, nb;

        a = read_fixture("qemu-nvme--smart-log-cw0.bin", &na);
        b = read_fixture("qemu-nvme--smart-log-cw4.bin", &nb);
        assert_int_equal(na, 512);
        assert_int_equal(nb, 512);

        assert_int_equal(nvme_parse_smart_log(a, na, ok), 0);
        assert_int_equal(ok->critical_warning, 0);
        assert_true(ok->temperature_mkelvin > 0);
        assert_int_equal(health_assess(ok), 0);
        assert_int_equal(ok->assessment, HEALTH_OK);

        assert_int_equal(nvme_parse_smart_log(b, nb, cw), 0);
        assert_int_equal(cw->critical_warning, 0x04);
        assert_int_equal(health_assess(cw), 0);
        assert_true(health_assessment_rank(cw->assessment) > health_assessment_rank(HEALTH_OK));
        assert_true(cw->n_reasons >= 1);
        assert_non_null(strstr(cw->reasons[0].source, "nvme.critical_warning."));
}

static void test_fw_and_error_log(void **state) {
        _cleanup_(health_snapshot_freep) HealthSnapshot *s = health_snapshot_new(HEALTH_PROTOCOL_NVME, "nvme0");
        struct nvme_firmware_slot fw = {};
        struct nvme_error_log_page e[4] = {};

        fw.afi = 0x02;
        memcpy(fw.frs[0], "1.0     ", 8);
        memcpy(fw.frs[1], "8.0.0   ", 8);
        assert_int_equal(nvme_parse_fw_slot_log((uint8_t *) &fw, sizeof(fw), s), 0);
        assert_string_equal(s->active_firmware, "8.0.0");
        fw.afi = 0;
        assert_int_equal(nvme_parse_fw_slot_log((uint8_t *) &fw, sizeof(fw), s), -EBADMSG);

        e[0].error_count = htole64(7);
        e[0].status_field = htole16(0x4281);
        e[0].lba = htole64(4660);
        e[2].error_count = htole64(5);
        assert_int_equal(nvme_parse_error_log((uint8_t *) e, sizeof(e), s), 2);
        assert_int_equal(s->error_entries[0].error_count, 7);
        assert_int_equal(s->error_entries[0].lba, 4660);
        assert_int_equal(s->error_entries[1].error_count, 5);
        assert_int_equal(nvme_parse_error_log((uint8_t *) e, 63, s), -EBADMSG);
}

typedef struct Fake {
        struct nvme_smart_log log;
        int fail;
} Fake;

static int fake_get_log(void *userdata, uint8_t lid, uint32_t nsid, void *buf, size_t len) {
        Fake *f = userdata;

        if (f->fail)
                return f->fail;
        if (lid != NVME_LOG_SMART)
                return -EINVAL; /* "invalid log page" */
        assert_int_equal(len, sizeof(f->log));
        memcpy(buf, &f->log, len);
        return 0;
}

static const NvmeOps fake_ops = { .get_log = fake_get_log };

typedef struct Collected {
        Ereport e[8];
        size_t n;
} Collected;

static void collect(const Ereport *e, void *userdata) {
        Collected *c = userdata;
        if (c->n < ELEMENTSOF(c->e))
                c->e[c->n++] = *e;
}

static void test_read_health(void **state) {
        Fake f = { .log = samsung_log() };
        _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL, *u = NULL;
        Collected c = {};

        assert_int_equal(nvme_read_health(&fake_ops, &f, "/dev/nvme0n1", 5, collect, &c, &s), 0);
        assert_int_equal(s->assessment, HEALTH_FAILING);
        assert_int_equal(c.n, 2);
        assert_int_equal(c.e[0].class, EREPORT_NVME_CRITICAL_WARNING);
        assert_int_equal(c.e[0].value, 0x10);
        assert_int_equal(c.e[1].class, EREPORT_HEALTH_FAILING);

        f.fail = -EACCES;
        assert_int_equal(nvme_read_health(&fake_ops, &f, "/dev/nvme0n1", 5, NULL, NULL, &u), 0);
        assert_int_equal(u->assessment, HEALTH_UNKNOWN);
        assert_int_equal(u->error, -EACCES);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_smart_log),
                cmocka_unit_test(test_qemu_smart_log),
                cmocka_unit_test(test_fw_and_error_log),
                cmocka_unit_test(test_read_health),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

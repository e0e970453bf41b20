/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The health parsers on data captured from real kernels' devices in the VM
 * lab (tests/vmlab/scenarios/20-capture-health.sh; origins in
 * tests/fixtures/{ata,scsi,nvme}/README.md and in each file's header):
 * QEMU's AHCI disk's SMART blob, scsi_debug's pages healthy and with a
 * predictive failure, QEMU's NVMe SMART log with critical warnings set
 * over QMP.
 */

#include "test-helpers.h"
#include "hex-fixture.h"

#include "alloc-util.h"
#include "health-read.h"
#include "nvme/nvme-health.h"
#include "scsi/scsi-pages.h"
#include "scsi/scsi-sense.h"

#define FIX TOP_SRCDIR "/tests/fixtures/"

static void test_ahci_blob(void **state) {
        _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
        HealthParseError e = {};

        /* skdump --save of QEMU 7.2's ide-hd on ICH9 AHCI (model, serial and
         * firmware set by the lab). */
        assert_int_equal(health_read_file(FIX "ata/WDC_WD20EFRX-68EUZN0--82.00A82", &s, &e), 0);
        assert_string_equal(s->model, "WDC WD20EFRX-68EUZN0");
        assert_string_equal(s->serial, "WD-WCC4M0000001");
        assert_string_equal(s->firmware, "82.00A82");
        assert_int_equal(s->smart_status, SMART_STATUS_PASSED);
        assert_true(s->n_attributes > 0);
        assert_int_equal(health_assess(s), 0);
        assert_int_equal(s->assessment, HEALTH_OK);
}

static void test_scsi_debug_pages(void **state) {
        _cleanup_(health_snapshot_freep) HealthSnapshot *ok = health_snapshot_new(HEALTH_PROTOCOL_SCSI, "sdg");
        _cleanup_(health_snapshot_freep) HealthSnapshot *pf = health_snapshot_new(HEALTH_PROTOCOL_SCSI, "sdg");
        _cleanup_free_ uint8_t *a = NULL, *b = NULL, *sense = NULL, *desc = NULL;
        size_t na, nb, ns, nd;
        ScsiSense decoded;

        a = hex_fixture_load(FIX "scsi/sdeb-log-0x2f.hex", NULL, &na);
        b = hex_fixture_load(FIX "scsi/sdeb-pf-log-0x2f.hex", NULL, &nb);
        assert_int_equal(scsi_log_parse_page(a, na, ok), 0);
        assert_int_equal(scsi_log_parse_page(b, nb, pf), 0);
        assert_true(ok->ie_present);
        assert_int_equal(ok->ie_asc, 0x00);
        assert_true(pf->ie_present);
        assert_int_equal(pf->ie_asc, 0x5d);
        assert_int_equal(pf->ie_ascq, 0xff);
        assert_int_equal(health_assess(ok), 0);
        assert_int_equal(health_assess(pf), 0);
        assert_true(health_assessment_rank(pf->assessment) > health_assessment_rank(ok->assessment));

        /* REQUEST SENSE with MRIE=6, fixed and descriptor format: the same
         * predictive failure either way. */
        sense = hex_fixture_load(FIX "scsi/sdeb-pf-request-sense.hex", NULL, &ns);
        desc = hex_fixture_load(FIX "scsi/sdeb-pf-request-sense-desc.hex", NULL, &nd);
        assert_int_equal(scsi_sense_decode(sense, ns, &decoded), 0);
        assert_int_equal(decoded.class, SCSI_SENSE_CLASS_PREDICTIVE_FAILURE);
        assert_int_equal(decoded.asc, 0x5d);
        assert_int_equal(scsi_sense_decode(desc, nd, &decoded), 0);
        assert_int_equal(decoded.class, SCSI_SENSE_CLASS_PREDICTIVE_FAILURE);
}

static void test_qemu_nvme_warnings(void **state) {
        static const struct {
                const char *file;
                uint64_t bits;
                HealthAssessment at_least;
        } cases[] = {
                { "nvme/qemu-smart-log.hex", 0, HEALTH_OK },
                { "nvme/qemu-smart-log-cw1.hex", 1, HEALTH_WARNING },  /* spare below threshold */
                { "nvme/qemu-smart-log-cw4.hex", 4, HEALTH_FAILING },  /* reliability degraded */
                { "nvme/qemu-smart-log-cw8.hex", 8, HEALTH_FAILED },   /* read-only */
        };

        for (size_t k = 0; k < ELEMENTSOF(cases); k++) {
                _cleanup_(health_snapshot_freep) HealthSnapshot *s = health_snapshot_new(HEALTH_PROTOCOL_NVME, "nvme0");
                _cleanup_free_ uint8_t *buf = NULL;
                _cleanup_free_ char *p = NULL;
                size_t n;

                assert_true(asprintf(&p, FIX "%s", cases[k].file) > 0);
                buf = hex_fixture_load(p, NULL, &n);
                assert_int_equal(n, 512);
                assert_int_equal(nvme_parse_smart_log(buf, n, s), 0);
                assert_int_equal(s->critical_warning, cases[k].bits);
                assert_int_equal(health_assess(s), 0);
                if (cases[k].bits == 0)
                        assert_int_equal(s->assessment, HEALTH_OK);
                else
                        assert_true(health_assessment_rank(s->assessment) >= health_assessment_rank(cases[k].at_least));
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ahci_blob),
                cmocka_unit_test(test_scsi_debug_pages),
                cmocka_unit_test(test_qemu_nvme_warnings),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

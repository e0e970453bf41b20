/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Configuration item identity: WWN normalisation, stable ids, md roles. */

#include "test-helpers.h"

#include "alloc-util.h"
#include "ci.h"

static void test_wwn_normalize(void **state) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL;
        char *x = NULL;

        /* sysfs device/wwid (SCSI VPD 0x83 NAA) and udev ID_WWN_WITH_EXTENSION
         * name the same disk: they must give the same WWN. */
        assert_int_equal(wwn_normalize("naa.5000C500A1B2C3D4", &a), 0);
        assert_int_equal(wwn_normalize("0x5000c500a1b2c3d4", &b), 0);
        assert_string_equal(a, "0x5000c500a1b2c3d4");
        assert_string_equal(a, b);
        /* NVMe namespace wwid as the kernel prints it. */
        assert_int_equal(wwn_normalize("eui.0025388B71B0E3F1\n", &c), 0);
        assert_string_equal(c, "eui.0025388b71b0e3f1");
        assert_int_equal(wwn_normalize("nvme.1b36-4e564d65303031-51454d55204e564d65204374726c-00000001", &d), 0);
        /* T10 vendor ids are not world-wide names (libata without a WWN). */
        assert_int_equal(wwn_normalize("t10.ATA     QEMU HARDDISK                           QM00001", &x), -EINVAL);
        assert_int_equal(wwn_normalize("naa.50zz", &x), -EINVAL);
        assert_int_equal(wwn_normalize("", &x), -EINVAL);
        assert_int_equal(wwn_normalize(NULL, &x), -EINVAL);
        assert_null(x);
}

static void test_disk_id(void **state) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;

        assert_int_equal(ci_make_disk_id("0x5000c500a1b2c3d4", "ST4000NM", "Z1Z0", "pci-0000:00:1f.2-ata-1", &a), 0);
        assert_string_equal(a, "wwn-0x5000c500a1b2c3d4");
        assert_int_equal(ci_make_disk_id(NULL, "QEMU HARDDISK", "QM00001", "pci-0000:00:1f.2-ata-1", &b), 0);
        assert_string_equal(b, "serial-QEMU_HARDDISK_QM00001");
        assert_int_equal(ci_make_disk_id(NULL, NULL, NULL, "pci-0000:00:02.0/virtio1", &c), 0);
        assert_string_equal(c, "path-pci-0000:00:02.0_virtio1");
        assert_int_equal(ci_make_disk_id(NULL, "M", NULL, NULL, &c), -EINVAL);
}

static void test_path_id(void **state) {
        _cleanup_(ci_freep) Ci *c = ci_new(CI_DISK);

        c->id = strdup("wwn-0x3333333000000000");
        c->by_path = strdup("scsi-0:0:0:0");
        assert_int_equal(ci_make_path_id(c), 1);
        assert_string_equal(c->id, "wwn-0x3333333000000000@scsi-0:0:0:0");
        assert_string_equal(c->lun_id, "wwn-0x3333333000000000");
        assert_int_equal(ci_make_path_id(c), 0);
}

static void test_member_roles(void **state) {
        /* md.rst, dev-XXX/state */
        assert_int_equal(member_role_from_md_state("in_sync", 0), MEMBER_ROLE_ACTIVE);
        assert_int_equal(member_role_from_md_state("faulty", 1), MEMBER_ROLE_FAULTY);
        assert_int_equal(member_role_from_md_state("in_sync,write_mostly", 1), MEMBER_ROLE_ACTIVE);
        assert_int_equal(member_role_from_md_state("faulty,write_error", -1), MEMBER_ROLE_FAULTY);
        assert_int_equal(member_role_from_md_state("spare", -1), MEMBER_ROLE_SPARE);
        assert_int_equal(member_role_from_md_state("spare", 1), MEMBER_ROLE_REBUILDING);
        assert_int_equal(member_role_from_md_state("", 0), MEMBER_ROLE_UNKNOWN);
        assert_int_equal(member_role_from_md_state(NULL, 0), MEMBER_ROLE_UNKNOWN);
}

/* The values as md's sysfs files hold them (newline-terminated; the member
 * state of a failed write-mostly member as md.rst documents it). */
static void test_md_values(void **state) {
        _cleanup_(ci_freep) Ci *c = ci_new(CI_ARRAY);
        ArrayMember m = { .slot = -1 }, spare = { .slot = -1 };

        assert_non_null(c);
        assert_int_equal(ci_set_md_values(c, &(MdArrayValues) { .level = "raid1\n", .array_state = " clean\n",
                                                                .sync_action = "idle\n", .raid_disks = "2\n",
                                                                .degraded = "1\n", .size = "2097152\n" }),
                         0);
        assert_string_equal(c->level, "raid1");
        assert_string_equal(c->array_state, "clean");
        assert_string_equal(c->sync_action, "idle");
        assert_int_equal(c->raid_disks, 2);
        assert_int_equal(c->degraded, 1);
        assert_int_equal(c->capacity_bytes, 2097152ULL * 512);

        assert_int_equal(array_member_set_md_values(&m, "faulty,write_mostly\n", "1\n", "17\n"), 0);
        assert_string_equal(m.state, "faulty,write_mostly");
        assert_int_equal(m.slot, 1);
        assert_int_equal(m.errors, 17);
        assert_int_equal(m.role, MEMBER_ROLE_FAULTY);
        free(m.state);

        assert_int_equal(array_member_set_md_values(&spare, "spare\n", "none\n", NULL), 0);
        assert_int_equal(spare.slot, -1);
        assert_int_equal(spare.role, MEMBER_ROLE_SPARE);
        free(spare.state);
}

/* Garbage and overflow leave the values unset instead of wrapping. */
static void test_md_values_bad(void **state) {
        _cleanup_(ci_freep) Ci *c = ci_new(CI_ARRAY);
        ArrayMember m = { .slot = -1 };

        assert_non_null(c);
        assert_int_equal(ci_set_md_values(c, &(MdArrayValues) { .level = "   \n", .raid_disks = "-1",
                                                                .degraded = "x", .size = "36028797018963968" }),
                         0);
        assert_null(c->level);
        assert_int_equal(c->raid_disks, 0);
        assert_int_equal(c->degraded, 0);
        assert_int_equal(c->capacity_bytes, 0);
        assert_int_equal(array_member_set_md_values(&m, "", "99999999999", "-3"), 0);
        assert_null(m.state);
        assert_int_equal(m.slot, -1);
        assert_int_equal(m.errors, 0);
        assert_int_equal(m.role, MEMBER_ROLE_UNKNOWN);
}

static void test_same_contents(void **state) {
        _cleanup_(ci_freep) Ci *a = ci_new(CI_DISK), *b = ci_new(CI_DISK);

        a->firmware = strdup("2.5+");
        b->firmware = strdup("2.5+");
        assert_true(ci_same_contents(a, b));
        free(b->firmware);
        b->firmware = strdup("2.6");
        assert_false(ci_same_contents(a, b));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_wwn_normalize),
                cmocka_unit_test(test_disk_id),
                cmocka_unit_test(test_path_id),
                cmocka_unit_test(test_member_roles),
                cmocka_unit_test(test_md_values),
                cmocka_unit_test(test_md_values_bad),
                cmocka_unit_test(test_same_contents),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

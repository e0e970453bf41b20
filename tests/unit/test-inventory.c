/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The inventory container: additions, changes, removals remembered,
 * reappearance, slot reuse, multipath paths, relationships. */

#include "test-helpers.h"

#include "alloc-util.h"
#include "inventory.h"

static Ci *disk(const char *id, const char *name, const char *syspath, const char *by_path) {
        Ci *c = ci_new(CI_DISK);

        assert_non_null(c);
        c->id = strdup(id);
        c->name = strdup(name);
        c->syspath = strdup(syspath);
        c->by_path = by_path ? strdup(by_path) : NULL;
        return c;
}

static Ci *array(const char *id, const char *name, const char *member, const char *member_disk) {
        Ci *c = ci_new(CI_ARRAY);

        assert_non_null(c);
        c->id = strdup(id);
        c->name = strdup(name);
        c->syspath = strdup(id);
        c->members = new0(ArrayMember, 1);
        c->n_members = 1;
        c->members[0].name = strdup(member);
        c->members[0].disk_name = strdup(member_disk);
        c->members[0].slot = 0;
        return c;
}

/* Which array holds a disk: found by the member's name or its disk's,
 * follows membership changes, forgets removed arrays, never answers with
 * the wrong container type (the diagnosis lookup of every ereport). */
static void test_find_container(void **state) {
        _cleanup_(inventory_freep) Inventory *inv = inventory_new();
        Ci *md0, *mp;

        assert_int_equal(inventory_update(inv, array("md-uuid-1", "md0", "sdb1", "sdb"), 100, &md0), INVENTORY_ADDED);
        assert_ptr_equal(inventory_find_container(inv, "sdb1", CI_ARRAY), md0);
        assert_ptr_equal(inventory_find_container(inv, "sdb", CI_ARRAY), md0);
        assert_null(inventory_find_container(inv, "sdb", CI_MULTIPATH));
        assert_null(inventory_find_container(inv, "sdc", CI_ARRAY));
        assert_null(inventory_find_container(inv, NULL, CI_ARRAY));
        assert_null(inventory_find_container(inv, "sdb", CI_DISK));

        /* The member is replaced by sdc: sdb no longer leads to md0. */
        assert_int_equal(inventory_update(inv, array("md-uuid-1", "md0", "sdc1", "sdc"), 200, NULL), INVENTORY_CHANGED);
        assert_null(inventory_find_container(inv, "sdb", CI_ARRAY));
        assert_ptr_equal(inventory_find_container(inv, "sdc", CI_ARRAY), md0);

        /* A multipath map with path sdd. */
        mp = ci_new(CI_MULTIPATH);
        mp->id = strdup("mpath-3600a");
        mp->name = strdup("dm-0");
        mp->syspath = strdup("/sys/dm-0");
        mp->paths = new0(MultipathPath, 1);
        mp->n_paths = 1;
        mp->paths[0].name = strdup("sdd");
        assert_int_equal(inventory_update(inv, mp, 250, &mp), INVENTORY_ADDED);
        assert_ptr_equal(inventory_find_container(inv, "sdd", CI_MULTIPATH), mp);
        assert_null(inventory_find_container(inv, "sdd", CI_ARRAY));

        /* Removed containers are not found. */
        assert_int_equal(inventory_mark_removed(inv, "md-uuid-1", 300, NULL), INVENTORY_REMOVED);
        assert_null(inventory_find_container(inv, "sdc", CI_ARRAY));
        assert_int_equal(inventory_mark_removed(inv, "/sys/dm-0", 300, NULL), INVENTORY_REMOVED);
        assert_null(inventory_find_container(inv, "sdd", CI_MULTIPATH));
}

static void test_add_change_remove_reappear(void **state) {
        _cleanup_(inventory_freep) Inventory *inv = inventory_new();
        Ci *stored, *c;

        assert_int_equal(inventory_update(inv, disk("wwn-0x1", "sda", "/sys/a", NULL), 100, &stored), INVENTORY_ADDED);
        assert_int_equal(stored->first_seen, 100);
        assert_int_equal(inventory_update(inv, disk("wwn-0x1", "sda", "/sys/a", NULL), 200, NULL), INVENTORY_UNCHANGED);

        c = disk("wwn-0x1", "sda", "/sys/a", NULL);
        c->firmware = strdup("0002");
        assert_int_equal(inventory_update(inv, c, 300, &stored), INVENTORY_CHANGED);
        assert_string_equal(stored->firmware, "0002");
        assert_int_equal(stored->first_seen, 100);
        assert_int_equal(stored->last_seen, 300);

        assert_int_equal(inventory_mark_removed(inv, "/sys/a", 400, &c), INVENTORY_REMOVED);
        assert_ptr_equal(c, stored);
        assert_int_equal(stored->state, CI_STATE_REMOVED);
        assert_int_equal(stored->removed_at, 400);
        /* Remembered, but no longer found by name or path. */
        assert_ptr_equal(inventory_get(inv, "wwn-0x1"), stored);
        assert_null(inventory_get_by_name(inv, "sda"));
        assert_null(inventory_get_by_syspath(inv, "/sys/a"));
        assert_int_equal(inventory_mark_removed(inv, "/sys/a", 410, NULL), INVENTORY_UNCHANGED);

        /* It comes back under another name: same CI, first_seen kept. */
        assert_int_equal(inventory_update(inv, disk("wwn-0x1", "sdc", "/sys/c", NULL), 500, &c), INVENTORY_REAPPEARED);
        assert_ptr_equal(c, stored);
        assert_int_equal(c->state, CI_STATE_PRESENT);
        assert_int_equal(c->first_seen, 100);
        assert_int_equal(c->removed_at, 0);
        assert_ptr_equal(inventory_get_by_name(inv, "sdc"), c);
        assert_int_equal(inventory_size(inv), 1);
}

/* A different disk in the same slot (same sysfs path, no remove event seen,
 * e.g. swapped while the daemon was down): the old one is removed. */
static void test_slot_reuse(void **state) {
        _cleanup_(inventory_freep) Inventory *inv = inventory_new();
        Ci *old, *new;

        assert_int_equal(inventory_update(inv, disk("wwn-0x1", "sda", "/sys/a", NULL), 1, &old), INVENTORY_ADDED);
        assert_int_equal(inventory_update(inv, disk("wwn-0x2", "sda", "/sys/a", NULL), 2, &new), INVENTORY_ADDED);
        assert_int_equal(old->state, CI_STATE_REMOVED);
        assert_int_equal(new->state, CI_STATE_PRESENT);
        assert_ptr_equal(inventory_get_by_syspath(inv, "/sys/a"), new);
        assert_ptr_equal(inventory_get_by_name(inv, "sda"), new);
}

/* Two present disks reporting one WWN are two paths to one LUN; a third
 * path seen later joins them; re-reading a path keeps its id. */
static void test_multipath_paths(void **state) {
        _cleanup_(inventory_freep) Inventory *inv = inventory_new();
        Ci *a, *b, *c, *x;

        assert_int_equal(inventory_update(inv, disk("wwn-0x33", "sdb", "/sys/b", "scsi-2:0:0:0"), 1, &a), INVENTORY_ADDED);
        assert_string_equal(a->id, "wwn-0x33");
        assert_int_equal(inventory_update(inv, disk("wwn-0x33", "sdc", "/sys/c", "scsi-3:0:0:0"), 2, &b), INVENTORY_ADDED);
        assert_string_equal(a->id, "wwn-0x33@scsi-2:0:0:0");
        assert_string_equal(b->id, "wwn-0x33@scsi-3:0:0:0");
        assert_string_equal(a->lun_id, "wwn-0x33");
        assert_string_equal(b->lun_id, "wwn-0x33");
        assert_null(inventory_get(inv, "wwn-0x33"));
        assert_ptr_equal(inventory_get(inv, "wwn-0x33@scsi-2:0:0:0"), a);

        assert_int_equal(inventory_update(inv, disk("wwn-0x33", "sdd", "/sys/d", "scsi-4:0:0:0"), 3, &c), INVENTORY_ADDED);
        assert_string_equal(c->id, "wwn-0x33@scsi-4:0:0:0");

        assert_int_equal(inventory_update(inv, disk("wwn-0x33", "sdb", "/sys/b", "scsi-2:0:0:0"), 4, &x), INVENTORY_UNCHANGED);
        assert_ptr_equal(x, a);
        assert_int_equal(inventory_size(inv), 3);

        /* Removing the path that indexes the LUN keeps the LUN known. */
        assert_int_equal(inventory_mark_removed(inv, "/sys/b", 5, NULL), INVENTORY_REMOVED);
        assert_int_equal(inventory_update(inv, disk("wwn-0x33", "sde", "/sys/e", "scsi-5:0:0:0"), 6, &x), INVENTORY_ADDED);
        assert_string_equal(x->id, "wwn-0x33@scsi-5:0:0:0");
}

static void test_list_order_and_relations(void **state) {
        _cleanup_(inventory_freep) Inventory *inv = inventory_new();
        _cleanup_free_ Ci **l = NULL;
        Ci *ctrl = ci_new(CI_CONTROLLER), *pci = ci_new(CI_PCI), *d;

        pci->id = strdup("pci-0000:00:1f.2");
        pci->name = strdup("0000:00:1f.2");
        ctrl->id = strdup("scsi-0000:00:1f.2-ata1");
        ctrl->name = strdup("host0");
        ctrl->pci_id = strdup(pci->id);
        assert_int_equal(inventory_update(inv, pci, 1, NULL), INVENTORY_ADDED);
        assert_int_equal(inventory_update(inv, ctrl, 1, NULL), INVENTORY_ADDED);
        d = disk("wwn-0xa", "sdaa", "/sys/aa", NULL);
        d->controller_id = strdup("scsi-0000:00:1f.2-ata1");
        assert_int_equal(inventory_update(inv, d, 1, NULL), INVENTORY_ADDED);
        assert_int_equal(inventory_update(inv, disk("wwn-0xb", "sdb", "/sys/b", NULL), 1, NULL), INVENTORY_ADDED);

        assert_int_equal(inventory_list(inv, &l), 4);
        assert_string_equal(l[0]->name, "sdb"); /* sdb before sdaa: natural order */
        assert_string_equal(l[1]->name, "sdaa");
        assert_int_equal(l[2]->type, CI_CONTROLLER);
        assert_int_equal(l[3]->type, CI_PCI);
        assert_null(l[4]);

        d = inventory_get_by_name(inv, "sdaa");
        assert_ptr_equal(inventory_controller_of(inv, d), inventory_get(inv, "scsi-0000:00:1f.2-ata1"));
        assert_ptr_equal(inventory_pci_of(inv, inventory_controller_of(inv, d)), inventory_get(inv, "pci-0000:00:1f.2"));
        assert_null(inventory_controller_of(inv, inventory_get_by_name(inv, "sdb")));
        assert_ptr_equal(inventory_disk_of_name(inv, "sdaa"), d);
        assert_null(inventory_disk_of_name(inv, "host0"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_add_change_remove_reappear),
                cmocka_unit_test(test_find_container),
                cmocka_unit_test(test_slot_reuse),
                cmocka_unit_test(test_multipath_paths),
                cmocka_unit_test(test_list_order_and_relations),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

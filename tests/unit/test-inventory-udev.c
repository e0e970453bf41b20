/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The inventory read by the real libudev from sysfs/udev trees recorded on
 * real kernels (umockdev-record; origins in tests/fixtures/umockdev/README).
 * Runs under umockdev-wrapper (tests/unit/run-test), which makes the
 * testbed the only /sys libudev sees.
 */

#include <poll.h>
#include <umockdev.h>

#include "test-helpers.h"

#include "alloc-util.h"
#include "inventory-json.h"
#include "inventory-udev.h"
#include "string-util.h"

#define FIXTURES TOP_SRCDIR "/tests/fixtures/umockdev/"

typedef struct Fixture {
        UMockdevTestbed *testbed;
        struct udev *udev;
        Inventory *inv;
        unsigned added, changed, removed, reappeared;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));

        assert_non_null(f);
        /* Without the preload library libudev would read this machine's
         * real /sys: refuse to run rather than test the wrong tree. */
        if (!strstr(strempty(getenv("LD_PRELOAD")), "libumockdev-preload"))
                fail_msg("run under umockdev-wrapper (tests/unit/run-test does)");
        f->testbed = umockdev_testbed_new();
        f->udev = udev_new();
        f->inv = inventory_new();
        assert_non_null(f->testbed);
        assert_non_null(f->udev);
        assert_non_null(f->inv);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        inventory_free(f->inv);
        udev_unref(f->udev);
        g_object_unref(f->testbed);
        free(f);
        return 0;
}

static void load(Fixture *f, const char *name) {
        g_autoptr(GError) error = NULL;
        _cleanup_free_ char *p = NULL;

        assert_true(asprintf(&p, FIXTURES "%s", name) > 0);
        if (!umockdev_testbed_add_from_file(f->testbed, p, &error))
                fail_msg("Cannot load fixture '%s': %s", p, error ? error->message : "?");
}

static void count_change(Ci *c, InventoryChange change, void *userdata) {
        Fixture *f = userdata;

        switch (change) {
        case INVENTORY_ADDED:
                f->added++;
                break;
        case INVENTORY_CHANGED:
                f->changed++;
                break;
        case INVENTORY_REMOVED:
                f->removed++;
                break;
        case INVENTORY_REAPPEARED:
                f->reappeared++;
                break;
        default:
                break;
        }
}

static int scan(Fixture *f) {
        return inventory_scan(f->inv, f->udev, NULL, 1000, count_change, f);
}

static Ci *get_name(Fixture *f, const char *name) {
        Ci *c = inventory_get_by_name(f->inv, name);

        if (!c)
                fail_msg("No CI named '%s' in the inventory", name);
        return c;
}

/* virtio-blk: a disk with no health interface, listed with the reason. */
static void test_virtio_blk(void **state) {
        Fixture *f = *state;
        Ci *vda, *pci;

        load(f, "virtio-blk.umockdev");
        assert_int_equal(scan(f), 2);
        vda = get_name(f, "vda");
        assert_int_equal(vda->type, CI_DISK);
        assert_int_equal(vda->transport, TRANSPORT_VIRTIO);
        assert_int_equal(vda->health_source, HEALTH_SOURCE_NONE);
        assert_non_null(vda->unsupported_reason);
        assert_non_null(strstr(vda->unsupported_reason, "virtio-blk"));
        assert_string_equal(vda->devnode, "/dev/vda");
        assert_int_equal(vda->capacity_bytes, 536870912ULL * 512);
        assert_string_equal(vda->by_path, "pci-0000:00:02.0");
        pci = inventory_get(f->inv, vda->pci_id);
        assert_non_null(pci);
        assert_int_equal(pci->type, CI_PCI);
        assert_string_equal(pci->driver, "virtio-pci");
        assert_int_equal(f->added, 2);

        /* A second scan of the same tree changes nothing. */
        f->added = 0;
        assert_int_equal(scan(f), 2);
        assert_int_equal(f->added + f->changed + f->removed, 0);
}

/* Disks recorded in the VM lab on Debian's 6.1 kernel with udevd running:
 * identity, transport, health source and the chain disk -> controller ->
 * PCI device, as an operator would check them against the hardware. */
typedef struct DiskCase {
        const char *fixture, *name;
        Transport transport;
        HealthSource health;
        const char *model, *serial, *firmware, *wwn;
        const char *controller_id, *driver, *pci_address;
        unsigned n_present; /* CIs in the recording */
} DiskCase;

static const DiskCase disk_cases[] = {
        { "ahci-sata.umockdev", "sdc", TRANSPORT_SATA, HEALTH_SOURCE_ATA,
          "WDC WD20EFRX-68EUZN0", "WD-WCC4M0000001", "82.00A82", "0x50014ee2b0000001",
          "scsi-0000:00:1f.2-ata1", "ahci", "0000:00:1f.2", 3 },
        { "megasas-sas.umockdev", "sdb", TRANSPORT_SCSI, HEALTH_SOURCE_SCSI,
          "ST4000NM0023", "Z1Z0A002", "0004", "0x5000c50000a00002",
          "scsi-0000:00:04.0", "megaraid_sas", "0000:00:04.0", 4 },
        { "mptsas-sas.umockdev", "sdd", TRANSPORT_SAS, HEALTH_SOURCE_SCSI,
          "HUH721010AL5200", "7PG0M001", "A21D", "0x5000cca000000001",
          "scsi-0000:00:05.0", "mptsas", "0000:00:05.0", 3 },
        { "virtio-scsi.umockdev", "sde", TRANSPORT_VIRTIO, HEALTH_SOURCE_SCSI,
          "AL15SEB060N", "Y8B0A001", "5701", NULL,
          "scsi-0000:00:06.0", "virtio_scsi", "0000:00:06.0", 4 },
        { "nvme.umockdev", "nvme0n1", TRANSPORT_NVME, HEALTH_SOURCE_NVME,
          "QEMU NVMe Ctrl", "SGNVME0000000001", "7.2.22", NULL,
          "nvme-SGNVME0000000001", "nvme", "0000:00:03.0", 3 },
        { "scsi-debug.umockdev", "sdg", TRANSPORT_VIRTUAL, HEALTH_SOURCE_SCSI,
          "scsi_debug", "20000", "0191", NULL,
          "scsi-pseudo_0-adapter0", "scsi_debug", NULL, 3 },
        { "virtio-blk-udev.umockdev", "vda", TRANSPORT_VIRTIO, HEALTH_SOURCE_NONE,
          NULL, "VBLK0000000001", NULL, NULL,
          NULL, NULL, "0000:00:07.0", 2 },
};

static void check_disk_case(Fixture *f, const DiskCase *t) {
        Ci *d, *ctrl, *pci;

        load(f, t->fixture);
        assert_int_equal(scan(f), t->n_present);
        d = get_name(f, t->name);
        assert_int_equal(d->type, CI_DISK);
        assert_int_equal(d->state, CI_STATE_PRESENT);
        if (d->transport != t->transport)
                fail_msg("%s: transport %s, expected %s", t->fixture, transport_to_string(d->transport),
                         transport_to_string(t->transport));
        assert_int_equal(d->health_source, t->health);
        assert_true(streq_ptr(d->model, t->model));
        assert_true(streq_ptr(d->serial, t->serial));
        assert_true(streq_ptr(d->firmware, t->firmware));
        if (t->wwn) {
                assert_string_equal(d->wwn, t->wwn);
                assert_true(startswith(d->id, "wwn-"));
        }
        assert_true(d->capacity_bytes > 0);
        assert_true(streq_ptr(d->controller_id, t->controller_id));
        if (t->controller_id) {
                ctrl = inventory_controller_of(f->inv, d);
                assert_non_null(ctrl);
                assert_int_equal(ctrl->type, CI_CONTROLLER);
                assert_true(streq_ptr(ctrl->driver, t->driver));
                assert_true(streq_ptr(ctrl->pci_address, t->pci_address));
                pci = t->pci_address ? inventory_pci_of(f->inv, ctrl) : NULL;
        } else
                pci = d->pci_id ? inventory_get(f->inv, d->pci_id) : NULL;
        if (t->pci_address) {
                assert_non_null(pci);
                assert_string_equal(pci->name, t->pci_address);
        } else
                assert_null(pci);
        if (t->health == HEALTH_SOURCE_NONE)
                assert_non_null(d->unsupported_reason);
        else
                assert_null(d->unsupported_reason);
}

static void test_vm_disks(void **state) {
        Fixture *f = *state;

        for (size_t i = 0; i < ELEMENTSOF(disk_cases); i++) {
                teardown(state);
                setup(state);
                f = *state;
                print_message("  %s: %s\n", disk_cases[i].fixture, disk_cases[i].name);
                check_disk_case(f, &disk_cases[i]);
        }
}

/* A controller with two disks is one CI, related to both. */
static void test_shared_controller(void **state) {
        Fixture *f = *state;
        Ci *a, *b;

        load(f, "megasas-sas.umockdev");
        assert_int_equal(scan(f), 4);
        a = get_name(f, "sda");
        b = get_name(f, "sdb");
        assert_non_null(inventory_controller_of(f->inv, a));
        assert_ptr_equal(inventory_controller_of(f->inv, a), inventory_controller_of(f->inv, b));
        assert_string_equal(a->serial, "Z1Z0A001");
        assert_string_equal(a->vendor, "SEAGATE");
}

/* md RAID1 whose scsi_debug member md failed after unrecovered read
 * errors (VM lab scenario 02): the array, its roles, and members that
 * lead to their disk CIs. */
static void test_md_raid1_faulty_member(void **state) {
        Fixture *f = *state;
        Ci *md, *good, *bad;

        load(f, "md-raid1-faulty.umockdev");
        assert_true(scan(f) > 0);
        md = get_name(f, "md0");
        assert_int_equal(md->type, CI_ARRAY);
        assert_string_equal(md->id, "md-cf77d894:bc9b784f:4fb7c04d:2218271b");
        assert_string_equal(md->level, "raid1");
        assert_int_equal(md->raid_disks, 2);
        assert_int_equal(md->degraded, 1);
        assert_string_equal(md->sync_action, "idle");
        assert_int_equal(md->n_members, 2);

        assert_string_equal(md->members[0].name, "sdc");
        assert_int_equal(md->members[0].role, MEMBER_ROLE_ACTIVE);
        assert_string_equal(md->members[0].state, "in_sync,write_mostly");
        assert_int_equal(md->members[0].slot, 1);
        assert_string_equal(md->members[1].name, "sdg");
        assert_int_equal(md->members[1].role, MEMBER_ROLE_FAULTY);
        assert_int_equal(md->members[1].slot, -1);

        good = inventory_disk_of_name(f->inv, md->members[0].disk_name);
        bad = inventory_disk_of_name(f->inv, md->members[1].disk_name);
        assert_non_null(good);
        assert_non_null(bad);
        assert_string_equal(bad->model, "scsi_debug");
        assert_string_equal(good->model, "AL15SEB060N");
}

/* dm-multipath map over two scsi_debug paths to one LUN, one path taken
 * offline (VM lab scenario 03): the map, its paths and their states, and
 * the two path disks as separate CIs that lead to one LUN. */
static void test_multipath_one_path_failed(void **state) {
        Fixture *f = *state;
        Ci *map, *a, *b;

        load(f, "mpath-2paths-1failed.umockdev");
        assert_true(scan(f) > 0);
        map = get_name(f, "dm-0");
        assert_int_equal(map->type, CI_MULTIPATH);
        assert_string_equal(map->alias, "mpatha");
        assert_string_equal(map->id, "mpath-1Linux_scsi_debug_2000");
        assert_int_equal(map->n_paths, 2);
        assert_string_equal(map->paths[0].name, "sdg");
        assert_int_equal(map->paths[0].state, PATH_STATE_ACTIVE);
        assert_string_equal(map->paths[0].device_state, "running");
        assert_string_equal(map->paths[1].name, "sdh");
        assert_int_equal(map->paths[1].state, PATH_STATE_FAILED);
        assert_string_equal(map->paths[1].device_state, "offline");
        assert_string_equal(map->array_state, "degraded");
        assert_int_equal(map->degraded, 1);

        a = inventory_disk_of_name(f->inv, "sdg");
        b = inventory_disk_of_name(f->inv, "sdh");
        assert_non_null(a);
        assert_non_null(b);
        assert_ptr_not_equal(a, b);
        assert_string_not_equal(a->id, b->id);
        assert_non_null(a->lun_id);
        assert_string_equal(a->lun_id, b->lun_id);
        assert_string_equal(a->lun_id, "wwn-0x33333330000007d0");
        assert_non_null(strchr(a->id, '@'));
}

/* STORGUARD_IGNORE=1 and IgnoreDevices= keep a disk out. */
static void test_ignore(void **state) {
        Fixture *f = *state;
        char *patterns[] = { (char *) "vd?", NULL };
        InventoryFilter filter = { .ignore_names = patterns };

        load(f, "virtio-blk.umockdev");
        assert_int_equal(inventory_scan(f->inv, f->udev, &filter, 1, NULL, NULL), 0);
        assert_null(inventory_get_by_name(f->inv, "vda"));

        umockdev_testbed_set_property(f->testbed, "/sys/devices/pci0000:00/0000:00:02.0/virtio1/block/vda",
                                      "STORGUARD_IGNORE", "1");
        assert_int_equal(inventory_scan(f->inv, f->udev, NULL, 2, NULL, NULL), 0);
        assert_null(inventory_get_by_name(f->inv, "vda"));
}

/* Hotplug through a real libudev monitor: a device removed is remembered
 * as removed; added back it reappears with its first_seen. */
static void test_hotplug_remove_and_back(void **state) {
        Fixture *f = *state;
        const char *syspath = "/sys/devices/pci0000:00/0000:00:02.0/virtio1/block/vda";
        struct udev_monitor *mon;
        struct udev_device *d;
        struct pollfd pfd;
        Ci *vda;

        load(f, "virtio-blk.umockdev");
        assert_int_equal(scan(f), 2);
        vda = get_name(f, "vda");

        mon = udev_monitor_new_from_netlink(f->udev, "udev");
        assert_non_null(mon);
        assert_int_equal(udev_monitor_filter_add_match_subsystem_devtype(mon, "block", "disk"), 0);
        assert_int_equal(udev_monitor_enable_receiving(mon), 0);

        umockdev_testbed_uevent(f->testbed, syspath, "remove");
        pfd = (struct pollfd) { .fd = udev_monitor_get_fd(mon), .events = POLLIN };
        assert_int_equal(poll(&pfd, 1, 10000), 1);
        d = udev_monitor_receive_device(mon);
        assert_non_null(d);
        assert_string_equal(udev_device_get_action(d), "remove");
        assert_int_equal(inventory_handle_uevent(f->inv, d, NULL, 2000, count_change, f), 0);
        udev_device_unref(d);
        assert_int_equal(f->removed, 1);
        assert_int_equal(vda->state, CI_STATE_REMOVED);
        assert_int_equal(vda->removed_at, 2000);
        assert_null(inventory_get_by_name(f->inv, "vda"));

        umockdev_testbed_uevent(f->testbed, syspath, "add");
        assert_int_equal(poll(&pfd, 1, 10000), 1);
        d = udev_monitor_receive_device(mon);
        assert_non_null(d);
        assert_int_equal(inventory_handle_uevent(f->inv, d, NULL, 3000, count_change, f), 0);
        udev_device_unref(d);
        assert_int_equal(f->reappeared, 1);
        assert_ptr_equal(get_name(f, "vda"), vda);
        assert_int_equal(vda->state, CI_STATE_PRESENT);
        assert_int_equal(vda->first_seen, 1000);
        udev_monitor_unref(mon);
}

/* The JSON listing names every CI with its id, type and relationships. */
static void test_json(void **state) {
        Fixture *f = *state;
        json_object *o, *items, *first, *v;

        load(f, "virtio-blk.umockdev");
        assert_int_equal(scan(f), 2);
        o = inventory_to_json(f->inv, false);
        assert_non_null(o);
        assert_true(json_object_object_get_ex(o, "configuration_items", &items));
        assert_int_equal(json_object_array_length(items), 2);
        first = json_object_array_get_idx(items, 0);
        assert_true(json_object_object_get_ex(first, "type", &v));
        assert_string_equal(json_object_get_string(v), "disk");
        assert_true(json_object_object_get_ex(first, "unsupported_reason", &v));
        assert_true(json_object_object_get_ex(first, "pci_id", &v));
        assert_string_equal(json_object_get_string(v), "pci-0000:00:02.0");
        json_object_put(o);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_virtio_blk, setup, teardown),
                cmocka_unit_test_setup_teardown(test_vm_disks, setup, teardown),
                cmocka_unit_test_setup_teardown(test_shared_controller, setup, teardown),
                cmocka_unit_test_setup_teardown(test_md_raid1_faulty_member, setup, teardown),
                cmocka_unit_test_setup_teardown(test_multipath_one_path_failed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ignore, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hotplug_remove_and_back, setup, teardown),
                cmocka_unit_test_setup_teardown(test_json, setup, teardown),
        };

        log_set_max_level(LOG_WARNING);
        return cmocka_run_group_tests(tests, NULL, NULL);
}

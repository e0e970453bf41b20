/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Reading the inventory from udev (libudev): coldplug enumeration and
 * hotplug events.  This file and drivers/ are the only places that see
 * libudev types; what leaves here is plain Ci structs.
 */

#include <libudev.h>

#include "inventory.h"

typedef struct InventoryFilter {
        char **ignore_names; /* fnmatch() patterns of kernel names never to list ("sr*") */
} InventoryFilter;

/* Called for every CI that an update added, changed, brought back or
 * removed (not for unchanged ones). */
typedef void (*InventoryChangeFn)(Ci *c, InventoryChange change, void *userdata);

/* inventory_scan() - enumerate every disk, NVMe controller, md array and
 * multipath map now present, with their controllers and PCI devices, and
 * merge them into inv.  CIs present before but not found now are marked
 * removed.
 * Return: the number of CIs present, or -errno (the inventory then holds
 * what was read before the error). */
int inventory_scan(Inventory *inv, struct udev *udev, const InventoryFilter *filter, usec_t now,
                   InventoryChangeFn cb, void *userdata);

/* inventory_handle_uevent() - apply one udev event (block or nvme).
 * Return: 0 or -errno. */
int inventory_handle_uevent(Inventory *inv, struct udev_device *d, const InventoryFilter *filter,
                            usec_t now, InventoryChangeFn cb, void *userdata);

/* inventory_refresh() - re-read every present CI of one type (block
 * devices: arrays, multipath maps, disks) from sysfs, without a full
 * enumeration: what changes without a uevent (md member states, SCSI
 * device state) is noticed this way.  @names: only the CIs of these kernel
 * names (NULL: all).  Return: 0 or the first -errno. */
int inventory_refresh(Inventory *inv, struct udev *udev, CiType type, char *const *names,
                      const InventoryFilter *filter, usec_t now, InventoryChangeFn cb, void *userdata);

/* ci_read_block() - convert one udev block device into CIs: the disk (or
 * array, or multipath map) and, for disks, its controller and PCI device.
 * A device storguard does not watch returns -EADDRNOTAVAIL with the reason
 * in *ret_ignored (partitions, loop, zram, optical drives, other dm
 * targets, STORGUARD_IGNORE=1).
 * Return: 0, -EADDRNOTAVAIL, -ENOMEM. */
int ci_read_block(struct udev_device *d, const InventoryFilter *filter, Ci **ret_ci,
                  Ci **ret_controller, Ci **ret_pci, char **ret_ignored);

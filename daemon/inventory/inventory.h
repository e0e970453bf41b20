/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The inventory: every configuration item storguard knows, present or
 * removed.  It is a pure container: it never talks to udev or sysfs
 * (inventory-udev.c feeds it), and time is passed in.
 */

#include <stddef.h>

#include "ci.h"
#include "time-util.h"

typedef struct Inventory Inventory;

typedef enum InventoryChange {
        INVENTORY_UNCHANGED,
        INVENTORY_ADDED,       /* first time seen */
        INVENTORY_CHANGED,     /* known, and something about it changed */
        INVENTORY_REAPPEARED,  /* was removed, is back */
        INVENTORY_REMOVED,
} InventoryChange;

Inventory *inventory_new(void);
Inventory *inventory_free(Inventory *inv);
DEFINE_POINTER_CLEANUP_FUNC(Inventory, inventory_free);

/* inventory_update() - merge a freshly read CI, taking ownership of it.
 * A known id keeps its first_seen; a removed one comes back.  Another CI
 * that held the same sysfs path is marked removed (a disk swapped in the
 * same slot).  Two present disks with the same id but different sysfs
 * paths are two paths to one LUN: both get path ids ("<lun id>@<by-path>").
 * @ret_ci: the CI as stored (optional).
 * Return: an InventoryChange (>= 0) or -ENOMEM (c is freed). */
int inventory_update(Inventory *inv, Ci *c, usec_t now, Ci **ret_ci);

/* inventory_mark_removed() - the device at syspath is gone.
 * Return: INVENTORY_REMOVED, INVENTORY_UNCHANGED if none was present there. */
int inventory_mark_removed(Inventory *inv, const char *syspath, usec_t now, Ci **ret_ci);

Ci *inventory_get(const Inventory *inv, const char *id);
Ci *inventory_get_by_syspath(const Inventory *inv, const char *syspath);
/* inventory_get_by_name() - the present CI with this kernel name. */
Ci *inventory_get_by_name(const Inventory *inv, const char *name);
size_t inventory_size(const Inventory *inv) _pure_;

/* inventory_list() - all CIs sorted by type, then name, then id.
 * Return: the number of entries; *ret is a new array of borrowed pointers. */
int inventory_list(const Inventory *inv, Ci ***ret);

/* inventory_find_container() - the present array (CI_ARRAY) or multipath
 * map (CI_MULTIPATH) with a member or path of this kernel name (the
 * member's own name or its disk's), or NULL.  A hash lookup. */
Ci *inventory_find_container(const Inventory *inv, const char *name, CiType type);

/* inventory_list_unsorted() - the same in no particular order, O(N): for
 * the periodic walks of the daemon, where the order does not matter. */
int inventory_list_unsorted(const Inventory *inv, Ci ***ret);

/* Relationships, resolved at the time of asking. */
Ci *inventory_controller_of(const Inventory *inv, const Ci *disk);
Ci *inventory_pci_of(const Inventory *inv, const Ci *controller);
/* inventory_disk_of_name() - the present disk a member/path kernel name
 * leads to (its own name, or the disk_name of an array member). */
Ci *inventory_disk_of_name(const Inventory *inv, const char *name);

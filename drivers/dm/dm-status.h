/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * dm-multipath as device-mapper sees it (issue 5): the map's status and
 * table, read with the DM_TABLE_STATUS ioctl (what `dmsetup status` and
 * `dmsetup table` print), parsed by pure functions.
 *
 * The status line of a multipath target (kernel drivers/md/dm-mpath.c,
 * multipath_status(), STATUSTYPE_INFO), NAME / VALUE:
 *
 *   features       "2 <queue_io> <pg_init_count>": I/O is being queued now
 *                  (no usable path and queue_if_no_path), path group
 *                  initialisations so far
 *   hw handler     "<n> <args...>" ("0" in the status)
 *   groups         "<n groups> <next group (1-based, 0: none)>"
 *   per group      "<state: A active, E enabled, D disabled> <n selector args> <args...>
 *                   <n paths> <n selector args per path>"
 *   per path       "<major:minor> <A active | F failed> <fail count> <selector args...>"
 *
 * e.g. (tests/fixtures/multipath/mpath-path-fail-reinstate.failed, sdh failed):
 *   2 0 1 0 2 1 A 0 1 2 8:96 A 0 0 1 E 0 1 2 8:112 F 1 0 1
 *
 * The table line starts with the features the map was loaded with
 * ("<n> <words...>"); "queue_if_no_path" among them: I/O waits for a path
 * to come back instead of failing when none is left.
 */

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

#define DM_MPATH_PATHS_MAX 64
#define DM_MPATH_GROUPS_MAX 16

typedef struct DmMpathPath {
        unsigned major, minor;
        bool active;          /* A: dm uses it; F: dm failed it */
        unsigned fail_count;  /* times dm failed it since the map was loaded */
        unsigned group;       /* its path group, 1-based */
} DmMpathPath;

typedef struct DmMpathStatus {
        bool queue_io;               /* I/O is queued right now */
        unsigned pg_init_count;
        unsigned n_groups;
        unsigned next_group;         /* 1-based, 0: none */
        char group_state[DM_MPATH_GROUPS_MAX]; /* 'A', 'E' or 'D' */
        DmMpathPath paths[DM_MPATH_PATHS_MAX];
        size_t n_paths;
} DmMpathStatus;

/* dm_mpath_status_parse() - the parameters of a multipath target's status
 * (after "<start> <length> multipath ").
 * Return: 0, -EBADMSG naming nothing (the caller names the map), -E2BIG
 * beyond DM_MPATH_PATHS_MAX paths or DM_MPATH_GROUPS_MAX groups. */
int dm_mpath_status_parse(const char *params, DmMpathStatus *ret);

/* dm_mpath_table_queue_if_no_path() - whether the table's features hold
 * queue_if_no_path.  Return: 0 and *ret, -EBADMSG. */
int dm_mpath_table_queue_if_no_path(const char *params, bool *ret);

/* dm_target_status() - the first target of map @name through @control
 * (DM_CONTROL_PATH): its type ("multipath") and parameters, the status
 * or, with @table, the table.
 * Return: 0 and both strings (free() them), -ENXIO no such map, -errno. */
int dm_target_status(const char *control, const char *name, bool table, char **ret_type, char **ret_params);

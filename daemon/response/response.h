/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The response agent (the "retire agent"): the workaround a policy allows
 * for a diagnosed fault — fail and remove an md member, fail a multipath
 * path, take a SCSI device offline — and their reversals.
 *
 * Deciding is pure (response_decide(): policy, topology, history and time
 * in, a decision and its reason out).  Doing goes through ResponseOps so
 * tests replay it and the VM lab runs it on a real kernel.
 *
 * Guards that no configuration turns off:
 *   - never remove the last redundancy: an md member whose loss leaves the
 *     array with more members missing than its level tolerates, the last
 *     active path of a multipath map, a disk that is neither;
 *   - never isolate disks while their controller is the suspect;
 *   - a rate limit per host and per controller, and a hold-off after boot
 *     (the last two apply to automatic actions, not to an operator's).
 */

#include <stdbool.h>

#include "ci.h"
#include "macro.h"
#include "time-util.h"

typedef enum ResponseAction {
        RESPONSE_MD_FAIL_MEMBER,   /* md: faulty, then remove */
        RESPONSE_MPATH_FAIL_PATH,  /* dm-multipath: fail_path */
        RESPONSE_SCSI_OFFLINE,     /* device/state = offline */
        RESPONSE_MD_READD,         /* reversals, on operator request */
        RESPONSE_MPATH_REINSTATE,
        RESPONSE_SCSI_ONLINE,
        _RESPONSE_ACTION_MAX,
        _RESPONSE_ACTION_INVALID = -EINVAL,
} ResponseAction;

/* Each reversal sits 3 after its isolation (configuration relies on it). */
_Static_assert(RESPONSE_MD_READD == RESPONSE_MD_FAIL_MEMBER + 3 && RESPONSE_MPATH_REINSTATE == RESPONSE_MPATH_FAIL_PATH + 3 &&
                       RESPONSE_SCSI_ONLINE == RESPONSE_SCSI_OFFLINE + 3,
               "reversal = isolation + 3");

typedef enum PolicyMode {
        POLICY_OFF,
        POLICY_DRY_RUN, /* record what would be done */
        POLICY_ENFORCE,
        _POLICY_MODE_MAX,
        _POLICY_MODE_INVALID = -EINVAL,
} PolicyMode;

typedef enum ResponseVerdict {
        RESPONSE_REFUSED,  /* a guard said no; reason says which */
        RESPONSE_DISABLED, /* the policy for this action is off */
        RESPONSE_DRY_RUN,  /* allowed, recorded only */
        RESPONSE_EXECUTE,
        _RESPONSE_VERDICT_MAX,
        _RESPONSE_VERDICT_INVALID = -EINVAL,
} ResponseVerdict;

const char *response_action_to_string(ResponseAction a) _const_;
ResponseAction response_action_from_string(const char *s) _pure_;
const char *policy_mode_to_string(PolicyMode m) _const_;
PolicyMode policy_mode_from_string(const char *s) _pure_;
const char *response_verdict_to_string(ResponseVerdict v) _const_;

/* Defaults (storguard.conf [Response]). */
#define RESPONSE_MODE_DEFAULT POLICY_DRY_RUN                 /* destructive actions: dry-run */
#define RESPONSE_MAX_PER_HOUR_HOST_DEFAULT 4                 /* isolations per hour, whole host */
#define RESPONSE_MAX_PER_HOUR_CONTROLLER_DEFAULT 2           /* isolations per hour, one controller */
#define RESPONSE_BOOT_HOLDOFF_DEFAULT_USEC (10 * USEC_PER_MINUTE) /* no automatic action so soon after boot */
#define RESPONSE_HISTORY_MAX 64

typedef struct ResponsePolicy {
        PolicyMode mode[_RESPONSE_ACTION_MAX];
        unsigned max_per_hour_host;
        unsigned max_per_hour_controller;
        usec_t boot_holdoff_usec;
} ResponsePolicy;

void response_policy_default(ResponsePolicy *p);

/* Recent isolations, for the rate limits. */
typedef struct ResponseHistory {
        struct {
                usec_t time_usec;
                char controller_id[128];
        } entries[RESPONSE_HISTORY_MAX];
        size_t n;
} ResponseHistory;

void response_history_add(ResponseHistory *h, usec_t now, const char *controller_id);

typedef struct ResponseRequest {
        ResponseAction action;
        const Ci *target;           /* the disk (a member, a path, a SCSI device) */
        const Ci *array;            /* for md actions: the array it is a member of */
        const Ci *map;              /* for path actions: the multipath map */
        const char *member_name;    /* md: the member's kernel name (may be a partition) */
        bool controller_suspect;    /* diagnosis blames the target's controller */
        bool by_operator;           /* an operator asked (D-Bus Isolate/Reinstate) */
        usec_t now_usec;            /* CLOCK_REALTIME */
        usec_t uptime_usec;         /* CLOCK_BOOTTIME */
} ResponseRequest;

/* response_decide() - what may be done.  @reason (at least 256 bytes)
 * says why, naming the guard, the array or map and the numbers. */
ResponseVerdict response_decide(const ResponsePolicy *p, const ResponseHistory *h, const ResponseRequest *r,
                                char *reason, size_t reason_size);

/* The kernel seam. */
typedef struct ResponseOps {
        /* md: write value to <array syspath>/md/dev-<member>/state */
        int (*md_member_state)(void *userdata, const char *array_syspath, const char *member, const char *value);
        /* md: re-add a removed member (mdadm --re-add, argv, no shell) */
        int (*md_readd)(void *userdata, const char *array_devnode, const char *member_devnode);
        /* dm: send a target message ("fail_path 8:32") to the map */
        int (*dm_message)(void *userdata, const char *map_name, const char *message);
        /* SCSI: write value to <disk syspath>/device/state */
        int (*scsi_state)(void *userdata, const char *disk_syspath, const char *value);
        /* the "major:minor" of the block device at syspath */
        int (*devnum)(void *userdata, const char *syspath, char ret[static 32]);
} ResponseOps;

extern const ResponseOps response_ops_kernel;

/* response_execute() - carry out an allowed action.
 * @result (at least 256 bytes): what was done, or what failed.
 * Return: 0 or -errno. */
int response_execute(const ResponseOps *ops, void *userdata, const ResponseRequest *r, char *result,
                     size_t result_size);

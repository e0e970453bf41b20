/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "response.h"
#include "string-table.h"
#include "string-util.h"

static const char *const response_action_table[_RESPONSE_ACTION_MAX] = {
        [RESPONSE_MD_FAIL_MEMBER] = "md.fail_member",
        [RESPONSE_MPATH_FAIL_PATH] = "mpath.fail_path",
        [RESPONSE_SCSI_OFFLINE] = "scsi.offline",
        [RESPONSE_MD_READD] = "md.re_add",
        [RESPONSE_MPATH_REINSTATE] = "mpath.reinstate_path",
        [RESPONSE_SCSI_ONLINE] = "scsi.online",
};
DEFINE_STRING_TABLE_LOOKUP(response_action, ResponseAction);

static const char *const policy_mode_table[_POLICY_MODE_MAX] = {
        [POLICY_OFF] = "off",
        [POLICY_DRY_RUN] = "dry-run",
        [POLICY_ENFORCE] = "enforce",
};
DEFINE_STRING_TABLE_LOOKUP(policy_mode, PolicyMode);

static const char *const response_verdict_table[_RESPONSE_VERDICT_MAX] = {
        [RESPONSE_REFUSED] = "refused",
        [RESPONSE_DISABLED] = "off",
        [RESPONSE_DRY_RUN] = "dry-run",
        [RESPONSE_EXECUTE] = "execute",
};
DEFINE_STRING_TABLE_LOOKUP_TO_STRING(response_verdict, ResponseVerdict);

void response_policy_default(ResponsePolicy *p) {
        *p = (ResponsePolicy) {
                .max_per_hour_host = RESPONSE_MAX_PER_HOUR_HOST_DEFAULT,
                .max_per_hour_controller = RESPONSE_MAX_PER_HOUR_CONTROLLER_DEFAULT,
                .boot_holdoff_usec = RESPONSE_BOOT_HOLDOFF_DEFAULT_USEC,
        };
        for (int a = 0; a < _RESPONSE_ACTION_MAX; a++)
                p->mode[a] = RESPONSE_MODE_DEFAULT;
}

void response_history_add(ResponseHistory *h, usec_t now, const char *controller_id) {
        if (h->n == RESPONSE_HISTORY_MAX) {
                memmove(h->entries, h->entries + 1, sizeof(h->entries[0]) * (RESPONSE_HISTORY_MAX - 1));
                h->n--;
        }
        h->entries[h->n].time_usec = now;
        snprintf(h->entries[h->n].controller_id, sizeof(h->entries[0].controller_id), "%s", strempty(controller_id));
        h->n++;
}

static bool is_isolation(ResponseAction a) {
        return a == RESPONSE_MD_FAIL_MEMBER || a == RESPONSE_MPATH_FAIL_PATH || a == RESPONSE_SCSI_OFFLINE;
}

/* How many members an md level can lose and still serve (md.rst). RAID10
 * is taken at its worst case, one, since which pairs are left matters. */
static unsigned md_tolerance(const char *level, unsigned raid_disks) {
        if (streq_ptr(level, "raid1"))
                return raid_disks > 0 ? raid_disks - 1 : 0;
        if (streq_ptr(level, "raid4") || streq_ptr(level, "raid5") || streq_ptr(level, "raid10"))
                return 1;
        if (streq_ptr(level, "raid6"))
                return 2;
        return 0; /* raid0, linear: no redundancy at all */
}

static const ArrayMember *find_member(const Ci *array, const char *name) {
        for (size_t k = 0; k < array->n_members; k++)
                if (streq_ptr(array->members[k].name, name) || streq_ptr(array->members[k].disk_name, name))
                        return &array->members[k];
        return NULL;
}

/* Would taking member out leave the array with more missing than it
 * tolerates?  Return: true when the guard refuses, with reason. */
static bool md_guard(const Ci *array, const char *member, char *reason, size_t size) {
        const ArrayMember *t = find_member(array, member);
        unsigned active = 0, missing_after, tolerance;

        if (!t) {
                snprintf(reason, size, "'%s' is not a member of %s", member, array->name);
                return true;
        }
        if (t->role == MEMBER_ROLE_FAULTY || t->role == MEMBER_ROLE_SPARE)
                return false; /* not serving data: taking it out loses nothing */
        for (size_t k = 0; k < array->n_members; k++)
                if (array->members[k].role == MEMBER_ROLE_ACTIVE)
                        active++;
        if (t->role == MEMBER_ROLE_ACTIVE)
                active--;
        missing_after = array->raid_disks > active ? array->raid_disks - active : 0;
        tolerance = md_tolerance(array->level, array->raid_disks);
        if (active == 0 || missing_after > tolerance) {
                snprintf(reason, size,
                         "guard 'last redundancy': %s (%s) would have %u of %u members in sync, "
                         "%u missing where it tolerates %u",
                         array->name, strna(array->level), active, array->raid_disks, missing_after, tolerance);
                return true;
        }
        return false;
}

static bool mpath_guard(const Ci *map, const char *path, char *reason, size_t size) {
        unsigned other_active = 0;
        bool found = false;

        for (size_t k = 0; k < map->n_paths; k++) {
                if (streq_ptr(map->paths[k].name, path)) {
                        found = true;
                        continue;
                }
                if (map->paths[k].state == PATH_STATE_ACTIVE)
                        other_active++;
        }
        if (!found) {
                snprintf(reason, size, "'%s' is not a path of %s", path, map->alias ?: map->name);
                return true;
        }
        if (other_active == 0) {
                snprintf(reason, size, "guard 'last path': %s has no other active path than %s",
                         map->alias ?: map->name, path);
                return true;
        }
        return false;
}

static bool rate_guard(const ResponsePolicy *p, const ResponseHistory *h, const ResponseRequest *r, char *reason,
                       size_t size) {
        unsigned host = 0, ctrl = 0;
        const char *cid = r->target ? r->target->controller_id : NULL;

        for (size_t k = 0; k < h->n; k++) {
                if (h->entries[k].time_usec + USEC_PER_HOUR <= r->now_usec)
                        continue;
                host++;
                if (cid && streq(h->entries[k].controller_id, cid))
                        ctrl++;
        }
        if (host >= p->max_per_hour_host) {
                snprintf(reason, size, "guard 'rate limit': %u isolations on this host in the last hour (limit %u)",
                         host, p->max_per_hour_host);
                return true;
        }
        if (cid && ctrl >= p->max_per_hour_controller) {
                snprintf(reason, size,
                         "guard 'rate limit': %u isolations behind controller %s in the last hour (limit %u)", ctrl,
                         cid, p->max_per_hour_controller);
                return true;
        }
        return false;
}

ResponseVerdict response_decide(const ResponsePolicy *p, const ResponseHistory *h, const ResponseRequest *r,
                                char *reason, size_t size) {
        const char *name;

        if (r->action < 0 || r->action >= _RESPONSE_ACTION_MAX || !r->target || !r->target->name) {
                snprintf(reason, size, "invalid request");
                return RESPONSE_REFUSED;
        }
        name = r->member_name ?: r->target->name;
        reason[0] = '\0';

        if (is_isolation(r->action)) {
                if (r->controller_suspect) {
                        snprintf(reason, size,
                                 "guard 'controller suspect': %s is behind controller %s, which diagnosis suspects; "
                                 "isolating its disks would not help and may remove healthy redundancy",
                                 r->target->name, strna(r->target->controller_id));
                        return RESPONSE_REFUSED;
                }
                switch (r->action) {
                case RESPONSE_MD_FAIL_MEMBER:
                        if (!r->array) {
                                snprintf(reason, size, "%s is not a member of an md array", r->target->name);
                                return RESPONSE_REFUSED;
                        }
                        if (md_guard(r->array, name, reason, size))
                                return RESPONSE_REFUSED;
                        break;
                case RESPONSE_MPATH_FAIL_PATH:
                        if (!r->map) {
                                snprintf(reason, size, "%s is not a path of a multipath map", r->target->name);
                                return RESPONSE_REFUSED;
                        }
                        if (mpath_guard(r->map, name, reason, size))
                                return RESPONSE_REFUSED;
                        break;
                default: /* SCSI offline: only where something else carries the data */
                        if (r->array) {
                                if (md_guard(r->array, name, reason, size))
                                        return RESPONSE_REFUSED;
                        } else if (r->map) {
                                if (mpath_guard(r->map, name, reason, size))
                                        return RESPONSE_REFUSED;
                        } else {
                                snprintf(reason, size,
                                         "guard 'last redundancy': %s is neither an array member nor a multipath "
                                         "path; taking it offline would take its data with it",
                                         r->target->name);
                                return RESPONSE_REFUSED;
                        }
                        break;
                }
                if (!r->by_operator) {
                        if (r->uptime_usec < p->boot_holdoff_usec) {
                                snprintf(reason, size,
                                         "guard 'boot hold-off': %llus after boot, automatic isolation waits %llus",
                                         (unsigned long long) (r->uptime_usec / USEC_PER_SEC),
                                         (unsigned long long) (p->boot_holdoff_usec / USEC_PER_SEC));
                                return RESPONSE_REFUSED;
                        }
                        if (rate_guard(p, h, r, reason, size))
                                return RESPONSE_REFUSED;
                }
        }

        switch (p->mode[r->action]) {
        case POLICY_OFF:
                snprintf(reason, size, "policy for %s is off", response_action_to_string(r->action));
                return RESPONSE_DISABLED;
        case POLICY_DRY_RUN:
                snprintf(reason, size, "dry-run: would %s %s", response_action_to_string(r->action), name);
                return RESPONSE_DRY_RUN;
        default:
                snprintf(reason, size, "allowed: %s %s", response_action_to_string(r->action), name);
                return RESPONSE_EXECUTE;
        }
}

int response_execute(const ResponseOps *ops, void *userdata, const ResponseRequest *r, char *result, size_t size) {
        const char *name = r->member_name ?: r->target->name;
        char devnum[32], msg[64];
        int k;

        switch (r->action) {
        case RESPONSE_MD_FAIL_MEMBER: {
                const ArrayMember *m = r->array ? find_member(r->array, name) : NULL;

                if (!m)
                        return snprintf(result, size, "%s is not a member", name), -ENOENT;
                /* md.rst: "faulty" fails the device, "remove" takes a
                 * faulty one out of the array. */
                if (m->role != MEMBER_ROLE_FAULTY) {
                        k = ops->md_member_state(userdata, r->array->syspath, m->name, "faulty");
                        if (k < 0)
                                return snprintf(result, size, "failed to mark %s faulty in %s: %s", m->name,
                                                r->array->name, strerror(-k)), k;
                }
                k = ops->md_member_state(userdata, r->array->syspath, m->name, "remove");
                if (k < 0)
                        return snprintf(result, size, "marked %s faulty in %s, but removing it failed: %s", m->name,
                                        r->array->name, strerror(-k)), k;
                snprintf(result, size, "done: %s failed and removed from %s", m->name, r->array->name);
                return 0;
        }
        case RESPONSE_MD_READD:
                if (!r->array || !r->array->devnode || !r->target->devnode)
                        return snprintf(result, size, "no device node to re-add"), -EINVAL;
                k = ops->md_readd(userdata, r->array->devnode, r->target->devnode);
                if (k < 0)
                        return snprintf(result, size, "re-adding %s to %s failed: %s", r->target->devnode,
                                        r->array->devnode, strerror(-k)), k;
                snprintf(result, size, "done: %s re-added to %s", r->target->name, r->array->name);
                return 0;
        case RESPONSE_MPATH_FAIL_PATH:
        case RESPONSE_MPATH_REINSTATE: {
                const char *map = r->map ? (r->map->alias ?: r->map->name) : NULL;
                bool fail = r->action == RESPONSE_MPATH_FAIL_PATH;

                if (!map)
                        return snprintf(result, size, "no multipath map"), -EINVAL;
                k = ops->devnum(userdata, r->target->syspath, devnum);
                if (k < 0)
                        return snprintf(result, size, "cannot find the device number of %s: %s", name, strerror(-k)), k;
                /* dm-multipath target messages (Documentation/admin-guide/
                 * device-mapper/dm-multipath: "fail_path", "reinstate_path"). */
                snprintf(msg, sizeof(msg), "%s %s", fail ? "fail_path" : "reinstate_path", devnum);
                k = ops->dm_message(userdata, map, msg);
                if (k < 0)
                        return snprintf(result, size, "'%s' to %s failed: %s", msg, map, strerror(-k)), k;
                snprintf(result, size, "done: %s path %s (%s) of %s", fail ? "failed" : "reinstated", name, devnum, map);
                return 0;
        }
        case RESPONSE_SCSI_OFFLINE:
        case RESPONSE_SCSI_ONLINE: {
                const char *v = r->action == RESPONSE_SCSI_OFFLINE ? "offline" : "running";

                k = ops->scsi_state(userdata, r->target->syspath, v);
                if (k < 0)
                        return snprintf(result, size, "setting %s %s failed: %s", name, v, strerror(-k)), k;
                snprintf(result, size, "done: %s is %s", name, v);
                return 0;
        }
        default:
                return snprintf(result, size, "unknown action"), -EINVAL;
        }
}

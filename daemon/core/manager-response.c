/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The response agent on the Manager: builds requests from the inventory,
 * asks response_decide(), executes, and records every action, dry run and
 * refusal on the incident as its workaround.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "alloc-util.h"
#include "log.h"
#include "manager.h"
#include "message-ids.h"
#include "report-journal.h"
#include "string-util.h"

/* What was isolated, so that it can be brought back. */
typedef struct Isolation {
        char *ci_id;          /* the hash key */
        ResponseAction action;
        char *container_id;   /* array or map it was taken out of */
        char *member_name;    /* md member name (partition, dm device) */
} Isolation;

static void isolation_free(Isolation *s) {
        if (!s)
                return;
        free(s->ci_id);
        free(s->container_id);
        free(s->member_name);
        free(s);
}

static Ci *resolve_device(Manager *m, const char *device) {
        Ci *c = inventory_get_by_name(m->inventory, device);

        if (!c) {
                c = inventory_get(m->inventory, device);
                if (c && c->state != CI_STATE_PRESENT)
                        c = NULL;
        }
        return c && c->type == CI_DISK ? c : NULL;
}

static const char *member_name_of(const Ci *array, const Ci *disk) {
        for (size_t k = 0; array && k < array->n_members; k++)
                if (streq_ptr(array->members[k].disk_name, disk->name) || streq_ptr(array->members[k].name, disk->name))
                        return array->members[k].name;
        return NULL;
}

/* The incident an operator's action belongs to: an active one about the disk. */
static Incident *incident_of(Manager *m, const Ci *disk) {
        _cleanup_free_ Incident **l = NULL;
        int n;

        if (!m->incidents)
                return NULL;
        n = incident_manager_list(m->incidents, &l);
        for (int k = n - 1; k >= 0; k--)
                if ((l[k]->status == INCIDENT_OPEN || l[k]->status == INCIDENT_MITIGATED) && streq_ptr(l[k]->ci_id, disk->id))
                        return l[k];
        return NULL;
}

bool manager_offlined_itself(Manager *m, const char *ci_id) {
        _cleanup_free_ Incident **l = NULL;
        Isolation *s = m->isolated ? hashmap_get(m->isolated, ci_id) : NULL;
        int n;

        if (s)
                return s->action == RESPONSE_SCSI_OFFLINE;
        /* After a restart the map is empty: the incidents remember.  A
         * mitigated incident whose last action on the disk is an enforced
         * scsi.offline (scsi.online after it brings the disk back). */
        if (!m->incidents)
                return false;
        n = incident_manager_list(m->incidents, &l);
        for (int k = 0; k < n; k++) {
                const Incident *i = l[k];
                const IncidentAction *last = NULL;

                if (i->status != INCIDENT_MITIGATED)
                        continue;
                for (size_t a = 0; a < i->n_actions; a++)
                        if (streq_ptr(i->actions[a].target, ci_id) && streq_ptr(i->actions[a].mode, "enforce"))
                                last = &i->actions[a];
                if (last && streq_ptr(last->action, response_action_to_string(RESPONSE_SCSI_OFFLINE)))
                        return true;
        }
        return false;
}

static int remember_isolation(Manager *m, const ResponseRequest *r) {
        const Ci *container = r->array ?: r->map;
        Isolation *s;

        if (!m->isolated) {
                m->isolated = hashmap_new();
                if (!m->isolated)
                        return -ENOMEM;
        }
        s = hashmap_remove(m->isolated, r->target->id);
        isolation_free(s);
        s = new0(Isolation, 1);
        if (!s)
                return -ENOMEM;
        s->action = r->action;
        if (!(s->ci_id = strdup(r->target->id)) || (container && !(s->container_id = strdup(container->id))) ||
            (r->member_name && !(s->member_name = strdup(r->member_name))) || hashmap_put(m->isolated, s->ci_id, s) < 0) {
                isolation_free(s);
                return -ENOMEM;
        }
        return 0;
}

/* Decide, maybe execute, record.  Return: as manager_isolate(). */
static int respond(Manager *m, ResponseRequest *r, Incident *i, const char *who, char **ret_result) {
        char reason[480], result[512];
        ResponseVerdict v;
        const char *mode;
        usec_t t = r->now_usec;
        int k = 0;

        v = response_decide(&m->config.response, &m->response_history, r, reason, sizeof(reason));
        switch (v) {
        case RESPONSE_EXECUTE:
                mode = "enforce";
                k = response_execute(&response_ops_kernel, NULL, r, result, sizeof(result));
                if (k >= 0) {
                        if (r->action < RESPONSE_MD_READD) {
                                response_history_add(&m->response_history, t, r->target->controller_id);
                                (void) remember_isolation(m, r);
                        } else if (m->isolated)
                                isolation_free(hashmap_remove(m->isolated, r->target->id));
                }
                break;
        case RESPONSE_DRY_RUN:
                mode = "dry-run";
                snprintf(result, sizeof(result), "%s", reason);
                break;
        case RESPONSE_DISABLED:
                mode = "off";
                snprintf(result, sizeof(result), "%s", reason);
                k = -EOPNOTSUPP;
                break;
        default:
                mode = "refused";
                snprintf(result, sizeof(result), "refused: %s", reason);
                k = -EPERM;
                break;
        }

        {
                LogField fields[REPORT_CI_FIELDS_MAX + 2];

                report_ci_fields(r->target, fields);
                fields[REPORT_CI_FIELDS_MAX - 1] = (LogField) { "STORGUARD_ACTION", response_action_to_string(r->action) };
                fields[REPORT_CI_FIELDS_MAX] = (LogField) { "STORGUARD_MODE", mode };
                fields[REPORT_CI_FIELDS_MAX + 1] = (LogField) {};
                log_event(v == RESPONSE_EXECUTE && k >= 0 ? LOG_WARNING : LOG_NOTICE, SG_MESSAGE_RESPONSE_ACTION, fields,
                          "Response %s on '%s'%s%s (%s): %s", response_action_to_string(r->action), r->target->name,
                          who ? " requested by " : "", strempty(who), mode, result);
        }
        if (i) {
                _cleanup_free_ char *line = NULL;

                if (asprintf(&line, "%s%s%s%s", result, who ? " (requested by " : "", strempty(who), who ? ")" : "") < 0)
                        return log_oom();
                (void) incident_manager_add_action(m->incidents, i->id, response_action_to_string(r->action),
                                                   r->target->id, mode, line, t);
                if (v == RESPONSE_EXECUTE && k >= 0 && r->action < RESPONSE_MD_READD) {
                        (void) free_and_strdup(&i->workaround, result);
                        (void) incident_manager_set_status(m->incidents, i->id, INCIDENT_MITIGATED, result, t);
                }
        }
        if (ret_result) {
                *ret_result = strdup(result);
                if (!*ret_result)
                        return -ENOMEM;
        }
        return k;
}

static void build_request(Manager *m, Ci *disk, ResponseAction isolate_action, ResponseRequest *r) {
        Ci *array = manager_find_container(m, disk->name, CI_ARRAY);
        Ci *map = array ? NULL : manager_find_container(m, disk->name, CI_MULTIPATH);

        *r = (ResponseRequest) {
                .action = isolate_action >= 0 ? isolate_action
                          : array             ? RESPONSE_MD_FAIL_MEMBER
                          : map               ? RESPONSE_MPATH_FAIL_PATH
                                              : RESPONSE_SCSI_OFFLINE,
                .target = disk,
                .array = array,
                .map = map,
                .member_name = member_name_of(array, disk),
                .controller_suspect = manager_controller_incident(m, disk) != NULL,
                .now_usec = now(CLOCK_REALTIME),
                .uptime_usec = now(CLOCK_BOOTTIME),
        };
}

void manager_respond_to(Manager *m, const char *ci_id, ResponseAction action, Incident *i) {
        ResponseRequest r;
        Ci *disk = inventory_get(m->inventory, ci_id);

        if (!disk || disk->type != CI_DISK || disk->state != CI_STATE_PRESENT)
                return;
        /* Done once per incident: a mitigated incident keeps its workaround. */
        if (i && i->status == INCIDENT_MITIGATED)
                return;
        build_request(m, disk, action, &r);
        (void) respond(m, &r, i, NULL, NULL);
}

void manager_respond(Manager *m, const Fault *f, Incident *i) {
        if (f->action != FAULT_ACTION_ISOLATE_MEMBER && f->action != FAULT_ACTION_FAIL_PATH)
                return;
        manager_respond_to(m, f->suspect,
                           f->action == FAULT_ACTION_FAIL_PATH ? RESPONSE_MPATH_FAIL_PATH : _RESPONSE_ACTION_INVALID, i);
}

int manager_isolate(Manager *m, const char *device, const char *reason, const char *who, char **ret_result) {
        ResponseRequest r;
        Ci *disk = resolve_device(m, device);

        if (!disk)
                return -ENOENT;
        build_request(m, disk, _RESPONSE_ACTION_INVALID, &r);
        r.by_operator = true;
        log_info("Isolation of '%s' requested by %s: %s", disk->name, strna(who), strna(reason));
        return respond(m, &r, incident_of(m, disk), who ?: "operator", ret_result);
}

int manager_reinstate(Manager *m, const char *device, const char *who, char **ret_result) {
        Ci *disk = resolve_device(m, device);
        Isolation *s;
        ResponseRequest r;

        if (!disk)
                return -ENOENT;
        s = m->isolated ? hashmap_get(m->isolated, disk->id) : NULL;
        build_request(m, disk, _RESPONSE_ACTION_INVALID, &r);
        r.by_operator = true;
        if (s) {
                r.action = s->action + 3; /* its reversal */
                if (s->container_id) {
                        Ci *c = inventory_get(m->inventory, s->container_id);
                        if (c && c->type == CI_ARRAY)
                                r.array = c;
                        else if (c && c->type == CI_MULTIPATH)
                                r.map = c;
                }
                r.member_name = s->member_name;
        } else if (r.map)
                r.action = RESPONSE_MPATH_REINSTATE;
        else if (r.array)
                r.action = RESPONSE_MD_READD;
        else
                r.action = RESPONSE_SCSI_ONLINE;
        return respond(m, &r, incident_of(m, disk), who ?: "operator", ret_result);
}

void manager_response_stop(Manager *m) {
        Isolation *s;

        HASHMAP_FOREACH(s, m->isolated)
                isolation_free(s);
        m->isolated = hashmap_free(m->isolated);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.storguard1.Manager on /org/storguard1. */

#include <errno.h>
#include <string.h>
#include <systemd/sd-id128.h>
#include <unistd.h>

#include "alloc-util.h"
#include "bus-internal.h"
#include "bus-json.h"
#include "bus-util.h"
#include "log.h"
#include "manager.h"
#include "string-util.h"

#define PRIORITY_MAX 5 /* priorities run 1 (highest) .. 5 */

/* --- what the properties say ------------------------------------------- */

static void count_cis(Manager *m, unsigned *ret_devices, unsigned *ret_arrays) {
        _cleanup_free_ Ci **l = NULL;
        int n = inventory_list(m->inventory, &l);

        *ret_devices = *ret_arrays = 0;
        for (int k = 0; k < n; k++) {
                if (bus_ci_is_device(l[k]))
                        (*ret_devices)++;
                else if (bus_ci_is_array(l[k]))
                        (*ret_arrays)++;
        }
}

static void count_incidents(Manager *m, uint64_t by_priority[PRIORITY_MAX], uint64_t *ret_total, uint64_t *ret_major) {
        _cleanup_free_ Incident **l = NULL;
        int n = m->incidents ? incident_manager_list(m->incidents, &l) : 0;

        memset(by_priority, 0, sizeof(uint64_t) * PRIORITY_MAX);
        *ret_total = *ret_major = 0;
        for (int k = 0; k < n; k++) {
                if (!bus_incident_is_active(l[k]))
                        continue;
                (*ret_total)++;
                if (l[k]->major)
                        (*ret_major)++;
                if (l[k]->priority >= 1 && l[k]->priority <= PRIORITY_MAX)
                        by_priority[l[k]->priority - 1]++;
        }
}

/* critical: an active major incident, service down, or an array or map
 * that no longer serves; degraded: any active incident, any degraded
 * array or failed path, any disk failing or failed. */
const char *bus_host_health(Manager *m) {
        _cleanup_free_ Incident **incidents = NULL;
        _cleanup_free_ Ci **l = NULL;
        bool degraded = false;
        int n;

        n = m->incidents ? incident_manager_list(m->incidents, &incidents) : 0;
        for (int k = 0; k < n; k++) {
                if (!bus_incident_is_active(incidents[k]))
                        continue;
                if (incidents[k]->major || incidents[k]->impact == IMPACT_SERVICE_DOWN)
                        return "critical";
                degraded = true;
        }
        n = inventory_list(m->inventory, &l);
        for (int k = 0; k < n; k++) {
                const Ci *c = l[k];

                if (bus_ci_is_array(c)) {
                        if (streq_ptr(c->array_state, "inactive") || streq_ptr(c->array_state, "broken") ||
                            (c->raid_disks > 0 && c->degraded >= c->raid_disks))
                                return "critical";
                        if (c->degraded > 0)
                                degraded = true;
                } else if (bus_ci_is_device(c)) {
                        const char *h = bus_device_health(m, c);
                        if (streq(h, "failing") || streq(h, "failed"))
                                degraded = true;
                }
        }
        return degraded ? "degraded" : "ok";
}

/* The response policy in one word: the mode of every action when they
 * agree, else "mixed" (the Policy property has each). */
static const char *policy_mode(Manager *m) {
        PolicyMode first = m->config.response.mode[0];

        for (size_t a = 1; a < _RESPONSE_ACTION_MAX; a++)
                if (m->config.response.mode[a] != first)
                        return "mixed";
        return strna(policy_mode_to_string(first));
}

static int property_get_policy(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "{ss}");
        for (size_t a = 0; r >= 0 && a < _RESPONSE_ACTION_MAX; a++)
                r = sd_bus_message_append(reply, "{ss}", response_action_to_string(a),
                                          strna(policy_mode_to_string(m->config.response.mode[a])));
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int host_name(Manager *m, char *buf, size_t size) {
        if (m->config.host_name)
                snprintf(buf, size, "%s", m->config.host_name);
        else if (gethostname(buf, size) < 0 || isempty(buf))
                snprintf(buf, size, "storguard");
        buf[size - 1] = '\0';
        return 0;
}

static int property_get_version(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", PACKAGE_VERSION);
}

static int property_get_host(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        char buf[256];

        if (streq(property, "HostId")) {
                sd_id128_t id;
                char s[SD_ID128_STRING_MAX];

                if (sd_id128_get_machine(&id) < 0)
                        return sd_bus_message_append(reply, "s", "");
                return sd_bus_message_append(reply, "s", sd_id128_to_string(id, s));
        }
        host_name(m, buf, sizeof(buf));
        return sd_bus_message_append(reply, "s", buf);
}

static int property_get_health(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        if (streq(property, "PolicyMode"))
                return sd_bus_message_append(reply, "s", policy_mode(m));
        return sd_bus_message_append(reply, "s", bus_host_health(m));
}

static int property_get_counts(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        uint64_t by_priority[PRIORITY_MAX], total, major;
        unsigned devices, arrays;
        int r;

        if (streq(property, "Devices") || streq(property, "Arrays")) {
                count_cis(m, &devices, &arrays);
                return sd_bus_message_append(reply, "u", streq(property, "Devices") ? devices : arrays);
        }
        count_incidents(m, by_priority, &total, &major);
        if (streq(property, "OpenIncidents"))
                return sd_bus_message_append(reply, "t", total);
        if (streq(property, "MajorIncidents"))
                return sd_bus_message_append(reply, "t", major);
        r = sd_bus_message_open_container(reply, 'a', "t");
        for (size_t k = 0; r >= 0 && k < PRIORITY_MAX; k++)
                r = sd_bus_message_append(reply, "t", by_priority[k]);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

void bus_manager_emit_changed(Manager *m) {
        int r;

        if (!m->bus || !m->bus->name_acquired)
                return;
        r = sd_bus_emit_properties_changed(m->bus->bus, BUS_PATH, BUS_IFACE_MANAGER, "OverallHealth", "Devices",
                                           "Arrays", "OpenIncidents", "OpenIncidentsByPriority", "MajorIncidents",
                                           NULL);
        if (r < 0)
                log_warning_errno(r, "Failed to send PropertiesChanged for the Manager, ignoring: %m");
}

/* --- methods ------------------------------------------------------------ */

static int method_list_devices(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ Ci **l = NULL;
        Manager *m = userdata;
        int n, r;

        r = sd_bus_message_new_method_return(message, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(sssssso)");
        if (r < 0)
                return r;
        n = inventory_list(m->inventory, &l);
        for (int k = 0; k < n; k++) {
                _cleanup_free_ char *path = NULL;
                const Ci *c = l[k];

                if (!bus_ci_is_device(c))
                        continue;
                path = bus_device_path(c);
                if (!path)
                        return -ENOMEM;
                r = sd_bus_message_append(reply, "(sssssso)", c->id, c->name, transport_to_string(c->transport),
                                          strempty(c->model), strempty(c->serial), bus_device_health(m, c), path);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_list_arrays(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ Ci **l = NULL;
        Manager *m = userdata;
        int n, r;

        r = sd_bus_message_new_method_return(message, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(sssssuuo)");
        if (r < 0)
                return r;
        n = inventory_list(m->inventory, &l);
        for (int k = 0; k < n; k++) {
                _cleanup_free_ char *path = NULL;
                const Ci *c = l[k];

                if (!bus_ci_is_array(c))
                        continue;
                path = bus_array_path(c);
                if (!path)
                        return -ENOMEM;
                r = sd_bus_message_append(reply, "(sssssuuo)", c->id, c->name, c->type == CI_ARRAY ? "md" : "multipath",
                                          strempty(c->level), strempty(c->array_state), c->degraded, c->raid_disks,
                                          path);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_list_incidents(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ Incident **l = NULL;
        Manager *m = userdata;
        IncidentStatus want = _INCIDENT_STATUS_INVALID;
        const char *status;
        uint32_t max_priority;
        bool all = false;
        int n, r;

        r = sd_bus_message_read(message, "su", &status, &max_priority);
        if (r < 0)
                return r;
        /* "": the active ones (open, mitigated); "all"; or one status. */
        if (streq(status, "all"))
                all = true;
        else if (!isempty(status)) {
                want = incident_status_from_string(status);
                if (want < 0)
                        return sd_bus_error_setf(error, BUS_ERROR_INVALID_ARGUMENT,
                                                 "Invalid status filter '%.32s': expected '', 'all', 'open', "
                                                 "'mitigated', 'resolved' or 'closed'.", status);
        }
        if (max_priority > PRIORITY_MAX)
                return sd_bus_error_setf(error, BUS_ERROR_INVALID_ARGUMENT,
                                         "Invalid priority %u: expected 0 (any) or 1 (highest) to %u.", max_priority,
                                         PRIORITY_MAX);

        r = sd_bus_message_new_method_return(message, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(subssssto)");
        if (r < 0)
                return r;
        n = m->incidents ? incident_manager_list(m->incidents, &l) : 0;
        for (int k = 0; k < n; k++) {
                _cleanup_free_ char *path = NULL;
                const Incident *i = l[k];

                if (!all && (want >= 0 ? i->status != want : !bus_incident_is_active(i)))
                        continue;
                if (max_priority > 0 && i->priority > max_priority)
                        continue;
                path = bus_incident_path(i->id);
                if (!path)
                        return -ENOMEM;
                r = sd_bus_message_append(reply, "(subssssto)", i->id, i->priority, (int) i->major,
                                          incident_status_to_string(i->status), incident_category_to_string(i->category),
                                          strempty(i->title), strempty(i->ci_id), i->stage_usec[STAGE_DETECTED], path);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int read_id(sd_bus_message *message, sd_bus_error *error, const char **ret) {
        int r;

        r = sd_bus_message_read(message, "s", ret);
        if (r < 0)
                return r;
        if (!bus_valid_id(*ret))
                return sd_bus_error_setf(error, BUS_ERROR_INVALID_ARGUMENT,
                                         "Invalid incident id: expected 1 to %u of [A-Za-z0-9._:@-].", BUS_ID_MAX);
        return 0;
}

static int method_get_incident(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        const Incident *i;
        const char *id;
        json_object *o;
        int r;

        r = read_id(message, error, &id);
        if (r < 0)
                return r;
        i = m->incidents ? incident_manager_get(m->incidents, id) : NULL;
        if (!i)
                return sd_bus_error_setf(error, BUS_ERROR_NOT_FOUND, "No incident '%s'.", id);
        o = incident_to_json(i);
        if (!o)
                return -ENOMEM;
        r = sd_bus_message_new_method_return(message, &reply);
        if (r >= 0)
                r = bus_message_append_json_dict(reply, o);
        json_object_put(o);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* The operator's name for the record: what the caller gave, else "uid N". */
static const char *who_or_uid(sd_bus_message *message, const char *who, char *buf, size_t size) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        uid_t uid;

        if (!isempty(who))
                return who;
        if (sd_bus_query_sender_creds(message, SD_BUS_CREDS_EUID | SD_BUS_CREDS_AUGMENT, &creds) >= 0 &&
            sd_bus_creds_get_euid(creds, &uid) >= 0)
                snprintf(buf, size, "uid %u", (unsigned) uid);
        else
                snprintf(buf, size, "unknown");
        return buf;
}

static int method_acknowledge(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *id, *who, *comment;
        char what[BUS_ID_MAX + 64], buf[32];
        int r;

        r = sd_bus_message_read(message, "sss", &id, &who, &comment);
        if (r < 0)
                return r;
        if (!bus_valid_id(id))
                return sd_bus_error_setf(error, BUS_ERROR_INVALID_ARGUMENT, "Invalid incident id.");
        if (!bus_valid_text(who, BUS_WHO_MAX, true))
                return sd_bus_error_setf(error, BUS_ERROR_INVALID_ARGUMENT,
                                         "Invalid name: at most %u bytes, no control characters.", BUS_WHO_MAX);
        if (!bus_valid_text(comment, BUS_COMMENT_MAX, true))
                return sd_bus_error_setf(error, BUS_ERROR_INVALID_ARGUMENT,
                                         "Invalid comment: at most %u bytes, no control characters.", BUS_COMMENT_MAX);
        r = bus_check_privileged(m, message, error);
        if (r <= 0)
                return r < 0 ? r : -EPERM;
        if (!m->incidents)
                return sd_bus_error_setf(error, BUS_ERROR_NOT_FOUND, "No incident '%s'.", id);

        who = who_or_uid(message, who, buf, sizeof(buf));
        snprintf(what, sizeof(what), "acknowledge incident '%s'", id);
        r = incident_manager_acknowledge(m->incidents, id, who, isempty(comment) ? NULL : comment, now(CLOCK_REALTIME));
        if (r < 0)
                return bus_error_from_errno(error, r, what);
        log_notice("Incident %s acknowledged by '%s' over the bus.", id, who);
        return sd_bus_reply_method_return(message, NULL);
}

static int method_set_status(sd_bus_message *message, Manager *m, IncidentStatus status, sd_bus_error *error) {
        const char *id, *comment = "";
        char what[BUS_ID_MAX + 64];
        Incident *i;
        int r;

        if (status == INCIDENT_RESOLVED)
                r = sd_bus_message_read(message, "ss", &id, &comment);
        else
                r = sd_bus_message_read(message, "s", &id);
        if (r < 0)
                return r;
        if (!bus_valid_id(id))
                return sd_bus_error_setf(error, BUS_ERROR_INVALID_ARGUMENT, "Invalid incident id.");
        if (!bus_valid_text(comment, BUS_COMMENT_MAX, true))
                return sd_bus_error_setf(error, BUS_ERROR_INVALID_ARGUMENT,
                                         "Invalid comment: at most %u bytes, no control characters.", BUS_COMMENT_MAX);
        r = bus_check_privileged(m, message, error);
        if (r <= 0)
                return r < 0 ? r : -EPERM;

        i = m->incidents ? incident_manager_get(m->incidents, id) : NULL;
        if (!i)
                return sd_bus_error_setf(error, BUS_ERROR_NOT_FOUND, "No incident '%s'.", id);
        if (i->status == INCIDENT_CLOSED)
                return sd_bus_error_setf(error, BUS_ERROR_REFUSED, "Incident '%s' is closed; closing is final.", id);
        snprintf(what, sizeof(what), "%s incident '%s'", status == INCIDENT_RESOLVED ? "resolve" : "close", id);
        r = incident_manager_set_status(m->incidents, id, status, isempty(comment) ? "resolved by an operator" : comment,
                                        now(CLOCK_REALTIME));
        if (r == -EPERM)
                return sd_bus_error_setf(error, BUS_ERROR_REFUSED, "Cannot %s: the lifecycle does not go from %s to %s.",
                                         what, incident_status_to_string(i->status), incident_status_to_string(status));
        if (r < 0)
                return bus_error_from_errno(error, r, what);
        if (status == INCIDENT_RESOLVED)
                manager_incident_resolved(m, i);
        log_notice("Incident %s %s over the bus.", id, incident_status_to_string(status));
        return sd_bus_reply_method_return(message, NULL);
}

static int method_resolve(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return method_set_status(message, userdata, INCIDENT_RESOLVED, error);
}

static int method_close(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return method_set_status(message, userdata, INCIDENT_CLOSED, error);
}

static int method_isolate(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        bool isolate = streq(sd_bus_message_get_member(message), "Isolate");
        _cleanup_free_ char *result = NULL;
        const char *device, *reason = "", *who;
        char buf[32];
        int r;

        if (isolate)
                r = sd_bus_message_read(message, "ss", &device, &reason);
        else
                r = sd_bus_message_read(message, "s", &device);
        if (r < 0)
                return r;
        if (!bus_valid_device(device))
                return sd_bus_error_setf(error, BUS_ERROR_INVALID_ARGUMENT,
                                         "Invalid device: a kernel name or a device id of 1 to %u printable "
                                         "characters without '/' or white space.", BUS_DEVICE_MAX);
        if (!bus_valid_text(reason, BUS_COMMENT_MAX, !isolate))
                return sd_bus_error_setf(error, BUS_ERROR_INVALID_ARGUMENT,
                                         "Invalid reason: 1 to %u bytes, no control characters.", BUS_COMMENT_MAX);
        r = bus_check_privileged(m, message, error);
        if (r <= 0)
                return r < 0 ? r : -EPERM;
        who = who_or_uid(message, NULL, buf, sizeof(buf));
        r = isolate ? manager_isolate(m, device, reason, who, &result) : manager_reinstate(m, device, who, &result);
        switch (r) {
        case 0:
                return sd_bus_reply_method_return(message, "s", strempty(result));
        case -ENOENT:
                return sd_bus_error_setf(error, BUS_ERROR_NOT_FOUND, "No disk '%s'.", device);
        case -EPERM: /* a guard said no: its reason */
                return sd_bus_error_setf(error, BUS_ERROR_REFUSED, "%s", strna(result));
        case -EOPNOTSUPP: /* the policy for this action is off */
                return sd_bus_error_setf(error, BUS_ERROR_NOT_SUPPORTED, "%s", strna(result));
        default:
                return sd_bus_error_set_errnof(error, r, "Failed to %s '%s': %s%s%m", isolate ? "isolate" : "reinstate",
                                               device, strempty(result), result ? ": " : "");
        }
}

static int method_rescan(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r;

        r = bus_check_privileged(m, message, error);
        if (r <= 0)
                return r < 0 ? r : -EPERM;
        r = manager_scan(m);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to rescan the devices: %m");
        return sd_bus_reply_method_return(message, "u", (uint32_t) r);
}

static int method_reload(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r;

        r = bus_check_privileged(m, message, error);
        if (r <= 0)
                return r < 0 ? r : -EPERM;
        r = manager_reload(m);
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_REFUSED,
                                         "The new configuration in '%s' is invalid; the running one is kept (see the "
                                         "log for each problem).", m->config_path);
        return sd_bus_reply_method_return(message, NULL);
}

/* The webhook outbox as operators need it: what waits, what gave up.
 * Dead letters are kept (never dropped) and RetryWebhooks re-queues them. */
static int property_get_webhook(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        uint64_t n = 0;

        if (m->store)
                (void) store_outbox_count(m->store, streq(property, "WebhookDeadLetters") ? OUTBOX_DEAD : OUTBOX_PENDING,
                                          &n);
        return sd_bus_message_append(reply, "t", n);
}

static int property_get_health_reads(sd_bus *bus, const char *path, const char *interface, const char *property,
                                     sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        return sd_bus_message_append(reply, "t", m->health_reads);
}

static int method_retry_webhooks(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *endpoint;
        int r;

        r = sd_bus_message_read(message, "s", &endpoint);
        if (r < 0)
                return r;
        r = bus_check_privileged(m, message, error);
        if (r <= 0)
                return r < 0 ? r : -EPERM;
        if (strlen(endpoint) > 64 || strpbrk(endpoint, "/\n\t "))
                return sd_bus_error_setf(error, BUS_ERROR_INVALID_ARGUMENT, "Invalid endpoint name.");
        if (!m->webhook)
                return sd_bus_error_setf(error, BUS_ERROR_NOT_SUPPORTED, "No webhook endpoint is configured.");
        r = webhook_retry_dead(m->webhook, isempty(endpoint) ? NULL : endpoint, now(CLOCK_REALTIME));
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to re-queue dead letters: %m");
        return sd_bus_reply_method_return(message, "u", (uint32_t) r);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", property_get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("HostId", "s", property_get_host, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("HostName", "s", property_get_host, 0, 0),
        SD_BUS_PROPERTY("OverallHealth", "s", property_get_health, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("PolicyMode", "s", property_get_health, 0, 0),
        SD_BUS_PROPERTY("Policy", "a{ss}", property_get_policy, 0, 0),
        SD_BUS_PROPERTY("Devices", "u", property_get_counts, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Arrays", "u", property_get_counts, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("OpenIncidents", "t", property_get_counts, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("OpenIncidentsByPriority", "at", property_get_counts, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("MajorIncidents", "t", property_get_counts, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("WebhookPending", "t", property_get_webhook, 0, 0),
        SD_BUS_PROPERTY("WebhookDeadLetters", "t", property_get_webhook, 0, 0),
        SD_BUS_PROPERTY("HealthReads", "t", property_get_health_reads, 0, 0),

        SD_BUS_METHOD_WITH_NAMES("ListDevices", "", , "a(sssssso)", SD_BUS_PARAM(devices), method_list_devices,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ListArrays", "", , "a(sssssuuo)", SD_BUS_PARAM(arrays), method_list_arrays,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ListIncidents", "su", SD_BUS_PARAM(status) SD_BUS_PARAM(max_priority),
                                 "a(subssssto)", SD_BUS_PARAM(incidents), method_list_incidents,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetIncident", "s", SD_BUS_PARAM(id), "a{sv}", SD_BUS_PARAM(incident),
                                 method_get_incident, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Acknowledge", "sss", SD_BUS_PARAM(id) SD_BUS_PARAM(who) SD_BUS_PARAM(comment), "", ,
                                 method_acknowledge, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Resolve", "ss", SD_BUS_PARAM(id) SD_BUS_PARAM(comment), "", , method_resolve,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Close", "s", SD_BUS_PARAM(id), "", , method_close, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Isolate", "ss", SD_BUS_PARAM(device) SD_BUS_PARAM(reason), "s",
                                 SD_BUS_PARAM(result), method_isolate, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Reinstate", "s", SD_BUS_PARAM(device), "s", SD_BUS_PARAM(result), method_isolate,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Rescan", "", , "u", SD_BUS_PARAM(configuration_items), method_rescan,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Reload", "", "", method_reload, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("RetryWebhooks", "s", SD_BUS_PARAM(endpoint), "u", SD_BUS_PARAM(requeued),
                                 method_retry_webhooks, SD_BUS_VTABLE_UNPRIVILEGED),

        SD_BUS_SIGNAL_WITH_NAMES("IncidentRaised", "sussso",
                                 SD_BUS_PARAM(id) SD_BUS_PARAM(priority) SD_BUS_PARAM(title) SD_BUS_PARAM(status)
                                 SD_BUS_PARAM(event) SD_BUS_PARAM(path), 0),
        SD_BUS_SIGNAL_WITH_NAMES("IncidentUpdated", "sussso",
                                 SD_BUS_PARAM(id) SD_BUS_PARAM(priority) SD_BUS_PARAM(title) SD_BUS_PARAM(status)
                                 SD_BUS_PARAM(event) SD_BUS_PARAM(path), 0),
        SD_BUS_SIGNAL_WITH_NAMES("IncidentResolved", "sussso",
                                 SD_BUS_PARAM(id) SD_BUS_PARAM(priority) SD_BUS_PARAM(title) SD_BUS_PARAM(status)
                                 SD_BUS_PARAM(event) SD_BUS_PARAM(path), 0),
        SD_BUS_SIGNAL_WITH_NAMES("DeviceHealthChanged", "ssssso",
                                 SD_BUS_PARAM(id) SD_BUS_PARAM(name) SD_BUS_PARAM(health) SD_BUS_PARAM(previous)
                                 SD_BUS_PARAM(reason) SD_BUS_PARAM(path), 0),
        SD_BUS_VTABLE_END
};

int bus_manager_add(Manager *m, sd_bus *bus) {
        return sd_bus_add_object_vtable(bus, NULL, BUS_PATH, BUS_IFACE_MANAGER, manager_vtable, m);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.storguard1.Device on /org/storguard1/device/<escaped CI id>: one per present disk. */

#include <errno.h>
#include <string.h>

#include "alloc-util.h"
#include "bus-json.h"
#include "bus-internal.h"
#include "log.h"
#include "manager.h"
#include "string-util.h"

/* --- health ------------------------------------------------------------- */

DeviceHealthState *bus_device_health_state(Manager *m, const char *id, bool create) {
        DeviceHealthState *s;

        if (!m->bus)
                return NULL;
        s = hashmap_get(m->bus->health, id);
        if (s || !create)
                return s;
        s = new0(DeviceHealthState, 1);
        if (!s || !(s->id = strdup(id)) || hashmap_put(m->bus->health, s->id, s) < 0) {
                bus_device_health_state_free(s);
                return NULL;
        }
        return s;
}

void bus_device_health_state_free(DeviceHealthState *s) {
        if (!s)
                return;
        free(s->id);
        free(s->health);
        free(s);
}

/* The health poller's last result for the disk (health-json.c's schema),
 * NULL when it was never read. */
static json_object *snapshot_of(Manager *m, const Ci *c, HealthAssessment *ret_assessment, usec_t *ret_polled_usec) {
        return manager_health_snapshot(m, c->id, ret_assessment, ret_polled_usec);
}

static json_object *jget(json_object *o, const char *key) {
        json_object *v;

        return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* Health ranks: ok 0 < warning 1 < failing 2 < failed 3 (health_assessment_rank()). */
static const char *const rank_name[] = { "ok", "warning", "failing", "failed" };

/* One reason for the judgement: at most *n_max; returns the new rank. */
typedef struct Reason {
        int rank;
        char source[64];
        char text[256];
} Reason;

#define REASONS_MAX 16

static void add_reason(Reason *r, size_t *n, int rank, const char *source, const char *text) {
        if (*n >= REASONS_MAX)
                return;
        r[*n].rank = rank;
        snprintf(r[*n].source, sizeof(r[*n].source), "%s", source);
        snprintf(r[*n].text, sizeof(r[*n].text), "%s", text);
        (*n)++;
}

/* Every reason storguard has against a disk, in no particular order.
 * Return: the worst rank (0 when there is none). */
static int device_reasons(Manager *m, const Ci *c, Reason *reasons, size_t *ret_n) {
        HealthAssessment assessment;
        json_object *s = snapshot_of(m, c, &assessment, NULL), *reasons_json = jget(s, "reasons");
        _cleanup_free_ Incident **incidents = NULL;
        _cleanup_free_ Ci **l = NULL;
        size_t n = 0;
        int worst = -1, k, count;
        char text[256];

        /* The device's own word (SMART, SCSI log pages, NVMe health log). */
        if (s) {
                for (size_t i = 0; reasons_json && i < json_object_array_length(reasons_json); i++) {
                        json_object *x = json_object_array_get_idx(reasons_json, i);
                        HealthAssessment level = health_assessment_from_string(json_object_get_string(jget(x, "level")));

                        add_reason(reasons, &n, level >= 0 ? health_assessment_rank(level) : -1,
                                   strempty(json_object_get_string(jget(x, "source"))),
                                   strempty(json_object_get_string(jget(x, "text"))));
                }
                if (assessment == HEALTH_UNKNOWN && jget(s, "error"))
                        add_reason(reasons, &n, -1, "health.read", json_object_get_string(jget(s, "error")));
                worst = MAX(worst, health_assessment_rank(assessment));
        }

        /* Its place in arrays and maps. */
        count = inventory_list(m->inventory, &l);
        for (k = 0; k < count; k++) {
                const Ci *a = l[k];

                if (!bus_ci_is_array(a))
                        continue;
                for (size_t i = 0; i < a->n_members; i++)
                        if (streq_ptr(a->members[i].disk_name, c->name) || streq_ptr(a->members[i].name, c->name)) {
                                if (a->members[i].role == MEMBER_ROLE_FAULTY) {
                                        snprintf(text, sizeof(text), "member %s of %s is faulty", a->members[i].name, a->name);
                                        add_reason(reasons, &n, 3, "md.member.faulty", text);
                                        worst = MAX(worst, 3);
                                } else
                                        worst = MAX(worst, 0);
                        }
                for (size_t i = 0; i < a->n_paths; i++)
                        if (streq_ptr(a->paths[i].name, c->name)) {
                                if (a->paths[i].state == PATH_STATE_FAILED) {
                                        snprintf(text, sizeof(text), "path %s of %s failed", a->paths[i].name, a->name);
                                        add_reason(reasons, &n, 3, "mpath.path.failed", text);
                                        worst = MAX(worst, 3);
                                } else
                                        worst = MAX(worst, 0);
                        }
        }

        /* Active incidents that name it. */
        count = m->incidents ? incident_manager_list(m->incidents, &incidents) : 0;
        for (k = 0; k < count; k++) {
                const Incident *i = incidents[k];
                int rank;

                if (!bus_incident_is_active(i) || !streq_ptr(i->ci_id, c->id))
                        continue;
                rank = i->priority <= 2 ? 2 : 1;
                snprintf(text, sizeof(text), "incident %s (priority %u, %s): %s", i->id, i->priority,
                         incident_status_to_string(i->status), strempty(i->title));
                add_reason(reasons, &n, rank, "incident", text);
                worst = MAX(worst, rank);
        }

        *ret_n = n;
        return MAX(worst, 0); /* nothing against it: ok (its own assessment may still be unknown) */
}

const char *bus_device_health(Manager *m, const Ci *c) {
        Reason reasons[REASONS_MAX];
        size_t n;
        int rank = device_reasons(m, c, reasons, &n);

        return rank_name[MIN(MAX(rank, 0), 3)];
}

void bus_device_health_check(Manager *m, const Ci *c) {
        _cleanup_free_ char *path = NULL;
        DeviceHealthState *s;
        const char *now_health;
        int r;

        if (!m->bus || !m->bus->name_acquired)
                return;
        s = bus_device_health_state(m, c->id, true);
        if (!s)
                return;
        now_health = bus_device_health(m, c);
        if (streq_ptr(s->health, now_health))
                return;
        path = bus_device_path(c);
        if (!path)
                return;
        {
                Reason reasons[REASONS_MAX];
                size_t n = 0;
                int worst = device_reasons(m, c, reasons, &n);
                const char *why = "";

                for (size_t k = 0; k < n; k++)
                        if (reasons[k].rank == worst) {
                                why = reasons[k].text;
                                break;
                        }
                log_notice("Disk '%s' health: %s -> %s%s%s.", c->name, strna(s->health), now_health,
                           *why ? ": " : "", why);
                r = sd_bus_emit_signal(m->bus->bus, BUS_PATH, BUS_IFACE_MANAGER, "DeviceHealthChanged", "ssssso",
                                       c->id, c->name, now_health, strempty(s->health), why, path);
                if (r < 0)
                        log_warning_errno(r, "Failed to send DeviceHealthChanged for '%s', ignoring: %m", c->name);
        }
        (void) sd_bus_emit_properties_changed(m->bus->bus, path, BUS_IFACE_DEVICE, "Health", "HealthReasons", NULL);
        (void) free_and_strdup(&s->health, now_health);
}

void bus_device_health_changed(Manager *m, const Ci *c) {
        _cleanup_free_ char *path = NULL;

        if (!m->bus || !m->bus->name_acquired || !bus_ci_is_device(c))
                return;
        path = bus_device_path(c);
        /* What a health read can change; the disk's identity, controller,
         * arrays and incidents change with their own events.  Every
         * property in one signal made each read walk the inventory and the
         * incidents for nothing. */
        if (path)
                (void) sd_bus_emit_properties_changed(m->bus->bus, path, BUS_IFACE_DEVICE, "HealthAssessment",
                                                      "HealthSnapshot", "TemperatureMKelvin",
                                                      "PowerOnHours", "PowerCycles", "ReallocatedSectors",
                                                      "PendingSectors", "UncorrectableErrors", NULL);
        bus_device_health_check(m, c);
}

/* --- properties --------------------------------------------------------- */

/* The fallback's objects are looked up on each call: find says whether the
 * path names a present disk; getters get the Manager as userdata (sd-bus
 * passes found pointers only, and a Ci has no way back to its Manager) and
 * look the disk up again from the path. */
static Ci *device_from_path(Manager *m, const char *path) {
        _cleanup_free_ char *id = NULL;
        Ci *c;

        if (sd_bus_path_decode(path, BUS_PATH_DEVICE, &id) <= 0 || isempty(id))
                return NULL;
        c = inventory_get(m->inventory, id);
        return bus_ci_is_device(c) ? c : NULL;
}

static int device_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                       sd_bus_error *error) {
        Manager *m = userdata;

        if (!device_from_path(m, path))
                return 0;
        *found = m;
        return 1;
}

static int device_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error) {
        return bus_enumerate_cis(userdata, bus_ci_is_device, bus_device_path, nodes);
}

/* In getters: the Manager and the disk. */
#define DEVICE_ARGS                                                                                                \
        Manager *m = userdata;                                                                                     \
        const Ci *c = device_from_path(m, path);                                                                   \
        if (!c)                                                                                                    \
                return sd_bus_error_setf(error, BUS_ERROR_NOT_FOUND, "The device is gone.")

static int property_get_string(PROPERTY_ARGS) {
        DEVICE_ARGS;
        static const struct {
                const char *name;
                size_t offset;
        } fields[] = {
                { "Id", offsetof(Ci, id) },
                { "Name", offsetof(Ci, name) },
                { "DevNode", offsetof(Ci, devnode) },
                { "ByPath", offsetof(Ci, by_path) },
                { "Vendor", offsetof(Ci, vendor) },
                { "Model", offsetof(Ci, model) },
                { "Serial", offsetof(Ci, serial) },
                { "WWN", offsetof(Ci, wwn) },
                { "Firmware", offsetof(Ci, firmware) },
                { "LUNId", offsetof(Ci, lun_id) },
                { "ControllerId", offsetof(Ci, controller_id) },
                { "UnsupportedReason", offsetof(Ci, unsupported_reason) },
        };

        for (size_t k = 0; k < ELEMENTSOF(fields); k++)
                if (streq(property, fields[k].name))
                        return sd_bus_message_append(reply, "s", strempty(*(char *const *) ((const uint8_t *) c + fields[k].offset)));
        return -EINVAL;
}

static int property_get_number(PROPERTY_ARGS) {
        DEVICE_ARGS;

        if (streq(property, "CapacityBytes"))
                return sd_bus_message_append(reply, "t", c->capacity_bytes);
        if (streq(property, "FirstSeenUSec"))
                return sd_bus_message_append(reply, "t", c->first_seen);
        return sd_bus_message_append(reply, "i", (int32_t) c->rotational);
}

static int property_get_enum(PROPERTY_ARGS) {
        DEVICE_ARGS;

        if (streq(property, "Transport"))
                return sd_bus_message_append(reply, "s", transport_to_string(c->transport));
        return sd_bus_message_append(reply, "s", health_source_to_string(c->health_source));
}

static int property_get_controller(PROPERTY_ARGS) {
        DEVICE_ARGS;
        const Ci *ctrl = inventory_controller_of(m->inventory, c);
        const char *v = NULL;

        if (streq(property, "ControllerName"))
                v = ctrl ? ctrl->name : NULL;
        else if (streq(property, "ControllerDriver"))
                v = ctrl ? ctrl->driver : NULL;
        else if (streq(property, "PCIAddress"))
                v = ctrl ? ctrl->pci_address : NULL;
        return sd_bus_message_append(reply, "s", strempty(v));
}

static int property_get_health(PROPERTY_ARGS) {
        DEVICE_ARGS;
        Reason reasons[REASONS_MAX];
        size_t n = 0;
        int r;

        if (streq(property, "Health"))
                return sd_bus_message_append(reply, "s", bus_device_health(m, c));
        if (streq(property, "HealthAssessment")) {
                HealthAssessment a;
                (void) snapshot_of(m, c, &a, NULL);
                return sd_bus_message_append(reply, "s", strna(health_assessment_to_string(a)));
        }
        if (streq(property, "HealthSnapshot"))
                return bus_message_append_json_dict(reply, snapshot_of(m, c, NULL, NULL));
        (void) device_reasons(m, c, reasons, &n);
        r = sd_bus_message_open_container(reply, 'a', "(sss)");
        for (size_t k = 0; r >= 0 && k < n; k++)
                r = sd_bus_message_append(reply, "(sss)", reasons[k].rank < 0 ? "unknown" : rank_name[MIN(reasons[k].rank, 3)],
                                          reasons[k].source, reasons[k].text);
        if (r >= 0 && n == 0 && c->unsupported_reason)
                r = sd_bus_message_append(reply, "(sss)", "unknown", "health.unsupported", c->unsupported_reason);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

/* Numbers from the latest health read; UINT64_MAX when not read or not
 * reported (the drivers' HEALTH_VALUE_NONE). */
static uint64_t snapshot_u64(json_object *s, const char *key) {
        json_object *v = jget(s, key);

        return v && json_object_is_type(v, json_type_int) ? json_object_get_uint64(v) : HEALTH_VALUE_NONE;
}

static int property_get_counter(PROPERTY_ARGS) {
        DEVICE_ARGS;
        usec_t polled = 0;
        json_object *s = snapshot_of(m, c, NULL, &polled), *v;
        const char *protocol = json_object_get_string(jget(s, "protocol"));
        uint64_t x = HEALTH_VALUE_NONE;

        if (streq(property, "HealthReadUSec"))
                x = polled ?: HEALTH_VALUE_NONE;
        else if (streq(property, "TemperatureMKelvin")) {
                v = jget(s, "temperature_celsius");
                if (v && (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
                        x = (uint64_t) (json_object_get_double(v) * 1000.0 + HEALTH_MKELVIN_OFFSET);
        } else if (streq(property, "PowerOnHours"))
                x = snapshot_u64(s, "power_on_hours");
        else if (streq(property, "PowerCycles"))
                x = snapshot_u64(s, "power_cycles");
        else if (streq(property, "ReallocatedSectors"))
                x = snapshot_u64(s, streq_ptr(protocol, "scsi") ? "grown_defects" : "reallocated_sectors");
        else if (streq(property, "PendingSectors"))
                x = snapshot_u64(s, "pending_sectors");
        else if (streq(property, "UncorrectableErrors"))
                x = streq_ptr(protocol, "nvme") ? snapshot_u64(s, "media_errors")
                    : streq_ptr(protocol, "scsi") ? snapshot_u64(jget(jget(s, "error_counters"), "read"), "total_uncorrected")
                                                  : snapshot_u64(s, "offline_uncorrectable");
        return sd_bus_message_append(reply, "t", x);
}

static int property_get_membership(PROPERTY_ARGS) {
        DEVICE_ARGS;
        _cleanup_free_ Ci **l = NULL;
        int n = inventory_list(m->inventory, &l), r;

        r = sd_bus_message_open_container(reply, 'a', "(sos)");
        for (int k = 0; r >= 0 && k < n; k++) {
                const Ci *a = l[k];
                _cleanup_free_ char *p = NULL;
                const char *role = NULL;

                if (!bus_ci_is_array(a))
                        continue;
                for (size_t i = 0; i < a->n_members && !role; i++)
                        if (streq_ptr(a->members[i].disk_name, c->name) || streq_ptr(a->members[i].name, c->name))
                                role = member_role_to_string(a->members[i].role);
                for (size_t i = 0; i < a->n_paths && !role; i++)
                        if (streq_ptr(a->paths[i].name, c->name))
                                role = path_state_to_string(a->paths[i].state);
                if (!role)
                        continue;
                p = bus_array_path(a);
                if (!p)
                        return -ENOMEM;
                r = sd_bus_message_append(reply, "(sos)", a->name, p, role);
        }
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int property_get_incidents(PROPERTY_ARGS) {
        DEVICE_ARGS;
        _cleanup_free_ Incident **l = NULL;
        bool known = streq(property, "KnownErrors");
        int n = m->incidents ? incident_manager_list(m->incidents, &l) : 0, r;

        r = sd_bus_message_open_container(reply, 'a', "s");
        for (int k = 0; r >= 0 && k < n; k++) {
                const Incident *i = l[k];

                if (!streq_ptr(i->ci_id, c->id))
                        continue;
                if (known) {
                        bool seen = false;
                        if (!i->known_error_id)
                                continue;
                        for (int j = 0; j < k; j++)
                                seen = seen || (streq_ptr(l[j]->ci_id, c->id) && streq_ptr(l[j]->known_error_id, i->known_error_id));
                        if (!seen)
                                r = sd_bus_message_append(reply, "s", i->known_error_id);
                } else if (bus_incident_is_active(i))
                        r = sd_bus_message_append(reply, "s", i->id);
        }
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int property_get_figures(PROPERTY_ARGS) {
        DEVICE_ARGS;

        return bus_append_figure(m, c, property, reply, error);
}

#define P_CHANGE SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE
#define P_CONST SD_BUS_VTABLE_PROPERTY_CONST

static const sd_bus_vtable device_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Id", "s", property_get_string, 0, P_CONST),
        SD_BUS_PROPERTY("Name", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("DevNode", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("ByPath", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("Vendor", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("Model", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("Serial", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("WWN", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("Firmware", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("Transport", "s", property_get_enum, 0, P_CHANGE),
        SD_BUS_PROPERTY("CapacityBytes", "t", property_get_number, 0, P_CHANGE),
        SD_BUS_PROPERTY("Rotational", "i", property_get_number, 0, P_CHANGE),
        SD_BUS_PROPERTY("LUNId", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("ControllerId", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("ControllerName", "s", property_get_controller, 0, P_CHANGE),
        SD_BUS_PROPERTY("ControllerDriver", "s", property_get_controller, 0, P_CHANGE),
        SD_BUS_PROPERTY("PCIAddress", "s", property_get_controller, 0, P_CHANGE),
        SD_BUS_PROPERTY("HealthSource", "s", property_get_enum, 0, P_CHANGE),
        SD_BUS_PROPERTY("UnsupportedReason", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("Health", "s", property_get_health, 0, P_CHANGE),
        SD_BUS_PROPERTY("HealthAssessment", "s", property_get_health, 0, P_CHANGE),
        SD_BUS_PROPERTY("HealthReasons", "a(sss)", property_get_health, 0, P_CHANGE),
        SD_BUS_PROPERTY("HealthSnapshot", "a{sv}", property_get_health, 0, P_CHANGE),
        /* Every read moves it: a signal per disk per read would be noise;
         * the others change only when the snapshot does. */
        SD_BUS_PROPERTY("HealthReadUSec", "t", property_get_counter, 0, 0),
        SD_BUS_PROPERTY("TemperatureMKelvin", "t", property_get_counter, 0, P_CHANGE),
        SD_BUS_PROPERTY("PowerOnHours", "t", property_get_counter, 0, P_CHANGE),
        SD_BUS_PROPERTY("PowerCycles", "t", property_get_counter, 0, P_CHANGE),
        SD_BUS_PROPERTY("ReallocatedSectors", "t", property_get_counter, 0, P_CHANGE),
        SD_BUS_PROPERTY("PendingSectors", "t", property_get_counter, 0, P_CHANGE),
        SD_BUS_PROPERTY("UncorrectableErrors", "t", property_get_counter, 0, P_CHANGE),
        SD_BUS_PROPERTY("Arrays", "a(sos)", property_get_membership, 0, P_CHANGE),
        SD_BUS_PROPERTY("ActiveIncidents", "as", property_get_incidents, 0, P_CHANGE),
        SD_BUS_PROPERTY("KnownErrors", "as", property_get_incidents, 0, P_CHANGE),
        SD_BUS_PROPERTY("Failures", "u", property_get_figures, 0, P_CHANGE),
        SD_BUS_PROPERTY("MTBFUSec", "t", property_get_figures, 0, P_CHANGE),
        SD_BUS_PROPERTY("MTRSUSec", "t", property_get_figures, 0, P_CHANGE),
        SD_BUS_PROPERTY("AvailabilityPercent", "d", property_get_figures, 0, P_CHANGE),
        SD_BUS_PROPERTY("FirstSeenUSec", "t", property_get_number, 0, P_CONST),
        SD_BUS_VTABLE_END
};

int bus_device_add(Manager *m, sd_bus *bus) {
        int r;

        r = sd_bus_add_fallback_vtable(bus, NULL, BUS_PATH_DEVICE, BUS_IFACE_DEVICE, device_vtable, device_find, m);
        if (r < 0)
                return r;
        return sd_bus_add_node_enumerator(bus, NULL, BUS_PATH_DEVICE, device_enumerate, m);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bus connection of storguardd: connect, attach to the Manager's
 * sd-event loop, register the objects, take the name; and the one place
 * where Manager changes become bus traffic.
 */

#include <errno.h>
#include <string.h>

#include "alloc-util.h"
#include "bus-internal.h"
#include "log.h"
#include "manager.h"
#include "string-util.h"

char *bus_device_path(const Ci *c) {
        char *p = NULL;

        return sd_bus_path_encode(BUS_PATH_DEVICE, c->id, &p) < 0 ? NULL : p;
}

char *bus_array_path(const Ci *c) {
        char *p = NULL;

        return sd_bus_path_encode(BUS_PATH_ARRAY, c->id, &p) < 0 ? NULL : p;
}

char *bus_incident_path(const char *id) {
        char *p = NULL;

        return sd_bus_path_encode(BUS_PATH_INCIDENT, id, &p) < 0 ? NULL : p;
}

bool bus_ci_is_device(const Ci *c) {
        return c && c->type == CI_DISK && c->state == CI_STATE_PRESENT;
}

bool bus_ci_is_array(const Ci *c) {
        return c && (c->type == CI_ARRAY || c->type == CI_MULTIPATH) && c->state == CI_STATE_PRESENT;
}

bool bus_incident_concerns(const Incident *i, const char *ci_id) {
        json_object *v;

        if (streq_ptr(i->ci_id, ci_id))
                return true;
        for (size_t k = 0; k < i->n_suspects; k++)
                if (streq_ptr(i->suspects[k].ci_id, ci_id))
                        return true;
        return i->ci && (json_object_object_get_ex(i->ci, "array_id", &v) || json_object_object_get_ex(i->ci, "map_id", &v)) &&
               streq_ptr(json_object_get_string(v), ci_id);
}

int bus_figures(Manager *m, const char *id, usec_t since, IncidentFigures *ret) {
        _cleanup_free_ Incident **all = NULL;
        _cleanup_free_ const Incident **mine = NULL;
        usec_t t = now(CLOCK_REALTIME), from = since ?: t;
        size_t n_mine = 0;
        int n;

        n = m->incidents ? incident_manager_list(m->incidents, &all) : 0;
        if (n < 0)
                return n;
        mine = new0(const Incident *, (size_t) n + 1);
        if (!mine)
                return -ENOMEM;
        for (int k = 0; k < n; k++)
                if (bus_incident_concerns(all[k], id)) {
                        mine[n_mine++] = all[k];
                        if (all[k]->stage_usec[STAGE_DETECTED] > 0)
                                from = MIN(from, all[k]->stage_usec[STAGE_DETECTED]);
                }
        if (from >= t)
                from = t - 1; /* just seen: an empty window still gives 100 % */
        return incident_figures(mine, n_mine, from, t, NULL, ret);
}

int bus_append_figure(Manager *m, const Ci *c, const char *property, sd_bus_message *reply, sd_bus_error *error) {
        IncidentFigures f;
        int r;

        r = bus_figures(m, c->id, c->first_seen, &f);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot compute the figures of '%s': %m", c->id);
        if (streq(property, "MTBFUSec"))
                return sd_bus_message_append(reply, "t", f.mtbf_usec);
        if (streq(property, "MTRSUSec"))
                return sd_bus_message_append(reply, "t", f.mtrs_usec);
        if (streq(property, "Failures"))
                return sd_bus_message_append(reply, "u", f.failures);
        return sd_bus_message_append(reply, "d", f.availability_percent);
}

/* --- start and stop ------------------------------------------------------ */

BusService *bus_service_free(BusService *b) {
        DeviceHealthState *s;

        if (!b)
                return NULL;
        sd_bus_flush_close_unref(b->bus);
        HASHMAP_FOREACH(s, b->health)
                bus_device_health_state_free(s);
        hashmap_free(b->health);
        return mfree(b);
}

int bus_service_start(Manager *m, const char *address) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        BusService *b;
        int r;

        if (address) {
                r = sd_bus_new(&bus);
                if (r < 0)
                        return log_error_errno(r, "Failed to allocate bus connection: %m");
                r = sd_bus_set_address(bus, address);
                if (r < 0)
                        return log_error_errno(r, "Invalid bus address '%s': %m", address);
                (void) sd_bus_set_bus_client(bus, true);
                (void) sd_bus_negotiate_creds(bus, true, SD_BUS_CREDS_EUID | SD_BUS_CREDS_PID);
                r = sd_bus_start(bus);
        } else
                r = sd_bus_open_system(&bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the %s bus%s%s: %m", address ? "private" : "system",
                                       address ? " at " : "", strempty(address));
        (void) sd_bus_set_description(bus, "storguardd");
        /* Finish authentication and Hello now: the inventory scan that
         * follows keeps the event loop busy (minutes for 1,024 disks in the
         * VM lab), and dbus-daemon drops a connection that has not
         * authenticated within its auth_timeout. */
        {
                const char *unique;

                r = sd_bus_get_unique_name(bus, &unique);
                if (r < 0)
                        return log_error_errno(r, "Failed to complete the connection to the %s bus: %m",
                                               address ? "private" : "system");
        }

        if ((r = bus_manager_add(m, bus)) < 0 || (r = bus_device_add(m, bus)) < 0 ||
            (r = bus_array_add(m, bus)) < 0 || (r = bus_incident_add(m, bus)) < 0 ||
            (r = sd_bus_add_object_manager(bus, NULL, BUS_PATH)) < 0)
                return log_error_errno(r, "Failed to register the bus objects: %m");

        r = sd_bus_attach_event(bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");

        b = new0(BusService, 1);
        if (!b || !(b->health = hashmap_new())) {
                free(b);
                return log_oom();
        }
        b->bus = TAKE_PTR(bus);
        m->bus = b;
        return 0;
}

int bus_service_request_name(Manager *m) {
        _cleanup_free_ Ci **l = NULL;
        int n, r;

        if (!m->bus)
                return 0;
        /* What each disk's health is now is the baseline, not news. */
        n = inventory_list(m->inventory, &l);
        for (int k = 0; k < n; k++)
                if (bus_ci_is_device(l[k])) {
                        DeviceHealthState *s = bus_device_health_state(m, l[k]->id, true);
                        if (s && free_and_strdup(&s->health, bus_device_health(m, l[k])) < 0)
                                return log_oom();
                }

        r = sd_bus_request_name(m->bus->bus, BUS_NAME, 0);
        if (r == -EEXIST)
                return log_error_errno(r, "The bus name '%s' is taken: is another storguardd running?", BUS_NAME);
        if (r < 0)
                return log_error_errno(r, "Failed to acquire the bus name '%s': %m", BUS_NAME);
        m->bus->name_acquired = true;
        log_info("Serving %s on the bus.", BUS_NAME);
        return 0;
}

/* --- changes ------------------------------------------------------------ */

static sd_bus *live_bus(Manager *m) {
        return m->bus && m->bus->name_acquired ? m->bus->bus : NULL;
}

void bus_incident_changed(Manager *m, const Incident *i, const char *event_type) {
        _cleanup_free_ char *path = bus_incident_path(i->id);
        sd_bus *bus = live_bus(m);
        const char *signal;
        int r;

        if (!bus || !path)
                return;
        if (streq(event_type, "raised")) {
                r = sd_bus_emit_interfaces_added(bus, path, BUS_IFACE_INCIDENT, NULL);
                signal = "IncidentRaised";
        } else {
                r = sd_bus_emit_properties_changed_strv(bus, path, BUS_IFACE_INCIDENT, NULL);
                signal = streq(event_type, "resolved") ? "IncidentResolved" : "IncidentUpdated";
        }
        if (r < 0)
                log_warning_errno(r, "Failed to announce incident %s on the bus, ignoring: %m", i->id);
        r = sd_bus_emit_signal(bus, BUS_PATH, BUS_IFACE_MANAGER, signal, "sussso", i->id, i->priority,
                               strempty(i->title), incident_status_to_string(i->status), event_type, path);
        if (r < 0)
                log_warning_errno(r, "Failed to send %s for incident %s, ignoring: %m", signal, i->id);
        bus_manager_emit_changed(m);

        /* The disks it names may have changed health. */
        {
                Ci *c = inventory_get(m->inventory, i->ci_id);

                if (bus_ci_is_device(c))
                        bus_device_health_check(m, c);
                for (size_t k = 0; k < i->n_suspects; k++) {
                        Ci *s = inventory_get(m->inventory, i->suspects[k].ci_id);
                        if (s != c && bus_ci_is_device(s))
                                bus_device_health_check(m, s);
                }
        }
}

static void array_members_check(Manager *m, const Ci *c) {
        for (size_t k = 0; k < c->n_members; k++) {
                Ci *d = inventory_disk_of_name(m->inventory, c->members[k].disk_name ?: c->members[k].name);
                if (bus_ci_is_device(d))
                        bus_device_health_check(m, d);
        }
        for (size_t k = 0; k < c->n_paths; k++) {
                Ci *d = inventory_disk_of_name(m->inventory, c->paths[k].name);
                if (bus_ci_is_device(d))
                        bus_device_health_check(m, d);
        }
}

void bus_ci_changed(Manager *m, const Ci *c, InventoryChange change) {
        sd_bus *bus = live_bus(m);
        _cleanup_free_ char *path = NULL;
        const char *iface;
        int r = 0;

        if (!bus || change == INVENTORY_UNCHANGED)
                return;
        if (c->type == CI_DISK) {
                path = bus_device_path(c);
                iface = BUS_IFACE_DEVICE;
        } else if (c->type == CI_ARRAY || c->type == CI_MULTIPATH) {
                path = bus_array_path(c);
                iface = BUS_IFACE_ARRAY;
        } else
                return;
        if (!path)
                return;

        switch (change) {
        case INVENTORY_ADDED:
        case INVENTORY_REAPPEARED:
                r = sd_bus_emit_interfaces_added(bus, path, iface, NULL);
                if (c->type == CI_DISK) {
                        DeviceHealthState *s = bus_device_health_state(m, c->id, true);
                        if (s)
                                (void) free_and_strdup(&s->health, bus_device_health(m, c));
                }
                break;
        case INVENTORY_REMOVED:
                r = sd_bus_emit_interfaces_removed(bus, path, iface, NULL);
                if (c->type == CI_DISK)
                        bus_device_health_state_free(hashmap_remove(m->bus->health, c->id));
                break;
        case INVENTORY_CHANGED:
                r = sd_bus_emit_properties_changed_strv(bus, path, iface, NULL);
                if (c->type == CI_DISK)
                        bus_device_health_check(m, c);
                else
                        array_members_check(m, c);
                break;
        default:
                break;
        }
        if (r < 0)
                log_warning_errno(r, "Failed to announce the change of '%s' on the bus, ignoring: %m", c->name);
        bus_manager_emit_changed(m);
}

int bus_enumerate_cis(Manager *m, bool (*is)(const Ci *c), char *(*path_of)(const Ci *c), char ***ret_nodes) {
        _cleanup_free_ Ci **l = NULL;
        size_t k = 0;
        char **v;
        int n;

        n = inventory_list(m->inventory, &l);
        if (n < 0)
                return n;
        v = new0(char *, (size_t) n + 1);
        if (!v)
                return -ENOMEM;
        for (int i = 0; i < n; i++)
                if (is(l[i]) && !(v[k++] = path_of(l[i]))) {
                        strv_free(v);
                        return -ENOMEM;
                }
        *ret_nodes = v;
        return 0;
}

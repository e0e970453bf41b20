/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.storguard1.Array on /org/storguard1/array/<escaped CI id>: one per
 * present md array and dm-multipath map (a map's paths are its members). */

#include <errno.h>
#include <string.h>

#include "alloc-util.h"
#include "bus-internal.h"
#include "manager.h"
#include "string-util.h"

/* As in bus-device.c: find checks, getters look the CI up from the path. */
static Ci *array_from_path(Manager *m, const char *path) {
        _cleanup_free_ char *id = NULL;
        Ci *c;

        if (sd_bus_path_decode(path, BUS_PATH_ARRAY, &id) <= 0 || isempty(id))
                return NULL;
        c = inventory_get(m->inventory, id);
        return bus_ci_is_array(c) ? c : NULL;
}

static int array_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                      sd_bus_error *error) {
        Manager *m = userdata;

        if (!array_from_path(m, path))
                return 0;
        *found = m;
        return 1;
}

static int array_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error) {
        return bus_enumerate_cis(userdata, bus_ci_is_array, bus_array_path, nodes);
}

#define ARRAY_ARGS                                                                                                 \
        Manager *m = userdata;                                                                                     \
        const Ci *c = array_from_path(m, path);                                                                    \
        if (!c)                                                                                                    \
                return sd_bus_error_setf(error, BUS_ERROR_NOT_FOUND, "The array is gone.")

static int property_get_string(PROPERTY_ARGS) {
        ARRAY_ARGS;
        const char *v = NULL;

        if (streq(property, "Id"))
                v = c->id;
        else if (streq(property, "Name"))
                v = c->name;
        else if (streq(property, "Type"))
                v = c->type == CI_ARRAY ? "md" : "multipath";
        else if (streq(property, "Alias"))
                v = c->alias;
        else if (streq(property, "UUID"))
                v = c->wwn;
        else if (streq(property, "Level"))
                v = c->level;
        else if (streq(property, "State"))
                v = c->array_state;
        else if (streq(property, "SyncAction"))
                v = c->sync_action;
        else if (streq(property, "DevNode"))
                v = c->devnode;
        return sd_bus_message_append(reply, "s", strempty(v));
}

static int property_get_number(PROPERTY_ARGS) {
        ARRAY_ARGS;

        if (streq(property, "RaidDisks"))
                return sd_bus_message_append(reply, "u", c->raid_disks);
        if (streq(property, "DegradedCount"))
                return sd_bus_message_append(reply, "u", c->degraded);
        if (streq(property, "CapacityBytes"))
                return sd_bus_message_append(reply, "t", c->capacity_bytes);
        return sd_bus_message_append(reply, "b", (int) (c->degraded > 0));
}

/* a(ssssso): member name, disk name, role (md: active, rebuilding, spare,
 * faulty; multipath: active, failed), raw state, disk CI id, disk object
 * ("/" when the disk is not known). */
static int property_get_members(PROPERTY_ARGS) {
        ARRAY_ARGS;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(ssssso)");
        for (size_t k = 0; r >= 0 && k < c->n_members; k++) {
                const ArrayMember *a = &c->members[k];
                const Ci *d = inventory_disk_of_name(m->inventory, a->disk_name ?: a->name);
                _cleanup_free_ char *p = bus_ci_is_device(d) ? bus_device_path(d) : NULL;

                r = sd_bus_message_append(reply, "(ssssso)", a->name, strempty(a->disk_name),
                                          member_role_to_string(a->role), strempty(a->state), d ? d->id : "", p ?: "/");
        }
        for (size_t k = 0; r >= 0 && k < c->n_paths; k++) {
                const MultipathPath *a = &c->paths[k];
                const Ci *d = inventory_disk_of_name(m->inventory, a->name);
                _cleanup_free_ char *p = bus_ci_is_device(d) ? bus_device_path(d) : NULL;

                r = sd_bus_message_append(reply, "(ssssso)", a->name, a->name, path_state_to_string(a->state),
                                          strempty(a->device_state), d ? d->id : "", p ?: "/");
        }
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int property_get_incidents(PROPERTY_ARGS) {
        ARRAY_ARGS;
        _cleanup_free_ Incident **l = NULL;
        int n = m->incidents ? incident_manager_list(m->incidents, &l) : 0, r;

        r = sd_bus_message_open_container(reply, 'a', "s");
        for (int k = 0; r >= 0 && k < n; k++)
                if (bus_incident_is_active(l[k]) && bus_incident_concerns(l[k], c->id))
                        r = sd_bus_message_append(reply, "s", l[k]->id);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int property_get_figures(PROPERTY_ARGS) {
        ARRAY_ARGS;

        return bus_append_figure(m, c, property, reply, error);
}

#define P_CHANGE SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE
#define P_CONST SD_BUS_VTABLE_PROPERTY_CONST

static const sd_bus_vtable array_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Id", "s", property_get_string, 0, P_CONST),
        SD_BUS_PROPERTY("Name", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("Type", "s", property_get_string, 0, P_CONST),
        SD_BUS_PROPERTY("Alias", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("DevNode", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("UUID", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("Level", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("State", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("SyncAction", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("CapacityBytes", "t", property_get_number, 0, P_CHANGE),
        SD_BUS_PROPERTY("RaidDisks", "u", property_get_number, 0, P_CHANGE),
        SD_BUS_PROPERTY("DegradedCount", "u", property_get_number, 0, P_CHANGE),
        SD_BUS_PROPERTY("Degraded", "b", property_get_number, 0, P_CHANGE),
        SD_BUS_PROPERTY("Members", "a(ssssso)", property_get_members, 0, P_CHANGE),
        SD_BUS_PROPERTY("ActiveIncidents", "as", property_get_incidents, 0, P_CHANGE),
        SD_BUS_PROPERTY("Failures", "u", property_get_figures, 0, P_CHANGE),
        SD_BUS_PROPERTY("MTBFUSec", "t", property_get_figures, 0, P_CHANGE),
        SD_BUS_PROPERTY("MTRSUSec", "t", property_get_figures, 0, P_CHANGE),
        SD_BUS_PROPERTY("AvailabilityPercent", "d", property_get_figures, 0, P_CHANGE),
        SD_BUS_VTABLE_END
};

int bus_array_add(Manager *m, sd_bus *bus) {
        int r;

        r = sd_bus_add_fallback_vtable(bus, NULL, BUS_PATH_ARRAY, BUS_IFACE_ARRAY, array_vtable, array_find, m);
        if (r < 0)
                return r;
        return sd_bus_add_node_enumerator(bus, NULL, BUS_PATH_ARRAY, array_enumerate, m);
}

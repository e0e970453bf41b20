/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.storguard1.Incident on /org/storguard1/incident/<escaped id>: one per
 * incident the incident manager holds, with every field of the model
 * (incident.h). */

#include <errno.h>
#include <string.h>

#include "alloc-util.h"
#include "bus-internal.h"
#include "bus-json.h"
#include "manager.h"
#include "string-util.h"

static Incident *incident_from_path(Manager *m, const char *path) {
        _cleanup_free_ char *id = NULL;

        if (!m->incidents || sd_bus_path_decode(path, BUS_PATH_INCIDENT, &id) <= 0 || isempty(id))
                return NULL;
        return incident_manager_get(m->incidents, id);
}

static int incident_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                         sd_bus_error *error) {
        Manager *m = userdata;

        if (!incident_from_path(m, path))
                return 0;
        *found = m;
        return 1;
}

static int incident_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error) {
        _cleanup_free_ Incident **l = NULL;
        Manager *m = userdata;
        char **v;
        int n;

        n = m->incidents ? incident_manager_list(m->incidents, &l) : 0;
        if (n < 0)
                return n;
        v = new0(char *, (size_t) n + 1);
        if (!v)
                return -ENOMEM;
        for (int i = 0; i < n; i++)
                if (!(v[i] = bus_incident_path(l[i]->id))) {
                        strv_free(v);
                        return -ENOMEM;
                }
        *nodes = v;
        return 0;
}

#define INCIDENT_ARGS                                                                                              \
        Manager *m = userdata;                                                                                     \
        const Incident *i = incident_from_path(m, path);                                                           \
        if (!i)                                                                                                    \
                return sd_bus_error_setf(error, BUS_ERROR_NOT_FOUND, "The incident is gone.")

static int property_get_string(PROPERTY_ARGS) {
        INCIDENT_ARGS;
        static const struct {
                const char *name;
                size_t offset;
        } fields[] = {
                { "Id", offsetof(Incident, id) },
                { "DedupKey", offsetof(Incident, dedup_key) },
                { "Title", offsetof(Incident, title) },
                { "Description", offsetof(Incident, description) },
                { "Host", offsetof(Incident, host) },
                { "CIId", offsetof(Incident, ci_id) },
                { "AcknowledgedBy", offsetof(Incident, acknowledged_by) },
                { "Workaround", offsetof(Incident, workaround) },
                { "KnownErrorId", offsetof(Incident, known_error_id) },
                { "Cause", offsetof(Incident, cause) },
                { "RelatedId", offsetof(Incident, related_id) },
        };
        const char *v = NULL;

        for (size_t k = 0; k < ELEMENTSOF(fields); k++)
                if (streq(property, fields[k].name))
                        return sd_bus_message_append(reply, "s",
                                                     strempty(*(char *const *) ((const uint8_t *) i + fields[k].offset)));
        if (streq(property, "Category"))
                v = incident_category_to_string(i->category);
        else if (streq(property, "Impact"))
                v = impact_to_string(i->impact);
        else if (streq(property, "Urgency"))
                v = urgency_to_string(i->urgency);
        else if (streq(property, "Status"))
                v = incident_status_to_string(i->status);
        else if (streq(property, "Handling"))
                v = handling_class_to_string(i->handling);
        return sd_bus_message_append(reply, "s", strempty(v));
}

static int property_get_number(PROPERTY_ARGS) {
        INCIDENT_ARGS;
        static const struct {
                const char *name;
                size_t offset;
        } times[] = {
                { "AcknowledgedUSec", offsetof(Incident, acknowledged_usec) },
                { "DetectedUSec", offsetof(Incident, stage_usec[STAGE_DETECTED]) },
                { "DiagnosedUSec", offsetof(Incident, stage_usec[STAGE_DIAGNOSED]) },
                { "RepairedUSec", offsetof(Incident, stage_usec[STAGE_REPAIRED]) },
                { "RecoveredUSec", offsetof(Incident, stage_usec[STAGE_RECOVERED]) },
                { "RestoredUSec", offsetof(Incident, stage_usec[STAGE_RESTORED]) },
                { "ResolvedUSec", offsetof(Incident, resolved_usec) },
                { "ClosedUSec", offsetof(Incident, closed_usec) },
                { "UpdatedUSec", offsetof(Incident, updated_usec) },
                { "Occurrences", offsetof(Incident, occurrences) },
                { "Precursors", offsetof(Incident, precursors) },
                { "Sequence", offsetof(Incident, seq) },
        };

        for (size_t k = 0; k < ELEMENTSOF(times); k++)
                if (streq(property, times[k].name))
                        return sd_bus_message_append(reply, "t", *(const uint64_t *) ((const uint8_t *) i + times[k].offset));
        if (streq(property, "Priority"))
                return sd_bus_message_append(reply, "u", (uint32_t) i->priority);
        return sd_bus_message_append(reply, "b", (int) i->major);
}

static int property_get_ci(PROPERTY_ARGS) {
        INCIDENT_ARGS;

        return bus_message_append_json_dict(reply, i->ci);
}

static int property_get_suspects(PROPERTY_ARGS) {
        INCIDENT_ARGS;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(su)");
        for (size_t k = 0; r >= 0 && k < i->n_suspects; k++)
                r = sd_bus_message_append(reply, "(su)", strempty(i->suspects[k].ci_id),
                                          (uint32_t) i->suspects[k].confidence_percent);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

/* a(tssss): time, action, target CI, mode, result. */
static int property_get_actions(PROPERTY_ARGS) {
        INCIDENT_ARGS;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(tssss)");
        for (size_t k = 0; r >= 0 && k < i->n_actions; k++) {
                const IncidentAction *a = &i->actions[k];
                r = sd_bus_message_append(reply, "(tssss)", a->time_usec, strempty(a->action), strempty(a->target),
                                          strempty(a->mode), strempty(a->result));
        }
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int property_get_evidence(PROPERTY_ARGS) {
        INCIDENT_ARGS;
        size_t n = i->evidence && json_object_is_type(i->evidence, json_type_array)
                           ? json_object_array_length(i->evidence) : 0;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "a{sv}");
        for (size_t k = 0; r >= 0 && k < n; k++)
                r = bus_message_append_json_dict(reply, json_object_array_get_idx(i->evidence, k));
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

#define P_CHANGE SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE
#define P_CONST SD_BUS_VTABLE_PROPERTY_CONST

static const sd_bus_vtable incident_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Id", "s", property_get_string, 0, P_CONST),
        SD_BUS_PROPERTY("DedupKey", "s", property_get_string, 0, P_CONST),
        SD_BUS_PROPERTY("Host", "s", property_get_string, 0, P_CONST),
        SD_BUS_PROPERTY("Title", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("Description", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("Category", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("CIId", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("CI", "a{sv}", property_get_ci, 0, P_CHANGE),
        SD_BUS_PROPERTY("Impact", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("Urgency", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("Priority", "u", property_get_number, 0, P_CHANGE),
        SD_BUS_PROPERTY("Major", "b", property_get_number, 0, P_CHANGE),
        SD_BUS_PROPERTY("Status", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("Handling", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("AcknowledgedBy", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("AcknowledgedUSec", "t", property_get_number, 0, P_CHANGE),
        SD_BUS_PROPERTY("DetectedUSec", "t", property_get_number, 0, P_CHANGE),
        SD_BUS_PROPERTY("DiagnosedUSec", "t", property_get_number, 0, P_CHANGE),
        SD_BUS_PROPERTY("RepairedUSec", "t", property_get_number, 0, P_CHANGE),
        SD_BUS_PROPERTY("RecoveredUSec", "t", property_get_number, 0, P_CHANGE),
        SD_BUS_PROPERTY("RestoredUSec", "t", property_get_number, 0, P_CHANGE),
        SD_BUS_PROPERTY("ResolvedUSec", "t", property_get_number, 0, P_CHANGE),
        SD_BUS_PROPERTY("ClosedUSec", "t", property_get_number, 0, P_CHANGE),
        SD_BUS_PROPERTY("UpdatedUSec", "t", property_get_number, 0, P_CHANGE),
        SD_BUS_PROPERTY("Suspects", "a(su)", property_get_suspects, 0, P_CHANGE),
        SD_BUS_PROPERTY("Actions", "a(tssss)", property_get_actions, 0, P_CHANGE),
        SD_BUS_PROPERTY("Evidence", "aa{sv}", property_get_evidence, 0, P_CHANGE),
        SD_BUS_PROPERTY("Workaround", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("KnownErrorId", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("Cause", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("RelatedId", "s", property_get_string, 0, P_CHANGE),
        SD_BUS_PROPERTY("Occurrences", "t", property_get_number, 0, P_CHANGE),
        SD_BUS_PROPERTY("Precursors", "t", property_get_number, 0, P_CHANGE),
        SD_BUS_PROPERTY("Sequence", "t", property_get_number, 0, P_CHANGE),
        SD_BUS_VTABLE_END
};

int bus_incident_add(Manager *m, sd_bus *bus) {
        int r;

        r = sd_bus_add_fallback_vtable(bus, NULL, BUS_PATH_INCIDENT, BUS_IFACE_INCIDENT, incident_vtable, incident_find, m);
        if (r < 0)
                return r;
        return sd_bus_add_node_enumerator(bus, NULL, BUS_PATH_INCIDENT, incident_enumerate, m);
}

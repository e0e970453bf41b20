/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared between the files of daemon/bus/ only. */

#include "bus.h"
#include "hashmap.h"
#include "health.h"

struct BusService {
        sd_bus *bus;
        bool name_acquired;  /* signals go out only once the name is ours */
        Hashmap *health;     /* disk CI id -> DeviceHealthState: what was last announced */
};

typedef struct DeviceHealthState {
        char *id;                 /* the hash key */
        char *health;             /* "ok", "warning", "failing", "failed" */
} DeviceHealthState;

/* Registration of each interface (one vtable per file). */
int bus_manager_add(Manager *m, sd_bus *bus);
int bus_device_add(Manager *m, sd_bus *bus);
int bus_array_add(Manager *m, sd_bus *bus);
int bus_incident_add(Manager *m, sd_bus *bus);

/* Object paths: sd_bus_path_encode() of the id under each prefix.
 * Return: a new string or NULL on ENOMEM. */
char *bus_device_path(const Ci *c);
char *bus_array_path(const Ci *c);
char *bus_incident_path(const char *id);

/* Which CIs get objects: present disks; present md arrays and multipath maps. */
bool bus_ci_is_device(const Ci *c) _pure_;
bool bus_ci_is_array(const Ci *c) _pure_;

/* bus_enumerate_cis() - the object paths of every CI that is(c) says
 * belongs to an interface (the device and array enumerators). */
int bus_enumerate_cis(Manager *m, bool (*is)(const Ci *c), char *(*path_of)(const Ci *c), char ***ret_nodes);

/* The arguments of every property getter. */
#define PROPERTY_ARGS                                                                                              \
        sd_bus *bus, const char *path, const char *interface, const char *property, sd_bus_message *reply,         \
                void *userdata, sd_bus_error *error

/* bus_device_health() - the overall judgement on a disk: the worst of its
 * latest health read, its role in an array or map (faulty member, failed
 * path) and the active incidents on it; "ok" when nothing is against it
 * (its own assessment, HealthAssessment, may still be "unknown"). */
const char *bus_device_health(Manager *m, const Ci *c);

/* bus_device_health_check() - recompute a disk's health; DeviceHealthChanged
 * and PropertiesChanged when it differs from what was last announced. */
void bus_device_health_check(Manager *m, const Ci *c);
DeviceHealthState *bus_device_health_state(Manager *m, const char *id, bool create);
void bus_device_health_state_free(DeviceHealthState *s);

/* bus_host_health() - "ok", "degraded" or "critical" (bus-manager.c). */
const char *bus_host_health(Manager *m);
void bus_manager_emit_changed(Manager *m);

/* bus_figures() - MTBF, MTRS and availability of a CI from the incidents
 * whose CI (or array) is @id, from the earliest of @since and the first
 * incident to now. */
int bus_figures(Manager *m, const char *id, usec_t since, IncidentFigures *ret);
/* bus_append_figure() - one of the figures properties (MTBFUSec,
 * MTRSUSec, Failures, AvailabilityPercent) of a device or array CI. */
int bus_append_figure(Manager *m, const Ci *c, const char *property, sd_bus_message *reply, sd_bus_error *error);

/* bus_incident_is_active() - open or mitigated. */
static inline bool bus_incident_is_active(const Incident *i) {
        return i->status == INCIDENT_OPEN || i->status == INCIDENT_MITIGATED;
}
/* bus_incident_concerns() - the incident names @ci_id as its CI, a suspect or its array. */
bool bus_incident_concerns(const Incident *i, const char *ci_id) _pure_;

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The D-Bus service org.storguard1 (storguardd(8), "D-BUS INTERFACE"):
 *
 *   /org/storguard1                        org.storguard1.Manager   bus-manager.c
 *   /org/storguard1/device/<escaped id>    org.storguard1.Device    bus-device.c   one per present disk
 *   /org/storguard1/array/<escaped id>     org.storguard1.Array     bus-array.c    one per md array / multipath map
 *   /org/storguard1/incident/<escaped id>  org.storguard1.Incident  bus-incident.c one per incident held
 *
 * plus org.freedesktop.DBus.ObjectManager on /org/storguard1.  Objects
 * below /org/storguard1 are not registered one by one: fallback vtables
 * look them up in the inventory and the incident manager on each call, and
 * node enumerators list them, so they follow the daemon's state live.  The
 * Manager tells the bus what changed (bus_ci_changed(),
 * bus_incident_changed()), which becomes PropertiesChanged, signals and
 * InterfacesAdded/Removed.
 *
 * Reading is open to every local user; the methods that change something
 * need root or membership of [Bus] PrivilegedGroup= (bus-util.c), checked
 * on the caller's credentials as the bus daemon reports them.
 */

#include <systemd/sd-bus.h>

#include "ci.h"
#include "health.h"
#include "incident.h"
#include "inventory.h"

typedef struct Manager Manager;
typedef struct BusService BusService;

#define BUS_NAME "org.storguard1"
#define BUS_PATH "/org/storguard1"
#define BUS_PATH_DEVICE BUS_PATH "/device"
#define BUS_PATH_ARRAY BUS_PATH "/array"
#define BUS_PATH_INCIDENT BUS_PATH "/incident"
#define BUS_IFACE_MANAGER "org.storguard1.Manager"
#define BUS_IFACE_DEVICE "org.storguard1.Device"
#define BUS_IFACE_ARRAY "org.storguard1.Array"
#define BUS_IFACE_INCIDENT "org.storguard1.Incident"

#define BUS_ERROR_NOT_FOUND "org.storguard1.Error.NotFound"
#define BUS_ERROR_NOT_PERMITTED "org.storguard1.Error.NotPermitted"
#define BUS_ERROR_REFUSED "org.storguard1.Error.Refused"
#define BUS_ERROR_INVALID_ARGUMENT "org.storguard1.Error.InvalidArgument"
#define BUS_ERROR_NOT_SUPPORTED "org.storguard1.Error.NotSupported"

/* bus_service_start() - connect to @address (NULL: the system bus), attach
 * to the Manager's event loop and register every object.  The name is
 * requested later, by bus_service_request_name(), once the daemon's state
 * is complete.  Return: 0 or -errno (logged). */
int bus_service_start(Manager *m, const char *address);

/* bus_service_request_name() - take org.storguard1.
 * Return: 0, -EEXIST when another process owns it, other -errno (logged). */
int bus_service_request_name(Manager *m);

BusService *bus_service_free(BusService *b);

/* bus_incident_changed() - an incident changed (@event_type as the
 * incident manager names it: "raised", "updated", "reopened",
 * "acknowledged", "mitigated", "resolved", "closed", "action"):
 * InterfacesAdded for a new one, PropertiesChanged, the Incident* signal,
 * and the Manager's counts. */
void bus_incident_changed(Manager *m, const Incident *i, const char *event_type);

/* bus_ci_changed() - the inventory changed: InterfacesAdded/Removed for
 * devices and arrays that came or went, PropertiesChanged for changed
 * ones, DeviceHealthChanged when a disk's health changed. */
void bus_ci_changed(Manager *m, const Ci *c, InventoryChange change);

/* bus_device_health_changed() - a health read of a disk changed its
 * snapshot (manager_health_snapshot()): PropertiesChanged of the health
 * properties on the Device and, when its health judgement changed,
 * DeviceHealthChanged. */
void bus_device_health_changed(Manager *m, const Ci *c);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * JSON <-> D-Bus values.  The daemon sends the incident model (whose one
 * serialisation is incident_to_json()) as a{sv}; storguardctl turns any
 * reply back into JSON for --json and for its tables.
 *
 *   JSON        D-Bus
 *   string      s
 *   boolean     b
 *   integer     t (>= 0) or x
 *   double      d
 *   object      a{sv}  (null members are left out)
 *   array       av
 */

#include <json-c/json.h>
#include <systemd/sd-bus.h>

/* bus_message_append_json_dict() - append @o (a JSON object) as a{sv}.
 * Return: 0 or -errno. */
int bus_message_append_json_dict(sd_bus_message *m, json_object *o);

/* bus_message_append_json_variant() - append @v as one variant.
 * Return: 0 or -errno. */
int bus_message_append_json_variant(sd_bus_message *m, json_object *v);

/* bus_message_read_json() - read the next complete value of any type:
 * dictionaries become objects (keys as strings), other arrays and structs
 * arrays, variants their content, object paths strings.
 * Return: 1 and a new object (NULL for nothing representable), 0 at the
 * end of the container, -errno. */
int bus_message_read_json(sd_bus_message *m, json_object **ret);

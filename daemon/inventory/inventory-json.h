/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "inventory.h"

/* ci_to_json() - one CI as a JSON object (schema: storguardctl(1),
 * "inventory --json").  Return: a new object or NULL on ENOMEM. */
json_object *ci_to_json(const Inventory *inv, const Ci *c);

/* inventory_to_json() - {"configuration_items": [...]} in list order.
 * @include_removed: also list CIs that are gone. */
json_object *inventory_to_json(const Inventory *inv, bool include_removed);

/* inventory_print_table() - the human-readable listing, one line per CI,
 * device strings made printable. */
int inventory_print_table(const Inventory *inv, FILE *f, bool include_removed);

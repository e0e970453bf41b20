/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "inventory.h"

/* verb_assess() - `storguardctl assess [--json] FILE...`: assess captured
 * SMART data (libatasmart blobs, smartctl --json output).
 * Return: 0 when every file was read, -errno of the last failure. */
int verb_assess(char *const *files, bool json);

/* inventory_json_add_health() - add a "health" object to every present
 * disk in @root (the output of inventory_to_json()), read live through the
 * drivers; disks without a health interface get assessment "unknown" with
 * the reason.  Return: 0 or -ENOMEM. */
int inventory_json_add_health(const Inventory *inv, json_object *root);

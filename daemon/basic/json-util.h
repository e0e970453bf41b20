/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Small json-c helpers shared by every module that writes or reads a JSON
 * record (incidents, webhook envelopes, the diagnosis snapshot).
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "time-util.h"

/* json_put_str() - o[k] = v; nothing when v is NULL.  Return: 0, -ENOMEM. */
int json_put_str(json_object *o, const char *k, const char *v);
/* json_put_u64() - o[k] = v.  Return: 0, -ENOMEM. */
int json_put_u64(json_object *o, const char *k, uint64_t v);
/* json_put_time() - o[k] = v; nothing when v is 0 (never).  Return: 0, -ENOMEM. */
int json_put_time(json_object *o, const char *k, usec_t v);
/* json_put_bool() - o[k] = v.  Return: 0, -ENOMEM. */
int json_put_bool(json_object *o, const char *k, bool v);
/* json_put_obj() - o[k] = a new reference to v; nothing when v is NULL.
 * Return: 0, -ENOMEM. */
int json_put_obj(json_object *o, const char *k, json_object *v);
/* json_put_new() - o[k] = v, taking v's reference (also on failure, when
 * v is released).  Return: 0, -ENOMEM (also when v is NULL). */
int json_put_new(json_object *o, const char *k, json_object *v);

/* json_get_str() - o[k] when it is a string, else NULL (borrowed). */
const char *json_get_str(json_object *o, const char *k);
/* json_get_u64() - o[k] when it is an integer, else 0. */
uint64_t json_get_u64(json_object *o, const char *k);
/* json_get_typed() - o[k] when it has type t, else NULL (borrowed). */
json_object *json_get_typed(json_object *o, const char *k, json_type t);

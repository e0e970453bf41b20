/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "json-util.h"

int json_put_new(json_object *o, const char *k, json_object *v) {
        if (!v || json_object_object_add(o, k, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

int json_put_str(json_object *o, const char *k, const char *v) {
        return v ? json_put_new(o, k, json_object_new_string(v)) : 0;
}

int json_put_u64(json_object *o, const char *k, uint64_t v) {
        return json_put_new(o, k, json_object_new_uint64(v));
}

int json_put_time(json_object *o, const char *k, usec_t v) {
        return v == 0 ? 0 : json_put_u64(o, k, v);
}

int json_put_bool(json_object *o, const char *k, bool v) {
        return json_put_new(o, k, json_object_new_boolean(v));
}

int json_put_obj(json_object *o, const char *k, json_object *v) {
        return v ? json_put_new(o, k, json_object_get(v)) : 0;
}

json_object *json_get_typed(json_object *o, const char *k, json_type t) {
        json_object *v;

        if (!o || !json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, t))
                return NULL;
        return v;
}

const char *json_get_str(json_object *o, const char *k) {
        json_object *v = json_get_typed(o, k, json_type_string);

        return v ? json_object_get_string(v) : NULL;
}

uint64_t json_get_u64(json_object *o, const char *k) {
        json_object *v = json_get_typed(o, k, json_type_int);

        return v ? json_object_get_uint64(v) : 0;
}

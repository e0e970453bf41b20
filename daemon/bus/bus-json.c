/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "bus-json.h"
#include "macro.h"

int bus_message_append_json_variant(sd_bus_message *m, json_object *v) {
        int r;

        switch (json_object_get_type(v)) {
        case json_type_string:
                return sd_bus_message_append(m, "v", "s", json_object_get_string(v));
        case json_type_boolean:
                return sd_bus_message_append(m, "v", "b", (int) json_object_get_boolean(v));
        case json_type_int:
                if (json_object_get_int64(v) < 0)
                        return sd_bus_message_append(m, "v", "x", (int64_t) json_object_get_int64(v));
                return sd_bus_message_append(m, "v", "t", (uint64_t) json_object_get_uint64(v));
        case json_type_double:
                return sd_bus_message_append(m, "v", "d", json_object_get_double(v));
        case json_type_object:
                r = sd_bus_message_open_container(m, 'v', "a{sv}");
                if (r < 0)
                        return r;
                r = bus_message_append_json_dict(m, v);
                if (r < 0)
                        return r;
                return sd_bus_message_close_container(m);
        case json_type_array:
                r = sd_bus_message_open_container(m, 'v', "av");
                if (r >= 0)
                        r = sd_bus_message_open_container(m, 'a', "v");
                if (r < 0)
                        return r;
                for (size_t i = 0; i < json_object_array_length(v); i++) {
                        json_object *e = json_object_array_get_idx(v, i);

                        if (!e)
                                continue;
                        r = bus_message_append_json_variant(m, e);
                        if (r < 0)
                                return r;
                }
                r = sd_bus_message_close_container(m);
                if (r < 0)
                        return r;
                return sd_bus_message_close_container(m);
        default:
                /* null: the caller leaves it out */
                return sd_bus_message_append(m, "v", "s", "");
        }
}

int bus_message_append_json_dict(sd_bus_message *m, json_object *o) {
        int r;

        r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        if (json_object_is_type(o, json_type_object)) {
                json_object_object_foreach(o, key, v) {
                        if (!v)
                                continue;
                        r = sd_bus_message_open_container(m, 'e', "sv");
                        if (r >= 0)
                                r = sd_bus_message_append(m, "s", key);
                        if (r >= 0)
                                r = bus_message_append_json_variant(m, v);
                        if (r >= 0)
                                r = sd_bus_message_close_container(m);
                        if (r < 0)
                                return r;
                }
        }
        return sd_bus_message_close_container(m);
}

static int read_basic(sd_bus_message *m, char type, json_object **ret) {
        union {
                uint8_t u8;
                uint16_t u16;
                int16_t s16;
                uint32_t u32;
                int32_t s32;
                uint64_t u64;
                int64_t s64;
                int b;
                double d;
                const char *s;
        } v;
        json_object *o;
        int r;

        r = sd_bus_message_read_basic(m, type, &v);
        if (r <= 0)
                return r;
        switch (type) {
        case 'y':
                o = json_object_new_int(v.u8);
                break;
        case 'b':
                o = json_object_new_boolean(v.b);
                break;
        case 'n':
                o = json_object_new_int(v.s16);
                break;
        case 'q':
                o = json_object_new_int(v.u16);
                break;
        case 'i':
        case 'h':
                o = json_object_new_int(v.s32);
                break;
        case 'u':
                o = json_object_new_int64(v.u32);
                break;
        case 'x':
                o = json_object_new_int64(v.s64);
                break;
        case 't':
                o = json_object_new_uint64(v.u64);
                break;
        case 'd':
                o = json_object_new_double(v.d);
                break;
        default: /* s, o, g */
                o = json_object_new_string(v.s);
                break;
        }
        if (!o)
                return -ENOMEM;
        *ret = o;
        return 1;
}

int bus_message_read_json(sd_bus_message *m, json_object **ret) {
        const char *contents;
        json_object *o = NULL, *e;
        char type;
        int r;

        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r <= 0)
                return r;

        switch (type) {
        case 'v':
                r = sd_bus_message_enter_container(m, 'v', contents);
                if (r < 0)
                        return r;
                r = bus_message_read_json(m, &o);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0) {
                        json_object_put(o);
                        return r;
                }
                *ret = o;
                return 1;

        case 'a':
        case 'r':
        case 'e': {
                bool dict = type == 'a' && contents[0] == '{';

                r = sd_bus_message_enter_container(m, type, contents);
                if (r < 0)
                        return r;
                o = dict ? json_object_new_object() : json_object_new_array();
                if (!o)
                        return -ENOMEM;
                for (;;) {
                        if (dict) {
                                const char *c;
                                json_object *k = NULL, *v = NULL;
                                char t;

                                r = sd_bus_message_peek_type(m, &t, &c);
                                if (r <= 0)
                                        break;
                                r = sd_bus_message_enter_container(m, 'e', c);
                                if (r < 0)
                                        break;
                                r = bus_message_read_json(m, &k);
                                if (r > 0)
                                        r = bus_message_read_json(m, &v);
                                if (r > 0)
                                        r = sd_bus_message_exit_container(m);
                                if (r >= 0 && k)
                                        json_object_object_add(o, json_object_get_string(k), v);
                                else
                                        json_object_put(v);
                                json_object_put(k);
                                if (r < 0)
                                        break;
                                continue;
                        }
                        e = NULL;
                        r = bus_message_read_json(m, &e);
                        if (r <= 0)
                                break;
                        if (json_object_array_add(o, e) < 0) {
                                json_object_put(e);
                                r = -ENOMEM;
                                break;
                        }
                }
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                if (r < 0) {
                        json_object_put(o);
                        return r;
                }
                *ret = o;
                return 1;
        }
        default:
                return read_basic(m, type, ret);
        }
}

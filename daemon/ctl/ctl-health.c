/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* storguardctl: the health verbs (assess) and health in the inventory. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "alloc-util.h"
#include "ctl-health.h"
#include "health-json.h"
#include "health-read.h"
#include "log.h"
#include "string-util.h"
#include "time-util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);

int verb_assess(char *const *files, bool json) {
        _cleanup_(json_object_putp) json_object *all = NULL;
        int ret = 0;

        if (json) {
                all = json_object_new_array();
                if (!all)
                        return log_oom();
        }
        for (char *const *f = files; f && *f; f++) {
                _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
                HealthParseError e = { .offset = SIZE_MAX };
                json_object *o;
                int r;

                r = health_read_file(*f, &s, &e);
                if (r == -ENOMEM)
                        return log_oom();
                if (r < 0) {
                        ret = r;
                        log_error_errno(r, "Failed to assess '%s': %s", *f, e.message[0] ? e.message : strerror(ERRNO_VALUE(r)));
                        if (!json)
                                continue;
                        o = json_object_new_object();
                        if (!o || json_object_array_add(all, o) < 0 ||
                            json_object_object_add(o, "file", json_object_new_string(*f)) < 0 ||
                            json_object_object_add(o, "error", json_object_new_string(e.message[0] ? e.message : strerror(ERRNO_VALUE(r)))) < 0 ||
                            (e.offset != SIZE_MAX && json_object_object_add(o, "offset", json_object_new_uint64(e.offset)) < 0) ||
                            json_object_object_add(o, "errno", json_object_new_int(ERRNO_VALUE(r))) < 0)
                                return log_oom();
                        continue;
                }
                if (json) {
                        o = health_snapshot_to_json(s);
                        if (!o || json_object_array_add(all, o) < 0) {
                                json_object_put(o);
                                return log_oom();
                        }
                } else {
                        if (f != files)
                                putchar('\n');
                        r = health_snapshot_print(s, stdout);
                        if (r < 0)
                                return log_error_errno(r, "Failed to write output: %m");
                }
        }
        if (json)
                puts(json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        if (fflush(stdout) != 0)
                return log_error_errno(errno, "Failed to write output: %m");
        return ret;
}

static HealthProtocol protocol_of(HealthSource s) {
        switch (s) {
        case HEALTH_SOURCE_ATA:
                return HEALTH_PROTOCOL_ATA;
        case HEALTH_SOURCE_SCSI:
                return HEALTH_PROTOCOL_SCSI;
        case HEALTH_SOURCE_NVME:
                return HEALTH_PROTOCOL_NVME;
        default:
                return _HEALTH_PROTOCOL_INVALID;
        }
}

static json_object *unknown_health(const char *reason) {
        json_object *o = json_object_new_object();

        if (!o || json_object_object_add(o, "assessment", json_object_new_string("unknown")) < 0 ||
            json_object_object_add(o, "error", json_object_new_string(reason)) < 0)
                return json_object_put(o), NULL;
        return o;
}

int inventory_json_add_health(const Inventory *inv, json_object *root) {
        json_object *items = NULL;
        usec_t t = now(CLOCK_REALTIME);
        size_t n;

        if (!json_object_object_get_ex(root, "configuration_items", &items) ||
            !json_object_is_type(items, json_type_array))
                return 0;
        n = json_object_array_length(items);
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_array_get_idx(items, i), *id = NULL, *h;
                const Ci *c;

                if (!json_object_object_get_ex(o, "id", &id))
                        continue;
                c = inventory_get(inv, json_object_get_string(id));
                if (!c || c->type != CI_DISK || c->state != CI_STATE_PRESENT)
                        continue;

                if (c->health_source == HEALTH_SOURCE_NONE || !c->devnode)
                        h = unknown_health(c->unsupported_reason ?: "no health interface for this device");
                else {
                        _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
                        int r = health_read_device(c->devnode, protocol_of(c->health_source), NULL, t, NULL, NULL, &s);

                        if (r == -ENOMEM)
                                return r;
                        if (r < 0)
                                h = unknown_health(strerror(ERRNO_VALUE(r)));
                        else {
                                if (s->error != 0)
                                        log_debug("Health of '%s' unknown: %s", c->devnode, strna(s->error_text));
                                h = health_snapshot_to_json(s);
                        }
                }
                if (!h || json_object_object_add(o, "health", h) < 0) {
                        json_object_put(h);
                        return -ENOMEM;
                }
        }
        return 0;
}

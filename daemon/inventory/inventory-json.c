/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>

#include "alloc-util.h"
#include "inventory-json.h"
#include "string-util.h"

static int add_string(json_object *o, const char *key, const char *v) {
        json_object *s;

        if (!v)
                return 0;
        s = json_object_new_string(v);
        if (!s)
                return -ENOMEM;
        return json_object_object_add(o, key, s) < 0 ? -ENOMEM : 0;
}

static int add_u64(json_object *o, const char *key, uint64_t v) {
        json_object *n = json_object_new_uint64(v);

        if (!n)
                return -ENOMEM;
        return json_object_object_add(o, key, n) < 0 ? -ENOMEM : 0;
}

static int add_time(json_object *o, const char *key, usec_t t) {
        char buf[FORMAT_TIMESTAMP_MAX];

        if (t == 0)
                return 0;
        return add_string(o, key, format_timestamp_utc(buf, sizeof(buf), t));
}

static json_object *members_to_json(const Inventory *inv, const Ci *c) {
        json_object *a = json_object_new_array();

        if (!a)
                return NULL;
        for (size_t i = 0; i < c->n_members; i++) {
                const ArrayMember *m = &c->members[i];
                const Ci *disk = inventory_disk_of_name(inv, m->disk_name);
                json_object *o = json_object_new_object();

                if (!o || json_object_array_add(a, o) < 0) {
                        json_object_put(o);
                        return json_object_put(a), NULL;
                }
                if (add_string(o, "name", m->name) < 0 || add_string(o, "disk", m->disk_name) < 0 ||
                    add_string(o, "disk_id", disk ? disk->id : NULL) < 0 ||
                    add_string(o, "role", member_role_to_string(m->role)) < 0 ||
                    add_string(o, "state", m->state) < 0 || add_u64(o, "errors", m->errors) < 0 ||
                    (m->slot >= 0 && add_u64(o, "slot", (uint64_t) m->slot) < 0))
                        return json_object_put(a), NULL;
        }
        return a;
}

static json_object *paths_to_json(const Inventory *inv, const Ci *c) {
        json_object *a = json_object_new_array();

        if (!a)
                return NULL;
        for (size_t i = 0; i < c->n_paths; i++) {
                const MultipathPath *p = &c->paths[i];
                const Ci *disk = inventory_disk_of_name(inv, p->name);
                json_object *o = json_object_new_object();

                if (!o || json_object_array_add(a, o) < 0) {
                        json_object_put(o);
                        return json_object_put(a), NULL;
                }
                if (add_string(o, "name", p->name) < 0 || add_string(o, "disk_id", disk ? disk->id : NULL) < 0 ||
                    add_string(o, "state", path_state_to_string(p->state)) < 0 ||
                    add_string(o, "device_state", p->device_state) < 0 ||
                    (p->fail_count >= 0 && add_u64(o, "fail_count", (uint64_t) p->fail_count) < 0))
                        return json_object_put(a), NULL;
        }
        return a;
}

json_object *ci_to_json(const Inventory *inv, const Ci *c) {
        json_object *o = json_object_new_object();
        int r = 0;

        if (!o)
                return NULL;
        if (add_string(o, "id", c->id) < 0 || add_string(o, "type", ci_type_to_string(c->type)) < 0 ||
            add_string(o, "state", ci_state_to_string(c->state)) < 0 || add_string(o, "name", c->name) < 0 ||
            add_string(o, "devnode", c->devnode) < 0 || add_string(o, "syspath", c->syspath) < 0 ||
            add_string(o, "by_path", c->by_path) < 0 || add_string(o, "alias", c->alias) < 0 ||
            add_string(o, "vendor", c->vendor) < 0 || add_string(o, "model", c->model) < 0 ||
            add_string(o, "serial", c->serial) < 0 ||
            add_string(o, c->type == CI_ARRAY ? "uuid" : "wwn", c->wwn) < 0 ||
            add_string(o, "firmware", c->firmware) < 0 ||
            add_string(o, "transport", transport_to_string(c->transport)) < 0 ||
            (c->capacity_bytes > 0 && add_u64(o, "capacity_bytes", c->capacity_bytes) < 0) ||
            (c->rotational >= 0 && json_object_object_add(o, "rotational", json_object_new_boolean(c->rotational)) < 0) ||
            add_string(o, "driver", c->driver) < 0 || add_string(o, "pci_address", c->pci_address) < 0 ||
            add_string(o, "controller_id", c->controller_id) < 0 || add_string(o, "pci_id", c->pci_id) < 0 ||
            add_string(o, "lun_id", c->lun_id) < 0 ||
            add_time(o, "first_seen", c->first_seen) < 0 || add_time(o, "last_seen", c->last_seen) < 0 ||
            add_time(o, "removed_at", c->removed_at) < 0)
                r = -ENOMEM;

        if (r >= 0 && c->type == CI_DISK) {
                if (add_string(o, "health_source", health_source_to_string(c->health_source)) < 0 ||
                    add_string(o, "unsupported_reason", c->unsupported_reason) < 0)
                        r = -ENOMEM;
        }
        if (r >= 0 && (c->type == CI_ARRAY || c->type == CI_MULTIPATH)) {
                json_object *l = c->type == CI_ARRAY ? members_to_json(inv, c) : paths_to_json(inv, c);

                if (!l || json_object_object_add(o, c->type == CI_ARRAY ? "members" : "paths", l) < 0 ||
                    add_string(o, "level", c->level) < 0 || add_string(o, "array_state", c->array_state) < 0 ||
                    add_u64(o, c->type == CI_ARRAY ? "raid_disks" : "path_count", c->raid_disks) < 0 ||
                    add_u64(o, c->type == CI_ARRAY ? "degraded" : "failed_paths", c->degraded) < 0 ||
                    add_string(o, "sync_action", c->sync_action) < 0 ||
                    (c->queue_if_no_path >= 0 &&
                     json_object_object_add(o, "queue_if_no_path", json_object_new_boolean(c->queue_if_no_path)) < 0) ||
                    (c->queueing >= 0 && json_object_object_add(o, "queueing", json_object_new_boolean(c->queueing)) < 0))
                        r = -ENOMEM;
        }
        if (r < 0) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

json_object *inventory_to_json(const Inventory *inv, bool include_removed) {
        _cleanup_free_ Ci **l = NULL;
        json_object *root = json_object_new_object(), *a = json_object_new_array();
        int n;

        if (!root || !a || json_object_object_add(root, "configuration_items", a) < 0) {
                json_object_put(a);
                return json_object_put(root), NULL;
        }
        n = inventory_list(inv, &l);
        if (n < 0)
                return json_object_put(root), NULL;
        for (int i = 0; i < n; i++) {
                json_object *o;

                if (!include_removed && l[i]->state != CI_STATE_PRESENT)
                        continue;
                o = ci_to_json(inv, l[i]);
                if (!o || json_object_array_add(a, o) < 0) {
                        json_object_put(o);
                        return json_object_put(root), NULL;
                }
        }
        return root;
}

static void format_size(char *buf, size_t l, uint64_t bytes) {
        static const char *const units[] = { "B", "K", "M", "G", "T", "P", "E" };
        double v = (double) bytes;
        size_t u = 0;

        if (bytes == 0) {
                snprintf(buf, l, "-");
                return;
        }
        while (v >= 1024 && u + 1 < ELEMENTSOF(units)) {
                v /= 1024;
                u++;
        }
        snprintf(buf, l, u == 0 ? "%.0f%s" : "%.1f%s", v, units[u]);
}

static const char *printable(char **store, const char *s, size_t max) {
        free(*store);
        *store = s ? strdup_printable(s, max) : NULL;
        return *store ? *store : "-";
}

int inventory_print_table(const Inventory *inv, FILE *f, bool include_removed) {
        _cleanup_free_ Ci **l = NULL;
        _cleanup_free_ char *a = NULL, *b = NULL, *c2 = NULL, *d = NULL, *e = NULL;
        int n;

        n = inventory_list(inv, &l);
        if (n < 0)
                return n;
        fprintf(f, "%-10s %-12s %-24s %-9s %-8s %-8s %-24s %s\n", "TYPE", "NAME", "MODEL", "FIRMWARE", "TRANSPORT",
                "SIZE", "SERIAL", "HEALTH / STATE");
        for (int i = 0; i < n; i++) {
                const Ci *c = l[i];
                char size[32], note[256];

                if (!include_removed && c->state != CI_STATE_PRESENT)
                        continue;
                format_size(size, sizeof(size), c->capacity_bytes);
                switch (c->type) {
                case CI_DISK:
                        snprintf(note, sizeof(note), "%s%s%s", health_source_to_string(c->health_source),
                                 c->unsupported_reason ? ": " : "", c->unsupported_reason ? "unsupported" : "");
                        break;
                case CI_ARRAY:
                        snprintf(note, sizeof(note), "%s %s, %u/%u degraded", strempty(c->level),
                                 strna(c->array_state), c->degraded, c->raid_disks);
                        break;
                case CI_MULTIPATH:
                        snprintf(note, sizeof(note), "%s, %u of %u paths failed", strna(c->array_state), c->degraded,
                                 c->raid_disks);
                        break;
                default:
                        snprintf(note, sizeof(note), "driver %s", strna(c->driver));
                        break;
                }
                if (c->state == CI_STATE_REMOVED)
                        snprintf(note, sizeof(note), "removed");
                fprintf(f, "%-10s %-12s %-24s %-9s %-8s %-8s %-24s %s\n", ci_type_to_string(c->type),
                        printable(&a, c->name, 12), printable(&b, c->model, 24), printable(&c2, c->firmware, 9),
                        transport_to_string(c->transport), size, printable(&d, c->serial, 24), note);
                if (c->unsupported_reason)
                        fprintf(f, "%-10s %-12s   %s\n", "", "", printable(&e, c->unsupported_reason, 200));
        }
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storguardctl's D-Bus verbs: status, devices, arrays, incidents, show,
 * ack, resolve, close, isolate, reinstate, rescan, reload.  Every reply is
 * turned into JSON once (bus_message_read_json()); --json prints it, else
 * it becomes tables (coloured on a terminal, plain when piped).
 */

#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "alloc-util.h"
#include "bus-json.h"
#include "bus-util.h"
#include "bus.h"
#include "ctl-bus.h"
#include "log.h"
#include "string-util.h"
#include "time-util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);
#define _cleanup_json_ _cleanup_(json_object_putp)

static bool use_colour(void) {
        const char *t = getenv("TERM");

        return isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && !streq_ptr(t, "dumb");
}

/* The colour of a health or status word; NULL for none. */
static const char *word_colour(const char *s) {
        static const struct {
                const char *word, *colour;
        } table[] = {
                { "ok", "\033[0;32m" },       { "active", "\033[0;32m" },   { "resolved", "\033[0;32m" },
                { "warning", "\033[0;33m" },  { "degraded", "\033[0;33m" }, { "mitigated", "\033[0;33m" },
                { "rebuilding", "\033[0;33m" }, { "failing", "\033[0;31m" }, { "failed", "\033[1;31m" },
                { "faulty", "\033[1;31m" },   { "critical", "\033[1;31m" }, { "open", "\033[0;31m" },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq_ptr(s, table[i].word))
                        return table[i].colour;
        return NULL;
}

static void print_word(const char *s, int width) {
        const char *c = use_colour() ? word_colour(s) : NULL;

        if (c)
                printf("%s%s\033[0m%*s", c, s, width > (int) strlen(s) ? width - (int) strlen(s) : 0, "");
        else
                printf("%-*s", width, s);
}

/* --- tables -------------------------------------------------------------- */

#define TABLE_COLUMNS_MAX 8

typedef struct Table {
        const char *header[TABLE_COLUMNS_MAX];
        size_t n_columns;
        char **cells; /* row-major */
        size_t n_cells;
} Table;

static void table_done(Table *t) {
        for (size_t i = 0; i < t->n_cells; i++)
                free(t->cells[i]);
        free(t->cells);
}

static int table_add(Table *t, const char *s) {
        char **n = realloc(t->cells, (t->n_cells + 1) * sizeof(char *));
        char *c = strdup_printable(strempty(s), 200);

        if (!n || !c) {
                free(c);
                if (n)
                        t->cells = n;
                return -ENOMEM;
        }
        t->cells = n;
        t->cells[t->n_cells++] = c;
        return 0;
}

static void table_print(const Table *t) {
        size_t width[TABLE_COLUMNS_MAX] = {};
        bool colour = use_colour();

        for (size_t c = 0; c < t->n_columns; c++)
                width[c] = strlen(t->header[c]);
        for (size_t i = 0; i < t->n_cells; i++)
                width[i % t->n_columns] = MAX(width[i % t->n_columns], strlen(t->cells[i]));
        if (colour)
                fputs("\033[1m", stdout);
        for (size_t c = 0; c < t->n_columns; c++)
                printf("%-*s%s", c + 1 < t->n_columns ? (int) width[c] : 0, t->header[c], c + 1 < t->n_columns ? " " : "");
        puts(colour ? "\033[0m" : "");
        for (size_t i = 0; i < t->n_cells; i++) {
                size_t c = i % t->n_columns;
                bool last = c + 1 == t->n_columns;

                print_word(t->cells[i], last ? 0 : (int) width[c]);
                fputs(last ? "\n" : " ", stdout);
        }
}

/* --- JSON helpers -------------------------------------------------------- */

static const char *jstr(json_object *o, const char *key) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !v)
                return "";
        return json_object_get_string(v);
}

static uint64_t ju64(json_object *o, const char *key) {
        json_object *v;

        return json_object_object_get_ex(o, key, &v) && v ? json_object_get_uint64(v) : 0;
}

/* A list of structs (JSON arrays) as objects with these keys. */
static json_object *rows_to_objects(json_object *rows, const char *const *keys) {
        json_object *a = json_object_new_array();

        if (!a)
                return NULL;
        for (size_t i = 0; i < json_object_array_length(rows); i++) {
                json_object *row = json_object_array_get_idx(rows, i), *o = json_object_new_object();

                if (!o || json_object_array_add(a, o) < 0) {
                        json_object_put(o);
                        return json_object_put(a), NULL;
                }
                for (size_t k = 0; keys[k] && k < json_object_array_length(row); k++)
                        json_object_object_add(o, keys[k], json_object_get(json_object_array_get_idx(row, k)));
        }
        return a;
}

static const char *const device_keys[] = { "id", "name", "transport", "model", "serial", "health", "path", NULL };
static const char *const array_keys[] = { "id", "name", "type", "level", "state", "degraded", "raid_disks", "path", NULL };
static const char *const incident_keys[] = { "id", "priority", "major", "status", "category",
                                             "title", "ci_id", "detected_usec", "path", NULL };

static void print_json(json_object *o) {
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* --- the bus --------------------------------------------------------------- */

static int bus_connect(const char *address, sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        if (address) {
                r = sd_bus_new(&bus);
                if (r >= 0)
                        r = sd_bus_set_address(bus, address);
                if (r >= 0)
                        r = sd_bus_set_bus_client(bus, true);
                if (r >= 0)
                        r = sd_bus_start(bus);
        } else
                r = sd_bus_open_system(&bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the %s bus%s%s: %m", address ? "" : "system",
                                       address ? " at " : "", strempty(address));
        *ret = TAKE_PTR(bus);
        return 0;
}

static int call_error(const char *what, const sd_bus_error *e, int r) {
        if (sd_bus_error_has_name(e, "org.freedesktop.DBus.Error.ServiceUnknown") ||
            sd_bus_error_has_name(e, "org.freedesktop.DBus.Error.NameHasNoOwner"))
                return log_error_errno(r, "Failed to %s: storguardd is not running (%s is not on the bus).", what,
                                       BUS_NAME);
        return log_error_errno(r, "Failed to %s: %s", what, e && e->message ? e->message : strerror(ERRNO_VALUE(r)));
}

/* call_json() - call @member of the Manager; *ret: its first return value
 * as JSON (NULL when it returns nothing).  Return: 0 or -errno (logged). */
static int call_json(sd_bus *bus, const char *what, const char *member, json_object **ret, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        json_object *o = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, BUS_NAME, BUS_PATH, BUS_IFACE_MANAGER, member);
        if (r >= 0 && types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to build the call to %s(): %m", member);
        r = sd_bus_call(bus, m, 0, &e, &reply);
        if (r < 0)
                return call_error(what, &e, r);
        if (ret) {
                r = bus_message_read_json(reply, &o);
                if (r < 0)
                        return log_error_errno(r, "Failed to read the reply of %s(): %m", member);
                *ret = o;
        }
        return 0;
}

static int get_all(sd_bus *bus, const char *path, const char *iface, json_object **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        json_object *o = NULL;
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll", &e, &reply, "s", iface);
        if (r < 0)
                return call_error("read the properties", &e, r);
        r = bus_message_read_json(reply, &o);
        if (r < 0)
                return log_error_errno(r, "Failed to read the properties of '%s': %m", path);
        *ret = o;
        return 0;
}

/* --- printing values ----------------------------------------------------- */

static bool key_is_time(const char *key, bool in_lifecycle) {
        return in_lifecycle || endswith(key, "_usec") || (endswith(key, "USec") && !strstr(key, "MTBF") && !strstr(key, "MTRS"));
}

static void print_value(const char *key, json_object *v, bool in_lifecycle) {
        char buf[FORMAT_TIMESTAMP_MAX];

        if (json_object_is_type(v, json_type_int)) {
                uint64_t u = json_object_get_uint64(v);

                if (u == UINT64_MAX && json_object_get_int64(v) >= 0)
                        fputs("n/a", stdout);
                else if (key_is_time(key, in_lifecycle))
                        fputs(u == 0 ? "-" : format_timestamp_utc(buf, sizeof(buf), u), stdout);
                else if (strstr(key, "MTBF") || strstr(key, "MTRS")) {
                        char span[FORMAT_TIMESPAN_MAX];
                        fputs(u == 0 ? "-" : format_timespan(span, sizeof(span), u), stdout);
                } else if (streq(key, "TemperatureMKelvin"))
                        printf("%.1f °C", ((double) u - 273150.0) / 1000.0);
                else
                        printf("%" PRIu64, u);
        } else if (json_object_is_type(v, json_type_double))
                printf("%.4g", json_object_get_double(v));
        else {
                _cleanup_free_ char *s = strdup_printable(json_object_get_string(v), 400);
                print_word(strempty(s), 0);
        }
}

static void print_dict(json_object *o, int indent, bool in_lifecycle) {
        size_t width = 0;

        json_object_object_foreach(o, k0, v0) {
                (void) v0;
                width = MAX(width, strlen(k0));
        }
        json_object_object_foreach(o, key, v) {
                if (!v)
                        continue;
                if (json_object_is_type(v, json_type_string) && isempty(json_object_get_string(v)))
                        continue; /* nothing to say */
                printf("%*s%*s: ", indent, "", (int) width, key);
                if (json_object_is_type(v, json_type_object)) {
                        putchar('\n');
                        print_dict(v, indent + 4, streq(key, "lifecycle"));
                } else if (json_object_is_type(v, json_type_array)) {
                        size_t n = json_object_array_length(v);

                        if (n == 0) {
                                puts("-");
                                continue;
                        }
                        putchar('\n');
                        for (size_t i = 0; i < n; i++) {
                                json_object *e = json_object_array_get_idx(v, i);

                                printf("%*s- ", indent + 4, "");
                                if (json_object_is_type(e, json_type_object)) {
                                        putchar('\n');
                                        print_dict(e, indent + 6, false);
                                } else if (json_object_is_type(e, json_type_array)) {
                                        for (size_t j = 0; j < json_object_array_length(e); j++) {
                                                if (j > 0)
                                                        fputs("  ", stdout);
                                                print_value(key, json_object_array_get_idx(e, j), false);
                                        }
                                        putchar('\n');
                                } else {
                                        print_value(key, e, false);
                                        putchar('\n');
                                }
                        }
                } else {
                        print_value(key, v, in_lifecycle);
                        putchar('\n');
                }
        }
}

/* --- reading verbs ------------------------------------------------------- */

static int list(sd_bus *bus, const char *member, const char *const *keys, json_object **ret, const char *types, ...) {
        _cleanup_json_ json_object *rows = NULL;
        int r;

        if (types) {
                const char *status;
                uint32_t prio;
                va_list ap;

                /* Only ListIncidents takes arguments ("su"). */
                va_start(ap, types);
                status = va_arg(ap, const char *);
                prio = va_arg(ap, uint32_t);
                va_end(ap);
                r = call_json(bus, "list incidents", member, &rows, types, status, prio);
        } else
                r = call_json(bus, "list", member, &rows, NULL);
        if (r < 0)
                return r;
        *ret = rows_to_objects(rows, keys);
        return *ret ? 0 : log_oom();
}

static int print_devices(json_object *devices, sd_bus *bus, bool problems_only) {
        Table t = { .header = { "DEVICE", "TRANSPORT", "MODEL", "SERIAL", "HEALTH", "ID" }, .n_columns = 6 };
        int r = 0;

        if (problems_only) {
                t = (Table) { .header = { "DEVICE", "MODEL", "SERIAL", "HEALTH", "REASON" }, .n_columns = 5 };
        }
        for (size_t i = 0; r >= 0 && i < json_object_array_length(devices); i++) {
                json_object *d = json_object_array_get_idx(devices, i);

                if (problems_only) {
                        _cleanup_json_ json_object *props = NULL;
                        json_object *reasons, *first;

                        if (streq(jstr(d, "health"), "ok"))
                                continue;
                        r = get_all(bus, jstr(d, "path"), BUS_IFACE_DEVICE, &props);
                        if (r < 0)
                                break;
                        /* The reason behind the verdict: the first at its level. */
                        first = NULL;
                        if (json_object_object_get_ex(props, "HealthReasons", &reasons))
                                for (size_t k = 0; !first && k < json_object_array_length(reasons); k++) {
                                        json_object *x = json_object_array_get_idx(reasons, k);
                                        if (streq(strempty(json_object_get_string(json_object_array_get_idx(x, 0))),
                                                  jstr(d, "health")))
                                                first = json_object_array_get_idx(x, 2);
                                }
                        if ((r = table_add(&t, jstr(d, "name"))) < 0 || (r = table_add(&t, jstr(d, "model"))) < 0 ||
                            (r = table_add(&t, jstr(d, "serial"))) < 0 || (r = table_add(&t, jstr(d, "health"))) < 0 ||
                            (r = table_add(&t, first ? json_object_get_string(first) : "")) < 0)
                                break;
                        continue;
                }
                if ((r = table_add(&t, jstr(d, "name"))) < 0 || (r = table_add(&t, jstr(d, "transport"))) < 0 ||
                    (r = table_add(&t, jstr(d, "model"))) < 0 || (r = table_add(&t, jstr(d, "serial"))) < 0 ||
                    (r = table_add(&t, jstr(d, "health"))) < 0 || (r = table_add(&t, jstr(d, "id"))) < 0)
                        break;
        }
        if (r >= 0 && t.n_cells > 0)
                table_print(&t);
        else if (r >= 0)
                puts(problems_only ? "No device with problems." : "No devices.");
        table_done(&t);
        return r;
}

static int print_arrays(json_object *arrays) {
        Table t = { .header = { "ARRAY", "TYPE", "LEVEL", "STATE", "MISSING", "ID" }, .n_columns = 6 };
        int r = 0;

        for (size_t i = 0; r >= 0 && i < json_object_array_length(arrays); i++) {
                json_object *a = json_object_array_get_idx(arrays, i);
                char missing[64];

                snprintf(missing, sizeof(missing), "%" PRIu64 " of %" PRIu64, ju64(a, "degraded"), ju64(a, "raid_disks"));
                if ((r = table_add(&t, jstr(a, "name"))) < 0 || (r = table_add(&t, jstr(a, "type"))) < 0 ||
                    (r = table_add(&t, jstr(a, "level"))) < 0 ||
                    (r = table_add(&t, ju64(a, "degraded") > 0 ? "degraded" : jstr(a, "state"))) < 0 ||
                    (r = table_add(&t, missing)) < 0 || (r = table_add(&t, jstr(a, "id"))) < 0)
                        break;
        }
        if (r >= 0 && t.n_cells > 0)
                table_print(&t);
        else if (r >= 0)
                puts("No arrays or multipath maps.");
        table_done(&t);
        return r;
}

static int print_incidents(json_object *incidents) {
        Table t = { .header = { "INCIDENT", "PRIORITY", "STATUS", "DETECTED", "TITLE" }, .n_columns = 5 };
        int r = 0;

        for (size_t i = 0; r >= 0 && i < json_object_array_length(incidents); i++) {
                json_object *o = json_object_array_get_idx(incidents, i), *major;
                char prio[32], when[FORMAT_TIMESTAMP_MAX];

                snprintf(prio, sizeof(prio), "%" PRIu64 "%s", ju64(o, "priority"),
                         json_object_object_get_ex(o, "major", &major) && json_object_get_boolean(major) ? " major" : "");
                if ((r = table_add(&t, jstr(o, "id"))) < 0 || (r = table_add(&t, prio)) < 0 ||
                    (r = table_add(&t, jstr(o, "status"))) < 0 ||
                    (r = table_add(&t, ju64(o, "detected_usec") ? format_timestamp_utc(when, sizeof(when), ju64(o, "detected_usec")) : "-")) < 0 ||
                    (r = table_add(&t, jstr(o, "title"))) < 0)
                        break;
        }
        if (r >= 0 && t.n_cells > 0)
                table_print(&t);
        else if (r >= 0)
                puts("No incidents.");
        table_done(&t);
        return r;
}

static int verb_status(sd_bus *bus, char **args, const CtlBusArgs *a) {
        _cleanup_json_ json_object *mgr = NULL, *devices = NULL, *arrays = NULL, *incidents = NULL;
        json_object *by_prio;
        const char *health;
        int r;

        if ((r = get_all(bus, BUS_PATH, BUS_IFACE_MANAGER, &mgr)) < 0 ||
            (r = list(bus, "ListArrays", array_keys, &arrays, NULL)) < 0 ||
            (r = list(bus, "ListDevices", device_keys, &devices, NULL)) < 0 ||
            (r = list(bus, "ListIncidents", incident_keys, &incidents, "su", "", (uint32_t) 0)) < 0)
                return r;
        health = jstr(mgr, "OverallHealth");

        if (a->json) {
                _cleanup_json_ json_object *o = json_object_new_object();
                json_object *problems = json_object_new_array();

                if (!o || !problems)
                        return json_object_put(problems), log_oom();
                for (size_t i = 0; i < json_object_array_length(devices); i++) {
                        json_object *d = json_object_array_get_idx(devices, i);
                        if (!streq(jstr(d, "health"), "ok"))
                                json_object_array_add(problems, json_object_get(d));
                }
                json_object_object_add(o, "manager", json_object_get(mgr));
                json_object_object_add(o, "arrays", json_object_get(arrays));
                json_object_object_add(o, "problem_devices", problems);
                json_object_object_add(o, "open_incidents", json_object_get(incidents));
                print_json(o);
        } else {
                printf("Host:      %s (storguard %s, host id %s)\n", jstr(mgr, "HostName"), jstr(mgr, "Version"),
                       jstr(mgr, "HostId"));
                fputs("Health:    ", stdout);
                print_word(health, 0);
                printf("\nPolicy:    %s\n", jstr(mgr, "PolicyMode"));
                printf("Devices:   %" PRIu64 "   Arrays: %" PRIu64 "\n", ju64(mgr, "Devices"), ju64(mgr, "Arrays"));
                printf("Incidents: %" PRIu64 " open (%" PRIu64 " major)", ju64(mgr, "OpenIncidents"),
                       ju64(mgr, "MajorIncidents"));
                if (json_object_object_get_ex(mgr, "OpenIncidentsByPriority", &by_prio))
                        for (size_t i = 0; i < json_object_array_length(by_prio); i++)
                                printf("%s P%zu: %" PRIu64, i == 0 ? " —" : ",", i + 1,
                                       json_object_get_uint64(json_object_array_get_idx(by_prio, i)));
                puts("\n");
                if ((r = print_arrays(arrays)) < 0)
                        return r;
                putchar('\n');
                if ((r = print_devices(devices, bus, true)) < 0)
                        return r;
                putchar('\n');
                if ((r = print_incidents(incidents)) < 0)
                        return r;
        }
        return streq(health, "ok") ? CTL_EXIT_OK : CTL_EXIT_UNHEALTHY;
}

static int verb_devices(sd_bus *bus, char **args, const CtlBusArgs *a) {
        _cleanup_json_ json_object *devices = NULL;
        int r;

        r = list(bus, "ListDevices", device_keys, &devices, NULL);
        if (r < 0)
                return r;
        if (a->json) {
                print_json(devices);
                return 0;
        }
        return print_devices(devices, bus, false);
}

static int verb_arrays(sd_bus *bus, char **args, const CtlBusArgs *a) {
        _cleanup_json_ json_object *arrays = NULL;
        int r;

        r = list(bus, "ListArrays", array_keys, &arrays, NULL);
        if (r < 0)
                return r;
        if (a->json) {
                print_json(arrays);
                return 0;
        }
        return print_arrays(arrays);
}

static int verb_incidents(sd_bus *bus, char **args, const CtlBusArgs *a) {
        _cleanup_json_ json_object *incidents = NULL;
        int r;

        r = list(bus, "ListIncidents", incident_keys, &incidents, "su", a->all ? "all" : "", (uint32_t) a->priority);
        if (r < 0)
                return r;
        if (a->json) {
                print_json(incidents);
                return 0;
        }
        return print_incidents(incidents);
}

/* show ID|DEVICE|ARRAY: an incident by id, else a disk or an array by
 * kernel name or id. */
static int verb_show(sd_bus *bus, char **args, const CtlBusArgs *a) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_json_ json_object *o = NULL, *devices = NULL, *arrays = NULL;
        const char *what = args[0];
        int r;

        if (bus_valid_id(what)) {
                r = sd_bus_call_method(bus, BUS_NAME, BUS_PATH, BUS_IFACE_MANAGER, "GetIncident", &e, &reply, "s", what);
                if (r >= 0) {
                        r = bus_message_read_json(reply, &o);
                        if (r < 0)
                                return log_error_errno(r, "Failed to read the incident: %m");
                } else if (!sd_bus_error_has_name(&e, BUS_ERROR_NOT_FOUND))
                        return call_error("get the incident", &e, r);
        }
        if (!o) {
                if ((r = list(bus, "ListDevices", device_keys, &devices, NULL)) < 0 ||
                    (r = list(bus, "ListArrays", array_keys, &arrays, NULL)) < 0)
                        return r;
                for (size_t k = 0; !o && k < 2; k++) {
                        json_object *l = k == 0 ? devices : arrays;

                        for (size_t i = 0; i < json_object_array_length(l); i++) {
                                json_object *x = json_object_array_get_idx(l, i);

                                if (streq(jstr(x, "name"), what) || streq(jstr(x, "id"), what)) {
                                        r = get_all(bus, jstr(x, "path"), k == 0 ? BUS_IFACE_DEVICE : BUS_IFACE_ARRAY, &o);
                                        if (r < 0)
                                                return r;
                                        break;
                                }
                        }
                }
        }
        if (!o)
                return log_error_errno(ENOENT, "No incident, device or array '%s'.", what);
        if (a->json)
                print_json(o);
        else
                print_dict(o, 0, false);
        return 0;
}

/* --- changing verbs ------------------------------------------------------ */

static int verb_ack(sd_bus *bus, char **args, const CtlBusArgs *a) {
        const char *who = a->who;
        int r;

        if (!who) {
                struct passwd *pw = getpwuid(getuid());
                who = pw ? pw->pw_name : "";
        }
        r = call_json(bus, "acknowledge the incident", "Acknowledge", NULL, "sss", args[0], who, strempty(a->comment));
        if (r < 0)
                return r;
        printf("Acknowledged %s as '%s'.\n", args[0], who);
        return 0;
}

static int verb_resolve(sd_bus *bus, char **args, const CtlBusArgs *a) {
        int r = call_json(bus, "resolve the incident", "Resolve", NULL, "ss", args[0], strempty(a->comment));

        if (r >= 0)
                printf("Resolved %s.\n", args[0]);
        return r;
}

static int verb_close(sd_bus *bus, char **args, const CtlBusArgs *a) {
        int r = call_json(bus, "close the incident", "Close", NULL, "s", args[0]);

        if (r >= 0)
                printf("Closed %s.\n", args[0]);
        return r;
}

static int verb_isolate(sd_bus *bus, char **args, const CtlBusArgs *a) {
        _cleanup_json_ json_object *result = NULL;
        int r;

        if (isempty(a->reason))
                return log_error_errno(EINVAL, "'isolate' needs --reason=TEXT: it is recorded on the incident.");
        r = call_json(bus, "isolate the device", "Isolate", &result, "ss", args[0], a->reason);
        if (r >= 0)
                puts(json_object_get_string(result));
        return r;
}

static int verb_reinstate(sd_bus *bus, char **args, const CtlBusArgs *a) {
        _cleanup_json_ json_object *result = NULL;
        int r = call_json(bus, "reinstate the device", "Reinstate", &result, "s", args[0]);

        if (r >= 0)
                puts(json_object_get_string(result));
        return r;
}

static int verb_rescan(sd_bus *bus, char **args, const CtlBusArgs *a) {
        _cleanup_json_ json_object *n = NULL;
        int r = call_json(bus, "rescan", "Rescan", &n, NULL);

        if (r >= 0)
                printf("Rescanned: %s configuration items.\n", json_object_get_string(n));
        return r;
}

static int verb_reload(sd_bus *bus, char **args, const CtlBusArgs *a) {
        int r = call_json(bus, "reload the configuration", "Reload", NULL, NULL);

        if (r >= 0)
                puts("Configuration reloaded.");
        return r;
}

typedef struct Verb {
        const char *name;
        int n_args; /* exactly */
        int (*run)(sd_bus *bus, char **args, const CtlBusArgs *a);
} Verb;

static const Verb verbs[] = {
        { "status", 0, verb_status },     { "devices", 0, verb_devices },     { "arrays", 0, verb_arrays },
        { "incidents", 0, verb_incidents }, { "show", 1, verb_show },       { "ack", 1, verb_ack },
        { "resolve", 1, verb_resolve },   { "close", 1, verb_close },         { "isolate", 1, verb_isolate },
        { "reinstate", 1, verb_reinstate }, { "rescan", 0, verb_rescan },   { "reload", 0, verb_reload },
};

bool ctl_bus_is_verb(const char *verb) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, verb))
                        return true;
        return false;
}

int ctl_bus_run(const char *verb, char **args, int n_args, const CtlBusArgs *a) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        const Verb *v = NULL;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, verb))
                        v = &verbs[i];
        if (!v)
                return CTL_EXIT_USAGE;
        if (n_args != v->n_args) {
                log_error("'%s' takes %s.", verb, v->n_args == 0 ? "no arguments" : "one argument");
                return CTL_EXIT_USAGE;
        }
        if (a->priority > 5) {
                log_error("--priority= takes 1 (highest) to 5.");
                return CTL_EXIT_USAGE;
        }
        if (bus_connect(a->bus_address, &bus) < 0)
                return CTL_EXIT_ERROR;
        r = v->run(bus, args, a);
        if (fflush(stdout) != 0)
                return log_error_errno(errno, "Failed to write output: %m"), CTL_EXIT_ERROR;
        return r < 0 ? CTL_EXIT_ERROR : r;
}

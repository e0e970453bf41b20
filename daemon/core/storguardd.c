/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* storguardd - the storguard daemon.  See storguardd(8). */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "alloc-util.h"
#include "configuration.h"
#include "inventory-json.h"
#include "log.h"
#include "manager.h"
#include "message-ids.h"
#include "paths.h"
#include "string-util.h"

typedef struct Args {
        const char *config_path;
        bool config_explicit;
        bool inventory;
        bool json;
        const char *bus_address; /* NULL: the system bus */
        const char *state_dir;   /* NULL: StateDirectory= */
        int log_level; /* -1: from the configuration */
} Args;

static void help(void) {
        printf("%s [OPTIONS...]\n\n"
               "Storage health daemon: watches disks, controllers, md arrays and\n"
               "multipath maps, and reports incidents.\n\n"
               "  -h --help             Show this help\n"
               "     --version          Show the version\n"
               "     --config=PATH      Configuration file (default: %s)\n"
               "     --log-level=LEVEL  Override LogLevel= (err, warning, notice, info, debug)\n"
               "     --log-target=T     auto, console, journal or null (default: auto)\n"
               "     --bus-address=ADDR Serve on this D-Bus address instead of the system bus\n"
               "     --state-dir=DIR    Keep the incident store in DIR (overrides StateDirectory=)\n"
               "     --inventory        Print the inventory once and exit\n"
               "     --json             With --inventory: print JSON\n",
               program_invocation_short_name, STORGUARD_CONF_FILE);
}

static int parse_argv(int argc, char *argv[], Args *a) {
        enum {
                ARG_VERSION = 0x100,
                ARG_CONFIG,
                ARG_LOG_LEVEL,
                ARG_LOG_TARGET,
                ARG_INVENTORY,
                ARG_JSON,
                ARG_BUS_ADDRESS,
                ARG_STATE_DIR,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "config", required_argument, NULL, ARG_CONFIG },
                { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
                { "log-target", required_argument, NULL, ARG_LOG_TARGET },
                { "inventory", no_argument, NULL, ARG_INVENTORY },
                { "json", no_argument, NULL, ARG_JSON },
                { "bus-address", required_argument, NULL, ARG_BUS_ADDRESS },
                { "state-dir", required_argument, NULL, ARG_STATE_DIR },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("storguardd %s\n", PACKAGE_VERSION);
                        return 0;
                case ARG_CONFIG:
                        a->config_path = optarg;
                        a->config_explicit = true;
                        break;
                case ARG_LOG_LEVEL:
                        a->log_level = log_level_from_string(optarg);
                        if (a->log_level < 0)
                                return log_error_errno(EINVAL, "Invalid --log-level= value '%s'.", optarg);
                        break;
                case ARG_LOG_TARGET: {
                        LogTarget t = log_target_from_string(optarg);
                        if (t < 0)
                                return log_error_errno(EINVAL, "Invalid --log-target= value '%s'.", optarg);
                        log_set_target(t);
                        break;
                }
                case ARG_INVENTORY:
                        a->inventory = true;
                        break;
                case ARG_JSON:
                        a->json = true;
                        break;
                case ARG_BUS_ADDRESS:
                        if (isempty(optarg))
                                return log_error_errno(EINVAL, "--bus-address= needs an address.");
                        a->bus_address = optarg;
                        break;
                case ARG_STATE_DIR:
                        if (optarg[0] != '/')
                                return log_error_errno(EINVAL, "--state-dir= needs an absolute path, not '%s'.", optarg);
                        a->state_dir = optarg;
                        break;
                case '?':
                        return -EINVAL;
                default:
                        return -EINVAL;
                }
        if (optind < argc)
                return log_error_errno(EINVAL, "%s takes no arguments.", program_invocation_short_name);
        if (a->json && !a->inventory)
                return log_error_errno(EINVAL, "--json goes with --inventory.");
        return 1;
}

static int print_inventory(Manager *m, bool json) {
        int r;

        r = manager_scan(m);
        if (r < 0)
                return r;
        if (json) {
                json_object *o = inventory_to_json(m->inventory, false);
                if (!o)
                        return log_oom();
                puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
                json_object_put(o);
                return 0;
        }
        return inventory_print_table(m->inventory, stdout, false);
}

int main(int argc, char *argv[]) {
        _cleanup_(manager_freep) Manager *m = NULL;
        Args a = { .config_path = STORGUARD_CONF_FILE, .log_level = -1 };
        int r;

        r = parse_argv(argc, argv, &a);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        if (a.inventory)
                log_set_max_level(LOG_WARNING); /* the listing is the output */

        r = manager_new(a.config_path, !a.config_explicit, &m);
        if (r < 0)
                return EXIT_FAILURE;
        if (a.log_level >= 0)
                log_set_max_level(a.log_level);
        else if (a.inventory)
                log_set_max_level(MIN(m->config.log_level, LOG_WARNING));

        if (a.inventory)
                return print_inventory(m, a.json) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        if (a.state_dir && (free_and_strdup(&m->state_dir_override, a.state_dir) < 0 ||
                            free_and_strdup(&m->config.state_directory, a.state_dir) < 0))
                return log_oom(), EXIT_FAILURE;
        if (a.bus_address && !(m->bus_address = strdup(a.bus_address)))
                return log_oom(), EXIT_FAILURE;

        log_event(LOG_INFO, SG_MESSAGE_STARTED,
                  LOG_FIELDS({ "STORGUARD_VERSION", PACKAGE_VERSION }, { "STORGUARD_PATH", a.config_path }),
                  "storguardd %s starting (configuration '%s').", PACKAGE_VERSION, a.config_path);
        r = manager_start(m);
        if (r < 0)
                return EXIT_FAILURE;
        r = manager_run(m);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* storguardctl - query and control storguard.  See storguardctl(1). */

#include <errno.h>
#include <getopt.h>
#include <libudev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configuration.h"
#include "ctl-bus.h"
#include "ctl-health.h"
#include "ctl-replay.h"
#include "ctl-webhook.h"
#include "inventory-json.h"
#include "inventory-udev.h"
#include "log.h"
#include "paths.h"
#include "string-util.h"

/* Exit codes a script can rely on (storguardctl(1)): CTL_EXIT_* in ctl-bus.h. */
enum {
        EXIT_OK = CTL_EXIT_OK,
        EXIT_ERROR = CTL_EXIT_ERROR,
        EXIT_USAGE = CTL_EXIT_USAGE,
};

typedef struct Args {
        const char *config_path;
        const char *state_dir;
        bool config_explicit;
        bool json;
        bool all;
        CtlBusArgs bus;
} Args;

static void help(void) {
        printf("%s [OPTIONS...] COMMAND ...\n\n"
               "Query and control the storguard storage health daemon.\n\n"
               "Commands (from the running storguardd, over D-Bus):\n"
               "  status               Host health, arrays, devices with problems, open\n"
               "                       incidents (exit status 3 when not healthy)\n"
               "  devices              List disks with their health\n"
               "  arrays               List md arrays and multipath maps\n"
               "  incidents [--all] [--priority=N]\n"
               "                       List open incidents (--all: every status; N: 1..5)\n"
               "  show ID|DEVICE|ARRAY Show an incident, a disk or an array in full\n"
               "  ack ID [--who=NAME] [--comment=TEXT]\n"
               "                       Acknowledge an incident\n"
               "  resolve ID [--comment=TEXT]\n"
               "                       Resolve an incident\n"
               "  close ID             Close a resolved incident\n"
               "  isolate DEVICE --reason=TEXT\n"
               "                       Isolate a disk (fail it out of its array or map)\n"
               "  reinstate DEVICE     Undo an isolation\n"
               "  rescan               Re-read the inventory now\n"
               "  reload               Re-read the configuration\n\n"
               "Commands (local, no daemon needed):\n"
               "  inventory            List disks, controllers, arrays and multipath maps\n"
               "                       (read from udev directly; needs no running daemon;\n"
               "                       with --json each disk's health is read live)\n"
               "  assess FILE...       Assess captured SMART data: a libatasmart blob\n"
               "                       (skdump --save) or smartctl --json output\n"
               "  webhook test [ENDPOINT]  Send a signed test event, print the answer\n"
               "  webhook status       Queued, dead and delivered events per endpoint\n"
               "  webhook retry [ENDPOINT] Re-queue dead letters\n"
               "  replay [--csv] [--split=all|held-out|tuning] [--config=PATH] FILE.csv...\n"
               "                       Evaluate the ATA health policy on Backblaze-format\n"
               "                       SMART history ('-' reads standard input)\n\n"
               "Options:\n"
               "  -h --help            Show this help\n"
               "     --version         Show the version\n"
               "     --json            Print JSON\n"
               "     --all             Also list removed items; incidents of every status\n"
               "     --bus-address=ADDR  Talk to storguardd on this D-Bus address instead of\n"
               "                       the system bus\n"
               "     --priority=N      incidents: priority N (1 highest) or higher only\n"
               "     --who=NAME        ack: who acknowledges (default: your user name)\n"
               "     --comment=TEXT    ack, resolve: a comment for the record\n"
               "     --reason=TEXT     isolate: why\n"
               "     --config=PATH     Configuration file (default: %s)\n"
               "     --state-dir=DIR   The daemon's state directory (default: StateDirectory=)\n",
               program_invocation_short_name, STORGUARD_CONF_FILE);
}

static int verb_inventory(const Args *a) {
        _cleanup_(inventory_freep) Inventory *inv = inventory_new();
        Config c = {};
        struct udev *udev;
        int r;

        if (!inv)
                return log_oom();
        r = config_load(&c, a->config_path, !a->config_explicit);
        if (r < 0) {
                config_done(&c);
                return r;
        }
        udev = udev_new();
        if (!udev) {
                config_done(&c);
                return log_error_errno(errno ?: ENOMEM, "Failed to create udev context: %m");
        }
        r = inventory_scan(inv, udev, &(InventoryFilter) { .ignore_names = c.ignore_devices }, now(CLOCK_REALTIME),
                           NULL, NULL);
        udev_unref(udev);
        config_done(&c);
        if (r < 0)
                return log_error_errno(r, "Failed to enumerate devices: %m");

        if (a->json) {
                json_object *o = inventory_to_json(inv, a->all);
                if (!o || inventory_json_add_health(inv, o) < 0) {
                        json_object_put(o);
                        return log_oom();
                }
                puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
                json_object_put(o);
        } else
                r = inventory_print_table(inv, stdout, a->all);
        if (fflush(stdout) != 0)
                return log_error_errno(errno, "Failed to write output: %m");
        return r;
}

int main(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100, ARG_JSON, ARG_ALL, ARG_CONFIG, ARG_STATE_DIR, ARG_BUS_ADDRESS, ARG_PRIORITY, ARG_WHO,
               ARG_COMMENT, ARG_REASON };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "json", no_argument, NULL, ARG_JSON },
                { "all", no_argument, NULL, ARG_ALL },
                { "config", required_argument, NULL, ARG_CONFIG },
                { "state-dir", required_argument, NULL, ARG_STATE_DIR },
                { "bus-address", required_argument, NULL, ARG_BUS_ADDRESS },
                { "priority", required_argument, NULL, ARG_PRIORITY },
                { "who", required_argument, NULL, ARG_WHO },
                { "comment", required_argument, NULL, ARG_COMMENT },
                { "reason", required_argument, NULL, ARG_REASON },
                {}
        };
        Args a = { .config_path = STORGUARD_CONF_FILE };
        const char *verb;
        int c, r;

        log_set_target(LOG_TARGET_CONSOLE);
        log_set_max_level(LOG_WARNING);

        /* Verbs with options of their own parse them themselves. */
        if (argc > 1 && streq(argv[1], "replay"))
                return verb_replay(argc - 1, argv + 1) < 0 ? EXIT_ERROR : EXIT_OK;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return EXIT_OK;
                case ARG_VERSION:
                        printf("storguardctl %s\n", PACKAGE_VERSION);
                        return EXIT_OK;
                case ARG_JSON:
                        a.json = true;
                        break;
                case ARG_ALL:
                        a.all = true;
                        break;
                case ARG_CONFIG:
                        a.config_path = optarg;
                        a.config_explicit = true;
                        break;
                case ARG_STATE_DIR:
                        a.state_dir = optarg;
                        break;
                case ARG_BUS_ADDRESS:
                        a.bus.bus_address = optarg;
                        break;
                case ARG_PRIORITY: {
                        char *end;
                        unsigned long p = strtoul(optarg, &end, 10);

                        if (*optarg == '\0' || *end != '\0' || p < 1 || p > 5) {
                                log_error("Invalid --priority= '%s': expected 1 (highest) to 5.", optarg);
                                return EXIT_USAGE;
                        }
                        a.bus.priority = (unsigned) p;
                        break;
                }
                case ARG_WHO:
                        a.bus.who = optarg;
                        break;
                case ARG_COMMENT:
                        a.bus.comment = optarg;
                        break;
                case ARG_REASON:
                        a.bus.reason = optarg;
                        break;
                default:
                        return EXIT_USAGE;
                }

        if (optind >= argc) {
                log_error("Missing command. See '%s --help'.", program_invocation_short_name);
                return EXIT_USAGE;
        }
        verb = argv[optind];
        a.bus.json = a.json;
        a.bus.all = a.all;
        if (ctl_bus_is_verb(verb))
                return ctl_bus_run(verb, argv + optind + 1, argc - optind - 1, &a.bus);
        if (streq(verb, "inventory")) {
                if (optind + 1 < argc) {
                        log_error("'inventory' takes no arguments.");
                        return EXIT_USAGE;
                }
                r = verb_inventory(&a);
        } else if (streq(verb, "assess")) {
                if (optind + 1 >= argc) {
                        log_error("'assess' needs at least one FILE.");
                        return EXIT_USAGE;
                }
                r = verb_assess(argv + optind + 1, a.json);
        } else if (streq(verb, "webhook")) {
                r = verb_webhook(argv + optind + 1, a.config_path, a.config_explicit, a.state_dir, a.json);
                if (r > 0)
                        return EXIT_ERROR;
        } else if (streq(verb, "help")) {
                help();
                r = 0;
        } else {
                log_error("Unknown command '%s'. See '%s --help'.", verb, program_invocation_short_name);
                return EXIT_USAGE;
        }
        return r < 0 ? EXIT_ERROR : EXIT_OK;
}

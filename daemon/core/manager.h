/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The Manager holds all of storguardd's state: the configuration, the
 * event loop and the inventory.  There are no other mutable globals.
 */

#include <libudev.h>
#include <systemd/sd-event.h>

#include "configuration.h"
#include "inventory-udev.h"
#include "inventory.h"
#include "webhook.h"

typedef struct Manager {
        Config config;
        char *config_path;
        bool config_missing_ok;

        sd_event *event;
        sd_event_source *sigterm_source, *sigint_source, *sighup_source;
        sd_event_source *rescan_source;

        struct udev *udev;
        struct udev_monitor *monitor;
        sd_event_source *monitor_source;

        Inventory *inventory;
        Webhook *webhook;  /* webhook_start() once the store is open (incidents issue) */
        bool startup_done; /* coldplug finished: later changes are news */
} Manager;

/* manager_new() - a Manager with config loaded from path.
 * Return: 0, or -errno after logging why. */
int manager_new(const char *config_path, bool missing_ok, Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_POINTER_CLEANUP_FUNC(Manager, manager_free);

/* manager_start() - set up signals, udev monitor and timers, scan the
 * inventory, tell systemd we are ready.  Return: 0 or -errno (logged). */
int manager_start(Manager *m);

/* manager_run() - run the event loop until SIGTERM/SIGINT.
 * Return: the loop's exit code, or -errno. */
int manager_run(Manager *m);

/* manager_reload() - re-read the configuration; keep the old one when
 * the new one is invalid.  Return: 0 or -errno (logged). */
int manager_reload(Manager *m);

/* manager_scan() - re-read the whole inventory now.  Return: the number of
 * CIs present, or -errno (logged). */
int manager_scan(Manager *m);

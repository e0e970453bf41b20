/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The Manager holds all of storguardd's state: the configuration, the
 * event loop and the inventory.  There are no other mutable globals.
 */

#include <libudev.h>
#include <systemd/sd-event.h>

#include "configuration.h"
#include "diagnosis.h"
#include "hashmap.h"
#include "incident-manager.h"
#include "inventory-udev.h"
#include "inventory.h"
#include "kmsg-reader.h"
#include "store.h"

typedef struct Manager {
        Config config;
        char *config_path;
        bool config_missing_ok;

        sd_event *event;
        sd_event_source *sigterm_source, *sigint_source, *sighup_source;
        sd_event_source *rescan_source;
        sd_event_source *metrics_source;  /* [Metrics]: the Prometheus text file */
        bool metrics_failing;             /* said once until a write works again */

        struct udev *udev;
        struct udev_monitor *monitor;
        sd_event_source *monitor_source;

        Inventory *inventory;
        bool startup_done; /* coldplug finished: later changes are news */

        /* Evidence, diagnosis and incidents (manager-evidence.c). */
        Store *store;                 /* NULL: the state directory cannot be used */
        IncidentManager *incidents;
        Diagnosis *diagnosis;
        sd_event_source *diagnosis_timer;
        KmsgDev kmsg_dev;
        KmsgReader *kmsg;
        sd_event_source *kmsg_source;
        Hashmap *member_states;       /* array/map id -> MemberStates, as last seen */
        char lookup_buf[4][256];      /* DiagLookup results live until the next call */
        uint64_t ereports_seen;
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

/* manager_evidence_start() - open the store, load incidents, start
 * diagnosis and the kernel-log reader.  Never fatal: what cannot start is
 * logged and the rest goes on.  Return: 0 or -ENOMEM. */
int manager_evidence_start(Manager *m);
void manager_evidence_stop(Manager *m);

/* manager_feed() - one ereport into diagnosis (kmsg, state changes, polls). */
void manager_feed(const Ereport *e, void *userdata);

/* manager_inventory_changed() - state changes of arrays and multipath
 * maps become ereports and lifecycle stages. */
void manager_inventory_changed(Manager *m, Ci *c, InventoryChange change);

/* manager_scan() - re-read the whole inventory now.  Return: the number of
 * CIs present, or -errno (logged). */
int manager_scan(Manager *m);

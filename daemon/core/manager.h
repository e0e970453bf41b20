/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The Manager holds all of storguardd's state: the configuration, the
 * event loop and the inventory.  There are no other mutable globals.
 */

#include <libudev.h>
#include <systemd/sd-event.h>

#include "bus.h"
#include "configuration.h"
#include "diagnosis.h"
#include "health.h"
#include "hashmap.h"
#include "health-pool.h"
#include "incident-manager.h"
#include "inventory-udev.h"
#include "inventory.h"
#include "kmsg-reader.h"
#include "known-errors.h"
#include "response.h"
#include "store.h"
#include "webhook.h"

typedef struct DeviceHealth DeviceHealth;

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
        Webhook *webhook;             /* delivers the outbox the incident manager fills */
        Diagnosis *diagnosis;
        sd_event_source *diagnosis_timer;
        KmsgDev kmsg_dev;
        KmsgReader *kmsg;
        sd_event_source *kmsg_source;
        sd_event_source *kmsg_pending; /* defer: records left in a replay FIFO's buffer */
        int mdstat_fd;
        sd_event_source *mdstat_source;
        char *mdstat_text;            /* /proc/mdstat as last read: which arrays an md event changed */
        Hashmap *member_states;       /* array/map id -> MemberStates, as last seen */

        /* Evidence state kept across restarts (evidence-state.h): the
         * engines' snapshot and the kmsg cursor, saved together. */
        KmsgCursor kmsg_cursor;       /* the last kernel log record fed into diagnosis */
        char boot_id[KMSG_BOOT_ID_MAX];
        sd_event_source *state_timer; /* saves EVIDENCE_STATE_SAVE_USEC after a change */
        bool state_dirty;             /* diagnosis or the cursor changed since the last save */
        bool state_urgent;            /* a fault was raised: save after this kmsg batch */
        bool state_failing;           /* said once until a save works again */

        /* The D-Bus service (daemon/bus/); NULL: running without a bus. */
        BusService *bus;
        char *bus_address;            /* --bus-address=; NULL: the system bus */
        char *state_dir_override;     /* --state-dir=: wins over StateDirectory=, also after a reload */
        char lookup_buf[4][256];      /* DiagLookup results live until the next call */
        uint64_t ereports_seen;
        uint64_t health_reads;        /* health reads finished since the start (any outcome) */

        /* Health polls (manager-health.c). */
        Hashmap *health;              /* disk CI id -> DeviceHealth */
        HealthPool *health_pool;      /* the worker processes that read */
        DeviceHealth *health_waiting, *health_waiting_tail; /* due while every worker was busy */

        /* Latency and SCSI counters (manager-latency.c). */
        Hashmap *latency;             /* disk CI id -> DiskSamples */
        sd_event_source *latency_timer;

        sd_event_source *housekeeping_source; /* manager-housekeeping.c */
        sd_event_source *store_retry_source;  /* manager-housekeeping.c: pending incident changes */

        /* Known errors (manager-known-errors.c). */
        KnownErrorDb known_errors;
        Hashmap *evidence_seen;       /* disk CI id -> classes seen that an Evidence= names */

        /* The response agent (manager-response.c). */
        ResponseHistory response_history;
        Hashmap *isolated;            /* disk CI id -> Isolation, for reinstating */
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

/* manager_diag_lookup() - diagnosis's view of a device named by an ereport
 * ("sdb", "ata3", "8:32" when udev is there): its CI, controller, array or
 * map.  Return: 0, -ENOENT. */
int manager_diag_lookup(void *userdata, const char *device, DiagNode *ret);

/* manager_feed() - one ereport into diagnosis (kmsg, state changes, polls). */
void manager_feed(const Ereport *e, void *userdata);
/* manager_raise_fault() - a fault found outside diagnosis (the ATA policy)
 * into the incident path, as diagnosis' own faults go. */
void manager_raise_fault(Manager *m, const Fault *f);

/* manager-ata-policy.c: health history and the ATA policy on it.
 * manager_history_record() - the snapshot's (JSON) history values at t
 * into the store.  Return: 0, or the first store error. */
int manager_history_record(Store *s, const char *ci_id, json_object *snap, usec_t t);
/* manager_history_ata_series() - the disk's stored series as the ATA
 * policy's input: the last sample of each day, oldest first.
 * Return: 0 with a new array, -errno. */
int manager_history_ata_series(Store *s, const char *ci_id, AtaSample **ret, size_t *ret_n);
/* manager_ata_policy_check() - after a poll of @c: the policy on its
 * stored series; raise a disk.smart_history fault once per episode. */
void manager_ata_policy_check(Manager *m, const Ci *c, AtaPolicyTracker *t, usec_t now_usec);

/* manager_state_changed() - diagnosis state changed: save it soon. */
/* manager_now() - the time of this event-loop iteration (one clock read
 * per wake-up, not one per caller), or the clock itself outside the loop. */
static inline usec_t manager_now(Manager *m, clockid_t clock) {
        uint64_t t;

        if (m->event && sd_event_now(m->event, clock, &t) >= 0)
                return t;
        return now(clock);
}

void manager_state_changed(Manager *m);
/* manager_incident_resolved() - an operator resolved @i: the fault is
 * repaired, so diagnosis forgets its CI's open faults and engines, and
 * evidence that comes afterwards is a new occurrence (it reopens @i, or
 * raises a new incident once @i is closed) instead of being swallowed as
 * a fault already raised. */
void manager_incident_resolved(Manager *m, const Incident *i);
/* manager_state_save() - save the diagnosis snapshot and the kmsg cursor
 * now (one transaction).  Return: 0, -errno (logged once). */
int manager_state_save(Manager *m);

/* manager_inventory_changed() - state changes of arrays and multipath
 * maps become ereports and lifecycle stages. */
void manager_inventory_changed(Manager *m, Ci *c, InventoryChange change);
/* manager_evidence_initial_states() - after the first scan: members already
 * faulty and paths already failed become ereports. */
void manager_evidence_initial_states(Manager *m);
/* manager_evidence_start_streams() - after the first scan: the initial
 * states, then the kernel log (its backlog first) and /proc/mdstat. */
void manager_evidence_start_streams(Manager *m);

/* Health polls: start, stop, (re)schedule, and the last snapshot of a disk
 * (borrowed JSON, NULL if never read). */
int manager_health_start(Manager *m);
void manager_health_stop(Manager *m);
/* manager_health_device_changed() - udev added or changed a disk: poll it,
 * and read its identity again. */
void manager_health_device_changed(Manager *m, const Ci *c, InventoryChange change);
json_object *manager_health_snapshot(Manager *m, const char *ci_id, HealthAssessment *ret_assessment,
                                     usec_t *ret_polled_usec);

/* Latency sampling and fail-slow evaluation. */
int manager_latency_start(Manager *m);
void manager_latency_stop(Manager *m);
/* manager_latency_snapshot() - the fail-slow windows as JSON text (*ret
 * NULL when not sampling).  Return: 0, -ENOMEM. */
int manager_latency_snapshot(Manager *m, char **ret);

/* Known errors: load the database; match one disk (found, changed,
 * polled) and raise a known-error incident for each match. */
int manager_known_errors_load(Manager *m);
void manager_known_errors_done(Manager *m);
void manager_known_errors_check(Manager *m, const Ci *c);
/* manager_known_errors_evidence() - an ereport of class seen on the disk
 * ci_id: the first of a class some entry's Evidence= names re-checks it. */
void manager_known_errors_evidence(Manager *m, const char *ci_id, EreportClass class);

/* Housekeeping: quiet-period resolution and retention, on a timer. */
int manager_housekeeping_start(Manager *m);
void manager_housekeeping_stop(Manager *m);
/* manager_store_retry_arm() - incident changes the store refused are
 * written again in a while (no-op when none are pending). */
void manager_store_retry_arm(Manager *m);
/* manager_resolve_quiet() - resolve open incidents of event-stream faults
 * not seen for QuietPeriodSec=.  Return: how many. */
int manager_resolve_quiet(Manager *m, usec_t now_usec);

/* manager_ci_changed() - the inventory's change callback: logs, turns
 * array and path state changes into ereports (an InventoryChangeFn). */
void manager_ci_changed(Ci *c, InventoryChange change, void *userdata);

/* manager_find_container() - the present array (CI_ARRAY) or multipath
 * map (CI_MULTIPATH) that has the block device name as a member or path. */
Ci *manager_find_container(Manager *m, const char *name, CiType type);
/* manager_controller_incident() - the active controller incident of the
 * controller @disk sits behind (diagnosis suspects that controller), or
 * NULL. */
Incident *manager_controller_incident(Manager *m, const Ci *disk);

/* manager_respond() - the workaround for a fault the policy allows, done
 * (or recorded as dry-run, or refused with the guard's reason) and put on
 * the incident.  Called for every fault that recommends isolation. */
void manager_respond(Manager *m, const Fault *f, Incident *i);
/* manager_respond_to() - the same for one disk and one action (a known
 * error's Action=); _RESPONSE_ACTION_INVALID: what fits the disk (fail the
 * md member, fail the path, else take it offline). */
void manager_respond_to(Manager *m, const char *ci_id, ResponseAction action, Incident *i);

/* manager_isolate() / manager_reinstate() - an operator's request
 * (D-Bus Isolate/Reinstate): the same guards but the rate limit and the
 * boot hold-off.
 * @device: kernel name or CI id.  @ret_result: what happened, for the caller.
 * Return: 0 done (or dry-run: see *ret_result), -ENOENT no such device,
 * -EPERM refused by a guard, -EOPNOTSUPP policy off, other -errno from
 * the kernel. */
int manager_isolate(Manager *m, const char *device, const char *reason, const char *who, char **ret_result);
int manager_reinstate(Manager *m, const char *device, const char *who, char **ret_result);
void manager_response_stop(Manager *m);
/* manager_offlined_itself() - did storguard's own response (scsi.offline,
 * enforced, not reversed since) take the disk @ci_id offline?  Its offline
 * evidence is then the workaround showing, not a new fault.  Return: true
 * if so. */
bool manager_offlined_itself(Manager *m, const char *ci_id);

/* manager_scan() - re-read the whole inventory now.  Return: the number of
 * CIs present, or -errno (logged). */
int manager_scan(Manager *m);

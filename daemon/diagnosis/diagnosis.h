/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Diagnosis: ereports in, faults out.  Pure with respect to time (every
 * call takes now_usec) and to the system (relationships come from a lookup
 * callback, never from udev), so tests drive it with tables of timed
 * ereports.
 *
 * Rules, each with named defaults below:
 *  - per CI SERD engines for media errors, transport trouble (timeouts,
 *    aborts, resets, commands that never reached the device, latency
 *    outliers), link resets, and precursors (near misses);
 *  - controller correlation: transport trouble on DIAG_CORRELATION_DISKS
 *    or more disks (or paths) behind one controller within the correlation
 *    window makes the controller the suspect; faults of its disks are held
 *    back for the window and, when the controller is suspect, absorbed as
 *    its symptoms instead of being raised -- except a member md failed
 *    (FAULT_DISK_FAILED): a fact, raised after the controller fault with
 *    "its controller ... is suspect" in its reason;
 *  - an md member failure or media errors on a disk whose siblings behind
 *    the same controller are quiet is a disk fault (higher confidence);
 *  - a disk the kernel took offline (every command rejected) is out of
 *    service: one such ereport is a fault (FAULT_DISK_OFFLINE), held and
 *    absorbed like the other disk faults, and still transport evidence for
 *    the controller correlation; a multipath path's offline is only the
 *    latter (its map's path faults cover it), and so is nothing at all
 *    when storguard's own response offlined the disk;
 *  - a multipath path that fails and is reinstated repeatedly is flapping;
 *    one that stays failed past a hold time is failed;
 *  - one fault per (CI, class) until diagnosis_clear().
 */

#include <stdbool.h>
#include <stddef.h>

#include "ci.h"
#include "ereport.h"
#include "failslow.h"
#include "macro.h"
#include "serd.h"
#include "time-util.h"

typedef enum FaultClass {
        FAULT_DISK_FAILED,      /* md failed the member */
        FAULT_DISK_OFFLINE,     /* the kernel took the disk offline: out of service */
        FAULT_DISK_MEDIA,       /* unrecovered media errors, predictive failure */
        FAULT_DISK_TRANSPORT,   /* timeouts/resets on this disk only */
        FAULT_DISK_LINK,        /* repeated ATA link resets */
        FAULT_DISK_PRECURSORS,  /* near-miss rate over threshold: not yet an outage */
        FAULT_DISK_FAIL_SLOW,   /* latency far above its peers' */
        FAULT_DISK_SMART_HISTORY, /* the ATA policy warns on the disk's SMART history */
        FAULT_CONTROLLER,       /* several disks/paths behind one controller in trouble */
        FAULT_PATH_FAILED,
        FAULT_PATH_FLAPPING,
        _FAULT_CLASS_MAX,
        _FAULT_CLASS_INVALID = -EINVAL,
} FaultClass;

typedef enum FaultAction {
        FAULT_ACTION_MONITOR,           /* watch the trend, nothing to do yet */
        FAULT_ACTION_ISOLATE_MEMBER,    /* fail/remove the member, then replace the disk */
        FAULT_ACTION_REPLACE_DISK,
        FAULT_ACTION_CHECK_CONTROLLER,  /* controller/HBA firmware, cabling, expander;
                                         * do NOT isolate its disks */
        FAULT_ACTION_FAIL_PATH,         /* keep the path failed, check the port/cable/switch */
        FAULT_ACTION_APPLY_WORKAROUND,  /* a known error matched: its workaround */
        _FAULT_ACTION_MAX,
        _FAULT_ACTION_INVALID = -EINVAL,
} FaultAction;

const char *fault_class_to_string(FaultClass c) _const_;
FaultClass fault_class_from_string(const char *s) _pure_;
const char *fault_action_to_string(FaultAction a) _const_;
FaultAction fault_action_from_string(const char *s) _pure_;

#define FAULT_EVIDENCE_MAX 16
#define FAULT_SYMPTOMS_MAX 16
#define FAULT_REASON_MAX 256
#define KNOWN_ERROR_ID_MAX 64

typedef struct Fault {
        FaultClass class;
        char suspect[EREPORT_CI_ID_MAX];       /* CI id */
        char suspect_name[EREPORT_DEVICE_MAX]; /* kernel name, for messages */
        CiType suspect_type;
        unsigned confidence_pct;
        FaultAction action;
        char known_error_id[KNOWN_ERROR_ID_MAX]; /* empty: none matched */
        char reason[FAULT_REASON_MAX];           /* one line, why */
        usec_t time_usec;                        /* when diagnosed */
        Ereport evidence[FAULT_EVIDENCE_MAX];    /* the first ereports that led here */
        size_t n_evidence;
        uint64_t n_evidence_total;               /* all of them, counted */
        char symptoms[FAULT_SYMPTOMS_MAX][EREPORT_CI_ID_MAX]; /* CIs whose faults this one explains */
        size_t n_symptoms;
} Fault;

typedef void (*FaultSink)(const Fault *f, void *userdata);

/* What diagnosis needs to know about the device an ereport names. */
typedef struct DiagNode {
        const char *ci_id;          /* required */
        CiType type;                /* CI_DISK (also a multipath path), CI_CONTROLLER, ... */
        const char *name;           /* kernel name */
        const char *controller_id;  /* disk/path -> its controller, NULL if unknown */
        const char *array_id;       /* md member -> array */
        const char *map_id;         /* path -> multipath map */
        bool offlined_by_us;        /* storguard's own response took it offline (scsi.offline):
                                     * its offline evidence is the workaround, not a fault */
} DiagNode;

/* Resolve an ereport's device ("sdc5", "host0", "65:32", "ata1", "nvme0").
 * Return: 0 with *ret filled (strings must live until the next call), or
 * -ENOENT. */
typedef int (*DiagLookup)(void *userdata, const char *device, DiagNode *ret);

/* Defaults, each overridable from storguard.conf [Diagnosis]. */
#define DIAG_MEDIA_SERD_N 3                               /* media errors ... */
#define DIAG_MEDIA_SERD_T_USEC (24 * USEC_PER_HOUR)       /* ... within a day */
#define DIAG_TRANSPORT_SERD_N 5                           /* timeouts/resets on one disk ... */
#define DIAG_TRANSPORT_SERD_T_USEC (10 * USEC_PER_MINUTE) /* ... within 10 min */
#define DIAG_LINK_SERD_N 3                                /* ATA link resets ... */
#define DIAG_LINK_SERD_T_USEC USEC_PER_HOUR               /* ... within an hour */
#define DIAG_PRECURSOR_SERD_N 10                          /* near misses ... */
#define DIAG_PRECURSOR_SERD_T_USEC USEC_PER_HOUR          /* ... within an hour */
#define DIAG_CONTROLLER_SERD_N 3                          /* host-level resets/aborts ... */
#define DIAG_CONTROLLER_SERD_T_USEC (10 * USEC_PER_MINUTE)
#define DIAG_PATH_FLAP_SERD_N 3                           /* path failures ... */
#define DIAG_PATH_FLAP_SERD_T_USEC USEC_PER_HOUR          /* ... within an hour */
#define DIAG_PATH_FAILED_HOLD_USEC (5 * USEC_PER_MINUTE)  /* failed and not back for 5 min */
#define DIAG_CORRELATION_WINDOW_USEC (2 * USEC_PER_MINUTE) /* disks in trouble together */
#define DIAG_CORRELATION_DISKS 2                          /* distinct disks/paths */
#define DIAG_HOLD_USEC DIAG_CORRELATION_WINDOW_USEC       /* disk faults wait this long */

typedef struct DiagParams {
        SerdParams media, transport, link, precursor, controller, path_flap;
        usec_t path_failed_hold_usec;
        usec_t correlation_window_usec;
        unsigned correlation_disks;
        usec_t hold_usec;
} DiagParams;

void diag_params_default(DiagParams *p);

typedef struct Diagnosis Diagnosis;

int diagnosis_new(const DiagParams *p, DiagLookup lookup, void *lookup_userdata, FaultSink sink,
                  void *sink_userdata, Diagnosis **ret);
Diagnosis *diagnosis_free(Diagnosis *d);
DEFINE_POINTER_CLEANUP_FUNC(Diagnosis, diagnosis_free);

/* diagnosis_feed() - one ereport observed at now_usec (its own time_usec
 * is evidence, now_usec drives the engines).  May emit faults.
 * Return: 0, -ENOENT when its device is unknown (counted, ignored), -ENOMEM. */
int diagnosis_feed(Diagnosis *d, const Ereport *e, usec_t now_usec);

/* diagnosis_tick() - let held-back decisions ripen (disk faults waiting for
 * correlation, failed paths waiting to come back).  Call it from a timer
 * and with the time of every event.  Return: faults emitted. */
int diagnosis_tick(Diagnosis *d, usec_t now_usec);

/* diagnosis_next_deadline() - when diagnosis_tick() next has work, or
 * USEC_INFINITY. */
usec_t diagnosis_next_deadline(const Diagnosis *d) _pure_;

/* diagnosis_clear() - the CI was repaired/replaced: forget its engines and
 * open faults. */
void diagnosis_clear(Diagnosis *d, const char *ci_id);

/* Saving and restoring the engines' state across a restart
 * (diagnosis-snapshot.c documents the JSON schema). */
#define DIAG_SNAPSHOT_VERSION 1
#define DIAG_SNAPSHOT_REASON_MAX 256

/* diagnosis_snapshot() - every engine's state (SERD windows, correlation,
 * held-back faults, failed paths, open faults) as JSON text.
 * Return: 0 and *ret (free() it), -ENOMEM. */
int diagnosis_snapshot(const Diagnosis *d, char **ret);

/* diagnosis_restore() - replace the engines' state by a snapshot's, with
 * today's parameters (a SERD engine keeps its newest N events when N
 * shrank).  @new_boot: the snapshot was taken in an earlier boot: failed
 * paths are dropped (the map is re-read), windows in realtime carry over.
 * @ret_reason: why a snapshot was refused, naming the node and field.
 * Return: 0, -EBADMSG (the state is left as it was), -ENOMEM. */
int diagnosis_restore(Diagnosis *d, const char *text, bool new_boot, char *ret_reason, size_t reason_size);

/* Fail-slow windows across a restart: named rings (the block device's
 * sysfs path) as JSON text, same conventions as the snapshot above. */
typedef struct FailSlowNamedRing {
        const char *key;
        const FailSlowRing *ring;
} FailSlowNamedRing;

/* failslow_rings_snapshot() - Return: 0 and *ret (free() it), -ENOMEM. */
int failslow_rings_snapshot(const FailSlowNamedRing *rings, size_t n, usec_t interval_usec, char **ret);

/* failslow_rings_restore() - validate all of text, then hand each ring to
 * fn.  Rings sampled at another interval than interval_usec are dropped
 * (their windows do not compare).  Return: 0, -EBADMSG with the reason,
 * -ENOMEM, or fn's negative return. */
typedef int (*FailSlowRingFn)(const char *key, const FailSlowRing *r, void *userdata);
int failslow_rings_restore(const char *text, usec_t interval_usec, FailSlowRingFn fn, void *userdata, char *ret_reason,
                           size_t reason_size);

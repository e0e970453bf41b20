/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Polling device health (SMART, SCSI log pages, NVMe health log) without
 * ever blocking the event loop: reads run in a small pool of long-lived
 * worker processes (health-pool.c: a hung SG_IO stalls only its worker,
 * which is killed at its deadline and replaced).  The request is a
 * HealthRequest (the node, the protocol and what earlier reads of the
 * device kept: identity, supported pages); the worker answers with
 * records (health-pool.h):
 *
 *   'E'     = one Ereport struct (same binary, same build), sent at once
 *   'C'     = the HealthCache after a read without error (empty: the
 *             daemon's copy, sent with the request, is still right)
 *   'J'     = the snapshot, health_snapshot_to_json()
 *   'U'     = the snapshot is the one the daemon has (the request carries
 *             the digest of its JSON): the daemon neither receives nor
 *             parses it again
 *
 * The cache is dropped when udev reports the disk added or changed and
 * after a read that failed, so the next read is a full one.  Polls are
 * spread over the interval (each device at its own offset, from a hash of
 * its id), at most HEALTH_WORKERS at a time, and a device that is not
 * present or has no health interface is never touched.
 */

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "alloc-util.h"
#include "health-json.h"
#include "health-pool.h"
#include "health-read.h"
#include "log.h"
#include "manager.h"
#include "string-util.h"

#define HEALTH_WORKERS 2 /* reads in flight at once, each in its own worker process */

typedef struct HealthRequest {
        char node[128]; /* "/dev/sdXY", "/dev/nvme0n1" */
        HealthProtocol protocol;
        HealthCache cache;
        uint64_t snapshot_digest; /* of the daemon's snapshot JSON, 0: none */
        usec_t time_usec;         /* CLOCK_REALTIME of the request: the read's time */
} HealthRequest;

struct DeviceHealth {
        char *ci_id;               /* hash key */
        Manager *manager;
        usec_t next_due;           /* CLOCK_MONOTONIC */
        usec_t polled_usec;        /* CLOCK_REALTIME of the last result */
        HealthAssessment assessment;
        json_object *snapshot;     /* the last result */
        uint64_t snapshot_digest;  /* of its JSON as the worker sent it, 0: none */
        /* What was fed to diagnosis: a poll reports states (a counter, a
         * warning bit, a sense key the device gives to every poll), and a
         * state is one observation, not one per poll.  A class is fed
         * again only when its value grows, or after a complete read no
         * longer reports it (the episode ended). */
        bool fed[_EREPORT_CLASS_MAX];
        uint64_t fed_value[_EREPORT_CLASS_MAX];
        AtaPolicyTracker ata_policy; /* ATA disks: the policy's episode */
        usec_t history_usec;       /* CLOCK_REALTIME of the last history record */
        HealthCache cache;         /* what the last good read kept (identity, supported pages) */
        sd_event_source *timer;    /* the next poll */
        bool busy;                 /* a read in flight */
        bool waiting;              /* due, in Manager.health_waiting */
        DeviceHealth *next_waiting;
};

static DeviceHealth *device_health_free(DeviceHealth *h) {
        if (!h)
                return NULL;
        h->timer = sd_event_source_disable_unref(h->timer);
        json_object_put(h->snapshot);
        free(h->ci_id);
        return mfree(h);
}

static HealthProtocol protocol_of(const Ci *c) {
        switch (c->health_source) {
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

/* --- the worker ---------------------------------------------------------- */

static void worker_sink(const Ereport *e, void *userdata) {
        int fd = *(int *) userdata;

        /* At once: if the device hangs next, the daemon still has it. */
        if (health_pool_reply(fd, 'E', e, sizeof(*e)) >= 0)
                (void) health_pool_flush(fd);
}

static uint64_t snapshot_digest(const char *json, size_t len) {
        uint64_t d = fnv1a64(FNV1A64_INIT, json, len);

        return d != 0 ? d : 1; /* 0 is "none" */
}

/* In the worker process (health-pool.c). */
static void health_work(const void *request, size_t size, int fd, void *userdata) {
        _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
        HealthRequest q;
        json_object *o;
        const char *j;

        if (size != sizeof(q))
                return; /* no 'J': the daemon records the read as failed */
        memcpy(&q, request, sizeof(q));
        q.node[sizeof(q.node) - 1] = 0;
        if (health_read_device(q.node, q.protocol, &q.cache, q.time_usec, worker_sink, &fd, &s) < 0 || !s)
                return;
        if (s->error == 0) {
                /* Empty when the daemon's copy is still right. */
                HealthCache before;
                bool same;

                memcpy(&before, (const uint8_t *) request + offsetof(HealthRequest, cache), sizeof(before));
                same = scsi_health_cache_equal(&q.cache.scsi, &before.scsi);

                (void) health_pool_reply(fd, 'C', &q.cache, same ? 0 : sizeof(q.cache));
        }
        o = health_snapshot_to_json(s);
        if (!o)
                return;
        j = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        if (q.snapshot_digest != 0 && snapshot_digest(j, strlen(j)) == q.snapshot_digest)
                (void) health_pool_reply(fd, 'U', NULL, 0);
        else
                (void) health_pool_reply(fd, 'J', j, (uint32_t) strlen(j));
        json_object_put(o);
}

static void dispatch_waiting(Manager *m);

/* --- results ------------------------------------------------------------- */

/* The snapshot's values into the history (one transaction: one commit per
 * read, not one per value), and the ATA policy that reads them back. */
static void record_history(Manager *m, DeviceHealth *h, const Ci *c, json_object *snap, usec_t t) {
        if (m->store) {
                bool in_transaction = store_begin(m->store) >= 0;
                int r = manager_history_record(m->store, h->ci_id, snap, t);

                if (in_transaction && store_commit(m->store) < 0 && r >= 0)
                        r = -EIO;
                if (r < 0)
                        log_debug_errno(r, "Failed to record the health history of '%s', ignoring: %m",
                                        c ? c->name : h->ci_id);
        }
        h->history_usec = t;
        if (c)
                manager_ata_policy_check(m, c, &h->ata_policy, t);
}

static void on_read_done(void *request_userdata, const char *reply, size_t reply_size, bool complete,
                         void *userdata) {
        DeviceHealth *h = request_userdata;
        Manager *m = h->manager;
        Ci *c = inventory_get(m->inventory, h->ci_id);
        size_t off = 0;
        json_object *snap = NULL;
        usec_t t = manager_now(m, CLOCK_REALTIME);
        bool cached = false, unchanged = false, seen[_EREPORT_CLASS_MAX] = {};
        uint64_t digest = 0;
        char span[FORMAT_TIMESPAN_MAX];

        h->busy = false;
        m->health_reads++;
        if (!complete && c)
                log_warning("Health read of '%s' did not complete in %s: its worker was killed; the device may hang.",
                            c->name, format_timespan(span, sizeof(span), m->config.health_timeout_usec));
        while (off + 5 <= reply_size) {
                char type = reply[off];
                uint32_t len;

                memcpy(&len, reply + off + 1, sizeof(len));
                if (len > reply_size - off - 5)
                        break; /* truncated: the worker died mid-write */
                if (type == 'E' && len == sizeof(Ereport) && c) {
                        Ereport e;

                        memcpy(&e, reply + off + 5, sizeof(e));
                        /* The driver names the node it read; diagnosis
                         * knows devices by kernel name. */
                        snprintf(e.device, sizeof(e.device), "%s", c->name);
                        snprintf(e.ci_id, sizeof(e.ci_id), "%s", c->id);
                        if (e.class >= 0 && e.class < _EREPORT_CLASS_MAX)
                                seen[e.class] = true;
                        if (e.class >= 0 && e.class < _EREPORT_CLASS_MAX &&
                            (!h->fed[e.class] || e.value > h->fed_value[e.class])) {
                                h->fed[e.class] = true;
                                h->fed_value[e.class] = e.value;
                                manager_feed(&e, m);
                        }
                } else if (type == 'C' && (len == sizeof(h->cache) || len == 0) && complete) {
                        if (len > 0)
                                memcpy(&h->cache, reply + off + 5, sizeof(h->cache));
                        cached = true;
                } else if (type == 'J' && !snap) {
                        _cleanup_free_ char *j = strndup(reply + off + 5, len);
                        snap = j ? json_tokener_parse(j) : NULL;
                        digest = snap ? snapshot_digest(reply + off + 5, len) : 0;
                } else if (type == 'U' && complete && h->snapshot && h->snapshot_digest != 0)
                        unchanged = true;
                off += 5 + len;
        }

        if (!cached) /* a failed read: the next one reads everything */
                h->cache = (HealthCache) {};
        /* Once per episode and class: a condition the device reports at
         * every poll (a sense REQUEST SENSE keeps returning, a counter
         * that stays up) is evidence once; it is news again only after a
         * complete read no longer shows it. */
        if (complete)
                for (int k = 0; k < _EREPORT_CLASS_MAX; k++)
                        if (!seen[k]) {
                                h->fed[k] = false;
                                h->fed_value[k] = 0;
                        }
        if (!snap && !unchanged) {
                /* Never a silent ok: the read failed or the worker died. */
                snap = json_object_new_object();
                if (snap) {
                        json_object_object_add(snap, "assessment", json_object_new_string("unknown"));
                        json_object_object_add(snap, "error", json_object_new_string("health read did not complete"));
                }
        }
        if (unchanged || (snap && h->snapshot && json_object_equal(snap, h->snapshot))) {
                /* What a steady poll of a quiet disk gives: the same
                 * snapshot (it holds no time stamp).  Nothing judged from
                 * it (known errors, the bus's health) can have moved; the
                 * time of the read is the news, and once a day the
                 * history's sample (the ATA policy reads a value a day). */
                json_object_put(snap);
                if (digest != 0)
                        h->snapshot_digest = digest;
                h->polled_usec = t;
                if (t / USEC_PER_DAY != h->history_usec / USEC_PER_DAY)
                        record_history(m, h, c, h->snapshot, t);
        } else if (snap) {
                json_object *a;
                HealthAssessment before = h->assessment;

                json_object_put(h->snapshot);
                h->snapshot = snap;
                h->snapshot_digest = digest; /* 0 for a read that did not complete */
                h->polled_usec = t;
                h->assessment = json_object_object_get_ex(snap, "assessment", &a)
                                        ? health_assessment_from_string(json_object_get_string(a))
                                        : HEALTH_UNKNOWN;
                if (h->assessment < 0)
                        h->assessment = HEALTH_UNKNOWN;
                record_history(m, h, c, snap, t);
                if (c)
                        manager_known_errors_check(m, c); /* power-on hours move countdowns */
                if (before != h->assessment && c)
                        log_full(h->assessment == HEALTH_OK || h->assessment == HEALTH_UNKNOWN ? LOG_INFO : LOG_WARNING,
                                 "Health of %s '%s' is %s (was %s).", ci_type_to_string(c->type), c->name,
                                 health_assessment_to_string(h->assessment), health_assessment_to_string(before));
                if (c)
                        bus_device_health_changed(m, c);
        }
        dispatch_waiting(m);
}

/* --- scheduling ---------------------------------------------------------- */

static uint64_t jitter_of(const char *id, usec_t interval) {
        uint64_t x = fnv1a64(FNV1A64_INIT, id, strlen(id));

        return interval > 0 ? x % interval : 0;
}

static bool pollable(const Ci *c) {
        return c && c->type == CI_DISK && c->state == CI_STATE_PRESENT && protocol_of(c) >= 0 && c->devnode;
}

static int on_device_due(sd_event_source *s, uint64_t usec, void *userdata);

static int arm(DeviceHealth *h, usec_t when) {
        Manager *m = h->manager;

        h->next_due = when;
        if (h->timer)
                return sd_event_source_set_time(h->timer, when) < 0 ? -EIO
                       : sd_event_source_set_enabled(h->timer, SD_EVENT_ONESHOT);
        return sd_event_add_time(m->event, &h->timer, CLOCK_MONOTONIC, when, USEC_PER_SEC, on_device_due, h);
}

static DeviceHealth *health_for(Manager *m, const Ci *c) {
        DeviceHealth *h = hashmap_get(m->health, c->id);

        if (h)
                return h;
        h = new0(DeviceHealth, 1);
        if (!h)
                return NULL;
        h->manager = m;
        h->assessment = HEALTH_UNKNOWN;
        h->ci_id = strdup(c->id);
        if (!h->ci_id || hashmap_put(m->health, h->ci_id, h) < 0)
                return device_health_free(h);
        /* The first read soon after start, spread over a minute; then each
         * device at its own offset within the interval. */
        if (arm(h, now(CLOCK_MONOTONIC) + jitter_of(c->id, MIN(m->config.health_interval_usec, USEC_PER_MINUTE))) < 0)
                log_warning("Cannot set up the health poll timer of '%s'; it is not polled.", c->name);
        return h;
}

static void start_read(Manager *m, DeviceHealth *h, const Ci *c) {
        HealthRequest q = { .protocol = protocol_of(c), .cache = h->cache, .snapshot_digest = h->snapshot_digest,
                            .time_usec = manager_now(m, CLOCK_REALTIME) };
        int r;

        if (strlen(c->devnode) >= sizeof(q.node)) {
                log_warning("Device node '%s' is too long to be polled, ignoring.", c->devnode);
                return;
        }
        memcpy(q.node, c->devnode, strlen(c->devnode) + 1); /* length checked above */
        health_pool_set_timeout(m->health_pool, m->config.health_timeout_usec); /* it may have been reloaded */
        r = health_pool_submit(m->health_pool, &q, sizeof(q), h);
        if (r < 0)
                log_warning_errno(r, "Cannot start a health read of '%s', ignoring: %m", c->name);
        else
                h->busy = true;
}

/* Reads due while every worker was busy, oldest first: O(1) per read, no
 * walk over the inventory. */
static void dispatch_waiting(Manager *m) {
        while (m->health_waiting && health_pool_can_submit(m->health_pool)) {
                DeviceHealth *h = m->health_waiting;
                Ci *c = inventory_get(m->inventory, h->ci_id);

                m->health_waiting = h->next_waiting;
                if (!m->health_waiting)
                        m->health_waiting_tail = NULL;
                h->next_waiting = NULL;
                h->waiting = false;
                if (pollable(c) && !h->busy)
                        start_read(m, h, c);
        }
}

static int on_device_due(sd_event_source *s, uint64_t usec, void *userdata) {
        DeviceHealth *h = userdata;
        Manager *m = h->manager;
        Ci *c = inventory_get(m->inventory, h->ci_id);

        if (!pollable(c))
                return 0; /* gone: manager_health_device_changed() arms it again */
        if (m->config.health_interval_usec == 0)
                return 0; /* PollIntervalSec=0 since a reload: no more polls */
        if (arm(h, manager_now(m, CLOCK_MONOTONIC) + m->config.health_interval_usec) < 0)
                log_warning("Cannot re-arm the health poll timer of '%s', ignoring.", c->name);
        if (h->busy || h->waiting)
                return 0;
        if (!m->health_waiting && health_pool_can_submit(m->health_pool)) {
                start_read(m, h, c);
                return 0;
        }
        h->waiting = true;
        if (m->health_waiting_tail)
                m->health_waiting_tail->next_waiting = h;
        else
                m->health_waiting = h;
        m->health_waiting_tail = h;
        return 0;
}

void manager_health_device_changed(Manager *m, const Ci *c, InventoryChange change) {
        DeviceHealth *h;

        if (!m->health || !m->health_pool || !pollable(c))
                return;
        if (change != INVENTORY_ADDED && change != INVENTORY_REAPPEARED && change != INVENTORY_CHANGED)
                return;
        h = hashmap_get(m->health, c->id);
        if (!h) {
                (void) health_for(m, c);
                return;
        }
        /* It may be another device now (a new disk behind the same id, new
         * firmware): the next read reads its identity again. */
        h->cache = (HealthCache) {};
        if (change != INVENTORY_CHANGED && sd_event_source_get_enabled(h->timer, NULL) <= 0 &&
            arm(h, now(CLOCK_MONOTONIC) + jitter_of(c->id, MIN(m->config.health_interval_usec, USEC_PER_MINUTE))) < 0)
                log_warning("Cannot set up the health poll timer of '%s'; it is not polled.", c->name);
}

int manager_health_start(Manager *m) {
        _cleanup_free_ Ci **l = NULL;
        int n, r;

        m->health = hashmap_new();
        if (!m->health)
                return log_oom();
        if (m->config.health_interval_usec == 0) {
                log_info("Not polling device health (PollIntervalSec=0).");
                return 0;
        }
        r = health_pool_new(m->event, HEALTH_WORKERS, m->config.health_timeout_usec, health_work, on_read_done, m,
                            &m->health_pool);
        if (r < 0)
                return log_error_errno(r, "Cannot set up the health workers: %m");
        n = inventory_list_unsorted(m->inventory, &l);
        for (int i = 0; i < n; i++)
                if (pollable(l[i]) && !health_for(m, l[i]))
                        return log_oom();
        return 0;
}

void manager_health_stop(Manager *m) {
        DeviceHealth *h;

        /* First the workers: a read in flight holds its device open. */
        m->health_pool = health_pool_free(m->health_pool);
        m->health_waiting = m->health_waiting_tail = NULL;
        HASHMAP_FOREACH(h, m->health)
                device_health_free(h);
        m->health = hashmap_free(m->health);
}

json_object *manager_health_snapshot(Manager *m, const char *ci_id, HealthAssessment *ret_assessment,
                                     usec_t *ret_polled_usec) {
        DeviceHealth *h = m->health ? hashmap_get(m->health, ci_id) : NULL;

        if (ret_assessment)
                *ret_assessment = h ? h->assessment : HEALTH_UNKNOWN;
        if (ret_polled_usec)
                *ret_polled_usec = h ? h->polled_usec : 0;
        return h ? h->snapshot : NULL;
}

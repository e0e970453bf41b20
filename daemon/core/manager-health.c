/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Polling device health (SMART, SCSI log pages, NVMe health log) without
 * ever blocking the event loop: each read runs in a short-lived worker
 * process (a hung SG_IO stalls only the worker, which is killed at its
 * deadline).  The worker sends back, over a pipe, the ereports the driver
 * emitted and the snapshot as JSON:
 *
 *   record  = type (1 byte) | length (uint32, host order) | payload
 *   'E'     = one Ereport struct (same binary, same build)
 *   'J'     = the snapshot, health_snapshot_to_json()
 *
 * Polls are spread over the interval (each device at its own offset, from
 * a hash of its id), at most HEALTH_WORKERS at a time, and a device that
 * is not present or has no health interface is never touched.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "health-json.h"
#include "health-read.h"
#include "log.h"
#include "manager.h"
#include "string-util.h"

#define HEALTH_WORKERS 2                     /* reads in flight at once */
#define HEALTH_REPLY_MAX ((size_t) 1024 * 1024)      /* a worker that says more is broken */

typedef struct DeviceHealth {
        char *ci_id;               /* hash key */
        Manager *manager;
        usec_t next_due;           /* CLOCK_MONOTONIC */
        usec_t polled_usec;        /* CLOCK_REALTIME of the last result */
        HealthAssessment assessment;
        json_object *snapshot;     /* the last result */
        /* What was fed to diagnosis: a poll reports states (a counter, a
         * warning bit, a sense key the device gives to every poll), and a
         * state is one observation, not one per poll.  A class is fed
         * again only when its value grows; all is forgotten when the
         * device is healthy again. */
        bool fed[_EREPORT_CLASS_MAX];
        uint64_t fed_value[_EREPORT_CLASS_MAX];
        AtaPolicyTracker ata_policy; /* ATA disks: the policy's episode */
        /* a poll in flight */
        pid_t worker;
        int fd;
        sd_event_source *io, *child, *deadline;
        char *reply;
        size_t reply_size, reply_allocated;
        bool child_done, io_done;
} DeviceHealth;

static void worker_cleanup(DeviceHealth *h) {
        h->io = sd_event_source_disable_unref(h->io);
        h->child = sd_event_source_disable_unref(h->child);
        h->deadline = sd_event_source_disable_unref(h->deadline);
        h->fd = safe_close(h->fd);
        h->reply = mfree(h->reply);
        h->reply_size = h->reply_allocated = 0;
        h->worker = 0;
        h->child_done = h->io_done = false;
}

static DeviceHealth *device_health_free(DeviceHealth *h) {
        if (!h)
                return NULL;
        if (h->worker > 0)
                (void) kill(h->worker, SIGKILL);
        worker_cleanup(h);
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

static int write_all(int fd, const void *p, size_t n) {
        const uint8_t *b = p;

        while (n > 0) {
                ssize_t k = write(fd, b, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                b += k;
                n -= (size_t) k;
        }
        return 0;
}

static void write_record(int fd, char type, const void *payload, uint32_t len) {
        (void) write_all(fd, &type, 1);
        (void) write_all(fd, &len, sizeof(len));
        (void) write_all(fd, payload, len);
}

static void worker_sink(const Ereport *e, void *userdata) {
        write_record(*(int *) userdata, 'E', e, sizeof(*e));
}

static _noreturn_ void worker_main(int fd, const char *node, HealthProtocol protocol) {
        _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
        json_object *o;
        const char *j;

        if (health_read_device(node, protocol, now(CLOCK_REALTIME), worker_sink, &fd, &s) < 0 || !s)
                _exit(EXIT_FAILURE);
        o = health_snapshot_to_json(s);
        if (!o)
                _exit(EXIT_FAILURE);
        j = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        write_record(fd, 'J', j, (uint32_t) strlen(j));
        _exit(EXIT_SUCCESS);
}

/* --- results ------------------------------------------------------------- */

static void worker_finished(DeviceHealth *h) {
        Manager *m = h->manager;
        Ci *c = inventory_get(m->inventory, h->ci_id);
        size_t off = 0;
        json_object *snap = NULL;
        usec_t t = now(CLOCK_REALTIME);

        while (off + 5 <= h->reply_size) {
                char type = h->reply[off];
                uint32_t len;

                memcpy(&len, h->reply + off + 1, sizeof(len));
                if (len > h->reply_size - off - 5)
                        break; /* truncated: the worker died mid-write */
                if (type == 'E' && len == sizeof(Ereport) && c) {
                        Ereport e;

                        memcpy(&e, h->reply + off + 5, sizeof(e));
                        /* The driver names the node it read; diagnosis
                         * knows devices by kernel name. */
                        snprintf(e.device, sizeof(e.device), "%s", c->name);
                        snprintf(e.ci_id, sizeof(e.ci_id), "%s", c->id);
                        if (e.class >= 0 && e.class < _EREPORT_CLASS_MAX &&
                            (!h->fed[e.class] || e.value > h->fed_value[e.class])) {
                                h->fed[e.class] = true;
                                h->fed_value[e.class] = e.value;
                                manager_feed(&e, m);
                        }
                } else if (type == 'J' && !snap) {
                        _cleanup_free_ char *j = strndup(h->reply + off + 5, len);
                        snap = j ? json_tokener_parse(j) : NULL;
                }
                off += 5 + len;
        }

        if (!snap) {
                /* Never a silent ok: the read failed or the worker died. */
                snap = json_object_new_object();
                if (snap) {
                        json_object_object_add(snap, "assessment", json_object_new_string("unknown"));
                        json_object_object_add(snap, "error", json_object_new_string("health read did not complete"));
                }
        }
        if (snap) {
                json_object *a;
                HealthAssessment before = h->assessment;

                json_object_put(h->snapshot);
                h->snapshot = snap;
                h->polled_usec = t;
                h->assessment = json_object_object_get_ex(snap, "assessment", &a)
                                        ? health_assessment_from_string(json_object_get_string(a))
                                        : HEALTH_UNKNOWN;
                if (h->assessment < 0)
                        h->assessment = HEALTH_UNKNOWN;
                if (h->assessment == HEALTH_OK) {
                        memset(h->fed, 0, sizeof(h->fed));
                        memset(h->fed_value, 0, sizeof(h->fed_value));
                }
                if (m->store) {
                        int r = manager_history_record(m->store, h->ci_id, snap, t);
                        if (r < 0)
                                log_debug_errno(r, "Failed to record the health history of '%s', ignoring: %m",
                                                c ? c->name : h->ci_id);
                }
                if (c)
                        manager_ata_policy_check(m, c, &h->ata_policy, t);
                if (c)
                        manager_known_errors_check(m, c); /* power-on hours move countdowns */
                if (before != h->assessment && c)
                        log_full(h->assessment == HEALTH_OK || h->assessment == HEALTH_UNKNOWN ? LOG_INFO : LOG_WARNING,
                                 "Health of %s '%s' is %s (was %s).", ci_type_to_string(c->type), c->name,
                                 health_assessment_to_string(h->assessment), health_assessment_to_string(before));
                if (c)
                        bus_device_health_changed(m, c);
        }
        worker_cleanup(h);
        manager_health_schedule(m);
}

static void maybe_finished(DeviceHealth *h) {
        if (h->child_done && h->io_done)
                worker_finished(h);
}

static int on_worker_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        DeviceHealth *h = userdata;

        for (;;) {
                ssize_t k;

                if (GREEDY_REALLOC(h->reply, h->reply_allocated, h->reply_size + 4096) < 0)
                        break;
                k = read(fd, h->reply + h->reply_size, h->reply_allocated - h->reply_size);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN)
                        return 0;
                if (k <= 0)
                        break;
                h->reply_size += (size_t) k;
                if (h->reply_size > HEALTH_REPLY_MAX) {
                        (void) kill(h->worker, SIGKILL);
                        break;
                }
        }
        h->io = sd_event_source_disable_unref(h->io);
        h->io_done = true;
        maybe_finished(h);
        return 0;
}

static int on_worker_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        DeviceHealth *h = userdata;

        h->child = sd_event_source_disable_unref(h->child);
        h->child_done = true;
        maybe_finished(h);
        return 0;
}

static int on_worker_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        DeviceHealth *h = userdata;
        Ci *c = inventory_get(h->manager->inventory, h->ci_id);

        log_warning("Health read of '%s' did not finish in %s: killing it; the device may hang.",
                    c ? c->name : h->ci_id, "the allowed time");
        if (h->worker > 0)
                (void) kill(h->worker, SIGKILL);
        return 0;
}

static int start_worker(Manager *m, DeviceHealth *h, const Ci *c) {
        int p[2], r = 0;
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                r = -errno;
                safe_close(p[0]);
                safe_close(p[1]);
                return r;
        }
        if (pid == 0) {
                safe_close(p[0]);
                worker_main(p[1], c->devnode, protocol_of(c));
        }
        safe_close(p[1]);
        h->worker = pid;
        h->fd = p[0];
        if (fcntl(h->fd, F_SETFL, O_NONBLOCK) < 0 ||
            (r = sd_event_add_io(m->event, &h->io, h->fd, EPOLLIN, on_worker_io, h)) < 0 ||
            (r = sd_event_add_child(m->event, &h->child, pid, WEXITED, on_worker_exit, h)) < 0 ||
            (r = sd_event_add_time_relative(m->event, &h->deadline, CLOCK_MONOTONIC, m->config.health_timeout_usec,
                                            USEC_PER_SEC, on_worker_deadline, h)) < 0) {
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                worker_cleanup(h);
                return r < 0 ? r : -errno;
        }
        return 0;
}

/* --- scheduling ---------------------------------------------------------- */

static uint64_t jitter_of(const char *id, usec_t interval) {
        uint64_t x = 1469598103934665603ULL;

        for (const char *p = id; *p; p++)
                x = (x ^ (unsigned char) *p) * 1099511628211ULL;
        return interval > 0 ? x % interval : 0;
}

static DeviceHealth *health_for(Manager *m, const Ci *c) {
        DeviceHealth *h = hashmap_get(m->health, c->id);

        if (h)
                return h;
        h = new0(DeviceHealth, 1);
        if (!h)
                return NULL;
        h->manager = m;
        h->fd = -EBADF;
        h->assessment = HEALTH_UNKNOWN;
        h->ci_id = strdup(c->id);
        /* The first read soon after start, spread over a minute; then each
         * device at its own offset within the interval. */
        h->next_due = now(CLOCK_MONOTONIC) + jitter_of(c->id, MIN(m->config.health_interval_usec, USEC_PER_MINUTE));
        if (!h->ci_id || hashmap_put(m->health, h->ci_id, h) < 0)
                return device_health_free(h);
        return h;
}

static int on_health_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        manager_health_schedule(userdata);
        return 0;
}

void manager_health_schedule(Manager *m) {
        _cleanup_free_ Ci **l = NULL;
        usec_t t = now(CLOCK_MONOTONIC), next = USEC_INFINITY;
        unsigned running = 0;
        DeviceHealth *h;
        int n;

        if (!m->health || m->config.health_interval_usec == 0)
                return;
        HASHMAP_FOREACH(h, m->health)
                if (h->worker > 0)
                        running++;

        /* Called whenever a worker finishes: O(N), no sorting. */
        n = inventory_list_unsorted(m->inventory, &l);
        for (int i = 0; i < n; i++) {
                const Ci *c = l[i];

                if (c->type != CI_DISK || c->state != CI_STATE_PRESENT || protocol_of(c) < 0 || !c->devnode)
                        continue;
                h = health_for(m, c);
                if (!h || h->worker > 0)
                        continue;
                if (h->next_due <= t && running < HEALTH_WORKERS) {
                        int r = start_worker(m, h, c);
                        if (r < 0)
                                log_warning_errno(r, "Cannot start a health read of '%s', ignoring: %m", c->name);
                        else
                                running++;
                        h->next_due = t + m->config.health_interval_usec;
                }
                next = MIN(next, h->next_due);
        }
        if (next == USEC_INFINITY || running >= HEALTH_WORKERS)
                return; /* a finishing worker reschedules */
        if (!m->health_timer) {
                if (sd_event_add_time(m->event, &m->health_timer, CLOCK_MONOTONIC, next, USEC_PER_SEC, on_health_timer,
                                      m) < 0)
                        log_warning("Cannot set up the health poll timer; health is read only at start.");
                return;
        }
        if (sd_event_source_set_time(m->health_timer, next) < 0 ||
            sd_event_source_set_enabled(m->health_timer, SD_EVENT_ONESHOT) < 0)
                log_warning("Cannot re-arm the health poll timer, ignoring.");
}

int manager_health_start(Manager *m) {
        m->health = hashmap_new();
        if (!m->health)
                return log_oom();
        if (m->config.health_interval_usec == 0) {
                log_info("Not polling device health (PollIntervalSec=0).");
                return 0;
        }
        manager_health_schedule(m);
        return 0;
}

void manager_health_stop(Manager *m) {
        DeviceHealth *h;

        m->health_timer = sd_event_source_disable_unref(m->health_timer);
        HASHMAP_FOREACH(h, m->health) {
                /* A read in flight holds its device open: end it, and
                 * reap it, so that nothing outlives the daemon. */
                if (h->worker > 0) {
                        (void) kill(h->worker, SIGKILL);
                        (void) waitpid(h->worker, NULL, 0);
                        h->worker = 0;
                }
                device_health_free(h);
        }
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

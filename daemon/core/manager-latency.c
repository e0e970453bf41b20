/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sampling per-disk latency and SCSI error counters on a timer:
 *
 *   - ioerr_cnt / iotmo_cnt rising become ereports (scsi.counter.*): errors
 *     and timeouts the kernel log may not show at default SCSI logging;
 *   - each window's mean completion time feeds fail-slow evaluation among
 *     peers: the members of one array (measured at the member device md
 *     uses: a disk, a partition, a dm device), the disks behind one
 *     controller.  Peers are disks of the same model: a mirror of an SSD
 *     and an HDD is not a fail-slow case.  A member slower than its peers
 *     for several windows
 *     while doing comparable work becomes a blk.fail_slow ereport (once per
 *     episode), which diagnosis turns into a fault — or, when its siblings
 *     behind the same controller turn slow too, into a controller fault.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "alloc-util.h"
#include "evidence-state.h"
#include "blkstat/blkstat.h"
#include "failslow.h"
#include "log.h"
#include "manager.h"
#include "paths.h"
#include "string-util.h"

typedef struct DiskSamples {
        char *key;                 /* hash key: the block device's sysfs path */
        BlkStat last;
        bool have_last;
        ScsiCounters counters;
        bool have_counters;
        bool no_counters;          /* not a SCSI device: nothing to read */
        usec_t counters_due;       /* CLOCK_MONOTONIC: the next counter read while idle */
        FailSlowRing ring;         /* its windows, kept across a restart */
        bool seen;                 /* sampled in this round */
} DiskSamples;

static DiskSamples *disk_samples_free(DiskSamples *s) {
        if (!s)
                return NULL;
        free(s->key);
        return mfree(s);
}

static DiskSamples *samples_for(Manager *m, const char *syspath) {
        DiskSamples *s = hashmap_get(m->latency, syspath);

        if (s)
                return s;
        s = new0(DiskSamples, 1);
        if (!s)
                return NULL;
        s->key = strdup(syspath);
        if (!s->key || hashmap_put(m->latency, s->key, s) < 0)
                return disk_samples_free(s);
        return s;
}

static void emit(Manager *m, const Ci *c, EreportClass class, uint64_t value, const char *raw) {
        Ereport e;

        ereport_init(&e, class, "blkstat", c->name, now(CLOCK_REALTIME));
        snprintf(e.ci_id, sizeof(e.ci_id), "%s", c->id);
        e.value = value;
        ereport_set_raw(&e, raw, strlen(raw));
        manager_feed(&e, m);
}

static void sample_counters(Manager *m, const Ci *c, DiskSamples *s) {
        ScsiCounters now_c;
        char raw[160];

        if (scsi_counters_read(c->syspath, &now_c) < 0)
                return;
        if (!now_c.present) {
                s->no_counters = true;
                return;
        }
        if (s->have_counters) {
                if (now_c.ioerr > s->counters.ioerr) {
                        snprintf(raw, sizeof(raw), "%s: ioerr_cnt %llu -> %llu", c->name,
                                 (unsigned long long) s->counters.ioerr, (unsigned long long) now_c.ioerr);
                        emit(m, c, EREPORT_SCSI_IOERR_COUNT, now_c.ioerr, raw);
                }
                if (now_c.iotmo > s->counters.iotmo) {
                        snprintf(raw, sizeof(raw), "%s: iotmo_cnt %llu -> %llu", c->name,
                                 (unsigned long long) s->counters.iotmo, (unsigned long long) now_c.iotmo);
                        emit(m, c, EREPORT_SCSI_IOTMO_COUNT, now_c.iotmo, raw);
                }
        }
        /* Taken offline (by an administrator, or by storguard itself):
         * nothing is logged and no uevent sent, so this read is where it
         * shows.  Once per episode; the first sample counts too. */
        if (now_c.offline && !(s->have_counters && s->counters.offline)) {
                snprintf(raw, sizeof(raw), "%s: SCSI device state offline", c->name);
                emit(m, c, EREPORT_SCSI_DEVICE_OFFLINE, 0, raw);
        }
        s->counters = now_c;
        s->have_counters = true;
}

/* The SCSI counters and state of a disk the block layer left idle are read
 * this often, a busy disk's at every sample: on an idle disk they move only
 * through pass-through commands (blkstat_idle()), the health polls (every
 * 30 min by default) first among them.  Each disk at its own phase, so a
 * sample reads a few disks' counters, never all at once.  An idle fleet
 * costs one read of /proc/diskstats per sample, not five or six sysfs files
 * per disk (each sysfs read clears a page in the kernel: at 256 disks that
 * was most of the daemon's CPU; every 5 min it was still two thirds). */
#define LATENCY_IDLE_COUNTERS_USEC (30 * USEC_PER_MINUTE)

/* One round's /proc/diskstats, sorted by name (blkstat_find()). */
typedef struct DiskStats {
        BlkStatEntry *entries;
        size_t n;
} DiskStats;

/* One window of the block device at syspath (kernel name @name); SCSI
 * counters too when c (the disk) is given. */
static DiskSamples *sample_block(Manager *m, const DiskStats *ds, const char *syspath, const char *name,
                                 const Ci *c) {
        DiskSamples *s = samples_for(m, syspath);
        const BlkStatEntry *e = blkstat_find(ds->entries, ds->n, name);
        usec_t t = manager_now(m, CLOCK_MONOTONIC);
        BlkStat st;
        uint64_t lat, ios;
        bool read_ok, idle;

        if (!s)
                return NULL;
        if (s->seen)
                return s; /* already sampled in this round (a disk that is also a member) */
        s->seen = true;
        if (e) {
                st = e->stat;
                read_ok = true;
        } else /* not in /proc/diskstats (or it is unreadable): its own file */
                read_ok = blkstat_read(syspath, &st) >= 0;
        idle = read_ok && blkstat_idle(s->have_last ? &s->last : NULL, &st);
        if (c && !s->no_counters && (!idle || !s->have_counters || t >= s->counters_due)) {
                bool first = !s->have_counters;

                sample_counters(m, c, s);
                /* After the first read, at a phase of its own in the period. */
                s->counters_due = t + (first ? fnv1a64(FNV1A64_INIT, syspath, strlen(syspath)) % LATENCY_IDLE_COUNTERS_USEC
                                             : LATENCY_IDLE_COUNTERS_USEC);
        }
        if (!read_ok)
                return s;
        if (s->have_last) {
                bool was_idle = failslow_ring_idle(&s->ring);

                ios = blkstat_window(&s->last, &st, &lat);
                failslow_ring_push(&s->ring, (FailSlowSample) { .latency_usec = lat, .ios = ios },
                                   manager_now(m, CLOCK_REALTIME));
                /* An idle disk's windows are nothing to save. */
                if (!was_idle || ios > 0)
                        manager_state_changed(m);
        }
        s->last = st;
        s->have_last = true;
        return s;
}

/* Evaluate one peer group: samples[k] measured for disks[k]; report the
 * slow member once per episode. */
static void evaluate_group(Manager *m, Ci **disks, DiskSamples **samples, size_t n) {
        const FailSlowParams *p = &m->config.diagnosis.failslow;
        unsigned windows = MIN(p->windows, (unsigned) FAILSLOW_RING_MAX);
        _cleanup_free_ FailSlowSample *mat = NULL;
        FailSlowVerdict v;
        char raw[200];
        bool busy = false;
        int r;

        if (n < 2 || windows == 0)
                return;
        for (size_t k = 0; k < n; k++) {
                if (!samples[k] || samples[k]->ring.n < windows)
                        return;
                /* Peers are the same kind of disk. */
                if (!streq_ptr(disks[k]->model, disks[0]->model))
                        return;
                busy = busy || !failslow_ring_idle(&samples[k]->ring);
        }
        if (!busy) {
                /* No I/O in any window of the group: nothing to judge; an
                 * episode reported stays as it is until I/O shows again. */
                return;
        }
        mat = new(FailSlowSample, (size_t) windows * n);
        if (!mat)
                return;
        for (unsigned w = 0; w < windows; w++)
                for (size_t k = 0; k < n; k++)
                        mat[w * n + k] = samples[k]->ring.windows[samples[k]->ring.n - windows + w];

        r = failslow_evaluate(mat, n, windows, p, &v);
        if (r <= 0) {
                for (size_t k = 0; k < n; k++)
                        samples[k]->ring.flagged = false; /* episode over */
                return;
        }
        for (size_t k = 0; k < n; k++)
                if (k != v.member)
                        samples[k]->ring.flagged = false;
        if (samples[v.member]->ring.flagged)
                return;
        samples[v.member]->ring.flagged = true;
        /* NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage): mat is filled for every window and member; v.member < n */
        snprintf(raw, sizeof(raw), "%s: mean latency %llu us, %.1fx its %zu peer(s), for %u windows",
                 disks[v.member]->name, (unsigned long long) mat[(windows - 1) * n + v.member].latency_usec, v.ratio,
                 n - 1, v.windows);
        log_notice("Fail-slow: %s.", raw);
        emit(m, disks[v.member], EREPORT_BLK_FAIL_SLOW, mat[(windows - 1) * n + v.member].latency_usec, raw);
}

static int cmp_controller(const void *a, const void *b) {
        return strcmp((*(Ci *const *) a)->controller_id, (*(Ci *const *) b)->controller_id);
}

static int on_latency_timer(sd_event_source *src, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        _cleanup_free_ Ci **l = NULL;
        _cleanup_free_ Ci **group = NULL;
        _cleanup_free_ DiskSamples **gsamples = NULL;
        _cleanup_free_ Ci **disks = NULL;
        _cleanup_free_ BlkStatEntry *entries = NULL;
        DiskStats ds = {};
        DiskSamples *s;
        int n = inventory_list_unsorted(m->inventory, &l), r;

        if (n < 0)
                return 0;
        r = blkstat_read_diskstats(DISKSTATS_PATH, &entries, &ds.n);
        if (r < 0)
                log_debug_errno(r, "Cannot read %s, reading each disk's stat file: %m", DISKSTATS_PATH);
        ds.entries = entries;
        HASHMAP_FOREACH(s, m->latency)
                s->seen = false;
        for (int i = 0; i < n; i++)
                if (l[i]->type == CI_DISK && l[i]->state == CI_STATE_PRESENT && l[i]->syspath)
                        (void) sample_block(m, &ds, l[i]->syspath, l[i]->name, l[i]);

        group = new(Ci *, (size_t) n + 1);
        gsamples = new(DiskSamples *, (size_t) n + 1);
        disks = new(Ci *, (size_t) n + 1);
        if (group && gsamples && disks) {
                size_t nd = 0;

                /* Peers: the members of each array (at the member device
                 * md uses)... */
                for (int i = 0; i < n; i++) {
                        size_t g = 0;

                        if (l[i]->state != CI_STATE_PRESENT)
                                continue;
                        if (l[i]->type == CI_DISK && l[i]->controller_id)
                                disks[nd++] = l[i];
                        if (l[i]->type != CI_ARRAY)
                                continue;
                        for (size_t k = 0; k < l[i]->n_members; k++) {
                                const ArrayMember *a = &l[i]->members[k];
                                Ci *d = inventory_disk_of_name(m->inventory, a->disk_name);
                                struct udev_device *u;

                                if (!d || a->role != MEMBER_ROLE_ACTIVE)
                                        continue;
                                u = udev_device_new_from_subsystem_sysname(m->udev, "block", a->name);
                                if (!u)
                                        continue;
                                gsamples[g] = sample_block(m, &ds, udev_device_get_syspath(u), a->name, NULL);
                                udev_device_unref(u);
                                group[g++] = d;
                        }
                        evaluate_group(m, group, gsamples, g);
                }
                /* ...then the disks behind each controller: sorted by
                 * controller, one group per run (O(N log N), not
                 * controllers x CIs). */
                qsort(disks, nd, sizeof(Ci *), cmp_controller);
                for (size_t i = 0; i < nd;) {
                        size_t g = 0, j = i;

                        for (; j < nd && streq(disks[j]->controller_id, disks[i]->controller_id); j++) {
                                gsamples[g] = hashmap_get(m->latency, disks[j]->syspath);
                                group[g++] = disks[j];
                        }
                        evaluate_group(m, group, gsamples, g);
                        i = j;
                }
        }

        /* Forget disks that are gone. */
        {
                HashmapIter it = HASHMAP_ITER_FIRST;
                const char *k;

                while (hashmap_iterate(m->latency, &it, (void **) &s, &k))
                        if (!s->seen)
                                disk_samples_free(hashmap_remove(m->latency, k));
        }

        if (sd_event_source_set_time_relative(src, m->config.latency_interval_usec) < 0 ||
            sd_event_source_set_enabled(src, SD_EVENT_ONESHOT) < 0)
                log_warning("Cannot re-arm the latency sampling timer; sampling stops.");
        return 0;
}

/* --- the windows across a restart (evidence-state.h) -------------------- */

int manager_latency_snapshot(Manager *m, char **ret) {
        _cleanup_free_ FailSlowNamedRing *rings = NULL;
        DiskSamples *s;
        size_t n = 0;

        if (!m->latency || m->config.latency_interval_usec == 0) {
                *ret = NULL;
                return 0;
        }
        rings = new(FailSlowNamedRing, hashmap_size(m->latency) + 1);
        if (!rings)
                return -ENOMEM;
        HASHMAP_FOREACH(s, m->latency)
                if (s->ring.n > 0 && !failslow_ring_idle(&s->ring))
                        rings[n++] = (FailSlowNamedRing) { .key = s->key, .ring = &s->ring };
        return failslow_rings_snapshot(rings, n, m->config.latency_interval_usec, ret);
}

/* A ring resumes when the daemon was away for at most this many sampling
 * intervals: the restart costs one window (the first sample after it is
 * only the baseline), a longer gap breaks the run of slow windows. */
#define LATENCY_RESUME_INTERVALS 3

static int restore_ring(const char *key, const FailSlowRing *r, void *userdata) {
        Manager *m = userdata;
        DiskSamples *s;

        if (r->last_usec + LATENCY_RESUME_INTERVALS * m->config.latency_interval_usec < now(CLOCK_REALTIME))
                return 0;
        s = samples_for(m, key);
        if (!s)
                return -ENOMEM;
        s->ring = *r;
        return 0;
}

static void restore_windows(Manager *m) {
        _cleanup_free_ char *text = NULL;
        char reason[DIAG_SNAPSHOT_REASON_MAX];
        int r;

        r = evidence_failslow_load(m->store, m->boot_id, &text);
        if (r < 0)
                return;
        r = failslow_rings_restore(text, m->config.latency_interval_usec, restore_ring, m, reason, sizeof(reason));
        if (r == -ENOMEM)
                (void) log_oom();
        else if (r < 0)
                log_warning("Ignoring the saved fail-slow windows in '%s', starting afresh: %s.", store_path(m->store),
                            reason);
        else if (hashmap_size(m->latency) > 0)
                log_info("Resumed the fail-slow windows of %zu block device(s).", hashmap_size(m->latency));
}

int manager_latency_start(Manager *m) {
        int r;

        m->latency = hashmap_new();
        if (!m->latency)
                return log_oom();
        if (m->config.latency_interval_usec == 0) {
                log_info("Not sampling disk latency (SampleIntervalSec=0).");
                return 0;
        }
        restore_windows(m);
        r = sd_event_add_time_relative(m->event, &m->latency_timer, CLOCK_MONOTONIC, 0, USEC_PER_MSEC * 100,
                                       on_latency_timer, m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up latency sampling: %m");
        (void) sd_event_source_set_description(m->latency_timer, "latency");
        return 0;
}

void manager_latency_stop(Manager *m) {
        DiskSamples *s;

        m->latency_timer = sd_event_source_disable_unref(m->latency_timer);
        HASHMAP_FOREACH(s, m->latency)
                disk_samples_free(s);
        m->latency = hashmap_free(m->latency);
}

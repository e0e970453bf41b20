/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Incidents raised and persisted per second through the real incident
 * manager and store: SQLite in WAL mode with the shipped synchronous
 * setting (FULL, CONFIG_STORE_SYNC_DEFAULT), one transaction per change as
 * the daemon does.  Then the same number of updates of those incidents
 * (a fault seen again: occurrences and evidence).  The daemon's enqueue
 * hook (one webhook outbox row per change) is not installed here:
 * bench-webhook's "queue" figure measures that row.
 * The store lives in $BENCH_STORE_DIR, else $TMPDIR, else /var/tmp: the
 * filesystem type is printed because fsync's cost is most of the figure.
 *   make bench-incident   (or: tests/bench/bench-incident [incidents])
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "incident-manager.h"
#include "store.h"
#include "time-util.h"

#define BENCH_INCIDENT_N 500U

static int report(IncidentManager *im, unsigned i, usec_t t) {
        char key[96], ci[64], title[96];
        json_object *ev = json_object_new_array();
        json_object *o = json_object_new_object();
        int r;

        snprintf(key, sizeof(key), "disk-media:disk-wwn-0x5000c500%08x", i);
        snprintf(ci, sizeof(ci), "disk-wwn-0x5000c500%08x", i);
        snprintf(title, sizeof(title), "Unrecovered media errors on disk %u", i);
        json_object_object_add(o, "class", json_object_new_string("disk.media"));
        json_object_object_add(o, "raw", json_object_new_string(
                "sd 2:0:0:0: [sdc] tag#0 Sense Key : Medium Error [current]"));
        json_object_array_add(ev, o);
        r = incident_manager_report(im, &(IncidentInput) {
                        .dedup_key = key,
                        .title = title,
                        .category = INCIDENT_CATEGORY_DISK,
                        .ci_id = ci,
                        .impact = IMPACT_REDUNDANCY_LOST,
                        .urgency = URGENCY_HIGH,
                        .confidence_percent = 80,
                        .evidence = ev,
                        .occurrences = 1,
                }, t, NULL);
        json_object_put(ev);
        return r;
}

int main(int argc, char *argv[]) {
        unsigned n = argc > 1 ? (unsigned) strtoul(argv[1], NULL, 10) : BENCH_INCIDENT_N;
        const char *base = getenv("BENCH_STORE_DIR") ?: getenv("TMPDIR") ?: "/var/tmp";
        char dir[4096], cmd[4200];
        IncidentManager *im = NULL;
        Store *store = NULL;
        struct statfs sfs;
        usec_t t0, t1, t2;
        int r;

        snprintf(dir, sizeof(dir), "%s/storguard-bench-XXXXXX", base);
        if (!mkdtemp(dir)) {
                perror(dir);
                return 1;
        }
        r = store_open(dir, STORE_SYNC_FULL, &store, NULL);
        if (r < 0) {
                fprintf(stderr, "store_open: %s\n", strerror(-r));
                return 1;
        }
        r = incident_manager_new("bench", store, NULL, NULL, &im);
        if (r < 0)
                return 1;

        t0 = now(CLOCK_MONOTONIC);
        for (unsigned i = 0; i < n; i++)
                if (report(im, i, now(CLOCK_REALTIME)) != 1) {
                        fprintf(stderr, "raise %u failed\n", i);
                        return 1;
                }
        t1 = now(CLOCK_MONOTONIC);
        for (unsigned i = 0; i < n; i++)
                if (report(im, i, now(CLOCK_REALTIME)) != 0) {
                        fprintf(stderr, "update %u failed\n", i);
                        return 1;
                }
        t2 = now(CLOCK_MONOTONIC);

        statfs(dir, &sfs);
        printf("incident: store %s (fs magic 0x%lx%s), WAL, synchronous=FULL\n", dir, (unsigned long) sfs.f_type,
               sfs.f_type == 0x01021994 ? ", tmpfs: fsync is free here" : "");
        printf("incident: raise   %u in %.3f s = %.0f incidents/s (one transaction each)\n", n,
               (double) (t1 - t0) / 1e6, n / ((double) (t1 - t0) / 1e6));
        printf("incident: update  %u in %.3f s = %.0f updates/s\n", n, (double) (t2 - t1) / 1e6,
               n / ((double) (t2 - t1) / 1e6));
        printf("BENCH incident_raise_per_s=%.0f\n", n / ((double) (t1 - t0) / 1e6));
        printf("BENCH incident_update_per_s=%.0f\n", n / ((double) (t2 - t1) / 1e6));
        printf("BENCH incident_fs=%s\n", sfs.f_type == 0x01021994 ? "tmpfs" : "disk");

        incident_manager_free(im);
        store_close(store);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        (void) system(cmd);
        return 0;
}

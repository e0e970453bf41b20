/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmsg lines parsed AND diagnosed per second: every real record of
 * tests/fixtures/kmsg/ replayed round-robin to BENCH_PIPELINE_RECORDS
 * records, each through kmsg_parse_line() and every ereport it yields
 * through diagnosis_feed(), whose lookup resolves devices against a real
 * Inventory of BENCH_PIPELINE_DISKS disks behind 16 controllers plus md
 * arrays (the lookup mirrors manager-evidence.c's diag_lookup(), through
 * the daemon's own manager_find_container()).  Also the parse-only rate on
 * the same records, and peak RSS (getrusage) after the run.  Then the
 * engines' state after that storm written as the daemon saves it
 * (diagnosis_snapshot()) and read back as after a restart
 * (diagnosis_restore()): its size and the CPU time of each.  Rates are per
 * second of this process's CPU time (CLOCK_PROCESS_CPUTIME_ID: one core,
 * whatever else the machine runs).
 *   make bench-pipeline   (or: tests/bench/bench-pipeline [records] [disks])
 * Output lines "BENCH key=value" are read by tests/bench/bench-table.sh.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "alloc-util.h"
#include "ci.h"
#include "diagnosis.h"
#include "inventory.h"
#include "kmsg.h"
#include "macro.h"
#include "manager.h"
#include "string-util.h"
#include "time-util.h"
#include "../unit/kmsg-fixture.h"

#define BENCH_PIPELINE_RECORDS 2000000UL
#define BENCH_PIPELINE_DISKS 1024U
#define BENCH_PIPELINE_HOSTS 16U
#define BENCH_PIPELINE_ARRAYS 64U /* RAID1 pairs over the first 128 disks */

static void disk_name(unsigned i, char *buf, size_t size) {
        /* sda..sdz, sdaa..sdzz, sdaaa..: the kernel's sd_format_disk_name() */
        char tmp[8];
        int n = 0;

        i++;
        while (i > 0 && n < (int) sizeof(tmp)) {
                i--;
                tmp[n++] = (char) ('a' + i % 26);
                i /= 26;
        }
        snprintf(buf, size, "sd");
        for (int k = n - 1; k >= 0; k--)
                snprintf(buf + strlen(buf), size - strlen(buf), "%c", tmp[k]);
}

static void add(Inventory *inv, Ci *c) {
        if (inventory_update(inv, c, 0, NULL) < 0)
                abort();
}

static Inventory *make_inventory(unsigned n_disks) {
        Inventory *inv = inventory_new();
        char name[32], buf[128];

        if (!inv)
                abort();
        for (unsigned h = 0; h < BENCH_PIPELINE_HOSTS; h++) {
                Ci *c = ci_new(CI_CONTROLLER);
                snprintf(buf, sizeof(buf), "controller-pci-0000:%02x:00.0-host%u", h + 1, h);
                snprintf(name, sizeof(name), "host%u", h);
                c->id = strdup(buf);
                c->name = strdup(name);
                snprintf(buf, sizeof(buf), "/sys/devices/pci0000:00/0000:%02x:00.0/host%u", h + 1, h);
                c->syspath = strdup(buf);
                c->state = CI_STATE_PRESENT;
                add(inv, c);
        }
        /* libata ports ata1..ata8 as their own controllers, as on AHCI */
        for (unsigned p = 1; p <= 8; p++) {
                Ci *c = ci_new(CI_CONTROLLER);
                snprintf(buf, sizeof(buf), "controller-pci-0000:00:1f.2-ata%u", p);
                c->id = strdup(buf);
                snprintf(name, sizeof(name), "ata%u", p);
                c->name = strdup(name);
                snprintf(buf, sizeof(buf), "/sys/devices/pci0000:00/0000:00:1f.2/ata%u", p);
                c->syspath = strdup(buf);
                c->state = CI_STATE_PRESENT;
                add(inv, c);
        }
        for (unsigned i = 0; i < n_disks; i++) {
                Ci *c = ci_new(CI_DISK);
                disk_name(i, name, sizeof(name));
                snprintf(buf, sizeof(buf), "disk-wwn-0x5000c500%08x", i);
                c->id = strdup(buf);
                c->name = strdup(name);
                snprintf(buf, sizeof(buf), "/sys/devices/pci0000:00/0000:%02x:00.0/host%u/target%u:0:0/%u:0:0:%u/block/%s",
                         i % BENCH_PIPELINE_HOSTS + 1, i % BENCH_PIPELINE_HOSTS, i % BENCH_PIPELINE_HOSTS,
                         i % BENCH_PIPELINE_HOSTS, i / BENCH_PIPELINE_HOSTS, name);
                c->syspath = strdup(buf);
                snprintf(buf, sizeof(buf), "controller-pci-0000:%02x:00.0-host%u", i % BENCH_PIPELINE_HOSTS + 1,
                         i % BENCH_PIPELINE_HOSTS);
                c->controller_id = strdup(buf);
                c->state = CI_STATE_PRESENT;
                if (!c->id || !c->name || !c->syspath || !c->controller_id)
                        abort();
                add(inv, c);
        }
        for (unsigned a = 0; a < BENCH_PIPELINE_ARRAYS && 2 * a + 1 < n_disks; a++) {
                Ci *c = ci_new(CI_ARRAY);
                snprintf(buf, sizeof(buf), "array-md-uuid-%08x", a);
                c->id = strdup(buf);
                snprintf(name, sizeof(name), "md%u", a);
                c->name = strdup(name);
                snprintf(buf, sizeof(buf), "/sys/devices/virtual/block/md%u", a);
                c->syspath = strdup(buf);
                c->state = CI_STATE_PRESENT;
                c->members = new0(ArrayMember, 2);
                c->n_members = 2;
                for (unsigned k = 0; k < 2; k++) {
                        disk_name(2 * a + k, name, sizeof(name));
                        c->members[k].disk_name = strdup(name);
                        strcat(name, "1");
                        c->members[k].name = strdup(name);
                        c->members[k].state = strdup("in_sync");
                        c->members[k].slot = (int) k;
                }
                add(inv, c);
        }
        return inv;
}

static uint64_t n_faults;
static void sink(const Fault *f, void *userdata) {
        n_faults++;
}

static double rate(unsigned long n, usec_t t0, usec_t t1) {
        return (double) n / ((double) (t1 - t0) / 1e6);
}

int main(int argc, char *argv[]) {
        const char *dir = TOP_SRCDIR "/tests/fixtures/kmsg";
        unsigned long total = argc > 1 ? strtoul(argv[1], NULL, 10) : BENCH_PIPELINE_RECORDS;
        unsigned n_disks = argc > 2 ? (unsigned) strtoul(argv[2], NULL, 10) : BENCH_PIPELINE_DISKS;
        KmsgFixture all = {};
        uint64_t ereports = 0, unknown = 0, storage = 0;
        struct rusage ru_before, ru;
        usec_t t0, t1, t2, t3;
        Diagnosis *d = NULL;
        DiagParams p;
        Manager *m;
        int r;

        if (kmsg_fixture_load_dir(dir, &all) < 0)
                return 1;
        if (all.n == 0)
                return 1;

        /* Only the fields the lookup touches: inventory and lookup_buf. */
        m = new0(Manager, 1);
        if (!m)
                return 1;
        m->inventory = make_inventory(n_disks);
        diag_params_default(&p);
        r = diagnosis_new(&p, manager_diag_lookup, m, sink, NULL, &d);
        if (r < 0)
                return 1;

        /* parse only */
        t0 = now(CLOCK_PROCESS_CPUTIME_ID);
        for (unsigned long i = 0; i < total; i++) {
                Ereport e[KMSG_EREPORTS_MAX];
                size_t k = i % all.n;
                r = kmsg_parse_line(all.records[k], all.lengths[k], 0, e);
                if (r > 0)
                        storage++;
        }
        t1 = now(CLOCK_PROCESS_CPUTIME_ID);

        getrusage(RUSAGE_SELF, &ru_before);
        /* parse + diagnose; the engines' clock moves 1 ms a record so SERD
         * windows slide as in a storm, and diagnosis_tick() runs every
         * 4096 records as the daemon's batch does. */
        t2 = now(CLOCK_PROCESS_CPUTIME_ID);
        for (unsigned long i = 0; i < total; i++) {
                Ereport e[KMSG_EREPORTS_MAX];
                size_t k = i % all.n;
                usec_t when = (usec_t) i * USEC_PER_MSEC;
                int n = kmsg_parse_line(all.records[k], all.lengths[k], 0, e);
                for (int j = 0; j < n; j++) {
                        ereports++;
                        if (diagnosis_feed(d, &e[j], when) == -ENOENT)
                                unknown++;
                }
                if (i % 4096 == 4095)
                        (void) diagnosis_tick(d, when);
        }
        t3 = now(CLOCK_PROCESS_CPUTIME_ID);
        getrusage(RUSAGE_SELF, &ru);

        printf("pipeline: %lu records (%zu distinct real records, %.0f%% storage), inventory %zu CIs (%u disks)\n",
               total, all.n, 100.0 * (double) storage / (double) total, inventory_size(m->inventory), n_disks);
        printf("pipeline: parse only       %.3f CPU s = %.0f records/s\n", (double) (t1 - t0) / 1e6, rate(total, t0, t1));
        printf("pipeline: parse + diagnose %.3f CPU s = %.0f records/s, %" PRIu64 " ereports (%" PRIu64
               " of unknown devices), %" PRIu64 " faults\n",
               (double) (t3 - t2) / 1e6, rate(total, t2, t3), ereports, unknown, n_faults);
        printf("pipeline: peak RSS %ld KiB (%ld KiB before the diagnosed run)\n", ru.ru_maxrss, ru_before.ru_maxrss);
        printf("BENCH kmsg_parse_per_s=%.0f\n", rate(total, t0, t1));
        printf("BENCH kmsg_diag_per_s=%.0f\n", rate(total, t2, t3));
        printf("BENCH kmsg_ereports_per_s=%.0f\n", (double) ereports / ((double) (t3 - t2) / 1e6));
        printf("BENCH kmsg_storage_pct=%.0f\n", 100.0 * (double) storage / (double) total);
        printf("BENCH kmsg_peak_rss_kib=%ld\n", ru.ru_maxrss);
        printf("BENCH kmsg_rss_growth_kib=%ld\n", ru.ru_maxrss - ru_before.ru_maxrss);
        printf("BENCH kmsg_disks=%u\n", n_disks);

        {
                _cleanup_free_ char *snap = NULL;
                char reason[DIAG_SNAPSHOT_REASON_MAX];
                Diagnosis *d2 = NULL;
                usec_t t4, t5, t6;

                t4 = now(CLOCK_PROCESS_CPUTIME_ID);
                r = diagnosis_snapshot(d, &snap);
                t5 = now(CLOCK_PROCESS_CPUTIME_ID);
                if (r < 0 || diagnosis_new(&p, manager_diag_lookup, m, sink, NULL, &d2) < 0)
                        return 1;
                t6 = now(CLOCK_PROCESS_CPUTIME_ID);
                r = diagnosis_restore(d2, snap, false, reason, sizeof(reason));
                t3 = now(CLOCK_PROCESS_CPUTIME_ID);
                diagnosis_free(d2);
                if (r < 0) {
                        fprintf(stderr, "the snapshot does not restore: %s\n", reason);
                        return 1;
                }
                printf("pipeline: diagnosis state after the storm %zu bytes, written in %.1f CPU ms, "
                       "restored in %.1f CPU ms\n",
                       strlen(snap), (double) (t5 - t4) / 1e3, (double) (t3 - t6) / 1e3);
                printf("BENCH diag_snapshot_bytes=%zu\n", strlen(snap));
                printf("BENCH diag_snapshot_write_ms=%.1f\n", (double) (t5 - t4) / 1e3);
                printf("BENCH diag_snapshot_restore_ms=%.1f\n", (double) (t3 - t6) / 1e3);
        }

        diagnosis_free(d);
        inventory_free(m->inventory);
        free(m);
        kmsg_fixture_free(&all);
        return 0;
}

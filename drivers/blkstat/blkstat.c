/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "blkstat.h"
#include "fileio.h"
#include "hashmap.h"
#include "parse-util.h"
#include "string-util.h"

int blkstat_parse(const char *text, BlkStat *ret) {
        uint64_t v[11];
        const char *p = text;

        for (size_t i = 0; i < ELEMENTSOF(v); i++) {
                char *e;

                while (*p == ' ' || *p == '\t')
                        p++;
                if (*p < '0' || *p > '9')
                        return -EBADMSG;
                errno = 0;
                v[i] = strtoull(p, &e, 10);
                if (errno == ERANGE || e == p)
                        return -EBADMSG;
                p = e;
        }
        /* The rest (discards, flushes) only into the digest: FNV-1a over
         * the digits of every field, so that any completed request shows. */
        uint64_t h = FNV1A64_INIT;

        for (const char *q = text; *q && *q != '\n'; q++)
                if (*q >= '0' && *q <= '9')
                        h = fnv1a64(h, q, 1);
                else if (q > text && q[-1] >= '0' && q[-1] <= '9')
                        h = fnv1a64(h, " ", 1); /* field boundary */
        *ret = (BlkStat) {
                .read_ios = v[0], .read_sectors = v[2], .read_ticks_ms = v[3],
                .write_ios = v[4], .write_sectors = v[6], .write_ticks_ms = v[7],
                .in_flight = v[8], .io_ticks_ms = v[9],
                .digest = h,
        };
        return 0;
}

bool blkstat_idle(const BlkStat *before, const BlkStat *after) {
        return before && after->in_flight == 0 && before->in_flight == 0 && before->digest == after->digest;
}

static int cmp_entry(const void *a, const void *b) {
        return strcmp(((const BlkStatEntry *) a)->name, ((const BlkStatEntry *) b)->name);
}

int blkstat_parse_diskstats(const char *text, BlkStatEntry **ret, size_t *ret_n) {
        _cleanup_free_ BlkStatEntry *e = NULL;
        size_t n = 0, allocated = 0;

        for (const char *line = text; line && *line;) {
                const char *end = strchr(line, '\n'), *p = line, *name;
                size_t len;

                /* major, minor: digits; then the name, up to a blank. */
                for (int f = 0; f < 2; f++) {
                        while (*p == ' ' || *p == '\t')
                                p++;
                        while (*p >= '0' && *p <= '9')
                                p++;
                }
                while (*p == ' ' || *p == '\t')
                        p++;
                name = p;
                while (*p && *p != ' ' && *p != '\t' && *p != '\n')
                        p++;
                len = (size_t) (p - name);
                if (len > 0 && len < BLKSTAT_NAME_MAX) {
                        if (GREEDY_REALLOC(e, allocated, n + 1) < 0)
                                return -ENOMEM;
                        if (blkstat_parse(p, &e[n].stat) >= 0) {
                                memcpy(e[n].name, name, len);
                                e[n].name[len] = 0;
                                n++;
                        }
                }
                line = end ? end + 1 : NULL;
        }
        if (n > 1)
                qsort(e, n, sizeof(*e), cmp_entry);
        *ret = TAKE_PTR(e);
        *ret_n = n;
        return 0;
}

int blkstat_read_diskstats(const char *path, BlkStatEntry **ret, size_t *ret_n) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = read_full_file(path, (size_t) 16 << 20, &text, NULL);
        if (r < 0)
                return r;
        return blkstat_parse_diskstats(text, ret, ret_n);
}

const BlkStatEntry *blkstat_find(const BlkStatEntry *entries, size_t n, const char *name) {
        BlkStatEntry key = {};
        size_t l = strlen(name);

        if (!entries || n == 0 || l >= sizeof(key.name))
                return NULL;
        memcpy(key.name, name, l); /* length checked above; key is zeroed */
        return bsearch(&key, entries, n, sizeof(*entries), cmp_entry);
}

int blkstat_read(const char *disk_syspath, BlkStat *ret) {
        _cleanup_free_ char *p = path_join(disk_syspath, "stat"), *text = NULL;
        int r;

        if (!p)
                return -ENOMEM;
        r = read_one_line_file(p, &text);
        if (r < 0)
                return r;
        return blkstat_parse(text, ret);
}

static int read_counter(const char *disk_syspath, const char *name, uint64_t *ret) {
        _cleanup_free_ char *p = NULL, *text = NULL;
        int r;

        if (asprintf(&p, "%s/device/%s", disk_syspath, name) < 0)
                return -ENOMEM;
        r = read_one_line_file(p, &text);
        if (r < 0)
                return r;
        return safe_atou64(text, ret); /* "0x1f": the kernel prints these in hex */
}

bool scsi_state_is_offline(const char *state) {
        return state && (streq(state, "offline") || streq(state, "transport-offline"));
}

int scsi_counters_read(const char *disk_syspath, ScsiCounters *ret) {
        _cleanup_free_ char *sp = NULL, *state = NULL;
        ScsiCounters c = {};
        int r;

        r = read_counter(disk_syspath, "ioerr_cnt", &c.ioerr);
        if (r == -ENOENT) {
                *ret = c;
                return 0;
        }
        if (r < 0)
                return r;
        c.present = true;
        if ((r = read_counter(disk_syspath, "iotmo_cnt", &c.iotmo)) < 0 ||
            (r = read_counter(disk_syspath, "iorequest_cnt", &c.iorequest)) < 0 ||
            (r = read_counter(disk_syspath, "iodone_cnt", &c.iodone)) < 0)
                return r;
        if (asprintf(&sp, "%s/device/state", disk_syspath) < 0)
                return -ENOMEM;
        if (read_one_line_file(sp, &state) >= 0)
                c.offline = scsi_state_is_offline(strstrip(state));
        *ret = c;
        return 0;
}

static uint64_t delta(uint64_t before, uint64_t after) {
        return after >= before ? after - before : after;
}

uint64_t blkstat_window(const BlkStat *a, const BlkStat *b, uint64_t *ret_latency_usec) {
        uint64_t ios = delta(a->read_ios, b->read_ios) + delta(a->write_ios, b->write_ios);
        uint64_t ticks = delta(a->read_ticks_ms, b->read_ticks_ms) + delta(a->write_ticks_ms, b->write_ticks_ms);

        *ret_latency_usec = ios > 0 ? ticks * 1000 / ios : 0;
        return ios;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "alloc-util.h"
#include "blkstat.h"
#include "fileio.h"
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
        *ret = (BlkStat) {
                .read_ios = v[0], .read_sectors = v[2], .read_ticks_ms = v[3],
                .write_ios = v[4], .write_sectors = v[6], .write_ticks_ms = v[7],
                .in_flight = v[8], .io_ticks_ms = v[9],
        };
        return 0;
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

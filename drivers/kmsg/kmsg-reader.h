/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Reading /dev/kmsg on the event loop.
 *
 * The reader talks to the kernel only through KmsgOps, so tests replay
 * recorded records.  It resumes after a restart from a KmsgCursor (the
 * boot id and the last sequence number handled): records of the same boot
 * up to that sequence number are skipped, so old history is never raised
 * as new.  The daemon keeps the cursor set() hands it in memory and saves
 * it together with the diagnosis snapshot, in one store transaction
 * (daemon/core/evidence-state.h), so that after a crash the records after
 * the saved cursor are fed again into the engines as saved.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ereport.h"
#include "kmsg.h"
#include "macro.h"

#define KMSG_BOOT_ID_MAX 37 /* "8f3c...-...": 36 characters and NUL */

typedef struct KmsgCursor {
        char boot_id[KMSG_BOOT_ID_MAX]; /* empty: never read */
        uint64_t seq;                   /* last record handled */
} KmsgCursor;

/* Where the cursor lives.  get() returns 0 with *ret filled, -ENOENT when
 * there is none yet; set() persists it. */
typedef struct KmsgCursorStore {
        int (*get)(void *userdata, KmsgCursor *ret);
        int (*set)(void *userdata, const KmsgCursor *c);
        void *userdata;
} KmsgCursorStore;

/* The kernel seam.  read() returns one record's length (a /dev/kmsg read
 * returns exactly one record), -EAGAIN when none is pending, -EPIPE when
 * the next records were overwritten (the following read continues with
 * the oldest record still there), other -errno on failure. */
typedef struct KmsgOps {
        int (*open)(void *userdata);
        ssize_t (*read)(void *userdata, char *buf, size_t size);
        int (*boot_id)(void *userdata, char ret[static KMSG_BOOT_ID_MAX]);
        /* realtime of boot, to stamp ereports (CLOCK_REALTIME - CLOCK_BOOTTIME). */
        usec_t (*boot_realtime)(void *userdata);
        void (*close)(void *userdata);
} KmsgOps;

typedef struct KmsgReader KmsgReader;

typedef struct KmsgStats {
        uint64_t records;        /* read and parsed */
        uint64_t skipped;        /* already handled before a restart */
        uint64_t ereports;
        uint64_t malformed;
        uint64_t lost;           /* overwritten before we read them (EPIPE / seq gaps) */
} KmsgStats;

/* kmsg_reader_new() - open through ops and load the cursor.
 * Return: 0 and *ret, or -errno from ops->open(). */
int kmsg_reader_new(const KmsgOps *ops, void *ops_userdata, const KmsgCursorStore *cursor, KmsgReader **ret);
KmsgReader *kmsg_reader_free(KmsgReader *r);
DEFINE_POINTER_CLEANUP_FUNC(KmsgReader, kmsg_reader_free);

/* kmsg_reader_dispatch() - read what is pending (at most max records, 0 =
 * no limit, so one wakeup cannot starve the loop), hand every ereport to
 * sink, and store the cursor once at the end.
 * Return: the number of records read, or -errno from ops->read(). */
int kmsg_reader_dispatch(KmsgReader *r, size_t max, EreportSink sink, void *userdata);

const KmsgStats *kmsg_reader_stats(const KmsgReader *r) _pure_;

/* The real /dev/kmsg: ops over a file path (paths.h KMSG_PATH, [Daemon]
 * KernelLog=).  userdata is a KmsgDev.
 *
 * The path may also name a FIFO that carries records in /dev/kmsg's own
 * text form ("prio,seq,usec,flags;message\n" and " KEY=VALUE\n"
 * continuation lines), for a replay of a captured log into the real daemon
 * (the storm test).  A FIFO does not keep record boundaries, so the reader
 * splits its byte stream at record starts and keeps what it has read but
 * not yet handed out in @stream; a record is complete once the next one
 * starts or the FIFO is drained at a line end.  The FIFO is opened
 * read-write: writers may come and go without the daemon seeing EOF. */
#define KMSG_STREAM_BUFFER ((size_t) 64 * 1024) /* bytes read from a FIFO ahead of the parser */
typedef struct KmsgDev {
        const char *path;
        const char *boot_id_path; /* /proc/sys/kernel/random/boot_id */
        int fd;
        char *stream;             /* FIFO only: KMSG_STREAM_BUFFER bytes; NULL: a kmsg device */
        size_t n_stream;          /* bytes in stream */
} KmsgDev;
extern const KmsgOps kmsg_dev_ops;
/* kmsg_dev_fd() - the fd to watch for EPOLLIN on the event loop. */
int kmsg_dev_fd(const KmsgDev *d) _pure_;
/* kmsg_dev_pending() - whether records wait in the FIFO buffer, where
 * EPOLLIN on the fd does not see them: the caller must come back for them
 * when kmsg_reader_dispatch() stopped at its limit. */
bool kmsg_dev_pending(const KmsgDev *d) _pure_;

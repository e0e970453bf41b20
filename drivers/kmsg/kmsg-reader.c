/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "fileio.h"
#include "kmsg-reader.h"
#include "paths.h"
#include "log.h"

struct KmsgReader {
        const KmsgOps *ops;
        void *ops_userdata;
        KmsgCursorStore store;
        KmsgCursor cursor;
        bool skip_old;          /* same boot as the cursor: skip seq <= cursor.seq */
        bool have_seq;          /* cursor.seq names a record of this boot */
        usec_t boot_realtime_usec;
        KmsgStats stats;
        char buf[KMSG_RECORD_MAX];
};

int kmsg_reader_new(const KmsgOps *ops, void *ops_userdata, const KmsgCursorStore *store, KmsgReader **ret) {
        _cleanup_free_ KmsgReader *r = NULL;
        char boot_id[KMSG_BOOT_ID_MAX] = "";
        KmsgCursor saved = {};
        int k;

        assert(ops && ops->read);
        assert(ret);

        r = new0(KmsgReader, 1);
        if (!r)
                return -ENOMEM;
        r->ops = ops;
        r->ops_userdata = ops_userdata;
        if (store)
                r->store = *store;

        if (ops->boot_id) {
                k = ops->boot_id(ops_userdata, boot_id);
                if (k < 0)
                        log_debug_errno(k, "Failed to read the boot id, resuming by sequence number only: %m");
        }
        if (r->store.get && r->store.get(r->store.userdata, &saved) >= 0 && saved.boot_id[0] != '\0' &&
            strncmp(saved.boot_id, boot_id, sizeof(boot_id)) == 0) {
                /* Same boot: what we handled before the restart is not news. */
                r->skip_old = true;
                r->have_seq = true;
                r->cursor.seq = saved.seq;
        }
        /* A different boot (or none saved): every record in the buffer is
         * from this boot and was never handled. */
        memcpy(r->cursor.boot_id, boot_id, sizeof(boot_id));
        r->boot_realtime_usec = ops->boot_realtime ? ops->boot_realtime(ops_userdata) : 0;

        if (ops->open) {
                k = ops->open(ops_userdata);
                if (k < 0)
                        return k;
        }
        *ret = TAKE_PTR(r);
        return 0;
}

KmsgReader *kmsg_reader_free(KmsgReader *r) {
        if (!r)
                return NULL;
        if (r->ops->close)
                r->ops->close(r->ops_userdata);
        return mfree(r);
}

const KmsgStats *kmsg_reader_stats(const KmsgReader *r) {
        return &r->stats;
}

int kmsg_reader_dispatch(KmsgReader *r, size_t max, EreportSink sink, void *userdata) {
        uint64_t last = r->cursor.seq;
        bool advanced = false;
        int n = 0, ret = 0;

        for (;;) {
                Ereport e[KMSG_EREPORTS_MAX];
                KmsgRecord rec;
                ssize_t l;
                int k;

                if (max > 0 && (size_t) n >= max)
                        break;
                l = r->ops->read(r->ops_userdata, r->buf, sizeof(r->buf));
                if (l == -EAGAIN)
                        break;
                if (l == -EPIPE) {
                        /* The kernel overwrote records we had not read; the
                         * gap in sequence numbers below counts them. */
                        continue;
                }
                if (l < 0) {
                        ret = (int) l;
                        break;
                }
                if (l == 0)
                        break;
                n++;
                k = kmsg_record_parse(r->buf, (size_t) l, &rec);
                if (k < 0) {
                        r->stats.malformed++;
                        continue;
                }
                r->stats.records++;
                if (r->skip_old && rec.seq <= r->cursor.seq) {
                        r->stats.skipped++;
                        continue;
                }
                r->skip_old = false;
                if (r->have_seq && rec.seq > last + 1)
                        r->stats.lost += rec.seq - last - 1;
                last = rec.seq;
                r->have_seq = true;
                advanced = true;

                k = kmsg_classify(&rec, r->boot_realtime_usec, e);
                for (int i = 0; i < k; i++) {
                        r->stats.ereports++;
                        if (sink)
                                sink(&e[i], userdata);
                }
        }

        if (advanced) {
                r->cursor.seq = last;
                if (r->store.set) {
                        int k = r->store.set(r->store.userdata, &r->cursor);
                        if (k < 0)
                                log_debug_errno(k, "Failed to store the kmsg cursor, ignoring: %m");
                }
        }
        return ret < 0 ? ret : n;
}

/* ------------------------------------------------------------------ */
/* /dev/kmsg itself. */

static int dev_open(void *userdata) {
        KmsgDev *d = userdata;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        fd = open(d->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISFIFO(st.st_mode)) {
                /* A replay: read-write, so the last writer closing is no EOF. */
                fd = safe_close(fd);
                fd = open(d->path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
                if (fd < 0)
                        return -errno;
                d->stream = new(char, KMSG_STREAM_BUFFER);
                if (!d->stream)
                        return -ENOMEM;
                d->n_stream = 0;
        } else if (!S_ISCHR(st.st_mode))
                return -ENOTTY; /* neither a kmsg device nor a FIFO: nothing epoll could watch */
        d->fd = TAKE_FD(fd);
        return 0;
}

/* The end of the record at the start of the FIFO buffer: after its first
 * line and the continuation lines (" KEY=VALUE") that follow.  @drained:
 * nothing more to read now, so a record ending at the buffer's end is
 * complete.  Return: its length, 0 if not complete yet. */
static size_t stream_record_end(const KmsgDev *d, bool drained) {
        const char *b = d->stream;
        size_t end = 0;

        for (;;) {
                const char *nl = memchr(b + end, '\n', d->n_stream - end);

                if (!nl)
                        return 0;
                end = (size_t) (nl - b) + 1;
                if (end == d->n_stream)
                        return drained ? end : 0;
                if (b[end] != ' ')
                        return end;
        }
}

static ssize_t stream_read(KmsgDev *d, char *buf, size_t size) {
        bool drained = false;

        for (;;) {
                size_t end = stream_record_end(d, drained);
                ssize_t l;

                if (end > 0) {
                        /* Like /dev/kmsg: one record per read, continuation
                         * lines included; one too long for @buf is cut. */
                        size_t n = MIN(end, size);

                        memcpy(buf, d->stream, n);
                        memmove(d->stream, d->stream + end, d->n_stream - end);
                        d->n_stream -= end;
                        return (ssize_t) n;
                }
                if (drained)
                        return -EAGAIN;
                if (d->n_stream == KMSG_STREAM_BUFFER)
                        d->n_stream = 0; /* one "record" larger than the buffer: garbage, dropped */
                l = read(d->fd, d->stream + d->n_stream, KMSG_STREAM_BUFFER - d->n_stream);
                if (l > 0)
                        d->n_stream += (size_t) l;
                else if (l == 0 || errno == EAGAIN)
                        drained = true;
                else if (errno != EINTR)
                        return -errno;
        }
}

static ssize_t dev_read(void *userdata, char *buf, size_t size) {
        KmsgDev *d = userdata;
        ssize_t l;

        if (d->stream)
                return stream_read(d, buf, size);
        for (;;) {
                l = read(d->fd, buf, size);
                if (l >= 0)
                        return l;
                if (errno != EINTR)
                        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
        }
}

static int dev_boot_id(void *userdata, char ret[static KMSG_BOOT_ID_MAX]) {
        KmsgDev *d = userdata;
        _cleanup_free_ char *s = NULL;
        int r;

        r = read_one_line_file(d->boot_id_path ?: BOOT_ID_PATH, &s);
        if (r < 0)
                return r;
        strncpy(ret, s, KMSG_BOOT_ID_MAX - 1);
        ret[KMSG_BOOT_ID_MAX - 1] = '\0';
        return 0;
}

static usec_t dev_boot_realtime(void *userdata) {
        usec_t rt = now(CLOCK_REALTIME), bt = now(CLOCK_BOOTTIME), mt = now(CLOCK_MONOTONIC);

        /* kmsg stamps with local_clock(), which does not count suspend:
         * that is CLOCK_MONOTONIC's view. */
        (void) bt;
        return rt > mt ? rt - mt : 0;
}

static void dev_close(void *userdata) {
        KmsgDev *d = userdata;

        d->fd = safe_close(d->fd);
        d->stream = mfree(d->stream);
        d->n_stream = 0;
}

const KmsgOps kmsg_dev_ops = {
        .open = dev_open,
        .read = dev_read,
        .boot_id = dev_boot_id,
        .boot_realtime = dev_boot_realtime,
        .close = dev_close,
};

int kmsg_dev_fd(const KmsgDev *d) {
        return d->fd;
}

bool kmsg_dev_pending(const KmsgDev *d) {
        return d->stream && stream_record_end(d, true) > 0;
}

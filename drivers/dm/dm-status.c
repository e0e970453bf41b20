/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "alloc-util.h"
#include "dm/dm-status.h"
#include "fd-util.h"
#include "parse-util.h"
#include "string-util.h"

/* A cursor over space-separated words; every read checks it got one. */
typedef struct Words {
        const char *p;
} Words;

static bool next_word(Words *w, char *buf, size_t size) {
        size_t l;

        w->p += strspn(w->p, " \t\n");
        l = strcspn(w->p, " \t\n");
        if (l == 0 || l >= size)
                return false;
        memcpy(buf, w->p, l);
        buf[l] = '\0';
        w->p += l;
        return true;
}

static bool next_uint(Words *w, unsigned *ret) {
        char buf[24];

        return next_word(w, buf, sizeof(buf)) && safe_atou(buf, ret) >= 0;
}

static bool skip_words(Words *w, unsigned n) {
        char buf[256];

        for (unsigned i = 0; i < n; i++)
                if (!next_word(w, buf, sizeof(buf)))
                        return false;
        return true;
}

/* "<n> <n words>": n read, the words skipped. */
static bool skip_counted(Words *w) {
        unsigned n;

        return next_uint(w, &n) && n <= 1024 && skip_words(w, n);
}

static bool parse_devnum(const char *s, unsigned *ret_major, unsigned *ret_minor) {
        char extra;

        return sscanf(s, "%u:%u%c", ret_major, ret_minor, &extra) == 2;
}

int dm_mpath_status_parse(const char *params, DmMpathStatus *ret) {
        DmMpathStatus s = {};
        Words w = { params };
        unsigned nf, queue_io;
        char buf[32];

        assert(params && ret);
        /* Features: the kernel's status always says "2 <queue_io> <pg_init_count>". */
        if (!next_uint(&w, &nf) || nf < 2 || !next_uint(&w, &queue_io) || !next_uint(&w, &s.pg_init_count) ||
            !skip_words(&w, nf - 2))
                return -EBADMSG;
        s.queue_io = queue_io != 0;
        if (!skip_counted(&w) || !next_uint(&w, &s.n_groups) || !next_uint(&w, &s.next_group))
                return -EBADMSG;
        if (s.n_groups > DM_MPATH_GROUPS_MAX)
                return -E2BIG;
        if (s.next_group > s.n_groups)
                return -EBADMSG;
        for (unsigned g = 0; g < s.n_groups; g++) {
                unsigned n_paths, n_args;

                if (!next_word(&w, buf, sizeof(buf)) || strlen(buf) != 1 || !strchr("AED", buf[0]))
                        return -EBADMSG;
                s.group_state[g] = buf[0];
                if (!skip_counted(&w) || !next_uint(&w, &n_paths) || !next_uint(&w, &n_args) || n_args > 1024)
                        return -EBADMSG;
                for (unsigned k = 0; k < n_paths; k++) {
                        DmMpathPath *p;
                        unsigned fails;

                        if (s.n_paths >= DM_MPATH_PATHS_MAX)
                                return -E2BIG;
                        p = &s.paths[s.n_paths];
                        if (!next_word(&w, buf, sizeof(buf)) || !parse_devnum(buf, &p->major, &p->minor))
                                return -EBADMSG;
                        if (!next_word(&w, buf, sizeof(buf)) || (!streq(buf, "A") && !streq(buf, "F")))
                                return -EBADMSG;
                        p->active = buf[0] == 'A';
                        if (!next_uint(&w, &fails) || !skip_words(&w, n_args))
                                return -EBADMSG;
                        p->fail_count = fails;
                        p->group = g + 1;
                        s.n_paths++;
                }
        }
        if (w.p[strspn(w.p, " \t\n")] != '\0')
                return -EBADMSG;
        *ret = s;
        return 0;
}

int dm_mpath_table_queue_if_no_path(const char *params, bool *ret) {
        Words w = { params };
        bool q = false;
        unsigned n;
        char buf[64];

        assert(params && ret);
        if (!next_uint(&w, &n) || n > 1024)
                return -EBADMSG;
        for (unsigned i = 0; i < n; i++) {
                if (!next_word(&w, buf, sizeof(buf)))
                        return -EBADMSG;
                if (streq(buf, "queue_if_no_path"))
                        q = true;
        }
        *ret = q;
        return 0;
}

/* The answer of a status of a few paths fits easily; a map with many
 * paths gets DM_BUFFER_FULL_FLAG and a larger buffer. */
#define DM_BUFFER_START ((size_t) 16 * 1024)
#define DM_BUFFER_MAX ((size_t) 1024 * 1024)

int dm_target_status(const char *control, const char *name, bool table, char **ret_type, char **ret_params) {
        _cleanup_close_ int fd = -EBADF;
        size_t size = DM_BUFFER_START;

        assert(control && name && ret_type && ret_params);
        if (strlen(name) >= DM_NAME_LEN)
                return -EINVAL;
        fd = open(control, O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        for (;;) {
                _cleanup_free_ char *buf = NULL;
                struct dm_ioctl *io;
                struct dm_target_spec *t;
                const char *params;
                char *type, *p;

                buf = calloc(1, size);
                if (!buf)
                        return -ENOMEM;
                io = (struct dm_ioctl *) buf;
                io->version[0] = DM_VERSION_MAJOR;
                io->version[1] = 0;
                io->version[2] = 0;
                io->data_size = (uint32_t) size;
                io->data_start = sizeof(struct dm_ioctl);
                io->flags = table ? DM_STATUS_TABLE_FLAG : 0;
                memcpy(io->name, name, strlen(name) + 1);
                if (ioctl(fd, DM_TABLE_STATUS, io) < 0)
                        return errno == ENXIO ? -ENXIO : -errno;
                if (io->flags & DM_BUFFER_FULL_FLAG) {
                        if (size >= DM_BUFFER_MAX)
                                return -E2BIG;
                        size *= 4;
                        continue;
                }
                if (io->target_count < 1 || io->data_start > size ||
                    size - io->data_start < sizeof(struct dm_target_spec) + 1)
                        return -EBADMSG;
                t = (struct dm_target_spec *) (buf + io->data_start);
                params = (const char *) (t + 1);
                /* The parameters end within the answer. */
                if (!memchr(params, '\0', size - io->data_start - sizeof(*t)))
                        return -EBADMSG;
                type = strndup(t->target_type, sizeof(t->target_type));
                p = strdup(params);
                if (!type || !p) {
                        free(type);
                        free(p);
                        return -ENOMEM;
                }
                *ret_type = type;
                *ret_params = p;
                return 0;
        }
}

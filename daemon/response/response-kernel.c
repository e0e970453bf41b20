/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ResponseOps on the running kernel: md and SCSI through sysfs, dm through
 * its control device, mdadm (argv, no shell) for re-adding. */

#include <errno.h>
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "fileio.h"
#include "paths.h"
#include "response.h"
#include "string-util.h"

#define DM_CONTROL DEV_ROOT "/mapper/control"

extern char **environ;

static int write_attr(const char *path, const char *value) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        size_t n = strlen(value);
        ssize_t k;

        if (fd < 0)
                return -errno;
        k = write(fd, value, n);
        if (k < 0)
                return -errno;
        return (size_t) k == n ? 0 : -EIO;
}

static int kernel_md_member_state(void *userdata, const char *array_syspath, const char *member, const char *value) {
        _cleanup_free_ char *p = NULL;

        if (strchr(member, '/') || strstr(member, ".."))
                return -EINVAL;
        if (asprintf(&p, "%s/md/dev-%s/state", array_syspath, member) < 0)
                return -ENOMEM;
        return write_attr(p, value);
}

static int kernel_scsi_state(void *userdata, const char *disk_syspath, const char *value) {
        _cleanup_free_ char *p = path_join(disk_syspath, "device/state");

        if (!p)
                return -ENOMEM;
        return write_attr(p, value);
}

static int kernel_devnum(void *userdata, const char *syspath, char ret[static 32]) {
        _cleanup_free_ char *p = path_join(syspath, "dev"), *v = NULL;
        unsigned maj, min;
        int r;

        if (!p)
                return -ENOMEM;
        r = read_one_line_file(p, &v);
        if (r < 0)
                return r;
        if (sscanf(v, "%u:%u", &maj, &min) != 2)
                return -EBADMSG;
        snprintf(ret, 32, "%u:%u", maj, min);
        return 0;
}

/* DM_TARGET_MSG on /dev/mapper/control (linux/dm-ioctl.h): the message
 * goes to the target at sector 0 of the named map. */
static int kernel_dm_message(void *userdata, const char *map_name, const char *message) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ void *buf = NULL;
        struct dm_ioctl *io;
        struct dm_target_msg *tm;
        size_t len;

        if (strlen(map_name) >= DM_NAME_LEN)
                return -ENAMETOOLONG;
        len = sizeof(struct dm_ioctl) + sizeof(struct dm_target_msg) + strlen(message) + 1;
        len = (len + 7) & ~(size_t) 7;
        buf = calloc(1, len);
        if (!buf)
                return -ENOMEM;
        io = buf;
        io->version[0] = DM_VERSION_MAJOR;
        io->version[1] = 0;
        io->version[2] = 0;
        io->data_size = (uint32_t) len;
        io->data_start = sizeof(struct dm_ioctl);
        snprintf(io->name, sizeof(io->name), "%s", map_name);
        tm = (struct dm_target_msg *) ((uint8_t *) buf + io->data_start);
        tm->sector = 0;
        memcpy(tm->message, message, strlen(message) + 1); /* len counted it and its NUL */

        fd = open(DM_CONTROL, O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (ioctl(fd, DM_TARGET_MSG, io) < 0)
                return -errno;
        return 0;
}

/* mdadm --manage ARRAY --re-add MEMBER: an operator's request, rare, so
 * the loop waits for it (mdadm returns in well under a second). */
static int kernel_md_readd(void *userdata, const char *array_devnode, const char *member_devnode) {
        char *argv[] = { (char *) "mdadm", (char *) "--manage", (char *) array_devnode, (char *) "--re-add",
                         (char *) member_devnode, NULL };
        pid_t pid;
        int status, r;

        r = posix_spawnp(&pid, "mdadm", NULL, NULL, argv, environ);
        if (r != 0)
                return -r;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return -EIO;
        return 0;
}

const ResponseOps response_ops_kernel = {
        .md_member_state = kernel_md_member_state,
        .md_readd = kernel_md_readd,
        .dm_message = kernel_dm_message,
        .scsi_state = kernel_scsi_state,
        .devnum = kernel_devnum,
};

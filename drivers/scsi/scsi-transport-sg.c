/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The real transport: libsgutils2's pass-through (SG_IO on Linux). */

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <scsi/sg_lib.h>
#include <scsi/sg_pt.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "log.h"
#include "scsi-transport.h"

typedef struct SgDevice {
        int fd;
} SgDevice;

static int sg_execute(void *userdata, const uint8_t *cdb, size_t cdb_len, ScsiDirection dir, uint8_t *data,
                      size_t data_len, unsigned timeout_msec, ScsiResult *ret) {
        SgDevice *d = userdata;
        struct sg_pt_base *pt;
        ScsiResult res = {};
        int r, cat, resid, status;

        if (cdb_len == 0 || cdb_len > 16 || data_len > INT32_MAX)
                return -EINVAL;

        pt = construct_scsi_pt_obj_with_fd(d->fd, 0);
        if (!pt)
                return -ENOMEM;
        r = get_scsi_pt_os_err(pt);
        if (r != 0) {
                destruct_scsi_pt_obj(pt);
                return -r;
        }
        set_scsi_pt_cdb(pt, cdb, (int) cdb_len);
        set_scsi_pt_sense(pt, res.sense, (int) sizeof(res.sense));
        if (dir == SCSI_DIRECTION_FROM_DEVICE && data && data_len > 0)
                set_scsi_pt_data_in(pt, data, (int) data_len);

        /* do_scsi_pt(): < 0 is -errno, > 0 is a SCSI_PT_DO_* code. */
        r = do_scsi_pt(pt, -1, (int) DIV_ROUND_UP(timeout_msec, 1000u), 0);
        if (r < 0)
                goto finish;
        if (r > 0) {
                r = r == SCSI_PT_DO_TIMEOUT         ? -ETIMEDOUT
                    : r == SCSI_PT_DO_NOT_SUPPORTED ? -EOPNOTSUPP
                    : r == SCSI_PT_DO_BAD_PARAMS    ? -EINVAL
                                                    : -EIO;
                goto finish;
        }

        cat = get_scsi_pt_result_category(pt);
        switch (cat) {
        case SCSI_PT_RESULT_OS_ERR:
                r = -(get_scsi_pt_os_err(pt) ?: EIO);
                goto finish;
        case SCSI_PT_RESULT_TRANSPORT_ERR:
                /* Host or driver byte set: the command never got a SCSI status. */
                r = -EIO;
                goto finish;
        default:
                break;
        }
        status = get_scsi_pt_status_response(pt);
        if (status < 0) {
                r = -EIO;
                goto finish;
        }
        resid = get_scsi_pt_resid(pt);
        res.status = (uint8_t) status;
        res.sense_len = (size_t) MAX(get_scsi_pt_sense_len(pt), 0);
        res.data_len = dir == SCSI_DIRECTION_FROM_DEVICE && resid >= 0 && (size_t) resid <= data_len
                               ? data_len - (size_t) resid
                               : 0;
        *ret = res;
        r = 0;
finish:
        destruct_scsi_pt_obj(pt);
        return r;
}

static const ScsiTransportOps sg_ops = {
        .execute = sg_execute,
};

int scsi_transport_sg_open(const char *node, ScsiTransport *ret) {
        _cleanup_close_ int fd = -EBADF;
        SgDevice *d;

        /* Read-only and non-blocking, as smartmontools and udisks do: SG_IO
         * on a block device needs no write access for these commands. */
        fd = open(node, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return log_debug_errno(errno, "Failed to open '%s': %m", node);
        d = new0(SgDevice, 1);
        if (!d)
                return -ENOMEM;
        d->fd = TAKE_FD(fd);
        *ret = (ScsiTransport) { .ops = &sg_ops, .userdata = d };
        return 0;
}

void scsi_transport_sg_close(ScsiTransport *t) {
        SgDevice *d;

        if (!t || t->ops != &sg_ops)
                return;
        d = t->userdata;
        if (d) {
                safe_close(d->fd);
                free(d);
        }
        *t = (ScsiTransport) {};
}

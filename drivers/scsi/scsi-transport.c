/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "log.h"
#include "scsi-transport.h"

/* The CDBs are built here rather than with sg_ll_*(): those take a file
 * descriptor and would bypass the transport seam that lets every test
 * replay recorded responses.  They are a few bytes each (SPC-5 6.x). */

int scsi_command_raw(const ScsiTransport *t, const uint8_t *cdb, size_t cdb_len, ScsiDirection dir, uint8_t *data,
                     size_t data_len, ScsiResult *ret) {
        ScsiResult res = {};
        int r;

        if (!t || !t->ops || !t->ops->execute)
                return -EINVAL;
        r = t->ops->execute(t->userdata, cdb, cdb_len, dir, data, data_len,
                            t->timeout_msec ?: SCSI_TIMEOUT_MSEC_DEFAULT, &res);
        if (r < 0)
                return r;
        if (res.sense_len > sizeof(res.sense))
                res.sense_len = sizeof(res.sense);
        if (res.data_len > data_len)
                res.data_len = data_len;
        *ret = res;
        return 0;
}

int scsi_command(const ScsiTransport *t, const uint8_t *cdb, size_t cdb_len, ScsiDirection dir, uint8_t *data,
                 size_t data_len, size_t *ret_data_len, ScsiSense *sense) {
        ScsiResult res;
        ScsiSense s;
        int r;

        if (sense)
                *sense = (ScsiSense) {};
        r = scsi_command_raw(t, cdb, cdb_len, dir, data, data_len, &res);
        if (r < 0)
                return log_debug_errno(r, "SCSI command 0x%02x failed in transport: %m", cdb[0]);

        switch (res.status) {
        case SCSI_STATUS_GOOD:
                break;
        case SCSI_STATUS_CHECK_CONDITION:
                r = scsi_sense_decode(res.sense, res.sense_len, &s);
                if (r < 0)
                        return log_debug_errno(EIO, "SCSI command 0x%02x: CHECK CONDITION with no valid sense", cdb[0]);
                if (sense)
                        *sense = s;
                r = scsi_sense_to_errno(&s);
                if (r < 0)
                        return log_debug_errno(r, "SCSI command 0x%02x: sense key 0x%x asc/ascq 0x%02x/0x%02x (%s): %m",
                                               cdb[0], s.sense_key, s.asc, s.ascq, s.asc_text);
                break;
        case SCSI_STATUS_BUSY:
        case SCSI_STATUS_TASK_SET_FULL:
        case SCSI_STATUS_RESERVATION_CONFLICT:
                return log_debug_errno(EBUSY, "SCSI command 0x%02x: status 0x%02x", cdb[0], res.status);
        default:
                return log_debug_errno(EIO, "SCSI command 0x%02x: status 0x%02x", cdb[0], res.status);
        }
        if (ret_data_len)
                *ret_data_len = res.data_len;
        return 0;
}

static void put_be16(uint8_t *p, size_t v) {
        v = MIN(v, (size_t) 0xffff);
        p[0] = (uint8_t) (v >> 8);
        p[1] = (uint8_t) v;
}

int scsi_inquiry(const ScsiTransport *t, bool evpd, uint8_t page, uint8_t *buf, size_t len, size_t *ret_len,
                 ScsiSense *sense) {
        uint8_t cdb[6] = { 0x12, evpd ? 0x01 : 0x00, evpd ? page : 0 };

        put_be16(cdb + 3, len);
        return scsi_command(t, cdb, sizeof(cdb), SCSI_DIRECTION_FROM_DEVICE, buf, MIN(len, (size_t) 0xffff), ret_len,
                            sense);
}

int scsi_test_unit_ready(const ScsiTransport *t, ScsiSense *sense) {
        static const uint8_t cdb[6] = { 0x00 };

        return scsi_command(t, cdb, sizeof(cdb), SCSI_DIRECTION_NONE, NULL, 0, NULL, sense);
}

int scsi_request_sense(const ScsiTransport *t, bool descriptor, uint8_t *buf, size_t len, size_t *ret_len,
                       ScsiSense *sense) {
        uint8_t cdb[6] = { 0x03, descriptor ? 0x01 : 0x00, 0, 0, (uint8_t) MIN(len, (size_t) 252) };

        return scsi_command(t, cdb, sizeof(cdb), SCSI_DIRECTION_FROM_DEVICE, buf, MIN(len, (size_t) 252), ret_len,
                            sense);
}

int scsi_log_sense(const ScsiTransport *t, uint8_t page, uint8_t subpage, uint8_t *buf, size_t len,
                   size_t *ret_len, ScsiSense *sense) {
        /* PC = 01b: cumulative values (SPC-5 6.6). */
        uint8_t cdb[10] = { 0x4d, 0x00, (uint8_t) (0x40 | (page & 0x3f)), subpage };

        put_be16(cdb + 7, len);
        return scsi_command(t, cdb, sizeof(cdb), SCSI_DIRECTION_FROM_DEVICE, buf, MIN(len, (size_t) 0xffff), ret_len,
                            sense);
}

int scsi_mode_sense10(const ScsiTransport *t, uint8_t page, uint8_t subpage, uint8_t *buf, size_t len,
                      size_t *ret_len, ScsiSense *sense) {
        /* DBD = 1: no block descriptors; PC = 00b: current values. */
        uint8_t cdb[10] = { 0x5a, 0x08, (uint8_t) (page & 0x3f), subpage };

        put_be16(cdb + 7, len);
        return scsi_command(t, cdb, sizeof(cdb), SCSI_DIRECTION_FROM_DEVICE, buf, MIN(len, (size_t) 0xffff), ret_len,
                            sense);
}

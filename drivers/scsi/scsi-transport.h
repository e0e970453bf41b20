/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The one seam between the SCSI and ATA (SAT) drivers and hardware: an ops
 * table that executes one CDB.  scsi-transport-sg.c implements it with
 * libsgutils2's pass-through (SG_IO); tests implement it by replaying
 * recorded responses.  Everything above this seam is plain bytes.
 *
 * sg3_utils' mixed conventions ("0 / positive SCSI_PT_DO_* / result
 * category / -errno") are translated once, in scsi-transport-sg.c, into:
 * execute() returns 0 when the command completed (whatever its SCSI status)
 * with the status and sense in ScsiResult, and -errno when it could not be
 * issued or did not complete.  scsi_command() then turns a completed
 * command's status and sense into -errno plus a decoded ScsiSense.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scsi-sense.h"

#define SCSI_TIMEOUT_MSEC_DEFAULT 10000 /* msec: SMART and log pages are small and quick */

/* SAM-5 status codes. */
#define SCSI_STATUS_GOOD 0x00
#define SCSI_STATUS_CHECK_CONDITION 0x02
#define SCSI_STATUS_BUSY 0x08
#define SCSI_STATUS_RESERVATION_CONFLICT 0x18
#define SCSI_STATUS_TASK_SET_FULL 0x28

typedef enum ScsiDirection {
        SCSI_DIRECTION_NONE,
        SCSI_DIRECTION_FROM_DEVICE,
        _SCSI_DIRECTION_MAX,
        _SCSI_DIRECTION_INVALID = -EINVAL,
} ScsiDirection;

typedef struct ScsiResult {
        uint8_t status;   /* SAM status byte */
        uint8_t sense[SCSI_SENSE_BUFFER_MAX];
        size_t sense_len;
        size_t data_len;  /* bytes actually transferred (request - residual) */
} ScsiResult;

typedef struct ScsiTransportOps {
        /* execute() - issue one command; data is read into @data (at most
         * @data_len bytes) when @dir is FROM_DEVICE.
         * Return: 0 with *ret filled when the command completed;
         * -ETIMEDOUT, -ENODEV, -EIO (transport error) or another -errno. */
        int (*execute)(void *userdata, const uint8_t *cdb, size_t cdb_len, ScsiDirection dir, uint8_t *data,
                       size_t data_len, unsigned timeout_msec, ScsiResult *ret);
} ScsiTransportOps;

typedef struct ScsiTransport {
        const ScsiTransportOps *ops;
        void *userdata;
        unsigned timeout_msec;
} ScsiTransport;

/* scsi_command() - run a CDB and translate the outcome.
 * @sense: when not NULL, filled with the decoded sense whenever the command
 *         ended with CHECK CONDITION (also on failure, that is its purpose),
 *         else cleared.
 * Return: 0 (GOOD, or CHECK CONDITION with a recovered/no-sense key) with
 * *ret_data_len set; -errno from the transport; for CHECK CONDITION the
 * errno of scsi_sense_to_errno(); -EBUSY for BUSY/TASK SET FULL/RESERVATION
 * CONFLICT; -EIO for other statuses and undecodable sense. */
int scsi_command(const ScsiTransport *t, const uint8_t *cdb, size_t cdb_len, ScsiDirection dir, uint8_t *data,
                 size_t data_len, size_t *ret_data_len, ScsiSense *sense);

/* scsi_command_raw() - like scsi_command() but hands back the raw result
 * (SAT pass-through needs the ATA registers from the sense even when the
 * sense key says "error").  Return: 0 or -errno from the transport. */
int scsi_command_raw(const ScsiTransport *t, const uint8_t *cdb, size_t cdb_len, ScsiDirection dir, uint8_t *data,
                     size_t data_len, ScsiResult *ret);

/* CDB builders and the commands the health drivers issue (SPC-5 / SBC-4). */
int scsi_inquiry(const ScsiTransport *t, bool evpd, uint8_t page, uint8_t *buf, size_t len, size_t *ret_len,
                 ScsiSense *sense);
int scsi_test_unit_ready(const ScsiTransport *t, ScsiSense *sense);
int scsi_request_sense(const ScsiTransport *t, bool descriptor, uint8_t *buf, size_t len, size_t *ret_len,
                       ScsiSense *sense);
int scsi_log_sense(const ScsiTransport *t, uint8_t page, uint8_t subpage, uint8_t *buf, size_t len,
                   size_t *ret_len, ScsiSense *sense);
int scsi_mode_sense10(const ScsiTransport *t, uint8_t page, uint8_t subpage, uint8_t *buf, size_t len,
                      size_t *ret_len, ScsiSense *sense);

/* scsi_transport_sg_open() - a transport on a device node through
 * libsgutils2's pass-through (SG_IO), opened read-only and non-blocking.
 * Return: 0 or -errno from open(). */
int scsi_transport_sg_open(const char *node, ScsiTransport *ret);
void scsi_transport_sg_close(ScsiTransport *t);

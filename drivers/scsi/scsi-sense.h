/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * SCSI sense data, fixed (0x70/0x71) and descriptor (0x72/0x73) formats
 * (SPC-5 4.4), decoded into a plain struct.  The ASC/ASCQ text comes from
 * libsgutils2's table (sg_get_asc_ascq_str()); sg3_utils types stay in
 * this file's .c.
 *
 *   field          meaning
 *   -------------  ---------------------------------------------------------
 *   class          what it means for storguard (ScsiSenseClass below)
 *   sense_key      0x0..0xf
 *   asc, ascq      additional sense code and qualifier
 *   info_valid     the INFORMATION field is valid (VALID bit / descriptor 0)
 *   information    for medium errors: the failing LBA
 *   asc_text       "Unrecovered read error", "Failure prediction threshold exceeded"
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ereport.h"
#include "macro.h"

#define SCSI_SENSE_BUFFER_MAX 252 /* SPC-5: additional length is one byte */
#define SCSI_ASC_TEXT_MAX 128

typedef enum ScsiSenseClass {
        SCSI_SENSE_CLASS_NO_SENSE,
        SCSI_SENSE_CLASS_RECOVERED,
        SCSI_SENSE_CLASS_NOT_READY,
        SCSI_SENSE_CLASS_MEDIUM_ERROR,
        SCSI_SENSE_CLASS_HARDWARE_ERROR,
        SCSI_SENSE_CLASS_ILLEGAL_REQUEST,
        SCSI_SENSE_CLASS_UNIT_ATTENTION,
        SCSI_SENSE_CLASS_DATA_PROTECT,
        SCSI_SENSE_CLASS_ABORTED,
        SCSI_SENSE_CLASS_PREDICTIVE_FAILURE, /* ASC 0x5d, whatever the key */
        SCSI_SENSE_CLASS_OTHER,
        _SCSI_SENSE_CLASS_MAX,
        _SCSI_SENSE_CLASS_INVALID = -EINVAL,
} ScsiSenseClass;

typedef struct ScsiSense {
        ScsiSenseClass class;
        uint8_t response_code;
        bool descriptor_format;
        bool deferred;
        uint8_t sense_key, asc, ascq;
        bool info_valid;
        uint64_t information;
        char asc_text[SCSI_ASC_TEXT_MAX];
} ScsiSense;

/* The ATA registers a SAT device returns for ATA PASS-THROUGH (SAT-4
 * 12.2.2.6 ATA Status Return descriptor, or the fixed-format fields). */
typedef struct AtaRegisters {
        uint8_t error, status, device;
        uint16_t count;
        uint64_t lba;
} AtaRegisters;

const char *scsi_sense_class_to_string(ScsiSenseClass c) _const_;
ScsiSenseClass scsi_sense_class_from_string(const char *s) _pure_;

/* scsi_sense_decode() - decode a sense buffer of either format.
 * Return: 0 and *ret filled; -EBADMSG when it is no sense data (response
 * code not 0x70..0x73, or too short to hold a sense key). */
int scsi_sense_decode(const uint8_t *buf, size_t len, ScsiSense *ret);

/* scsi_asc_text() - the T10 name of an additional sense code and
 * qualifier ("Failure prediction threshold exceeded (false)"), from
 * libsgutils2's table, into @buf.  Return: @buf. */
const char *scsi_asc_text(uint8_t asc, uint8_t ascq, char *buf, size_t size);

/* scsi_sense_ata_registers() - the ATA registers of a SAT pass-through
 * reply: descriptor 0x09 in descriptor format, or the INFORMATION and
 * COMMAND-SPECIFIC INFORMATION fields in fixed format (SAT-4 12.2.2.7).
 * Return: 0, or -ENODATA when the sense carries none. */
int scsi_sense_ata_registers(const uint8_t *buf, size_t len, AtaRegisters *ret);

/* scsi_sense_to_errno() - the errno a command ending with this sense
 * returns: recovered and no-sense 0, not ready -EBUSY (no medium
 * -ENOMEDIUM), medium/hardware -EIO, illegal request -EOPNOTSUPP, unit
 * attention -EAGAIN, data protect -EROFS, aborted -ECANCELED. */
int scsi_sense_to_errno(const ScsiSense *s) _pure_;

/* scsi_sense_to_ereport_class() - the ereport class of the sense. */
EreportClass scsi_sense_to_ereport_class(const ScsiSense *s) _pure_;

/* scsi_sense_emit() - emit one ereport for @s about @device; raw is the
 * sense in hex with its ASC text. */
void scsi_sense_emit(const ScsiSense *s, const uint8_t *buf, size_t len, const char *device, usec_t time_usec,
                     EreportSink sink, void *userdata);

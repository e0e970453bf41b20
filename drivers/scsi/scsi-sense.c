/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <limits.h>
#include <string.h>

#include <scsi/sg_lib.h>

#include "scsi-sense.h"
#include "string-table.h"

static const char *const scsi_sense_class_table[_SCSI_SENSE_CLASS_MAX] = {
        [SCSI_SENSE_CLASS_NO_SENSE] = "no_sense",
        [SCSI_SENSE_CLASS_RECOVERED] = "recovered",
        [SCSI_SENSE_CLASS_NOT_READY] = "not_ready",
        [SCSI_SENSE_CLASS_MEDIUM_ERROR] = "medium_error",
        [SCSI_SENSE_CLASS_HARDWARE_ERROR] = "hardware_error",
        [SCSI_SENSE_CLASS_ILLEGAL_REQUEST] = "illegal_request",
        [SCSI_SENSE_CLASS_UNIT_ATTENTION] = "unit_attention",
        [SCSI_SENSE_CLASS_DATA_PROTECT] = "data_protect",
        [SCSI_SENSE_CLASS_ABORTED] = "aborted_command",
        [SCSI_SENSE_CLASS_PREDICTIVE_FAILURE] = "predictive_failure",
        [SCSI_SENSE_CLASS_OTHER] = "other",
};
DEFINE_STRING_TABLE_LOOKUP(scsi_sense_class, ScsiSenseClass);

/* The asc 0x5d range is "failure prediction threshold exceeded" (SPC-5
 * Annex F); it may come with NO SENSE or RECOVERED ERROR (MRIE 6) or
 * any other key, and always means predictive failure. */
#define ASC_FAILURE_PREDICTION 0x5d

static ScsiSenseClass classify(uint8_t key, uint8_t asc) {
        if (asc == ASC_FAILURE_PREDICTION)
                return SCSI_SENSE_CLASS_PREDICTIVE_FAILURE;
        switch (key) {
        case SPC_SK_NO_SENSE:
                return SCSI_SENSE_CLASS_NO_SENSE;
        case SPC_SK_RECOVERED_ERROR:
                return SCSI_SENSE_CLASS_RECOVERED;
        case SPC_SK_NOT_READY:
                return SCSI_SENSE_CLASS_NOT_READY;
        case SPC_SK_MEDIUM_ERROR:
                return SCSI_SENSE_CLASS_MEDIUM_ERROR;
        case SPC_SK_HARDWARE_ERROR:
                return SCSI_SENSE_CLASS_HARDWARE_ERROR;
        case SPC_SK_ILLEGAL_REQUEST:
                return SCSI_SENSE_CLASS_ILLEGAL_REQUEST;
        case SPC_SK_UNIT_ATTENTION:
                return SCSI_SENSE_CLASS_UNIT_ATTENTION;
        case SPC_SK_DATA_PROTECT:
                return SCSI_SENSE_CLASS_DATA_PROTECT;
        case SPC_SK_ABORTED_COMMAND:
                return SCSI_SENSE_CLASS_ABORTED;
        default:
                return SCSI_SENSE_CLASS_OTHER;
        }
}

int scsi_sense_decode(const uint8_t *buf, size_t len, ScsiSense *ret) {
        struct sg_scsi_sense_hdr h = {};
        ScsiSense s = {};
        uint64_t info = 0;
        int l;

        if (!buf || len < 3)
                return -EBADMSG;
        l = (int) MIN(len, (size_t) SCSI_SENSE_BUFFER_MAX);
        if (!sg_scsi_normalize_sense(buf, l, &h))
                return -EBADMSG;
        if (h.response_code < 0x70 || h.response_code > 0x73)
                return -EBADMSG;

        s.response_code = h.response_code;
        s.descriptor_format = h.response_code >= 0x72;
        s.deferred = h.response_code == 0x71 || h.response_code == 0x73;
        s.sense_key = h.sense_key;
        s.asc = h.asc;
        s.ascq = h.ascq;
        s.info_valid = sg_get_sense_info_fld(buf, l, &info);
        s.information = s.info_valid ? info : 0;
        s.class = classify(h.sense_key, h.asc);
        (void) scsi_asc_text(h.asc, h.ascq, s.asc_text, sizeof(s.asc_text));
        *ret = s;
        return 0;
}

const char *scsi_asc_text(uint8_t asc, uint8_t ascq, char *buf, size_t size) {
        if (size == 0)
                return buf;
        sg_get_asc_ascq_str(asc, ascq, (int) MIN(size, (size_t) INT_MAX), buf);
        buf[size - 1] = '\0';
        /* sg3_utils prefixes table entries with "Additional sense: ". */
        if (strncmp(buf, "Additional sense: ", 18) == 0)
                memmove(buf, buf + 18, strlen(buf + 18) + 1);
        return buf;
}

int scsi_sense_ata_registers(const uint8_t *buf, size_t len, AtaRegisters *ret) {
        int l;

        if (!buf || len < 8)
                return -ENODATA;
        l = (int) MIN(len, (size_t) SCSI_SENSE_BUFFER_MAX);

        if ((buf[0] & 0x7f) == 0x72 || (buf[0] & 0x7f) == 0x73) {
                /* SAT-4 12.2.2.6: ATA Status Return sense data descriptor. */
                const uint8_t *d = sg_scsi_sense_desc_find(buf, l, 0x09);

                if (!d || d + 14 > buf + l || d[1] < 0x0c)
                        return -ENODATA;
                *ret = (AtaRegisters) {
                        .error = d[3],
                        .count = (uint16_t) ((d[2] & 1 ? d[4] << 8 : 0) | d[5]),
                        .lba = (uint64_t) d[7] | (uint64_t) d[9] << 8 | (uint64_t) d[11] << 16 |
                               (d[2] & 1 ? ((uint64_t) d[6] << 24 | (uint64_t) d[8] << 32 | (uint64_t) d[10] << 40) : 0),
                        .device = d[12],
                        .status = d[13],
                };
                return 0;
        }
        if ((buf[0] & 0x7f) == 0x70 || (buf[0] & 0x7f) == 0x71) {
                /* SAT-4 12.2.2.7, fixed format: INFORMATION = ERROR, STATUS,
                 * DEVICE, COUNT(7:0); COMMAND-SPECIFIC INFORMATION = flags,
                 * LBA(7:0), LBA(15:8), LBA(23:16).  libata sets VALID for
                 * these; without it the fields hold something else. */
                if (!(buf[0] & 0x80) || len < 12)
                        return -ENODATA;
                *ret = (AtaRegisters) {
                        .error = buf[3],
                        .status = buf[4],
                        .device = buf[5],
                        .count = buf[6],
                        .lba = (uint64_t) buf[9] | (uint64_t) buf[10] << 8 | (uint64_t) buf[11] << 16,
                };
                return 0;
        }
        return -ENODATA;
}

int scsi_sense_to_errno(const ScsiSense *s) {
        switch (s->class) {
        case SCSI_SENSE_CLASS_NO_SENSE:
        case SCSI_SENSE_CLASS_RECOVERED:
        case SCSI_SENSE_CLASS_PREDICTIVE_FAILURE:
                /* The command itself completed; the information is in the sense. */
                if (s->class == SCSI_SENSE_CLASS_PREDICTIVE_FAILURE && s->sense_key > SPC_SK_RECOVERED_ERROR)
                        return -EIO;
                return 0;
        case SCSI_SENSE_CLASS_NOT_READY:
                return s->asc == 0x3a ? -ENOMEDIUM : -EBUSY;
        case SCSI_SENSE_CLASS_ILLEGAL_REQUEST:
                return -EOPNOTSUPP;
        case SCSI_SENSE_CLASS_UNIT_ATTENTION:
                return -EAGAIN;
        case SCSI_SENSE_CLASS_DATA_PROTECT:
                return -EROFS;
        case SCSI_SENSE_CLASS_ABORTED:
                return -ECANCELED;
        default:
                return -EIO;
        }
}

EreportClass scsi_sense_to_ereport_class(const ScsiSense *s) {
        switch (s->class) {
        case SCSI_SENSE_CLASS_RECOVERED:
                return EREPORT_SCSI_SENSE_RECOVERED;
        case SCSI_SENSE_CLASS_NOT_READY:
                return EREPORT_SCSI_SENSE_NOT_READY;
        case SCSI_SENSE_CLASS_MEDIUM_ERROR:
                return EREPORT_SCSI_SENSE_MEDIUM_ERROR;
        case SCSI_SENSE_CLASS_HARDWARE_ERROR:
                return EREPORT_SCSI_SENSE_HARDWARE_ERROR;
        case SCSI_SENSE_CLASS_ILLEGAL_REQUEST:
                return EREPORT_SCSI_SENSE_ILLEGAL_REQUEST;
        case SCSI_SENSE_CLASS_UNIT_ATTENTION:
                return EREPORT_SCSI_SENSE_UNIT_ATTENTION;
        case SCSI_SENSE_CLASS_ABORTED:
                return EREPORT_SCSI_SENSE_ABORTED;
        case SCSI_SENSE_CLASS_PREDICTIVE_FAILURE:
                return EREPORT_SCSI_PREDICTIVE_FAILURE;
        default:
                return EREPORT_SCSI_SENSE_OTHER;
        }
}

void scsi_sense_emit(const ScsiSense *s, const uint8_t *buf, size_t len, const char *device, usec_t time_usec,
                     EreportSink sink, void *userdata) {
        char raw[EREPORT_RAW_MAX];
        size_t n = 0;
        Ereport e;

        if (!sink)
                return;
        ereport_init(&e, scsi_sense_to_ereport_class(s), "scsi", device, time_usec);
        e.sense_key = s->sense_key;
        e.asc = s->asc;
        e.ascq = s->ascq;
        if (s->info_valid && (s->class == SCSI_SENSE_CLASS_MEDIUM_ERROR || s->class == SCSI_SENSE_CLASS_RECOVERED))
                e.lba = s->information;
        for (size_t i = 0; i < len && i < 32 && n + 4 < sizeof(raw); i++)
                n += (size_t) snprintf(raw + n, sizeof(raw) - n, "%02x%s", buf[i], i + 1 < len ? " " : "");
        snprintf(raw + n, sizeof(raw) - n, "%s%s", n > 0 ? ": " : "", s->asc_text);
        ereport_set_raw(&e, raw, SIZE_MAX);
        sink(&e, userdata);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "ereport.h"
#include "string-table.h"

/* One table: name and kind of every class (STYLE.md: severity is never
 * encoded in an enum's position). */
static const struct {
        const char *name;
        EreportKind kind;
} ereport_classes[_EREPORT_CLASS_MAX] = {
        [EREPORT_SCSI_SENSE_RECOVERED] = { "scsi.sense.recovered", EREPORT_KIND_PRECURSOR },
        [EREPORT_SCSI_SENSE_NOT_READY] = { "scsi.sense.not_ready", EREPORT_KIND_ERROR },
        [EREPORT_SCSI_SENSE_MEDIUM_ERROR] = { "scsi.sense.medium_error", EREPORT_KIND_ERROR },
        [EREPORT_SCSI_SENSE_HARDWARE_ERROR] = { "scsi.sense.hardware_error", EREPORT_KIND_ERROR },
        [EREPORT_SCSI_SENSE_ILLEGAL_REQUEST] = { "scsi.sense.illegal_request", EREPORT_KIND_STATE },
        [EREPORT_SCSI_SENSE_UNIT_ATTENTION] = { "scsi.sense.unit_attention", EREPORT_KIND_STATE },
        [EREPORT_SCSI_SENSE_ABORTED] = { "scsi.sense.aborted_command", EREPORT_KIND_PRECURSOR },
        [EREPORT_SCSI_SENSE_OTHER] = { "scsi.sense.other", EREPORT_KIND_ERROR },
        [EREPORT_SCSI_PREDICTIVE_FAILURE] = { "scsi.predictive_failure", EREPORT_KIND_ERROR },
        [EREPORT_SCSI_CMD_FAILED] = { "scsi.cmd.failed", EREPORT_KIND_ERROR },
        [EREPORT_SCSI_TIMEOUT] = { "scsi.cmd.timeout", EREPORT_KIND_PRECURSOR },
        [EREPORT_SCSI_ABORT] = { "scsi.eh.abort", EREPORT_KIND_PRECURSOR },
        [EREPORT_SCSI_DEVICE_RESET] = { "scsi.eh.device_reset", EREPORT_KIND_ERROR },
        [EREPORT_SCSI_TARGET_RESET] = { "scsi.eh.target_reset", EREPORT_KIND_ERROR },
        [EREPORT_SCSI_BUS_RESET] = { "scsi.eh.bus_reset", EREPORT_KIND_ERROR },
        [EREPORT_SCSI_HOST_RESET] = { "scsi.eh.host_reset", EREPORT_KIND_ERROR },
        [EREPORT_SCSI_DEVICE_OFFLINE] = { "scsi.device.offline", EREPORT_KIND_ERROR },
        [EREPORT_SCSI_IOERR_COUNT] = { "scsi.counter.ioerr", EREPORT_KIND_ERROR },
        [EREPORT_SCSI_IOTMO_COUNT] = { "scsi.counter.iotmo", EREPORT_KIND_PRECURSOR },
        [EREPORT_ATA_LINK_RESET] = { "ata.link.reset", EREPORT_KIND_ERROR },
        [EREPORT_ATA_EXCEPTION] = { "ata.exception", EREPORT_KIND_PRECURSOR },
        [EREPORT_ATA_SMART_FAILING] = { "ata.smart.failing", EREPORT_KIND_ERROR },
        [EREPORT_ATA_SMART_ATTRIBUTE] = { "ata.smart.attribute", EREPORT_KIND_PRECURSOR },
        [EREPORT_BLK_IO_ERROR] = { "blk.io_error", EREPORT_KIND_ERROR },
        [EREPORT_BLK_MEDIUM_ERROR] = { "blk.medium_error", EREPORT_KIND_ERROR },
        [EREPORT_BLK_TIMEOUT] = { "blk.timeout", EREPORT_KIND_PRECURSOR },
        [EREPORT_BLK_LATENCY_OUTLIER] = { "blk.latency.outlier", EREPORT_KIND_PRECURSOR },
        [EREPORT_BLK_FAIL_SLOW] = { "blk.fail_slow", EREPORT_KIND_ERROR },
        [EREPORT_MD_MEMBER_FAULTY] = { "md.member.faulty", EREPORT_KIND_ERROR },
        [EREPORT_MD_DEGRADED] = { "md.array.degraded", EREPORT_KIND_ERROR },
        [EREPORT_MD_MEMBER_ERRORS] = { "md.member.errors", EREPORT_KIND_PRECURSOR },
        [EREPORT_MD_RECOVERY_DONE] = { "md.array.recovery_done", EREPORT_KIND_STATE },
        [EREPORT_MPATH_PATH_FAILED] = { "mpath.path.failed", EREPORT_KIND_ERROR },
        [EREPORT_MPATH_PATH_REINSTATED] = { "mpath.path.reinstated", EREPORT_KIND_STATE },
        [EREPORT_NVME_CRITICAL_WARNING] = { "nvme.critical_warning", EREPORT_KIND_ERROR },
        [EREPORT_NVME_MEDIA_ERRORS] = { "nvme.media_errors", EREPORT_KIND_ERROR },
        [EREPORT_NVME_TIMEOUT] = { "nvme.timeout", EREPORT_KIND_PRECURSOR },
        [EREPORT_NVME_RESET] = { "nvme.controller.reset", EREPORT_KIND_ERROR },
        [EREPORT_HEALTH_WARNING] = { "health.warning", EREPORT_KIND_PRECURSOR },
        [EREPORT_HEALTH_FAILING] = { "health.failing", EREPORT_KIND_ERROR },
};

static const char *const ereport_kind_table[_EREPORT_KIND_MAX] = {
        [EREPORT_KIND_ERROR] = "error",
        [EREPORT_KIND_PRECURSOR] = "precursor",
        [EREPORT_KIND_STATE] = "state",
};
DEFINE_STRING_TABLE_LOOKUP_TO_STRING(ereport_kind, EreportKind);

const char *ereport_class_to_string(EreportClass c) {
        if (c < 0 || c >= _EREPORT_CLASS_MAX)
                return NULL;
        return ereport_classes[c].name;
}

EreportClass ereport_class_from_string(const char *s) {
        if (!s)
                return _EREPORT_CLASS_INVALID;
        for (int i = 0; i < _EREPORT_CLASS_MAX; i++)
                if (ereport_classes[i].name && strcmp(ereport_classes[i].name, s) == 0)
                        return (EreportClass) i;
        return _EREPORT_CLASS_INVALID;
}

EreportKind ereport_class_kind(EreportClass c) {
        if (c < 0 || c >= _EREPORT_CLASS_MAX)
                return _EREPORT_KIND_INVALID;
        return ereport_classes[c].kind;
}

static void copy_bounded(char *dst, size_t size, const char *src, size_t len) {
        size_t n = 0;

        for (; n < len && n + 1 < size && src[n]; n++) {
                unsigned char c = (unsigned char) src[n];
                dst[n] = (c >= 0x20 && c < 0x7f) ? (char) c : '?';
        }
        dst[n] = '\0';
}

void ereport_init(Ereport *e, EreportClass c, const char *source, const char *device, usec_t time_usec) {
        e->class = c;
        e->time_usec = time_usec;
        e->seq = 0;
        e->lba = EREPORT_LBA_NONE;
        e->value = 0;
        e->sense_key = e->asc = e->ascq = EREPORT_SENSE_NONE;
        e->ci_id[0] = '\0';
        e->raw[0] = '\0';
        copy_bounded(e->device, sizeof(e->device), device ?: "", SIZE_MAX);
        copy_bounded(e->source, sizeof(e->source), source ?: "", SIZE_MAX);
}

void ereport_set_raw(Ereport *e, const char *raw, size_t len) {
        copy_bounded(e->raw, sizeof(e->raw), raw, len);
}

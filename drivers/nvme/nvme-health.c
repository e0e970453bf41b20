/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <endian.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <nvme/ioctl.h>
#include <nvme/types.h>
#include <nvme/util.h>

#include "alloc-util.h"
#include "log.h"
#include "nvme-health.h"

/* The parsers copy into libnvme's structs (no alignment assumptions on the
 * caller's buffer) and check the struct sizes the spec fixes. */
_Static_assert(sizeof(struct nvme_smart_log) == NVME_LOG_PAGE_SIZE, "SMART log is 512 bytes");
_Static_assert(sizeof(struct nvme_firmware_slot) == NVME_LOG_PAGE_SIZE, "firmware slot log is 512 bytes");
_Static_assert(sizeof(struct nvme_error_log_page) == NVME_ERROR_ENTRY_SIZE, "error entry is 64 bytes");
_Static_assert(sizeof(struct nvme_id_ctrl) == NVME_IDENTIFY_SIZE, "identify controller is 4096 bytes");

/* 128-bit little-endian counters, saturated at 64 bits. */
static uint64_t le128_to_u64(const uint8_t v[16]) {
        uint64_t x = 0;

        for (int i = 15; i >= 8; i--)
                if (v[i])
                        return UINT64_MAX - 1;
        for (int i = 7; i >= 0; i--)
                x = (x << 8) | v[i];
        return x;
}

int nvme_parse_smart_log(const uint8_t *buf, size_t len, HealthSnapshot *s) {
        struct nvme_smart_log l;
        uint16_t kelvin;

        if (!buf || len < sizeof(l))
                return log_debug_errno(EBADMSG, "NVMe SMART log too short: %zu bytes, need %zu", len, sizeof(l));
        memcpy(&l, buf, sizeof(l));

        s->critical_warning = l.critical_warning;
        /* Composite temperature in Kelvin; 0 means not reported. */
        kelvin = (uint16_t) (l.temperature[0] | l.temperature[1] << 8);
        s->temperature_mkelvin = kelvin > 0 ? (uint64_t) kelvin * 1000 : HEALTH_VALUE_NONE;
        s->available_spare_pct = l.avail_spare;
        s->spare_threshold_pct = l.spare_thresh;
        s->percentage_used = l.percent_used;
        s->power_cycles = le128_to_u64(l.power_cycles);
        s->power_on_hours = le128_to_u64(l.power_on_hours);
        s->unsafe_shutdowns = le128_to_u64(l.unsafe_shutdowns);
        s->media_errors = le128_to_u64(l.media_errors);
        s->error_log_entries = le128_to_u64(l.num_err_log_entries);
        s->smart_status = l.critical_warning == 0 ? SMART_STATUS_PASSED : SMART_STATUS_FAILED;
        return 0;
}

static char *trimmed(const char *p, size_t n) {
        size_t l = strnlen(p, n);
        char *s;

        while (l > 0 && (p[l - 1] == ' ' || p[l - 1] == '\0'))
                l--;
        s = malloc(l + 1);
        if (!s)
                return NULL;
        for (size_t i = 0; i < l; i++)
                s[i] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?';
        s[l] = '\0';
        return s;
}

int nvme_parse_fw_slot_log(const uint8_t *buf, size_t len, HealthSnapshot *s) {
        struct nvme_firmware_slot l;
        unsigned slot;
        char *fw;

        if (!buf || len < sizeof(l))
                return log_debug_errno(EBADMSG, "NVMe firmware slot log too short: %zu bytes", len);
        memcpy(&l, buf, sizeof(l));
        /* AFI bits 2:0: the slot the running firmware came from (1..7). */
        slot = l.afi & 0x7;
        if (slot < 1 || slot > 7)
                return log_debug_errno(EBADMSG, "NVMe firmware slot log: active slot %u invalid", slot);
        fw = trimmed(l.frs[slot - 1], sizeof(l.frs[0]));
        if (!fw)
                return -ENOMEM;
        free(s->active_firmware);
        s->active_firmware = fw;
        return 0;
}

int nvme_parse_error_log(const uint8_t *buf, size_t len, HealthSnapshot *s) {
        NvmeErrorEntry *e;
        size_t n = 0;

        if (!buf || len < NVME_ERROR_ENTRY_SIZE || len % NVME_ERROR_ENTRY_SIZE != 0)
                return log_debug_errno(EBADMSG, "NVMe error log of %zu bytes is not a whole number of 64-byte entries", len);
        e = new0(NvmeErrorEntry, NVME_ERROR_ENTRIES_MAX);
        if (!e)
                return -ENOMEM;
        for (size_t off = 0; off + NVME_ERROR_ENTRY_SIZE <= len && n < NVME_ERROR_ENTRIES_MAX;
             off += NVME_ERROR_ENTRY_SIZE) {
                struct nvme_error_log_page p;

                memcpy(&p, buf + off, sizeof(p));
                if (le64toh(p.error_count) == 0)
                        continue;
                e[n++] = (NvmeErrorEntry) {
                        .error_count = le64toh(p.error_count),
                        .sqid = le16toh(p.sqid),
                        .cmdid = le16toh(p.cmdid),
                        .status_field = le16toh(p.status_field),
                        .parm_error_location = le16toh(p.parm_error_location),
                        .lba = le64toh(p.lba),
                        .nsid = le32toh(p.nsid),
                };
        }
        free(s->error_entries);
        s->error_entries = e;
        s->n_error_entries = n;
        return (int) n;
}

int nvme_parse_identify_ctrl(const uint8_t *buf, size_t len, HealthSnapshot *s) {
        const struct nvme_id_ctrl *c;
        _cleanup_free_ struct nvme_id_ctrl *copy = NULL;

        if (!buf || len < sizeof(*c))
                return log_debug_errno(EBADMSG, "NVMe Identify Controller data too short: %zu bytes", len);
        copy = malloc(sizeof(*copy));
        if (!copy)
                return -ENOMEM;
        memcpy(copy, buf, sizeof(*copy));
        c = copy;
        free(s->model);
        free(s->serial);
        free(s->firmware);
        s->model = trimmed(c->mn, sizeof(c->mn));
        s->serial = trimmed(c->sn, sizeof(c->sn));
        s->firmware = trimmed(c->fr, sizeof(c->fr));
        if (!s->model || !s->serial || !s->firmware)
                return -ENOMEM;
        return 0;
}

int nvme_read_health(const NvmeOps *ops, void *userdata, const char *device, usec_t now_usec, EreportSink sink,
                     void *sink_userdata, HealthSnapshot **ret) {
        _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
        _cleanup_free_ uint8_t *buf = NULL;
        int r;

        s = health_snapshot_new(HEALTH_PROTOCOL_NVME, device);
        buf = malloc(NVME_IDENTIFY_SIZE);
        if (!s || !buf)
                return -ENOMEM;
        s->time_usec = now_usec;

        if (ops->identify_ctrl && ops->identify_ctrl(userdata, buf) >= 0) {
                r = nvme_parse_identify_ctrl(buf, NVME_IDENTIFY_SIZE, s);
                if (r == -ENOMEM)
                        return r;
        }

        /* Reading log pages never wakes anything: NVMe has no spin-up. */
        r = ops->get_log(userdata, NVME_LOG_SMART, NVME_NSID_ALL_, buf, NVME_LOG_PAGE_SIZE);
        if (r >= 0)
                r = nvme_parse_smart_log(buf, NVME_LOG_PAGE_SIZE, s);
        if (r < 0) {
                r = health_snapshot_set_error(s, r, "SMART / Health Information log: %s", strerror(ERRNO_VALUE(r)));
                if (r < 0)
                        return r;
                *ret = TAKE_PTR(s);
                return 0;
        }
        if (ops->get_log(userdata, NVME_LOG_FW_SLOT, NVME_NSID_ALL_, buf, NVME_LOG_PAGE_SIZE) >= 0) {
                r = nvme_parse_fw_slot_log(buf, NVME_LOG_PAGE_SIZE, s);
                if (r == -ENOMEM)
                        return r;
        }
        /* 16 entries; a controller with fewer (ELPE) may refuse: try one. */
        if (ops->get_log(userdata, NVME_LOG_ERROR, NVME_NSID_ALL_, buf, 16 * NVME_ERROR_ENTRY_SIZE) >= 0)
                r = nvme_parse_error_log(buf, 16 * NVME_ERROR_ENTRY_SIZE, s);
        else if (ops->get_log(userdata, NVME_LOG_ERROR, NVME_NSID_ALL_, buf, NVME_ERROR_ENTRY_SIZE) >= 0)
                r = nvme_parse_error_log(buf, NVME_ERROR_ENTRY_SIZE, s);
        if (r == -ENOMEM)
                return r;

        r = health_assess(s);
        if (r < 0)
                return r;
        health_snapshot_emit(s, device, now_usec, sink, sink_userdata);
        *ret = TAKE_PTR(s);
        return 0;
}

/* libnvme returns -1 with errno for ioctl failures and a positive NVMe
 * status for command errors: translate once. */
static int libnvme_result(int r) {
        if (r < 0)
                return -(errno ?: EIO);
        if (r > 0)
                return -(nvme_status_to_errno(r, false) ?: EIO);
        return 0;
}

static int libnvme_get_log(void *userdata, uint8_t lid, uint32_t nsid, void *buf, size_t len) {
        int fd = *(int *) userdata;

        if (len > UINT32_MAX)
                return -EINVAL;
        errno = 0;
        return libnvme_result(nvme_get_nsid_log(fd, false, (enum nvme_cmd_get_log_lid) lid, nsid, (uint32_t) len, buf));
}

static int libnvme_identify_ctrl(void *userdata, void *buf) {
        int fd = *(int *) userdata;

        errno = 0;
        return libnvme_result(nvme_identify_ctrl(fd, buf));
}

const NvmeOps nvme_ops_libnvme = {
        .get_log = libnvme_get_log,
        .identify_ctrl = libnvme_identify_ctrl,
};

int nvme_open_node(const char *node, int *ret_fd) {
        int fd = open(node, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

        if (fd < 0)
                return log_debug_errno(errno, "Failed to open '%s': %m", node);
        *ret_fd = fd;
        return 0;
}

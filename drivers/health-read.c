/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <unistd.h>

#include "alloc-util.h"
#include "ata/ata-smart.h"
#include "fileio.h"
#include "health-read.h"
#include "log.h"
#include "nvme/nvme-health.h"
#include "smartctl-json.h"

int health_parse_buffer(const void *buf, size_t len, const char *name, HealthSnapshot **ret, HealthParseError *error) {
        int r;

        if (!buf || len == 0)
                return health_parse_error_set(error, EBADMSG, 0, "empty file");
        if (len > HEALTH_FILE_MAX)
                return health_parse_error_set(error, EFBIG, SIZE_MAX, "%zu bytes, larger than %zu", len, HEALTH_FILE_MAX);
        if (len >= 4 && memcmp(buf, "IDFY", 4) == 0) {
                r = ata_parse_blob(buf, len, name, ret);
                if (r < 0 && r != -ENOMEM)
                        return health_parse_error_set(error, r, SIZE_MAX,
                                                      "libatasmart blob of %zu bytes rejected (want tagged IDFY/SMST/SMDT/SMTH sections of 512/4/512/512 bytes)",
                                                      len);
                return r;
        }
        return smartctl_json_parse(buf, len, name, ret, error);
}

int health_read_file(const char *path, HealthSnapshot **ret, HealthParseError *error) {
        _cleanup_free_ char *buf = NULL;
        size_t size;
        int r;

        r = read_full_file(path, HEALTH_FILE_MAX, &buf, &size);
        if (r < 0)
                return health_parse_error_set(error, r, SIZE_MAX, "%s", strerror(ERRNO_VALUE(r)));
        return health_parse_buffer(buf, size, path, ret, error);
}

static int unreadable(const char *node, HealthProtocol protocol, int error, const char *what, HealthSnapshot **ret) {
        HealthSnapshot *s = health_snapshot_new(protocol, node);
        int r;

        if (!s)
                return -ENOMEM;
        r = health_snapshot_set_error(s, error, "%s: %s", what, strerror(ERRNO_VALUE(error)));
        if (r < 0) {
                health_snapshot_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

int health_read_device(const char *node, HealthProtocol protocol, HealthCache *cache, usec_t now_usec,
                       EreportSink sink, void *userdata, HealthSnapshot **ret) {
        ScsiTransport t;
        int r, fd;

        switch (protocol) {
        case HEALTH_PROTOCOL_ATA:
        case HEALTH_PROTOCOL_SCSI:
                r = scsi_transport_sg_open(node, &t);
                if (r < 0)
                        return unreadable(node, protocol, r, "open", ret);
                if (protocol == HEALTH_PROTOCOL_ATA) {
                        r = ata_read_health(&t, node, ret, NULL, NULL);
                        if (r >= 0) {
                                (*ret)->time_usec = now_usec;
                                health_snapshot_emit(*ret, node, now_usec, sink, userdata);
                        }
                } else
                        r = scsi_read_health(&t, node, cache ? &cache->scsi : NULL, now_usec, sink, userdata, ret);
                scsi_transport_sg_close(&t);
                return r;
        case HEALTH_PROTOCOL_NVME:
                r = nvme_open_node(node, &fd);
                if (r < 0)
                        return unreadable(node, protocol, r, "open", ret);
                r = nvme_read_health(&nvme_ops_libnvme, &fd, node, now_usec, sink, userdata, ret);
                close(fd);
                return r;
        default:
                return -EINVAL;
        }
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stddef.h>

#include "alloc-util.h"
#include "bus-config.h"
#include "string-util.h"

/* A group name as useradd(8) accepts it (NAME_REGEX of Debian's adduser,
 * POSIX portable characters): the value is looked up with getgrnam() at
 * each privileged call, so a group created later needs no reload. */
static int config_parse_group(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason) {
        char **g = data;
        size_t n = strlen(rvalue);

        if (n == 0) {
                *g = mfree(*g);
                return 0;
        }
        if (n > 32 || rvalue[0] == '-' || strspn(rvalue, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n) {
                *ret_reason = "a group name (letters, digits, '.', '_', '-'; at most 32)";
                return -EINVAL;
        }
        return config_parse_string(ctx, rvalue, data, ret_reason);
}

const ConfigTableItem bus_config_items[] = {
        { "Bus", "PrivilegedGroup", config_parse_group, offsetof(BusConfig, privileged_group) },
        {}
};

void bus_config_init(BusConfig *c) {
        *c = (BusConfig) {};
}

void bus_config_done(BusConfig *c) {
        c->privileged_group = mfree(c->privileged_group);
}

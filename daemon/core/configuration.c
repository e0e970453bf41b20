/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stddef.h>
#include <string.h>

#include "alloc-util.h"
#include "conf-parser.h"
#include "configuration.h"
#include "log.h"
#include "paths.h"
#include "string-util.h"

static void *webhook_section(void *userdata, const char *name) {
        return webhook_config_endpoint(&((Config *) userdata)->webhook, name);
}

static const ConfigTableItem config_items[] = {
        { "Daemon", "LogLevel", config_parse_log_level, offsetof(Config, log_level) },
        { "Daemon", "StateDirectory", config_parse_path, offsetof(Config, state_directory) },
        { "Inventory", "RescanIntervalSec", config_parse_sec, offsetof(Config, rescan_interval_usec) },
        { "Inventory", "IgnoreDevices", config_parse_strv, offsetof(Config, ignore_devices) },
        WEBHOOK_CONFIG_TABLE_ITEMS(Config, webhook, webhook_section),
        {}
};

int config_init(Config *c) {
        *c = (Config) {
                .log_level = CONFIG_LOG_LEVEL_DEFAULT,
                .rescan_interval_usec = CONFIG_RESCAN_INTERVAL_DEFAULT_USEC,
        };
        webhook_config_init(&c->webhook);
        c->state_directory = strdup(STORGUARD_STATE_DIR);
        return c->state_directory ? 0 : -ENOMEM;
}

void config_done(Config *c) {
        c->state_directory = mfree(c->state_directory);
        c->ignore_devices = strv_free(c->ignore_devices);
        webhook_config_done(&c->webhook);
}

int config_load(Config *c, const char *path, bool missing_ok) {
        int r;

        r = config_init(c);
        if (r < 0)
                return log_oom();
        r = config_parse_with_dropins(path, config_items, c, missing_ok);
        if (r < 0)
                return r;
        /* What only the whole can tell (an endpoint without URL=), by section. */
        return webhook_config_verify(&c->webhook);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stddef.h>
#include <string.h>

#include "alloc-util.h"
#include "conf-parser.h"
#include "configuration.h"
#include "log.h"
#include "paths.h"
#include "string-util.h"

static int config_parse_store_sync(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason) {
        StoreSync s = store_sync_from_string(rvalue);

        if (s < 0) {
                *ret_reason = "full or normal";
                return -EINVAL;
        }
        *(StoreSync *) data = s;
        return 0;
}

/* An absolute path, or empty for "none". */
static int config_parse_path_or_empty(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason) {
        if (isempty(rvalue)) {
                *(char **) data = mfree(*(char **) data);
                return 0;
        }
        return config_parse_path(ctx, rvalue, data, ret_reason);
}

static const ConfigTableItem config_items[] = {
        { "Daemon", "LogLevel", config_parse_log_level, offsetof(Config, log_level) },
        { "Daemon", "StateDirectory", config_parse_path, offsetof(Config, state_directory) },
        { "Daemon", "KernelLog", config_parse_path_or_empty, offsetof(Config, kernel_log) },
        { "Inventory", "RescanIntervalSec", config_parse_sec, offsetof(Config, rescan_interval_usec) },
        { "Inventory", "IgnoreDevices", config_parse_strv, offsetof(Config, ignore_devices) },
        { "Store", "Synchronous", config_parse_store_sync, offsetof(Config, store_sync) },
        { "Incidents", "HostName", config_parse_string, offsetof(Config, host_name) },
        { "Metrics", "TextfilePath", config_parse_path_or_empty, offsetof(Config, metrics_path) },
        { "Metrics", "IntervalSec", config_parse_sec, offsetof(Config, metrics_interval_usec) },
        {}
};

int config_init(Config *c) {
        *c = (Config) {
                .log_level = CONFIG_LOG_LEVEL_DEFAULT,
                .rescan_interval_usec = CONFIG_RESCAN_INTERVAL_DEFAULT_USEC,
                .store_sync = CONFIG_STORE_SYNC_DEFAULT,
                .metrics_interval_usec = CONFIG_METRICS_INTERVAL_DEFAULT_USEC,
        };
        diagnosis_config_init(&c->diagnosis);
        c->state_directory = strdup(STORGUARD_STATE_DIR);
        c->kernel_log = strdup(KMSG_PATH);
        c->metrics_path = strdup(STORGUARD_METRICS_PATH);
        return c->state_directory && c->kernel_log && c->metrics_path ? 0 : -ENOMEM;
}

void config_done(Config *c) {
        c->state_directory = mfree(c->state_directory);
        c->kernel_log = mfree(c->kernel_log);
        c->ignore_devices = strv_free(c->ignore_devices);
        c->host_name = mfree(c->host_name);
        c->metrics_path = mfree(c->metrics_path);
}

int config_load(Config *c, const char *path, bool missing_ok) {
        _cleanup_free_ ConfigTableItem *table = NULL;
        int r;

        r = config_init(c);
        if (r < 0)
                return log_oom();
        /* Each module keeps its own table; one file holds them all. */
        r = config_table_concat(config_items, diagnosis_config_items, offsetof(Config, diagnosis), &table);
        if (r < 0)
                return log_oom();
        return config_parse_with_dropins(path, table, c, missing_ok);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stddef.h>
#include <stdlib.h>
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

static int config_parse_policy_mode(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason) {
        PolicyMode m = policy_mode_from_string(rvalue);

        if (m < 0) {
                *ret_reason = "off, dry-run or enforce";
                return -EINVAL;
        }
        *(PolicyMode *) data = m;
        return 0;
}

/* Both directions of an action share one mode: isolating and bringing
 * back are one decision for an operator. */
static int config_parse_policy_pair(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason) {
        PolicyMode *modes = data; /* [isolate], and [isolate + 3] is its reversal */
        int r = config_parse_policy_mode(ctx, rvalue, modes, ret_reason);

        if (r >= 0)
                modes[RESPONSE_MD_READD - RESPONSE_MD_FAIL_MEMBER] = modes[0];
        return r;
}

#define RESPONSE_MODE(a) (offsetof(Config, response) + offsetof(ResponsePolicy, mode) + (a) * sizeof(PolicyMode))

static const ConfigTableItem config_items[] = {
        { "Daemon", "LogLevel", config_parse_log_level, offsetof(Config, log_level) },
        { "Daemon", "StateDirectory", config_parse_path, offsetof(Config, state_directory) },
        { "Daemon", "KernelLog", config_parse_path_or_empty, offsetof(Config, kernel_log) },
        { "Daemon", "KnownErrorsDirectories", config_parse_strv, offsetof(Config, known_errors_dirs) },
        { "Inventory", "RescanIntervalSec", config_parse_sec, offsetof(Config, rescan_interval_usec) },
        { "Inventory", "IgnoreDevices", config_parse_strv, offsetof(Config, ignore_devices) },
        WEBHOOK_CONFIG_TABLE_ITEMS(Config, webhook, webhook_section),
        { "Health", "PollIntervalSec", config_parse_sec, offsetof(Config, health_interval_usec) },
        { "Health", "PollTimeoutSec", config_parse_sec, offsetof(Config, health_timeout_usec) },
        { "Latency", "SampleIntervalSec", config_parse_sec, offsetof(Config, latency_interval_usec) },
        { "Incidents", "QuietPeriodSec", config_parse_sec, offsetof(Config, quiet_period_usec) },
        { "Store", "HistoryRetentionSec", config_parse_sec, offsetof(Config, history_retention_usec) },
        { "Store", "HistoryMaxRows", config_parse_unsigned, offsetof(Config, history_max_rows) },
        { "Store", "OutboxRetentionSec", config_parse_sec, offsetof(Config, outbox_retention_usec) },
        { "Store", "Synchronous", config_parse_store_sync, offsetof(Config, store_sync) },
        { "Incidents", "HostName", config_parse_string, offsetof(Config, host_name) },
        { "Response", "FailMdMember", config_parse_policy_pair, RESPONSE_MODE(RESPONSE_MD_FAIL_MEMBER) },
        { "Response", "FailMultipathPath", config_parse_policy_pair, RESPONSE_MODE(RESPONSE_MPATH_FAIL_PATH) },
        { "Response", "OfflineScsiDevice", config_parse_policy_pair, RESPONSE_MODE(RESPONSE_SCSI_OFFLINE) },
        { "Response", "MaxPerHour", config_parse_unsigned, offsetof(Config, response) + offsetof(ResponsePolicy, max_per_hour_host) },
        { "Response", "MaxPerHourPerController", config_parse_unsigned,
          offsetof(Config, response) + offsetof(ResponsePolicy, max_per_hour_controller) },
        { "Response", "BootHoldOffSec", config_parse_sec,
          offsetof(Config, response) + offsetof(ResponsePolicy, boot_holdoff_usec) },
        { "Metrics", "TextfilePath", config_parse_path_or_empty, offsetof(Config, metrics_path) },
        { "Metrics", "IntervalSec", config_parse_sec, offsetof(Config, metrics_interval_usec) },
        {}
};

int config_init(Config *c) {
        *c = (Config) {
                .log_level = CONFIG_LOG_LEVEL_DEFAULT,
                .rescan_interval_usec = CONFIG_RESCAN_INTERVAL_DEFAULT_USEC,
                .store_sync = CONFIG_STORE_SYNC_DEFAULT,
                .health_interval_usec = CONFIG_HEALTH_INTERVAL_DEFAULT_USEC,
                .health_timeout_usec = CONFIG_HEALTH_TIMEOUT_DEFAULT_USEC,
                .latency_interval_usec = CONFIG_LATENCY_INTERVAL_DEFAULT_USEC,
                .quiet_period_usec = CONFIG_QUIET_PERIOD_DEFAULT_USEC,
                .history_retention_usec = CONFIG_HISTORY_RETENTION_DEFAULT_USEC,
                .history_max_rows = CONFIG_HISTORY_MAX_ROWS_DEFAULT,
                .outbox_retention_usec = CONFIG_OUTBOX_RETENTION_DEFAULT_USEC,
                .metrics_interval_usec = CONFIG_METRICS_INTERVAL_DEFAULT_USEC,
        };
        webhook_config_init(&c->webhook);
        diagnosis_config_init(&c->diagnosis);
        bus_config_init(&c->bus);
        response_policy_default(&c->response);
        /* Under systemd, StateDirectory= of the unit says where (the
         * compiled-in default follows ./configure's prefix instead). */
        {
                const char *e = getenv("STATE_DIRECTORY");

                if (!isempty(e) && e[0] == '/')
                        c->state_directory = strndup(e, strcspn(e, ":"));
                else
                        c->state_directory = strdup(STORGUARD_STATE_DIR);
        }
        c->kernel_log = strdup(KMSG_PATH);
        c->metrics_path = strdup(STORGUARD_METRICS_PATH);
        if (strv_push(&c->known_errors_dirs, strdup(STORGUARD_KNOWN_ERRORS_SHIPPED_DIR)) < 0 ||
            strv_push(&c->known_errors_dirs, strdup(STORGUARD_KNOWN_ERRORS_DIR)) < 0 || !c->known_errors_dirs[0] ||
            !c->known_errors_dirs[1])
                return -ENOMEM;
        return c->state_directory && c->kernel_log && c->metrics_path ? 0 : -ENOMEM;
}

void config_done(Config *c) {
        c->state_directory = mfree(c->state_directory);
        c->kernel_log = mfree(c->kernel_log);
        c->known_errors_dirs = strv_free(c->known_errors_dirs);
        c->ignore_devices = strv_free(c->ignore_devices);
        webhook_config_done(&c->webhook);
        c->host_name = mfree(c->host_name);
        bus_config_done(&c->bus);
        c->metrics_path = mfree(c->metrics_path);
}

int config_load(Config *c, const char *path, bool missing_ok) {
        _cleanup_free_ ConfigTableItem *t = NULL, *table = NULL;
        int r;

        r = config_init(c);
        if (r < 0)
                return log_oom();
        /* Each module keeps its own table; one file holds them all. */
        r = config_table_concat(config_items, diagnosis_config_items, offsetof(Config, diagnosis), &t);
        if (r >= 0)
                r = config_table_concat(t, bus_config_items, offsetof(Config, bus), &table);
        if (r < 0)
                return log_oom();
        r = config_parse_with_dropins(path, table, c, missing_ok);
        if (r < 0)
                return r;
        /* What only the whole can tell (an endpoint without URL=), by section. */
        return webhook_config_verify(&c->webhook);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * storguard.conf(5): /etc/storguard/storguard.conf and its drop-ins in
 * /etc/storguard/storguard.conf.d/ (files ending in .conf).  Every option has a named default
 * here, with its unit.
 */

#include <stdbool.h>

#include "bus-config.h"
#include "diagnosis-config.h"
#include "response.h"
#include "store.h"
#include "time-util.h"
#include "webhook-config.h"

#define CONFIG_LOG_LEVEL_DEFAULT LOG_INFO
/* How often the whole inventory is re-read from udev in addition to
 * hotplug events (catches what emits no uevent, e.g. "echo offline >
 * device/state"). */
#define CONFIG_RESCAN_INTERVAL_DEFAULT_USEC (6 * USEC_PER_HOUR)
/* SMART and log pages every 30 min, as smartd's default check interval. */
#define CONFIG_HEALTH_INTERVAL_DEFAULT_USEC (30 * USEC_PER_MINUTE)
#define CONFIG_HEALTH_TIMEOUT_DEFAULT_USEC (2 * USEC_PER_MINUTE)
/* An event-stream fault not seen for a week has cleared. */
#define CONFIG_QUIET_PERIOD_DEFAULT_USEC (7 * USEC_PER_DAY)
/* Health history: a year, at most 100,000 samples per CI and attribute
 * (every 30 min for 5.7 years); delivered webhook events: 30 days. */
#define CONFIG_HISTORY_RETENTION_DEFAULT_USEC (365 * USEC_PER_DAY)
#define CONFIG_HISTORY_MAX_ROWS_DEFAULT 100000U
#define CONFIG_OUTBOX_RETENTION_DEFAULT_USEC (30 * USEC_PER_DAY)
/* One latency window: /sys/block/X/stat and SCSI counters every 10 s. */
#define CONFIG_LATENCY_INTERVAL_DEFAULT_USEC (10 * USEC_PER_SEC)
/* How often the Prometheus text file is written. */
#define CONFIG_METRICS_INTERVAL_DEFAULT_USEC USEC_PER_MINUTE
/* Every committed incident change survives a power loss. */
#define CONFIG_STORE_SYNC_DEFAULT STORE_SYNC_FULL

typedef struct Config {
        int log_level;                   /* syslog level */
        char *state_directory;           /* absolute path */
        char *kernel_log;                /* [Daemon] KernelLog=: the kmsg device; NULL: not read */
        char **known_errors_dirs;        /* [Daemon] KnownErrorsDirectories=, later ones override */
        usec_t rescan_interval_usec;     /* 0: hotplug only */
        char **ignore_devices;           /* fnmatch() patterns of kernel names */
        usec_t health_interval_usec;     /* [Health] PollIntervalSec=, 0: off */
        usec_t health_timeout_usec;      /* [Health] PollTimeoutSec=: a read that takes longer is killed */
        usec_t quiet_period_usec;        /* [Incidents] QuietPeriodSec=, 0: never */
        usec_t history_retention_usec;   /* [Store] HistoryRetentionSec=, 0: keep */
        unsigned history_max_rows;       /* [Store] HistoryMaxRows= per CI and attribute, 0: no limit */
        usec_t outbox_retention_usec;    /* [Store] OutboxRetentionSec= for delivered events, 0: keep */
        usec_t latency_interval_usec;    /* [Latency] SampleIntervalSec=, one fail-slow window; 0: off */
        StoreSync store_sync;            /* [Store] Synchronous= */
        char *host_name;                 /* [Incidents] HostName=, prefix of incident ids; empty: gethostname() */
        char *metrics_path;              /* [Metrics] TextfilePath=; NULL: no file */
        usec_t metrics_interval_usec;    /* [Metrics] IntervalSec=; 0: no file */
        DiagnosisConfig diagnosis;       /* [Diagnosis], [AtaPolicy] */
        BusConfig bus;                   /* [Bus] */
        ResponsePolicy response;         /* [Response] */
        WebhookConfig webhook;           /* [Webhook], [Webhook.NAME] */
} Config;

/* config_init() - the defaults.  Return: 0 or -ENOMEM. */
int config_init(Config *c);
void config_done(Config *c);

/* config_load() - defaults, then path and its drop-ins ("<path>.d/").
 * @missing_ok: the main file may be absent (the default path).
 * Return: 0, or -errno after logging every problem with file:line. */
int config_load(Config *c, const char *path, bool missing_ok);

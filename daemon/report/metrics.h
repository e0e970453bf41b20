/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Metrics for fleet monitoring: a Prometheus text-format file (exposition
 * format 0.0.4) for node_exporter's textfile collector, written to a
 * temporary file in the same directory and renamed, so that a scrape sees
 * the old file or the new one, never half of one.  The file is 0644: the
 * collector runs as another user.
 *
 * The families, in the order written (storguardd(8), METRICS):
 *
 *   storguard_build_info{version}                         gauge, 1
 *   storguard_metrics_updated_timestamp_seconds           gauge
 *   storguard_devices{type}                               gauge, present CIs
 *   storguard_devices_without_health_interface            gauge
 *   storguard_device_health{ci_id,type,device,model,serial} gauge, HealthAssessment 0..4
 *   storguard_array_devices{ci_id,type,array,level}       gauge, members / paths
 *   storguard_array_devices_missing{ci_id,type,array,level} gauge, missing members / failed paths
 *   storguard_array_state{ci_id,type,array,state}         gauge, 1
 *   storguard_incidents{priority,status}                  gauge, every combination
 *   storguard_incidents_major                             gauge, open or mitigated
 *   storguard_ereports_total                              counter
 *   storguard_health_reads_total                          counter
 *   storguard_store_up                                    gauge, 0/1
 *   storguard_store_unsaved_changes                       gauge
 *   storguard_webhook_outbox_events{state}                gauge, pending/delivered/dead
 *
 * Label values that come from devices are untrusted: bytes outside
 * printable ASCII become '?', they are cut at METRICS_LABEL_MAX bytes, and
 * '\' and '"' are escaped as the format requires.
 */

#include <stdint.h>
#include <stdio.h>

#include "health.h"
#include "incident-manager.h"
#include "incident.h"
#include "inventory.h"
#include "store.h"
#include "time-util.h"

#define METRICS_LABEL_MAX 128 /* bytes of a label value, before escaping */

/* Everything the file is made from; all borrowed. */
typedef struct MetricsSources {
        const Inventory *inventory;          /* NULL: no device families */
        const IncidentManager *incidents;    /* NULL: incident counts are 0 */
        Store *store;                        /* NULL: the store is down (no outbox figures) */
        uint64_t ereports_total;
        uint64_t health_reads_total;
        usec_t now_usec;                     /* CLOCK_REALTIME */
        /* The last health poll of a disk: HEALTH_OK..HEALTH_UNKNOWN, or
         * _HEALTH_ASSESSMENT_INVALID when it was never read.  NULL: none. */
        HealthAssessment (*polled_health)(const Ci *c, void *userdata);
        void *userdata;
} MetricsSources;

/* metrics_escape_label() - a label value as the text format wants it,
 * made safe (see above).  Return: a new string, NULL on ENOMEM. */
char *metrics_escape_label(const char *s);

/* metrics_ci_health() - storguard's judgement of a CI: the worse of its
 * last health poll (@polled, _HEALTH_ASSESSMENT_INVALID: never read) and
 * its open or mitigated incidents (disk/path failed: failed; media errors,
 * controller: failing; any other: warning).  With neither: unknown for a
 * disk (no health interface, or not read yet), ok for a controller.
 * incidents may be NULL. */
HealthAssessment metrics_ci_health(const Ci *c, const IncidentManager *incidents, HealthAssessment polled);

/* metrics_render() - the whole file into f.  Return: 0, -ENOMEM, -EIO. */
int metrics_render(const MetricsSources *s, FILE *f);

/* metrics_write_file() - render into "<path>.XXXXXX" beside path, make it
 * 0644, rename it over path.  Nothing is left behind on failure.
 * Return: 0 or -errno (-ENOENT: the directory does not exist). */
int metrics_write_file(const char *path, const MetricsSources *s);

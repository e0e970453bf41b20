/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Housekeeping on a timer:
 *   - quiet-period resolution: an open incident of a fault that shows as a
 *     stream of events (timeouts, resets, media errors, near misses, a
 *     flapping path, slowness, a controller pattern) whose fault has not
 *     been seen again for [Incidents] QuietPeriodSec= has cleared: it is
 *     resolved, and comes back (reopened) if the fault does.  Faults that
 *     are states (a failed member, a failed path, a known error) resolve
 *     from the device's state instead;
 *   - retention: health history older than [Store] HistoryRetentionSec= or
 *     beyond HistoryMaxRows= per series, and webhook events delivered
 *     longer ago than OutboxRetentionSec=.  Open incidents are never pruned;
 *   - catching up: incident changes the store refused (state directory
 *     full or read-only) are kept in memory, in order; they are written
 *     again every STORE_RETRY_USEC until the store takes them, not only
 *     when the next change comes.
 */

#include <errno.h>
#include <string.h>

#include "alloc-util.h"
#include "log.h"
#include "manager.h"
#include "string-util.h"

#define HOUSEKEEPING_INTERVAL_USEC (10 * USEC_PER_MINUTE)
#define STORE_RETRY_USEC (15 * USEC_PER_SEC)

/* Return: how many incidents were resolved. */
int manager_resolve_quiet(Manager *m, usec_t now_usec) {
        _cleanup_free_ Incident **l = NULL;
        int n, resolved = 0;

        if (!m->incidents || m->config.quiet_period_usec == 0)
                return 0;
        n = incident_manager_list(m->incidents, &l);
        for (int k = 0; k < n; k++) {
                Incident *i = l[k];
                char comment[128], span[FORMAT_TIMESPAN_MAX];

                if (!incident_quiet_expired(i, m->config.quiet_period_usec, now_usec))
                        continue;
                snprintf(comment, sizeof(comment), "fault not seen for %s (QuietPeriodSec=)",
                         format_timespan(span, sizeof(span), m->config.quiet_period_usec));
                if (incident_manager_set_status(m->incidents, i->id, INCIDENT_RESOLVED, comment, now_usec) >= 0) {
                        log_notice("Incident %s resolved: %s.", i->id, comment);
                        resolved++;
                }
        }
        return resolved;
}

static void prune(Manager *m, usec_t now_usec) {
        int r;

        if (!m->store)
                return;
        if (m->config.history_retention_usec > 0 || m->config.history_max_rows > 0) {
                r = store_history_prune(m->store,
                                        m->config.history_retention_usec > 0 && now_usec > m->config.history_retention_usec
                                                ? now_usec - m->config.history_retention_usec
                                                : 0,
                                        m->config.history_max_rows);
                if (r < 0)
                        log_warning_errno(r, "Failed to prune the health history, ignoring: %m");
                else if (r > 0)
                        log_debug("Pruned %d health history rows.", r);
        }
        if (m->config.outbox_retention_usec > 0 && now_usec > m->config.outbox_retention_usec) {
                r = store_outbox_prune_delivered(m->store, now_usec - m->config.outbox_retention_usec);
                if (r < 0)
                        log_warning_errno(r, "Failed to prune delivered webhook events, ignoring: %m");
        }
}

static int on_housekeeping(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        usec_t t = now(CLOCK_REALTIME);

        (void) manager_resolve_quiet(m, t);
        prune(m, t);
        if (sd_event_source_set_time_relative(s, HOUSEKEEPING_INTERVAL_USEC) < 0 ||
            sd_event_source_set_enabled(s, SD_EVENT_ONESHOT) < 0)
                log_warning("Cannot re-arm the housekeeping timer; quiet-period resolution and pruning stop.");
        return 0;
}

static int on_store_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        int r;

        r = incident_manager_flush(m->incidents, now(CLOCK_REALTIME));
        if (r < 0)
                log_debug_errno(r, "Writing the pending incident changes failed again: %m");
        if (r != 0)
                manager_store_retry_arm(m);
        return 0;
}

void manager_store_retry_arm(Manager *m) {
        int r;

        if (!m->incidents || !m->store || incident_manager_unsaved(m->incidents) == 0)
                return;
        if (m->store_retry_source) {
                r = sd_event_source_set_time_relative(m->store_retry_source, STORE_RETRY_USEC);
                if (r >= 0)
                        r = sd_event_source_set_enabled(m->store_retry_source, SD_EVENT_ONESHOT);
        } else
                r = sd_event_add_time_relative(m->event, &m->store_retry_source, CLOCK_MONOTONIC, STORE_RETRY_USEC,
                                               USEC_PER_SEC, on_store_retry, m);
        if (r < 0)
                log_warning_errno(r, "Cannot arm the store retry timer; pending incident changes are written "
                                  "with the next change: %m");
        else
                (void) sd_event_source_set_description(m->store_retry_source, "store-retry");
}

int manager_housekeeping_start(Manager *m) {
        int r;

        r = sd_event_add_time_relative(m->event, &m->housekeeping_source, CLOCK_MONOTONIC, USEC_PER_MINUTE,
                                       USEC_PER_SEC * 10, on_housekeeping, m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the housekeeping timer: %m");
        (void) sd_event_source_set_description(m->housekeeping_source, "housekeeping");
        return 0;
}

void manager_housekeeping_stop(Manager *m) {
        m->housekeeping_source = sd_event_source_disable_unref(m->housekeeping_source);
        m->store_retry_source = sd_event_source_disable_unref(m->store_retry_source);
}

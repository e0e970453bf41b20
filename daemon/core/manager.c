/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-daemon.h>

#include "alloc-util.h"
#include "log.h"
#include "manager.h"
#include "message-ids.h"
#include "metrics.h"
#include "report-journal.h"
#include "string-util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_device *, udev_device_unref);

void manager_ci_changed(Ci *c, InventoryChange change, void *userdata) {
        Manager *m = userdata;

        bus_ci_changed(m, c, change);
        manager_inventory_changed(m, c, change);
        manager_health_device_changed(m, c, change);
        if (change == INVENTORY_ADDED || change == INVENTORY_REAPPEARED || change == INVENTORY_CHANGED)
                manager_known_errors_check(m, c);
        _cleanup_free_ char *model = c->model ? strdup_printable(c->model, 64) : NULL;
        _cleanup_free_ char *serial = c->serial ? strdup_printable(c->serial, 64) : NULL;
        int level = m->startup_done ? LOG_NOTICE : LOG_INFO;

        LogField fields[REPORT_CI_FIELDS_MAX];

        report_ci_fields(c, fields);
        switch (change) {
        case INVENTORY_ADDED:
        case INVENTORY_REAPPEARED:
                log_event(level, SG_MESSAGE_DEVICE_FOUND, fields, "%s %s '%s' (%s%s%s%s, id %s).",
                          change == INVENTORY_ADDED ? "Found" : "Back:", ci_type_to_string(c->type), c->name,
                          transport_to_string(c->transport), model ? ", model '" : "", strempty(model),
                          model ? "'" : "", c->id);
                if (c->type == CI_DISK && c->unsupported_reason)
                        log_event(level == LOG_INFO ? LOG_NOTICE : level, SG_MESSAGE_DISK_NO_HEALTH, fields,
                                  "Disk '%s'%s%s%s: no health interface: %s.", c->name,
                                  serial ? " (serial '" : "", strempty(serial), serial ? "')" : "",
                                  c->unsupported_reason);
                break;
        case INVENTORY_CHANGED:
                if (c->type == CI_ARRAY || c->type == CI_MULTIPATH)
                        log_event(LOG_NOTICE, SG_MESSAGE_ARRAY_STATE, fields, "%s '%s' is now %s (%u of %u %s).",
                                  ci_type_to_string(c->type), c->name, strna(c->array_state), c->degraded,
                                  c->raid_disks, c->type == CI_ARRAY ? "members missing" : "paths failed");
                else
                        log_debug("%s '%s' changed.", ci_type_to_string(c->type), c->name);
                break;
        case INVENTORY_REMOVED:
                log_event(LOG_NOTICE, SG_MESSAGE_DEVICE_REMOVED, fields,
                          "%s '%s' (id %s) was removed; it is remembered as removed.", ci_type_to_string(c->type),
                          c->name, c->id);
                break;
        default:
                break;
        }
}

static InventoryFilter manager_filter(Manager *m) {
        return (InventoryFilter) { .ignore_names = m->config.ignore_devices };
}

static void manager_notify_status(Manager *m) {
        _cleanup_free_ Ci **l = NULL;
        unsigned disks = 0, healthy_iface = 0, arrays = 0, maps = 0;
        int n = inventory_list_unsorted(m->inventory, &l);

        for (int i = 0; i < n; i++) {
                if (l[i]->state != CI_STATE_PRESENT)
                        continue;
                if (l[i]->type == CI_DISK) {
                        disks++;
                        if (l[i]->health_source != HEALTH_SOURCE_NONE)
                                healthy_iface++;
                } else if (l[i]->type == CI_ARRAY)
                        arrays++;
                else if (l[i]->type == CI_MULTIPATH)
                        maps++;
        }
        (void) sd_notifyf(false, "STATUS=Watching %u disks (%u with a health interface), %u arrays, %u multipath maps",
                          disks, healthy_iface, arrays, maps);
}

int manager_scan(Manager *m) {
        InventoryFilter filter = manager_filter(m);
        int r;

        r = inventory_scan(m->inventory, m->udev, &filter, now(CLOCK_REALTIME), manager_ci_changed, m);
        if (r < 0)
                return log_error_errno(r, "Failed to enumerate devices: %m");
        manager_notify_status(m);
        return r;
}

static int on_uevent(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        InventoryFilter filter = manager_filter(m);
        _cleanup_(udev_device_unrefp) struct udev_device *d = NULL;
        int r;

        d = udev_monitor_receive_device(m->monitor);
        if (!d) {
                /* The socket overflowed (a whole enclosure at once): events
                 * were lost, so read the inventory again now rather than
                 * at the next periodic rescan. */
                if (errno == ENOBUFS && m->rescan_source) {
                        log_warning("udev events were lost (receive buffer full): reading the inventory again.");
                        if (sd_event_source_set_time_relative(m->rescan_source, 0) < 0 ||
                            sd_event_source_set_enabled(m->rescan_source, SD_EVENT_ONESHOT) < 0)
                                log_warning("Cannot schedule the rescan; the next periodic one catches up.");
                }
                return 0; /* spurious wake-up or a message we cannot use */
        }
        r = inventory_handle_uevent(m->inventory, d, &filter, now(CLOCK_REALTIME), manager_ci_changed, m);
        if (r < 0)
                log_warning_errno(r, "Failed to handle '%s' event of '%s', ignoring: %m",
                                  strna(udev_device_get_action(d)), strna(udev_device_get_sysname(d)));
        manager_notify_status(m);
        return 0;
}

static int on_rescan(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        int r;

        (void) manager_scan(m);
        r = sd_event_source_set_time_relative(s, m->config.rescan_interval_usec);
        if (r >= 0)
                r = sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        if (r < 0)
                log_warning_errno(r, "Failed to re-arm the rescan timer, ignoring: %m");
        return 0;
}

/* --- metrics: the Prometheus text file ([Metrics]) ----------------------- */

static bool metrics_enabled(Manager *m) {
        return m->config.metrics_path && m->config.metrics_interval_usec > 0;
}

static HealthAssessment metrics_polled_health(const Ci *c, void *userdata) {
        Manager *m = userdata;
        HealthAssessment a;

        if (c->type != CI_DISK || !manager_health_snapshot(m, c->id, &a, NULL))
                return _HEALTH_ASSESSMENT_INVALID;
        return a;
}

static void manager_write_metrics(Manager *m) {
        MetricsSources src = {
                .inventory = m->inventory,
                .incidents = m->incidents,
                .store = m->store,
                .ereports_total = m->ereports_seen,
                .health_reads_total = m->health_reads,
                .now_usec = now(CLOCK_REALTIME),
                .polled_health = metrics_polled_health,
                .userdata = m,
        };
        char span[FORMAT_TIMESPAN_MAX];
        int r;

        if (!metrics_enabled(m))
                return;
        r = metrics_write_file(m->config.metrics_path, &src);
        if (r < 0) {
                /* Once, until it works again: a host without node_exporter
                 * (no directory) is common and only worth a notice. */
                if (!m->metrics_failing)
                        log_event_errno(r == -ENOENT ? LOG_NOTICE : LOG_WARNING, r, SG_MESSAGE_METRICS_FAILED,
                                        LOG_FIELDS({ "STORGUARD_PATH", m->config.metrics_path }),
                                        "Cannot write metrics to '%s', retrying every %s: %m",
                                        m->config.metrics_path,
                                        format_timespan(span, sizeof(span), m->config.metrics_interval_usec));
                m->metrics_failing = true;
                return;
        }
        if (m->metrics_failing)
                log_info("Metrics are written to '%s' again.", m->config.metrics_path);
        m->metrics_failing = false;
}

static void manager_arm_metrics(Manager *m) {
        int r;

        if (!m->metrics_source)
                return;
        if (!metrics_enabled(m)) {
                (void) sd_event_source_set_enabled(m->metrics_source, SD_EVENT_OFF);
                return;
        }
        r = sd_event_source_set_time_relative(m->metrics_source, m->config.metrics_interval_usec);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->metrics_source, SD_EVENT_ONESHOT);
        if (r < 0)
                log_warning_errno(r, "Failed to re-arm the metrics timer, ignoring: %m");
}

static int on_metrics(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        manager_write_metrics(m);
        manager_arm_metrics(m);
        return 0;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;

        /* The reload protocol of sd_notify(3): RELOADING=1, then READY=1. */
        (void) sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long) now(CLOCK_MONOTONIC));
        if (manager_reload(m) < 0)
                (void) sd_notify(false, "STATUS=Configuration reload failed, running with the previous one");
        (void) sd_notify(false, "READY=1");
        return 0;
}

int manager_reload(Manager *m) {
        Config c;
        int r;

        log_info("Reloading configuration from '%s'.", m->config_path);
        r = config_load(&c, m->config_path, m->config_missing_ok);
        if (r < 0) {
                config_done(&c);
                return log_event_errno(LOG_ERR, r, SG_MESSAGE_CONFIG_RELOAD_FAILED,
                                       LOG_FIELDS({ "STORGUARD_PATH", m->config_path }),
                                       "New configuration is invalid, keeping the running one: %m");
        }
        if (m->state_dir_override && free_and_strdup(&c.state_directory, m->state_dir_override) < 0) {
                config_done(&c);
                return log_oom();
        }
        config_done(&m->config);
        m->config = c;
        log_set_max_level(m->config.log_level);
        if (m->rescan_source) {
                r = sd_event_source_set_time_relative(m->rescan_source, m->config.rescan_interval_usec ?: USEC_PER_HOUR);
                if (r >= 0)
                        r = sd_event_source_set_enabled(m->rescan_source,
                                                        m->config.rescan_interval_usec > 0 ? SD_EVENT_ONESHOT : SD_EVENT_OFF);
                if (r < 0)
                        log_warning_errno(r, "Failed to re-arm the rescan timer, ignoring: %m");
        }
        m->metrics_failing = false;
        manager_arm_metrics(m);
        (void) manager_known_errors_load(m);
        (void) manager_scan(m);
        return 0;
}

int manager_new(const char *config_path, bool missing_ok, Manager **ret) {
        _cleanup_(manager_freep) Manager *m = new0(Manager, 1);
        int r;

        if (!m)
                return log_oom();
        m->config_missing_ok = missing_ok;
        m->mdstat_fd = -EBADF;
        m->config_path = strdup(config_path);
        m->inventory = inventory_new();
        if (!m->config_path || !m->inventory)
                return log_oom();
        r = config_load(&m->config, config_path, missing_ok);
        if (r < 0)
                return log_error_errno(r, "Refusing to start with an invalid configuration: %m");
        log_set_max_level(m->config.log_level);

        m->udev = udev_new();
        if (!m->udev)
                return log_error_errno(errno ?: ENOMEM, "Failed to create udev context: %m");

        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        /* A clean stop saves the evidence state while every module still
         * has its part (the fail-slow windows stop before diagnosis). */
        if (m->state_dirty || m->state_urgent)
                (void) manager_state_save(m);
        m->bus = bus_service_free(m->bus);
        manager_housekeeping_stop(m);
        manager_latency_stop(m);
        manager_known_errors_done(m);
        manager_health_stop(m);
        manager_response_stop(m);
        manager_evidence_stop(m);
        sd_event_source_disable_unref(m->monitor_source);
        sd_event_source_disable_unref(m->rescan_source);
        sd_event_source_disable_unref(m->metrics_source);
        sd_event_source_disable_unref(m->sigterm_source);
        sd_event_source_disable_unref(m->sigint_source);
        sd_event_source_disable_unref(m->sighup_source);
        udev_monitor_unref(m->monitor);
        udev_unref(m->udev);
        sd_event_unref(m->event);
        inventory_free(m->inventory);
        config_done(&m->config);
        free(m->config_path);
        free(m->state_dir_override);
        free(m->bus_address);
        return mfree(m);
}

static int setup_monitor(Manager *m) {
        int r;

        m->monitor = udev_monitor_new_from_netlink(m->udev, "udev");
        if (!m->monitor)
                return log_error_errno(errno ?: ENOMEM, "Failed to create udev monitor: %m");
        if ((r = udev_monitor_filter_add_match_subsystem_devtype(m->monitor, "block", "disk")) < 0 ||
            (r = udev_monitor_filter_add_match_subsystem_devtype(m->monitor, "nvme", NULL)) < 0)
                return log_error_errno(r, "Failed to set up udev monitor filter: %m");
        /* As udevd's own listeners do: room for the burst of a whole
         * enclosure coming up (capped by net.core.rmem_max without
         * CAP_NET_ADMIN; an overflow then triggers a rescan, on_uevent()). */
        (void) udev_monitor_set_receive_buffer_size(m->monitor, 128 * 1024 * 1024);
        r = udev_monitor_enable_receiving(m->monitor);
        if (r < 0)
                return log_error_errno(r, "Failed to listen to udev events: %m");
        r = sd_event_add_io(m->event, &m->monitor_source, udev_monitor_get_fd(m->monitor), EPOLLIN, on_uevent, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the udev monitor: %m");
        (void) sd_event_source_set_description(m->monitor_source, "udev-monitor");
        return 0;
}

int manager_start(Manager *m) {
        sigset_t mask;
        int r;

        r = sd_event_default(&m->event);
        if (r < 0)
                return log_error_errno(r, "Failed to allocate event loop: %m");

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGCHLD); /* health workers, through sd_event_add_child() */
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(errno, "Failed to block signals: %m");
        /* A NULL handler makes sd-event leave the loop on that signal. */
        if ((r = sd_event_add_signal(m->event, &m->sigterm_source, SIGTERM, NULL, NULL)) < 0 ||
            (r = sd_event_add_signal(m->event, &m->sigint_source, SIGINT, NULL, NULL)) < 0 ||
            (r = sd_event_add_signal(m->event, &m->sighup_source, SIGHUP, on_sighup, m)) < 0)
                return log_error_errno(r, "Failed to set up signal handlers: %m");

        /* Sends WATCHDOG=1 at half of WATCHDOG_USEC when systemd asks. */
        r = sd_event_set_watchdog(m->event, true);
        if (r < 0)
                log_warning_errno(r, "Failed to enable the watchdog, ignoring: %m");

        /* Without the system bus the daemon still monitors and raises
         * incidents; a bus asked for with --bus-address= is required. */
        r = bus_service_start(m, m->bus_address);
        if (r < 0) {
                if (m->bus_address)
                        return r;
                log_warning("Going on without the D-Bus service.");
        }

        (void) manager_known_errors_load(m);
        r = manager_evidence_start(m);
        if (r < 0)
                return r;

        /* Listen before enumerating, so nothing between the two is missed. */
        r = setup_monitor(m);
        if (r < 0)
                return r;

        r = manager_scan(m);
        if (r < 0)
                return r;
        m->startup_done = true;
        manager_evidence_start_streams(m);

        r = manager_health_start(m);
        if (r < 0)
                return r;
        r = manager_latency_start(m);
        if (r < 0)
                return r;
        r = manager_housekeeping_start(m);
        if (r < 0)
                return r;

        /* RescanIntervalSec=0 turns the rescan off: the timer exists but
         * stays disabled, so a reload can turn it on. */
        r = sd_event_add_time_relative(m->event, &m->rescan_source, CLOCK_MONOTONIC,
                                       m->config.rescan_interval_usec ?: USEC_PER_HOUR, USEC_PER_SEC, on_rescan, m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the rescan timer: %m");
        if (m->config.rescan_interval_usec == 0)
                (void) sd_event_source_set_enabled(m->rescan_source, SD_EVENT_OFF);

        /* The first file right away, then every IntervalSec=. */
        r = sd_event_add_time_relative(m->event, &m->metrics_source, CLOCK_MONOTONIC, USEC_PER_MINUTE,
                                       USEC_PER_SEC, on_metrics, m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the metrics timer: %m");
        (void) sd_event_source_set_description(m->metrics_source, "metrics");
        manager_write_metrics(m);
        manager_arm_metrics(m);

        /* The name last: a client that sees it sees the whole state. */
        r = bus_service_request_name(m);
        if (r < 0) {
                if (r == -EEXIST || m->bus_address)
                        return r;
                log_warning("Going on without the D-Bus service.");
                m->bus = bus_service_free(m->bus);
        }

        (void) sd_notify(false, "READY=1");
        return 0;
}

int manager_run(Manager *m) {
        int r;

        r = sd_event_loop(m->event);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        (void) sd_notify(false, "STOPPING=1\nSTATUS=Shutting down");
        log_event(LOG_INFO, SG_MESSAGE_STOPPED, LOG_NO_FIELDS, "Stopping.");
        return r;
}

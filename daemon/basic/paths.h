/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The one place that names storguard's files and the kernel's trees.
 * Modules take these as arguments (a Manager field, a driver's root) so
 * that tests can point them at a fixture tree; nothing else spells
 * "/sys" or "/dev".  SYSCONFDIR, LOCALSTATEDIR and RUNSTATEDIR come from
 * configure.
 */

#define STORGUARD_CONF_FILE SYSCONFDIR "/storguard/storguard.conf"
#define STORGUARD_KNOWN_ERRORS_DIR SYSCONFDIR "/storguard/known-errors.d"
#define STORGUARD_KNOWN_ERRORS_SHIPPED_DIR DATADIR "/storguard/known-errors"
#define STORGUARD_STATE_DIR LOCALSTATEDIR "/lib/storguard"
#define STORGUARD_RUN_DIR RUNSTATEDIR "/storguard"
/* node_exporter's textfile collector directory (Debian's
 * prometheus-node-exporter), where [Metrics] TextfilePath= points by default. */
#define STORGUARD_METRICS_PATH LOCALSTATEDIR "/lib/prometheus/node-exporter/storguard.prom"

#define SYSFS_ROOT "/sys"
#define DEV_ROOT "/dev"
#define KMSG_PATH DEV_ROOT "/kmsg"
#define PROC_ROOT "/proc"
#define BOOT_ID_PATH PROC_ROOT "/sys/kernel/random/boot_id"
#define MDSTAT_PATH PROC_ROOT "/mdstat"
#define DISKSTATS_PATH PROC_ROOT "/diskstats"
#define DM_CONTROL_PATH DEV_ROOT "/mapper/control"

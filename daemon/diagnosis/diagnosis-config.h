/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * storguard.conf(5) sections of diagnosis.  Every named default of
 * diagnosis.h, ata-policy.h and failslow.h can be overridden here:
 *
 *   [Diagnosis]
 *   MediaErrors=3                 MediaErrorsSec=1d
 *   TransportErrors=5             TransportErrorsSec=10min
 *   LinkResets=3                  LinkResetsSec=1h
 *   Precursors=10                 PrecursorsSec=1h
 *   ControllerEscalations=3       ControllerEscalationsSec=10min
 *   PathFailures=3                PathFailuresSec=1h
 *   PathFailedHoldSec=5min
 *   CorrelationWindowSec=2min     CorrelationDisks=2
 *   HoldSec=2min
 *   FailSlowRatio=3.0  FailSlowWindows=3  FailSlowWorkRatio=2.0
 *
 *   [AtaPolicy]
 *   CombinedMin=2  PendingMin=2  OfflineUncorrectableMin=1  ReportedUncorrectableMin=1
 *   ReallocatedMin=32  CommandTimeoutMin=20  ReallocatedGrowthMin=8  GrowthWindowSec=90d
 *
 * diagnosis_config_items is a ConfigTableItem table over DiagnosisConfig;
 * the daemon's configuration appends it to its own table.
 */

#include "ata-policy.h"
#include "conf-parser.h"
#include "diagnosis.h"
#include "failslow.h"

typedef struct DiagnosisConfig {
        DiagParams diag;
        AtaPolicyParams ata;
        FailSlowParams failslow;
} DiagnosisConfig;

void diagnosis_config_init(DiagnosisConfig *c);

/* Offsets are relative to a DiagnosisConfig. */
extern const ConfigTableItem diagnosis_config_items[];

/* diagnosis_config_load() - defaults, then path and its drop-ins.
 * Return: as config_parse_with_dropins(). */
int diagnosis_config_load(DiagnosisConfig *c, const char *path, bool missing_ok);

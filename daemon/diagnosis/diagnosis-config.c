/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stddef.h>

#include "diagnosis-config.h"

#define D(field) offsetof(DiagnosisConfig, diag.field)
#define A(field) offsetof(DiagnosisConfig, ata.field)
#define F(field) offsetof(DiagnosisConfig, failslow.field)

const ConfigTableItem diagnosis_config_items[] = {
        { "Diagnosis", "MediaErrors", config_parse_unsigned, D(media.n) },
        { "Diagnosis", "MediaErrorsSec", config_parse_sec, D(media.t_usec) },
        { "Diagnosis", "TransportErrors", config_parse_unsigned, D(transport.n) },
        { "Diagnosis", "TransportErrorsSec", config_parse_sec, D(transport.t_usec) },
        { "Diagnosis", "LinkResets", config_parse_unsigned, D(link.n) },
        { "Diagnosis", "LinkResetsSec", config_parse_sec, D(link.t_usec) },
        { "Diagnosis", "Precursors", config_parse_unsigned, D(precursor.n) },
        { "Diagnosis", "PrecursorsSec", config_parse_sec, D(precursor.t_usec) },
        { "Diagnosis", "ControllerEscalations", config_parse_unsigned, D(controller.n) },
        { "Diagnosis", "ControllerEscalationsSec", config_parse_sec, D(controller.t_usec) },
        { "Diagnosis", "PathFailures", config_parse_unsigned, D(path_flap.n) },
        { "Diagnosis", "PathFailuresSec", config_parse_sec, D(path_flap.t_usec) },
        { "Diagnosis", "PathFailedHoldSec", config_parse_sec, D(path_failed_hold_usec) },
        { "Diagnosis", "CorrelationWindowSec", config_parse_sec, D(correlation_window_usec) },
        { "Diagnosis", "CorrelationDisks", config_parse_unsigned, D(correlation_disks) },
        { "Diagnosis", "HoldSec", config_parse_sec, D(hold_usec) },
        { "Diagnosis", "FailSlowRatio", config_parse_double, F(ratio) },
        { "Diagnosis", "FailSlowWindows", config_parse_unsigned, F(windows) },
        { "Diagnosis", "FailSlowWorkRatio", config_parse_double, F(work_ratio) },
        { "AtaPolicy", "CombinedMin", config_parse_unsigned, A(combined_min) },
        { "AtaPolicy", "PendingMin", config_parse_unsigned, A(pending_min) },
        { "AtaPolicy", "OfflineUncorrectableMin", config_parse_unsigned, A(offline_unc_min) },
        { "AtaPolicy", "ReportedUncorrectableMin", config_parse_unsigned, A(uncorrectable_min) },
        { "AtaPolicy", "ReallocatedMin", config_parse_unsigned, A(reallocated_min) },
        { "AtaPolicy", "CommandTimeoutMin", config_parse_unsigned, A(command_timeout_min) },
        { "AtaPolicy", "ReallocatedGrowthMin", config_parse_unsigned, A(reallocated_growth_min) },
        { "AtaPolicy", "GrowthWindowSec", config_parse_sec, A(growth_window_usec) },
        {}
};

void diagnosis_config_init(DiagnosisConfig *c) {
        diag_params_default(&c->diag);
        ata_policy_params_default(&c->ata);
        failslow_params_default(&c->failslow);
}

int diagnosis_config_load(DiagnosisConfig *c, const char *path, bool missing_ok) {
        diagnosis_config_init(c);
        return config_parse_with_dropins(path, diagnosis_config_items, c, missing_ok);
}

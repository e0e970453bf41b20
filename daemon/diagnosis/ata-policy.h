/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The ATA health policy: when does a drive's SMART history warrant a
 * warning?  One pure function used both by the daemon on live SMART
 * history and by `storguardctl replay` on Backblaze-format history, so the
 * figures replay prints are the daemon's behaviour.
 *
 * Every warning states its reason.  The rules, each a named default that
 * storguard.conf [AtaPolicy] can override:
 *   - any current pending sector (197), offline uncorrectable sector (198)
 *     or reported uncorrectable error (187): the drive has lost data it
 *     could not recover by itself;
 *   - reallocated sectors (5) at or above ATA_POLICY_REALLOCATED_MIN: a
 *     large stock of remapped sectors;
 *   - reallocated sectors growing by ATA_POLICY_REALLOCATED_GROWTH_MIN or
 *     more within ATA_POLICY_GROWTH_WINDOW_USEC: the surface is degrading
 *     now, whatever the absolute count.
 * A small, stable reallocated count alone (the largest source of Backblaze
 * rule false alarms) does not warn.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "time-util.h"

#define ATA_VALUE_NONE UINT64_MAX

typedef enum AtaPolicyAttr {
        ATA_ATTR_REALLOCATED,   /* 5   Reallocated_Sector_Ct */
        ATA_ATTR_UNCORRECTABLE, /* 187 Reported_Uncorrect */
        ATA_ATTR_PENDING,       /* 197 Current_Pending_Sector */
        ATA_ATTR_OFFLINE_UNC,   /* 198 Offline_Uncorrectable */
        ATA_ATTR_POWER_ON_HOURS, /* 9 */
        _ATA_ATTR_MAX,
        _ATA_ATTR_INVALID = -EINVAL,
} AtaPolicyAttr;

/* "reallocated" etc. and the SMART attribute id of each. */
const char *ata_policy_attr_to_string(AtaPolicyAttr a) _const_;
AtaPolicyAttr ata_policy_attr_from_id(unsigned smart_id) _const_;

typedef struct AtaSample {
        usec_t time_usec;
        uint64_t raw[_ATA_ATTR_MAX]; /* ATA_VALUE_NONE when not reported */
} AtaSample;

#define ATA_POLICY_PENDING_MIN 1U             /* sectors */
#define ATA_POLICY_OFFLINE_UNC_MIN 1U         /* sectors */
#define ATA_POLICY_UNCORRECTABLE_MIN 1U       /* errors */
#define ATA_POLICY_REALLOCATED_MIN 16U        /* sectors */
#define ATA_POLICY_REALLOCATED_GROWTH_MIN 2U  /* sectors ... */
#define ATA_POLICY_GROWTH_WINDOW_USEC (90 * USEC_PER_DAY) /* ... within 90 days */

typedef struct AtaPolicyParams {
        unsigned pending_min, offline_unc_min, uncorrectable_min, reallocated_min, reallocated_growth_min;
        usec_t growth_window_usec;
} AtaPolicyParams;

void ata_policy_params_default(AtaPolicyParams *p);

/* History the policy keeps per drive between samples (fixed size). */
#define ATA_POLICY_HISTORY 32
typedef struct AtaPolicyState {
        usec_t times[ATA_POLICY_HISTORY];
        uint64_t reallocated[ATA_POLICY_HISTORY];
        size_t n, head;
} AtaPolicyState;

#define ATA_POLICY_REASON_MAX 160

/* ata_policy_evaluate() - feed the drive's next sample (in time order).
 * Return: true and the reason (e.g. "pending sectors 8 (>= 1)",
 * "reallocated sectors +24 within 90d (>= 2)") when the drive warrants a
 * warning at this sample. */
bool ata_policy_evaluate(const AtaPolicyParams *p, AtaPolicyState *state, const AtaSample *s, char *reason,
                         size_t reason_size);

/* ata_policy_backblaze_rule() - Backblaze's published rule, for
 * comparison: any of raw 5/187/197/198 above zero. */
bool ata_policy_backblaze_rule(const AtaSample *s, char *reason, size_t reason_size);

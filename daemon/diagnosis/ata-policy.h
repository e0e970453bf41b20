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
 *   - ATA_POLICY_COMBINED_MIN or more of the four error counters (5, 187,
 *     197, 198) above zero at once: the defect shows on more than one
 *     counter, whatever their size;
 *   - pending sectors (197) at ATA_POLICY_PENDING_MIN or more, any offline
 *     uncorrectable sector (198) or reported uncorrectable error (187): the
 *     drive has lost data it could not recover by itself.  One lone pending
 *     sector is often rewritten and cleared;
 *   - reallocated sectors (5) at or above ATA_POLICY_REALLOCATED_MIN: a
 *     large stock of remapped sectors;
 *   - command timeouts (188) at ATA_POLICY_COMMAND_TIMEOUT_MIN or more;
 *   - reallocated sectors growing by ATA_POLICY_REALLOCATED_GROWTH_MIN or
 *     more within ATA_POLICY_GROWTH_WINDOW_USEC: the surface is degrading
 *     now, whatever the absolute count.
 * A small, stable reallocated count alone (the largest source of Backblaze
 * rule false alarms) does not warn.
 *
 * The defaults were chosen on the tuning two thirds of the corpus's
 * Backblaze 2013-2016 drives (`storguardctl replay --split=tuning`); the
 * figures, the held-out third's and the trade-off curve are in README.md
 * ("Offline replay").
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
        ATA_ATTR_COMMAND_TIMEOUT, /* 188 Command_Timeout */
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

#define ATA_POLICY_COMBINED_MIN 2U            /* of 5/187/197/198 above zero at once */
#define ATA_POLICY_PENDING_MIN 2U             /* sectors */
#define ATA_POLICY_OFFLINE_UNC_MIN 1U         /* sectors */
#define ATA_POLICY_UNCORRECTABLE_MIN 1U       /* errors */
#define ATA_POLICY_REALLOCATED_MIN 32U        /* sectors */
#define ATA_POLICY_COMMAND_TIMEOUT_MIN 20U    /* timeouts */
#define ATA_POLICY_REALLOCATED_GROWTH_MIN 8U  /* sectors ... */
#define ATA_POLICY_GROWTH_WINDOW_USEC (90 * USEC_PER_DAY) /* ... within 90 days */

/* Every threshold: 0 turns its rule off. */
typedef struct AtaPolicyParams {
        unsigned combined_min, pending_min, offline_unc_min, uncorrectable_min, reallocated_min,
                command_timeout_min, reallocated_growth_min;
        usec_t growth_window_usec;
} AtaPolicyParams;

void ata_policy_params_default(AtaPolicyParams *p);

/* History the policy keeps per drive between samples (fixed size): more
 * than the 90 daily samples of the default growth window, the daemon's
 * series being one sample a day. */
#define ATA_POLICY_HISTORY 128
typedef struct AtaPolicyState {
        usec_t times[ATA_POLICY_HISTORY];
        uint64_t reallocated[ATA_POLICY_HISTORY];
        size_t n, head;
} AtaPolicyState;

#define ATA_POLICY_REASON_MAX 192

/* ata_policy_command_timeouts() - the count of command timeouts in a raw
 * 188 value.  Seagate firmware packs three 16-bit counters into the 48-bit
 * raw value (the corpus's Seagate drives report 65537 = 1:1 and 131075 =
 * 2:3); a raw value above 0xffff is read as their sum. */
uint64_t ata_policy_command_timeouts(uint64_t raw) _const_;

/* ata_policy_evaluate() - feed the drive's next sample (in time order).
 * Return: true and the reason (e.g. "pending sectors 8 (>= 1)",
 * "reallocated sectors +24 within 90d (>= 2)") when the drive warrants a
 * warning at this sample. */
bool ata_policy_evaluate(const AtaPolicyParams *p, AtaPolicyState *state, const AtaSample *s, char *reason,
                         size_t reason_size);

/* Live use: the daemon keeps one tracker per ATA disk. */
typedef struct AtaPolicyTracker {
        bool episode; /* the newest sample warranted a warning, and it was raised */
} AtaPolicyTracker;

/* ata_policy_track() - after a poll, run the policy over the drive's whole
 * stored series (oldest first; the newest is this poll's) from a fresh
 * state, exactly as `storguardctl replay` runs it over a drive's rows.
 * An episode begins at a poll whose sample warrants a warning and ends at
 * the first poll whose sample does not.
 * Return: true when an episode begins (warn once, with the reason); false
 * while it goes on, when it ends, and when all is well. */
bool ata_policy_track(const AtaPolicyParams *p, AtaPolicyTracker *t, const AtaSample *series, size_t n,
                      char *reason, size_t reason_size);

/* ata_policy_backblaze_rule() - Backblaze's published rule, for
 * comparison: any of raw 5/187/197/198 above zero. */
bool ata_policy_backblaze_rule(const AtaSample *s, char *reason, size_t reason_size);

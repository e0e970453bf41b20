/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Known errors (ISO/IEC 20000: a problem whose cause and workaround are
 * known).  A readable text database, one INI section per entry, the section
 * name being the entry's id:
 *
 *   [HPE-SAS-SSD-32768H]
 *   Title=HPE SAS SSDs stop working at 32,768 power-on hours
 *   Vendor=HP HPE                 fnmatch() patterns, any may match
 *   Model=VO0480JFDGT MO0400JFFCF
 *   Firmware=                     patterns of affected revisions, or
 *   FirmwareBelow=HPD8            revisions sorting before this one
 *   Transport=sas                 ci.h transport names
 *   Evidence=                     ereport classes; when set the entry
 *                                 matches only when one of them was seen
 *   PowerOnHoursLimit=32768       the condition: the drive fails at this age
 *   WarnBeforeHours=2160          countdown warning this long before
 *   Workaround=Update the firmware to HPD8 before ...
 *   Action=isolate-member         optional: asked of the response agent
 *                                 once the condition is met (see below)
 *   Reference=https://...         repeatable
 *
 * inih reads lines of at most 200 bytes: a longer line is an error; split
 * long text over several Reference= lines.
 *
 * Shipped entries live in rules/known-errors/ (installed to
 * $(datadir)/storguard/known-errors); operators add theirs in
 * /etc/storguard/known-errors.d/ (files ending in .conf), and an entry there with the same id
 * replaces the shipped one.
 */

#include <stdbool.h>
#include <stdint.h>

#include "ci.h"
#include "ereport.h"
#include "macro.h"

#define KNOWN_ERROR_WARN_BEFORE_HOURS_DEFAULT 2160U /* 90 days of power-on time */

/* What a known error may ask the response agent to do to a matching disk;
 * the agent's per-action policy (off/dry-run/enforce) and every guard
 * decide, as for a diagnosed fault. */
typedef enum KnownErrorAction {
        KNOWN_ERROR_ACTION_NONE,
        KNOWN_ERROR_ACTION_ISOLATE_MEMBER, /* md: fail and remove the member (md.fail_member) */
        KNOWN_ERROR_ACTION_OFFLINE_DEVICE, /* SCSI device state offline (scsi.offline) */
        KNOWN_ERROR_ACTION_FAIL_PATH,      /* dm-multipath: fail the path (mpath.fail_path) */
        _KNOWN_ERROR_ACTION_MAX,
        _KNOWN_ERROR_ACTION_INVALID = -EINVAL,
} KnownErrorAction;

const char *known_error_action_to_string(KnownErrorAction a) _const_;
KnownErrorAction known_error_action_from_string(const char *s) _pure_;

typedef struct KnownError {
        char *id;
        char *title;
        char **vendors, **models, **firmwares, **transports, **evidence;
        char *firmware_below;
        uint64_t power_on_hours_limit; /* 0: no age condition */
        uint64_t warn_before_hours;
        char *workaround;
        KnownErrorAction action;       /* NONE unless Action= */
        char **references;
        char *source;                  /* "file:line" of its section */
} KnownError;

typedef struct KnownErrorDb {
        KnownError **entries;
        size_t n, n_allocated;
} KnownErrorDb;

void known_error_db_done(KnownErrorDb *db);

/* known_error_db_load_file() - add the entries of one file; an id already
 * loaded is replaced.  Unknown keys warn; bad values, an entry without
 * Title, Model and Workaround, and an Action= without a condition
 * (PowerOnHoursLimit= or Evidence=) are errors naming file:line.
 * Return: 0, -EINVAL after logging every bad line, -errno from reading. */
int known_error_db_load_file(KnownErrorDb *db, const char *path);

/* known_error_db_load_dirs() - every "*.conf" of each directory in lexical
 * order, directories in the order given (later ones override).  A missing
 * directory is skipped.  Return: as above, the first error kept. */
int known_error_db_load_dirs(KnownErrorDb *db, const char *const *dirs);

typedef struct KnownErrorDevice {
        const char *vendor, *model, *firmware;
        Transport transport;
        uint64_t power_on_hours;  /* UINT64_MAX: unknown */
        const EreportClass *seen; /* evidence classes seen on it */
        size_t n_seen;
} KnownErrorDevice;

typedef enum KnownErrorStatus {
        KNOWN_ERROR_AFFECTED,      /* identity matches; no age condition, or not near it */
        KNOWN_ERROR_COUNTDOWN,     /* within warn_before_hours of the limit */
        KNOWN_ERROR_LIMIT_REACHED, /* at or past the limit */
        KNOWN_ERROR_AGE_UNKNOWN,   /* matches, has an age condition, power-on hours unknown */
        _KNOWN_ERROR_STATUS_MAX,
        _KNOWN_ERROR_STATUS_INVALID = -EINVAL,
} KnownErrorStatus;

const char *known_error_status_to_string(KnownErrorStatus s) _const_;
KnownErrorStatus known_error_status_from_string(const char *s) _pure_;

typedef struct KnownErrorMatch {
        const KnownError *entry;
        KnownErrorStatus status;
        uint64_t hours_left; /* to the limit; 0 when reached or no limit */
} KnownErrorMatch;

/* known_error_firmware_below() - whether revision a sorts before b: same
 * length compared byte-wise ("HPD7" < "HPD8", "0009" < "0309"), else the
 * shorter one first. */
bool known_error_firmware_below(const char *a, const char *b) _pure_;

/* known_error_match() - the entries that apply to dev, at most n_ret.
 * Pure.  Return: the number of matches written. */
size_t known_error_match(const KnownErrorDb *db, const KnownErrorDevice *dev, KnownErrorMatch *ret, size_t n_ret);

/* known_error_action_due() - the action a match asks for now: the entry's
 * Action= once its condition is met: the power-on hours limit reached, or,
 * for an entry without an age condition, its Evidence= seen (the parser
 * allows an action only with one of the two).  Never for a countdown or an
 * unknown age. */
KnownErrorAction known_error_action_due(const KnownErrorMatch *m) _pure_;

/* known_error_db_wants() - whether an entry lists class c in Evidence=
 * (the caller tracks the classes seen on each disk only for those). */
bool known_error_db_wants(const KnownErrorDb *db, EreportClass c) _pure_;

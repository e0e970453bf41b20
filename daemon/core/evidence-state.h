/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The evidence state that must survive a restart besides the incidents
 * (issue 6): the diagnosis engines' snapshot and the kernel log cursor,
 * saved together in ONE store transaction.  Records after the saved
 * cursor are re-read after a crash and fed into the restored engines, so
 * every record is counted exactly once: a record is either in the
 * snapshot (and at or before the cursor: skipped) or after the cursor
 * (and not in the snapshot: fed again).
 *
 * The daemon saves on a short timer while something changed
 * (EVIDENCE_STATE_SAVE_USEC), at once after a kmsg batch that raised a
 * fault, and at a clean stop; never per ereport (storms run at more than
 * 100k records/s).  Store "state" keys:
 *
 *   kmsg.cursor          "<boot id> <seq>": the last kernel log record handled
 *   diagnosis.snapshot   diagnosis_snapshot()'s JSON (schema in diagnosis-snapshot.c)
 *   diagnosis.boot_id    the boot the snapshot was taken in
 *   failslow.windows     the latency windows of each block device
 *                        (failslow_rings_snapshot()); used in the same boot only
 */

#include "diagnosis.h"
#include "kmsg-reader.h"
#include "store.h"

#define EVIDENCE_STATE_SAVE_USEC (2 * USEC_PER_SEC) /* at most this much evidence is re-read after kill -9 */

#define KMSG_CURSOR_KEY "kmsg.cursor"
#define DIAGNOSIS_SNAPSHOT_KEY "diagnosis.snapshot"
#define DIAGNOSIS_BOOT_ID_KEY "diagnosis.boot_id"
#define FAILSLOW_WINDOWS_KEY "failslow.windows"

/* evidence_cursor_load() - the saved kernel log cursor.
 * Return: 0, -ENOENT (none, or not readable), -errno. */
int evidence_cursor_load(Store *s, KmsgCursor *ret);

/* evidence_state_save() - the engines' snapshot, @boot_id, @cursor (NULL
 * or an empty boot id: not reading the kernel log) and @failslow (the
 * windows' JSON; NULL: not sampling) in one transaction.
 * Return: 0, -errno (nothing written; the caller logs). */
int evidence_state_save(Store *s, const Diagnosis *d, const char *boot_id, const KmsgCursor *cursor,
                        const char *failslow);

/* evidence_failslow_load() - the saved fail-slow windows, if saved in
 * this boot (block device paths and counters are per boot).
 * Return: 0 and *ret, -ENOENT (none, or another boot), -errno. */
int evidence_failslow_load(Store *s, const char *boot_id, char **ret);

/* evidence_state_load() - restore the engines from the saved snapshot.
 * A snapshot that does not parse is logged with the reason and ignored.
 * Return: 1 restored, 0 none saved or ignored, -ENOMEM. */
int evidence_state_load(Store *s, Diagnosis *d, const char *boot_id);

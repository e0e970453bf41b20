/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Backblaze Drive Stats daily CSV (https://www.backblaze.com/b2/hard-drive-test-data.html):
 *
 *   date,serial_number,model,capacity_bytes,failure,smart_1_normalized,smart_1_raw,...
 *   2019-12-31,ZA101R30,ST8000NM0055,8001563222016,0,...,115059024.0,...
 *
 *   column              meaning
 *   ------------------  ---------------------------------------------------
 *   date                YYYY-MM-DD of the snapshot
 *   serial_number       the drive
 *   model               model string (vendor prefix for some: "HGST ...")
 *   failure             1 on the drive's last day when it failed, else 0
 *   smart_N_raw         raw value of attribute N (integer, sometimes "12.0"),
 *                       empty when the drive did not report it
 *   smart_N_normalized  ignored here
 *
 * Columns are found by name in the header, so subsets (the corpus's dev
 * set has only some attributes) and other column orders work.  A bad row
 * is reported with file:line and skipped.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ata-policy.h"
#include "macro.h"

#define BB_SERIAL_MAX 64
#define BB_MODEL_MAX 64

typedef struct BbRow {
        int32_t day;  /* days since 1970-01-01 */
        char serial[BB_SERIAL_MAX];
        char model[BB_MODEL_MAX];
        bool failure;
        AtaSample sample; /* time_usec = day * USEC_PER_DAY */
} BbRow;

typedef struct BbCsv BbCsv;

/* bb_csv_open() - read the header of f (named path in messages).
 * Return: 0, -EBADMSG when the header lacks date/serial_number/model/failure
 * (logged with path:1), -ENOMEM. */
int bb_csv_open(FILE *f, const char *path, BbCsv **ret);
BbCsv *bb_csv_free(BbCsv *c);
DEFINE_POINTER_CLEANUP_FUNC(BbCsv, bb_csv_free);

/* bb_csv_next() - the next good row.  Bad rows are logged at error level
 * as "path:line: ..." and skipped (see bb_csv_bad_rows()).
 * Return: 1 with *ret filled, 0 at the end, -errno on a read error. */
int bb_csv_next(BbCsv *c, BbRow *ret);
unsigned bb_csv_bad_rows(const BbCsv *c) _pure_;

/* bb_parse_date() - "YYYY-MM-DD" to days since 1970-01-01.
 * Return: 0, or -EINVAL. */
int bb_parse_date(const char *s, size_t len, int32_t *ret);
/* bb_format_date() - the reverse, into buf (11 bytes). */
char *bb_format_date(char buf[static 11], int32_t day);

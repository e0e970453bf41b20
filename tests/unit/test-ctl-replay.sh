#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# storguardctl replay on a Backblaze CSV with no drive row (the header only,
# as Backblaze publishes it): it must report zero drives and succeed.  It
# once passed NULL to qsort() for that input, which is undefined; the
# --enable-sanitizers build (UBSan's nonnull-attribute check) caught it
# through clang-tidy's clang-analyzer-core.NonNullParamChecker.
set -eu

tmp=$(mktemp -d "${TMPDIR:-/tmp}/storguard-test-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# The header of backblaze-2019-sample/ST8000NM0055_last_day_all_q_raw.csv
# in the shared corpus (Backblaze drive stats, Q4 2019), first columns.
printf 'date,serial_number,model,capacity_bytes,failure,smart_5_raw,smart_9_raw,smart_187_raw,smart_188_raw,smart_197_raw,smart_198_raw\n' >"$tmp/empty.csv"
./storguardctl replay --summary-only "$tmp/empty.csv" >"$tmp/out" 2>&1 || { cat "$tmp/out"; exit 1; }
cat "$tmp/out"
grep -q "^0 drives (0 failed), 0 rows" "$tmp/out"

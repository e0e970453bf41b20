#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The kernel-log storm (tests/storm/storm.py): the real storguardd fed
# 1,000,000 records (2,200,000 lines) of a real capture through a FIFO,
# with its peak memory held under 32 MiB (measured: about 15 MiB), the bus
# answering, one incident per fault and a handful of webhooks.
# Skipped (77) in an ASan build: its memory is ASan's, not the daemon's, and
# umockdev-run's preload cannot come after a shared ASan runtime; the
# sanitizer build runs the daemon through tests/bus/test-bus instead.
set -eu
if ldd ./storguardd 2>/dev/null | grep -q libasan || nm ./storguardd 2>/dev/null | grep -q __asan_init; then
        echo "SKIP: a sanitizer build"
        exit 77
fi
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
exec python3 "$top_srcdir/tests/storm/storm.py" "$(pwd)" "$top_srcdir" --records 1000000 --max-hwm-mib 32 \
        --max-incidents 3 --max-webhooks 20

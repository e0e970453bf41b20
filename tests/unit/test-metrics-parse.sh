#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The metrics file, with hostile device strings in its labels, read by real
# Prometheus parsers: promtool's linter (Debian package 'prometheus') and
# the parser of python3-prometheus-client.  Skipped (77) when neither is
# installed; contrib/dev/install-deps installs both.
set -eu

tmp=$(mktemp -d "${TMPDIR:-/tmp}/storguard-test-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prom="$tmp/storguard.prom"
./tests/unit/test-metrics --sample "$prom"

# Debian's python3 (where python3-prometheus-client lives), not another
# python3 that may come first in PATH.
py=/usr/bin/python3
[ -x "$py" ] || py=python3

checked=0
if command -v promtool >/dev/null 2>&1; then
        # Lint problems (naming, units, _total) are printed and fail it.
        out=$(promtool check metrics < "$prom" 2>&1) || { echo "promtool: $out"; exit 1; }
        [ -z "$out" ] || { echo "promtool: $out"; exit 1; }
        echo "promtool check metrics: clean"
        checked=$((checked + 1))
fi
if "$py" -c 'import prometheus_client' >/dev/null 2>&1; then
        "$py" - "$prom" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families

text = open(sys.argv[1], encoding="utf-8").read()
fams = {f.name: f for f in text_string_to_metric_families(text)}
want = {
    "storguard_build_info": "gauge", "storguard_metrics_updated_timestamp_seconds": "gauge",
    "storguard_devices": "gauge", "storguard_devices_without_health_interface": "gauge",
    "storguard_device_health": "gauge", "storguard_array_devices": "gauge",
    "storguard_array_devices_missing": "gauge", "storguard_array_state": "gauge",
    "storguard_incidents": "gauge", "storguard_incidents_major": "gauge",
    "storguard_ereports": "counter", "storguard_health_reads": "counter", "storguard_store_up": "gauge",
    "storguard_store_unsaved_changes": "gauge", "storguard_webhook_outbox_events": "gauge",
}
for name, typ in want.items():
    assert name in fams, f"family {name} missing"
    assert fams[name].type == typ, f"{name}: {fams[name].type} != {typ}"
assert set(fams) == set(want), f"unexpected families: {set(fams) - set(want)}"

health = {s.labels["device"]: s for s in fams["storguard_device_health"].samples}
sda = health["sda"]
# The parser gives back exactly the sanitised device strings.
assert sda.labels["model"] == 'ST4000"} 1?storguard_fake 9\\???%n', repr(sda.labels["model"])
assert sda.labels["serial"] == 'Z1Z\\"??# TYPE x counter', repr(sda.labels["serial"])
assert sda.value == 2 and health["sdb"].value == 0 and health["vdb"].value == 4
outbox = {s.labels["state"]: s.value for s in fams["storguard_webhook_outbox_events"].samples}
assert outbox == {"pending": 2, "delivered": 0, "dead": 1}, outbox
assert [s.value for s in fams["storguard_ereports"].samples if s.name == "storguard_ereports_total"] == [42]
assert [s.value for s in fams["storguard_health_reads"].samples if s.name == "storguard_health_reads_total"] == [9]
print("prometheus_client parser: %d families, %d samples" % (len(fams), sum(len(f.samples) for f in fams.values())))
PY
        checked=$((checked + 1))
fi
[ "$checked" -gt 0 ] || { echo "neither promtool nor python3-prometheus-client installed"; exit 77; }

# vmlab-title: storguardd: a flapping multipath path -> one incident; failed only while another path is active
# vmlab-timeout: 360
#
# Issues 5, 6 and 12 (scenario 5) on a real kernel, with the real daemon
# and multipathd.  One LUN through two scsi_debug hosts (same WWID), a
# dm-multipath map over both paths.
#   phase A: path 2 fails and comes back three times (its SCSI device set
#     offline, I/O on the map, set running, multipathd reinstates it).
#     Expected: ONE path incident for it (not one per flap), and the
#     response fails the path (policy enforce) while path 1 is active.
#   phase B: path 1 is down for good and path 2 flaps again.  Failing path
#     2 now would leave the map with no path: the guard refuses, and the
#     refusal is on the incident.
. /vmlab/lib.sh

db() { /usr/bin/sqlite3 -batch -noheader /var/lib/storguard/storguard.db "$1"; }
now_us() { /usr/bin/sqlite3 :memory: "select cast((julianday('now') - 2440587.5) * 86400000000 as integer)"; }

vm_mpath_start 3
vm_sd_load add_host=2 num_tgts=1 max_luns=1 vpd_use_hostno=0 dev_size_mb=64
p1=$(vm_sd_disks 0)
p2=$(vm_sd_disks 1)
map=$(vm_mpath_wait_map "$p1" 2)
dm=$(vm_dm_name "$map")
vm_log "map $map ($dm) over $p1 and $p2"

mkdir -p /etc/storguard /var/lib/storguard
cat >/etc/storguard/storguard.conf <<CONF
[Daemon]
LogLevel=info
StateDirectory=/var/lib/storguard
[Response]
FailMultipathPath=enforce
BootHoldOffSec=0
[Diagnosis]
HoldSec=1s
[Health]
PollIntervalSec=0
[Latency]
SampleIntervalSec=0
CONF
vm_storguardd_start
started() { grep -q "Found multipath 'dm-" "$VM_OUT/storguardd.log"; }
vm_must_wait 60 "storguardd to list the map" started

# flap PATH - one failure of PATH seen by dm, then back (multipathd).
flap() {
	vm_dev_offline "$1"
	seen_failed() { vm_read "$dm" 16; vm_mpath_path_is "$map" "$1" F; }
	vm_must_wait 30 "dm to fail $1" seen_failed "$1"
	vm_dev_online "$1"
	vm_must_wait 30 "multipathd to reinstate $1" vm_mpath_path_is "$map" "$1" A
}

t0=$(now_us)
for i in 1 2 3; do
	flap "$p2"
	vm_log "phase A: flap $i of $p2 done"
done
path_incident() { [ "$(db "select count(*) from incidents where json_extract(data, '\$.category') = 'path'")" -ge 1 ]; }
vm_check "a path incident is raised" vm_wait_for 60 "path incident" path_incident
acted() { db "select data from incidents" | grep -q '"action":"mpath.fail_path"'; }
vm_check "the response acted on it" vm_wait_for 30 "fail_path action" acted
db "select data from incidents" >"$VM_OUT/incident-a.json"
t1=$(db "select json_extract(data, '\$.lifecycle.detected') from incidents where json_extract(data, '\$.category') = 'path'")
echo "first flap -> path incident: $(((t1 - t0) / 1000)) ms (3 flaps needed)" >>"$VM_OUT/timings.txt"

vm_check "one incident for three flaps" test "$(db 'select count(*) from incidents')" = 1
vm_check "it names $p2" grep -q "\"name\":\"$p2\"" "$VM_OUT/incident-a.json"
vm_check "path failed while $p1 was active" grep -q "\"result\":\"done: failed path $p2" "$VM_OUT/incident-a.json"

# Phase B: back to a clean state, then p1 down for good.
/usr/sbin/multipathd reinstate path "$p2" >/dev/null 2>&1 || true
vm_must_wait 30 "$p2 active again" vm_mpath_path_is "$map" "$p2" A
# A fresh start for phase B (phase A's incident stays mitigated otherwise,
# and a mitigated incident keeps its workaround).
vm_storguardd_stop
mv /var/lib/storguard/storguard.db /tmp/phase-a.db
rm -f /var/lib/storguard/storguard.db-*
vm_storguardd_start
vm_must_wait 60 "storguardd restarted" started
vm_dev_offline "$p1"
p1_failed() { vm_read "$dm" 16; vm_mpath_path_is "$map" "$p1" F; }
vm_must_wait 30 "dm to fail $p1" p1_failed
for i in 1 2 3; do
	flap "$p2"
done
refused() { db "select data from incidents" | grep -q "guard 'last path'"; }
vm_check "failing $p2 refused: no other active path" vm_wait_for 60 "refusal" refused
db "select data from incidents" >"$VM_OUT/incident-b.json"
vm_check "$p2 still active in the map" vm_mpath_path_is "$map" "$p2" A
cat "$VM_OUT/timings.txt"

vm_storguardd_stop
vm_dev_online "$p1"
vm_mpath_stop
vm_sd_unload

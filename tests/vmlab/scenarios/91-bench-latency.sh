# vmlab-title: BENCHMARK (not a check): detection latency, md member failure and device offline, repeated
# vmlab-timeout: 1200
# vmlab-bench: yes
#
# Issue 11, benchmark 3 (detection to the incident), in one guest run.
# `tests/vmlab/run` with no scenario names skips it (vmlab-bench); run it by
# name:  tests/vmlab/run 91-bench-latency
# storguardd runs with [Diagnosis] HoldSec=0 (the default holds disk faults
# 2 min for a controller-wide pattern: that wait is a policy, not detection
# latency).  Each injection: a realtime stamp in microseconds (from sqlite3,
# as scenarios 10-14 take it, just before; the sqlite3 process's exit is
# included in the figure), then the fault, then the incident's
# lifecycle.detected from the store; the difference is the latency.
#   md:      RAID1 over a dm-flakey disk and a plain one, dm-flakey switched
#            to error_writes, one direct write to the array: md fails the
#            member; ROUNDS arrays, one injection each.
#   offline: `echo offline > device/state` on a disk (no uevent), then one
#            read from it as a workload would ("rejecting I/O to offline
#            device" in kmsg); ROUNDS disks.
# Figures (median, p99 = the largest of so few, n) go to bench.txt.
. /vmlab/lib.sh

ROUNDS=8
BENCH=$VM_OUT/bench.txt
: >"$BENCH"

now_us() { /usr/bin/sqlite3 :memory: "select cast((julianday('now') - 2440587.5) * 86400000000 as integer)"; }
db() { /usr/bin/sqlite3 -batch -noheader /var/lib/storguard/storguard.db "$1"; }
n_incidents() { db "select count(*) from incidents" 2>/dev/null || echo 0; }
more_incidents() { [ "$(n_incidents)" -gt "$1" ]; }
newest_detected() { db "select max(json_extract(data, '\$.lifecycle.detected')) from incidents"; }
stats() { # NAME FILE
	sort -n "$2" | awk -v k="$1" '{ a[NR] = $1 } END {
		if (NR == 0) exit
		m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		p = int(0.99 * NR + 0.999); if (p < 1) p = 1
		printf "BENCH lat_%s_median_ms=%.0f\nBENCH lat_%s_p99_ms=%.0f\nBENCH lat_%s_n=%d\n", k, m, k, a[p], k, NR }'
}

vm_sd_load dev_size_mb=16 max_luns=$((3 * ROUNDS))
set -- $(vm_sd_disks)
i=0
while [ $i -lt $ROUNDS ]; do
	vm_dm_flakey "sgf$i" "$1"
	VM_MD_OPTS="--metadata=1.2 --size=8192" vm_md_create "md$i" 1 "$(vm_dm_name "sgf$i")" "$2"
	shift 2
	i=$((i + 1))
done
offline_disks=$*

mkdir -p /etc/storguard /var/lib/storguard
cat >/etc/storguard/storguard.conf <<CONF
[Daemon]
LogLevel=info
StateDirectory=/var/lib/storguard
[Response]
BootHoldOffSec=0
[Diagnosis]
HoldSec=0
[Health]
PollIntervalSec=0
CONF
vm_storguardd_start
started() { grep -q "Found array 'md$((ROUNDS - 1))'" "$VM_OUT/storguardd.log"; }
vm_must_wait 120 "storguardd to list md$((ROUNDS - 1))" started
sleep 2

: >"$VM_OUT/md.ms"
i=0
while [ $i -lt $ROUNDS ]; do
	before=$(n_incidents)
	t0=$(now_us)
	vm_dm_flakey_fail "sgf$i" error_writes
	dd if=/dev/zero of="/dev/md$i" bs=4k count=4 oflag=direct 2>/dev/null || true
	if vm_wait_for 60 "incident for md$i" more_incidents "$before"; then
		echo $((($(newest_detected) - t0) / 1000)) >>"$VM_OUT/md.ms"
	else
		echo "BENCH lat_md_missed_round_$i=no incident in 60 s" >>"$BENCH"
	fi
	sleep 1
	i=$((i + 1))
done

: >"$VM_OUT/offline.ms"
for d in $offline_disks; do
	before=$(n_incidents)
	t0=$(now_us)
	echo offline >"/sys/block/$d/device/state"
	/usr/bin/busybox dd if="/dev/$d" of=/dev/null bs=4k count=1 iflag=direct 2>/dev/null || true
	if vm_wait_for 60 "incident for $d offline" more_incidents "$before"; then
		echo $((($(newest_detected) - t0) / 1000)) >>"$VM_OUT/offline.ms"
	else
		echo "BENCH lat_offline_missed_$d=no incident in 60 s" >>"$BENCH"
	fi
	sleep 1
done

stats md "$VM_OUT/md.ms" >>"$BENCH"
stats offline "$VM_OUT/offline.ms" >>"$BENCH"
db "select id, json_extract(data, '\$.title'), json_extract(data, '\$.lifecycle.detected') from incidents" \
	>"$VM_OUT/incidents.txt"
cat "$VM_OUT/md.ms" "$VM_OUT/offline.ms" "$BENCH"
vm_storguardd_stop
vm_check "latency figures written" grep -q lat_md_median_ms "$BENCH"

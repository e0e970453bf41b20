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
# md is measured twice: from the injection (the shell's stamp before
# dmsetup, so dmsetup, dd and md's own reaction are included) and from the
# kernel event itself (the kmsg time stamp of md's "Disk failure on"
# line, against lifecycle.detected moved onto the kmsg clock by an offset:
# a marker written to /dev/kmsg between two realtime stamps; the offset's
# error, half the gap between the stamps, is printed).
# The md injections are also measured from the kernel event to the D-Bus
# signal IncidentRaised as a client on the system bus receives it
# (dbus-monitor's receive stamp, realtime, on the kmsg clock as above), and
# storguardd's own debug line "md event: re-read N array(s) ... in T" gives
# the time spent re-reading arrays after the /proc/mdstat wake-up.
# Figures (median, p99 = the largest of so few, n) go to bench.txt.
. /vmlab/lib.sh

ROUNDS=10
BENCH=$VM_OUT/bench.txt
: >"$BENCH"

now_us() { /usr/bin/sqlite3 :memory: "select cast((julianday('now') - 2440587.5) * 86400000000 as integer)"; }
db() { /usr/bin/sqlite3 -batch -noheader /var/lib/storguard/storguard.db "$1"; }
# boot_offset - BOOT_OFFSET_US: realtime minus the kmsg clock, from the
# sample of five whose realtime stamps around a /dev/kmsg marker are
# closest; BOOT_OFFSET_ERR_MS: its error bound (half that gap).
boot_offset() {
	_best=; _k=0
	while [ $_k -lt 5 ]; do
		_a=$(vm_realtime_us); echo "vmlab-clock-marker-$_k" >/dev/kmsg; _b=$(vm_realtime_us)
		_m=$(kmsg_us "vmlab-clock-marker-$_k")
		if [ -n "$_m" ] && { [ -z "$_best" ] || [ $((_b - _a)) -lt "$_bd" ]; }; then
			_bd=$((_b - _a)); _best=$(((_a + _b) / 2 - _m))
		fi
		_k=$((_k + 1))
	done
	BOOT_OFFSET_ERR_MS=$(((_bd / 2 + 500) / 1000))
	BOOT_OFFSET_US=$_best
}
# kmsg_us PATTERN - the kmsg time stamp (us since boot) of the last line
# matching PATTERN.
kmsg_us() {
	/usr/bin/busybox dmesg | grep "$1" | tail -n1 | sed -n 's/^\[ *\([0-9]*\)\.\([0-9]*\)\].*/\1 \2/p' |
		awk '{ printf "%d\n", $1 * 1000000 + $2 }'
}
# sig_us ID - the realtime (us) at which dbus-monitor received ID's
# IncidentRaised ("signal time=SEC.USEC ... member=IncidentRaised", then its
# first argument, the incident id); nothing if not (yet) received.
sig_us() {
	awk -v id="\"$1\"" '/member=IncidentRaised/ { t = $2; sub("time=", "", t); getline
		if ($2 == id) { split(t, a, "."); printf "%s %d\n", a[1], a[2]; exit } }' "$VM_OUT/signals.txt" |
		{ read -r _s _u && echo $((_s * 1000000 + _u)); }
}
has_signal() { [ -n "$(sig_us "$1")" ]; }
newest_id() { db "select id from incidents order by json_extract(data, '\$.lifecycle.detected') desc limit 1"; }
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

# One host per disk, each with its own store (per_host_store=1): by default
# every scsi_debug disk shows the same RAM, and md's superblock written to
# one member would appear on the other.
vm_sd_load dev_size_mb=10 per_host_store=1 add_host=$((3 * ROUNDS))
set -- $(vm_sd_disks)
i=0
while [ $i -lt $ROUNDS ]; do
	vm_dm_flakey "sgf$i" "$1"
	VM_MD_OPTS="--metadata=1.2 --size=8192" vm_md_create "md$i" 1 "$(vm_dm_name "sgf$i")" "$2"
	shift 2
	i=$((i + 1))
done
offline_disks="$1 $2 $3"

mkdir -p /etc/storguard /var/lib/storguard
cat >/etc/storguard/storguard.conf <<CONF
[Daemon]
LogLevel=debug
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
/usr/bin/dbus-monitor --system "type='signal',interface='org.storguard1.Manager',member='IncidentRaised'" \
	>"$VM_OUT/signals.txt" 2>&1 &
monitor=$!
# dbus-monitor prints its own NameAcquired/NameLost first: then it listens.
vm_must_wait 30 "dbus-monitor to listen" test -s "$VM_OUT/signals.txt"

boot_offset
off=$BOOT_OFFSET_US
echo "BENCH lat_boot_offset_err_ms=$BOOT_OFFSET_ERR_MS" >>"$BENCH"
: >"$VM_OUT/md.ms"
: >"$VM_OUT/mdk.ms"
: >"$VM_OUT/mdsig.ms"
i=0
while [ $i -lt $ROUNDS ]; do
	before=$(n_incidents)
	t0=$(now_us)
	vm_dm_flakey_fail "sgf$i" error_writes
	dd if=/dev/zero of="/dev/md$i" bs=4k count=4 oflag=direct 2>/dev/null || true
	if vm_wait_for 60 "incident for md$i" more_incidents "$before"; then
		det=$(newest_detected)
		echo $(((det - t0) / 1000)) >>"$VM_OUT/md.ms"
		k=$(kmsg_us "md/raid1:md$i: Disk failure on")
		[ -n "$k" ] && echo $(((det - off - k) / 1000)) >>"$VM_OUT/mdk.ms"
		id=$(newest_id)
		if [ -n "$k" ] && vm_wait_for 10 "IncidentRaised of $id on the bus" has_signal "$id"; then
			echo $((($(sig_us "$id") - off - k) / 1000)) >>"$VM_OUT/mdsig.ms"
		else
			echo "BENCH lat_mdsignal_missed_round_$i=no IncidentRaised for $id in 10 s" >>"$BENCH"
		fi
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
	if vm_wait_for 20 "incident for $d offline" more_incidents "$before"; then
		echo $((($(newest_detected) - t0) / 1000)) >>"$VM_OUT/offline.ms"
	else
		echo "BENCH lat_offline_missed_$d=no incident in 20 s" >>"$BENCH"
	fi
	sleep 1
done

stats md "$VM_OUT/md.ms" >>"$BENCH"
stats mdkernel "$VM_OUT/mdk.ms" >>"$BENCH"
stats mdsignal "$VM_OUT/mdsig.ms" >>"$BENCH"
# storguardd's re-read after each wake-up ("... in 12345us.").
sed -n 's/.*md event: re-read .* in \([0-9]*\)us\.$/\1/p' "$VM_OUT/storguardd.log" |
	awk '{ printf "%d\n", $1 / 1000 + 0.5 }' >"$VM_OUT/mdreread.ms"
grep "md event: re-read" "$VM_OUT/storguardd.log" >"$VM_OUT/mdreread.log" || true
stats mdreread "$VM_OUT/mdreread.ms" >>"$BENCH"
stats offline "$VM_OUT/offline.ms" >>"$BENCH"
db "select id, json_extract(data, '\$.title'), json_extract(data, '\$.lifecycle.detected') from incidents" \
	>"$VM_OUT/incidents.txt"
cat "$VM_OUT/md.ms" "$VM_OUT/mdk.ms" "$VM_OUT/offline.ms" "$BENCH"
/usr/bin/busybox dmesg | tail -n 60 >"$VM_OUT/dmesg-tail.txt"
kill "$monitor" 2>/dev/null || true
vm_storguardd_stop
vm_check "latency figures written" grep -q lat_md_median_ms "$BENCH"

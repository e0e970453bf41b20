# vmlab-title: BENCHMARK (not a check): detection latency of md member failure, medium errors, device offline, path failure and an NVMe critical warning, repeated
# vmlab-timeout: 1800
# vmlab-bench: yes
#
# Issue 11, benchmark 3 (detection latency), in one guest run.
# `tests/vmlab/run` with no scenario names skips it (vmlab-bench); run it by
# name:  tests/vmlab/run 91-bench-latency
#
# For each kind of fault, ROUNDS injections, each on its own device (one
# fault per (device, class) is one incident: a fresh device per round; the
# path and NVMe kinds reuse theirs, its incident resolved and closed over
# the bus in between), and for each the time to
#   incident  the incident's lifecycle.detected in the store (storguardd
#             stamps it, realtime, when the fault is diagnosed and recorded);
#   signal    the D-Bus signal IncidentRaised as a client on the system bus
#             receives it (dbus-monitor's receive stamp, realtime);
#   webhook   the "raised" event received by a local webhook receiver in the
#             guest (busybox httpd; its CGI stamps the realtime with
#             adjtimex as it starts, so the figure includes httpd's fork
#             and the CGI's exec: what a receiver on the host sees);
#   isolation (md only) the response's md.fail_member action as the store
#             records it (actions[].time_usec: stamped when the response
#             starts; the sysfs write follows within the same call).
# All on ONE guest clock: realtime in microseconds.  Kernel events (kmsg
# time stamps) are moved onto it by an offset measured with a marker
# written to /dev/kmsg between two realtime stamps (boot_offset below,
# measured again before every kind; its error, half the gap between the two
# stamps, is printed as lat_boot_offset_err_ms, the largest of them).
#
# Where each figure starts (the clock start):
#   md       kernel event: the kmsg stamp of md's "Disk failure on" line.
#            (Also, as before: lat_md_* from the injection, the shell's stamp
#            before dmsetup; lat_mdkernel_* = lat_md_incident_*;
#            lat_mdsignal_* = lat_md_signal_*; lat_mdreread_* storguardd's
#            re-read of the arrays after a /proc/mdstat wake-up.)
#            RAID1 over a dm-flakey disk and a plain one, dm-flakey switched
#            to error_writes, one direct write: md fails the member; with
#            [Response] FailMdMember=enforce storguardd removes it from the
#            array (the isolation).
#   medium   kernel event: the kmsg stamp of the first line the failed READ
#            logs ("[sdX] tag#N FAILED Result: ..."), scsi_debug opts=2
#            (medium error on LBAs medium_error_start.., every disk), one
#            direct read of such an LBA on a fresh disk.  The media SERD is
#            set to ONE error ([Diagnosis] MediaErrors=1): one burst (this
#            one failed read) trips it; the default, 3 in 24 h, is a policy
#            (how many errors make a disk bad), not detection latency.
#   offline  kernel event: the kmsg stamp of "rejecting I/O to offline
#            device" (the one read a workload does, through a dm-linear
#            device that holds the disk open, after `echo offline >
#            device/state`, which itself logs nothing and sends no uevent).
#            The disk.offline fault (one is enough).  [Latency]
#            SampleIntervalSec=0: the sampler that also notices the device
#            state would otherwise race the kernel log.  lat_offline_* (as
#            before): from the injection (the shell's stamp before echo).
#   path     kernel event: the kmsg stamp of dm-multipath's "Failing path
#            M:m." line after `dmsetup message MAP 0 fail_path M:m` on a
#            two-path map of one scsi_debug LUN (multipathd, as in scenario
#            13; its own phase, scsi_debug loaded again).  One failed path
#            while the other is active is the incident path.failed
#            (redundancy lost) after [Diagnosis] PathFailedHoldSec, 5 min
#            by default for a path to come back; the bench sets 0: the wait
#            is a policy, like HoldSec.  The same path each round: the
#            incident is resolved and closed over the bus in between.
#   nvme     injection: the realtime stamp before the QMP request that sets
#            critical warning bit 2 on QEMU's NVMe controller (the QMP
#            round trip through the host is included).  Polling-only
#            evidence: storguardd reads the health log every
#            [Health] PollIntervalSec (lat_nvme_poll_interval_ms) with a
#            timer accuracy of 1 s (lat_nvme_poll_accuracy_ms); the goal is
#            one poll interval plus that.  Each round: warning set, incident,
#            warning cleared, the read that sees it cleared, the incident
#            resolved and closed over the bus (so the next round is a new
#            incident).  The last phase, with scsi_debug unloaded, so the
#            2 s poll does not load the guest during the event-driven kinds.
#
# Every kind: [Diagnosis] HoldSec=0 (the default holds disk faults 2 min for
# a controller-wide pattern: that wait is a policy, not detection latency);
# each scsi_debug disk on its own host (no two share a controller).
# Figures: BENCH lat_<kind>_<stage>_{median,p99}_ms and _n in bench.txt (with
# n < 100 the p99 is the largest);
# tests/bench/bench-table.sh prints them against the goals.
. /vmlab/lib.sh

ROUNDS=${VMLAB_BENCH_ROUNDS:-20}
NVME_POLL_SEC=2
BENCH=$VM_OUT/bench.txt
: >"$BENCH"

now_us() { /usr/bin/sqlite3 :memory: "select cast((julianday('now') - 2440587.5) * 86400000000 as integer)"; }
db() { /usr/bin/sqlite3 -batch -noheader /var/lib/storguard/storguard.db "$1"; }
# boot_offset - OFF: realtime minus the kmsg clock, from the sample of five
# whose realtime stamps around a /dev/kmsg marker are closest; its error
# bound (half that gap) goes to offset-err.ms.
boot_offset() {
	_best=; _k=0
	while [ $_k -lt 5 ]; do
		_mark="vmlab-clock-marker-$(vm_now_ms)-$_k"
		_a=$(vm_realtime_us); echo "$_mark" >/dev/kmsg; _b=$(vm_realtime_us)
		_m=$(kmsg_us "$_mark")
		if [ -n "$_m" ] && { [ -z "$_best" ] || [ $((_b - _a)) -lt "$_bd" ]; }; then
			_bd=$((_b - _a)); _best=$(((_a + _b) / 2 - _m))
		fi
		_k=$((_k + 1))
	done
	echo $(((_bd / 2 + 500) / 1000)) >>"$VM_OUT/offset-err.ms"
	OFF=$_best
}
# kmsg_us PATTERN - the kmsg time stamp (us since boot) of the last line
# containing PATTERN (a fixed string); kmsg_first_us: of the first.
kmsg_stamp() {
	sed -n 's/^\[ *\([0-9]*\)\.\([0-9]*\)\].*/\1 \2/p' | awk '{ printf "%d\n", $1 * 1000000 + $2 }'
}
kmsg_us() { /usr/bin/busybox dmesg | grep -F -- "$1" | tail -n1 | kmsg_stamp; }
kmsg_first_us() { /usr/bin/busybox dmesg | grep -F -- "$1" | head -n1 | kmsg_stamp; }
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
# incident_of CLASS NAME - the id of the newest open incident of fault class
# CLASS about device NAME.
incident_of() {
	db "select id from incidents where dedup_key like '$1:%' and json_extract(data, '\$.ci.name') = '$2'
		and json_extract(data, '\$.status') = 'open'
		order by json_extract(data, '\$.lifecycle.detected') desc limit 1" 2>/dev/null
}
has_incident() { [ -n "$(incident_of "$1" "$2")" ]; }
detected_of() { db "select json_extract(data, '\$.lifecycle.detected') from incidents where id = '$1'"; }
stats() { # NAME FILE
	sort -n "$2" | awk -v k="$1" '{ a[NR] = $1 } END {
		if (NR == 0) exit
		m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		p = int(0.99 * NR + 0.999); if (p < 1) p = 1
		printf "BENCH lat_%s_median_ms=%.0f\nBENCH lat_%s_p99_ms=%.0f\nBENCH lat_%s_n=%d\n", k, m, k, a[p], k, NR }'
}

# --- the webhook receiver: a request's realtime stamp, microseconds --------
HOOK=/run/bench-hook
hook_start() {
	mkdir -p "$HOOK/in" "$HOOK/www/cgi-bin"
	cat >"$HOOK/www/cgi-bin/hook" <<-EOF
	#!/bin/sh
	read -r up _ </proc/uptime
	id=\$up-\$\$
	/usr/bin/busybox adjtimex >"$HOOK/in/\$id.time"
	head -c "\${CONTENT_LENGTH:-0}" >"$HOOK/in/\$id.tmp"
	mv "$HOOK/in/\$id.tmp" "$HOOK/in/\$id.body"
	printf 'Status: 200\r\nContent-Type: text/plain\r\n\r\n'
	EOF
	chmod 755 "$HOOK/www/cgi-bin/hook"
	/usr/bin/busybox httpd -p 127.0.0.1:8080 -h "$HOOK/www" || vm_die "cannot start the webhook receiver"
}
# hook_us ID - the realtime (us) at which the receiver got ID's "raised".
hook_us() {
	for _f in "$HOOK"/in/*.body; do
		[ -f "$_f" ] || continue
		grep -q "\"incident\":{\"id\":\"$1\"" "$_f" && grep -q '"event_type":"raised"' "$_f" || continue
		sed -n 's/^ *time\.tv_sec: *//p; s/^ *time\.tv_usec: *//p' "${_f%.body}.time" |
			{ read -r _s; read -r _u; echo $((_s * 1000000 + _u)); }
		return 0
	done
	return 1
}
has_hook() { [ -n "$(hook_us "$1")" ]; }

# measure KIND ID START_US - record incident ID's detection, D-Bus signal and
# webhook delivery against START_US (realtime) in KIND-<stage>.ms.
measure() {
	_det=$(detected_of "$2")
	echo $(((_det - $3) / 1000)) >>"$VM_OUT/$1-incident.ms"
	if vm_wait_for 10 "IncidentRaised of $2 on the bus" has_signal "$2"; then
		echo $((($(sig_us "$2") - $3) / 1000)) >>"$VM_OUT/$1-signal.ms"
	else
		echo "BENCH lat_$1_signal_missed_$2=no IncidentRaised in 10 s" >>"$BENCH"
	fi
	if vm_wait_for 20 "the webhook of $2" has_hook "$2"; then
		echo $((($(hook_us "$2") - $3) / 1000)) >>"$VM_OUT/$1-webhook.ms"
	else
		echo "BENCH lat_$1_webhook_missed_$2=no webhook in 20 s" >>"$BENCH"
	fi
}
# hctl DISK - its SCSI address H:C:T:L.
hctl() { _p=$(readlink -f "/sys/block/$1/device"); echo "${_p##*/}"; }

# --- the devices ------------------------------------------------------------
# BENCH_KINDS (default: all) picks kinds, for trying one out in a scenario
# of one's own that sets it and sources this one.
KINDS=${BENCH_KINDS:-md medium offline path nvme}
want() { case " $KINDS " in *" $1 "*) return 0 ;; esac; return 1; }
# One host per disk, each with its own store (per_host_store=1): by default
# every scsi_debug disk shows the same RAM, and md's superblock written to
# one member would appear on the other.  3 MiB each (4 x ROUNDS disks in the
# guest's RAM): md arrays of 512 KiB (the data offset md 1.2 picks for so
# small a disk is well under 2 MiB); the medium error LBAs (4660..) lie
# inside.  Disks: md 2 per round, medium 1, offline 1.  The multipath
# kind comes later with scsi_debug loaded again (its own phase below).
n=0
want md && n=$((n + 2 * ROUNDS))
want medium && n=$((n + ROUNDS))
want offline && n=$((n + ROUNDS))
medium_disks= offline_disks=
if [ $n -gt 0 ]; then
	vm_sd_load dev_size_mb=3 per_host_store=1 add_host=$n medium_error_start=4660 medium_error_count=10
	set -- $(vm_sd_disks)
fi
i=0
while want md && [ $i -lt $ROUNDS ]; do
	vm_dm_flakey "sgf$i" "$1"
	VM_MD_OPTS="--metadata=1.2 --size=512" vm_md_create "md$i" 1 "$(vm_dm_name "sgf$i")" "$2"
	shift 2
	i=$((i + 1))
done
i=0
while want medium && [ $i -lt $ROUNDS ]; do
	medium_disks="$medium_disks $1"
	shift
	i=$((i + 1))
done
want offline && offline_disks=$*
# A disk nobody has open cannot even be opened once offline (sd_open says
# ENXIO): nothing reaches the kernel log.  In use (here by a dm-linear
# device, as under LVM or a file system) the next I/O is rejected and
# logged.
for d in $offline_disks; do
	echo "0 $(vm_sectors "$d") linear /dev/$d 0" | /usr/sbin/dmsetup create "sgl$d" || vm_die "cannot create sgl$d"
done
[ $n -gt 0 ] && vm_settle

mkdir -p /etc/storguard /var/lib/storguard
conf() { # POLL_INTERVAL
	cat >/etc/storguard/storguard.conf <<-CONF
	[Daemon]
	LogLevel=debug
	StateDirectory=/var/lib/storguard
	[Response]
	FailMdMember=enforce
	BootHoldOffSec=0
	MaxPerHour=1000
	MaxPerHourPerController=1000
	[Diagnosis]
	HoldSec=0
	MediaErrors=1
	PathFailedHoldSec=0
	[Health]
	PollIntervalSec=$1
	[Latency]
	SampleIntervalSec=0
	[Webhook.bench]
	URL=http://127.0.0.1:8080/cgi-bin/hook
	Format=native
	RetryInitialSec=1s
	RetryMaxSec=2s
	CONF
}
conf 0
hook_start
vm_storguardd_start
started() {
	if want md; then grep -q "Found array 'md$((ROUNDS - 1))'" "$VM_OUT/storguardd.log"; else
		grep -q "Serving org.storguard1 on the bus" "$VM_OUT/storguardd.log"; fi
}
vm_must_wait 180 "storguardd to start (and list md$((ROUNDS - 1)))" started
# Settling pause after start-up (not a synchronisation: the first round
# must not share the CPU with the end of the start-up).
sleep 2
/usr/bin/dbus-monitor --system "type='signal',interface='org.storguard1.Manager',member='IncidentRaised'" \
	>"$VM_OUT/signals.txt" 2>&1 &
monitor=$!
# dbus-monitor prints its own NameAcquired/NameLost first: then it listens.
vm_must_wait 30 "dbus-monitor to listen" test -s "$VM_OUT/signals.txt"
: >"$VM_OUT/offset-err.ms"

# --- md member failure ------------------------------------------------------
boot_offset
: >"$VM_OUT/md.ms"
: >"$VM_OUT/md-isolation.ms"
i=0
while want md && [ $i -lt $ROUNDS ]; do
	before=$(n_incidents)
	t0=$(now_us)
	vm_dm_flakey_fail "sgf$i" error_writes
	dd if=/dev/zero of="/dev/md$i" bs=4k count=4 oflag=direct 2>/dev/null || true
	if vm_wait_for 60 "incident for md$i" more_incidents "$before"; then
		det=$(newest_detected)
		id=$(newest_id)
		echo $(((det - t0) / 1000)) >>"$VM_OUT/md.ms"
		k=$(kmsg_us "md/raid1:md$i: Disk failure on")
		if [ -n "$k" ]; then
			measure md "$id" $((k + OFF))
			acted() { [ "$(db "select json_extract(data, '\$.actions[0].mode') from incidents where id = '$id'")" = enforce ]; }
			if vm_wait_for 20 "the isolation of md$i's member" acted; then
				a=$(db "select json_extract(data, '\$.actions[0].time_usec') from incidents where id = '$id'")
				echo $(((a - k - OFF) / 1000)) >>"$VM_OUT/md-isolation.ms"
				db "select json_extract(data, '\$.actions[0].action') || ' ' || json_extract(data, '\$.actions[0].result')
					from incidents where id = '$id'" >>"$VM_OUT/md-actions.txt"
			else
				echo "BENCH lat_md_isolation_missed_round_$i=no enforced action in 20 s" >>"$BENCH"
			fi
		else
			echo "BENCH lat_md_kmsg_missed_round_$i=no 'Disk failure on' line" >>"$BENCH"
		fi
	else
		echo "BENCH lat_md_missed_round_$i=no incident in 60 s" >>"$BENCH"
	fi
	# Pause between injections (not a synchronisation): each round starts
	# from a quiet daemon.
	sleep 1
	i=$((i + 1))
done

# --- medium errors (kmsg) ---------------------------------------------------
boot_offset
want medium && vm_sd_inject medium
for d in $medium_disks; do
	/usr/bin/busybox dd if="/dev/$d" of=/dev/null bs=512 skip=4660 count=1 iflag=direct 2>/dev/null || true
	if vm_wait_for 30 "disk.media incident for $d" has_incident disk.media "$d"; then
		k=$(kmsg_first_us "[$d] tag#")
		if [ -n "$k" ]; then
			measure medium "$(incident_of disk.media "$d")" $((k + OFF))
		else
			echo "BENCH lat_medium_kmsg_missed_$d=no '[$d] tag#' line" >>"$BENCH"
		fi
	else
		echo "BENCH lat_medium_missed_$d=no disk.media incident in 30 s" >>"$BENCH"
	fi
	sleep 1 # pause between injections, as above
done
want medium && vm_sd_clear

# --- device offline ---------------------------------------------------------
boot_offset
: >"$VM_OUT/offline.ms"
for d in $offline_disks; do
	h=$(hctl "$d")
	t0=$(now_us)
	echo offline >"/sys/block/$d/device/state"
	/usr/bin/busybox dd if="/dev/mapper/sgl$d" of=/dev/null bs=4k count=1 iflag=direct 2>/dev/null || true
	if vm_wait_for 20 "disk.offline incident for $d" has_incident disk.offline "$d"; then
		id=$(incident_of disk.offline "$d")
		echo $((($(detected_of "$id") - t0) / 1000)) >>"$VM_OUT/offline.ms"
		k=$(kmsg_first_us "sd $h: rejecting I/O to offline device")
		if [ -n "$k" ]; then
			measure offline "$id" $((k + OFF))
		else
			echo "BENCH lat_offline_kmsg_missed_$d=no 'rejecting I/O' line for $h" >>"$BENCH"
		fi
	else
		echo "BENCH lat_offline_missed_$d=no incident in 20 s" >>"$BENCH"
	fi
	sleep 1 # pause between injections, as above
done

# The event-driven figures are in: storguardd's own log of the re-reads.
sed -n 's/.*md event: re-read .* in \([0-9]*\)us\.$/\1/p' "$VM_OUT/storguardd.log" |
	awk '{ printf "%d\n", $1 / 1000 + 0.5 }' >"$VM_OUT/mdreread.ms"
grep "md event: re-read" "$VM_OUT/storguardd.log" >"$VM_OUT/mdreread.log" || true

# The kinds above are done: their devices go.
vm_storguardd_stop
i=0
while want md && [ $i -lt $ROUNDS ]; do
	/usr/sbin/mdadm --stop "/dev/md$i" --quiet || vm_log "cannot stop md$i"
	/usr/sbin/dmsetup remove "sgf$i" || vm_log "cannot remove sgf$i"
	i=$((i + 1))
done
for d in $offline_disks; do
	echo running >"/sys/block/$d/device/state"
	/usr/sbin/dmsetup remove "sgl$d" || vm_log "cannot remove sgl$d"
done
if [ $n -gt 0 ]; then
	vm_settle
	vm_sd_unload
fi

# --- multipath path failure -------------------------------------------------
# One LUN through two scsi_debug hosts (vpd_use_hostno=0: the same WWID on
# both, global to the module, hence its own load), grouped by multipathd
# as in scenario 13.  (Maps made by hand with dmsetup over two distinct
# scsi_debug disks had dm fail both paths within 0.2 s of creation in this
# lab, request- or bio-based, with no SCSI error logged, and again after a
# reinstate: no use.)  Each round: `dmsetup message MAP 0 fail_path M:m` on
# the first path, the incident path.failed of that path, then multipathd's
# checker reinstates it, and the incident is resolved and closed over the
# bus so that the next failure of the same path is a new incident (the
# flapping SERD, PathFailures, is 3 in 1 h: resolving clears it).
if want path; then
	vm_mpath_start 3
	vm_sd_load add_host=2 num_tgts=1 max_luns=1 vpd_use_hostno=0 dev_size_mb=16
	p1=$(vm_sd_disks 0)
	p2=$(vm_sd_disks 1)
	map=$(vm_mpath_wait_map "$p1" 2)
	dev=$(vm_devnum "$p1")
	vm_log "map $map over $p1 ($dev) and $p2"
	conf 0
	vm_storguardd_start
	mstarted() { [ "$(grep -c "Found multipath '" "$VM_OUT/storguardd.log")" -ge 1 ]; }
	vm_must_wait 120 "storguardd to list the map" mstarted
	boot_offset
	i=0
	while [ $i -lt $ROUNDS ]; do
		both() { [ "$(vm_mpath_active_paths "$map")" -eq 2 ]; }
		vm_wait_for 60 "both paths of $map active" both || { echo "BENCH lat_path_skipped_round_$i=$p1 not back" >>"$BENCH"; break; }
		/usr/sbin/dmsetup message "$map" 0 fail_path "$dev" || vm_die "cannot fail path $dev of $map"
		if vm_wait_for 20 "path.failed incident for $p1" has_incident path.failed "$p1"; then
			id=$(incident_of path.failed "$p1")
			k=$(kmsg_us ": Failing path $dev.")
			if [ -n "$k" ]; then
				measure path "$id" $((k + OFF))
			else
				echo "BENCH lat_path_kmsg_missed_round_$i=no 'Failing path $dev.' line" >>"$BENCH"
			fi
			/usr/bin/storguardctl resolve "$id" --comment="bench round $i" >/dev/null || vm_log "cannot resolve $id"
			/usr/bin/storguardctl close "$id" >/dev/null || vm_log "cannot close $id"
		else
			echo "BENCH lat_path_missed_round_$i=no path.failed incident in 20 s" >>"$BENCH"
		fi
		i=$((i + 1))
	done
	vm_storguardd_stop
	vm_mpath_stop
	vm_sd_unload
fi

# --- NVMe critical warning (polling) ----------------------------------------
# A quiet guest for it: no scsi_debug devices, storguardd restarted with the
# health poll on (the store and its incidents stay).
if want nvme; then
	nvme=$(vm_disk_by_serial "$VM_HW_NVME0_SERIAL") || vm_die "no NVMe namespace"
	conf "${NVME_POLL_SEC}s"
	vm_storguardd_start
	nvme_read() { grep -q "Health of disk '$nvme' is" "$VM_OUT/storguardd.log"; }
	vm_must_wait 120 "storguardd to read $nvme's health" nvme_read
	echo "BENCH lat_nvme_poll_interval_ms=$((NVME_POLL_SEC * 1000))" >>"$BENCH"
	echo "BENCH lat_nvme_poll_accuracy_ms=1000" >>"$BENCH"
	qmp_cw() {
		vm_host_qmp "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"/machine/peripheral/nvme0\",\"property\":\"smart_critical_warning\",\"value\":$1}}" >/dev/null
	}
	n_ok() { grep -c "Health of disk '$nvme' is ok" "$VM_OUT/storguardd.log"; }
	i=0
	while [ $i -lt $ROUNDS ]; do
		ok=$(n_ok)
		t0=$(now_us)
		qmp_cw 4 || { echo "BENCH lat_nvme_qmp_failed_round_$i=QMP refused" >>"$BENCH"; break; }
		if vm_wait_for 30 "critical-warning incident for $nvme" has_incident disk.media "$nvme"; then
			id=$(incident_of disk.media "$nvme")
			measure nvme "$id" "$t0"
		else
			echo "BENCH lat_nvme_missed_round_$i=no incident in 30 s" >>"$BENCH"
			id=
		fi
		qmp_cw 0 || true
		cleared() { [ "$(n_ok)" -gt "$ok" ]; }
		vm_wait_for 30 "a read of $nvme without the warning" cleared || true
		if [ -n "$id" ]; then
			/usr/bin/storguardctl resolve "$id" --comment="bench round $i" >/dev/null || vm_log "cannot resolve $id"
			/usr/bin/storguardctl close "$id" >/dev/null || vm_log "cannot close $id"
		fi
		i=$((i + 1))
	done
	vm_storguardd_stop
fi

# --- figures -----------------------------------------------------------------
sort -n "$VM_OUT/offset-err.ms" | tail -n1 | sed 's/^/BENCH lat_boot_offset_err_ms=/' >>"$BENCH"
stats md "$VM_OUT/md.ms" >>"$BENCH"
stats mdkernel "$VM_OUT/md-incident.ms" >>"$BENCH"
stats mdsignal "$VM_OUT/md-signal.ms" >>"$BENCH"
stats mdreread "$VM_OUT/mdreread.ms" >>"$BENCH"
stats offline "$VM_OUT/offline.ms" >>"$BENCH"
for kind in md path medium offline nvme; do
	for stage in incident signal webhook isolation; do
		[ -s "$VM_OUT/$kind-$stage.ms" ] && stats "${kind}_$stage" "$VM_OUT/$kind-$stage.ms" >>"$BENCH"
	done
done
db "select id, dedup_key, json_extract(data, '\$.status'), json_extract(data, '\$.lifecycle.detected') from incidents" \
	>"$VM_OUT/incidents.txt"
for f in "$VM_OUT"/*.ms; do printf '%s: %s\n' "${f##*/}" "$(tr '\n' ' ' <"$f")"; done
cat "$BENCH"
/usr/bin/busybox dmesg | tail -n 80 >"$VM_OUT/dmesg-tail.txt"
kill "$monitor" 2>/dev/null || true
vm_check "latency figures written" grep -q "^BENCH lat_.*_median_ms" "$BENCH"

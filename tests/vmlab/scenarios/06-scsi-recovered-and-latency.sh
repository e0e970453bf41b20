# vmlab-title: near misses and slowness: recovered errors, scsi_debug latency, dm-delay on one disk
# vmlab-timeout: 180
#
# The precursors storguard counts and trends (CONTEXT.md: "recovered
# errors, retries and timeouts that succeeded are precursors"), and the
# slowness the fail-slow detection compares between peers:
#   1. every 4th command to scsi_debug ends with RECOVERED ERROR (scsi_debug
#      uses ASC 0x5D "failure prediction threshold exceeded" for it): the
#      data is good and no I/O error is reported, the kernel logs the sense,
#      and ioerr_cnt counts each one (it counts every command that ended
#      with a check condition);
#   2. 20 ms added to every scsi_debug command (module-global: both disks);
#   3. dm-delay adds 50 ms to every I/O of one disk only (the way to make
#      one member slow beside its sibling).
# Each step reads the same amount and records the wall time and
# /sys/block/*/stat.
#
# Captured (with --capture): kmsg records of the recovered errors, and the
# counters and block statistics of every step.
. /vmlab/lib.sh

name=scsi-recovered-and-latency
vm_sd_load add_host=1 num_tgts=2 dev_size_mb=16
set -- $(vm_sd_disks)
a=$1
b=$2

snapshot() {
	for d in $a $b $(vm_dm_name slow 2>/dev/null); do
		printf '%s %s' "$1" "$d"
		if [ -e "/sys/block/$d/device" ]; then
			for c in iorequest_cnt iodone_cnt ioerr_cnt iotmo_cnt; do
				printf ' %s=%s' "$c" "$(cat "/sys/block/$d/device/$c")"
			done
		fi
		printf ' stat=%s\n' "$(echo $(cat "/sys/block/$d/stat"))"
	done
}
# timed_read DEV KIB - milliseconds a direct read of KIB (4 KiB requests) takes.
timed_read() {
	_t=$(vm_now_ms)
	/usr/bin/busybox dd if="/dev/$1" of=/dev/null bs=4k count=$(($2 / 4)) iflag=direct 2>/dev/null ||
		vm_die "read of $1 failed"
	echo $(($(vm_now_ms) - _t))
}

snapshot before >/tmp/stats
base_a=$(timed_read "$a" 64)
vm_log "baseline: 64 KiB from $a in $base_a ms"

# 1. Recovered errors.
vm_kmsg_mark "$name: recovered errors"
vm_sd_inject recovered 4
t=$(timed_read "$a" 64)
vm_sd_clear
vm_kmsg_mark "$name: recovered errors done"
vm_log "recovered errors: 64 KiB from $a in $t ms"
snapshot recovered >>/tmp/stats
vm_kmsg_between "$name: recovered errors" "$name: recovered errors done" >/tmp/kmsg
vm_check "kmsg: recovered errors on $a" grep -q "\[$a\].*Sense Key : Recovered Error" /tmp/kmsg
vm_check "no I/O error for a recovered error" sh -c "! grep -q 'I/O error' /tmp/kmsg"

# 2. Latency on every scsi_debug disk.
vm_sd_latency 20000
ta=$(timed_read "$a" 64)
tb=$(timed_read "$b" 64)
vm_sd_clear
vm_log "scsi_debug +20 ms: 64 KiB (16 commands) from $a in $ta ms, from $b in $tb ms"
snapshot latency >>/tmp/stats
vm_check "$a slowed by the added latency" [ "$ta" -ge 320 ]
vm_check "$b slowed by the added latency" [ "$tb" -ge 320 ]

# 3. One slow disk: dm-delay over $b only.
vm_dm_delay slow "$b" 50
slow=$(vm_dm_name slow)
ta=$(timed_read "$a" 64)
ts=$(timed_read "$slow" 64)
vm_log "dm-delay 50 ms on $b: 64 KiB from $a in $ta ms, from $slow (over $b) in $ts ms"
snapshot dm-delay >>/tmp/stats
vm_check "$slow slowed by dm-delay" [ "$ts" -ge 800 ]
vm_check "$a not slowed" [ "$ta" -lt "$ts" ]
vm_dm_remove slow

cat /tmp/stats
vm_result kmsg /tmp/kmsg
vm_result stats /tmp/stats
if vm_capturing; then
	vm_fixture kmsg/scsi-recovered-error.kmsg /tmp/kmsg
	vm_fixture scsi/$name.counters /tmp/stats
fi
vm_sd_unload

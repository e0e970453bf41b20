# vmlab-title: controller storm: timeouts and resets on every disk of one SCSI host, a healthy host beside it
# vmlab-timeout: 300
#
# Issue 3, scenario 4 (the outage of ../shared/CONTEXT.md in miniature).
# The "sick controller" is one scsi_debug host with four disks; the healthy
# group is the two QEMU disks behind virtio-scsi, a separate SCSI host that
# scsi_debug's module-global faults cannot touch.
#   phase 1 (near misses): every 4th command to scsi_debug is never
#     answered; SCSI error handling aborts and retries it and most reads
#     succeed late, seen only in iotmo_cnt and /sys/block/*/stat latency.
#     Some retries time out again and escalate to a device reset: the
#     kernel logs "Power-on or device reset occurred" and sends a change
#     uevent with SDEV_UA=POWER_ON_RESET_OCCURRED; udev then re-probes the
#     disk, and those fail-fast probe reads end in DID_TIME_OUT / I/O error.
#   phase 2 (storm): every command times out; error handling escalates
#     (device, target, bus, host reset: "Power-on or device reset occurred"
#     on every disk, again and again), then offlines every disk of the host
#     ("Device offlined - not ready after error recovery") and fails the
#     I/O (DID_TIME_OUT, "I/O error").  The virtio-scsi disks keep working.
#   recovery: faults cleared, the devices set running again, reads work.
# Command timeout 2 s and error-handling timeout 1 s (instead of 30 s and
# 10 s) keep the storm to about half a minute under TCG.
#
# Captured (with --capture): kmsg records, udev events, and every disk's
# SCSI counters, device state and /sys/block/*/stat at each phase.
. /vmlab/lib.sh

name=scsi-host-timeout-storm
vm_sd_load add_host=1 num_tgts=4 max_luns=1 dev_size_mb=16
sick=$(echo $(vm_sd_disks))
host=$(vm_sd_host 0)
healthy="$(vm_disk_by_serial "$VM_HW_VSCSI0_SERIAL") $(vm_disk_by_serial "$VM_HW_VSCSI1_SERIAL")"
vm_log "sick controller $host: $(echo $sick); healthy virtio-scsi disks: $healthy"
for d in $sick; do
	echo 2 >"/sys/block/$d/device/timeout"
	echo 1 >"/sys/block/$d/device/eh_timeout"
done

# snapshot PHASE - one line per disk: group, state, SCSI counters (hex, as
# sysfs has them) and the 17 fields of /sys/block/X/stat.
snapshot() {
	for d in $sick $healthy; do
		case " $sick " in *" $d "*) g=sick ;; *) g=healthy ;; esac
		printf '%s %s %s state=%s' "$1" "$d" "$g" "$(cat /sys/block/$d/device/state)"
		for c in iorequest_cnt iodone_cnt ioerr_cnt iotmo_cnt; do
			printf ' %s=%s' "$c" "$(cat /sys/block/$d/device/$c)"
		done
		printf ' stat=%s\n' "$(echo $(cat /sys/block/$d/stat))"
	done
}
counter() { # DISK COUNTER - a SCSI counter as a decimal number
	echo $(($(cat "/sys/block/$1/device/$2")))
}
# read_all KIB DISK... - direct reads of KIB from each disk, in parallel;
# returns when all are done (each read ends: answered, retried or failed).
read_all() {
	_kib=$1
	shift
	_pids=
	for _d in "$@"; do
		vm_read "$_d" "$_kib" &
		_pids="$_pids $!"
	done
	# Wait for these readers only (a bare wait would wait for the udev
	# monitor too).
	for _p in $_pids; do wait "$_p"; done
}

snapshot before >/tmp/counters
vm_udev_monitor_start /tmp/udev.log

# --- phase 1: near misses ----------------------------------------------
vm_kmsg_mark "$name: phase 1: every 4th command times out"
tmo0=0
for d in $sick; do tmo0=$((tmo0 + $(counter $d iotmo_cnt))); done
vm_sd_inject timeout 4
t0=$(vm_now_ms)
read_all 32 $sick
t_sick=$(($(vm_now_ms) - t0))
vm_sd_clear
t0=$(vm_now_ms)
read_all 32 $healthy
t_healthy=$(($(vm_now_ms) - t0))
snapshot precursors >>/tmp/counters
tmo1=0
for d in $sick; do tmo1=$((tmo1 + $(counter $d iotmo_cnt))); done
vm_log "phase 1: 32 KiB from each sick disk took $t_sick ms, from each healthy disk $t_healthy ms; timeouts $tmo0 -> $tmo1"
vm_check "phase 1: commands timed out and were retried" [ "$tmo1" -gt "$tmo0" ]
for d in $sick; do
	vm_check "phase 1: $d still running" [ "$(cat /sys/block/$d/device/state)" = running ]
done

# --- phase 2: the storm ---------------------------------------------------
vm_kmsg_mark "$name: phase 2: every command times out"
vm_sd_inject timeout 1
t0=$(vm_now_ms)
read_all 8 $sick &
storm=$!
# The healthy host carries on while error handling works on the sick one.
err0=0
for d in $healthy; do err0=$((err0 + $(counter $d ioerr_cnt))); done
for i in 1 2 3 4 5; do
	th=$(vm_now_ms)
	read_all 64 $healthy
	vm_log "phase 2: healthy disks read 64 KiB each in $(($(vm_now_ms) - th)) ms"
done
vm_must_wait 240 "error handling to give up on $host's disks" vm_all_offline $sick
wait $storm
vm_log "phase 2: the storm took $(($(vm_now_ms) - t0)) ms"
vm_sd_clear
snapshot storm >>/tmp/counters
err1=0
for d in $healthy; do
	err1=$((err1 + $(counter $d ioerr_cnt)))
	vm_check "phase 2: healthy $d still running" [ "$(cat /sys/block/$d/device/state)" = running ]
done
vm_check "phase 2: no I/O error on the healthy host" [ "$err1" = "$err0" ]

# --- recovery -----------------------------------------------------------------
vm_kmsg_mark "$name: recovery"
for d in $sick; do vm_dev_online "$d"; done
for d in $sick; do
	vm_check "recovery: $d reads again" \
		/usr/bin/busybox dd if=/dev/$d of=/dev/null bs=4k count=4 iflag=direct
done
snapshot recovered >>/tmp/counters
vm_kmsg_mark "$name: done"
vm_udev_monitor_stop

vm_kmsg_between "$name: phase 1: every 4th command times out" "$name: done" >/tmp/kmsg
for d in $sick; do
	hctl=$(basename "$(readlink -f /sys/block/$d/device)")
	vm_check "kmsg: $d ($hctl) was reset" grep -q "sd $hctl: Power-on or device reset occurred" /tmp/kmsg
	vm_check "kmsg: $d ($hctl) was offlined" grep -q "sd $hctl: Device offlined - not ready after error recovery" /tmp/kmsg
done
for d in $healthy; do
	vm_check "kmsg: nothing about healthy $d" sh -c "! grep -q '\\[$d\\]' /tmp/kmsg"
done
vm_check "kmsg: I/O failed with DID_TIME_OUT" grep -q 'FAILED Result: hostbyte=DID_TIME_OUT' /tmp/kmsg
vm_check "udev: reset unit attentions (SDEV_UA=POWER_ON_RESET_OCCURRED)" \
	grep -q '^SDEV_UA=POWER_ON_RESET_OCCURRED' /tmp/udev.log
cat /tmp/counters
vm_result kmsg /tmp/kmsg
vm_result udev.log /tmp/udev.log
vm_result counters /tmp/counters

if vm_capturing; then
	vm_fixture kmsg/$name.kmsg /tmp/kmsg
	vm_fixture uevents/$name.udev /tmp/udev.log
	vm_fixture scsi/$name.counters /tmp/counters
fi
vm_sd_unload

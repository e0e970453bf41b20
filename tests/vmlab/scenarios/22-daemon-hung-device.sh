# vmlab-title: storguardd: a disk that never answers, then vanishes mid-poll: the event loop and the other disks' polls go on
# vmlab-timeout: 420
#
# Issue 10 ("devices that hang -- SG_IO that does not return within its
# timeout, a disk that disappears mid-poll -- never block the event loop or
# the other devices' monitoring").  A scsi_debug disk stops answering every
# command (opts=4: never completed; the SCSI command timeout set to 60 s,
# so each SG_IO stays stuck in the kernel for a minute), while storguardd
# polls health every 3 s with PollTimeoutSec=5s.  Expected:
#   - the D-Bus service keeps answering while the poll of that disk hangs;
#   - the other disks (SATA through SAT, NVMe, virtio-scsi) keep being
#     polled: their HealthReadUSec advances during the hang;
#   - the disk is deleted while a poll of it is stuck: storguardd notices
#     the removal, does not crash, and the others are still polled;
#   - the daemon is still running at the end (no crash, no restart).
. /vmlab/lib.sh

SG="org.storguard1 /org/storguard1 org.storguard1.Manager"

vm_sd_load dev_size_mb=16
hung=$(vm_sd_disks)
sata=$(vm_disk_by_serial "$VM_HW_SATA0_SERIAL")
nvme=$(vm_disk_by_serial "$VM_HW_NVME0_SERIAL")

mkdir -p /etc/storguard /var/lib/storguard
cat >/etc/storguard/storguard.conf <<CONF
[Daemon]
LogLevel=info
StateDirectory=/var/lib/storguard
[Health]
PollIntervalSec=3s
PollTimeoutSec=5s
[Latency]
SampleIntervalSec=0
CONF
vm_storguardd_start
read_ok() { grep -q "Health of disk '$1' is ok" "$VM_OUT/storguardd.log"; }
for d in "$hung" "$sata" "$nvme"; do
	vm_must_wait 120 "storguardd to read $d's health" read_ok "$d"
done

# read_usec DISK - the disk's HealthReadUSec on the bus (0 if unknown).
read_usec() {
	_o=$(/usr/bin/storguardctl show "$1" --json 2>/dev/null | tr ',' '\n' |
		sed -n 's/.*"\(HealthReadUSec\|health_read_usec\)": *\([0-9]*\).*/\2/p' | head -n1)
	echo "${_o:-0}"
}
advanced() { [ "$(read_usec "$1")" -gt "$2" ]; }

# The disk stops answering.
echo 60 >"/sys/block/$hung/device/timeout"
vm_sd_inject timeout 1
# Something in flight so the kernel is stuck on it as well.
vm_read "$hung" 4 &
timed_out() { grep -q "$hung.*\(did not finish\|did not complete\|timed out\)" "$VM_OUT/storguardd.log"; }
vm_check "a poll of $hung gets stuck and is given up at its deadline" vm_wait_for 60 "a poll timeout logged" timed_out
# From here on the device is stuck (60 s command timeout): the others'
# polls must go on, and the bus must answer.
t_sata=$(read_usec "$sata")
t_nvme=$(read_usec "$nvme")
vm_log "hung disk $hung; last reads: $sata $t_sata, $nvme $t_nvme"
vm_check "$sata is still polled while $hung hangs" vm_wait_for 60 "$sata polled" advanced "$sata" "$t_sata"
vm_check "$nvme is still polled while $hung hangs" vm_wait_for 60 "$nvme polled" advanced "$nvme" "$t_nvme"
t0=$(vm_now_ms)
vm_check "the bus answers during the hang" /usr/bin/busctl --system --timeout=5 get-property $SG OverallHealth
echo "bus answered in $(($(vm_now_ms) - t0)) ms during the hang" >>"$VM_OUT/timings.txt"

# The hung disk disappears while a poll of it is stuck.
vm_dev_delete "$hung" &
gone() { grep -q "disk '$hung' .*was removed" "$VM_OUT/storguardd.log"; }
vm_check "storguardd notices $hung is gone" vm_wait_for 120 "$hung removal noticed" gone
vm_sd_clear
t_sata=$(read_usec "$sata")
vm_check "$sata is still polled after the removal" vm_wait_for 60 "$sata polled" advanced "$sata" "$t_sata"
vm_check "storguardd is still running" kill -0 "$VM_STORGUARDD_PID"
vm_check "and answering" /usr/bin/busctl --system --timeout=5 get-property $SG OverallHealth
grep -E "$hung" "$VM_OUT/storguardd.log" | tail -n 20 >"$VM_OUT/hung-lines.txt" || true
cat "$VM_OUT/timings.txt"

vm_storguardd_stop
wait || true
vm_sd_unload || true

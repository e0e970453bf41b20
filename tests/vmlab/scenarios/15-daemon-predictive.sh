# vmlab-title: storguardd: SCSI predictive failure and an NVMe critical warning -> warning incidents with the decoded reason
# vmlab-timeout: 300
#
# Issues 4, 5 and 12 (scenario 6) on a real kernel: storguardd polls device
# health (SG_IO LOG SENSE / REQUEST SENSE, the NVMe SMART log through
# libnvme) every few seconds.
#   - a scsi_debug disk reports an informational exception: its IE mode
#     page set to TEST=1 MRIE=6 makes it answer "failure prediction
#     threshold exceeded" (ASC 0x5d);
#   - QEMU's NVMe controller raises critical warning bit 2 (NVM subsystem
#     reliability degraded), set by the host over QMP while the guest runs.
# Expected: one incident per device, naming it, with the decoded reason.
. /vmlab/lib.sh

db() { /usr/bin/sqlite3 -batch -noheader /var/lib/storguard/storguard.db "$1"; }
now_us() { /usr/bin/sqlite3 :memory: "select cast((julianday('now') - 2440587.5) * 86400000000 as integer)"; }

vm_sd_load dev_size_mb=16
sd=$(vm_sd_disks | head -1)
nvme=$(vm_disk_by_serial "$VM_HW_NVME0_SERIAL") || vm_die "no NVMe namespace"
vm_log "scsi_debug disk $sd, NVMe namespace $nvme"

mkdir -p /etc/storguard /var/lib/storguard
cat >/etc/storguard/storguard.conf <<CONF
[Daemon]
LogLevel=info
StateDirectory=/var/lib/storguard
[Diagnosis]
HoldSec=1s
[Health]
PollIntervalSec=3s
[Latency]
SampleIntervalSec=0
CONF
vm_storguardd_start
started() { grep -q "Health of disk '$sd' is" "$VM_OUT/storguardd.log"; }
vm_must_wait 90 "storguardd to read $sd's health" started
# On the disks under test.  (QEMU's megasas disks answer TEST UNIT READY at
# probe and REQUEST SENSE with HARDWARE ERROR / internal target failure: an
# artefact of the emulation that storguard rightly counts as evidence.)
vm_check "no incident while everything is healthy" \
	test "$(db "select count(*) from incidents where json_extract(data, '\$.ci.name') in ('$sd', '$nvme')")" = 0

# SCSI predictive failure (VMLAB.md): IE mode page TEST=1, MRIE=6.
t0=$(now_us)
/usr/bin/sg_wr_mode -p 0x1c -c 1c,0a,0c,06,00,00,00,00,00,00,00,00 "/dev/$sd" || vm_die "cannot set the IE mode page"
/usr/bin/sg_turs "/dev/$sd" >/dev/null 2>&1 || true # the unit attention "mode parameters changed"
pf() { [ "$(db "select count(*) from incidents where json_extract(data, '\$.ci.name') = '$sd'")" -ge 1 ]; }
vm_check "a predictive-failure incident for $sd" vm_wait_for 60 "incident for $sd" pf
t1=$(db "select json_extract(data, '\$.lifecycle.detected') from incidents where json_extract(data, '\$.ci.name') = '$sd'")
echo "IE mode page set -> incident: $(((t1 - t0) / 1000)) ms (health polled every 3 s)" >>"$VM_OUT/timings.txt"
db "select data from incidents where json_extract(data, '\$.ci.name') = '$sd'" >"$VM_OUT/incident-scsi.json"
vm_check "its reason is the decoded informational exception" grep -qi "failure prediction threshold exceeded" "$VM_OUT/incident-scsi.json"

# NVMe critical warning, set by the host.
t0=$(now_us)
vm_host_qmp '{"execute":"qom-set","arguments":{"path":"/machine/peripheral/nvme0","property":"smart_critical_warning","value":4}}' ||
	vm_die "QMP cannot set smart_critical_warning"
cw() { [ "$(db "select count(*) from incidents where json_extract(data, '\$.ci.name') = '$nvme'")" -ge 1 ]; }
vm_check "a critical-warning incident for $nvme" vm_wait_for 60 "incident for $nvme" cw
t1=$(db "select json_extract(data, '\$.lifecycle.detected') from incidents where json_extract(data, '\$.ci.name') = '$nvme'")
echo "QMP critical warning 4 -> incident: $(((t1 - t0) / 1000)) ms (health polled every 3 s)" >>"$VM_OUT/timings.txt"
db "select data from incidents where json_extract(data, '\$.ci.name') = '$nvme'" >"$VM_OUT/incident-nvme.json"
vm_check "its reason names the reliability bit" grep -q "reliability" "$VM_OUT/incident-nvme.json"
cat "$VM_OUT/timings.txt"

vm_host_qmp '{"execute":"qom-set","arguments":{"path":"/machine/peripheral/nvme0","property":"smart_critical_warning","value":0}}' || true
/usr/bin/sg_wr_mode -p 0x1c -c 1c,0a,08,00,00,00,00,00,00,00,00,00 "/dev/$sd" || true
vm_storguardd_stop
# The mode page change sends uevents; udev's workers probe the disk.
vm_settle
vm_sd_unload

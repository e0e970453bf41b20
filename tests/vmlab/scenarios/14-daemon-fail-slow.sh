# vmlab-title: storguardd: one RAID1 member much slower than its sibling, no errors -> fail-slow incident
# vmlab-timeout: 300
#
# Issues 5 and 12 (scenario 4).  md0 mirrors two disks of the same model
# (the two QEMU virtio-scsi disks); one of them sits behind dm-delay, which
# then delays every I/O by 20 ms, with no error at all.  Writes to md0
# reach both members equally (comparable work); storguardd samples each
# member device's /sys/block/*/stat every 2 s and, after three slow
# windows, must raise a fail-slow incident naming the delayed member's
# disk, and none for the other.  (Peers must be of one model: a first
# version of this scenario mirrored a scsi_debug disk with a virtio disk
# and saw the former 5x slower under TCG with no fault at all.)
. /vmlab/lib.sh

db() { /usr/bin/sqlite3 -batch -noheader /var/lib/storguard/storguard.db "$1"; }
now_us() { /usr/bin/sqlite3 :memory: "select cast((julianday('now') - 2440587.5) * 86400000000 as integer)"; }

slow=$(vm_disk_by_serial "$VM_HW_VSCSI0_SERIAL")
fast=$(vm_disk_by_serial "$VM_HW_VSCSI1_SERIAL")
vm_dm_delay sgslow "$slow" 0
member=$(vm_dm_name sgslow)
VM_MD_OPTS="--metadata=1.2 --size=61440" vm_md_create md0 1 "$member" "$fast"

mkdir -p /etc/storguard /var/lib/storguard
cat >/etc/storguard/storguard.conf <<CONF
[Daemon]
LogLevel=info
StateDirectory=/var/lib/storguard
[Diagnosis]
HoldSec=1s
[Health]
PollIntervalSec=0
[Latency]
SampleIntervalSec=2s
CONF
vm_storguardd_start
started() { grep -q "Found array 'md0'" "$VM_OUT/storguardd.log"; }
vm_must_wait 60 "storguardd to list md0" started

# A steady write load on the mirror, as a database would make.
writer() {
	while [ ! -e /tmp/stop-writer ]; do
		/usr/bin/busybox dd if=/dev/zero of=/dev/md0 bs=4k count=64 oflag=direct 2>/dev/null
	done
}
writer &
wpid=$!

err0=$(($(cat /sys/block/$slow/device/ioerr_cnt)))
t0=$(now_us)
vm_dm_set_delay sgslow 20
slow_incident() { [ "$(db "select count(*) from incidents where dedup_key like 'disk.fail_slow:%'")" -ge 1 ]; }
vm_check "a fail-slow incident is raised" vm_wait_for 90 "fail-slow incident" slow_incident
t1=$(db "select json_extract(data, '\$.lifecycle.detected') from incidents where dedup_key like 'disk.fail_slow:%'")
echo "latency injected -> fail-slow incident: $(((t1 - t0) / 1000)) ms (3 windows of 2 s needed)" >>"$VM_OUT/timings.txt"
touch /tmp/stop-writer
wait "$wpid" || true
vm_dm_set_delay sgslow 0

db "select data from incidents" >"$VM_OUT/incidents.json"
vm_check "it names the slow member $slow" grep -q "\"name\":\"$slow\"" "$VM_OUT/incidents.json"
vm_check "nothing about the fast member $fast" sh -c "! grep -q '\"name\":\"$fast\"' '$VM_OUT/incidents.json'"
vm_check "no error was injected: only latency" test "$(($(cat /sys/block/$slow/device/ioerr_cnt)))" = "$err0"
vm_check "the member was not isolated (fail-slow recommends replacing, not removing)" test -e "/sys/block/md0/md/dev-$member"
grep "Fail-slow" "$VM_OUT/storguardd.log" || true
cat "$VM_OUT/timings.txt"

vm_storguardd_stop
/usr/sbin/mdadm --stop /dev/md0 --quiet
/usr/sbin/dmsetup remove sgslow

# vmlab-title: storguardd: the last member of a degraded RAID1 fails -> major incident, isolation refused
# vmlab-timeout: 300
#
# Issues 6 and 12 (scenario 3): a RAID1 that is already degraded; its
# remaining member returns medium errors.  storguardd must raise an
# incident (redundancy is already gone) and must NOT isolate the member:
# the guard refuses, and the refusal is recorded on the incident.
. /vmlab/lib.sh

db() { /usr/bin/sqlite3 -batch -noheader /var/lib/storguard/storguard.db "$1"; }

# Medium errors on LBAs [20000, 20064) of the scsi_debug disk.
vm_sd_load dev_size_mb=64 medium_error_start=20000 medium_error_count=64
last=$(vm_sd_disks)
/usr/sbin/mdadm --create /dev/md0 --run --quiet --assume-clean --metadata=1.2 --level=1 --raid-devices=2 \
	"/dev/$last" missing </dev/null || vm_die "cannot create a degraded md0 over $last"
vm_must_wait 30 "md0 running" vm__md_running md0
vm_settle

mkdir -p /etc/storguard /var/lib/storguard
cat >/etc/storguard/storguard.conf <<CONF
[Daemon]
LogLevel=info
StateDirectory=/var/lib/storguard
[Response]
FailMdMember=enforce
BootHoldOffSec=0
[Diagnosis]
HoldSec=1s
[Health]
PollIntervalSec=0
CONF

vm_storguardd_start
started() { grep -q "Found array 'md0'" "$VM_OUT/storguardd.log"; }
vm_must_wait 60 "storguardd to list md0" started
vm_check "md0 is degraded before the fault" test "$(cat /sys/block/md0/md/degraded)" = 1

# Read the bad range through md (scsi_debug opts=2: medium errors) a few
# times: the media SERD engine wants 3 errors.
offset=$(cat "/sys/block/md0/md/dev-$last/offset")
echo 2 >/sys/bus/pseudo/drivers/scsi_debug/opts
for i in 1 2 3 4; do
	dd if=/dev/md0 of=/dev/null bs=512 skip=$((20000 - offset)) count=8 iflag=direct 2>/dev/null || true
done
raised() { [ "$(db "select count(*) from incidents")" -ge 1 ]; }
vm_check "an incident is raised for the last member" vm_wait_for 60 "incident" raised
refused() { db "select data from incidents" | grep -q "guard 'last redundancy'"; }
vm_check "isolation refused by the last-redundancy guard, recorded" vm_wait_for 30 "refusal" refused
db "select data from incidents" >"$VM_OUT/incident.json"
vm_check "the member is still in md0" test -e "/sys/block/md0/md/dev-$last"
vm_check "the member is still in sync" vm_md_member_is md0 "$last" in_sync
vm_check "the incident is not mitigated" test "$(db 'select status from incidents')" = open
vm_check "the incident is major" grep -q '"major":true' "$VM_OUT/incident.json"
vm_check "impact: service down (the last copy fails)" grep -q '"impact":"service-down"' "$VM_OUT/incident.json"

echo 0 >/sys/bus/pseudo/drivers/scsi_debug/opts
vm_storguardd_stop
/usr/sbin/mdadm --stop /dev/md0 --quiet
vm_sd_unload

# vmlab-title: storguardd: a disk whose model and firmware match a known-errors entry -> known-error incident citing the advisory
# vmlab-timeout: 180
# vmlab-image: m4.img 64M
# vmlab-qemu: -drive if=none,id=m4,format=raw,file=@DIR@/m4.img -device ide-hd,bus=ide.1,drive=m4,model=M4-CT256M4SSD2,serial=0000000012345678,ver=0009
#
# Issues 5 and 12 (scenario 7).  A second SATA disk on the ICH9 AHCI
# controller presents itself as a Crucial m4 256 GB with firmware 0009: the
# shipped known-errors entry CRUCIAL-M4-5184H (rules/known-errors/, from
# smartmontools' drivedb.h) covers firmware before 0309.  storguardd must
# raise a known-error incident naming the disk, the entry and its
# workaround (update the firmware), citing its references.  QEMU's ATA
# SMART data give no power-on hours worth the name (the countdown is tested
# in tests/unit/test-known-errors.c), so the status is what identity alone
# says.
#
# Then Action= (issue 6): the m4 becomes a RAID1 member beside a scsi_debug
# disk, health polls read QEMU's fixed SMART (power-on hours: 1), and an
# operator's entry for this lab disk whose limit is 1 hour asks
# Action=isolate-member.  With FailMdMember=dry-run the response agent
# records on that known-error incident what it would do (md.fail_member,
# dry-run) and does nothing; the shipped entry, whose limit is far away,
# asks nothing.
. /vmlab/lib.sh

db() { /usr/bin/sqlite3 -batch -noheader /var/lib/storguard/storguard.db "$1"; }

serial=0000000012345678
vm_must_wait 60 "the m4 SATA disk ($serial)" vm_have_serial "$serial"
vm_settle
m4=$(vm_disk_by_serial "$serial")

mkdir -p /etc/storguard /var/lib/storguard
cat >/etc/storguard/storguard.conf <<CONF
[Daemon]
LogLevel=info
StateDirectory=/var/lib/storguard
[Health]
PollIntervalSec=0
[Latency]
SampleIntervalSec=0
CONF
vm_storguardd_start
ke() { [ "$(db "select count(*) from incidents where json_extract(data, '\$.known_error_id') = 'CRUCIAL-M4-5184H'")" -ge 1 ]; }
vm_check "a known-error incident for $m4" vm_wait_for 60 "known-error incident" ke
db "select data from incidents where json_extract(data, '\$.known_error_id') = 'CRUCIAL-M4-5184H'" >"$VM_OUT/incident.json"
cat "$VM_OUT/incident.json"
vm_check "it names the disk" grep -q "\"name\":\"$m4\"" "$VM_OUT/incident.json"
vm_check "category known-error" grep -q '"category":"known-error"' "$VM_OUT/incident.json"
vm_check "its workaround is the advisory's" grep -q '"workaround":"Update the SSD firmware to 0309' "$VM_OUT/incident.json"
vm_check "it cites the advisory" grep -q "drivedb.h" "$VM_OUT/incident.json"
vm_check "one incident for the one disk" \
	test "$(db "select count(*) from incidents where json_extract(data, '\$.known_error_id') = 'CRUCIAL-M4-5184H'")" = 1
vm_check "nothing about the other SATA disk" test "$(db 'select count(*) from incidents')" = 1
vm_storguardd_stop

# --- Action=: a known error whose condition is met asks the response agent.
shipped=
for d in /usr/share/storguard/known-errors /usr/local/share/storguard/known-errors; do
	[ -f "$d/crucial-m4-5184h.conf" ] && shipped=$d && break
done
[ -n "$shipped" ] || vm_die "the shipped known-errors database is not in the guest"
mkdir -p /etc/storguard/known-errors.d
cat >/etc/storguard/known-errors.d/lab.conf <<ENTRY
[LAB-M4-AGE]
Title=Lab: the emulated m4 has reached the lab's power-on hours limit
Model=M4-CT256M4SSD2
PowerOnHoursLimit=1
Action=isolate-member
Workaround=Replace the drive (a lab entry, not an advisory)
Reference=tests/vmlab/scenarios/18-daemon-known-firmware.sh
ENTRY
vm_sd_load dev_size_mb=64
other=$(vm_sd_disks)
VM_MD_OPTS="--metadata=1.2 --size=32768" vm_md_create md0 1 "$m4" "$other"
cat >/etc/storguard/storguard.conf <<CONF
[Daemon]
LogLevel=info
StateDirectory=/var/lib/storguard
KnownErrorsDirectories=$shipped /etc/storguard/known-errors.d
[Health]
PollIntervalSec=10min
[Latency]
SampleIntervalSec=0
[Response]
FailMdMember=dry-run
BootHoldOffSec=0
CONF
vm_storguardd_start
action() { [ "$(db "select json_array_length(json_extract(data, '\$.actions')) from incidents where json_extract(data, '\$.known_error_id') = 'LAB-M4-AGE'" 2>/dev/null)" -ge 1 ] 2>/dev/null; }
vm_check "the lab entry's incident records the response" vm_wait_for 120 "the action on the LAB-M4-AGE incident" action
db "select data from incidents where json_extract(data, '\$.known_error_id') = 'LAB-M4-AGE'" >"$VM_OUT/action-incident.json"
cat "$VM_OUT/action-incident.json"
vm_check "the limit is reached" grep -q '"cause":"limit-reached"' "$VM_OUT/action-incident.json"
vm_check "the action is md.fail_member in dry-run" \
	test "$(db "select json_extract(data, '\$.actions[0].action') || ' ' || json_extract(data, '\$.actions[0].mode') from incidents where json_extract(data, '\$.known_error_id') = 'LAB-M4-AGE'")" = "md.fail_member dry-run"
vm_check "the shipped entry (limit far away) asked nothing" \
	test "$(db "select json_array_length(json_extract(data, '\$.actions')) from incidents where json_extract(data, '\$.known_error_id') = 'CRUCIAL-M4-5184H'")" = 0
vm_check "dry-run: $m4 is still in sync" vm_md_member_is md0 "$m4" in_sync
vm_storguardd_stop
vm_md_stop md0

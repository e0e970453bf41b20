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

# vmlab-title: storguardd on the guest's system bus: busctl and storguardctl against real devices
# vmlab-timeout: 300
#
# Issue 7's checks on a real kernel: storguardd serves org.storguard1 on the
# guest's dbus-daemon (policy installed where the package puts it); an md
# member fails for real; busctl and storguardctl see the incident, the
# device and array objects, the health change, acknowledge it, and an
# unprivileged caller is refused.
. /vmlab/lib.sh

SG="org.storguard1 /org/storguard1 org.storguard1.Manager"

vm_sd_load dev_size_mb=64
a=$(vm_sd_disks)
b=$(vm_disk_by_serial "$VM_HW_VSCSI0_SERIAL")
vm_dm_flakey sgflaky "$a"
flaky=$(vm_dm_name sgflaky)
VM_MD_OPTS="--metadata=1.2 --size=61440" vm_md_create md0 1 "$flaky" "$b"

mkdir -p /etc/storguard
cat >/etc/storguard/storguard.conf <<CONF
[Daemon]
LogLevel=info
[Diagnosis]
HoldSec=1s
[Health]
PollIntervalSec=0
CONF
vm_storguardd_start --state-dir=/var/lib/storguard-bus
vm_check "org.storguard1 is served, healthy" vm_dbus_wait_property 60 $SG OverallHealth 's "ok"'
/usr/bin/busctl --system tree org.storguard1 >"$VM_OUT/tree.txt"
vm_check "busctl tree shows the array object" grep -q "/org/storguard1/array/md_" "$VM_OUT/tree.txt"
vm_check "busctl tree shows device objects" grep -q "/org/storguard1/device/wwn_" "$VM_OUT/tree.txt"
/usr/bin/busctl --system introspect org.storguard1 /org/storguard1 >"$VM_OUT/introspect.txt"
for m in Acknowledge Resolve Close Isolate Reinstate Rescan Reload ListIncidents GetIncident; do
	vm_check "introspection lists $m" grep -q "\\.$m " "$VM_OUT/introspect.txt"
done
vm_check "storguardctl status: healthy, exit 0" /usr/bin/storguardctl status

vm_dm_flakey_fail sgflaky error_writes
dd if=/dev/zero of=/dev/md0 bs=4k count=16 oflag=direct 2>/dev/null || true
vm_check "OverallHealth turns critical" vm_dbus_wait_property 60 $SG OverallHealth 's "critical"'
set +e
/usr/bin/storguardctl status >"$VM_OUT/status.txt"
rc=$?
set -e
cat "$VM_OUT/status.txt"
vm_check "storguardctl status: unhealthy, exit 3" test "$rc" = 3
/usr/bin/storguardctl incidents --json >"$VM_OUT/incidents.json"
id=$(sed -n 's/.*"id": *"\([^"]*-[0-9]*\)".*/\1/p' "$VM_OUT/incidents.json" | head -n1)
vm_check "storguardctl incidents lists it" test -n "$id"
vm_check "it is on the bus as an object" /usr/bin/busctl --system get-property org.storguard1 \
	"/org/storguard1/incident/$(echo "$id" | sed 's/-/_2d/g')" org.storguard1.Incident Status
vm_check "an unprivileged caller may read" /usr/bin/busybox su -s /bin/sh nobody -c \
	"/usr/bin/busctl --system get-property $SG OverallHealth"
vm_check "an unprivileged caller may not close it" sh -c \
	"! /usr/bin/busybox su -s /bin/sh nobody -c '/usr/bin/busctl --system call $SG Close s $id' 2>/dev/null"
vm_check "root acknowledges it" /usr/bin/storguardctl ack "$id" --who=lab --comment="seen in the VM lab"
/usr/bin/storguardctl show "$id" --json >"$VM_OUT/incident.json"
vm_check "the acknowledgement is on the incident" grep -q '"acknowledged_by": *"lab"' "$VM_OUT/incident.json"
vm_check "the database is where --state-dir= said" test -f /var/lib/storguard-bus/storguard.db

vm_storguardd_stop
/usr/sbin/mdadm --stop /dev/md0 --quiet
/usr/sbin/dmsetup remove sgflaky
vm_sd_unload

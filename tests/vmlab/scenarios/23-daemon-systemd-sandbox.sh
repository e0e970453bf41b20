# vmlab-title: storguard.service under systemd (PID 1): the unit's sandbox, health reads, D-Bus, isolation, journal
# vmlab-timeout: 420
# vmlab-init: systemd
#
# Issue 10 ("the systemd unit's sandbox is exercised: the daemon works
# under it in the VM lab") and issue 9's unit, on a real kernel with the
# real service manager: this boot runs systemd as PID 1 (guest/init), and
# storguard.service is the unit `make install` put into the guest,
# unchanged but for a runtime drop-in adding --config.  Under its
# sandbox (three capabilities, NoNewPrivileges, seccomp, ProtectSystem=
# strict, DevicePolicy=closed, ...) the daemon must still:
#   - say READY=1 (Type=notify) and own org.storguard1 on the bus;
#   - read health over SG_IO from a SCSI disk, ATA SMART through SAT
#     pass-through (CAP_SYS_RAWIO) and the NVMe SMART log (CAP_SYS_ADMIN),
#     from read-only device nodes;
#   - read /dev/kmsg and notice an md member failure;
#   - isolate the member (writes md's dev-*/state under /sys/devices);
#   - log structured events to the journal (MESSAGE_ID=), reload on
#     `systemctl reload` and stop cleanly.
# And the sandbox must really be in force on the running process.
. /vmlab/lib.sh

SG="org.storguard1 /org/storguard1 org.storguard1.Manager"
db() { /usr/bin/sqlite3 -batch -noheader /var/lib/storguard/storguard.db "$1"; }

vm_check "systemd is PID 1" vm_systemd_is_pid1
vm_check "the package's storguard.service is installed" \
	sh -c '/usr/bin/systemctl cat storguard.service >"$VM_OUT/unit.txt"'

vm_sd_load dev_size_mb=64
a=$(vm_sd_disks)
b=$(vm_disk_by_serial "$VM_HW_VSCSI0_SERIAL")
nvme=$(vm_disk_by_serial "$VM_HW_NVME0_SERIAL") || vm_die "no NVMe namespace"
sata=$(vm_disk_by_serial "$VM_HW_SATA0_SERIAL") || vm_die "no SATA disk"
vm_dm_flakey sgflaky "$a"
flaky=$(vm_dm_name sgflaky)
VM_MD_OPTS="--metadata=1.2 --size=61440" vm_md_create md0 1 "$flaky" "$b"

mkdir -p /etc/storguard
cat >/etc/storguard/storguard.conf <<CONF
[Daemon]
LogLevel=info
[Response]
FailMdMember=enforce
BootHoldOffSec=0
[Diagnosis]
HoldSec=1s
[Health]
PollIntervalSec=5s
CONF

vm_storguardd_start
pid=$VM_STORGUARDD_PID
vm_check "storguard.service is active (READY=1 received)" test "$(/usr/bin/systemctl is-active storguard.service)" = active
vm_check "it owns org.storguard1" vm_dbus_wait_property 30 $SG OverallHealth 's "ok"'

# The sandbox, as the kernel sees the daemon's process.
grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' "/proc/$pid/status" >"$VM_OUT/process-status.txt"
cat "$VM_OUT/process-status.txt"
# CAP_SYS_RAWIO (17), CAP_SYS_ADMIN (21), CAP_SYSLOG (34): 0x400220000.
vm_check "bounding set: exactly the three capabilities" grep -q '^CapBnd:.*0000000400220000$' "$VM_OUT/process-status.txt"
vm_check "no new privileges" grep -q '^NoNewPrivs:.*1$' "$VM_OUT/process-status.txt"
vm_check "a seccomp filter is installed" grep -q '^Seccomp:.*2$' "$VM_OUT/process-status.txt"
cp "/proc/$pid/mountinfo" "$VM_OUT/mountinfo.txt"
ro_mount() { awk -v m="$1" '$5 == m { split($6, o, ","); if (o[1] == "ro") f = 1 } END { exit !f }' "$VM_OUT/mountinfo.txt"; }
rw_mount() { awk -v m="$1" '$5 == m { split($6, o, ","); if (o[1] == "rw") f = 1 } END { exit !f }' "$VM_OUT/mountinfo.txt"; }
vm_check "ProtectSystem=strict: / is read-only for the daemon" ro_mount /
vm_check "its state directory is writable" rw_mount /var/lib/storguard
sysfs_split() { rw_mount /sys/devices && ro_mount /sys; }
vm_check "/sys is read-only but /sys/devices writable (isolation)" sysfs_split
private_tmp() { awk '$5 == "/tmp" { f = 1 } END { exit !f }' "$VM_OUT/mountinfo.txt"; }
vm_check "PrivateTmp: the daemon has its own /tmp" private_tmp

# Health over SG_IO and the NVMe admin interface, from inside the sandbox.
health_read() { grep -q "Health of disk '$1' is ok" "$VM_OUT/storguardd.log"; }
vm_check "SCSI health read over SG_IO ($a)" vm_wait_for 90 "$a's health" health_read "$a"
vm_check "NVMe SMART log read ($nvme)" vm_wait_for 90 "$nvme's health" health_read "$nvme"
vm_check "ATA SMART through SAT pass-through ($sata)" vm_wait_for 90 "$sata's health" health_read "$sata"

# The md member fails: kmsg, /proc/mdstat, diagnosis, isolation through sysfs.
vm_dm_flakey_fail sgflaky error_writes
dd if=/dev/zero of=/dev/md0 bs=4k count=16 oflag=direct 2>/dev/null || true
vm_must_wait 30 "md to fail $flaky" vm_md_member_faulty md0 "$flaky"
isolated() { [ ! -e "/sys/block/md0/md/dev-$flaky" ]; }
vm_check "the sandboxed daemon removes $flaky from md0" vm_wait_for 60 "$flaky removed" isolated
# The member's incident.  (Health is polled here: QEMU's megasas disks answer
# TEST UNIT READY at probe and REQUEST SENSE with HARDWARE ERROR, an
# artefact of the emulation that storguard counts as evidence.)
mitigated() { [ "$(db "select status from incidents where dedup_key like 'disk.failed:%'")" = mitigated ]; }
vm_check "the incident is mitigated" vm_wait_for 30 "incident mitigated" mitigated
vm_check "OverallHealth is critical on the bus" vm_dbus_wait_property 30 $SG OverallHealth 's "critical"'

# The journal holds the structured events (the catalog's MESSAGE_IDs).
journal_has() { /usr/bin/journalctl --unit=storguard.service "MESSAGE_ID=$1" --output=cat | grep -q .; }
vm_check "journal: the incident (MESSAGE_ID disk-failed)" vm_wait_for 10 "journal entry" journal_has f48cc29e28454d2cb822d8f8b82e961e
vm_check "journal: the response action" vm_wait_for 10 "journal entry" journal_has 9ff7b48a2b8e42c08ab89ef64a77ac1c
/usr/bin/journalctl --unit=storguard.service --output=verbose >"$VM_OUT/journal-verbose.txt" 2>&1 || true
vm_check "journal fields carry the incident id" grep -q 'STORGUARD_INCIDENT_ID=' "$VM_OUT/journal-verbose.txt"
vm_check "nothing was denied by the sandbox" sh -c \
	"! grep -Ei 'operation not permitted|permission denied|read-only file system' $VM_OUT/storguardd.log"

/usr/bin/systemctl reload storguard.service
vm_check "still active after systemctl reload" test "$(/usr/bin/systemctl is-active storguard.service)" = active
vm_check "still answering after the reload" vm_dbus_wait_property 30 $SG OverallHealth 's "critical"'

vm_storguardd_stop
vm_check "stopped cleanly (Result=success)" test "$(/usr/bin/systemctl show -P Result storguard.service)" = success
/usr/bin/systemctl show storguard.service -p NRestarts -p ExecMainStatus -p Result >"$VM_OUT/unit-result.txt"
/usr/sbin/mdadm --stop /dev/md0 --quiet
/usr/sbin/dmsetup remove sgflaky
vm_sd_unload

# vmlab-title: storguardd: RAID1 member fails -> incident, member isolated (enforce), replaced -> resolved
# vmlab-timeout: 300
#
# Issues 5, 6 and 12 (scenario 1) on a real kernel, with the real daemon:
#   1. RAID1 over a scsi_debug disk behind dm-flakey and a virtio-scsi disk;
#   2. storguardd runs with [Response] FailMdMember=enforce;
#   3. dm-flakey starts failing writes: md fails that member;
#   4. storguardd notices it (/proc/mdstat POLLPRI), diagnoses a disk fault,
#      raises one incident, removes the failed member from md0 (the guard
#      allows it: md already failed it) and marks the incident mitigated;
#   5. a replacement disk is added and resynced: the array is optimal again
#      and the incident gets repaired / recovered / restored and resolved;
#   6. a webhook receiver in the guest (the SMS) got the incident's events
#      in order: "raised", then "mitigated", then "resolved" (the event
#      types of the native format; "updated" ones in between), each exactly
#      once, with increasing sequence numbers.
# Checks read the daemon's store with sqlite3; timings (realtime, from the
# moment before the dm table switch) go to timings.txt.
. /vmlab/lib.sh

now_us() { /usr/bin/sqlite3 :memory: "select cast((julianday('now') - 2440587.5) * 86400000000 as integer)"; }
db() { /usr/bin/sqlite3 -batch -noheader /var/lib/storguard/storguard.db "$1"; }

# The member that fails: a scsi_debug disk behind dm-flakey.  The healthy
# member and the replacement: the two virtio-scsi disks.
vm_sd_load dev_size_mb=64
a=$(vm_sd_disks)
b=$(vm_disk_by_serial "$VM_HW_VSCSI0_SERIAL")
spare=$(vm_disk_by_serial "$VM_HW_VSCSI1_SERIAL")
vm_dm_flakey sgflaky "$a"
flaky=$(vm_dm_name sgflaky)
# 60 MiB: the scsi_debug disk is the smallest.
VM_MD_OPTS="--metadata=1.2 --size=61440" vm_md_create md0 1 "$flaky" "$b"

mkdir -p /etc/storguard /var/lib/storguard
cat >/etc/storguard/storguard.conf <<CONF
[Daemon]
LogLevel=info
StateDirectory=/var/lib/storguard
[Response]
FailMdMember=enforce
BootHoldOffSec=0
[Diagnosis]
# Disk faults wait this long for a controller-wide pattern before they are
# raised (default 2min); the lab shortens it to measure the rest.
HoldSec=1s
[Health]
PollIntervalSec=0
[Webhook.sms]
URL=http://127.0.0.1:8080/cgi-bin/hook
Format=native
RetryInitialSec=1s
RetryMaxSec=2s
CONF

vm_webhook_receiver_start 8080
vm_storguardd_start
started() { grep -q "Found array 'md0'" "$VM_OUT/storguardd.log"; }
vm_must_wait 60 "storguardd to list md0" started

t0=$(now_us)
vm_dm_flakey_fail sgflaky error_writes
# Writes reach the failing member at once; md fails it on the first error.
dd if=/dev/zero of=/dev/md0 bs=4k count=16 oflag=direct 2>/dev/null || true
vm_must_wait 30 "md to fail $flaky" vm_md_member_faulty md0 "$flaky"

isolated() { [ ! -e "/sys/block/md0/md/dev-$flaky" ]; }
vm_check "storguardd removes the failed member $flaky from md0" vm_wait_for 60 "$flaky removed" isolated
mitigated() { [ "$(db "select status from incidents")" = mitigated ]; }
vm_check "the incident is mitigated" vm_wait_for 30 "incident mitigated" mitigated

vm_check "exactly one incident" test "$(db 'select count(*) from incidents')" = 1
db "select data from incidents" >"$VM_OUT/incident-mitigated.json"
vm_check "the incident names the failed disk" grep -q "\"ci_id\":\"wwn-" "$VM_OUT/incident-mitigated.json"
vm_check "its action is recorded as done" grep -q '"result":"done: '"$flaky"' failed and removed from md0"' \
	"$VM_OUT/incident-mitigated.json"
vm_check "impact: redundancy lost" grep -q '"impact":"redundancy-lost"' "$VM_OUT/incident-mitigated.json"

detected=$(db "select json_extract(data, '\$.lifecycle.detected') from incidents")
acted=$(db "select json_extract(data, '\$.actions[0].time_usec') from incidents")
echo "fault injection -> incident detected: $(((detected - t0) / 1000)) ms (HoldSec=1s included)" >>"$VM_OUT/timings.txt"
echo "fault injection -> member isolated: $(((acted - t0) / 1000)) ms" >>"$VM_OUT/timings.txt"

# The replacement: a new disk, resynced.
/usr/sbin/mdadm /dev/md0 --add "/dev/$spare" --quiet || vm_die "cannot add $spare"
optimal() { [ "$(cat /sys/block/md0/md/degraded)" = 0 ] && [ "$(cat /sys/block/md0/md/sync_action)" = idle ]; }
vm_must_wait 120 "md0 resynced" optimal
resolved() { [ "$(db "select status from incidents")" = resolved ]; }
vm_check "the incident is resolved once md0 is optimal again" vm_wait_for 60 "incident resolved" resolved
db "select data from incidents" >"$VM_OUT/incident-resolved.json"
for stage in repaired recovered restored; do
	vm_check "lifecycle stage $stage stamped" grep -q "\"$stage\":" "$VM_OUT/incident-resolved.json"
done
restored=$(db "select json_extract(data, '\$.lifecycle.restored') from incidents")
echo "MTRS of this incident (detected -> restored): $(((restored - detected) / 1000)) ms" >>"$VM_OUT/timings.txt"
db "select seq, type from incident_events order by seq" >"$VM_OUT/incident-events.txt"

# What the SMS heard, in the order it arrived (the receiver names each
# request by its arrival time).
delivered() {
	[ "$(db "select count(*) from outbox where state != 'delivered'")" = 0 ] &&
		[ "$(db "select count(*) from outbox")" -ge 3 ]
}
vm_check "every webhook event delivered" vm_wait_for 60 "outbox drained" delivered
for f in "$VM_WEBHOOK_DIR"/*.body; do
	printf '%s %s %s\n' "$(sed -n 's/.*"event_type":"\([^"]*\)".*/\1/p' "$f")" \
		"$(sed -n 's/.*"sequence":\([0-9]*\).*/\1/p' "$f")" \
		"$(sed -n 's/.*"incident":{"id":"\([^"]*\)".*/\1/p' "$f")"
done >"$VM_OUT/webhooks.txt"
cat "$VM_OUT/webhooks.txt"
vm_check "one delivery per queued event" test "$(wc -l <"$VM_OUT/webhooks.txt")" = "$(db "select count(*) from outbox")"
vm_check "every delivery is about the one incident" \
	test "$(cut -d' ' -f3 "$VM_OUT/webhooks.txt" | sort -u)" = "$(db "select id from incidents")"
vm_check "deliveries arrive in sequence order" sh -c "cut -d' ' -f2 '$VM_OUT/webhooks.txt' | sort -n -c"
vm_check "deliveries arrive without duplicates" \
	test "$(cut -d' ' -f2 "$VM_OUT/webhooks.txt" | sort -u | wc -l)" = "$(wc -l <"$VM_OUT/webhooks.txt")"
vm_check "the SMS heard raised, then mitigated, then resolved" \
	test "$(grep -E '^(raised|mitigated|resolved) ' "$VM_OUT/webhooks.txt" | cut -d' ' -f1 | tr '\n' ' ')" = "raised mitigated resolved "
vm_check "the first delivery opens the incident" test "$(head -n1 "$VM_OUT/webhooks.txt" | cut -d' ' -f1)" = raised
cat "$VM_OUT/timings.txt"

vm_storguardd_stop
/usr/sbin/mdadm --stop /dev/md0 --quiet
/usr/sbin/dmsetup remove sgflaky
vm_sd_unload

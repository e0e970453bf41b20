# vmlab-title: storguardd: the cascade — a RAID1 behind one controller, then a timeout/reset storm on it
# vmlab-timeout: 420
#
# The outage of ../shared/CONTEXT.md on a real kernel with the real daemon
# (issues 5, 6 and 12 scenario 2).  md0 is a RAID1 over two disks of one
# scsi_debug host (the "controller"); two virtio-scsi disks on another host
# stay healthy.  Every command to the scsi_debug host then times out: SCSI
# error handling escalates (aborts, device/target/bus/host resets) and
# finally offlines the host's disks; on the way md fails one member (the
# write to md0 times out on it), and md0 breaks once both are offline.
# Expected from storguardd:
#   - ONE controller incident, major, naming the scsi_debug host, raised
#     before md0 becomes unavailable;
#   - ONE incident for the member md failed (a fact: md0 lost redundancy),
#     linked to the controller incident (related_id in the store, RelatedId
#     in D-Bus GetIncident, related_id in its webhook "raised" payload);
#   - no disk isolated (the guard: never isolate while the controller is
#     the suspect), even with FailMdMember=enforce: the refusal is recorded
#     on the member incident;
#   - no incidents for the timeouts and resets of the disks themselves
#     (every disk incident is linked to the controller incident), nothing
#     about the healthy virtio-scsi disks.
. /vmlab/lib.sh

db() { /usr/bin/sqlite3 -batch -noheader /var/lib/storguard/storguard.db "$1"; }
now_us() { /usr/bin/sqlite3 :memory: "select cast((julianday('now') - 2440587.5) * 86400000000 as integer)"; }

vm_sd_load add_host=1 num_tgts=4 max_luns=1 dev_size_mb=32
sick=$(echo $(vm_sd_disks))
set -- $sick
m1=$1 m2=$2
healthy="$(vm_disk_by_serial "$VM_HW_VSCSI0_SERIAL") $(vm_disk_by_serial "$VM_HW_VSCSI1_SERIAL")"
for d in $sick; do
	echo 2 >"/sys/block/$d/device/timeout"
	echo 1 >"/sys/block/$d/device/eh_timeout"
done
# scsi_debug disks of one host share one RAM store: the two members use
# disjoint halves of it, through dm-linear (md sees dm-N; storguard follows
# each member to its disk through slaves/).
half=$(($(vm_sectors "$m1") / 2))
echo "0 $half linear /dev/$m1 0" | /usr/sbin/dmsetup create sgm1 || vm_die "dm-linear over $m1"
echo "0 $half linear /dev/$m2 $half" | /usr/sbin/dmsetup create sgm2 || vm_die "dm-linear over $m2"
vm_settle
d1=$(vm_dm_name sgm1)
d2=$(vm_dm_name sgm2)
VM_MD_OPTS="--metadata=1.2" vm_md_create md0 1 "$d1" "$d2"

mkdir -p /etc/storguard /var/lib/storguard
cat >/etc/storguard/storguard.conf <<CONF
[Daemon]
LogLevel=info
StateDirectory=/var/lib/storguard
[Response]
FailMdMember=enforce
OfflineScsiDevice=enforce
BootHoldOffSec=0
[Diagnosis]
HoldSec=20s
[Health]
PollIntervalSec=0
[Latency]
SampleIntervalSec=2s
[Webhook.lab]
URL=http://127.0.0.1:8080/cgi-bin/hook
Format=native
RetryInitialSec=1s
RetryMaxSec=2s
CONF

vm_webhook_receiver_start 8080
vm_storguardd_start
started() { grep -q "Found array 'md0'" "$VM_OUT/storguardd.log"; }
vm_must_wait 60 "storguardd to list md0" started

# When does md0 stop serving?  Its array_state leaves the running states
# ("broken" once its last member is offline); sampled every 20 ms, a
# measurement's resolution, not a synchronisation.
(
	while read -r st </sys/block/md0/md/array_state; do
		case $st in clean | active | active-idle | write-pending | read-auto) ;; *) break ;; esac
		[ -e /tmp/storm-over ] && exit 0
		/usr/bin/busybox usleep 20000
	done
	echo "$(vm_realtime_us) ${st:-gone}" >/tmp/md0-unavailable
) &
watcher=$!

t0=$(now_us)
vm_sd_inject timeout 1
for d in $sick; do vm_read "$d" 8 & done
for d in $sick; do vm_read "$d" 8 "" & done
# md0 writes too, as a database on it would.
dd if=/dev/zero of=/dev/md0 bs=4k count=4 oflag=direct 2>/dev/null &

ctrl_raised() { [ "$(db "select count(*) from incidents where json_extract(data, '\$.category') = 'controller'")" -ge 1 ]; }
vm_check "a controller incident is raised" vm_wait_for 240 "controller incident" ctrl_raised
tc=$(db "select json_extract(data, '\$.lifecycle.detected') from incidents where json_extract(data, '\$.category') = 'controller'")
echo "storm start -> controller incident: $(((tc - t0) / 1000)) ms" >>"$VM_OUT/timings.txt"
all_offline() {
	for _d in $sick; do [ "$(cat /sys/block/$_d/device/state)" = offline ] || return 1; done
}
vm_must_wait 240 "error handling to give up on the sick disks" all_offline
md0_down() { [ -s /tmp/md0-unavailable ]; }
vm_check "md0 becomes unavailable once its members are offline" vm_wait_for 30 "md0 unavailable" md0_down
touch /tmp/storm-over
wait "$watcher" || true
read -r tu ustate </tmp/md0-unavailable
echo "storm start -> md0 $ustate: $(((tu - t0) / 1000)) ms" >>"$VM_OUT/timings.txt"
echo "controller incident ahead of md0 going $ustate by $(((tu - tc) / 1000)) ms" >>"$VM_OUT/timings.txt"
vm_check "the controller incident is raised before md0 is unavailable" test "$tc" -lt "$tu"
vm_sd_clear
# Give held-back disk faults their chance to come out (they must not).
hold_over() { grep -q "Stopping" "$VM_OUT/storguardd.log" || [ "$(($(now_us) - tc))" -gt 25000000 ]; }
vm_wait_for 40 "the hold-off of disk faults" hold_over || true

db "select id, json_extract(data, '\$.category'), json_extract(data, '\$.ci_id'), json_extract(data, '\$.major'), json_extract(data, '\$.related_id'), json_extract(data, '\$.title') from incidents" >"$VM_OUT/incidents.txt"
db "select data from incidents" >"$VM_OUT/incidents.json"
cat "$VM_OUT/incidents.txt"

vm_check "exactly one controller incident" test "$(db "select count(*) from incidents where json_extract(data, '\$.category') = 'controller'")" = 1
vm_check "the controller incident is major" test "$(db "select json_extract(data, '\$.major') from incidents where json_extract(data, '\$.category') = 'controller'")" = 1
vm_check "it names the scsi_debug host" grep -q "scsi-pseudo_0-adapter0" "$VM_OUT/incidents.txt"
vm_check "no disk was isolated" sh -c "! grep -q '\"mode\":\"enforce\"' '$VM_OUT/incidents.json'"
for d in $d1 $d2; do
	vm_check "md member $d was not removed by storguard" test -e "/sys/block/md0/md/dev-$d"
done
ctrl_id=$(db "select id from incidents where json_extract(data, '\$.category') = 'controller'")
unlinked=$(db "select count(*) from incidents where json_extract(data, '\$.category') = 'disk' and coalesce(json_extract(data, '\$.related_id'), '') != '$ctrl_id'")
vm_check "every disk incident is linked to the controller incident" test "$unlinked" = 0

# The member md failed: its own incident, tied to the controller's.
failed_member=$(for d in $d1 $d2; do if vm_md_member_faulty md0 "$d"; then echo "$d"; fi; done)
vm_log "md failed: ${failed_member:-none}"
vm_check "md failed one member during the storm" test -n "$failed_member"
vm_check "exactly one member incident" \
	test "$(db "select count(*) from incidents where json_extract(data, '\$.dedup_key') like 'disk.failed:%'")" = 1
member=$(db "select id from incidents where json_extract(data, '\$.dedup_key') like 'disk.failed:%'")
vm_check "the member incident is about md0" \
	test "$(db "select json_extract(data, '\$.ci.array') from incidents where id = '$member'")" = md0
vm_check "the member incident links to the controller incident" \
	test "$(db "select json_extract(data, '\$.related_id') from incidents where id = '$member'")" = "$ctrl_id"
vm_check "its isolation was refused: the controller is suspect" \
	test "$(db "select count(*) from incidents, json_each(data, '\$.actions') where incidents.id = '$member' and json_extract(value, '\$.mode') = 'refused' and json_extract(value, '\$.result') like '%controller suspect%'")" = 1
/usr/bin/busctl --system call org.storguard1 /org/storguard1 org.storguard1.Manager GetIncident s "$member" \
	>"$VM_OUT/member-getincident.txt"
vm_check "D-Bus GetIncident shows the link" grep -q "\"related_id\" s \"$ctrl_id\"" "$VM_OUT/member-getincident.txt"
delivered() {
	[ "$(db "select count(*) from outbox where state != 'delivered'")" = 0 ] &&
		[ "$(db "select count(*) from outbox")" -ge 2 ]
}
vm_check "every webhook event delivered" vm_wait_for 60 "outbox drained" delivered
raised_linked() {
	for _f in "$VM_WEBHOOK_DIR"/*.body; do
		grep -q '"event_type":"raised"' "$_f" && grep -q "\"incident\":{\"id\":\"$member\"" "$_f" &&
			grep -q "\"related_id\":\"$ctrl_id\"" "$_f" && return 0
	done
	return 1
}
vm_check "the member's webhook 'raised' payload carries the link" raised_linked
for d in $healthy; do
	vm_check "nothing about healthy $d" sh -c "! grep -q '\"name\":\"$d\"' '$VM_OUT/incidents.json'"
	vm_check "healthy $d still running" test "$(cat /sys/block/$d/device/state)" = running
done
cat "$VM_OUT/timings.txt"

vm_storguardd_stop
for d in $sick; do vm_dev_online "$d"; done
/usr/sbin/mdadm --stop /dev/md0 --quiet || true
/usr/sbin/dmsetup remove sgm1 || true
/usr/sbin/dmsetup remove sgm2 || true

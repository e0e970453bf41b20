# vmlab-title: storguardd killed -9 at random moments, again and again, under load: nothing lost, nothing doubled
# vmlab-timeout: 600
#
# Issue 10 ("kill -9 at random moments under load, restart, and check no
# incident, outbox event or isolation record is lost or duplicated; the
# daemon resumes the kmsg stream without re-raising old history") as a
# loop.  Load: medium errors on a scsi_debug disk read over and over (a
# steady stream of kernel-log errors, a media incident updated again and
# again), a webhook endpoint, and in the middle of the loop an md RAID1
# member that fails for real and is isolated (enforce).  KILLS times:
# start storguardd, let it run a random 0-2.5 s, SIGKILL.  Then one last
# start, and the checks:
#   - no dedup key has two incidents (nothing raised twice);
#   - every incident's events are numbered without gaps;
#   - the md member is isolated and the isolation is recorded exactly once;
#   - every outbox event reached the receiver (at least once);
#   - the media incident counts no more occurrences than the kernel logged
#     error records for that disk (the kernel log is never replayed).
. /vmlab/lib.sh

KILLS=${KILLS:-25}
FAIL_AT=8       # the md member fails just before this start

db() { /usr/bin/sqlite3 -batch -noheader /var/lib/storguard/storguard.db "$1"; }
# rand_ms MAX - a random whole number of milliseconds in [0, MAX).
rand_ms() { echo $(($(od -An -N2 -tu2 /dev/urandom) % $1)); }

vm_webhook_receiver_start 8080

# The mirror: two virtio-scsi disks, one behind dm-flakey.  The noisy disk:
# scsi_debug with medium errors on a range it keeps being asked for.
a=$(vm_disk_by_serial "$VM_HW_VSCSI0_SERIAL")
b=$(vm_disk_by_serial "$VM_HW_VSCSI1_SERIAL")
vm_dm_flakey sgflaky "$a"
flaky=$(vm_dm_name sgflaky)
VM_MD_OPTS="--metadata=1.2 --size=61440" vm_md_create md0 1 "$flaky" "$b"
vm_sd_load dev_size_mb=16 medium_error_start=2048 medium_error_count=64
noisy=$(vm_sd_disks)

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
[Latency]
SampleIntervalSec=1s
[Webhook.lab]
URL=$VM_WEBHOOK_URL
Format=native
RetryInitialSec=1s
RetryMaxSec=2s
CONF

vm_kmsg_mark kill-loop-start
vm_sd_inject medium
# The load: the noisy disk's bad range read again and again (each read is
# one medium error in the kernel log), until /tmp/stop-load appears.
(
	while [ ! -e /tmp/stop-load ]; do
		vm_read "$noisy" 4 1024
	done
) &
load=$!

i=1
while [ "$i" -le "$KILLS" ]; do
	if [ "$i" = "$FAIL_AT" ]; then
		vm_dm_flakey_fail sgflaky error_writes
		dd if=/dev/zero of=/dev/md0 bs=4k count=16 oflag=direct 2>/dev/null || true
		vm_must_wait 30 "md to fail $flaky" vm_md_member_faulty md0 "$flaky"
	fi
	vm_storguardd_start
	ms=$(rand_ms 2500)
	# A random moment: this is the point of the test, not a synchronisation.
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	kill -9 "$VM_STORGUARDD_PID"
	vm_wait_for 30 "storguardd to die" vm__pid_gone "$VM_STORGUARDD_PID" || vm_die "storguardd survived SIGKILL"
	echo "kill $i after $ms ms" >>"$VM_OUT/kills.txt"
	VM_STORGUARDD_PID=
	i=$((i + 1))
done
touch /tmp/stop-load
wait "$load" || true
vm_sd_clear
vm_kmsg_mark kill-loop-end
vm_log "$KILLS kills done; the last start"

vm_storguardd_start
isolated() { [ ! -e "/sys/block/md0/md/dev-$flaky" ]; }
vm_check "$flaky is isolated from md0" vm_wait_for 60 "$flaky removed" isolated
md_incident="dedup_key like 'disk.failed:%'"
mitigated() { [ "$(db "select status from incidents where $md_incident")" = mitigated ]; }
vm_check "its incident is mitigated" vm_wait_for 60 "md member incident mitigated" mitigated
delivered() {
	[ "$(db "select count(*) from outbox where state != 'delivered'")" = 0 ] &&
		[ "$(db "select count(*) from outbox")" -ge 1 ]
}
vm_check "every webhook event delivered" vm_wait_for 90 "outbox drained" delivered

db "select id, dedup_key, status, seq, json_extract(data, '\$.occurrences') from incidents" | tee "$VM_OUT/incidents.txt"
vm_check "no dedup key has two incidents" \
	test "$(db "select count(*) from (select dedup_key from incidents group by dedup_key having count(*) > 1)")" = 0
gaps=$(db "select count(*) from incidents i where (select count(*) from incident_events e where e.incident_id = i.id) != i.seq")
vm_check "every incident's events numbered without gaps" test "$gaps" = 0
done_actions=$(db "select count(*) from incidents, json_each(json_extract(data, '\$.actions')) a
	where $md_incident and json_extract(a.value, '\$.result') like 'done:%'")
vm_check "the isolation is recorded exactly once (found $done_actions)" test "$done_actions" = 1

db "select event_id from outbox order by rowid" >/tmp/queued
for h in "$VM_WEBHOOK_DIR"/*.headers; do
	sed -n 's/^HTTP_WEBHOOK_ID=//p' "$h"
done | sed 's/%2[Ee]/./g' >/tmp/received
sort -u /tmp/received >/tmp/got
missing=0
while read -r id; do grep -qx "$id" /tmp/got || { vm_log "not received: $id"; missing=$((missing + 1)); }; done </tmp/queued
vm_check "the receiver got every queued event id" test "$missing" = 0

# The kernel log: error records about the noisy disk, against what the
# media incident counted.
vm_kmsg_between kill-loop-start kill-loop-end >/tmp/kmsg
logged=$(grep -c "\[$noisy\].*Sense Key : Medium Error" /tmp/kmsg || true)
counted=$(db "select coalesce(max(json_extract(data, '\$.occurrences')), 0) from incidents where dedup_key like 'disk.media:%'")
vm_check "a media incident for $noisy exists" test "$(db "select count(*) from incidents where dedup_key like 'disk.media:%'")" = 1
vm_check "occurrences ($counted) <= medium errors the kernel logged ($logged): no replay" test "$counted" -le "$logged"
{
	echo "kills: $KILLS (random 0-2.5 s after each start; md member failed before start $FAIL_AT)"
	echo "incidents: $(db 'select count(*) from incidents'), events: $(db 'select count(*) from incident_events')"
	echo "outbox events: $(wc -l </tmp/queued), requests received: $(wc -l </tmp/received), distinct ids: $(wc -l </tmp/got)"
	echo "medium errors logged by the kernel: $logged, occurrences on the media incident: $counted"
} | tee -a "$VM_OUT/timings.txt"

vm_storguardd_stop
/usr/sbin/mdadm --stop /dev/md0 --quiet || true
/usr/sbin/dmsetup remove sgflaky || true
vm_sd_unload

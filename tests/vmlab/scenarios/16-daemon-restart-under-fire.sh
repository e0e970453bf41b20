# vmlab-title: storguardd killed -9 in the middle of the cascade and restarted: nothing raised twice, no webhook event lost
# vmlab-timeout: 480
#
# Issues 6, 8, 10 and 12 (scenario 8).  The cascade of scenario 12 (a RAID1
# behind one scsi_debug host, then a timeout/reset storm on the host), with
# a webhook endpoint: a real HTTP server in the guest (busybox httpd, a CGI
# that records every request).  storguardd is killed with SIGKILL while the
# storm goes on, and started again at once.  Expected:
#   - one controller incident (the restart does not raise it again), its
#     events numbered without gaps;
#   - every outbox event delivered to the receiver (at least once; repeats
#     only of ids already received);
#   - the kernel log's old records are not raised again (the kmsg cursor).
. /vmlab/lib.sh

db() { /usr/bin/sqlite3 -batch -noheader /var/lib/storguard/storguard.db "$1"; }

# The receiver: busybox httpd on loopback, a CGI that logs each POST.
mkdir -p /tmp/www/cgi-bin
cat >/tmp/www/cgi-bin/hook <<'CGI'
#!/bin/sh
body=$(/usr/bin/busybox head -c "${CONTENT_LENGTH:-0}")
printf '%s %s\n' "${HTTP_WEBHOOK_ID:-none}" "$(printf '%s' "$body" | /usr/bin/busybox wc -c)" >>/tmp/received
printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok\n'
CGI
chmod +x /tmp/www/cgi-bin/hook
: >/tmp/received
/usr/bin/busybox ip link set lo up
/usr/bin/busybox httpd -p 127.0.0.1:8080 -h /tmp/www || vm_die "cannot start busybox httpd"

vm_sd_load add_host=1 num_tgts=4 max_luns=1 dev_size_mb=32
sick=$(echo $(vm_sd_disks))
set -- $sick
m1=$1 m2=$2
for d in $sick; do
	echo 2 >"/sys/block/$d/device/timeout"
	echo 1 >"/sys/block/$d/device/eh_timeout"
done
half=$(($(vm_sectors "$m1") / 2))
echo "0 $half linear /dev/$m1 0" | /usr/sbin/dmsetup create sgm1 || vm_die "dm-linear over $m1"
echo "0 $half linear /dev/$m2 $half" | /usr/sbin/dmsetup create sgm2 || vm_die "dm-linear over $m2"
vm_settle
VM_MD_OPTS="--metadata=1.2" vm_md_create md0 1 "$(vm_dm_name sgm1)" "$(vm_dm_name sgm2)"

mkdir -p /etc/storguard /var/lib/storguard
cat >/etc/storguard/storguard.conf <<CONF
[Daemon]
LogLevel=info
StateDirectory=/var/lib/storguard
[Response]
FailMdMember=enforce
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
vm_storguardd_start
started() { grep -q "Found array 'md0'" "$VM_OUT/storguardd.log"; }
vm_must_wait 60 "storguardd to list md0" started

vm_sd_inject timeout 1
for d in $sick; do vm_read "$d" 8 & done
dd if=/dev/zero of=/dev/md0 bs=4k count=4 oflag=direct 2>/dev/null &

ctrl() { [ "$(db "select count(*) from incidents where json_extract(data, '\$.category') = 'controller'")" -ge 1 ]; }
vm_must_wait 240 "the controller incident" ctrl
# In the middle of it: SIGKILL, and start again at once.
kill -9 "$VM_STORGUARDD_PID"
vm_wait_for 30 "storguardd to die" vm__pid_gone "$VM_STORGUARDD_PID" || vm_die "storguardd survived SIGKILL"
vm_log "storguardd killed with SIGKILL during the storm; starting it again"
vm_storguardd_start
vm_must_wait 60 "storguardd restarted" sh -c "grep -c \"Found array 'md0'\" '$VM_OUT/storguardd.log' | grep -q 2"

all_offline() {
	for _d in $sick; do [ "$(cat /sys/block/$_d/device/state)" = offline ] || return 1; done
}
vm_must_wait 240 "error handling to give up on the sick disks" all_offline
vm_sd_clear

# Every event in the outbox delivered.
delivered() {
	[ "$(db "select count(*) from outbox where state != 'delivered'")" = 0 ] &&
		[ "$(db "select count(*) from outbox")" -ge 1 ]
}
vm_check "every webhook event delivered" vm_wait_for 60 "outbox drained" delivered
db "select event_id from outbox order by rowid" >/tmp/queued
cut -d' ' -f1 /tmp/received | sed 's/%2[Ee]/./g' | sort -u >/tmp/got
missing=0
while read -r id; do grep -qx "$id" /tmp/got || { vm_log "not received: $id"; missing=$((missing + 1)); }; done </tmp/queued
vm_check "the receiver got every queued event id" test "$missing" = 0
echo "queued $(wc -l </tmp/queued), received $(wc -l </tmp/received) requests, $(wc -l </tmp/got) distinct ids" >>"$VM_OUT/timings.txt"

vm_check "one controller incident across the restart" \
	test "$(db "select count(*) from incidents where json_extract(data, '\$.category') = 'controller'")" = 1
gaps=$(db "select count(*) from incidents i where (select count(*) from incident_events e where e.incident_id = i.id) != i.seq")
vm_check "every incident's events numbered without gaps" test "$gaps" = 0
vm_check "no incident raised twice" test "$(db "select count(*) from (select dedup_key from incidents where status in ('open','mitigated') group by dedup_key having count(*) > 1)")" = 0
vm_check "the restart skipped the kernel log it had handled" grep -q "Loaded .* incident" "$VM_OUT/storguardd.log"
db "select id, json_extract(data, '\$.category'), status, seq from incidents" | tee "$VM_OUT/incidents.txt"
cp /tmp/received "$VM_OUT/received.txt"
cat "$VM_OUT/timings.txt"

vm_storguardd_stop
for d in $sick; do vm_dev_online "$d"; done
/usr/sbin/mdadm --stop /dev/md0 --quiet || true
/usr/sbin/dmsetup remove sgm1 || true
/usr/sbin/dmsetup remove sgm2 || true

# vmlab-title: storguardd killed -9 with part of a media-error window counted: the evidence survives, the fault is raised once with the next error
# vmlab-timeout: 300
#
# Issue 6.  A scsi_debug disk answers reads of LBAs [20000, 20064) with
# MEDIUM ERROR.  storguardd runs with a media-error threshold it cannot
# reach with one read: one read's errors are counted (k of them, as the
# saved diagnosis state says), the daemon is killed with SIGKILL and started
# again with the threshold at k + 1 (a restored engine takes today's
# parameters), and one more read fails.  Expected:
#   - the restart says it restored the diagnosis state;
#   - one disk.media incident, whose first evidence is from before the kill
#     (without the saved window the threshold is not reached and there is
#     no incident);
#   - the kernel log records handled before the kill are not fed again
#     (the saved window is not counted twice: the fault needs the new read).
. /vmlab/lib.sh

db() { /usr/bin/sqlite3 -batch -noheader /var/lib/storguard/storguard.db "$1"; }

vm_sd_load dev_size_mb=64 medium_error_start=20000 medium_error_count=64
bad=$(vm_sd_disks)

config() {
	mkdir -p /etc/storguard /var/lib/storguard
	cat >/etc/storguard/storguard.conf <<CONF
[Daemon]
LogLevel=debug
StateDirectory=/var/lib/storguard
[Diagnosis]
MediaErrors=$1
HoldSec=5s
[Health]
PollIntervalSec=0
[Latency]
SampleIntervalSec=0
CONF
}

# The saved kmsg cursor has reached the marker: everything before it was
# fed into diagnosis and saved with it (one transaction).
cursor_seq() { db "select value from state where key = 'kmsg.cursor'" 2>/dev/null | cut -d' ' -f2; } # no table before the first start
marker_seq() { grep -F ";vmlab: $1" "$VM_KMSG" | head -n1 | cut -d, -f2; }
caught_up() {
	_m=$(marker_seq "$1")
	_c=$(cursor_seq)
	[ -n "$_m" ] && [ -n "$_c" ] && [ "$_c" -ge "$_m" ]
}
# Media errors of the disk in the saved SERD window.
saved_media() {
	db "select json_array_length(json_extract(n.value, '\$.serd.media.times'))
	    from state, json_each(json_extract(state.value, '\$.nodes')) n
	    where state.key = 'diagnosis.snapshot' and json_extract(n.value, '\$.name') = '$bad'"
}
media_incidents() { db "select count(*) from incidents where dedup_key like 'disk.media:%'"; }

config 1000
vm_storguardd_start
vm_kmsg_mark "partial: started"
vm_must_wait 60 "storguardd to handle the kernel log" caught_up "partial: started"

vm_sd_inject medium
vm_read "$bad" 4 10000 # LBA 20000
vm_sd_clear
vm_kmsg_mark "partial: first read"
vm_must_wait 60 "the first read's errors saved" caught_up "partial: first read"
k=$(saved_media)
vm_log "saved media-error window of $bad after one read: ${k:-none}"
vm_check "the first read's media errors are in the saved window" test "${k:-0}" -ge 1
vm_check "no incident yet" test "$(media_incidents)" = 0
# The saved state as it is on disk (tests/fixtures/diagnosis/ keeps one).
db "select value from state where key = 'diagnosis.snapshot'" >"$VM_OUT/diagnosis-snapshot.json"

killed_s=$(date +%s)
kill -9 "$VM_STORGUARDD_PID"
vm_wait_for 30 "storguardd to die" vm__pid_gone "$VM_STORGUARDD_PID" || vm_die "storguardd survived SIGKILL"
VM_STORGUARDD_PID=

config $((k + 1))
vm_storguardd_start
vm_kmsg_mark "partial: restarted"
vm_must_wait 60 "the restarted storguardd to catch up" caught_up "partial: restarted"
vm_check "the restart restored the diagnosis state" grep -q "Restored the diagnosis state" "$VM_OUT/storguardd.log"
vm_check "still no incident: the old records are not counted again" test "$(media_incidents)" = 0

vm_sd_inject medium
vm_read "$bad" 4 10000
vm_sd_clear
one() { [ "$(media_incidents)" -ge 1 ]; }
vm_check "the media fault is raised with the next read" vm_wait_for 60 "the disk.media incident" one
vm_check "raised once" test "$(media_incidents)" = 1
first_s=$(db "select json_extract(data, '\$.evidence[0].time_usec') / 1000000 from incidents where dedup_key like 'disk.media:%'")
vm_log "first evidence at ${first_s:-?} s, killed at $killed_s s"
vm_check "its first evidence is from before the kill" test "${first_s:-$killed_s}" -lt "$killed_s"
db "select data from incidents where dedup_key like 'disk.media:%'" >"$VM_OUT/incident.json"

vm_storguardd_stop

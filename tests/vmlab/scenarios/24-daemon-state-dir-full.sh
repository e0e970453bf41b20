# vmlab-title: storguardd with its state directory full: keeps monitoring, isolating and answering; catches up when space returns
# vmlab-timeout: 300
#
# Issue 10 ("the state directory read-only or full: the daemon keeps
# monitoring and reporting over D-Bus and the journal, says loudly what it
# cannot persist, and catches up when space returns") and issue 6 ("a
# store that loses nothing").  The state directory is a 4 MiB tmpfs; once
# storguardd runs, a filler file takes every free block.  Then an md
# member fails for real.  Expected:
#   - the incident is raised and the member isolated (enforce) anyway,
#     visible on D-Bus (storguardctl) while the store refuses to write;
#   - the daemon says once, loudly, that it cannot write incidents;
#   - the filler is removed: without any new event, the pending changes
#     are written (the retry timer) and the daemon says it caught up; the
#     store then holds the incident with every event, mitigated.
. /vmlab/lib.sh

STATE=/var/lib/storguard-small
db() { /usr/bin/sqlite3 -batch -noheader "$STATE/storguard.db" "$1"; }

a=$(vm_disk_by_serial "$VM_HW_VSCSI0_SERIAL")
b=$(vm_disk_by_serial "$VM_HW_VSCSI1_SERIAL")
vm_dm_flakey sgflaky "$a"
flaky=$(vm_dm_name sgflaky)
VM_MD_OPTS="--metadata=1.2 --size=61440" vm_md_create md0 1 "$flaky" "$b"

mkdir -p "$STATE" /etc/storguard
mount -t tmpfs -o size=4m,mode=0700 tmpfs "$STATE" || vm_die "cannot mount a small tmpfs on $STATE"
cat >/etc/storguard/storguard.conf <<CONF
[Daemon]
LogLevel=info
StateDirectory=$STATE
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
vm_check "the store exists" test -f "$STATE/storguard.db"

# Every free block taken.
dd if=/dev/zero of="$STATE/filler" bs=64k 2>/dev/null || true
vm_log "state directory full: $(df -k "$STATE" | tail -n1)"

vm_dm_flakey_fail sgflaky error_writes
dd if=/dev/zero of=/dev/md0 bs=4k count=16 oflag=direct 2>/dev/null || true
vm_must_wait 30 "md to fail $flaky" vm_md_member_faulty md0 "$flaky"
isolated() { [ ! -e "/sys/block/md0/md/dev-$flaky" ]; }
vm_check "storguardd still isolates $flaky with its store full" vm_wait_for 60 "$flaky removed" isolated
on_bus() { /usr/bin/storguardctl incidents --json 2>/dev/null | grep -q '"status": *"mitigated"'; }
vm_check "the incident is on D-Bus, mitigated" vm_wait_for 30 "incident on the bus" on_bus
said() { grep -q "Cannot write incidents to" "$VM_OUT/storguardd.log"; }
vm_check "it says it cannot write incidents" vm_wait_for 10 "the store failure logged" said
vm_check "and says it once" test "$(grep -c "Cannot write incidents to" "$VM_OUT/storguardd.log")" = 1
vm_check "the store holds no incident yet" test "$(db 'select count(*) from incidents' 2>/dev/null || echo 0)" = 0

# Space returns; no new event comes.
rm -f "$STATE/filler"
t0=$(vm_now_ms)
caught_up() { grep -q "writable again; caught up" "$VM_OUT/storguardd.log"; }
vm_check "it catches up by itself when space returns" vm_wait_for 60 "catch-up" caught_up
echo "space back -> caught up: $(($(vm_now_ms) - t0)) ms (retry every 15 s)" >>"$VM_OUT/timings.txt"
vm_check "the store now holds the incident, mitigated" test "$(db "select status from incidents")" = mitigated
gaps=$(db "select count(*) from incidents i where (select count(*) from incident_events e where e.incident_id = i.id) != i.seq")
vm_check "with every event, in order, none missing" test "$gaps" = 0
db "select seq, type from incident_events order by seq" | tee "$VM_OUT/incident-events.txt"
cat "$VM_OUT/timings.txt"

vm_storguardd_stop
/usr/sbin/mdadm --stop /dev/md0 --quiet || true
/usr/sbin/dmsetup remove sgflaky || true
umount "$STATE" || true

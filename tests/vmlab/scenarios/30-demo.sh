# vmlab-title: the demo: a mirror member dies, then the cascade — what storguard sees, decides, isolates and reports, live
# vmlab-timeout: 600
#
# Issue 12's demo (README's first command runs it with the console shown:
# contrib/dev/demo).  Two stories on a real kernel, with the real daemon,
# the guest's D-Bus system bus and a real HTTP receiver standing in for a
# ticketing system:
#   1. a RAID1 member dies (dm-flakey starts failing its writes): one
#      incident, the member isolated (policy enforce), the receiver told
#      "raised" then "mitigated"; a replacement resyncs and the incident
#      walks repaired -> recovered -> restored -> resolved;
#   2. the outage of CONTEXT.md: a RAID1 behind one controller, then every
#      command to that controller times out: one major controller incident
#      before the array goes, and nothing isolated.
# Everything storguard logs, and every webhook the receiver gets, is shown
# as it happens; at the end storguardctl and busctl show the state.
. /vmlab/lib.sh

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
db() { /usr/bin/sqlite3 -batch -noheader /var/lib/storguard/storguard.db "$1"; }

/usr/bin/busybox ip link set lo up
vm_webhook_receiver_start 8080
# Show each webhook as it arrives: event type and title.
(
	seen=
	while [ ! -e /tmp/demo-done ]; do
		for f in "$VM_WEBHOOK_DIR"/*.body; do
			[ -f "$f" ] || continue
			case " $seen " in *" $f "*) continue ;; esac
			seen="$seen $f"
			t=$(sed -n 's/.*"event_type":"\([^"]*\)".*/\1/p' "$f")
			i=$(sed -n 's/.*"title":"\([^"]*\)".*/\1/p' "$f")
			printf '  webhook| %-10s %s\n' "$t" "$i"
		done
		sleep 0.5 # a display refresh, not a synchronisation
	done
) &

mkdir -p /etc/storguard
cat >/etc/storguard/storguard.conf <<CONF
[Daemon]
LogLevel=notice
[Response]
FailMdMember=enforce
BootHoldOffSec=0
[Diagnosis]
# Disk faults wait this long for a controller-wide pattern (default 2min).
HoldSec=20s
[Health]
PollIntervalSec=0
[Latency]
SampleIntervalSec=2s
[Webhook.ticketing]
URL=$VM_WEBHOOK_URL
Format=native
RetryInitialSec=1s
RetryMaxSec=2s
CONF

say "Story 1: a mirror member dies"
# Three scsi_debug hosts with a store each (per_host_store=1; the two
# disks of one host share it): host 0 for the member that dies, host 1 for
# its replacement, host 2 for story 2.
vm_sd_load add_host=3 num_tgts=2 max_luns=1 per_host_store=1 dev_size_mb=32
a=$(vm_sd_disks 0 | head -n1)
spare=$(vm_sd_disks 1 | head -n1)
b=$(vm_disk_by_serial "$VM_HW_VSCSI0_SERIAL")
vm_dm_flakey demoflaky "$a"
VM_MD_OPTS="--metadata=1.2 --size=30720" vm_md_create md0 1 "$(vm_dm_name demoflaky)" "$b"

vm_storguardd_start
# What storguard logs, line by line as it comes (a read loop: sed would
# hold its output back in a pipe).  The tail is stopped at the end, which
# ends the reader.
mkfifo /tmp/demo-log
# The daemon's shell opens the log in the background: wait for it, or tail
# finds nothing to follow.
vm_must_wait 30 "storguardd's log" test -e "$VM_OUT/storguardd.log"
tail -n +1 -f "$VM_OUT/storguardd.log" >/tmp/demo-log &
tailer=$!
( while IFS= read -r line; do printf '  storguard| %s\n' "$line"; done </tmp/demo-log ) &
vm_must_wait 60 "storguardd to be on the bus" vm_dbus_property_is org.storguard1 /org/storguard1 \
	org.storguard1.Manager OverallHealth 's "ok"'
say "md0 mirrors $(vm_dm_name demoflaky) (scsi_debug $a) and $b; storguard says the host is healthy"

say "$a starts failing writes (dm-flakey)"
vm_dm_flakey_fail demoflaky error_writes
dd if=/dev/zero of=/dev/md0 bs=4k count=16 oflag=direct 2>/dev/null || true
isolated() { [ ! -e "/sys/block/md0/md/dev-$(vm_dm_name demoflaky)" ]; }
vm_must_wait 90 "storguard to isolate the failed member" isolated
vm_webhook_wait 2 30 || true
say "A replacement disk ($spare) is added; md resyncs"
/usr/sbin/mdadm /dev/md0 --add "/dev/$spare" --quiet
optimal() { [ "$(cat /sys/block/md0/md/degraded)" = 0 ] && [ "$(cat /sys/block/md0/md/sync_action)" = idle ]; }
vm_must_wait 120 "md0 resynced" optimal
resolved() { [ "$(db "select count(*) from incidents where status = 'resolved'")" -ge 1 ]; }
vm_must_wait 60 "the incident to be resolved" resolved
say "The incident's lifecycle:"
db "select '  ' || type from incident_events where incident_id = (select id from incidents limit 1) order by seq"

# Story 1's array rests: scsi_debug's faults are module-wide.
/usr/sbin/mdadm --stop /dev/md0 --quiet
/usr/sbin/dmsetup remove demoflaky

say "Story 2: the cascade — a RAID1 behind one controller, then a retry/reset storm on it"
set -- $(vm_sd_disks 2)
c1=$1 c2=$2
for d in $(vm_sd_disks); do
	echo 2 >"/sys/block/$d/device/timeout"
	echo 1 >"/sys/block/$d/device/eh_timeout"
done
# The host's two disks share its store: the members use disjoint halves.
half=$(($(vm_sectors "$c1") / 2))
echo "0 $half linear /dev/$c1 0" | /usr/sbin/dmsetup create demom1
echo "0 $half linear /dev/$c2 $half" | /usr/sbin/dmsetup create demom2
vm_settle
VM_MD_OPTS="--metadata=1.2" vm_md_create md1 1 "$(vm_dm_name demom1)" "$(vm_dm_name demom2)"
say "md1 mirrors $c1 and $c2, both behind $(vm_sd_host 2); every command to scsi_debug now times out"
vm_sd_inject timeout 1
for d in $c1 $c2; do vm_read "$d" 8 & done
dd if=/dev/zero of=/dev/md1 bs=4k count=4 oflag=direct 2>/dev/null &
ctrl() { [ "$(db "select count(*) from incidents where json_extract(data, '\$.category') = 'controller'")" -ge 1 ]; }
vm_must_wait 240 "storguard to name the controller" ctrl
vm_webhook_wait 8 60 || true
vm_sd_clear

say "storguardctl status"
/usr/bin/storguardctl status || true
say "storguardctl incidents --all"
/usr/bin/storguardctl incidents --all || true
say "busctl: what any SMS or script can ask"
echo "  \$ busctl get-property org.storguard1 /org/storguard1 org.storguard1.Manager OverallHealth OpenIncidentsByPriority"
/usr/bin/busctl --system get-property org.storguard1 /org/storguard1 org.storguard1.Manager OverallHealth OpenIncidentsByPriority | sed 's/^/  /'
echo "  \$ busctl call org.storguard1 /org/storguard1 org.storguard1.Manager ListIncidents su \"\" 0"
/usr/bin/busctl --system call org.storguard1 /org/storguard1 org.storguard1.Manager ListIncidents su "" 0 | sed 's/^/  /'
echo "  \$ busctl tree org.storguard1"
/usr/bin/busctl --system tree org.storguard1 | sed 's/^/  /'

vm_check "story 1: one incident, mitigated then resolved" \
	test "$(db "select count(*) from incident_events where type in ('mitigated','resolved')")" -ge 2
vm_check "story 2: one major controller incident" \
	test "$(db "select count(*) from incidents where json_extract(data, '\$.category') = 'controller' and json_extract(data, '\$.major') = 1")" = 1
vm_check "story 2: nothing isolated behind the suspect controller" \
	test -e "/sys/block/md1/md/dev-$(vm_dm_name demom1)" -a -e "/sys/block/md1/md/dev-$(vm_dm_name demom2)"
vm_check "the ticketing system heard of both stories" test "$(vm_webhook_count)" -ge 3
touch /tmp/demo-done
kill "$tailer"
if [ "${VM_SHELL:-0}" = 1 ]; then
	# contrib/dev/demo --shell: the lab stays as the stories left it, the
	# daemon running, for the person at the console.
	say "The lab is yours: storguardd keeps running with both stories' incidents.  Try:"
	echo "  storguardctl status"
	echo "  storguardctl incidents --all"
	echo "  busctl tree org.storguard1"
	echo "  busctl call org.storguard1 /org/storguard1 org.storguard1.Manager ListIncidents su \"\" 0"
	echo "  cat /proc/mdstat; mdadm --detail /dev/md1"
	echo "  (storguard's log: $VM_OUT/storguardd.log; exit the shell to power off)"
	exit 0
fi
say "Done.  To play it again and keep the lab running to explore: contrib/dev/demo --shell"

vm_storguardd_stop
for d in $(vm_sd_disks); do vm_dev_online "$d"; done
/usr/sbin/mdadm --stop /dev/md1 --quiet || true
/usr/sbin/dmsetup remove demom1 || true
/usr/sbin/dmsetup remove demom2 || true

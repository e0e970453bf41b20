# vmlab-title: BENCHMARK (not a check): the daemon's health sweep vs smartd -q onecheck, cold and steady; steady-state overhead, N scsi_debug disks
# vmlab-timeout: 3600
# vmlab-bench: yes
# vmlab-smp: 1
#
# Issue 11, benchmarks 1 and 2, in one guest run.  `tests/vmlab/run` with no
# scenario names skips it (vmlab-bench); run it by name:
#   tests/vmlab/run 90-bench-sweep
# For N in 16, 256, 1024 scsi_debug disks (add_host=K num_tgts=1 max_luns=M:
# distinct WWIDs, see VMLAB.md), while the guest's time budget lasts:
#   1. sweep, what the daemon does: storguardd with [Health]
#      PollIntervalSec=P (short, so that a window holds whole sweeps) and
#      latency sampling and rescans off, so that its CPU is the health
#      reads'.  CPU = utime+stime of the daemon and of its live worker
#      processes plus the cutime/cstime of reaped ones (/proc/PID/stat);
#      reads = the Manager's HealthReads property.
#      - cold: from the start until every disk was read once (start-up,
#        udev enumeration and each disk's first, full read), per read;
#      - steady: windows of WINDOW_S seconds (later sweeps: the reads the
#        daemon makes every PollIntervalSec after the first), per read,
#        alternating with `smartd -q onecheck` over the same disks
#        (smartd.conf: one line per disk, `-a`), ROUNDS times; smartd's
#        user+sys CPU from busybox time (10 ms resolution), divided by N;
#        medians of each.  smartd -q onecheck is a cold start each time
#        (it registers every disk, then checks it once): the table says so.
#      - SCSI commands per read, from the SCSI midlayer's own counter
#        (device/iorequest_cnt of every sd disk), for both.
#      - one-shot: `storguardctl inventory --json` (every disk read live,
#        cold, in one process), once.
#   2. steady state: storguardd with the shipped defaults (health every
#      30 min spread over the interval, latency every 10 s, rescan every
#      6 hours), after its first health read of every disk, over STEADY_S
#      seconds: CPU of the daemon and its workers as % of one core, VmRSS
#      of the daemon and the sum over its workers; then one rescan's CPU
#      (the Rescan method); "all" adds each disk's 30-min poll (at the
#      steady cost per read above) and the rescan in proportion.
# Figures go to bench.txt as "BENCH key=value" (tests/bench/bench-table.sh
# prints them).  The guest runs under TCG: 10-30x slower than native.
# Profiling (where the CPU goes, not the figures: perf costs CPU too):
#   VMLAB_TOOLS=/usr/bin/perf VMLAB_APPEND="BENCH_PERF=1 BENCH_NS=256" \
#     tests/vmlab/run 90-bench-sweep
# records every measurement window system-wide (perf record -a, cpu-clock:
# TCG has no PMU) and leaves perf-<window>.txt reports beside bench.txt.
. /vmlab/lib.sh

BUDGET_S=2400   # no new N once the guest has been up this long
# A quick look at one N: VMLAB_APPEND="BENCH_NS=16 BENCH_ROUNDS=1"
# tests/vmlab/run 90-bench-sweep (the kernel hands unknown name=value
# parameters to init's environment).
NS=${BENCH_NS:-16 256 1024}
WINDOW_S=${BENCH_WINDOW_S:-60}
# One period of the idle disks' counter reads (every 5 min); the rescan
# is measured on its own and added in proportion.
STEADY_S=${BENCH_STEADY_S:-300}
RESCAN_S=21600 # the shipped RescanIntervalSec= (6h)
ROUNDS=${BENCH_ROUNDS:-3}
BENCH=$VM_OUT/bench.txt
SG=org.storguard1
: >"$BENCH"

mkdir -p /etc/storguard /var/lib/storguard

# bench_config INTERVAL - the daemon's configuration: the shipped defaults,
# or the sweep bench's (health every INTERVAL, nothing else periodic).
bench_config() {
	{
		echo "[Daemon]"
		echo "LogLevel=info"
		echo "StateDirectory=/var/lib/storguard"
		# The lab's own disks (QEMU's AHCI, NVMe, megasas, ... : their
		# emulation costs far more per command than scsi_debug) are not
		# the N that smartd reads.
		echo "[Inventory]"
		echo "IgnoreDevices=$LAB_DISKS"
		if [ "$1" != default ]; then
			echo "RescanIntervalSec=0"
			echo "[Health]"
			echo "PollIntervalSec=$1"
			echo "[Latency]"
			echo "SampleIntervalSec=0"
		fi
	} >/etc/storguard/storguard.conf
}

# cpu_ms CMD... - run CMD, print its user+sys CPU in ms (children included).
cpu_ms() {
	/usr/bin/busybox time -f "%U %S" -o "$VM_OUT/time.out" "$@" >/dev/null 2>"$VM_OUT/cmd.err"
	read -r _u _s <"$VM_OUT/time.out"
	echo "$_u $_s" | awk '{ printf "%d\n", ($1 + $2) * 1000 }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# tree_ticks PID - CPU ticks of PID (its reaped children included) and of
# its live children (the health workers).  The fields after "(comm) ".
tree_ticks() {
	awk -v p="$1" '{ s = $0; sub(/^[^)]*\) /, "", s); n = split(s, f, " ")
		if (FILENAME == "/proc/" p "/stat") t += f[12] + f[13] + f[14] + f[15]
		else if (f[2] == p) t += f[12] + f[13] }
		END { print t + 0 }' /proc/[0-9]*/stat 2>/dev/null
}
# children_rss_kib PID - VmRSS summed over PID's children, one awk.
children_rss_kib() {
	awk -v p="$1" '{ s = $0; sub(/^[^)]*\) /, "", s); split(s, f, " ")
		if (f[2] != p) next
		st = FILENAME; sub(/stat$/, "status", st)
		while ((getline l < st) > 0) if (l ~ /^VmRSS:/) { split(l, g, " "); t += g[2] }
		close(st) }
		END { print t + 0 }' /proc/[0-9]*/stat 2>/dev/null
}
# self_ticks PID - CPU ticks of PID itself (no children).
self_ticks() { awk '{ s = $0; sub(/^[^)]*\) /, "", s); split(s, f, " "); print f[12] + f[13] }' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
health_reads() {
	/usr/bin/busctl --system get-property $SG /org/storguard1 org.storguard1.Manager HealthReads 2>/dev/null |
		awk '{ print $2 }'
}
# SCSI commands the midlayer has issued to the sd disks (each device's
# iorequest_cnt, hex; SG_IO pass-through included), no process per disk.
sd_cmnds() {
	_t=0
	for _f in /sys/block/sd*/device/iorequest_cnt; do
		[ -r "$_f" ] || continue
		read -r _v <"$_f"
		_t=$((_t + _v))
	done
	echo "$_t"
}
# sd_count - scsi_debug disks, by one glob (no process per disk).
sd_count() {
	set -- $VM_SD/adapter*/host*/target*/*/block/*
	[ -e "$1" ] && echo $# || echo 0
}
sd_count_is() { [ "$(sd_count)" -eq "$1" ]; }
# wait_reads TIMEOUT_S COUNT - wait until the daemon has read COUNT times.
wait_reads() {
	_end=$(($(vm_now_ms) + $1 * 1000))
	while :; do
		_r=$(health_reads)
		[ -n "$_r" ] && [ "$_r" -ge "$2" ] && return 0
		[ "$(vm_now_ms)" -lt "$_end" ] || { vm_log "timed out waiting for $2 health reads (at ${_r:-?})"; return 1; }
		# Poll interval of a bounded wait (each poll is a busctl process).
		sleep 2
	done
}
# daemon_start INTERVAL - storguardd, waiting for its name on the bus.
daemon_start() {
	rm -f /var/lib/storguard/storguard.db*
	bench_config "$1"
	vm_storguardd_start
	pid=$VM_STORGUARDD_PID
	wait_reads 600 0 || vm_die "storguardd is not on the bus"
}
# window S TAG - the measurement window of S seconds (not a
# synchronisation); profiled into perf-TAG.txt with BENCH_PERF=1.
window() {
	if [ "${BENCH_PERF:-0}" = 1 ] && [ -x /usr/bin/perf ]; then
		perf_run "$2" sleep "$1"
	else
		sleep "$1"
	fi
}
# perf_run TAG CMD... - CMD under a system-wide profile, reported into
# perf-TAG.txt: the busy processes, then storguardd's and smartd's own
# samples by symbol (percentages of that process's samples).  The data
# (perf-TAG.data) and the guest's kallsyms stay for `perf report
# --symfs=<run>/overlay --kallsyms=kallsyms` on the host.
perf_run() {
	_tag=$1; shift
	/usr/bin/perf record -q -a -g -e cpu-clock -F 499 -o "/run/perf-$_tag.data" -- "$@" 2>>"$VM_OUT/perf.err"
	{
		/usr/bin/perf report -i "/run/perf-$_tag.data" --stdio --no-children --sort comm --percent-limit 0.05
		for _c in storguardd smartd; do
			/usr/bin/perf report -i "/run/perf-$_tag.data" --stdio --no-children --comms "$_c" \
				--percentage relative --sort dso,sym --percent-limit 0.5
		done
	} >"$VM_OUT/perf-$_tag.txt" 2>>"$VM_OUT/perf.err"
	cp "/run/perf-$_tag.data" "$VM_OUT/" && rm -f "/run/perf-$_tag.data"
	[ -f "$VM_OUT/kallsyms" ] || cat /proc/kallsyms >"$VM_OUT/kallsyms"
}
per() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "" }'; }

LAB_DISKS=$(ls /sys/block | tr '\n' ' ')
vm_log "bench: the lab's disks, ignored: $LAB_DISKS"
hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
ms_per_tick=$((1000 / hz))

for n in $NS; do
	up=$(vm_uptime)
	if [ "${up%.*}" -gt "$BUDGET_S" ]; then
		vm_log "bench: guest up ${up}s, over the budget: N=$n skipped"
		echo "BENCH sweep_${n}_skipped=time budget" >>"$BENCH"
		continue
	fi
	case $n in
	16) hosts=1 luns=16 interval=10s ;;
	256) hosts=16 luns=16 interval=30s ;;
	1024) hosts=16 luns=64 interval=60s ;;
	esac
	t_load=$(vm_now_ms)
	# One modprobe creates every disk; one settle waits for udev.
	/usr/sbin/modprobe scsi_debug dev_size_mb=8 add_host=$hosts num_tgts=1 max_luns=$luns ||
		vm_die "modprobe scsi_debug failed"
	vm_must_wait 600 "$n scsi_debug disks" sd_count_is "$n"
	vm_settle 600
	vm_log "bench N=$n: disks ready in $(($(vm_now_ms) - t_load)) ms"
	echo "BENCH sweep_${n}_create_ms=$(($(vm_now_ms) - t_load))" >>"$BENCH"
	disks=$(vm_sd_disks)
	first=$(echo "$disks" | head -n1)
	# scsi_debug's IE mode page is global: enable IEC (DEXCPT=0, MRIE=6,
	# no TEST) once so smartd accepts every disk as SMART capable.
	/usr/bin/sg_wr_mode -f -p 0x1c -c 1c,0a,00,06,00,00,00,00,00,00,00,00 "/dev/$first" >/dev/null 2>&1 ||
		vm_log "bench: enabling IEC failed"
	/usr/bin/sg_turs "/dev/$first" >/dev/null 2>&1 || true
	: >"$VM_OUT/smartd-$n.conf"
	for d in $disks; do echo "/dev/$d -a" >>"$VM_OUT/smartd-$n.conf"; done

	# One-shot, cold: storguardctl reads every disk of the guest once.
	bench_config default
	sg1=$(cpu_ms /usr/bin/storguardctl --config=/etc/storguard/storguard.conf inventory --json)
	/usr/bin/storguardctl --config=/etc/storguard/storguard.conf inventory --json >"$VM_OUT/inventory-$n.json" 2>/dev/null || true
	oneshot_disks=$(grep -c '"health_source": *"\(scsi-log\|ata-smart\|nvme-health\)"' "$VM_OUT/inventory-$n.json")
	[ "$oneshot_disks" -gt 0 ] || oneshot_disks=$n
	echo "BENCH sweep_${n}_oneshot_ms_per_dev=$(per "$sg1" "$oneshot_disks")" >>"$BENCH"

	# The daemon, cold: start-up and each disk's first read.
	daemon_start "$interval"
	t0=$(vm_now_ms)
	wait_reads 900 "$n" || vm_log "bench N=$n: the first sweep did not finish"
	c=$(tree_ticks "$pid")
	r=$(health_reads)
	echo "BENCH sweep_${n}_cold_ms_per_read=$(per "$((c * ms_per_tick))" "$r")" >>"$BENCH"
	echo "BENCH sweep_${n}_cold_wall_ms=$(($(vm_now_ms) - t0))" >>"$BENCH"
	vm_log "bench N=$n: cold: $r reads, $((c * ms_per_tick)) ms CPU"

	# Steady sweeps and smartd, alternating.
	: >"$VM_OUT/sg-$n.ms"
	: >"$VM_OUT/smartd-$n.ms"
	: >"$VM_OUT/sg-$n.cmds"
	: >"$VM_OUT/sg-$n.self"
	: >"$VM_OUT/smartd-$n.cmds"
	i=1
	while [ $i -le $ROUNDS ]; do
		c0=$(tree_ticks "$pid"); d0=$(self_ticks "$pid"); r0=$(health_reads); k0=$(sd_cmnds)
		window "$WINDOW_S" "sweep-$n-$i"
		c1=$(tree_ticks "$pid"); d1=$(self_ticks "$pid"); r1=$(health_reads); k1=$(sd_cmnds)
		per "$(((c1 - c0) * ms_per_tick))" "$((r1 - r0))" >>"$VM_OUT/sg-$n.ms"; echo >>"$VM_OUT/sg-$n.ms"
		per "$(((d1 - d0) * ms_per_tick))" "$((r1 - r0))" >>"$VM_OUT/sg-$n.self"; echo >>"$VM_OUT/sg-$n.self"
		[ -n "$k0" ] && { per "$((k1 - k0))" "$((r1 - r0))"; echo; } >>"$VM_OUT/sg-$n.cmds"
		vm_log "bench N=$n round $i: daemon $((r1 - r0)) reads, $(((c1 - c0) * ms_per_tick)) ms CPU"
		k0=$(sd_cmnds)
		# State and attribute logs where a real smartd keeps them: on a
		# local file system (tmpfs), not the lab's 9p share.
		sm=$(cpu_ms /usr/sbin/smartd -q onecheck -c "$VM_OUT/smartd-$n.conf" -s /run/smartd-state- -A /run/smartd-attrlog-)
		k1=$(sd_cmnds)
		cp "$VM_OUT/cmd.err" "$VM_OUT/smartd-$n.err"
		if [ "${BENCH_PERF:-0}" = 1 ] && [ -x /usr/bin/perf ] && [ $i = 1 ]; then
			perf_run "smartd-$n" /usr/sbin/smartd -q onecheck -c "$VM_OUT/smartd-$n.conf" \
				-s /run/smartd-state- -A /run/smartd-attrlog- >/dev/null 2>&1
		fi
		per "$sm" "$n" >>"$VM_OUT/smartd-$n.ms"; echo >>"$VM_OUT/smartd-$n.ms"
		[ -n "$k0" ] && { per "$((k1 - k0))" "$n"; echo; } >>"$VM_OUT/smartd-$n.cmds"
		vm_log "bench N=$n round $i: smartd $sm ms CPU"
		i=$((i + 1))
	done
	vm_storguardd_stop
	cp "$VM_OUT/storguardd.log" "$VM_OUT/storguardd-sweep-$n.log"
	: >"$VM_OUT/storguardd.log"
	/usr/sbin/smartd -q onecheck -c "$VM_OUT/smartd-$n.conf" -s /run/smartd-state- -A /run/smartd-attrlog- \
		>"$VM_OUT/smartd-$n.out" 2>&1 || true
	monitored=$(sed -n 's/.*Monitoring [0-9]* ATA\/SATA, \([0-9]*\) SCSI.*/\1/p' "$VM_OUT/smartd-$n.out" | head -n1)
	# The ratio of each round's adjacent A/B pair: robust to the host's
	# load, which moves both in step (the guest's CPU time inflates when
	# QEMU is descheduled).
	paired=$(awk 'NR == FNR { a[FNR] = $1; next } $1 > 0 && a[FNR] != "" { printf "%.3f\n", a[FNR] / $1 }' \
		"$VM_OUT/smartd-$n.ms" "$VM_OUT/sg-$n.ms" | median)
	sg=$(grep . "$VM_OUT/sg-$n.ms" | median)
	smd=$(grep . "$VM_OUT/smartd-$n.ms" | median)
	{
		echo "BENCH sweep_${n}_steady_ms_per_read=$sg"
		echo "BENCH sweep_${n}_steady_daemon_ms_per_read=$(grep . "$VM_OUT/sg-$n.self" | median)"
		echo "BENCH sweep_${n}_smartd_ms_per_dev=$smd"
		echo "BENCH sweep_${n}_steady_ratio=$(per "$smd" "$sg")"
		echo "BENCH sweep_${n}_steady_ratio_paired=$paired"
		echo "BENCH sweep_${n}_rounds=$ROUNDS"
		echo "BENCH sweep_${n}_interval=$interval"
		echo "BENCH sweep_${n}_smartd_monitored=${monitored:-?}"
		[ -s "$VM_OUT/sg-$n.cmds" ] && echo "BENCH sweep_${n}_steady_cmds_per_read=$(grep . "$VM_OUT/sg-$n.cmds" | median)"
		[ -s "$VM_OUT/smartd-$n.cmds" ] && echo "BENCH sweep_${n}_smartd_cmds_per_dev=$(grep . "$VM_OUT/smartd-$n.cmds" | median)"
	} >>"$BENCH"
	vm_log "bench N=$n: daemon $sg ms/read steady, smartd $smd ms/disk (monitored ${monitored:-?})"

	# Steady state with the shipped defaults.
	daemon_start default
	wait_reads 900 "$n" || vm_log "bench N=$n: the first sweep (defaults) did not finish"
	c0=$(tree_ticks "$pid")
	t0=$(vm_now_ms)
	r0=$(health_reads)
	window "$STEADY_S" "steady-$n"
	c1=$(tree_ticks "$pid")
	t1=$(vm_now_ms)
	r1=$(health_reads)
	# One rescan (RescanIntervalSec=, 6 h by default), through the bus
	# method that runs the same scan; its CPU, once.
	/usr/bin/busctl --system call $SG /org/storguard1 org.storguard1.Manager Rescan >/dev/null 2>&1 ||
		vm_log "bench N=$n: Rescan failed"
	c2=$(tree_ticks "$pid")
	rescan_ms=$(((c2 - c1) * ms_per_tick))
	{
		pct=$(awk "BEGIN { printf \"%.3f\", 100 * (($c1 - $c0) / $hz) / (($t1 - $t0) / 1000) }")
		echo "BENCH steady_${n}_cpu_pct=$pct"
		# The window holds no health poll (each disk is read every 30 min,
		# the first reads before it): add them, each disk once per 30 min
		# at the steady cost per read measured above.
		echo "BENCH steady_${n}_cpu_pct_with_polls=$(awk -v p="$pct" -v n="$n" -v r="$sg" \
			'BEGIN { if (r != "") printf "%.3f", p + 100 * n * r / 1000 / 1800 }')"
		echo "BENCH steady_${n}_rescan_ms=$rescan_ms"
		echo "BENCH steady_${n}_rescan_interval_s=$RESCAN_S"
		echo "BENCH steady_${n}_cpu_pct_all=$(awk -v p="$pct" -v n="$n" -v r="${sg:-0}" -v s="$rescan_ms" -v i="$RESCAN_S" \
			'BEGIN { printf "%.3f", p + 100 * n * r / 1000 / 1800 + 100 * s / 1000 / i }')"
		echo "BENCH steady_${n}_rss_kib=$(rss_kib "$pid")"
		echo "BENCH steady_${n}_workers_rss_kib=$(children_rss_kib "$pid")"
		echo "BENCH steady_${n}_window_s=$(((t1 - t0) / 1000))"
		echo "BENCH steady_${n}_reads_in_window=$((r1 - r0))"
	} >>"$BENCH"
	vm_storguardd_stop
	cp "$VM_OUT/storguardd.log" "$VM_OUT/storguardd-steady-$n.log"
	: >"$VM_OUT/storguardd.log"
	vm_sd_unload
	vm_must_wait 300 "scsi_debug disks gone" sd_count_is 0
done
# Growth: steady CPU per read at the largest N measured against N=16.
awk -F= '/^BENCH sweep_[0-9]*_steady_ms_per_read=/ { split($1, k, "_"); v[k[2]] = $2; if (lo == "") lo = k[2]; hi = k[2] }
	END { if (lo != "" && hi != lo && v[lo] > 0) printf "BENCH sweep_growth=%.2f (N=%s vs N=%s)\n", v[hi] / v[lo], hi, lo }' \
	"$BENCH" >>"$BENCH"
cat "$BENCH"
vm_check "bench figures written" grep -q "sweep_[0-9]*_steady_ratio=[0-9]" "$BENCH"

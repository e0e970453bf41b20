# vmlab-title: BENCHMARK (not a check): health sweep cost vs smartd -q onecheck, steady-state overhead, N scsi_debug disks
# vmlab-timeout: 2400
# vmlab-bench: yes
#
# Issue 11, benchmarks 1 and 2, in one guest run.  `tests/vmlab/run` with no
# scenario names skips it (vmlab-bench); run it by name:
#   tests/vmlab/run 90-bench-sweep
# For N in 16, 256, 1024 scsi_debug disks (add_host=K num_tgts=1 max_luns=M:
# distinct WWIDs, see VMLAB.md), while the guest's time budget lasts:
#   1. sweep: one full health read of every disk by storguard
#      (`storguardctl inventory --json`: each disk's health read live, in
#      one process; the daemon does the same reads in forked workers) and
#      by `smartd -q onecheck` over the same disks (smartd.conf: one line
#      per disk, `-a`, smartd's default directive), alternating A/B,
#      ROUNDS times; user+sys CPU from busybox time (10 ms resolution),
#      median per tool, divided by N;
#   2. steady state: storguardd with the shipped defaults (health every
#      30 min spread over the interval, latency every 10 s), after its
#      start-up and after the first health read of every disk (spread over
#      the first minute: manager-health.c), over STEADY_S seconds: CPU
#      (utime+stime+cutime+cstime of /proc/PID/stat, workers included) as
#      % of one core, and VmRSS.  The first minute is measured too
#      (startup_N_cpu_pct): that is one full sweep by the daemon itself.
# Figures go to bench.txt as "BENCH key=value" (tests/bench/bench-table.sh
# prints them).  The guest runs under TCG: 10-30x slower than native.
. /vmlab/lib.sh

BUDGET_S=900    # no new N once the guest has been up this long
STEADY_S=60
BENCH=$VM_OUT/bench.txt
: >"$BENCH"

mkdir -p /etc/storguard /var/lib/storguard
cat >/etc/storguard/storguard.conf <<CONF
[Daemon]
LogLevel=info
StateDirectory=/var/lib/storguard
CONF

# cpu_ms CMD... - run CMD, print its user+sys CPU in ms (children included).
cpu_ms() {
	/usr/bin/busybox time -f "%U %S" -o "$VM_OUT/time.out" "$@" >/dev/null 2>"$VM_OUT/cmd.err"
	read -r _u _s <"$VM_OUT/time.out"
	echo "$_u $_s" | awk '{ printf "%d\n", ($1 + $2) * 1000 }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
stat_cpu_ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
sd_count() { vm_sd_disks | wc -l; }

hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
first_ratio=
for n in 16 256 1024; do
	up=$(vm_uptime)
	if [ "${up%.*}" -gt "$BUDGET_S" ]; then
		vm_log "bench: guest up ${up}s, over the budget: N=$n skipped"
		echo "BENCH sweep_${n}_skipped=time budget" >>"$BENCH"
		continue
	fi
	case $n in
	16) hosts=1 luns=16 rounds=3 ;;
	256) hosts=16 luns=16 rounds=3 ;;
	1024) hosts=16 luns=64 rounds=1 ;;
	esac
	t_load=$(vm_now_ms)
	/usr/sbin/modprobe scsi_debug dev_size_mb=8 add_host=$hosts num_tgts=1 max_luns=$luns ||
		vm_die "modprobe scsi_debug failed"
	vm_must_wait 600 "$n scsi_debug disks" vm__sd_count_is "$n"
	vm_settle
	vm_log "bench N=$n: disks ready in $(($(vm_now_ms) - t_load)) ms"
	disks=$(vm_sd_disks)
	first=$(echo "$disks" | head -n1)
	# scsi_debug's IE mode page is global: enable IEC (DEXCPT=0, MRIE=6,
	# no TEST) once so smartd accepts every disk as SMART capable.
	/usr/bin/sg_wr_mode -f -p 0x1c -c 1c,0a,00,06,00,00,00,00,00,00,00,00 "/dev/$first" >/dev/null 2>&1 ||
		vm_log "bench: enabling IEC failed"
	/usr/bin/sg_turs "/dev/$first" >/dev/null 2>&1 || true
	: >"$VM_OUT/smartd-$n.conf"
	for d in $disks; do echo "/dev/$d -a" >>"$VM_OUT/smartd-$n.conf"; done

	: >"$VM_OUT/sg-$n.ms"
	: >"$VM_OUT/smartd-$n.ms"
	r=1
	while [ $r -le $rounds ]; do
		cpu_ms /usr/bin/storguardctl inventory --json >>"$VM_OUT/sg-$n.ms"
		cp "$VM_OUT/cmd.err" "$VM_OUT/storguardctl-$n.err"
		cpu_ms /usr/sbin/smartd -q onecheck -c "$VM_OUT/smartd-$n.conf" -s "$VM_OUT/smartd-state-" >>"$VM_OUT/smartd-$n.ms"
		cp "$VM_OUT/cmd.err" "$VM_OUT/smartd-$n.err"
		r=$((r + 1))
	done
	/usr/bin/storguardctl inventory --json >"$VM_OUT/inventory-$n.json" 2>/dev/null || true
	/usr/sbin/smartd -q onecheck -c "$VM_OUT/smartd-$n.conf" >"$VM_OUT/smartd-$n.out" 2>&1 || true
	sg=$(median <"$VM_OUT/sg-$n.ms")
	sm=$(median <"$VM_OUT/smartd-$n.ms")
	health_read=$(grep -o '"health"' "$VM_OUT/inventory-$n.json" | wc -l)
	[ "$health_read" -gt 0 ] || health_read=$n
	monitored=$(sed -n 's/.*Monitoring [0-9]* ATA\/SATA, \([0-9]*\) SCSI.*/\1/p' "$VM_OUT/smartd-$n.out" | head -n1)
	{
		echo "BENCH sweep_${n}_sg_cpu_ms=$sg"
		echo "BENCH sweep_${n}_smartd_cpu_ms=$sm"
		# storguardctl reads every disk in the guest (the N and the
		# lab's QEMU disks), smartd only the N.
		echo "BENCH sweep_${n}_sg_ms_per_dev=$(awk "BEGIN { printf \"%.2f\", $sg / $health_read }")"
		echo "BENCH sweep_${n}_smartd_ms_per_dev=$(awk "BEGIN { printf \"%.2f\", $sm / $n }")"
		echo "BENCH sweep_${n}_ratio=$(awk "BEGIN { printf \"%.2f\", ($sg > 0) ? ($sm / $n) / ($sg / $health_read) : 0 }")"
		echo "BENCH sweep_${n}_rounds=$rounds"
		echo "BENCH sweep_${n}_smartd_monitored=${monitored:-?}"
		echo "BENCH sweep_${n}_sg_health_objects=$health_read"
	} >>"$BENCH"
	vm_log "bench N=$n: storguard $sg ms, smartd $sm ms CPU per sweep (smartd monitored ${monitored:-?})"
	[ -n "$first_ratio" ] || first_ratio="$n $sg"
	last="$n $sg"

	# Steady state: the daemon with the shipped defaults.
	rm -f /var/lib/storguard/storguard.db*
	vm_storguardd_start
	pid=$VM_STORGUARDD_PID
	vm_wait_for 300 "storguardd to list $n disks" grep -q "Found disk '$(echo "$disks" | tail -n1)'" \
		"$VM_OUT/storguardd.log" || sleep 30
	c0=$(stat_cpu_ticks "$pid")
	t0=$(vm_now_ms)
	sleep 65
	cs=$(stat_cpu_ticks "$pid")
	ts=$(vm_now_ms)
	echo "BENCH startup_${n}_cpu_pct=$(awk "BEGIN { printf \"%.2f\", 100 * (($cs - $c0) / $hz) / (($ts - $t0) / 1000) }")" >>"$BENCH"
	echo "BENCH startup_${n}_health_reads=$(grep -c 'Health of disk' "$VM_OUT/storguardd.log")" >>"$BENCH"
	c0=$(stat_cpu_ticks "$pid")
	t0=$(vm_now_ms)
	sleep $STEADY_S
	c1=$(stat_cpu_ticks "$pid")
	t1=$(vm_now_ms)
	rss=$(rss_kib "$pid")
	{
		echo "BENCH steady_${n}_cpu_pct=$(awk "BEGIN { printf \"%.2f\", 100 * (($c1 - $c0) / $hz) / (($t1 - $t0) / 1000) }")"
		echo "BENCH steady_${n}_rss_kib=$rss"
		echo "BENCH steady_${n}_window_s=$(((t1 - t0) / 1000))"
	} >>"$BENCH"
	vm_storguardd_stop
	cp "$VM_OUT/storguardd.log" "$VM_OUT/storguardd-$n.log"
	: >"$VM_OUT/storguardd.log"
	vm_sd_unload
	vm_must_wait 120 "scsi_debug disks gone" vm__sd_count_is 0
done
if [ -n "$first_ratio" ]; then
	set -- $first_ratio $last
	echo "BENCH sweep_growth=$(awk "BEGIN { if ($2 > 0) printf \"%.2f (N=$3 vs N=$1)\", ($4 / $3) / ($2 / $1) }")" >>"$BENCH"
fi
cat "$BENCH"
vm_check "bench figures written" grep -q sweep_16_ratio "$BENCH"

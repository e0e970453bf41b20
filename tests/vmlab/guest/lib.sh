# lib.sh - helpers for VM lab scenarios (POSIX sh, busybox ash).
#
# Sourced by /init and by every scenario (/vmlab/scenarios/NAME.sh, run
# with `sh -e`).  Conventions:
#   - real tools are called by full path: busybox's sh runs its own applets
#     (modprobe, lsscsi, ...) ahead of $PATH;
#   - every wait is bounded and polls a condition (vm_wait_for), never a
#     blind sleep;
#   - functions print what they found on stdout and diagnostics on stderr,
#     and return non-zero on failure with a message naming the device.
#
# Variables the runner and /init provide:
#   VM_SCENARIO  name of the running scenario
#   VM_OUT       its result directory (on the host's 9p share)
#   VM_CAPTURE   1 when the run was started with --capture
#   VM_KMSG      file that receives /dev/kmsg since boot

VM_KMSG=${VM_KMSG:-/run/vmlab/kmsg}
# The run's settings and the emulated hardware's identities (VM_HW_*).
[ -f /vmlab/config ] && . /vmlab/config
VM_SD=/sys/bus/pseudo/drivers/scsi_debug

# --- logging and time ----------------------------------------------------

# vm_uptime - seconds since boot, as /proc/uptime has it ("12.34").
vm_uptime() {
	read -r _vm_up _vm_idle </proc/uptime
	echo "$_vm_up"
}

# vm_now_ms - milliseconds since boot (integer).
vm_now_ms() {
	read -r _vm_up _vm_idle </proc/uptime
	echo $((${_vm_up%.*} * 1000 + 1${_vm_up#*.}0 - 1000))
}

# vm_realtime_us - CLOCK_REALTIME in microseconds, from one busybox call
# (adjtimex prints the time to the microsecond; busybox date has no %N).
vm_realtime_us() {
	/usr/bin/busybox adjtimex | sed -n 's/^ *time\.tv_sec: *//p; s/^ *time\.tv_usec: *//p' |
		{ read -r _vm_s; read -r _vm_u; echo $((_vm_s * 1000000 + _vm_u)); }
}

vm_log() {
	read -r _vm_up _vm_idle </proc/uptime
	echo "[vmlab $_vm_up] $*" >&2
}

vm_die() {
	vm_log "FAIL: $*"
	exit 1
}

# vm_check DESCRIPTION CMD... - run CMD; fail the scenario naming
# DESCRIPTION if it fails.
vm_check() {
	_vm_desc=$1
	shift
	if "$@"; then
		vm_log "ok: $_vm_desc"
	else
		vm_die "$_vm_desc (command: $*)"
	fi
}

# vm_wait_for TIMEOUT_S DESCRIPTION CMD... - poll CMD (every 0.1 s) until it
# succeeds; return 1 after TIMEOUT_S seconds, saying what was awaited.
vm_wait_for() {
	_vm_t=$1
	_vm_d=$2
	shift 2
	_vm_end=$(($(vm_now_ms) + _vm_t * 1000))
	while ! "$@"; do
		if [ "$(vm_now_ms)" -ge "$_vm_end" ]; then
			vm_log "timed out after ${_vm_t} s waiting for $_vm_d"
			return 1
		fi
		# Poll interval of a bounded wait on a condition (not a delay).
		sleep 0.1
	done
}

# vm_must_wait TIMEOUT_S DESCRIPTION CMD... - vm_wait_for that fails the
# scenario on timeout.
vm_must_wait() {
	vm_wait_for "$@" || vm_die "timed out waiting for $2"
}

vm_settle() {
	/usr/bin/udevadm settle --timeout="${1:-60}" || vm_log "udevadm settle timed out"
}

# --- devices -------------------------------------------------------------

# vm_have_serial SERIAL - true when a /dev/disk/by-id link names SERIAL.
vm_have_serial() {
	[ -n "$1" ] || return 1
	for _vm_f in /dev/disk/by-id/*"$1"*; do
		[ -e "$_vm_f" ] && return 0
	done
	return 1
}

# vm_disk_by_serial SERIAL - the kernel name (sda, nvme0n1, ...) of the disk
# whose by-id link contains SERIAL (whole disks only, not partitions).
vm_disk_by_serial() {
	[ -n "$1" ] || vm_die "vm_disk_by_serial: empty serial"
	for _vm_f in /dev/disk/by-id/*"$1"*; do
		case "$_vm_f" in *-part[0-9]*) continue ;; esac
		[ -e "$_vm_f" ] || continue
		_vm_n=$(readlink -f "$_vm_f")
		echo "${_vm_n#/dev/}"
		return 0
	done
	echo "vm_disk_by_serial: no disk with serial '$1' in /dev/disk/by-id" >&2
	return 1
}

# vm_devnum DISK - "major:minor" of /dev/DISK.
vm_devnum() {
	cat "/sys/class/block/$1/dev" || {
		echo "vm_devnum: no block device '$1'" >&2
		return 1
	}
}

# vm_sectors DISK - size of DISK in 512-byte sectors.
vm_sectors() {
	cat "/sys/class/block/$1/size"
}

# vm_dev_offline DISK / vm_dev_online DISK - set a SCSI device's state.
# "offline" makes the midlayer reject every command (a dead path or disk);
# the kernel sends no uevent for it.
vm_dev_offline() {
	echo offline >"/sys/block/$1/device/state" || vm_die "cannot offline '$1'"
	vm_log "$1: device state offline"
}
vm_dev_online() {
	echo running >"/sys/block/$1/device/state" || vm_die "cannot set '$1' running"
	vm_log "$1: device state running"
}

# vm_all_offline DISK... - true when every DISK's SCSI device is offline.
vm_all_offline() {
	for _vm_d in "$@"; do
		[ "$(cat "/sys/block/$_vm_d/device/state")" = offline ] || return 1
	done
}

# vm_dev_delete DISK - remove a SCSI device as a hot-unplug would.
vm_dev_delete() {
	echo 1 >"/sys/block/$1/device/delete" || vm_die "cannot delete '$1'"
}

# vm_read DEV [COUNT_KIB] [SKIP_KIB] - direct read from /dev/DEV (bypasses the
# page cache, so every call reaches the device); never fails the caller.
vm_read() {
	/usr/bin/busybox dd if="/dev/$1" of=/dev/null bs=4k count=$((${2:-64} / 4)) \
		skip=$((${3:-0} / 4)) iflag=direct 2>/dev/null || true
}

# vm_write DEV [COUNT_KIB] [SEEK_KIB] - direct write of zeroes.
vm_write() {
	/usr/bin/busybox dd if=/dev/zero of="/dev/$1" bs=4k count=$((${2:-64} / 4)) \
		seek=$((${3:-0} / 4)) oflag=direct conv=notrunc 2>/dev/null || true
}

# --- scsi_debug ------------------------------------------------------------
# Its fault settings (opts, every_nth, delay) are global to the module: every
# scsi_debug disk fails together.  For one faulty disk beside healthy ones,
# pair a scsi_debug disk with a QEMU-emulated one, or put dm-flakey/dm-delay
# on top of one disk.

# vm_sd_load [PARAM=VALUE...] - load scsi_debug and wait until all of its
# disks exist and udev has processed them.  Defaults: one 64 MiB disk.
# All scsi_debug disks read and write ONE shared RAM store (what makes
# add_host=2 a two-path LUN): a superblock written to one disk shows on
# all of them.  per_host_store=1 gives each host (add_host=N num_tgts=1)
# its own store.
vm_sd_load() {
	/usr/sbin/modprobe scsi_debug dev_size_mb=64 "$@" || vm_die "modprobe scsi_debug $* failed"
	_vm_want=$(($(cat $VM_SD/add_host) * $(cat $VM_SD/num_tgts) * $(cat $VM_SD/max_luns)))
	vm_must_wait 60 "$_vm_want scsi_debug disks" vm__sd_count_is "$_vm_want"
	vm_settle
	vm_log "scsi_debug loaded ($*): $(vm_sd_disks | tr '\n' ' ')"
}
vm__sd_count_is() {
	[ "$(vm_sd_disks | wc -l)" -eq "$1" ]
}

# vm_sd_unload - remove scsi_debug (its disks must be unused).
vm_sd_unload() {
	/usr/sbin/modprobe -r scsi_debug || vm_die "cannot unload scsi_debug"
}

# vm_sd_disks [ADAPTER] - scsi_debug disks (sdX), in H:C:T:L order; with
# ADAPTER (0, 1, ...) only those behind that scsi_debug adapter (each
# adapter is one SCSI host).
vm_sd_disks() {
	for _vm_b in /sys/block/sd*; do
		[ -e "$_vm_b" ] || continue
		_vm_p=$(readlink -f "$_vm_b")
		case "$_vm_p" in
		*/pseudo_0/adapter"${1:-}"*/host*) ;;
		*) continue ;;
		esac
		_vm_h=${_vm_p%/block/*}
		echo "${_vm_h##*/} ${_vm_b##*/}"
	done | sort -t: -k1,1n -k2,2n -k3,3n -k4,4n | cut -d' ' -f2
}

# vm_sd_host ADAPTER - the SCSI host (hostN) of a scsi_debug adapter.
vm_sd_host() {
	for _vm_h in /sys/bus/pseudo/devices/adapter"$1"/host*; do
		[ -e "$_vm_h" ] && echo "${_vm_h##*/}" && return 0
	done
	return 1
}

vm_sd_set() {
	echo "$2" >"$VM_SD/$1" || vm_die "cannot set scsi_debug $1=$2"
}

# vm_sd_inject KIND [EVERY_NTH] - start a fault on every scsi_debug disk:
#   medium     medium error on reads of LBAs [medium_error_start,
#              +medium_error_count) (set them with vm_sd_set first)
#   timeout    every EVERY_NTH-th command is never answered (SCSI timeout,
#              then error handling: abort, device/target/host reset)
#   recovered  every EVERY_NTH-th command ends with RECOVERED ERROR
#   transport  every EVERY_NTH-th command ends with a transport error
# EVERY_NTH defaults to 1 (every command).  statistics=1 is needed for
# every_nth to count at all.
vm_sd_inject() {
	case "$1" in
	medium) _vm_o=2 ;;
	timeout) _vm_o=4 ;;
	recovered) _vm_o=8 ;;
	transport) _vm_o=16 ;;
	*) vm_die "vm_sd_inject: unknown fault '$1'" ;;
	esac
	vm_sd_set statistics 1
	vm_sd_set every_nth "${2:-1}"
	vm_sd_set opts "$_vm_o"
	vm_log "scsi_debug: injecting $1 (opts=$_vm_o every_nth=${2:-1})"
}

# vm_sd_latency USEC - add USEC microseconds to every scsi_debug command.
vm_sd_latency() {
	vm_sd_set ndelay $(($1 * 1000))
	vm_log "scsi_debug: latency ${1} us"
}

# vm_sd_clear - stop every scsi_debug fault and latency.
vm_sd_clear() {
	vm_sd_set opts 0
	vm_sd_set every_nth 0
	vm_sd_set ndelay 0
	vm_log "scsi_debug: faults cleared"
}

# --- device-mapper --------------------------------------------------------

# vm_dm_flakey NAME DISK - a dm-flakey device /dev/mapper/NAME over DISK,
# passing I/O through until vm_dm_flakey_fail.
vm_dm_flakey() {
	_vm_s=$(vm_sectors "$2")
	echo "0 $_vm_s flakey /dev/$2 0 1 0" | /usr/sbin/dmsetup create "$1" ||
		vm_die "cannot create dm-flakey '$1' over '$2'"
	vm_settle
}

# vm_dm_flakey_fail NAME [FEATURE] - switch NAME to always-down: with no
# FEATURE every I/O fails; with error_writes only writes fail, with
# drop_writes writes are silently dropped.
vm_dm_flakey_fail() {
	_vm_tab=$(/usr/sbin/dmsetup table "$1" | head -n1) || vm_die "no dm device '$1'"
	set -- "$1" "${2:-}" $_vm_tab
	# $3=start $4=len $5=flakey $6=dev $7=offset
	if [ -n "$2" ]; then _vm_feat="1 $2"; else _vm_feat=""; fi
	echo "$3 $4 flakey $6 $7 0 1 $_vm_feat" | /usr/sbin/dmsetup load "$1" &&
		/usr/sbin/dmsetup resume "$1" || vm_die "cannot switch dm-flakey '$1' to failing"
	vm_log "dm-flakey $1: failing ${2:-all I/O}"
}

# vm_dm_flakey_heal NAME - back to passing all I/O.
vm_dm_flakey_heal() {
	set -- "$1" $(/usr/sbin/dmsetup table "$1" | head -n1)
	echo "$2 $3 flakey $5 $6 1 0" | /usr/sbin/dmsetup load "$1" &&
		/usr/sbin/dmsetup resume "$1" || vm_die "cannot heal dm-flakey '$1'"
}

# vm_dm_delay NAME DISK MS - a dm-delay device delaying every I/O by MS ms.
vm_dm_delay() {
	echo "0 $(vm_sectors "$2") delay /dev/$2 0 $3" | /usr/sbin/dmsetup create "$1" ||
		vm_die "cannot create dm-delay '$1' over '$2'"
	vm_settle
}

# vm_dm_set_delay NAME MS - change the delay of an existing dm-delay device.
vm_dm_set_delay() {
	set -- "$1" "$2" $(/usr/sbin/dmsetup table "$1" | head -n1)
	echo "$3 $4 delay $6 $7 $2" | /usr/sbin/dmsetup load "$1" &&
		/usr/sbin/dmsetup resume "$1" || vm_die "cannot change dm-delay '$1'"
}

vm_dm_remove() {
	/usr/sbin/dmsetup remove --retry "$1" || vm_die "cannot remove dm device '$1'"
}

# vm_dm_name NAME - the kernel name (dm-N) of /dev/mapper/NAME.
vm_dm_name() {
	[ -e "/dev/mapper/$1" ] || return 1
	_vm_n=$(readlink -f "/dev/mapper/$1") || return 1
	echo "${_vm_n#/dev/}"
}

# --- md -------------------------------------------------------------------

# vm_md_create MD LEVEL DISK... - create /dev/MD (e.g. md0) over the disks,
# with --assume-clean (no initial resync: it would take minutes under TCG)
# and wait until it runs.  A DISK may be "missing" (a degraded array) or an
# mdadm option for the disks after it (--write-mostly).  Extra mdadm
# options go in VM_MD_OPTS.  Do not build an array from two disks of one
# scsi_debug host: they share one backing store (see vm_sd_load).
vm_md_create() {
	_vm_md=$1
	_vm_lvl=$2
	shift 2
	_vm_devs=
	for _vm_d in "$@"; do
		case "$_vm_d" in
		--* | missing) _vm_devs="$_vm_devs $_vm_d" ;;
		*) _vm_devs="$_vm_devs /dev/$_vm_d" ;;
		esac
	done
	# shellcheck disable=SC2086
	/usr/sbin/mdadm --create "/dev/$_vm_md" --run --quiet --assume-clean \
		--level="$_vm_lvl" --raid-devices=$(vm__count_disks "$@") \
		${VM_MD_OPTS:-} $_vm_devs </dev/null ||
		vm_die "mdadm --create /dev/$_vm_md over$_vm_devs failed"
	vm_must_wait 30 "$_vm_md running" vm__md_running "$_vm_md"
	vm_settle
	vm_log "$_vm_md: RAID$_vm_lvl over$_vm_devs"
}
vm__count_disks() {
	_vm_c=0
	for _vm_d in "$@"; do
		case "$_vm_d" in --*) ;; *) _vm_c=$((_vm_c + 1)) ;; esac
	done
	echo "$_vm_c"
}
vm__md_running() {
	case "$(cat "/sys/block/$1/md/array_state" 2>/dev/null)" in
	clean | active | active-idle | write-pending) return 0 ;;
	esac
	return 1
}

# vm_md_stop MD - stop the array and wipe its members' superblocks.
vm_md_stop() {
	_vm_members=$(ls "/sys/block/$1/slaves" 2>/dev/null)
	/usr/sbin/mdadm --stop "/dev/$1" --quiet || vm_die "cannot stop /dev/$1"
	for _vm_d in $_vm_members; do
		/usr/sbin/mdadm --zero-superblock "/dev/$_vm_d" 2>/dev/null || true
	done
	vm_settle
}

# vm_md_member_state MD DISK - md's state of member DISK ("in_sync",
# "faulty", "in_sync,write_mostly", ...).
vm_md_member_state() {
	cat "/sys/block/$1/md/dev-$2/state" 2>/dev/null
}

# vm_md_member_is MD DISK FLAG - true when md's state of member DISK has
# FLAG (in_sync, faulty, write_mostly, blocked, ...).
vm_md_member_is() {
	case ",$(vm_md_member_state "$1" "$2")," in *",$3,"*) return 0 ;; esac
	return 1
}

# vm_md_member_faulty MD DISK - true once md has marked DISK faulty.
vm_md_member_faulty() {
	case "$(vm_md_member_state "$1" "$2")" in *faulty*) return 0 ;; esac
	return 1
}

# vm_md_snapshot MD - every readable file of /sys/block/MD/md (the member
# directories dev-* included) as "path: value" lines, then /proc/mdstat.
vm_md_snapshot() {
	echo "# /sys/block/$1/md at uptime $(vm_uptime)"
	find "/sys/block/$1/md/" -type f | LC_ALL=C sort | while read -r _vm_f; do
		[ -r "$_vm_f" ] || continue
		_vm_v=$(cat "$_vm_f" 2>/dev/null) || continue
		printf '%s: %s\n' "${_vm_f#/sys/block/}" "$(echo "$_vm_v" | tr '\n' ' ' | sed 's/ $//')"
	done
	echo "# /proc/mdstat"
	cat /proc/mdstat
}

# --- multipath ------------------------------------------------------------

# vm_mpath_start [VERBOSITY] - start multipathd (config: /etc/multipath.conf)
# in the foreground with its log in $VM_MULTIPATHD_LOG, and wait until it
# answers.  It needs udevd (it reads the udev database).
VM_MULTIPATHD_LOG=/run/vmlab/multipathd.log
vm_mpath_start() {
	/usr/sbin/modprobe dm_multipath
	/usr/sbin/modprobe dm_service_time
	/usr/sbin/multipathd -d -s -v"${1:-2}" >>"$VM_MULTIPATHD_LOG" 2>&1 &
	vm_must_wait 30 "multipathd to answer" vm__mpathd_up
}
vm__mpathd_up() {
	/usr/sbin/multipathd show daemon >/dev/null 2>&1
}

# vm_mpath_stop - stop multipathd and remove every multipath map.
vm_mpath_stop() {
	/usr/sbin/multipathd shutdown >/dev/null 2>&1 || true
	vm_wait_for 30 "multipathd to exit" vm__no_proc multipathd || true
	/usr/sbin/multipath -F >/dev/null 2>&1 || true
	vm_settle
}

# vm_mpath_wait_map DISK NPATHS - wait until DISK is a path of a multipath
# map with NPATHS active paths; print the map's name.
vm_mpath_wait_map() {
	vm_must_wait 60 "a multipath map over $1 with $2 active paths" vm__mpath_has "$1" "$2"
	vm_mpath_map_of "$1"
}
vm__mpath_has() {
	_vm_map=$(vm_mpath_map_of "$1") || return 1
	[ "$(vm_mpath_active_paths "$_vm_map")" -eq "$2" ]
}

# vm_mpath_active_paths MAP - how many paths `dmsetup status` shows active
# (the state token after each path's major:minor).
vm_mpath_active_paths() {
	/usr/sbin/dmsetup status "$1" 2>/dev/null | tr ' ' '\n' |
		awk 'p && $0 == "A" { n++ } { p = ($0 ~ /^[0-9]+:[0-9]+$/) } END { print n + 0 }'
}

# vm_mpathd_path_is DISK DM_STATE - true when multipathd shows path DISK
# with that dm state ("active" or "failed").
vm_mpathd_path_is() {
	/usr/sbin/multipathd show paths raw format "%d %t" 2>/dev/null | grep -q "^$1 *$2 *\$"
}
vm__mpathd_path_failed() { vm_mpathd_path_is "$1" failed; }
vm__mpathd_path_active() { vm_mpathd_path_is "$1" active; }

# vm_mpath_state MAP - the map's state as the tools see it: dmsetup table
# and status, multipathd's paths and maps (text and JSON).
vm_mpath_state() {
	echo "# dmsetup table $1"
	/usr/sbin/dmsetup table "$1"
	echo "# dmsetup status $1"
	/usr/sbin/dmsetup status "$1"
	echo "# multipathd show paths"
	/usr/sbin/multipathd show paths
	echo "# multipathd show maps"
	/usr/sbin/multipathd show maps
	echo "# multipathd show maps json"
	/usr/sbin/multipathd show maps json
}
vm__no_proc() {
	! pidof "$1" >/dev/null
}

# vm_mpath_map_of DISK - the dm name of the multipath map that holds DISK.
vm_mpath_map_of() {
	for _vm_h in /sys/block/"$1"/holders/dm-*; do
		[ -e "$_vm_h" ] || continue
		case "$(cat "$_vm_h/dm/uuid" 2>/dev/null)" in
		mpath-*) cat "$_vm_h/dm/name"; return 0 ;;
		esac
	done
	return 1
}

# vm_mpath_path_state MAP DISK - the kernel's state of path DISK in MAP
# from `dmsetup status`: "A" (active) or "F" (failed).
vm_mpath_path_state() {
	_vm_dn=$(vm_devnum "$2") || return 1
	/usr/sbin/dmsetup status "$1" 2>/dev/null | tr ' ' '\n' |
		awk -v d="$_vm_dn" 'p { print; exit } $0 == d { p = 1 }'
}

# vm_mpath_path_is MAP DISK A|F - true when the path is in that state.
vm_mpath_path_is() {
	[ "$(vm_mpath_path_state "$1" "$2")" = "$3" ]
}

# --- evidence capture -----------------------------------------------------

# vm_kmsg_mark TEXT - write a marker record into the kernel log.
vm_kmsg_mark() {
	echo "vmlab: $*" >/dev/kmsg
}

# vm_kmsg_between FROM TO - the records from marker FROM up to marker TO,
# both markers included (raw /dev/kmsg format: "prio,seq,usec,flags;text"
# plus " KEY=value" continuation lines).  Write TO with vm_kmsg_mark first:
# waiting for it makes sure the reader has caught up.
vm_kmsg_between() {
	vm_wait_for 10 "kmsg marker '$2'" vm__kmsg_has "vmlab: $2" || true
	awk -v a=";vmlab: $1" -v b=";vmlab: $2" '
		index($0, a) { p = 1 }
		p { print }
		p && index($0, b) { exit }' "$VM_KMSG"
}
vm__kmsg_has() {
	grep -qF ";$1" "$VM_KMSG"
}

# vm_udev_monitor_start FILE - record udev events (kernel and udev, with
# properties) into FILE until vm_udev_monitor_stop; returns once the monitor
# is listening.
vm_udev_monitor_start() {
	/usr/bin/udevadm monitor --kernel --udev --property >"$1" 2>&1 &
	VM_UDEVMON_PID=$!
	vm_must_wait 10 "udevadm monitor to listen" grep -q '^UDEV - the event' "$1"
}

vm_udev_monitor_stop() {
	vm_settle
	kill "$VM_UDEVMON_PID" 2>/dev/null || true
	wait "$VM_UDEVMON_PID" 2>/dev/null || true
}

# vm_umockdev_record FILE SYSPATH... - record the devices (with all their
# parents, sysfs attributes and udev properties) with umockdev-record.
vm_umockdev_record() {
	_vm_file=$1
	shift
	/usr/bin/umockdev-record "$@" >"$_vm_file" ||
		vm_die "umockdev-record $* failed"
	vm_log "recorded $* into $_vm_file ($(wc -l <"$_vm_file") lines)"
}

# vm_umockdev_add_md_members FILE MD - add the md/dev-*/ member attributes
# of /sys/block/MD to its block in the umockdev recording FILE.
# umockdev-record (0.17) descends only one directory level below a device
# (its print_device_attributes() recurses with the bare entry name instead
# of subdir/entry), so md/array_state is recorded but md/dev-sdX/state is
# not; these lines are written in its format (A: escaped text, L: links).
vm_umockdev_add_md_members() {
	_vm_sys=$(readlink -f "/sys/class/block/$2")
	_vm_devpath=${_vm_sys#/sys}
	for _vm_m in "$_vm_sys"/md/dev-*; do
		[ -d "$_vm_m" ] || continue
		_vm_rel=md/${_vm_m##*/}
		for _vm_a in "$_vm_m"/*; do
			if [ -L "$_vm_a" ]; then
				echo "L: $_vm_rel/${_vm_a##*/}=$(readlink "$_vm_a")"
			elif [ -f "$_vm_a" ] && [ -r "$_vm_a" ]; then
				cat "$_vm_a" 2>/dev/null | awk -v n="$_vm_rel/${_vm_a##*/}" '
					BEGIN { RS = "\001"; v = "" }
					{ v = v $0 }
					END {
						gsub(/\\/, "\\\\", v); gsub(/"/, "\\\"", v)
						gsub(/\n/, "\\n", v); gsub(/\t/, "\\t", v)
						print "A: " n "=" v
					}'
			fi
		done
	done >/tmp/vm-md-members
	awk -v dp="P: $_vm_devpath" -v extra=/tmp/vm-md-members '
		function flush() { while ((getline l < extra) > 0) print l; close(extra) }
		$0 == dp { inblk = 1 }
		inblk && $0 == "" { flush(); inblk = 0 }
		{ print }
		END { if (inblk) flush() }' "$1" >"$1.tmp" && mv "$1.tmp" "$1"
	rm -f /tmp/vm-md-members
}

# vm_controller_dir DISK - the sysfs directory of the controller end DISK
# hangs from: the ataN port for ATA disks, the hostN for other SCSI disks,
# the nvmeN controller for NVMe namespaces; nothing for virtio-blk.
vm_controller_dir() {
	_vm_p=$(readlink -f "/sys/class/block/$1")
	case "$_vm_p" in
	*/host[0-9]*/*)
		_vm_pre=${_vm_p%/host[0-9]*}
		_vm_rest=${_vm_p#"$_vm_pre"/}
		case "${_vm_pre##*/}" in
		ata[0-9]*) echo "$_vm_pre" ;;
		*) echo "$_vm_pre/${_vm_rest%%/*}" ;;
		esac ;;
	*/nvme/nvme[0-9]*/*) echo "${_vm_p%/*}" ;;
	esac
}

# vm_related_class_devices DISK... - class devices that belong to the
# disks' controller ends but are not their parents: sg and bsg nodes,
# scsi_host, scsi_disk, ata_port/link/device, SAS phys/ports/end devices,
# the NVMe generic character device.  umockdev-record records parents
# only, so add these to a recording to keep the whole picture.
vm_related_class_devices() {
	_vm_anchors=
	for _vm_d in "$@"; do
		_vm_a=$(vm_controller_dir "$_vm_d")
		[ -n "$_vm_a" ] && _vm_anchors="$_vm_anchors $_vm_a"
	done
	for _vm_c in /sys/class/scsi_generic/* /sys/class/bsg/* /sys/class/scsi_host/* \
		/sys/class/scsi_disk/* /sys/class/ata_port/* /sys/class/ata_link/* \
		/sys/class/ata_device/* /sys/class/sas_host/* /sys/class/sas_phy/* \
		/sys/class/sas_port/* /sys/class/sas_device/* /sys/class/sas_end_device/* \
		/sys/class/nvme-generic/*; do
		[ -e "$_vm_c" ] || continue
		_vm_r=$(readlink -f "$_vm_c")
		for _vm_a in $_vm_anchors; do
			case "$_vm_r" in "$_vm_a"/*) echo "$_vm_r"; break ;; esac
		done
	done
}

# vm_record_disks FILE DISK... - umockdev recording of the block devices
# DISK... (sda, nvme0n1, md0, dm-0, ...), their parents and their
# controller-side class devices.
vm_record_disks() {
	_vm_file=$1
	shift
	_vm_paths=
	for _vm_d in "$@"; do
		[ -e "/sys/class/block/$_vm_d" ] || vm_die "vm_record_disks: no block device '$_vm_d'"
		_vm_paths="$_vm_paths /sys/class/block/$_vm_d"
	done
	# shellcheck disable=SC2046,SC2086
	vm_umockdev_record "$_vm_file" $_vm_paths $(vm_related_class_devices "$@")
	for _vm_d in "$@"; do
		[ -d "/sys/class/block/$_vm_d/md" ] && vm_umockdev_add_md_members "$_vm_file" "$_vm_d"
	done
	return 0
}

# vm_fixture RELPATH SRC - hand SRC to the host as fixture tests/fixtures/
# RELPATH; the runner copies it there when started with --capture.
vm_fixture() {
	mkdir -p "$VM_OUT/fixtures/$(dirname "$1")"
	cp "$2" "$VM_OUT/fixtures/$1" || vm_die "cannot store fixture '$1'"
}

# vm_capturing - true when fixtures are being captured (run --capture).
vm_capturing() {
	[ "${VM_CAPTURE:-0}" = 1 ]
}

# vm_result NAME SRC|- - store a result file for the host-side check.
vm_result() {
	if [ "$2" = - ]; then cat >"$VM_OUT/$1"; else cp "$2" "$VM_OUT/$1"; fi
}

# --- the host ---------------------------------------------------------------

VM_CTL=/dev/virtio-ports/vmlab.ctl

# vm_host_qmp JSON - have the host send JSON to QEMU's QMP monitor; prints
# QMP's answer ({"return": ...} or {"error": ...}) and fails on an error.
# Example: set NVMe critical warning bits at run time:
#   vm_host_qmp '{"execute":"qom-set","arguments":{"path":"/machine/peripheral/nvme0","property":"smart_critical_warning","value":4}}'
vm_host_qmp() {
	[ -e "$VM_CTL" ] || vm_die "no host control channel ($VM_CTL)"
	exec 9<>"$VM_CTL"
	printf 'qmp %s\n' "$1" >&9
	read -r _vm_reply <&9
	exec 9>&-
	echo "${_vm_reply#* }"
	case "$_vm_reply" in
	"ok "*) return 0 ;;
	*) vm_log "host QMP command failed: $_vm_reply"; return 1 ;;
	esac
}

# --- webhook receiver -------------------------------------------------------

VM_WEBHOOK_DIR=/run/vmlab/webhooks
VM_WEBHOOK_WWW=/run/vmlab/www

# vm_webhook_receiver_start [PORT] - a local HTTP receiver for webhook tests
# (busybox httpd on 127.0.0.1 with a CGI script).  Each request to
# $VM_WEBHOOK_URL is stored as $VM_WEBHOOK_DIR/<uptime>-<pid>.body (the
# request body) and .headers (method, URI, content type and length, and the
# HTTP_* request headers); the receiver answers with the HTTP status written
# in $VM_WEBHOOK_DIR/status (200; write e.g. 503 to make deliveries fail).
vm_webhook_receiver_start() {
	_vm_port=${1:-8080}
	mkdir -p "$VM_WEBHOOK_DIR" "$VM_WEBHOOK_WWW/cgi-bin"
	echo 200 >"$VM_WEBHOOK_DIR/status"
	cat >"$VM_WEBHOOK_WWW/cgi-bin/hook" <<-EOF
	#!/bin/sh
	read -r up _ </proc/uptime
	id=\$(printf '%012d' "\${up%.*}\${up#*.}")-\$\$
	head -c "\${CONTENT_LENGTH:-0}" >"$VM_WEBHOOK_DIR/\$id.body.tmp"
	env | grep -E '^(HTTP_|CONTENT_|REQUEST_METHOD=|REQUEST_URI=|QUERY_STRING=)' | sort >"$VM_WEBHOOK_DIR/\$id.headers"
	mv "$VM_WEBHOOK_DIR/\$id.body.tmp" "$VM_WEBHOOK_DIR/\$id.body"
	printf 'Status: %s\r\nContent-Type: text/plain\r\n\r\n' "\$(cat "$VM_WEBHOOK_DIR/status")"
	EOF
	chmod 755 "$VM_WEBHOOK_WWW/cgi-bin/hook"
	/usr/bin/busybox httpd -p "127.0.0.1:$_vm_port" -h "$VM_WEBHOOK_WWW" ||
		vm_die "cannot start the webhook receiver on port $_vm_port"
	VM_WEBHOOK_URL=http://127.0.0.1:$_vm_port/cgi-bin/hook
	export VM_WEBHOOK_URL
	vm_log "webhook receiver at $VM_WEBHOOK_URL"
}

# vm_webhook_count - how many requests the receiver has stored.
vm_webhook_count() {
	ls "$VM_WEBHOOK_DIR" 2>/dev/null | grep -c '\.body$' || true
}

# vm_webhook_bodies - the stored request bodies, oldest first, one per line.
vm_webhook_bodies() {
	for _vm_f in "$VM_WEBHOOK_DIR"/*.body; do
		[ -f "$_vm_f" ] && cat "$_vm_f" && echo
	done
}

# vm_webhook_wait N TIMEOUT_S - wait until at least N requests arrived.
vm_webhook_wait() {
	vm_wait_for "$2" "$1 webhook request(s)" vm__webhook_at_least "$1"
}
vm__webhook_at_least() {
	[ "$(vm_webhook_count)" -ge "$1" ]
}

# --- storguard --------------------------------------------------------------

VM_STORGUARDD_PID=

# vm_storguardd_start [EXTRA ARGS...] - start storguardd the way systemd
# starts it from storguard.service (when `make install` put one into the
# guest): its ExecStart= command and Environment=, the directories of
# StateDirectory=/RuntimeDirectory= created and announced in
# $STATE_DIRECTORY/$RUNTIME_DIRECTORY.  Without a unit:
# `storguardd --config /etc/storguard/storguard.conf`.  Scenarios write
# their configuration to /etc/storguard/storguard.conf (where a package
# built with --sysconfdir=/etc reads it); when the unit's command names no
# --config, that file is passed with --config, because the lab's build may
# use another prefix.  Type=notify and WatchdogSec= are not emulated (no
# NOTIFY_SOCKET: sd_notify() calls are no-ops).  Output goes to
# $VM_OUT/storguardd.log.
vm_storguardd_start() {
	[ -x /usr/sbin/storguardd ] || vm_die "storguardd is not in the guest (build the tree first)"
	if vm_systemd_is_pid1; then
		vm__storguardd_start_unit "$@"
		return
	fi
	_vm_cmd=/usr/sbin/storguardd
	_vm_unit=
	for _vm_u in /etc/systemd/system /usr/local/lib/systemd/system /usr/lib/systemd/system; do
		[ -f "$_vm_u/storguard.service" ] && _vm_unit=$_vm_u/storguard.service && break
	done
	if [ -n "$_vm_unit" ]; then
		_vm_x=$(sed -n 's/^ExecStart=[-@+!]*//p' "$_vm_unit" | head -n1)
		[ -n "$_vm_x" ] && _vm_cmd=$_vm_x
		for _vm_e in $(sed -n 's/^Environment=//p' "$_vm_unit" | tr -d '"'); do
			export "${_vm_e%%=*}=${_vm_e#*=}"
		done
		_vm_d=$(sed -n 's/^StateDirectory=//p' "$_vm_unit" | head -n1)
		if [ -n "$_vm_d" ]; then
			mkdir -p "/var/lib/$_vm_d"
			export STATE_DIRECTORY="/var/lib/$_vm_d"
		fi
		_vm_d=$(sed -n 's/^RuntimeDirectory=//p' "$_vm_unit" | head -n1)
		if [ -n "$_vm_d" ]; then
			mkdir -p "/run/$_vm_d"
			export RUNTIME_DIRECTORY="/run/$_vm_d"
		fi
	fi
	case " $_vm_cmd $* " in
	*" --config"*) ;;
	*)
		if [ -f /etc/storguard/storguard.conf ]; then
			_vm_cmd="$_vm_cmd --config /etc/storguard/storguard.conf"
		fi ;;
	esac
	vm_log "starting: $_vm_cmd $* (unit: ${_vm_unit:-none})"
	# shellcheck disable=SC2086
	$_vm_cmd "$@" >>"$VM_OUT/storguardd.log" 2>&1 &
	VM_STORGUARDD_PID=$!
}

vm_storguardd_stop() {
	if vm_systemd_is_pid1; then
		/usr/bin/systemctl stop storguard.service || vm_log "systemctl stop storguard.service failed"
		[ -n "$VM__JOURNAL_PID" ] && kill "$VM__JOURNAL_PID" 2>/dev/null
		VM__JOURNAL_PID=
		VM_STORGUARDD_PID=
		return 0
	fi
	[ -n "$VM_STORGUARDD_PID" ] || return 0
	kill -TERM "$VM_STORGUARDD_PID" 2>/dev/null || true
	vm_wait_for 30 "storguardd to exit" vm__pid_gone "$VM_STORGUARDD_PID" ||
		kill -KILL "$VM_STORGUARDD_PID" 2>/dev/null || true
	VM_STORGUARDD_PID=
}
# vm_systemd_is_pid1 - true when the boot runs systemd as PID 1
# ("# vmlab-init: systemd" in the scenario).
vm_systemd_is_pid1() {
	[ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]
}

# vm__storguardd_start_unit [EXTRA ARGS...] - under systemd: start the
# installed storguard.service itself, sandbox and all.  A runtime drop-in
# only adds --config (the lab's configuration file) and EXTRA ARGS to its
# ExecStart=; `systemctl start` returns once the daemon said READY=1
# (Type=notify) or failed.  Its journal is followed into
# $VM_OUT/storguardd.log, where scenarios look for its messages.
VM__JOURNAL_PID=
vm__storguardd_start_unit() {
	_vm_x=$(/usr/bin/systemctl show -P ExecStart storguard.service | sed -n 's/.*argv\[\]=\([^;]*\) ;.*/\1/p')
	[ -n "$_vm_x" ] || vm_die "storguard.service is not installed in the guest (no ExecStart=)"
	_vm_x=${_vm_x% }
	case " $_vm_x $* " in
	*" --config"*) ;;
	*) [ -f /etc/storguard/storguard.conf ] && _vm_x="$_vm_x --config /etc/storguard/storguard.conf" ;;
	esac
	mkdir -p /run/systemd/system/storguard.service.d
	printf '[Service]\nExecStart=\nExecStart=%s\n' "$_vm_x $*" >/run/systemd/system/storguard.service.d/vmlab.conf
	/usr/bin/systemctl daemon-reload
	vm_log "starting storguard.service: $_vm_x $*"
	/usr/bin/journalctl --follow --no-tail --output=cat --unit=storguard.service >>"$VM_OUT/storguardd.log" 2>&1 &
	VM__JOURNAL_PID=$!
	if ! /usr/bin/systemctl start storguard.service; then
		/usr/bin/systemctl status --no-pager storguard.service >&2 || true
		vm_die "storguard.service did not start"
	fi
	VM_STORGUARDD_PID=$(/usr/bin/systemctl show -P MainPID storguard.service)
}

vm__pid_gone() {
	! kill -0 "$1" 2>/dev/null
}

# vm_dbus_property_is DEST PATH IFACE PROP VALUE - true when busctl prints
# exactly VALUE (e.g. 's "degraded"' or 'u 3') for the property.
vm_dbus_property_is() {
	[ "$(/usr/bin/busctl --system get-property "$1" "$2" "$3" "$4" 2>/dev/null)" = "$5" ]
}

# vm_dbus_wait_property TIMEOUT_S DEST PATH IFACE PROP VALUE
vm_dbus_wait_property() {
	_vm_t=$1
	shift
	vm_wait_for "$_vm_t" "$3.$4 of $2 to be $5" vm_dbus_property_is "$@"
}

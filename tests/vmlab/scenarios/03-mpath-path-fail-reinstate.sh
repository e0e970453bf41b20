# vmlab-title: dm-multipath: two paths to one LUN, one path fails and comes back
# vmlab-timeout: 240
#
# Issue 3, scenario 3.  multipathd (started first, as on a host) builds a
# map when scsi_debug presents one LUN through two SCSI hosts
# (add_host=2 vpd_use_hostno=0: same WWID on both).  One path's SCSI device
# is set offline (a dead link: every command to it is rejected); I/O on the
# map and multipathd's path checker make dm-multipath fail the path.  Then
# the device is set running again and multipathd reinstates the path.
#
# storguard reads dm's own view (DM_TABLE_STATUS, issue 5): with the path
# failed, `storguardctl inventory --json` shows it failed with dm's fail
# count 1 and the map without queue_if_no_path; reinstated, active with the
# fail count kept.
#
# Captured (with --capture): kmsg records, udev events, the map's state
# (dmsetup, multipathd) before / with the path failed / after, multipathd's
# log, and a umockdev recording of the map with one path failed.
. /vmlab/lib.sh

name=mpath-path-fail-reinstate
vm_mpath_start 3
vm_sd_load add_host=2 num_tgts=1 max_luns=1 vpd_use_hostno=0 dev_size_mb=64
p1=$(vm_sd_disks 0)
p2=$(vm_sd_disks 1)
[ -n "$p1" ] && [ -n "$p2" ] || vm_die "expected one scsi_debug disk on each of two adapters, got '$p1' '$p2'"
vm_check "$p1 and $p2 show the same WWID" \
	[ "$(cat /sys/block/$p1/device/wwid)" = "$(cat /sys/block/$p2/device/wwid)" ]
map=$(vm_mpath_wait_map "$p1" 2)
dm=$(vm_dm_name "$map")
vm_log "map $map ($dm) over $p1 ($(vm_devnum "$p1")) and $p2 ($(vm_devnum "$p2"))"
vm_check "$p2 is a path of $map too" [ "$(vm_mpath_map_of "$p2")" = "$map" ]
vm_mpath_state "$map" >/tmp/state.before
cat /tmp/state.before

# storguard's inventory JSON, one object per line (paths are objects
# without nested ones).
sg_objects() {
	/usr/bin/storguardctl inventory --json 2>/dev/null | tr -d ' \n' | tr '{' '\n'
}
# sg_path_is PATH STATE FAIL_COUNT
sg_path_is() {
	sg_objects | grep "^\"name\":\"$1\"" | grep "\"state\":\"$2\"" | grep -q "\"fail_count\":$3[,}]"
}
sg_map_no_queue() {
	sg_objects | grep '"failed_paths"' | grep -q '"queue_if_no_path":false'
}

vm_udev_monitor_start /tmp/udev.log
vm_kmsg_mark "$name: fail $p2"

vm_dev_offline "$p2"
# Direct reads on the map reach both paths (service-time spreads them), so
# the kernel sees the offline path fail without waiting for the checker.
fail_seen() {
	vm_read "$dm" 16
	vm_mpath_path_is "$map" "$p2" F
}
vm_must_wait 30 "dm-multipath to fail $p2 in $map" fail_seen
vm_check "$p1 still active" vm_mpath_path_is "$map" "$p1" A
vm_must_wait 30 "multipathd to see $p2 failed" vm__mpathd_path_failed "$p2"
vm_check "the map still reads" /usr/bin/busybox dd if="/dev/$dm" of=/dev/null bs=4k count=16 iflag=direct
vm_settle
vm_mpath_state "$map" >/tmp/state.failed
cat /tmp/state.failed
if [ -x /usr/bin/storguardctl ]; then
	sg_objects | grep "^\"name\":\"$p2\"" >"$VM_OUT/storguard-path.failed" || true
	vm_check "storguard (dm status): $p2 failed, fail count 1" sg_path_is "$p2" failed 1
	vm_check "storguard (dm status): $p1 active, fail count 0" sg_path_is "$p1" active 0
	vm_check "storguard (dm table): $map without queue_if_no_path" sg_map_no_queue
fi
if vm_capturing; then
	vm_record_disks /tmp/r "$dm" "$p1" "$p2"
	# The kernel's path states live in the dm table status (an ioctl, not
	# sysfs) and in the PATH_FAILED event, not in the udev database: what
	# sysfs shows is the dead path's SCSI device state.
	grep -q '^A: state=offline' /tmp/r || vm_die "the recording lacks $p2's device state offline"
	grep -q '^L: slaves/'"$p2"'=' /tmp/r || vm_die "the recording lacks $dm's slave $p2"
	grep -q '^E: DM_UUID=mpath-' /tmp/r || vm_die "the recording lacks $dm's DM_UUID"
	vm_fixture umockdev/mpath-2paths-1failed.umockdev /tmp/r
fi

vm_kmsg_mark "$name: reinstate $p2"
vm_dev_online "$p2"
vm_must_wait 30 "multipathd to reinstate $p2 in $map" vm_mpath_path_is "$map" "$p2" A
vm_must_wait 30 "multipathd to see $p2 active" vm__mpathd_path_active "$p2"
vm_kmsg_mark "$name: done"
vm_udev_monitor_stop
vm_mpath_state "$map" >/tmp/state.after
if [ -x /usr/bin/storguardctl ]; then
	vm_check "storguard (dm status): $p2 active again, fail count kept" sg_path_is "$p2" active 1
fi

vm_kmsg_between "$name: fail $p2" "$name: done" >/tmp/kmsg
vm_check "kmsg: dm-multipath failed $p2" grep -q "multipath.*: Failing path $(vm_devnum "$p2")" /tmp/kmsg
vm_check "udev: PATH_FAILED" grep -q '^DM_ACTION=PATH_FAILED' /tmp/udev.log
vm_check "udev: PATH_REINSTATED" grep -q '^DM_ACTION=PATH_REINSTATED' /tmp/udev.log
vm_result kmsg /tmp/kmsg
vm_result udev.log /tmp/udev.log
cp "$VM_MULTIPATHD_LOG" /tmp/multipathd.log
vm_result multipathd.log /tmp/multipathd.log

if vm_capturing; then
	vm_fixture kmsg/$name.kmsg /tmp/kmsg
	vm_fixture uevents/$name.udev /tmp/udev.log
	vm_fixture multipath/$name.before /tmp/state.before
	vm_fixture multipath/$name.failed /tmp/state.failed
	vm_fixture multipath/$name.after /tmp/state.after
	vm_fixture multipath/$name.multipathd.log /tmp/multipathd.log
fi

vm_mpath_stop
vm_sd_unload

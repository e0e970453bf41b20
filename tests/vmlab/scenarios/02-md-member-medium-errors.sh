# vmlab-title: md RAID1: medium errors on one member until md fails it
# vmlab-timeout: 240
#
# Issue 3, scenario 2.  RAID1 over two SCSI disks: a scsi_debug disk (the
# one that goes bad) and a healthy QEMU virtio-scsi disk, marked
# write-mostly so that reads go to the scsi_debug member.  scsi_debug then
# answers reads of a range of LBAs with MEDIUM ERROR; md reads the good
# copy, rewrites the bad member, reads it back, fails again and, with no
# bad-block log to park the range in, fails the member ("Disk failure on
# sdX, disabling device").  With a bad-block log (mdadm's default for 1.x
# metadata) md would record the range in dev-*/bad_blocks instead and keep
# the member: that case is left to its own scenario.
#
# Captured (with --capture): kmsg records, udev events, md sysfs before and
# after, the bad member's SCSI counters, and a umockdev recording of the
# degraded array with its members.
. /vmlab/lib.sh

name=md-raid1-medium-error
# Medium errors on member LBAs [20000, 20064): inside md's data area.
vm_sd_load dev_size_mb=64 medium_error_start=20000 medium_error_count=64
bad=$(vm_sd_disks)
good=$(vm_disk_by_serial "$VM_HW_VSCSI0_SERIAL")
vm_log "members: $bad (scsi_debug, will fail) and $good (virtio-scsi, write-mostly)"

# 60 MiB: the scsi_debug disk is the smaller one.
VM_MD_OPTS="--metadata=1.2 --size=61440" vm_md_create md0 1 "$bad" --write-mostly "$good"
# Drop the bad-block log so that an unrecoverable read fails the member.
/usr/sbin/mdadm --stop /dev/md0 --quiet
/usr/sbin/mdadm --assemble /dev/md0 --run --quiet --update=no-bbl "/dev/$bad" "/dev/$good" ||
	vm_die "cannot reassemble md0 without bad-block log"
vm_must_wait 30 "md0 running" vm__md_running md0
vm_settle
vm_check "$bad in_sync" vm_wait_for 5 "$bad in_sync" vm_md_member_is md0 "$bad" in_sync

offset=$(cat "/sys/block/md0/md/dev-$bad/offset")
vm_log "md0 data offset on $bad: $offset sectors"
/usr/sbin/mdadm --detail /dev/md0

counters() {
	for c in iorequest_cnt iodone_cnt ioerr_cnt iotmo_cnt; do
		echo "$1/device/$c: $(cat "/sys/block/$1/device/$c")"
	done
}
vm_md_snapshot md0 >/tmp/md.before
counters "$bad" >/tmp/counters.before
vm_udev_monitor_start /tmp/udev.log
vm_kmsg_mark "$name: inject"

vm_sd_inject medium
# Read md0 where the bad LBAs are (direct I/O: every read reaches a disk),
# again until md gives up on the member.
first_kib=$(((20000 - offset) / 2))
read_bad_range() {
	vm_read md0 32 "$first_kib"
	vm_md_member_faulty md0 "$bad"
}
vm_must_wait 60 "md to fail $bad" read_bad_range
vm_log "md0: $bad is $(vm_md_member_state md0 "$bad")"

vm_check "md0 degraded" [ "$(cat /sys/block/md0/md/degraded)" = 1 ]
vm_check "$good still in_sync" vm_md_member_is md0 "$good" in_sync
vm_check "md0 still readable over the bad range" \
	/usr/bin/busybox dd if=/dev/md0 of=/dev/null bs=4k count=8 skip=$((first_kib / 4)) iflag=direct

vm_kmsg_mark "$name: done"
vm_udev_monitor_stop
vm_md_snapshot md0 >/tmp/md.after
counters "$bad" >/tmp/counters.after
/usr/sbin/mdadm --detail /dev/md0 >/tmp/mdadm-detail
cat /tmp/mdadm-detail
vm_kmsg_between "$name: inject" "$name: done" >/tmp/kmsg
vm_check "kmsg has md's failure of $bad" grep -q "md/raid1:md0: Disk failure on $bad, disabling device" /tmp/kmsg
vm_check "kmsg has the medium error on $bad" grep -q "\[$bad\].*Sense Key : Medium Error" /tmp/kmsg
# The counters are hexadecimal ("0x4").
err_before=$(($(sed -n 's/.*ioerr_cnt: //p' /tmp/counters.before)))
err_after=$(($(sed -n 's/.*ioerr_cnt: //p' /tmp/counters.after)))
vm_check "ioerr_cnt of $bad rose ($err_before -> $err_after)" [ "$err_after" -gt "$err_before" ]
vm_result kmsg /tmp/kmsg
vm_result udev.log /tmp/udev.log

if vm_capturing; then
	vm_record_disks /tmp/r md0 "$bad" "$good"
	grep -q '^A: md/dev-'"$bad"'/state=faulty' /tmp/r || vm_die "the recording lacks md/dev-$bad/state=faulty"
	vm_fixture umockdev/md-raid1-faulty.umockdev /tmp/r
	vm_fixture kmsg/$name.kmsg /tmp/kmsg
	vm_fixture uevents/$name.udev /tmp/udev.log
	vm_fixture md/$name.before /tmp/md.before
	vm_fixture md/$name.after /tmp/md.after
	vm_fixture md/$name.mdadm-detail /tmp/mdadm-detail
	cat /tmp/counters.before /tmp/counters.after >/tmp/counters
	vm_fixture scsi/$name.counters /tmp/counters
fi

vm_sd_clear
vm_md_stop md0
vm_sd_unload

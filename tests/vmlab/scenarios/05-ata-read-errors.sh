# vmlab-title: SATA disk on AHCI with an unreadable sector (QEMU blkdebug): libata error handling
# vmlab-timeout: 180
# vmlab-image: bd0.img 256M
# vmlab-qemu: -drive if=none,id=bd0,format=raw,file=blkdebug:@DIR@/blkdebug.conf:@DIR@/bd0.img -device ide-hd,bus=ide.1,drive=bd0,model=ST1000DM003-1SB102,serial=Z9A0BD01,ver=CC43
#
# A second SATA disk on the ICH9 AHCI controller whose image fails every
# read touching sector 20000 (QEMU blkdebug, scenarios/05-ata-read-errors.d/
# blkdebug.conf).  A direct read of that sector makes QEMU end the ATA
# command with an error; libata's error handling and the SCSI layer above
# it log what a real SATA disk with an unreadable sector logs.  The host
# sees a BLOCK_IO_ERROR QMP event per failed request (qmp-events.jsonl).
#
# Captured (with --capture): kmsg records, udev events, the disk's SCSI
# counters before and after.
. /vmlab/lib.sh

name=ata-read-error
serial=Z9A0BD01
vm_must_wait 60 "the blkdebug SATA disk ($serial)" vm_have_serial "$serial"
vm_settle
d=$(vm_disk_by_serial "$serial")
vm_log "blkdebug disk: $d ($(basename "$(readlink -f "/sys/block/$d/device")"))"

counters() {
	for c in iorequest_cnt iodone_cnt ioerr_cnt iotmo_cnt; do
		echo "$1 $c=$(cat "/sys/block/$d/device/$c")"
	done
}
counters before >/tmp/counters
vm_check "sector 0 reads" /usr/bin/busybox dd if="/dev/$d" of=/dev/null bs=512 count=1 iflag=direct
vm_udev_monitor_start /tmp/udev.log
vm_kmsg_mark "$name: read sector 20000 of $d"
if /usr/bin/busybox dd if="/dev/$d" of=/dev/null bs=512 count=1 skip=20000 iflag=direct 2>/dev/null; then
	vm_die "$d: sector 20000 read although blkdebug fails it"
fi
vm_log "ok: reading sector 20000 of $d fails"
vm_kmsg_mark "$name: done"
vm_udev_monitor_stop
counters after >>/tmp/counters
cat /tmp/counters
vm_kmsg_between "$name: read sector 20000 of $d" "$name: done" >/tmp/kmsg
cat /tmp/kmsg
vm_check "kmsg: the failed ATA command" grep -q 'failed command: READ' /tmp/kmsg
vm_check "kmsg: I/O error on sector 20000" grep -q "I/O error, dev $d, sector 20000" /tmp/kmsg
vm_check "the disk is still running" [ "$(cat "/sys/block/$d/device/state")" = running ]
vm_result kmsg /tmp/kmsg

if vm_capturing; then
	vm_fixture kmsg/$name.kmsg /tmp/kmsg
	vm_fixture uevents/$name.udev /tmp/udev.log
	vm_fixture scsi/$name.counters /tmp/counters
fi

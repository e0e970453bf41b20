# vmlab-title: inventory: scsi_debug, AHCI SATA, SAS HBAs, NVMe, virtio disks and their identities
# vmlab-timeout: 300
#
# Issue 3, scenario 1.  Lists every disk the emulated hardware and
# scsi_debug present, runs `storguardctl inventory --json` when the tree
# has it (the host-side check, 01-inventory.check, asserts every disk is
# there with its identity), sets an NVMe critical warning from the host
# over QMP and reads it back, and records umockdev fixtures of each kind of
# disk with its controller.
. /vmlab/lib.sh

vm_sd_load add_host=1 num_tgts=2 max_luns=1

sata=$(vm_disk_by_serial "$VM_HW_SATA0_SERIAL")
nvme=$(vm_disk_by_serial "$VM_HW_NVME0_SERIAL")
sas0=$(vm_disk_by_serial "$VM_HW_SAS0_SERIAL")
sas1=$(vm_disk_by_serial "$VM_HW_SAS1_SERIAL")
mpt0=$(vm_disk_by_serial "$VM_HW_MPT0_SERIAL")
vscsi0=$(vm_disk_by_serial "$VM_HW_VSCSI0_SERIAL")
vscsi1=$(vm_disk_by_serial "$VM_HW_VSCSI1_SERIAL")
vblk=$(vm_disk_by_serial "$VM_HW_VBLK0_SERIAL")
sd=$(vm_sd_disks)
vm_log "sata=$sata nvme=$nvme megasas=$sas0,$sas1 mptsas=$mpt0 virtio-scsi=$vscsi0,$vscsi1 virtio-blk=$vblk scsi_debug=$(echo $sd)"
[ "$(echo $sd | wc -w)" -eq 2 ] || vm_die "expected 2 scsi_debug disks, found: $sd"

/usr/bin/lsscsi -g
/usr/sbin/nvme list

# Each disk's udev properties and its driver, for the host-side check.
mkdir -p "$VM_OUT/udev"
for d in $sata $nvme $sas0 $sas1 $mpt0 $vscsi0 $vscsi1 $vblk $sd; do
	/usr/bin/udevadm info --query=property --name="$d" >"$VM_OUT/udev/$d"
done
{
	echo "sata=$sata"
	echo "nvme=$nvme"
	echo "megasas='$sas0 $sas1'"
	echo "mptsas=$mpt0"
	echo "virtio_scsi='$vscsi0 $vscsi1'"
	echo "virtio_blk=$vblk"
	echo "scsi_debug='$(echo $sd)'"
} | vm_result disks.env -

if [ -x /usr/bin/storguardctl ]; then
	/usr/bin/storguardctl inventory >"$VM_OUT/inventory.txt" 2>"$VM_OUT/inventory.stderr" ||
		vm_die "storguardctl inventory failed: $(cat "$VM_OUT/inventory.stderr")"
	/usr/bin/storguardctl inventory --json >"$VM_OUT/inventory.json" 2>>"$VM_OUT/inventory.stderr" ||
		vm_die "storguardctl inventory --json failed: $(cat "$VM_OUT/inventory.stderr")"
	cat "$VM_OUT/inventory.txt"
else
	vm_log "storguardctl is not in the guest: the inventory check is skipped"
fi

# NVMe critical warning set by the host at run time (QMP qom-set on the
# emulated controller), read back through the health log page.
nvme_cw() {
	/usr/sbin/nvme smart-log "/dev/${nvme%n[0-9]*}" -o json 2>/dev/null |
		sed -n 's/^ *"critical_warning" *: *\([0-9]*\).*/\1/p'
}
nvme_cw_is() { [ "$(nvme_cw)" = "$1" ]; }
ctrl=${nvme%n[0-9]*}
[ "$(nvme_cw)" = 0 ] || vm_die "$ctrl: critical warning $(nvme_cw) before injection"
/usr/sbin/nvme smart-log "/dev/$ctrl" -b >/tmp/smart-log-cw0.bin
/usr/sbin/nvme id-ctrl "/dev/$ctrl" -b >/tmp/id-ctrl.bin
vm_host_qmp '{"execute":"qom-set","arguments":{"path":"/machine/peripheral/nvme0","property":"smart_critical_warning","value":4}}'
vm_must_wait 10 "$ctrl critical warning 4 (reliability degraded)" nvme_cw_is 4
vm_log "ok: $ctrl reports critical warning 4 set over QMP"
/usr/sbin/nvme smart-log "/dev/$ctrl" -b >/tmp/smart-log-cw4.bin
/usr/sbin/nvme smart-log "/dev/$ctrl" -o json | vm_result nvme-smart-log-cw4.json -
vm_host_qmp '{"execute":"qom-set","arguments":{"path":"/machine/peripheral/nvme0","property":"smart_critical_warning","value":0}}'
vm_must_wait 10 "$ctrl critical warning cleared" nvme_cw_is 0

# Fixtures: umockdev recordings of each kind of disk with its controller.
if vm_capturing; then
	vm_record_disks /tmp/r "$sata"
	vm_fixture umockdev/ahci-sata.umockdev /tmp/r
	vm_record_disks /tmp/r "$sas0" "$sas1"
	vm_fixture umockdev/megasas-sas.umockdev /tmp/r
	vm_record_disks /tmp/r "$mpt0"
	vm_fixture umockdev/mptsas-sas.umockdev /tmp/r
	vm_record_disks /tmp/r "$nvme"
	vm_fixture umockdev/nvme.umockdev /tmp/r
	vm_record_disks /tmp/r "$vscsi0" "$vscsi1"
	vm_fixture umockdev/virtio-scsi.umockdev /tmp/r
	vm_record_disks /tmp/r $sd
	vm_fixture umockdev/scsi-debug.umockdev /tmp/r
	vm_record_disks /tmp/r "$vblk"
	vm_fixture umockdev/virtio-blk-udev.umockdev /tmp/r
	vm_fixture nvme/qemu-nvme--smart-log-cw0.bin /tmp/smart-log-cw0.bin
	vm_fixture nvme/qemu-nvme--smart-log-cw4.bin /tmp/smart-log-cw4.bin
	vm_fixture nvme/qemu-nvme--id-ctrl.bin /tmp/id-ctrl.bin
fi

vm_sd_unload

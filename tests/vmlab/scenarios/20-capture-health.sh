# vmlab-title: capture health fixtures (SMART blob, SCSI pages and sense, NVMe logs) from emulated devices
# vmlab-timeout: 240
#
# Captures the real-device fixtures of tests/fixtures/{ata,scsi,nvme}/ in
# storguard's capture format (sg3_utils' inhex: "# origin ..." comment
# lines, then hex bytes; readable by `sg_logs --inhex`, `sg_decode_sense`
# and tests/unit/hex-fixture.h).  Results land in $VM_OUT/fixtures/; copy
# them into tests/fixtures/ and note kernel, device and fault in the
# README there.  Run on the host:
#
#   tests/vmlab/run --capture 20-capture-health
#
# POSIX sh (busybox ash); real tools by full path.
. /vmlab/lib.sh

OUT=$VM_OUT/fixtures
mkdir -p "$OUT/ata" "$OUT/scsi" "$OUT/nvme"
KVER=$(uname -r)

# hexdump_to FILE ORIGIN... - stdin (binary) as hex, 16 bytes a line,
# after one "# " line per ORIGIN argument.
hexdump_to() {
	_f=$1
	shift
	{
		for _l in "$@"; do echo "# $_l"; done
		echo "# kernel: $KVER"
		od -An -v -tx1 | sed 's/^ *//'
	} >"$_f"
}

# sg_hex FILE TITLE CMD... - run an sg3_utils command that prints raw
# binary (--raw) and store it as hex.
sg_hex() {
	_f=$1
	_t=$2
	shift 2
	if "$@" >"$_f.bin" 2>"$_f.err"; then
		hexdump_to "$_f" "$_t" "command: $*" <"$_f.bin"
	else
		vm_log "capture: '$*' failed: $(cat "$_f.err")"
	fi
	rm -f "$_f.bin" "$_f.err"
}

# --- ATA: QEMU's AHCI disk (ide-hd on ICH9), the SMART blob ----------------
sata=$(vm_disk_by_serial "$VM_HW_SATA0_SERIAL") || vm_die "no SATA disk"
# libatasmart's own device path needs descriptor sense on AHCI (VMLAB.md):
# capture the page first, then switch D_SENSE on for skdump only.
sg_hex "$OUT/scsi/qemu-ahci-mode-0a.hex" "origin: QEMU ICH9 AHCI ide-hd '$VM_HW_SATA0_MODEL' through libata SAT, MODE SENSE(10) control page 0x0a" \
	/usr/bin/sg_modes --raw -p 0x0a "/dev/$sata"
/usr/bin/sg_wr_mode -p 0x0a -c 0a,0a,06,00,00,00,00,00,ff,ff,00,1e "/dev/$sata" ||
	vm_log "capture: cannot set D_SENSE on $sata"
_model=$(echo "$VM_HW_SATA0_MODEL" | tr ' ' _)
/usr/sbin/skdump --save="$OUT/ata/${_model}--${VM_HW_SATA0_FW}" "/dev/$sata" ||
	vm_log "capture: skdump --save failed on $sata"
/usr/sbin/skdump "/dev/$sata" >"$OUT/ata/${_model}--${VM_HW_SATA0_FW}.skdump.txt" 2>&1 || true
/usr/sbin/smartctl --json -a "/dev/$sata" >"$OUT/ata/${_model}--${VM_HW_SATA0_FW}.smartctl.json" 2>&1 || true
# CHECK POWER MODE with CK_COND (SAT ATA PASS-THROUGH(16)): the sense
# buffer the ATA driver decodes for the power mode.
/usr/bin/sg_raw -r 0 -v -v "/dev/$sata" 85 06 20 00 00 00 00 00 00 00 00 00 00 40 e5 00 \
	>"$OUT/ata/qemu-ahci-check-power-mode.txt" 2>&1 || true

# --- SCSI: scsi_debug, healthy, then with faults -------------------------
vm_sd_load
sd=$(vm_sd_disks | head -1)
SDEB="origin: Linux scsi_debug (dev_size_mb=64) disk /dev/$sd"
sg_hex "$OUT/scsi/sdeb-inquiry.hex" "$SDEB, standard INQUIRY" /usr/bin/sg_inq --raw "/dev/$sd"
sg_hex "$OUT/scsi/sdeb-vpd-80.hex" "$SDEB, VPD 0x80" /usr/bin/sg_vpd --raw -p 0x80 "/dev/$sd"
sg_hex "$OUT/scsi/sdeb-vpd-83.hex" "$SDEB, VPD 0x83" /usr/bin/sg_vpd --raw -p 0x83 "/dev/$sd"
for p in 0x00 0x0d 0x2f 0x02 0x03 0x05 0x06 0x0e 0x10 0x15; do
	sg_hex "$OUT/scsi/sdeb-log-$p.hex" "$SDEB, LOG SENSE page $p (cumulative)" /usr/bin/sg_logs --raw -p "$p" "/dev/$sd"
done
sg_hex "$OUT/scsi/sdeb-mode-1c.hex" "$SDEB, MODE SENSE(10) IEC page 0x1c (default DEXCPT=1)" /usr/bin/sg_modes --raw -p 0x1c "/dev/$sd"
sg_hex "$OUT/scsi/sdeb-request-sense.hex" "$SDEB, REQUEST SENSE (fixed), no fault" /usr/bin/sg_requests --raw "/dev/$sd"

# Predictive failure: IE mode page TEST=1, MRIE=6 (VMLAB.md).
/usr/bin/sg_wr_mode -p 0x1c -c 1c,0a,0c,06,00,00,00,00,00,00,00,00 "/dev/$sd" || vm_log "capture: cannot set IE page"
/usr/bin/sg_turs "/dev/$sd" >/dev/null 2>&1 || true # consume the unit attention
sg_hex "$OUT/scsi/sdeb-pf-mode-1c.hex" "$SDEB, MODE SENSE IEC page after sg_wr_mode TEST=1 MRIE=6" /usr/bin/sg_modes --raw -p 0x1c "/dev/$sd"
sg_hex "$OUT/scsi/sdeb-pf-request-sense.hex" "$SDEB, REQUEST SENSE with TEST=1 MRIE=6: predictive failure 0x5d/0xff" /usr/bin/sg_requests --raw "/dev/$sd"
sg_hex "$OUT/scsi/sdeb-pf-request-sense-desc.hex" "$SDEB, REQUEST SENSE (descriptor) with TEST=1 MRIE=6" /usr/bin/sg_requests --raw --desc "/dev/$sd"
sg_hex "$OUT/scsi/sdeb-pf-log-0x2f.hex" "$SDEB, LOG SENSE 0x2f with TEST=1 MRIE=6" /usr/bin/sg_logs --raw -p 0x2f "/dev/$sd"
/usr/bin/sg_wr_mode -p 0x1c -c 1c,0a,08,00,00,00,00,00,00,00,00,00 "/dev/$sd" || true
/usr/bin/sg_turs "/dev/$sd" >/dev/null 2>&1 || true

# Medium error sense: read the LBA scsi_debug fails (opts=2, LBA 0x1234).
vm_sd_inject medium
/usr/bin/sg_dd if="/dev/$sd" of=/dev/null bs=512 skip=4660 count=1 blk_sgio=1 verbose=2 \
	>"$OUT/scsi/sdeb-medium-error-read.txt" 2>&1 || true
vm_sd_clear

# --- SCSI: QEMU scsi-hd behind megasas (no health pages: the negative case)
sas=$(vm_disk_by_serial "$VM_HW_SAS0_SERIAL") || vm_die "no megasas disk"
QSAS="origin: QEMU megasas (LSI MegaRAID SAS 1078) scsi-hd '$VM_HW_SAS0_VENDOR $VM_HW_SAS0_PRODUCT' /dev/$sas"
sg_hex "$OUT/scsi/qemu-megasas-inquiry.hex" "$QSAS, standard INQUIRY" /usr/bin/sg_inq --raw "/dev/$sas"
sg_hex "$OUT/scsi/qemu-megasas-vpd-83.hex" "$QSAS, VPD 0x83" /usr/bin/sg_vpd --raw -p 0x83 "/dev/$sas"
sg_hex "$OUT/scsi/qemu-megasas-log-0x00.hex" "$QSAS, LOG SENSE page 0x00" /usr/bin/sg_logs --raw -p 0x00 "/dev/$sas"

# --- NVMe: QEMU's controller, healthy, then a critical warning over QMP ----
nvme=$(vm_disk_by_serial "$VM_HW_NVME0_SERIAL") || vm_die "no NVMe namespace"
ctrl=${nvme%n*}
QNVME="origin: QEMU nvme controller serial $VM_HW_NVME0_SERIAL (/dev/$ctrl)"
nvme_log() { # FILE TITLE LID LEN
	if /usr/sbin/nvme get-log "/dev/$ctrl" --log-id="$3" --log-len="$4" --raw-binary >"$1.bin" 2>"$1.err"; then
		hexdump_to "$1" "$QNVME, $2" "command: nvme get-log --log-id=$3 --log-len=$4 --raw-binary" <"$1.bin"
	else
		vm_log "capture: nvme get-log $3 failed: $(cat "$1.err")"
	fi
	rm -f "$1.bin" "$1.err"
}
/usr/sbin/nvme id-ctrl "/dev/$ctrl" --raw-binary >"$OUT/nvme/id-ctrl.bin" 2>/dev/null &&
	hexdump_to "$OUT/nvme/qemu-id-ctrl.hex" "$QNVME, Identify Controller" <"$OUT/nvme/id-ctrl.bin"
rm -f "$OUT/nvme/id-ctrl.bin"
nvme_log "$OUT/nvme/qemu-smart-log.hex" "SMART / Health log 0x02, healthy" 2 512
nvme_log "$OUT/nvme/qemu-fw-slot-log.hex" "firmware slot log 0x03" 3 512
nvme_log "$OUT/nvme/qemu-error-log.hex" "error information log 0x01, 16 entries" 1 1024
for bits in 4 1 8; do
	vm_host_qmp "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"/machine/peripheral/nvme0\",\"property\":\"smart_critical_warning\",\"value\":$bits}}" ||
		vm_log "capture: QMP cannot set smart_critical_warning=$bits"
	nvme_log "$OUT/nvme/qemu-smart-log-cw$bits.hex" "SMART / Health log 0x02 after QMP smart_critical_warning=$bits" 2 512
done
vm_host_qmp '{"execute":"qom-set","arguments":{"path":"/machine/peripheral/nvme0","property":"smart_critical_warning","value":0}}' || true

# --- storguard's own reading of the same devices ------------------------
if [ -x /usr/bin/storguardctl ]; then
	/usr/bin/storguardctl inventory --json >"$OUT/storguardctl-inventory.json" 2>"$OUT/storguardctl-inventory.err" || true
	for f in "$OUT"/ata/*--*; do
		case "$f" in *.txt|*.json) continue ;; esac
		/usr/bin/storguardctl assess --json "$f" >"$f.assess.json" 2>&1 || true
	done
fi
vm_log "capture: $(find "$OUT" -type f | wc -l) files in $OUT"

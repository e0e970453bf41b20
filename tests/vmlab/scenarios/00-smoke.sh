# vmlab-title: boot, udev, D-Bus and the host channel work
# vmlab-timeout: 60
. /vmlab/lib.sh
vm_log "disks: $(ls /sys/block | tr '\n' ' ')"
/usr/bin/lsscsi
ls -l /dev/disk/by-id/
/usr/bin/busctl --system list --no-pager | head
vm_host_qmp '{"execute":"query-status"}'
echo hello > "$VM_OUT/hello"

# vmlab-title: the lab's own plumbing: host channel, D-Bus, webhook receiver
# vmlab-timeout: 120
#
# Checks the pieces later scenarios build on, so that a broken lab shows up
# here rather than as a puzzling storguard failure.
. /vmlab/lib.sh

# The host control channel answers (QMP through host-ctl).
vm_check "host QMP query-status" sh -c '. /vmlab/lib.sh; vm_host_qmp "{\"execute\":\"query-status\"}" | grep -q "\"running\": true"'

# The system bus runs and busctl reads a property from it.
vm_check "D-Bus system bus answers" /usr/bin/busctl --system call org.freedesktop.DBus \
	/org/freedesktop/DBus org.freedesktop.DBus GetId
features=$(/usr/bin/busctl --system get-property org.freedesktop.DBus /org/freedesktop/DBus \
	org.freedesktop.DBus Features)
vm_log "org.freedesktop.DBus Features: $features"
vm_check "vm_dbus_wait_property sees a property" vm_dbus_wait_property 5 org.freedesktop.DBus \
	/org/freedesktop/DBus org.freedesktop.DBus Features "$features"
vm_check "vm_dbus_property_is tells a different value" sh -c '. /vmlab/lib.sh; ! vm_dbus_property_is \
	org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus Features "as 7"'

# The webhook receiver stores requests and answers with the chosen status.
vm_webhook_receiver_start 8080
post() {
	/usr/bin/busybox wget -q -O /dev/null --header 'Content-Type: application/json' \
		--header 'X-Storguard-Event: selftest' --post-data "$1" "$VM_WEBHOOK_URL"
}
vm_check "POST to the receiver is answered 200" post '{"event":"one"}'
echo 503 >"$VM_WEBHOOK_DIR/status"
if post '{"event":"two"}'; then vm_die "the receiver answered 2xx although told to answer 503"; fi
vm_log "ok: the receiver answers 503 when told to"
echo 200 >"$VM_WEBHOOK_DIR/status"
vm_check "two requests stored" vm_webhook_wait 2 10
vm_webhook_bodies
vm_check "first body kept" sh -c ". /vmlab/lib.sh; vm_webhook_bodies | head -n1 | grep -qx '{\"event\":\"one\"}'"
vm_check "request headers kept" grep -q '^HTTP_X_STORGUARD_EVENT=selftest' "$(ls "$VM_WEBHOOK_DIR"/*.headers | head -n1)"
cat "$(ls "$VM_WEBHOOK_DIR"/*.headers | head -n1)"

# The result share takes files.
echo ok >"$VM_OUT/share-works"

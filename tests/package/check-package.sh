#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-package.sh DEBDIR VERSION - check the Debian package "make deb" built.
#
#   1. lintian: no errors (warnings are printed)
#   2. the files land where the FHS, systemd, udev and D-Bus expect them
#      (unpacked into a throwaway root with dpkg-deb -x)
#   3. the maintainer scripts enable the unit, create the group and the
#      state directory, and remove the state on purge
#   4. systemd-analyze verify of the unit, and its security exposure
#   5. the D-Bus policy: a dbus-daemon on a private socket that includes
#      it starts; root may own org.storguard1, another user may not, and
#      that user may still call it
#   6. the journal catalog is accepted by journalctl --update-catalog
#   7. every man page renders with man -l without a warning
#   8. with CHECK_PACKAGE_INSTALL=yes (CI, as root on a throwaway machine):
#      apt install ./storguard_*.deb, the unit enabled, then purge leaves
#      nothing behind
set -euo pipefail

debdir=$1
version=$2
max_exposure=${MAX_EXPOSURE:-3.0}
failures=0
passed=0

ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/storguard-pkg-XXXXXX")
bus_pid=
cleanup() {
        [ -z "$bus_pid" ] || kill "$bus_pid" 2>/dev/null || true
        rm -rf "$tmp"
}
trap cleanup EXIT

deb=$(ls "$debdir"/storguard_*_*.deb | grep -v dbgsym | head -1)
[ -f "$deb" ] || { echo "no package in $debdir" >&2; exit 1; }
echo "== $deb"

changelog_version=$(dpkg-parsechangelog -l "$(dirname "$0")/../../contrib/debian/changelog" -S Version)
[ "${changelog_version%-*}" = "$version" ] && ok "contrib/debian/changelog is at $version" ||
        bad "contrib/debian/changelog says $changelog_version, configure says $version"

# 1. lintian
echo "== lintian"
changes=$(ls "$debdir"/storguard_*.changes | head -1)
if lintian --fail-on error "$changes" > "$tmp/lintian" 2>&1; then
        ok "lintian: no errors ($(grep -c '^W:' "$tmp/lintian" || true) warnings)"
else
        bad "lintian found errors"
fi
sed 's/^/  /' "$tmp/lintian"

# 2. files
echo "== files"
root=$tmp/root
dpkg-deb -x "$deb" "$root"
for f in \
        usr/sbin/storguardd \
        usr/bin/storguardctl \
        lib/systemd/system/storguard.service \
        lib/udev/rules.d/60-storguard.rules \
        usr/share/dbus-1/system.d/org.storguard1.conf \
        usr/share/dbus-1/system-services/org.storguard1.service \
        usr/lib/tmpfiles.d/storguard.conf \
        usr/lib/sysusers.d/storguard.conf \
        usr/lib/systemd/catalog/storguard.catalog \
        usr/share/storguard/known-errors/hpe-sas-ssd-32768h.conf \
        usr/share/man/man1/storguardctl.1.gz \
        usr/share/man/man5/storguard.conf.5.gz \
        usr/share/man/man5/storguard-known-errors.5.gz \
        usr/share/man/man7/storguard-webhook.7.gz \
        usr/share/man/man8/storguardd.8.gz \
        usr/share/doc/storguard/copyright; do
        [ -e "$root/$f" ] && ok "/$f" || bad "/$f missing"
done
# Nothing under /usr/local, /var, /run, /home or /opt: state and runtime
# directories are made by tmpfiles.d and the unit, never shipped.
stray=$(cd "$root" && find . -mindepth 1 \( -path ./usr/local -o -path ./var -o -path ./run -o -path ./home -o -path ./opt -o -path ./tmp \) -print)
[ -z "$stray" ] && ok "nothing in /usr/local, /var, /run, /home, /opt" || bad "stray paths: $stray"
grep -q '^ExecStart=/usr/sbin/storguardd$' "$root/lib/systemd/system/storguard.service" &&
        ok "ExecStart=/usr/sbin/storguardd" || bad "ExecStart is not /usr/sbin/storguardd"
grep -q '^d /var/lib/storguard 0700 root root' "$root/usr/lib/tmpfiles.d/storguard.conf" &&
        ok "tmpfiles.d: /var/lib/storguard 0700" || bad "tmpfiles.d entry wrong"

# 3. maintainer scripts
echo "== maintainer scripts"
dpkg-deb -e "$deb" "$tmp/control"
grep -q "deb-systemd-helper enable 'storguard.service'" "$tmp/control/postinst" &&
        ok "postinst enables storguard.service" || bad "postinst does not enable the unit"
grep -q 'systemd-sysusers' "$tmp/control/postinst" && ok "postinst runs systemd-sysusers" ||
        bad "postinst does not create the group"
grep -q 'systemd-tmpfiles' "$tmp/control/postinst" && ok "postinst runs systemd-tmpfiles" ||
        bad "postinst does not run systemd-tmpfiles"
grep -q 'rm -rf /var/lib/storguard' "$tmp/control/postrm" && ok "postrm purges /var/lib/storguard" ||
        bad "postrm keeps the state on purge"

# 4. the unit
echo "== systemd unit"
# The unit as shipped, with ExecStart= pointing into the unpacked root (the
# one thing verify checks on the host's file system), and its man pages
# (Documentation=) looked up there too.
mkdir -p "$tmp/units"
sed "s|^ExecStart=/usr/sbin/storguardd|ExecStart=$root/usr/sbin/storguardd|" \
        "$root/lib/systemd/system/storguard.service" > "$tmp/units/storguard.service"
if MANPATH="$root/usr/share/man:" systemd-analyze verify --man=yes "$tmp/units/storguard.service" > "$tmp/verify" 2>&1 &&
        ! [ -s "$tmp/verify" ]; then
        ok "systemd-analyze verify storguard.service (man pages of Documentation= found)"
else
        bad "systemd-analyze verify: $(cat "$tmp/verify")"
fi
exposure=$(systemd-analyze security --offline=true --root="$root" --no-pager storguard.service 2>/dev/null |
        sed -n 's/.*Overall exposure level for storguard.service: \([0-9.]*\).*/\1/p')
if [ -n "$exposure" ] && awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }'; then
        ok "systemd-analyze security: exposure $exposure (at most $max_exposure)"
else
        bad "systemd-analyze security: exposure '${exposure:-?}' above $max_exposure"
fi

# 5. D-Bus policy
echo "== D-Bus policy"
chmod 755 "$tmp"
cat > "$tmp/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path=$tmp/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_destination="org.freedesktop.DBus"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
  <include>$root/usr/share/dbus-1/system.d/org.storguard1.conf</include>
</busconfig>
EOF
dbus-daemon --config-file="$tmp/bus.conf" --nofork --nopidfile --print-address=1 > "$tmp/bus.address" 2> "$tmp/bus.err" &
bus_pid=$!
for _ in $(seq 50); do [ -s "$tmp/bus.address" ] && break; sleep 0.1; done
if [ -s "$tmp/bus.address" ] && kill -0 "$bus_pid" 2>/dev/null; then
        ok "dbus-daemon starts with the policy included"
        address=unix:path=$tmp/bus
        request='call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus RequestName su org.storguard1 4'
        if [ "$(id -u)" -eq 0 ]; then
                # busctl stays connected only for the call; the reply says
                # whether the name could be owned.
                # shellcheck disable=SC2086
                out=$(busctl --address="$address" $request 2>&1) && [ "$out" = "u 1" ] &&
                        ok "root may own org.storguard1" || bad "root cannot own org.storguard1: $out"
                if command -v runuser >/dev/null && id nobody >/dev/null 2>&1; then
                        # shellcheck disable=SC2086
                        out=$(runuser -u nobody -- busctl --address="$address" $request 2>&1) &&
                                bad "nobody could own org.storguard1" ||
                                { echo "$out" | grep -qi 'denied\|not allowed' && ok "nobody may not own org.storguard1" ||
                                          bad "unexpected: $out"; }
                        out=$(runuser -u nobody -- busctl --address="$address" call org.storguard1 /org/storguard1 \
                                org.freedesktop.DBus.Peer Ping 2>&1) || true
                        # Nobody owns the name here: "not activatable" or "no
                        # such name" proves the call passed the policy.
                        echo "$out" | grep -qi 'denied' && bad "nobody may not call org.storguard1: $out" ||
                                ok "nobody may call org.storguard1 (the daemon checks privileges)"
                fi
        else
                echo "  (not root: ownership checks skipped)"
        fi
else
        bad "dbus-daemon refused the policy: $(cat "$tmp/bus.err")"
fi

# 6. catalog
echo "== journal catalog"
ids=$(grep -c '^-- [0-9a-f]\{32\}$' "$root/usr/lib/systemd/catalog/storguard.catalog")
if journalctl --root="$root" --update-catalog 2> "$tmp/catalog.err" && ! [ -s "$tmp/catalog.err" ]; then
        listed=$(journalctl --root="$root" --list-catalog 2>/dev/null | grep -c 'storguard\|Incident' || true)
        [ "$listed" -ge "$ids" ] && ok "journalctl --update-catalog: $ids entries indexed" ||
                bad "journalctl indexed $listed of $ids entries"
else
        bad "journalctl --update-catalog: $(cat "$tmp/catalog.err")"
fi

# 7. man pages
echo "== man pages"
for page in "$root"/usr/share/man/man*/*.gz; do
        warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null || true)
        lines=$(MANWIDTH=80 man -l "$page" 2>/dev/null | wc -l)
        if [ -z "$warnings" ] && [ "$lines" -gt 20 ]; then
                ok "man -l $(basename "$page"): $lines lines, no warnings"
        else
                bad "man -l $(basename "$page"): $warnings"
        fi
done

# 8. install and purge on this machine
if [ "${CHECK_PACKAGE_INSTALL:-no}" = yes ]; then
        echo "== apt install / purge"
        if dpkg-query -W -f='${Status}' storguard 2>/dev/null | grep -q 'ok installed'; then
                echo "  storguard is already installed here: install test skipped"
        else
                abs=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")
                DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$abs" > "$tmp/apt.log" 2>&1 &&
                        ok "apt install ./$(basename "$deb")" || { bad "apt install failed"; cat "$tmp/apt.log"; }
                [ -L /etc/systemd/system/multi-user.target.wants/storguard.service ] &&
                        ok "unit enabled (multi-user.target.wants)" || bad "unit not enabled"
                getent group storguard >/dev/null && ok "group storguard exists" || bad "group storguard missing"
                [ "$(stat -c %a /var/lib/storguard 2>/dev/null)" = 700 ] && ok "/var/lib/storguard 0700" ||
                        bad "/var/lib/storguard missing or not 0700"
                storguardd --version >/dev/null && ok "storguardd --version" || bad "storguardd does not run"
                touch /var/lib/storguard/storguard.db
                DEBIAN_FRONTEND=noninteractive apt-get purge -y -q storguard > "$tmp/apt.log" 2>&1 &&
                        ok "apt purge storguard" || { bad "apt purge failed"; cat "$tmp/apt.log"; }
                [ ! -e /var/lib/storguard ] && ok "purge removed /var/lib/storguard" || bad "/var/lib/storguard left"
                [ ! -e /etc/systemd/system/multi-user.target.wants/storguard.service ] &&
                        ok "purge removed the enablement symlink" || bad "enablement symlink left"
                left=$(dpkg -L storguard 2>/dev/null || true)
                [ -z "$left" ] && ok "dpkg knows no storguard files" || bad "files left: $left"
        fi
fi

echo "$passed passed, $failures failed"
[ "$failures" -eq 0 ]

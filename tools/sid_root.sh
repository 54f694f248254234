#!/usr/bin/env bash
# Build the Debian sid root that the tests of CPython 3.14 and 3.15 run in,
# unless it is already there: python3.14 and python3.15 (stripped release
# builds), their -dbg packages (debug info, python3.14d and python3.15d) and
# gdb 18, whose Python is 3.14. About a minute and 1.2 GB. As root.
#
#   tools/sid_root.sh [ROOT]      (default: $CPYTHON_GDB_SID_ROOT or
#                                  /var/cache/cpython-gdb/sid-root)
set -euo pipefail
root=${1:-${CPYTHON_GDB_SID_ROOT:-/var/cache/cpython-gdb/sid-root}}
packages=python3.14,python3.14-dbg,python3.15,python3.15-dbg,gdb

if [ -x "$root/usr/bin/python3.15" ] && [ -x "$root/usr/bin/python3.14d" ] && [ -x "$root/usr/bin/gdb" ]; then
    exit 0
fi
if ! command -v debootstrap >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq debootstrap >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
fi
# The Debian archive this machine's apt already uses (the first deb URI
# configured), so the root comes from the same place as its packages.
mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
if [ -z "$mirror" ]; then
    mirror=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' \
        /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
fi
if [ -z "$mirror" ]; then
    echo "sid_root.sh: no Debian archive found in the apt configuration" >&2
    exit 1
fi
# Built beside its final place and renamed when complete, so that an
# interrupted build is never taken for a root.
partial="$root.partial"
rm -rf "$partial"
mkdir -p "$(dirname "$root")"
echo "building the Debian sid root $root (about a minute)" >&2
debootstrap --variant=minbase --include="$packages" sid "$partial" "$mirror" >"$partial.log" 2>&1 \
    || { tail -20 "$partial.log" >&2; exit 1; }
rm -rf "$root"
mv "$partial" "$root"
rm -f "$partial.log"

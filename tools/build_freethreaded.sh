#!/usr/bin/env bash
# Build the free-threaded CPython interpreters the tests cover (3.13t, and
# 3.14t/3.15t whenever their sources download), unless already built, from
# the CPython sources in Debian's source packages: a private apt
# configuration with deb-src lines for sid, forky and trixie of the archive
# apt already uses, then every version it lists, newest first, until one
# downloads (the mirror lists versions whose files it no longer has).
# ./configure --disable-gil --enable-shared, -O2 -g (DWARF), no PGO/LTO:
# about 4 minutes each on 2 cores. As root.
#
#   tools/build_freethreaded.sh [ROOT]   (default: $CPYTHON_GDB_FT_ROOT or
#                                         /var/cache/cpython-gdb/free-threaded)
#
# Each build is ROOT/X.Yt/bin/pythonX.Yt; 3.13t is required (exit 1 if it
# cannot be built), the others are built when they can be. Next to each goes
# CPython's own gdb extension, its Tools/gdb/libpython.py, as
# pythonX.Yt-gdb.py (make install leaves it out; pyenv and distributions
# copy it so): tests/gdb/test_differential.py compares ours with it. A build
# made before the script did so gets it from the source of its own version,
# without building again (a warning, not a failure, when that source no
# longer downloads).
set -euo pipefail
root=${1:-${CPYTHON_GDB_FT_ROOT:-/var/cache/cpython-gdb/free-threaded}}
required="3.13"
wanted="3.15 3.14 3.13"

built() { [ -x "$root/$1t/bin/python$1t" ]; }
gdb_file() { echo "$root/$1t/bin/python$1t-gdb.py"; }

missing=""
gdb_missing=""
for minor in $wanted; do
    if ! built "$minor"; then
        missing="$missing $minor"
    elif [ ! -e "$(gdb_file "$minor")" ]; then
        gdb_missing="$gdb_missing $minor"
    fi
done
[ -n "$missing$gdb_missing" ] || exit 0

export DEBIAN_FRONTEND=noninteractive
need=""
for tool in gcc make dpkg-source xz; do command -v "$tool" >/dev/null 2>&1 || need="$need $tool"; done
for pkg in libffi-dev zlib1g-dev libssl-dev libbz2-dev liblzma-dev; do dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg"; done
if [ -n "$need" ]; then
    pkgs=$(echo "$need" | sed 's/\bgcc\b/build-essential/; s/\bmake\b//; s/\bdpkg-source\b/dpkg-dev/; s/\bxz\b/xz-utils/')
    # shellcheck disable=SC2086
    apt-get install -y -qq $pkgs >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq $pkgs >/dev/null; }
fi

# The archive this machine's apt uses (as tools/sid_root.sh finds it).
mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
if [ -z "$mirror" ]; then
    mirror=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' \
        /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
fi
[ -n "$mirror" ] || { echo "build_freethreaded.sh: no Debian archive in the apt configuration" >&2; exit 1; }

apt_dir="$root/.apt"
mkdir -p "$apt_dir/parts" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
printf 'Types: deb-src\nURIs: %s\nSuites: sid forky trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$mirror" >"$apt_dir/parts/sources.sources"
apt_opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt_dir/parts"
          -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache")
apt-get "${apt_opts[@]}" update -qq >/dev/null 2>&1 || apt-get "${apt_opts[@]}" update

# The orig tarball of python$1 in directory $2, newest version first; with
# $3, only the Debian versions of that upstream version (3.13.5 for
# 3.13.5-2). Prints its path and the versions tried; the path is empty when
# none downloads (the mirror lists versions whose files it no longer has).
download_source() {
    local minor=$1 work=$2 upstream=${3:-} version versions tarball=""
    versions=$(apt-cache "${apt_opts[@]}" showsrc "python$minor" 2>/dev/null | awk '/^Version:/ {print $2}' | sort -rV | uniq)
    for version in $versions; do
        if [ -n "$upstream" ]; then
            local up=${version#*:}
            [ "${up%-*}" = "$upstream" ] || continue
        fi
        if (cd "$work" && apt-get "${apt_opts[@]}" source --download-only "python$minor=$version" >/dev/null 2>&1); then
            tarball=$(ls "$work"/python"$minor"_*.orig.tar.* 2>/dev/null | grep -v '\.asc$' | head -1)
            [ -n "$tarball" ] && break
        fi
        rm -f "$work"/*
    done
    echo "$tarball"
    echo "${versions//$'\n'/ }"
}

status=0
for minor in $gdb_missing; do
    exe="$root/${minor}t/bin/python${minor}t"
    upstream=$("$exe" -c 'import platform; print(platform.python_version())')
    work=$(mktemp -d "/tmp/cpython-gdb-ft-$minor.XXXXXX")
    { read -r tarball; read -r tried; } < <(download_source "$minor" "$work" "$upstream")
    if [ -n "$tarball" ] && tar -xf "$tarball" -C "$work" --wildcards --strip-components=1 '*/Tools/gdb/libpython.py'; then
        install -m 644 "$work/Tools/gdb/libpython.py" "$(gdb_file "$minor")"
        echo "installed CPython $upstream's Tools/gdb/libpython.py as $(gdb_file "$minor")" >&2
    else
        echo "build_freethreaded.sh: warning: no source of python$minor $upstream downloads from $mirror" \
            "(versions listed: $tried): no $(gdb_file "$minor")" >&2
    fi
    rm -rf "$work"
done

for minor in $missing; do
    work=$(mktemp -d "/tmp/cpython-gdb-ft-$minor.XXXXXX")
    { read -r tarball; read -r versions; } < <(download_source "$minor" "$work")
    if [ -z "$tarball" ]; then
        echo "build_freethreaded.sh: no source of python$minor downloads from $mirror (tried: $versions)" >&2
        [ "$minor" = "$required" ] && status=1
        rm -rf "$work"
        continue
    fi
    echo "building free-threaded CPython $minor from $(basename "$tarball") (about 4 minutes)" >&2
    mkdir "$work/src"
    tar -xf "$tarball" -C "$work/src" --strip-components=1
    dest="$root/${minor}t"
    partial="$dest.partial"
    rm -rf "$partial"
    # Installed beside its final place and renamed when complete; the rpath
    # names the final place, where libpython will be.
    if (cd "$work/src" \
        && ./configure -q --disable-gil --enable-shared --prefix="$dest" \
            LDFLAGS="-Wl,-rpath,$dest/lib" CFLAGS="-O2 -g" >"$work/configure.log" 2>&1 \
        && make -s -j"$(nproc)" >"$work/make.log" 2>&1 \
        && make -s install DESTDIR="$partial.stage" >"$work/install.log" 2>&1 \
        && install -m 644 Tools/gdb/libpython.py "$partial.stage$dest/bin/python${minor}t-gdb.py"); then
        rm -rf "$dest"
        mv "$partial.stage$dest" "$dest"
        rm -rf "$partial.stage"
    else
        echo "build_freethreaded.sh: building python$minor failed; the end of its log:" >&2
        tail -20 "$work"/*.log >&2
        rm -rf "$partial.stage"
        [ "$minor" = "$required" ] && status=1
    fi
    rm -rf "$work"
done
exit $status

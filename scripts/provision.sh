#!/usr/bin/env bash
# scripts/provision.sh [TOOL...] — provides what the tests need; TOOL is 3.8, 3.14, 3.15, pypy3 or
# chromium (default: all of them). `npm test` runs it first (test/setup/global.ts); run it by hand to
# see each step. Idempotent: a tool that already works costs one start of it.
#
# The interpreters land in one cache, $GILGATE_PYTHONS_DIR (default ~/.cache/gilgate-pythons), as
# CACHE/3.14/bin/python3.14 … and CACHE/pypy3/bin/pypy3, where test/helpers/pythons.ts looks for
# them. Nothing on the system changes, and no root is needed, except for Chromium (below). For each
# interpreter, in order, the first that works wins:
#   1. GILGATE_PYTHON_3_14 (and friends) naming a working interpreter: used as it is, nothing cached;
#   2. the cache;
#   3. CPython only: pythonX.Y on PATH (linked into the cache);
#   4. uv, when installed: `uv python install` into CACHE/uv (prebuilt, any version, PyPy too);
#   5. pyenv, when installed: a version it already has, or (3.8 only) `pyenv install 3.8`;
#   6. Debian's official binary packages, unpacked into the cache with dpkg-deb: CPython 3.14/3.15
#      from Debian unstable, pointed at the glibc unpacked beside it with patchelf; PyPy from this
#      system's own Debian/Ubuntu release;
#   7. PyPy only: pypy3 on PATH (linked into the cache), last so that the cache never depends on
#      what happens to be installed system-wide.
# Chromium (the report's browser test) cannot be unpacked like that: it is used from PATH, installed
# with `apt-get install chromium` when this runs as root, or else the script says what to run.
# A tool that cannot be provided is named on stderr with what to do, and the exit status is 1.
set -euo pipefail
cache=${GILGATE_PYTHONS_DIR:-$HOME/.cache/gilgate-pythons}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
tools=("$@")
scratch=(); trap 'rm -rf "${scratch[@]}"' EXIT
[ ${#tools[@]} -gt 0 ] || tools=(3.8 3.14 3.15 pypy3 chromium)

say() { echo "provision: $*" >&2; }
# An interpreter counts only if it starts and has what the runner imports.
works() { "$1" -c 'import concurrent.futures, json, ssl' >/dev/null 2>&1; }
cached_path() { if [ "$1" = pypy3 ]; then echo "$cache/pypy3/bin/pypy3"; else echo "$cache/$1/bin/python$1"; fi; }
link_into_cache() { # TOOL TARGET
  local dest; dest=$(cached_path "$1"); mkdir -p "$(dirname "$dest")"; ln -sfn "$2" "$dest"; works "$dest"
}
override_variable() { echo "GILGATE_PYTHON_$(echo "$1" | tr -c 'A-Za-z0-9\n' '_' | tr a-z A-Z)"; }
is_root() { [ "$(id -u)" = 0 ]; }

# --- uv and pyenv ------------------------------------------------------------------------------
from_uv() { # TOOL
  command -v uv >/dev/null || return 1
  local request=$1 found; [ "$1" = pypy3 ] && request=pypy3
  say "$1: uv python install $request"
  UV_PYTHON_INSTALL_DIR="$cache/uv" uv python install "$request" >&2 || return 1
  found=$(UV_PYTHON_INSTALL_DIR="$cache/uv" uv python find --managed-python "$request" 2>/dev/null) || return 1
  link_into_cache "$1" "$found"
}
from_pyenv() { # TOOL INSTALL(yes|no)
  command -v pyenv >/dev/null || return 1
  local root candidate; root=$(pyenv root)
  # The newest X.Y.Z it has; not a free-threaded X.Y.Zt or a prerelease.
  newest() { ls -d "$root"/versions/"$1".[0-9]* 2>/dev/null | grep -E "/${1//./\\.}\.[0-9]+\$" | sort -V | tail -1; }
  candidate=$(newest "$1")
  if [ -z "$candidate" ] && [ "$2" = yes ]; then
    say "$1: pyenv install $1 (builds from source: minutes)"
    pyenv install -s "$1" >&2 || return 1
    candidate=$(newest "$1")
  fi
  [ -n "$candidate" ] && link_into_cache "$1" "$candidate/bin/python$1"
}

# --- Debian's packages, unpacked -----------------------------------------------------------------
# apt-get with its own lists and cache in $work, so that neither root nor the system's state matters.
apt_private() { # WORK SOURCES_LINE… ; sets the array apt
  local work=$1; shift
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"
  printf '%s\n' "$@" > "$work/sources.list"
  apt=(-o Dir::Etc::sourcelist="$work/sources.list" -o Dir::Etc::sourceparts=- -o Dir::State::Lists="$work/lists"
       -o Dir::Cache="$work/cache" -o APT::Get::List-Cleanup=0 -o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)")
  apt-get "${apt[@]}" update -qq >/dev/null 2>&1
}
need_debian_tools() {
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || { say "no apt-get/dpkg-deb: not a Debian or Ubuntu system"; return 1; }
  command -v patchelf >/dev/null && return 0
  if is_root; then apt-get update -qq >/dev/null && apt-get install -y -qq patchelf >/dev/null && return 0; fi
  say "patchelf is missing: sudo apt-get install patchelf"; return 1
}
# Debian unstable's CPython X.Y: the interpreter, its standard library and every shared library they
# load, pointed at the glibc unpacked beside it, so it runs on an older Debian or Ubuntu.
cpython_from_debian() { # VERSION
  local ver=$1 work dest root lib
  need_debian_tools || return 1
  say "$ver: Debian unstable's python$ver packages, unpacked into $cache/$ver"
  work=$(mktemp -d); scratch+=("$work")
  apt_private "$work" 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main' \
    || { say "$ver: apt-get update against deb.debian.org failed"; return 1; }
  local pkgs=(python$ver-minimal libpython$ver-minimal libpython$ver-stdlib python$ver libc6 libssl3t64 libexpat1
        zlib1g libffi8 libbz2-1.0 liblzma5 libsqlite3-0 libzstd1 libuuid1 libncursesw6 libtinfo6 libreadline8t64
        libdb5.3t64 libmpdec4 libgcc-s1 libcrypt1 libstdc++6 media-types tzdata netbase)
  (cd "$work/debs" && apt-get "${apt[@]}" download "${pkgs[@]}" >/dev/null 2>&1) \
    || { say "$ver: could not download Debian's packages for Python $ver"; return 1; }
  dest=$cache/$ver; root=$dest/root; rm -rf "$root"; mkdir -p "$root"
  for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$root"; done
  lib=$root/usr/lib/$(uname -m)-linux-gnu
  patchelf --set-interpreter "$(ls "$lib"/ld-linux*.so.* | head -1)" --force-rpath --set-rpath "$lib" "$root/usr/bin/python$ver"
  link_into_cache "$ver" "$root/usr/bin/python$ver"
}
# PyPy from this system's own release (its libraries are the system's), unpacked into the cache.
pypy_from_debian() {
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null && command -v patchelf >/dev/null || need_debian_tools || return 1
  local work root lib sources real
  say "pypy3: this release's pypy3 packages, unpacked into $cache/pypy3"
  work=$(mktemp -d); scratch+=("$work")
  # The system's own sources (deb822 or one-line), read by apt itself.
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"
  apt=(-o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" -o APT::Get::List-Cleanup=0
       -o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)")
  apt-get "${apt[@]}" update -qq >/dev/null 2>&1 || { say "pypy3: apt-get update failed"; return 1; }
  (cd "$work/debs" && apt-get "${apt[@]}" download pypy3 pypy3-lib >/dev/null 2>&1) \
    || { say "pypy3: could not download this release's pypy3 packages"; return 1; }
  root=$cache/pypy3/root; rm -rf "$root"; mkdir -p "$root"
  for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$root"; done
  real=$(ls "$root"/usr/bin/pypy3.* | grep -E '/pypy3\.[0-9]+$' | head -1)
  lib=$root/usr/lib/$(uname -m)-linux-gnu
  patchelf --force-rpath --set-rpath "$lib" "$real"
  link_into_cache pypy3 "$real"
}

# --- each tool -------------------------------------------------------------------------------------
how_to() { # TOOL: what to do when every way failed
  local var; var=$(override_variable "$1")
  case $1 in
    3.8) echo "install uv (https://docs.astral.sh/uv/) or pyenv (then \`pyenv install 3.8\`) and run \`bash scripts/provision.sh 3.8\`, or set $var to a Python 3.8";;
    pypy3) echo "install uv and run \`bash scripts/provision.sh pypy3\`, or \`sudo apt-get install pypy3\`, or set $var to a PyPy 3";;
    *) echo "install uv (https://docs.astral.sh/uv/) and run \`bash scripts/provision.sh $1\` (on Debian/Ubuntu it needs apt-get, dpkg-deb, patchelf and deb.debian.org), or set $var to a Python $1";;
  esac
}
provide_python() { # TOOL; sets found (not run in $(…): the scratch directories must be seen by the EXIT trap)
  local tool=$1 var given path; var=$(override_variable "$tool"); given=${!var:-}
  if [ -n "$given" ]; then works "$given" && { found=$given; return 0; }; say "$tool: $var=$given does not run"; return 1; fi
  path=$(cached_path "$tool"); found=$path
  works "$path" && return 0
  if [ "$tool" != pypy3 ] && command -v "python$tool" >/dev/null && link_into_cache "$tool" "$(command -v "python$tool")"; then return 0; fi
  from_uv "$tool" && return 0
  case $tool in
    3.8) from_pyenv 3.8 yes;;
    pypy3) pypy_from_debian || { command -v pypy3 >/dev/null && link_into_cache pypy3 "$(command -v pypy3)"; };;
    *) from_pyenv "$tool" no || cpython_from_debian "$tool";;
  esac && works "$path"
}
provide_chromium() { # sets found
  found=${GILGATE_CHROMIUM:-}
  [ -n "$found" ] || found=$(command -v chromium || command -v chromium-browser || true)
  if [ -z "$found" ] && is_root && command -v apt-get >/dev/null; then
    say "chromium: apt-get install chromium fonts-noto-color-emoji"
    (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq chromium fonts-noto-color-emoji) >/dev/null 2>&1 || true
    found=$(command -v chromium || true)
  fi
  [ -n "$found" ]
}

# Two test runs (or two worktrees) provisioning at once would unpack over each other: one at a time.
exec 9>"$cache/.lock"; flock 9
failed=0
for tool in "${tools[@]}"; do
  case $tool in
    chromium)
      if provide_chromium; then echo "chromium: $found"
      else say "chromium is missing: \`sudo apt-get install chromium\`, or set GILGATE_CHROMIUM to a Chromium binary"; failed=1; fi;;
    3.8|3.14|3.15|pypy3)
      if provide_python "$tool"; then echo "$tool: $found"
      else say "Python $tool is missing: $(how_to "$tool")"; failed=1; fi;;
    *) say "unknown tool '$tool' (3.8, 3.14, 3.15, pypy3, chromium)"; failed=1;;
  esac
done
exit $failed

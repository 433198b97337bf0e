#!/usr/bin/env bash
# Puts nats-server >= 2.10 into .tools/nats-server/ without touching the machine's own.
#
# Why: Debian bookworm ships nats-server 2.9.10, which loses a work-queue stream's interior
# deletes on an unclean stop (processed raw frames come back after a crash). Debian trixie's
# package (2.10.x) runs on bookworm (it needs glibc >= 2.34). This script uses Debian's own
# package tooling with a project-local apt directory (a trixie source list, its own lists and
# cache), downloads the .deb with `apt-get download` and unpacks it with `dpkg-deb -x`.
# Nothing is installed system-wide; no root needed. callmask finds the binary there (see
# lib/nats-server-binary.ts); NATS_SERVER_BIN overrides.
set -euo pipefail
cd "$(dirname "$0")/.."

target=.tools/nats-server
binary=$target/usr/sbin/nats-server
minimum=2.10

version_of() { "$1" --version 2>/dev/null | sed -n 's/^nats-server: v\([0-9.]*\).*/\1/p'; }
new_enough() { [ "$(printf '%s\n%s\n' "$minimum" "$1" | sort -V | head -n1)" = "$minimum" ]; }

if [ -x "$binary" ] && new_enough "$(version_of "$binary")"; then
  echo "nats-server $(version_of "$binary") is already in $target."
  exit 0
fi

for tool in apt-get dpkg-deb; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "This set-up needs Debian's $tool. On another system, install nats-server >= $minimum and set NATS_SERVER_BIN to it." >&2
    exit 1
  }
done

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || { echo "Debian's archive keyring ($keyring) is missing: apt-get install debian-archive-keyring." >&2; exit 1; }

apt_dir=$PWD/.tools/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/sources.list.d"
echo "deb [signed-by=$keyring] http://deb.debian.org/debian trixie main" >"$apt_dir/sources.list"
apt_options=(
  -o "Dir::Etc::SourceList=$apt_dir/sources.list"
  -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir/cache"
  -o "Dir::State::status=/dev/null"
  -o "Debug::NoLocking=1"
  -o "APT::Sandbox::User=$(id -un)"
)

echo "Fetching Debian trixie's package list into $apt_dir (the machine's apt set-up is not changed)..."
apt-get "${apt_options[@]}" -qq update
echo "Downloading the nats-server package from Debian trixie..."
download_dir=$(mktemp -d)
trap 'rm -rf "$download_dir"' EXIT
(cd "$download_dir" && apt-get "${apt_options[@]}" -qq download nats-server)
rm -rf "$target"
mkdir -p "$target"
dpkg-deb -x "$download_dir"/nats-server_*.deb "$target"

installed=$(version_of "$binary")
if [ -z "$installed" ] || ! new_enough "$installed"; then
  echo "The downloaded nats-server (${installed:-does not run}) is older than $minimum; set NATS_SERVER_BIN to nats-server >= $minimum." >&2
  exit 1
fi
echo "nats-server $installed is in $binary."

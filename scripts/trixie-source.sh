#!/usr/bin/env bash
# Fetches a source package as Debian 13 "trixie" ships it (trixie, trixie-updates and its
# security suite) and unpacks it with Debian's patches.
#
#   scripts/trixie-source.sh PACKAGE VERSION-PREFIX DIR
#
# The newest version of PACKAGE that starts with VERSION-PREFIX (e.g. "3.6.") whose files
# the mirror has ends up in DIR/src; DIR/VERSION names it. apt does the fetch, through a
# private configuration kept in DIR/apt: its own source list, lists and cache, so the
# machine's apt sources are not changed and no root is needed. apt checks the source
# package against trixie's signed Release file (Debian's archive keyring), and dpkg-source
# checks the files against the .dsc before unpacking.
#
# Used by fetch-mbedtls.sh (the device TLS library) and openssl-trixie.sh (the tests and
# the bench on Debian 13's OpenSSL).
set -euo pipefail

[[ $# -eq 3 ]] || { sed -n '5p' "$0" >&2; exit 2; }
pkg=$1 prefix=$2 dir=$3
me="trixie-source ($pkg)"
for tool in apt-get apt-cache dpkg-source; do
  command -v "$tool" >/dev/null || { echo "$me: $tool not found (Debian: apt, dpkg-dev)" >&2; exit 1; }
done
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -r $keyring ]] || { echo "$me: $keyring missing (Debian: debian-archive-keyring)" >&2; exit 1; }

apt=$dir/apt
rm -rf "$apt" "$dir/src" "$dir/VERSION"
mkdir -p "$apt/sources" "$apt/prefs" "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/get"
cat >"$apt/sources/trixie.sources" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie trixie-updates
Components: main
Signed-By: $keyring

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: trixie-security
Components: main
Signed-By: $keyring
EOF
cat >"$apt/apt.conf" <<EOF
Dir::Etc::SourceList "/dev/null";
Dir::Etc::SourceParts "$apt/sources";
Dir::Etc::Preferences "/dev/null";
Dir::Etc::PreferencesParts "$apt/prefs";
Dir::State::Lists "$apt/lists";
Dir::Cache "$apt/cache";
EOF
export APT_CONFIG=$apt/apt.conf

echo "$me: reading Debian trixie's source index (private apt configuration in $apt)"
apt-get -q update -o Debug::NoLocking=1 >"$apt/update.log" 2>&1 ||
  { cat "$apt/update.log" >&2; echo "$me: apt-get update failed" >&2; exit 1; }
versions=$(apt-cache -o Debug::NoLocking=1 showsrc "$pkg" 2>/dev/null |
  sed -n 's/^Version: \(.*\)$/\1/p' | awk -v p="$prefix" 'index($0, p) == 1' | sort -uVr)
[[ -n $versions ]] || { echo "$me: no $pkg $prefix* source package in trixie" >&2; exit 1; }
# Newest first; a mirror that lacks a version's files (a security update it has not
# copied yet) gets the next one.
version=
for v in $versions; do
  rm -f "$apt"/get/*
  if (cd "$apt/get" && apt-get -q -o Debug::NoLocking=1 source --download-only "$pkg=$v") \
    >>"$apt/source.log" 2>&1; then
    version=$v
    break
  fi
done
[[ -n $version ]] ||
  { tail -5 "$apt/source.log" >&2; echo "$me: no version of $pkg $prefix* could be fetched" >&2; exit 1; }
dsc=$(ls "$apt"/get/"${pkg}"_*.dsc)
dpkg-source -x "$dsc" "$dir/src" >"$apt/unpack.log" 2>&1 ||
  { cat "$apt/unpack.log" >&2; echo "$me: dpkg-source -x failed" >&2; exit 1; }
rm -f "$apt"/get/*.orig.tar.* "$dir"/*.orig.tar.* # the unpacked tree is what the build uses
echo "$version" >"$dir/VERSION"

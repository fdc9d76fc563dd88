#!/bin/sh
# Builds the static egress relay (and, in the same binary, the host-side egress pump) that is bind-mounted into sandboxes (see docs/egress.md).
# Called by the Maven build (core/pom.xml, generate-resources); also usable by hand:
#   core/src/main/c/build-relay.sh OUTPUT_FILE
# Reproducible: fixed flags, no build id, source paths mapped, so the same toolchain gives the same bytes.
set -eu
out="$1"
dir="$(cd "$(dirname "$0")" && pwd)"
src="$dir/egress-relay.c"
cc="${CC:-gcc}"
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "build-relay: '$cc' not found; the egress relay needs a C compiler and static libc: apt-get install gcc libc6-dev" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
"$cc" -std=c11 -static -Os -s -Wall -Wextra -Werror \
  -ffile-prefix-map="$(dirname "$src")"=. -fno-ident -Wl,--build-id=none \
  -o "$out.tmp" "$src" "$dir/egress-pump.c" || {
  echo "build-relay: compiling $src failed; a static build needs libc6-dev (libc.a): apt-get install gcc libc6-dev" >&2
  exit 1
}
chmod 0555 "$out.tmp"
mv -f "$out.tmp" "$out"

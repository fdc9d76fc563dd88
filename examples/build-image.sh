#!/usr/bin/env bash
# Builds a tiny local image from Debian's busybox-static, without any registry:
#   examples/build-image.sh [TAG] [--test]
# TAG defaults to agentgate-example/busybox:1. With --test it also adds the fixtures the sandbox tests
# attack (a setuid-root copy of busybox for `su`, a root-only file, a root account with an empty password),
# so that a sandbox that let privilege escalation through would be caught.
set -euo pipefail
tag="agentgate-example/busybox:1"
test_fixtures=false
for a in "$@"; do
  case "$a" in
    --test) test_fixtures=true ;;
    -*) echo "build-image.sh: unknown option '$a'; expected [TAG] [--test]" >&2; exit 2 ;;
    *) tag="$a" ;;
  esac
done
bb=/bin/busybox
if [[ ! -x "$bb" ]]; then
  echo "build-image.sh: $bb is missing; install it with: apt-get install -y busybox-static" >&2
  exit 2
fi
if command -v ldd >/dev/null && ldd "$bb" 2>&1 | grep -q '=>'; then
  echo "build-image.sh: $bb is dynamically linked; expected Debian's busybox-static (apt-get install -y busybox-static)" >&2
  exit 2
fi
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,etc,tmp,workspace,home/agent,run/agentgate,root}
cp "$bb" "$root/bin/busybox"
for applet in $("$bb" --list); do
  [[ "$applet" == busybox ]] || ln -sf busybox "$root/bin/$applet"
done
chmod 1777 "$root/tmp"
cat > "$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
agent:x:1000:1000:agent:/home/agent:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > "$root/etc/group" <<'G'
root:x:0:
agent:x:1000:
nogroup:x:65534:
G
chown 1000:1000 "$root/home/agent"
if $test_fixtures; then
  # Empty root password + setuid su: without no-new-privileges a user could become root with `su`.
  echo 'root::19000:0:99999:7:::' > "$root/etc/shadow"
  chmod 0600 "$root/etc/shadow"
  mkdir -p "$root/usr/local/bin"
  cp "$bb" "$root/usr/local/bin/su"   # busybox picks the applet from argv[0]
  chmod 4755 "$root/usr/local/bin/su"
  echo "root-only secret" > "$root/root/secret"
  chmod 0400 "$root/root/secret"
  chmod 0700 "$root/root"
fi
tar -C "$root" --numeric-owner -cf - . | docker import --change 'CMD ["/bin/sh"]' --change 'WORKDIR /workspace' - "$tag" >/dev/null
echo "$tag"

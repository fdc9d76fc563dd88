#!/usr/bin/env bash
# Builds a tiny local image from Debian's busybox-static, without any registry:
#   examples/build-image.sh [TAG] [--test] [--mcp]
# TAG defaults to agentgate-example/busybox:1. With --test it also adds the fixtures the sandbox tests
# attack (a setuid-root copy of busybox for `su`, a root-only file, a root account with an empty password),
# so that a sandbox that let privilege escalation through would be caught.
# With --mcp it also adds the host's node (/usr/bin/node and the libraries `ldd` lists) and the MCP test client
# (examples/mcp/mcp-client.mjs with the official SDK, installed by examples/mcp/install.sh into target/mcp-node):
#   docker run ... IMAGE node /opt/agentgate-mcp/mcp-client.mjs '[{"op":"list"}]'
set -euo pipefail
tag="agentgate-example/busybox:1"
test_fixtures=false
mcp=false
for a in "$@"; do
  case "$a" in
    --test) test_fixtures=true ;;
    --mcp) mcp=true ;;
    -*) echo "build-image.sh: unknown option '$a'; expected [TAG] [--test] [--mcp]" >&2; exit 2 ;;
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
if $mcp; then
  node="$(command -v node || true)"
  if [[ -z "$node" ]]; then
    echo "build-image.sh: --mcp needs node on this host (apt-get install -y nodejs npm)" >&2
    exit 2
  fi
  node="$(readlink -f "$node")"
  kit="$("$(dirname "$0")/mcp/install.sh")"
  mkdir -p "$root/usr/bin" "$root/opt/agentgate-mcp"
  cp "$node" "$root/usr/bin/node"
  # The dynamic loader and every library node links, at the same paths (ldd prints "name => path (addr)" or "path (addr)").
  for lib in $(ldd "$node" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  cp "$(dirname "$0")/mcp/mcp-client.mjs" "$(dirname "$0")/mcp/package.json" "$root/opt/agentgate-mcp/"
  # The client needs the SDK and what it depends on; the connectors' servers stay on the host.
  cp -r "$kit/node_modules" "$root/opt/agentgate-mcp/"
  rm -rf "$root/opt/agentgate-mcp/node_modules/@modelcontextprotocol/server-"*
  chmod -R a+rX "$root/opt/agentgate-mcp" "$root/usr/bin/node"
fi
tar -C "$root" --numeric-owner -cf - . | docker import --change 'CMD ["/bin/sh"]' --change 'WORKDIR /workspace' - "$tag" >/dev/null
echo "$tag"

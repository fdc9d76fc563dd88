#!/usr/bin/env bash
# Installs the MCP test kit (examples/mcp/package.json: the official MCP SDK for the in-sandbox client, and the
# third-party reference servers used as connectors) from the npm registry into a directory outside the sources:
#   examples/mcp/install.sh [DIR]      (default: target/mcp-node at the repository root; prints DIR)
# `npm ci` against the committed lock file, without install scripts; skipped when DIR already holds this lock.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dir="${1:-$root/target/mcp-node}"
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "mcp/install.sh: node and npm are needed (e.g. apt-get install -y nodejs npm)" >&2
  exit 2
fi
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
stamp="$dir/.agentgate-lock.sha256"
want="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -d "$dir/node_modules/@modelcontextprotocol/sdk" ]]; then
  echo "$dir"
  exit 0
fi
cp "$here/package.json" "$here/package-lock.json" "$dir/"
(cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
echo "$want" > "$stamp"
echo "$dir"

#!/usr/bin/env bash
# Tool gateway benchmark: added latency per MCP tools/call through relay + gateway + connector vs a direct stdio call
# to the same connector program, interleaved in one run (target: <= 1 ms added at the median; docs/performance.md).
#   bench/tool-gateway.sh [calls=1000] [warmup=200]
# The connector is the npm reference server @modelcontextprotocol/server-everything (tool "echo"); the client is the
# official TypeScript SDK. Traffic stays on loopback, the gateway's Unix socket and stdio pipes.
set -euo pipefail
cd "$(dirname "$0")/.."
calls="${1:-1000}"
warmup="${2:-200}"
(( calls >= 1000 )) || { echo "tool-gateway.sh: calls must be at least 1000, got $calls" >&2; exit 2; }
kit="$(examples/mcp/install.sh)"
cp bench/tool-gateway/bench.mjs "$kit/bench.mjs"
./mvnw -B -q -o -pl core compile
./mvnw -B -q -o -pl core dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile=target/bench-classpath.txt
echo "host: $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg), node $(node --version), $(java -version 2>&1 | head -1), $(date -u +%Y-%m-%dT%H:%MZ)" >&2
exec java -XX:+UseSerialGC -cp "core/target/classes:$(cat core/target/bench-classpath.txt)" bench/tool-gateway/GatewayBench.java \
  "$kit" "$calls" "$warmup"

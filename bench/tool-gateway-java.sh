#!/usr/bin/env bash
# Tool gateway benchmark: added latency per MCP tools/call through relay + gateway (the stdio path of mcp.json, relay
# --stdio; and the HTTP path) vs a direct stdio call to the same kind of connector, interleaved in one run
# (target: <= 1 ms added at the median; see docs/performance.md).
#   bench/tool-gateway-java.sh [calls=1000] [rounds=5]   (the SDK's Java client; bench/tool-gateway.sh uses the Node client)
# Traffic stays on loopback, the gateway's Unix socket and the connectors' pipes.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -o -pl core compile
./mvnw -B -q -o -pl core dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile=target/bench-classpath.txt
exec java -XX:+UseSerialGC -cp "core/target/classes:$(cat core/target/bench-classpath.txt)" bench/gateway/GatewayBench.java "$@"

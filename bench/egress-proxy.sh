#!/usr/bin/env bash
# Egress proxy benchmark: added latency per request and throughput through relay (--pass-fd) + pump + proxy vs direct loopback,
# interleaved in one run (targets: <= 1 ms added at the median, >= 0.8x throughput; see docs/performance.md).
#   bench/egress-proxy.sh [requests=2000] [throughputMiB=256] [rounds=5]
# Traffic stays on loopback and the proxy's Unix socket.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -o -pl core compile
./mvnw -B -q -o -pl core dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile=target/bench-classpath.txt
exec java -XX:+UseSerialGC -cp "core/target/classes:$(cat core/target/bench-classpath.txt)" bench/egress/EgressBench.java "$@"

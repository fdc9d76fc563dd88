#!/usr/bin/env bash
# JMH: masking throughput of MaskingOutputStream (1 MiB, 5 secrets) vs an unmasked copy, in 8 KiB and 80-byte writes.
# Usage: bench/masking.sh [extra JMH options]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -Pbench -pl bench/jmh -am -DskipTests package
exec java -jar bench/jmh/target/benchmarks.jar MaskingBenchmark "$@"

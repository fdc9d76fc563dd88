#!/usr/bin/env bash
# JMH: one policy decision for a typical Delivery request (target: 5 µs or less).
# Usage: bench/policy-decision.sh [extra JMH options]   e.g. -f 1 -wi 3 -i 5 for a quick look
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -Pbench -pl bench/jmh -am -DskipTests package
exec java -jar bench/jmh/target/benchmarks.jar PolicyDecisionBenchmark "$@"

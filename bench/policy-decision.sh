#!/usr/bin/env bash
# One policy decision for a typical Delivery request (target: 5 µs or less; docs/performance.md).
# Prints the JMH average time (wall clock) and the thread CPU time per decision (robust on a loaded machine).
# Usage: bench/policy-decision.sh [extra JMH options]   e.g. -f 1 -wi 3 -i 5 for a quick look
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -Pbench -pl bench/jmh -am -DskipTests package
echo "host: $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
java -cp bench/jmh/target/benchmarks.jar io.jenkins.plugins.agentgate.bench.PolicyDecisionCpuTime
java -jar bench/jmh/target/benchmarks.jar 'PolicyDecisionBenchmark.decide' "$@"

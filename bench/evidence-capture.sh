#!/usr/bin/env bash
# Evidence capture benchmark: WorkspaceCapture.after() on git workspaces vs the baseline
# `git diff --numstat` + `sha256sum <changed files>`, timed in the same run on the same state.
# Usage: bench/evidence-capture.sh [ITERATIONS] [LABEL=OTHER_JAR ...]
#   With LABEL=JAR arguments (e.g. before=/tmp/agentgate-old.jar, a cli/target/agentgate.jar of an older
#   commit), those builds run in the same JVM as this one ("current"), iterations interleaved.
# Results go to stdout as a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=cli/target/agentgate.jar
if [ ! -f "$JAR" ]; then
  ./mvnw -B -q -o package -pl cli -am -DskipTests
fi
ITER="${1:-15}"
shift || true
WORK=$(mktemp -d "${TMPDIR:-/tmp}/agentgate-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
echo "git $(git --version | cut -d' ' -f3), $(java -version 2>&1 | head -n 1), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) at start"
# Default JVM flags (tiered C1+C2, as in a Jenkins controller). Not the CLI's C1-only flags: without C2,
# the JDK's SHA-1/SHA-256 run without their CPU intrinsics at ~20-30 MB/s instead of ~400 MB/s, which
# swamps what is measured here (see docs/performance.md).
java bench/CaptureBench.java "$WORK" "$ITER" "$@" "current=$JAR"
echo "load $(cut -d' ' -f1-3 /proc/loadavg) at end"

#!/usr/bin/env bash
# End-to-end time of `agentgate run` for a trivial command vs a raw `docker run` of the same image and
# command with the same hardening flags and mounts, interleaved (alternating which goes first) in one run.
#   bench/run-vs-docker.sh [PAIRS]      (default 15; at least 10)
# Prints every pair, the medians and the median ratio (target: 1.10x or less; see docs/performance.md).
# Before/after a change on a shared machine: AGENTGATE_BASELINE=DIR (another checkout with its jar built) adds
# DIR's `agentgate run` to every round, in rotating order, and prints the median of the per-round differences.
set -euo pipefail
cd "$(dirname "$0")/.."
pairs="${1:-15}"
(( pairs >= 10 )) || { echo "run-vs-docker.sh: PAIRS must be at least 10, got $pairs" >&2; exit 2; }
image=agentgate-example/busybox:1
jar=cli/target/agentgate.jar
jsa=cli/target/agentgate.jsa
[[ -f "$jar" ]] || ./mvnw -B -q -DskipTests package
docker image inspect "$image" >/dev/null 2>&1 || examples/build-image.sh "$image" >/dev/null

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ws="$work/ws"
mkdir -p "$ws"
echo "bench" > "$work/task.md"
chmod 0444 "$work/task.md"
uid="$(stat -c %u "$ws")"; gid="$(stat -c %g "$ws")"
if (( uid == 0 )); then uid=1000; gid=1000; fi   # agentgate never runs the agent as root; neither does the baseline

ag() { bin/agentgate run --class draft --task "$work/task.md" --workspace "$ws" --evidence-dir "$work/evidence" --image "$image" -- true >/dev/null 2>&1; }   # evidence (capture + bundle) is part of the run
raw() {
  docker run --rm --pull never --init --read-only --cap-drop ALL --security-opt no-new-privileges --network none \
    --ipc private --user "$uid:$gid" --pids-limit 256 --memory 1073741824 --memory-swap 1073741824 --cpus 1.000 \
    --log-driver none --tmpfs /tmp:rw,noexec,nosuid,nodev,size=64m \
    --tmpfs "/run/agentgate/secrets:rw,noexec,nosuid,nodev,size=1m,mode=0700,uid=$uid,gid=$gid" \
    --mount "type=bind,source=$ws,target=/workspace" \
    --mount "type=bind,source=$work/task.md,target=/run/agentgate/task.md,readonly" \
    "$image" true >/dev/null
}
ms() { local s e; s=$(date +%s%N); "$@"; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# Train the AppCDS archive the launcher uses (class loading dominates a short JVM's start-up).
train() {   # ROOT
  local jar="$1/cli/target/agentgate.jar" jsa="$1/cli/target/agentgate.jsa"
  if [[ ! -f "$jsa" || "$jar" -nt "$jsa" ]]; then
    rm -f "$jsa"
    java -XX:ArchiveClassesAtExit="$jsa" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds=off -Xlog:cds+dynamic=off \
      -jar "$jar" run --class draft --task "$work/task.md" --workspace "$ws" --image "$image" -- true >/dev/null 2>&1 || true
  fi
}
train .
base="${AGENTGATE_BASELINE:-}"
if [[ -n "$base" ]]; then
  [[ -f "$base/cli/target/agentgate.jar" && -x "$base/bin/agentgate" ]] \
    || { echo "run-vs-docker.sh: AGENTGATE_BASELINE=$base has no bin/agentgate and cli/target/agentgate.jar" >&2; exit 2; }
  train "$base"
  agb() { "$base/bin/agentgate" run --class draft --task "$work/task.md" --workspace "$ws" --evidence-dir "$work/evidence" --image "$image" -- true >/dev/null 2>&1; }
  agb
fi

ag; raw   # warm-up: page cache, image layers, JIT-less paths
echo "pair  docker-run-ms  agentgate-run-ms  ratio${base:+  baseline-run-ms  change-ms}"
: > "$work/times"
for i in $(seq 1 "$pairs"); do
  if [[ -z "$base" ]]; then
    if (( i % 2 )); then r=$(ms raw); a=$(ms ag); else a=$(ms ag); r=$(ms raw); fi
  else
    case $(( i % 3 )) in
      1) r=$(ms raw); a=$(ms ag); b=$(ms agb) ;;
      2) a=$(ms ag); b=$(ms agb); r=$(ms raw) ;;
      0) b=$(ms agb); r=$(ms raw); a=$(ms ag) ;;
    esac
  fi
  ratio=$(awk -v a="$a" -v r="$r" 'BEGIN {printf "%.2f", a / r}')
  if [[ -z "$base" ]]; then
    printf "%4d  %13d  %16d  %5s\n" "$i" "$r" "$a" "$ratio"
  else
    printf "%4d  %13d  %16d  %5s  %15d  %9d\n" "$i" "$r" "$a" "$ratio" "$b" $(( a - b ))
    echo "$b $(( a - b ))" >> "$work/baseline"
  fi
  echo "$r $a $ratio" >> "$work/times"
done
ver() { bin/agentgate --version >/dev/null; }
jvm=$(for _ in 1 2 3 4 5; do ms ver; done | median)
mr=$(awk '{print $1}' "$work/times" | median)
ma=$(awk '{print $2}' "$work/times" | median)
mratio=$(awk '{print $3}' "$work/times" | median)
echo "median docker run:        ${mr} ms"
echo "median agentgate run:     ${ma} ms"
echo "median of pair ratios:    ${mratio}x   (target <= 1.10x)"
echo "ratio of medians:         $(awk -v a="$ma" -v r="$mr" 'BEGIN {printf "%.2f", a / r}')x"
echo "agentgate --version (JVM start-up alone, median of 5): ${jvm} ms"
if [[ -n "$base" ]]; then
  echo "median baseline run:      $(awk '{print $1}' "$work/baseline" | median) ms   ($base)"
  echo "median change per round:  $(awk '{print $2}' "$work/baseline" | median) ms   (this checkout minus baseline)"
fi
echo "host: $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg), docker $(docker version --format '{{.Server.Version}}'), $(java -version 2>&1 | head -1)"

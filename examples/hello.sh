#!/usr/bin/env bash
# The main job: a governed local run of examples/hello, then an offline check of its evidence bundle.
#   examples/hello.sh
# On a fresh machine it builds the CLI, installs what is missing (docker.io, busybox-static, gcc, libc6-dev;
# root only), starts a Docker daemon when none answers (and stops it again at the end), builds the tiny
# example image locally (no registry), runs the Draft-class task in the sandbox and verifies the evidence.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../.ci/docker.sh
source .ci/docker.sh
agentgate_prerequisites
trap agentgate_stop_dockerd EXIT
agentgate_dockerd

[[ -f cli/target/agentgate.jar ]] || ./mvnw -B -q -DskipTests package
examples/build-image.sh agentgate-example/busybox:1 >/dev/null

evidence="$PWD/agentgate-evidence"
bin/agentgate run --class draft --task examples/hello/task.md --workspace examples/hello/workspace \
  --image agentgate-example/busybox:1 --evidence-dir "$evidence" -- sh tools/summarise.sh
bundle="$(ls -d "$evidence"/2* | tail -n 1)"
bin/agentgate verify "$bundle"

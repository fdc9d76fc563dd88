#!/usr/bin/env bash
# Shared by .ci/run and examples/hello.sh (sourced, not run): make a local Docker engine available.
#   agentgate_prerequisites   installs docker.io, busybox-static, gcc and libc6-dev from Debian's packages when missing
#   agentgate_dockerd         starts dockerd in the background when no daemon answers; sets AGENTGATE_DOCKERD_PID
#   agentgate_stop_dockerd    stops the daemon agentgate_dockerd started (nothing else)

agentgate_prerequisites() {
  local missing=()
  static_busybox() { [[ -x /bin/busybox ]] && ! ldd /bin/busybox >/dev/null 2>&1; }
  command -v docker >/dev/null 2>&1 && command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  static_busybox || missing+=(busybox-static)
  # The egress relay is compiled static by the core build.
  command -v gcc >/dev/null 2>&1 || missing+=(gcc)
  dpkg -s libc6-dev >/dev/null 2>&1 || missing+=(libc6-dev)
  if ((${#missing[@]})); then
    if [[ "$(id -u)" != 0 ]]; then
      echo "agentgate: missing ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
      return 1
    fi
    echo "agentgate: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

AGENTGATE_DOCKERD_PID=""
agentgate_dockerd() {
  docker version >/dev/null 2>&1 && return 0
  if [[ "$(id -u)" != 0 ]]; then
    echo "agentgate: no Docker daemon answers; start it (e.g. sudo systemctl start docker) and try again" >&2
    return 1
  fi
  local log
  log="$(mktemp /tmp/agentgate-dockerd.XXXXXX.log)"
  echo "agentgate: starting dockerd (log: $log)" >&2
  dockerd >"$log" 2>&1 &
  AGENTGATE_DOCKERD_PID=$!
  for _ in $(seq 1 120); do docker version >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "agentgate: dockerd did not answer within 60 s; last lines of $log:" >&2
  tail -n 20 "$log" >&2
  return 1
}

agentgate_stop_dockerd() {
  local pid="$AGENTGATE_DOCKERD_PID"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    echo "agentgate: stopping the dockerd it started (pid $pid)" >&2
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
}

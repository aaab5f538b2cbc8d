# shellcheck shell=bash
# Shared by run_containerized.sh and run.sh; sourced, never run on its own.
# Everything here writes to stderr: stdout belongs to the gateway's client configuration.

if [[ -t 2 && -z ${NO_COLOR:-} && ${DEBUG_COLORS:-1} != 0 ]]; then
  readonly COLOR_INFO=$'\e[0;32m' COLOR_WARN=$'\e[1;33m' COLOR_ERROR=$'\e[0;31m' COLOR_RESET=$'\e[0m'
else
  readonly COLOR_INFO='' COLOR_WARN='' COLOR_ERROR='' COLOR_RESET=''
fi

log_info() { printf '%s[INFO]%s %s\n' "$COLOR_INFO" "$COLOR_RESET" "$*" >&2; }
log_warn() { printf '%s[WARN]%s %s\n' "$COLOR_WARN" "$COLOR_RESET" "$*" >&2; }
log_error() { printf '%s[ERROR]%s %s\n' "$COLOR_ERROR" "$COLOR_RESET" "$*" >&2; }

# Prints every argument as one error line each, then ends the script with status 1.
fail() {
  local line
  for line in "$@"; do log_error "$line"; done
  exit 1
}

# FLOWGATE_SKIP_DOCKER_CHECKS=1 turns off everything that needs a Docker engine or a container
# around us: useful when every backend is a local command or an HTTP server, and in tests.
docker_checks_skipped() {
  case "${FLOWGATE_SKIP_DOCKER_CHECKS:-}" in
    1 | [Tt]rue | [Yy]es | [Oo]n) return 0 ;;
    *) return 1 ;;
  esac
}

running_in_container() {
  [[ ${RUNNING_IN_CONTAINER:-} == true || -f /.dockerenv ]] && return 0
  grep -qE 'docker|containerd|kubepods|lxc' /proc/self/cgroup 2>/dev/null
}

# Docker's own id for this container (12 to 64 lowercase hex digits), or nothing. Pod names
# (Kubernetes) are not container ids and are ignored.
own_container_id() {
  local candidate
  candidate=$(grep -oE '[0-9a-f]{12,64}' /proc/self/cgroup 2>/dev/null | head -n 1 || true)
  if [[ -z $candidate && -f /.dockerenv ]]; then candidate=$(hostname 2>/dev/null); fi
  [[ $candidate =~ ^[0-9a-f]{12,64}$ ]] && printf '%s\n' "$candidate"
  return 0
}

# The daemon must answer before the gateway can run `container` servers. A unix socket may
# appear a little late (a Docker-in-Docker sidecar), so it is awaited for FLOWGATE_DOCKER_SOCKET_WAIT
# seconds (default 10).
require_docker_daemon() {
  command -v docker >/dev/null 2>&1 ||
    fail "the docker CLI is not installed, and the gateway runs container servers with it" \
      "install it, or set FLOWGATE_SKIP_DOCKER_CHECKS=1 if no server is a container"
  local host=${DOCKER_HOST:-unix:///var/run/docker.sock}
  if [[ $host != tcp://* && $host != ssh://* ]]; then
    local socket=${host#unix://} waited=0 limit=${FLOWGATE_DOCKER_SOCKET_WAIT:-10}
    [[ $limit =~ ^[0-9]+$ ]] || fail "FLOWGATE_DOCKER_SOCKET_WAIT=\"$limit\" is not a number of seconds"
    while [[ ! -S $socket ]] && ((waited < limit)); do
      ((waited == 0)) && log_info "Waiting up to ${limit}s for the Docker socket at $socket"
      sleep 1
      waited=$((waited + 1))
    done
    [[ -S $socket ]] ||
      fail "no Docker socket at $socket" \
        "mount it (docker run -v /var/run/docker.sock:/var/run/docker.sock ...) or point DOCKER_HOST at the daemon," \
        "or set FLOWGATE_SKIP_DOCKER_CHECKS=1 if no server is a container"
  fi
  docker info >/dev/null 2>&1 ||
    fail "the Docker daemon at $host does not answer (docker info failed)" \
      "check that it is running and that this user may use it"
  log_info "Docker daemon at $host is reachable"
}

# The Docker CLI the gateway runs must not speak a newer API than the daemon: use the daemon's
# version when it answers, 1.44 otherwise. A value already in the environment is kept.
export_docker_api_version() {
  if [[ -n ${DOCKER_API_VERSION:-} ]]; then
    log_info "DOCKER_API_VERSION=$DOCKER_API_VERSION (from the environment)"
  else
    local daemon_version=''
    if ! docker_checks_skipped && command -v docker >/dev/null 2>&1; then
      daemon_version=$(docker version --format '{{.Server.APIVersion}}' 2>/dev/null) || daemon_version=''
    fi
    if [[ -n $daemon_version ]]; then
      DOCKER_API_VERSION=$daemon_version
      log_info "DOCKER_API_VERSION=$DOCKER_API_VERSION (the daemon's)"
    else
      DOCKER_API_VERSION=1.44
      log_info "DOCKER_API_VERSION=$DOCKER_API_VERSION (default)"
    fi
  fi
  export DOCKER_API_VERSION
}

# Checks that a port setting is a whole number from 1 to 65535; $1 names the setting in the message.
require_port() {
  local name=$1 value=$2
  if [[ ! $value =~ ^[0-9]{1,5}$ ]] || ((10#$value < 1 || 10#$value > 65535)); then
    fail "$name=\"$value\" is not a TCP port: use a whole number from 1 to 65535"
  fi
}

require_mode() {
  local name=$1 value=$2
  [[ $value == --routed || $value == --unified ]] ||
    fail "$name=\"$value\" is not a gateway mode: use --routed (one endpoint per server) or --unified (one /mcp endpoint)"
}

# host:port for --listen, with an IPv6 host in brackets.
listen_address() {
  local host=$1 port=$2
  if [[ $host == *:* && $host != \[* ]]; then host="[$host]"; fi
  printf '%s:%s\n' "$host" "$port"
}

# The configuration on stdin usually reads these through ${...}; missing ones are reported by the
# gateway too, but naming them here saves a round trip.
warn_unset_gateway_variables() {
  [[ -n ${MCP_GATEWAY_DOMAIN:-} ]] || log_warn "MCP_GATEWAY_DOMAIN is not set"
  [[ -n ${MCP_GATEWAY_API_KEY:-}${MCP_GATEWAY_AGENT_ID:-} ]] || log_warn "neither MCP_GATEWAY_API_KEY nor MCP_GATEWAY_AGENT_ID is set"
}

# `proxy` as the first argument runs the GitHub API proxy (awmg proxy) with the other arguments;
# it reads MCP_GATEWAY_LOG_DIR and the guards directory itself.
run_proxy_mode() {
  resolve_gateway_binary
  log_info "Starting flowgate GitHub API proxy (awmg proxy)"
  # Arguments are not echoed: they may carry a secret (--github-token).
  exec "$GATEWAY_BIN" "$@"
}

# Sets GATEWAY_BIN to the gateway executable: $AWMG_BIN, by default awmg on PATH.
resolve_gateway_binary() {
  GATEWAY_BIN=${AWMG_BIN:-awmg}
  command -v "$GATEWAY_BIN" >/dev/null 2>&1 ||
    fail "cannot run the gateway: \"$GATEWAY_BIN\" is not an executable file or a command on PATH" \
      "install flowgate (it provides awmg) or set AWMG_BIN to its path"
}

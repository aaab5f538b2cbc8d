#!/usr/bin/env bash
# Entrypoint of the flowgate container image, with gh-aw-mcpg's contract: the JSON configuration
# arrives on stdin (docker run -i), the listen address and log directory come from the environment.
#
#   MCP_GATEWAY_PORT     required: the port to listen on inside the container
#   MCP_GATEWAY_HOST     listen host (default 0.0.0.0)
#   MCP_GATEWAY_MODE     --routed (default) or --unified
#   MCP_GATEWAY_LOG_DIR  log directory (default /tmp/gh-aw/mcp-logs), always passed as --log-dir
#   ENV_FILE             a .env file passed as --env when it exists
#   MCP_GATEWAY_WASM_GUARDS_DIR  defaults to the baked guards' folder when it exists; set it empty
#                        to turn discovery off
#   FLOWGATE_BAKED_GUARDS_DIR  where the image keeps its guards (default /guards)
#   AWMG_BIN             the gateway executable (default: awmg on PATH)
#   FLOWGATE_SKIP_DOCKER_CHECKS=1  skip the container and Docker checks below
#   FLOWGATE_DOCKER_SOCKET_WAIT    seconds to wait for the Docker socket (default 10)
#
# Arguments are appended to the gateway's flags; a first argument `proxy` runs the GitHub API
# proxy instead (`awmg proxy` with the other arguments; MCP_GATEWAY_PORT is not needed then).
set -euo pipefail

# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

readonly DEFAULT_LOG_DIR=/tmp/gh-aw/mcp-logs
readonly BAKED_GUARDS_DIR=${FLOWGATE_BAKED_GUARDS_DIR:-/guards}

# Guards baked into the image are found per server under /guards/<serverID>/ unless the variable
# is set, even to an empty value.
use_baked_guards() {
  if [[ -z ${MCP_GATEWAY_WASM_GUARDS_DIR+set} && -d $BAKED_GUARDS_DIR ]]; then
    export MCP_GATEWAY_WASM_GUARDS_DIR=$BAKED_GUARDS_DIR
    log_info "Using the guards baked into the image at $BAKED_GUARDS_DIR"
  fi
  log_info "MCP_GATEWAY_WASM_GUARDS_DIR=${MCP_GATEWAY_WASM_GUARDS_DIR-(unset)}"
}

# What only docker inspect can tell: the port is published, stdin is open, the socket and the log
# directory are mounted. Skipped when this container is unknown to the daemon (a Kubernetes pod,
# a remote DOCKER_HOST).
inspect_own_container() {
  local id=$1 port=$2 log_dir=$3 ports stdin_open mounts
  if ! ports=$(docker inspect --format '{{json .NetworkSettings.Ports}}' "$id" 2>/dev/null); then
    log_warn "container ${id:0:12} is unknown to the Docker daemon: port, stdin and mount checks skipped"
    return 0
  fi
  [[ $ports == *"\"$port/tcp\""* ]] ||
    fail "port $port is not exposed by this container" "publish it: docker run -p <host port>:$port ..."
  [[ $ports == *'"HostPort"'* ]] ||
    fail "port $port is exposed but not published to the host" "publish it: docker run -p <host port>:$port ..."
  stdin_open=$(docker inspect --format '{{.Config.OpenStdin}}' "$id" 2>/dev/null || true)
  [[ $stdin_open == true ]] ||
    fail "this container's stdin is closed, and the configuration is read from it" "start it with docker run -i ..."
  mounts=$(docker inspect --format '{{json .Mounts}}' "$id" 2>/dev/null || true)
  [[ $mounts == *docker.sock* ]] ||
    log_warn "the Docker socket is not mounted into this container: container servers need it (-v /var/run/docker.sock:/var/run/docker.sock)"
  [[ $mounts == *"\"$log_dir\""* ]] ||
    log_warn "the log directory $log_dir is not a mount: the logs disappear with the container (-v <host dir>:$log_dir)"
}

# Backends in containers reach services on the host as host.docker.internal, which Linux engines
# do not define: map it to the address most likely to be the host.
map_host_docker_internal() {
  if grep -q 'host\.docker\.internal' /etc/hosts 2>/dev/null; then return 0; fi
  local host_ip
  host_ip=$(ip route 2>/dev/null | awk '/^default/ { print $3; exit }') || host_ip=''
  host_ip=${host_ip:-172.17.0.1}
  if { printf '%s\thost.docker.internal\n' "$host_ip" >>/etc/hosts; } 2>/dev/null; then
    log_info "host.docker.internal -> $host_ip"
  else
    log_warn "cannot write /etc/hosts: host.docker.internal is not mapped"
  fi
}

check_container_environment() {
  local port=$1 log_dir=$2 id
  running_in_container ||
    fail "run_containerized.sh is the container image's entrypoint and this is not a container" \
      "use run.sh outside a container, or set FLOWGATE_SKIP_DOCKER_CHECKS=1"
  require_docker_daemon
  id=$(own_container_id)
  if [[ -n $id ]]; then
    inspect_own_container "$id" "$port" "$log_dir"
  else
    log_warn "cannot tell this container's id: port, stdin and mount checks skipped"
  fi
  map_host_docker_internal
}

main() {
  if [[ ${1:-} == proxy ]]; then
    use_baked_guards
    run_proxy_mode "$@"
  fi
  log_info "Starting flowgate (MCPG Gateway) in containerized mode"

  [[ -n ${MCP_GATEWAY_PORT:-} ]] ||
    fail "MCP_GATEWAY_PORT is not set: it is the port the gateway listens on inside the container" \
      "set it when starting the container: docker run -i -e MCP_GATEWAY_PORT=8000 -p 8000:8000 ..."
  require_port MCP_GATEWAY_PORT "$MCP_GATEWAY_PORT"
  local host=${MCP_GATEWAY_HOST:-0.0.0.0} port=$((10#$MCP_GATEWAY_PORT))
  local mode=${MCP_GATEWAY_MODE:---routed} log_dir=${MCP_GATEWAY_LOG_DIR:-$DEFAULT_LOG_DIR}
  require_mode MCP_GATEWAY_MODE "$mode"
  warn_unset_gateway_variables
  resolve_gateway_binary
  use_baked_guards

  if docker_checks_skipped; then
    log_warn "FLOWGATE_SKIP_DOCKER_CHECKS is set: container, Docker daemon and host.docker.internal checks skipped"
  else
    check_container_environment "$port" "$log_dir"
  fi
  export_docker_api_version

  local flags=("$mode" --listen "$(listen_address "$host" "$port")" --config-stdin --log-dir "$log_dir")
  if [[ -n ${ENV_FILE:-} ]]; then
    if [[ -f $ENV_FILE ]]; then
      flags+=(--env "$ENV_FILE")
    else
      log_warn "ENV_FILE=$ENV_FILE does not exist: no environment file is loaded"
    fi
  fi

  # Arguments given to the script are not echoed: they may carry a secret (--hmac-secret).
  log_info "Command: $GATEWAY_BIN ${flags[*]}${1+ (and $# more arguments)}"
  flags+=("$@")
  log_info "Waiting for the JSON configuration on stdin"
  exec "$GATEWAY_BIN" "${flags[@]}"
}

main "$@"

#!/usr/bin/env bash
# Starts flowgate outside a container with gh-aw-mcpg's run.sh contract. Inside a container it
# hands over to run_containerized.sh.
#
#   HOST                     listen host (default 0.0.0.0)
#   MCP_GATEWAY_PORT, PORT   listen port, the first one set (default 8000)
#   MODE                     --routed (default) or --unified
#   CONFIG                   a TOML configuration file; without it the JSON configuration is read
#                            from stdin
#   ENV_FILE                 a .env file passed as --env when it exists (default .env)
#   AWMG_BIN                 the gateway executable (default: awmg on PATH)
#   FLOWGATE_SKIP_DOCKER_CHECKS=1  skip the container detection and the Docker daemon check
#
# Arguments are appended to the gateway's flags. The log directory is the gateway's own default
# ($MCP_GATEWAY_LOG_DIR, else /tmp/gh-aw/mcp-logs).
set -euo pipefail

# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

main() {
  if ! docker_checks_skipped && running_in_container; then
    log_info "This is a container: handing over to run_containerized.sh"
    exec "$(dirname "${BASH_SOURCE[0]}")/run_containerized.sh" "$@"
  fi
  if [[ ${1:-} == proxy ]]; then run_proxy_mode "$@"; fi
  log_info "Starting flowgate (MCPG Gateway)"

  local host=${HOST:-0.0.0.0} mode=${MODE:---routed} port_variable=PORT
  if [[ -n ${MCP_GATEWAY_PORT:-} ]]; then port_variable=MCP_GATEWAY_PORT; fi
  local port=${!port_variable:-8000}
  require_port "$port_variable" "$port"
  port=$((10#$port))
  require_mode MODE "$mode"
  warn_unset_gateway_variables
  resolve_gateway_binary

  if docker_checks_skipped; then
    log_warn "FLOWGATE_SKIP_DOCKER_CHECKS is set: container detection and the Docker daemon check skipped"
  else
    require_docker_daemon
  fi
  export_docker_api_version

  local flags=("$mode" --listen "$(listen_address "$host" "$port")")
  local env_file=${ENV_FILE-.env}
  if [[ -n $env_file && -f $env_file ]]; then
    flags+=(--env "$env_file")
  elif [[ -n ${ENV_FILE:-} ]]; then
    log_warn "ENV_FILE=$ENV_FILE does not exist: no environment file is loaded"
  fi
  if [[ -n ${CONFIG:-} ]]; then
    [[ -f $CONFIG ]] || fail "CONFIG=$CONFIG: no such file" "point CONFIG at a TOML configuration, or unset it and pipe a JSON configuration to stdin"
    flags+=(--config "$CONFIG")
  else
    [[ ! -t 0 ]] || fail "no configuration: set CONFIG to a TOML file, or pipe a JSON configuration to stdin"
    flags+=(--config-stdin)
  fi

  # Arguments given to the script are not echoed: they may carry a secret (--hmac-secret).
  log_info "Command: $GATEWAY_BIN ${flags[*]}${1+ (and $# more arguments)}"
  flags+=("$@")
  exec "$GATEWAY_BIN" "${flags[@]}"
}

main "$@"

# tests/lib/registry.sh - a Docker distribution registry (Debian's
# docker-registry) for tests and benches: its own config and storage folder,
# on 127.0.0.1 at a free port, with an access log; stopped by its PID.
#
#     . "$src/tests/lib/registry.sh"
#     registry_start DIR STORE    # sets registry_addr (127.0.0.1:PORT) and registry_pid
#
# Several registries over one STORE serve the same blobs (the seed's
# registries behind one storage).  The caller stops registry_pid (for tests:
# tap_cleanup_pid "$registry_pid").  DIR/registry.log holds its log, one
# line per request.

registry_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

registry_start() {
    local dir=$1 store=$2 port i
    port=$(registry_free_port)
    mkdir -p "$dir" "$store"
    cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: $store
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: siokit-test-$port
EOF
    docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
    registry_pid=$!
    registry_addr=127.0.0.1:$port
    for ((i = 0; i < 100; i++)); do
        curl -s -o /dev/null "http://$registry_addr/v2/" && return 0
        kill -0 "$registry_pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

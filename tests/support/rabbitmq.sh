#!/usr/bin/env bash
# Starts and stops a private RabbitMQ node with the MQTT plugin, for the tests that check
# mqtls against a second broker (tests/cli/test_rabbitmq.sh).
#
# Usage:
#   rabbitmq.sh available             exit 0 when rabbitmq-server and its MQTT plugin are
#                                     installed, 77 (the tests' skip status) otherwise
#   rabbitmq.sh start DIR [OWNER-PID] prints the MQTT port (on 127.0.0.1) once the listener
#                                     answers a CONNECT with CONNACK; how long that took goes
#                                     to stderr. With OWNER-PID, a watchdog stops the node
#                                     when that process is gone (a test killed by its timeout
#                                     cannot run its own cleanup).
#   rabbitmq.sh stop DIR              stops the node, its epmd and the watchdog, and waits
#                                     for them to exit
#
# The node is nobody else's: its own node name, its own free ports for AMQP, MQTT, Erlang
# distribution and epmd (all on loopback), and config, data, logs and Erlang cookie under
# DIR. The system service the Debian package installs is never used, so the system's node,
# if one runs, is not touched. Environment: RABBITMQ_START_TIMEOUT (seconds, default 60).

set -u

SELF=$(readlink -f "$0")
SERVER=/usr/lib/rabbitmq/bin/rabbitmq-server # not /usr/sbin's: that one su's to rabbitmq
START_TIMEOUT=${RABBITMQ_START_TIMEOUT:-60}
SKIP=77

# The MQTT plugin of the installed release, if any.
mqtt_plugin() {
    compgen -G "/usr/lib/rabbitmq/lib/rabbitmq_server-*/plugins/rabbitmq_mqtt-*" | head -1
}

available() {
    [ -x "$SERVER" ] && command -v epmd > /dev/null && [ -n "$(mqtt_plugin)" ]
}

# free_ports N: N distinct loopback ports that were free a moment ago. All are bound at
# once so they differ; start retries when one was taken meanwhile.
free_ports() {
    if command -v python3 > /dev/null; then
        python3 - "$1" << 'EOF'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
    else
        local i ports=()
        for i in $(seq 1 "$1"); do ports+=($((20000 + RANDOM % 40000 + i))); done
        echo "${ports[@]}"
    fi
}

# running PID: the process exists and is not a zombie.
running() {
    local st
    st=$(ps -o stat= -p "$1" 2> /dev/null) || return 1
    [ "${st#Z}" = "$st" ]
}

# group_running PGID: some process of that group is left.
group_running() {
    local p
    for p in $(pgrep -g "$1" 2> /dev/null); do
        running "$p" && return 0
    done
    return 1
}

# read_pid FILE: the pid in FILE, waiting briefly for a child that is about to write it.
read_pid() {
    local i
    for i in $(seq 1 50); do
        [ -s "$1" ] && { cat "$1"; return 0; }
        sleep 0.1
    done
    return 1
}

# tcp_open PORT: something accepts connections on 127.0.0.1:PORT.
tcp_open() {
    (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null
}

# mqtt_ready PORT: an MQTT 3.1.1 CONNECT (clean session, client id mqtls-rabbitmq-probe)
# gets CONNACK "accepted". A listening socket is not enough: the plugin may accept TCP
# before it can serve MQTT.
mqtt_ready() {
    local reply
    reply=$(timeout 3 bash -c '
        exec 3<> "/dev/tcp/127.0.0.1/$1" || exit 1
        printf "\x10\x20\x00\x04MQTT\x04\x02\x00\x0a\x00\x14mqtls-rabbitmq-probe" >&3
        head -c 4 <&3 | od -An -tx1
        printf "\xe0\x00" >&3' probe "$1" 2> /dev/null)
    [ "$(echo $reply)" = "20 02 00 00" ]
}

# write_config DIR AMQP MQTT: the node's files. guest may log in from loopback only, which
# is where the tests connect from; MQTT clients without a user name log in as guest.
write_config() {
    mkdir -p "$1/log" "$1/mnesia"
    cat > "$1/rabbitmq.conf" << EOF
listeners.tcp.1 = 127.0.0.1:$2
mqtt.listeners.tcp.1 = 127.0.0.1:$3
mqtt.allow_anonymous = true
mqtt.default_user = guest
mqtt.default_pass = guest
mqtt.vhost = /
mqtt.exchange = amq.topic
log.console = false
log.file.level = info
EOF
    echo '[rabbitmq_mqtt].' > "$1/enabled_plugins"
    : > "$1/rabbitmq-env.conf" # instead of /etc/rabbitmq/rabbitmq-env.conf
}

# spawn PIDFILE LOG COMMAND...: runs COMMAND detached, in a session of its own (so stop can
# reach all of its processes), with no descriptor of ours (so $(start) returns).
spawn() {
    local pidfile=$1 log=$2
    shift 2
    setsid sh -c 'echo $$ > "$0"; exec "$@"' "$pidfile" "$@" > "$log" 2>&1 < /dev/null &
}

# start_epmd DIR PORT: an epmd of our own, on loopback.
start_epmd() {
    local i
    spawn "$1/epmd.pid" "$1/epmd.log" epmd -address 127.0.0.1 -port "$2"
    for i in $(seq 1 50); do
        tcp_open "$2" && return 0
        sleep 0.1
    done
    return 1
}

# start_server DIR NODENAME AMQP DIST EPMD: the node, in the background.
start_server() {
    (
        cd "$1" || exit 1
        export HOME=$1 ERL_EPMD_PORT=$5 ERL_CRASH_DUMP=$1/erl_crash.dump
        export RABBITMQ_NODENAME=$2 RABBITMQ_DIST_PORT=$4
        export RABBITMQ_CONF_ENV_FILE=$1/rabbitmq-env.conf
        export RABBITMQ_CONFIG_FILE=$1/rabbitmq.conf
        export RABBITMQ_ADVANCED_CONFIG_FILE=$1/advanced.config
        export RABBITMQ_ENABLED_PLUGINS_FILE=$1/enabled_plugins
        export RABBITMQ_MNESIA_BASE=$1/mnesia RABBITMQ_LOG_BASE=$1/log
        export RABBITMQ_PID_FILE=$1/node.pid
        export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1} -start_epmd false"
        spawn "$1/server.pid" "$1/console.log" "$SERVER"
    )
}

# show_logs DIR: what the node said, for a failed start.
show_logs() {
    local f
    for f in "$1/console.log" "$1/epmd.log" "$1"/log/*.log; do
        [ -s "$f" ] || continue
        echo "---- $f (last 60 lines)"
        tail -n 60 "$f"
    done >&2
}

# wait_ready DIR PORT: 0 when MQTT answers, 1 when the node died, 2 after the time limit.
wait_ready() {
    local pid deadline=$((SECONDS + START_TIMEOUT))
    pid=$(read_pid "$1/server.pid") || return 1
    while [ "$SECONDS" -lt "$deadline" ]; do
        mqtt_ready "$2" && return 0
        group_running "$pid" || return 1
        sleep 0.2
    done
    return 2
}

# start_watchdog DIR OWNER-PID: stops the node once OWNER-PID is gone. It keeps the pids
# itself, so that it still works when DIR was removed first.
start_watchdog() {
    spawn "$1/watchdog.pid" /dev/null bash "$SELF" watch "$2" "$(cat "$1/server.pid")" \
        "$(cat "$1/epmd.pid")"
}

# watch OWNER-PID SERVER-PID EPMD-PID: the watchdog's loop.
watch() {
    while kill -0 "$1" 2> /dev/null && group_running "$2"; do
        sleep 1
    done
    stop_pid "$2" node 30
    stop_pid "$3" epmd 10
}

start() {
    local dir=$1 owner=${2:-} attempt amqp mqtt dist epmd node t0 rc=1
    available || { echo "rabbitmq.sh: rabbitmq-server (with rabbitmq_mqtt) is not installed" >&2; exit $SKIP; }
    mkdir -p "$dir" && dir=$(cd "$dir" && pwd) || exit 1
    t0=$(date +%s%N)
    for attempt in 1 2 3; do
        read -r amqp mqtt dist epmd <<< "$(free_ports 4)"
        node=mqtls-test-$$-$RANDOM@localhost
        write_config "$dir" "$amqp" "$mqtt"
        if start_epmd "$dir" "$epmd"; then
            start_server "$dir" "$node" "$amqp" "$dist" "$epmd"
            wait_ready "$dir" "$mqtt"
            rc=$?
        fi
        [ "$rc" -eq 0 ] && break
        # A port taken between free_ports and the node's bind: try other ports.
        if [ "$rc" -eq 2 ] || ! grep -qs eaddrinuse "$dir/console.log" "$dir"/log/*.log "$dir/epmd.log"; then
            break
        fi
        stop "$dir"
        rm -rf "$dir/log" "$dir/mnesia"
    done
    if [ "$rc" -ne 0 ]; then
        [ "$rc" -eq 2 ] && echo "rabbitmq.sh: MQTT did not answer on port $mqtt within $START_TIMEOUT s" >&2
        [ "$rc" -ne 2 ] && echo "rabbitmq.sh: the RabbitMQ node stopped while starting" >&2
        show_logs "$dir"
        stop "$dir"
        exit 1
    fi
    [ -n "$owner" ] && start_watchdog "$dir" "$owner"
    echo "$mqtt" > "$dir/mqtt.port"
    echo "rabbitmq.sh: node $node ($(basename "$(mqtt_plugin)")) serves MQTT on 127.0.0.1:$mqtt, ready after $((($(date +%s%N) - t0) / 1000000)) ms" >&2
    echo "$mqtt"
}

# stop_pid PID NAME GRACE: TERM, up to GRACE seconds for its whole process group to exit,
# then KILL. The pid is a session leader (spawn), so the group is exactly what it started.
stop_pid() {
    local i
    group_running "$1" || return 0
    kill -TERM "$1" 2> /dev/null
    for i in $(seq 1 $(($3 * 10))); do
        group_running "$1" || return 0
        sleep 0.1
    done
    echo "rabbitmq.sh: $2 did not stop within $3 s: killed" >&2
    kill -KILL -- -"$1" 2> /dev/null
    for i in $(seq 1 50); do
        group_running "$1" || return 0
        sleep 0.1
    done
}

# stop_pidfile FILE NAME GRACE: stop_pid for the pid in FILE, then removes FILE.
stop_pidfile() {
    [ -s "$1" ] && stop_pid "$(cat "$1")" "$2" "$3"
    rm -f "$1"
}

stop() {
    stop_pidfile "$1/watchdog.pid" watchdog 5
    stop_pidfile "$1/server.pid" node 30 # the server script stops the Erlang VM and waits
    stop_pidfile "$1/epmd.pid" epmd 10
}

case "${1:-}" in
    available) available || exit $SKIP ;;
    start) [ $# -ge 2 ] || { echo "usage: $0 start DIR [OWNER-PID]" >&2; exit 2; }; start "$2" "${3:-}" ;;
    watch) [ $# -eq 4 ] || exit 2; watch "$2" "$3" "$4" ;; # internal: the watchdog
    stop) [ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }; stop "$2" ;;
    *) echo "usage: $0 available | start DIR [OWNER-PID] | stop DIR" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# The installed library as a user gets it: `cmake --install` into a temporary prefix, the
# README's "The library in 30 lines" example (taken from README.md, so the README cannot
# drift) built with the README's own command, `cc app.c $(pkg-config --cflags --libs mqtls)`,
# and run against a real mosquitto. Then the installed tree is moved elsewhere and the
# example is built again there: with the shared library, and with the static one
# (`pkg-config --static`), which proves that mqtls.pc is relocatable and that its
# Libs.private are enough.
#
# The example connects to localhost:1883, a port this machine's own broker may hold: the
# example, its mosquitto and a mosquitto_sub that checks the message arrived run in a network
# namespace made here (loopback only, a blackhole default route: nothing leaves it). Making
# one needs root (`ip netns add`); without it the build checks still run and the test then
# exits 77 (ctest: skipped) saying so.
#
# Environment (set by ctest, tests/CMakeLists.txt): MQTLS_BUILD_DIR (the build to install),
# MQTLS_SOURCE_DIR, MQTLS_BIN and MQTLS_BROKER_BIN (for lib.sh), CC (default cc).
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/../cli/lib.sh"

: "${MQTLS_BUILD_DIR:?MQTLS_BUILD_DIR must name the build directory to install}"
: "${MQTLS_SOURCE_DIR:?MQTLS_SOURCE_DIR must name the source tree}"
CC=${CC:-cc}
SKIP=77
TOPIC=devices/sensor-01/telemetry
NS=""

# Removes the namespace after lib.sh's cleanup has stopped the broker inside it.
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup_all() {
    cleanup
    if [ -n "$NS" ]; then
        ip netns del "$NS" 2>/dev/null
    fi
}
trap cleanup_all EXIT

# example_from_readme FILE: the C block of the section "The library in 30 lines".
example_from_readme() {
    awk '/^## / { in_sec = ($0 == "## The library in 30 lines") }
         in_sec && /^```c$/ { in_code = 1; next }
         in_code && /^```$/ { exit }
         in_code { print }' "$MQTLS_SOURCE_DIR/README.md" > "$1"
    [ -s "$1" ] || die "README.md has no \`\`\`c block under '## The library in 30 lines'"
}

# The build command the README gives, checked so that what is tested is what it says.
# shellcheck disable=SC2016 # the command as written, not run
BUILD_LINE='cc app.c $(pkg-config --cflags --libs mqtls)'
if grep -qF -- "$BUILD_LINE" "$MQTLS_SOURCE_DIR/README.md"; then
    pass "README.md gives the build command '$BUILD_LINE'"
else
    fail "README.md no longer says '$BUILD_LINE': update this test with it"
fi

# install_to PREFIX: cmake --install; sets PCDIR (where mqtls.pc went) and LIBDIR.
install_to() {
    cmake --install "$MQTLS_BUILD_DIR" --prefix "$1" > "$WORK/install.log" 2>&1 ||
        { cat "$WORK/install.log"; die "cmake --install --prefix $1 failed"; }
    PCDIR=$(dirname "$(find "$1" -name mqtls.pc -path '*/pkgconfig/*' | head -1)")
    [ -f "$PCDIR/mqtls.pc" ] || die "no mqtls.pc installed under $1"
    LIBDIR=$(dirname "$PCDIR")
    pass "cmake --install --prefix $1 (pkg-config file in ${PCDIR#"$1"/})"
}

# pc ARGS...: pkg-config on the installed tree only.
pc() { PKG_CONFIG_PATH=$PCDIR pkg-config "$@"; }

# check_dirs PREFIX: pkg-config's libdir and includedir are those of the tree under PREFIX
# (not the configured prefix, not where the tree was before it was moved), and the flags
# name them.
check_dirs() {
    local prefix libdir includedir flags
    prefix=$(realpath "$1")
    libdir=$(realpath -m "$(pc --variable=libdir mqtls)")
    includedir=$(realpath -m "$(pc --variable=includedir mqtls)")
    flags=$(pc --cflags --libs mqtls)
    if [ "$libdir" = "$(realpath "$LIBDIR")" ] && [ "$includedir" = "$prefix/include" ] &&
        [ -f "$includedir/mqtls/mqtls.h" ] && ls "$libdir"/libmqtls.* > /dev/null 2>&1; then
        pass "mqtls.pc finds the tree under $1: $flags"
    else
        fail "mqtls.pc under $1 points elsewhere: libdir=$libdir includedir=$includedir"
    fi
}

# build_app DIR [--static]: the README's command in DIR (with --static for the static library).
build_app() {
    local dir=$1 out
    shift
    example_from_readme "$dir/app.c"
    # shellcheck disable=SC2046 # pkg-config's output is split into words on purpose
    if out=$(cd "$dir" && PKG_CONFIG_PATH=$PCDIR \
        "$CC" app.c $(pc --cflags --libs "$@" mqtls) -o app 2>&1); then
        pass "the README example builds against $PCDIR/mqtls.pc $*"
    else
        fail "the README example does not build against $PCDIR/mqtls.pc $*: $out"
    fi
}

# needs_lib APP PATTERN: the program's dynamic section needs a library matching PATTERN.
needs_lib() { readelf -d "$1" 2>/dev/null | grep NEEDED | grep -q -- "$2"; }

first=$WORK/prefix-a
install_to "$first"
check_dirs "$first"
mkdir -p "$WORK/app-a"
build_app "$WORK/app-a"
if needs_lib "$WORK/app-a/app" 'libmqtls\.so'; then
    pass "app-a is linked with the shared libmqtls"
else
    fail "app-a does not use the shared libmqtls"
fi
first_libdir=$LIBDIR

# The same tree, moved: nothing may still refer to where it was installed.
moved=$WORK/elsewhere/prefix-b
mkdir -p "$(dirname "$moved")"
mv "$first" "$moved"
PCDIR=${PCDIR/#$first/$moved}
LIBDIR=${LIBDIR/#$first/$moved}
check_dirs "$moved"
mkdir -p "$WORK/app-b"
build_app "$WORK/app-b"

# A copy with the static library only, linked with pkg-config --static (Libs.private).
static=$WORK/prefix-static
cp -a "$moved" "$static"
rm -f "${LIBDIR/#$moved/$static}"/libmqtls.so*
PCDIR=${PCDIR/#$moved/$static}
LIBDIR=${LIBDIR/#$moved/$static} check_dirs "$static"
mkdir -p "$WORK/app-static"
build_app "$WORK/app-static" --static
if [ -x "$WORK/app-static/app" ] && ! needs_lib "$WORK/app-static/app" libmqtls; then
    pass "app-static has libmqtls linked in"
else
    fail "app-static is not linked with the static libmqtls"
fi
[ "$FAILS" -eq 0 ] || finish

# The runs, in a namespace of our own.
NS=mqtls-install-$$
if ! err=$(ip netns add "$NS" 2>&1); then
    NS=""
    echo "SKIP: cannot make a network namespace for the example's localhost:1883" \
        "(ip netns add: ${err:-ip not found}; needs root); the build checks passed"
    exit $SKIP
fi
ip -n "$NS" link set lo up || die "cannot bring up lo in $NS"
ip -n "$NS" route add blackhole default || die "cannot add a blackhole route in $NS"
ip -n "$NS" -6 route add blackhole default 2>/dev/null # no IPv6 in the kernel: nothing to block
in_ns() { timeout "$T" ip netns exec "$NS" "$@"; }

# The harness's mosquitto, with the example's listener added.
broker=$WORK/broker
printf '%s\n' "log_type subscribe" "listener 1883" > "$WORK/broker.conf"
in_ns "$MQTLS_BROKER_BIN" start "$broker" "$WORK/broker.conf" > /dev/null ||
    die "cannot start mosquitto in $NS: $(cat "$broker/mosquitto.log" 2>/dev/null)"
BROKER_DIRS+=("$broker")
BROKER_LOG=$broker/mosquitto.log # for lib.sh's wait_subscribed
export BROKER_LOG

# run_app NAME APP LIBDIR: runs the example in the namespace; a subscriber must see its message.
run_app() {
    local name=$1 app=$2 libdir=$3 out rc
    bg "$WORK/sub-$name" in_ns mosquitto_sub -p 1883 -i "watch-$name" -t "$TOPIC" -C 1 -W 15 -v
    local sub=$BG
    wait_subscribed "watch-$name" "$TOPIC" || return
    out=$(in_ns env LD_LIBRARY_PATH="$libdir" "$app" 2>&1)
    rc=$?
    assert_status 0 "$rc" "$name: the example runs"
    assert_contains "$out" "publish: success" "$name: the example prints 'publish: success'"
    wait_bg "$sub"
    assert_eq "$TOPIC 21.5" "$(cat "$WORK/sub-$name")" "$name: mosquitto_sub got the message"
}

# Shared: the moved tree's library must be the one loaded (the first tree is gone).
if [ -d "$first_libdir" ]; then
    fail "$first_libdir still exists after the move"
fi
run_app shared "$WORK/app-b/app" "$LIBDIR"
run_app static "$WORK/app-static/app" /nonexistent
finish

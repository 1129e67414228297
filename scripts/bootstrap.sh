#!/usr/bin/env bash
# Installs the Debian packages that building and testing mqtls need, if any is missing.
#
#   scripts/bootstrap.sh [demo|test]
#
# demo: only what `make demo` needs (the compiler, CMake, OpenSSL, mosquitto and its clients,
# mosquitto-dev, cJSON), so that a
# first look does not install the test tools. test (the default): everything any make
# target uses: the tests, the static and memory checks, the fuzzers, the cross build.
#
# Prints one line and changes nothing when all are installed. Otherwise, as root (or with
# password-less sudo) it runs `apt-get update` once and installs the missing packages; as
# anyone else it prints the command to run and exits 1. Set MQTLS_SKIP_BOOTSTRAP=1 to skip
# the check (non-Debian systems with the tools installed by other means).
#
# test (and `make size`/`make bench`) also fetch Mbed TLS 3.6 LTS, the device TLS library, as
# Debian trixie's source package, through a private apt configuration that leaves the
# machine's apt sources alone (scripts/fetch-mbedtls.sh): the build compiles it.
#
# The mosquitto package may start a system broker on port 1883; the tests never use it:
# each test runs its own broker on a free port (tests/support/broker.c).
set -euo pipefail

demo_packages=(
  build-essential cmake                    # the gcc build
  libssl-dev                               # TLS on hosts: OpenSSL 3, the default backend
  mosquitto                                # the demo's private broker
  mosquitto-clients                        # the demo's cloud side: mosquitto_pub/_sub/_rr
  mosquitto-dev                            # mosquitto's plugin API: the `mqtls awslocal` plugin
  libcjson-dev                             # JSON on hosts: awslocal's jobs and services
)
test_packages=(
  "${demo_packages[@]}"
  dpkg-dev                                 # dpkg-source: unpacks Mbed TLS 3.6's source package
  pkg-config                               # the install test builds the README example with it
  libmosquitto-dev                         # the benchmarks' libmosquitto comparison
  rabbitmq-server                          # a second broker (its MQTT plugin) for interop tests
  clang llvm libclang-rt-14-dev            # sanitizers, libFuzzer, llvm-symbolizer
  cppcheck clang-tidy valgrind             # static checks and memcheck (labels static, valgrind)
  pmccabe                                  # function lengths (scripts/check_shape.sh)
  iproute2                                 # ip/ss/tc for network tests
  python3 openssl                          # test scripts; certificates made by another tool
  jq                                       # test_awslocal_services compares JSON answers
  faketime                                 # the doctor's unset-clock case (a clock at 1970)
  softhsm2 libengine-pkcs11-openssl        # keys held in a PKCS#11 token (tests use SoftHSM)
  gcc-arm-none-eabi libnewlib-arm-none-eabi  # the Cortex-M4 cross build (make size)
  liblwip-dev                              # lwIP headers and library (ports/lwip)
)

case "${1:-test}" in
  demo) packages=("${demo_packages[@]}") ;;
  test) packages=("${test_packages[@]}") ;;
  *)
    echo "usage: scripts/bootstrap.sh [demo|test]" >&2
    exit 2
    ;;
esac

if [[ -n "${MQTLS_SKIP_BOOTSTRAP:-}" ]]; then
  echo "bootstrap: skipped (MQTLS_SKIP_BOOTSTRAP is set)"
  exit 0
fi
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "bootstrap: not a Debian system; install the equivalents of: ${packages[*]}" >&2
  echo "bootstrap: then run with MQTLS_SKIP_BOOTSTRAP=1" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done

fetch_mbedtls() {
  [[ "${1:-test}" == demo ]] || "$(dirname "${BASH_SOURCE[0]}")/fetch-mbedtls.sh"
}

if ((${#missing[@]} == 0)); then
  echo "bootstrap: all ${#packages[@]} required Debian packages are installed"
  fetch_mbedtls "${1:-test}"
  exit 0
fi

install_cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if ((EUID == 0)); then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "bootstrap: missing Debian packages: ${missing[*]}" >&2
  echo "bootstrap: run this, then try again:" >&2
  echo "sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive $install_cmd"
  exit 1
fi

echo "bootstrap: installing ${missing[*]}"
"${sudo[@]}" apt-get update
# shellcheck disable=SC2086 # install_cmd is split into words on purpose
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive $install_cmd
fetch_mbedtls "${1:-test}"

# Mbed TLS 3.6 LTS, compiled by the project with its own configuration header.
#
# The source tree is Debian's `mbedtls` source package of trixie, fetched and unpacked by
# scripts/fetch-mbedtls.sh into .deps/mbedtls/src (scripts/bootstrap.sh runs it). A firmware
# project points MQTLS_MBEDTLS_SOURCE_DIR at its SDK's Mbed TLS 3.6 instead.
#
# mqtls_add_mbedtls(<target> [CONFIG <header>]) makes one static library of library/*.c:
# with CONFIG, that header is Mbed TLS's configuration (MBEDTLS_CONFIG_FILE); without, Mbed
# TLS's own default. Each configuration is its own library: the device backend uses
# config/mbedtls_device.h; the tests' TLS servers use the default (they are servers).

set(MQTLS_MBEDTLS_CONFIG_DIR ${CMAKE_CURRENT_LIST_DIR}/../config)
set(MQTLS_MBEDTLS_SOURCE_DIR "${CMAKE_CURRENT_SOURCE_DIR}/.deps/mbedtls/src" CACHE PATH
  "Mbed TLS 3.6 source tree (scripts/fetch-mbedtls.sh fetches Debian's; or your SDK's)")

# Found or not: an OpenSSL build without the tests (`make demo`) does not need it; the first
# mqtls_add_mbedtls() call says what is missing.
set(MQTLS_MBEDTLS_FOUND OFF)
if(EXISTS "${MQTLS_MBEDTLS_SOURCE_DIR}/include/mbedtls/build_info.h")
  file(STRINGS "${MQTLS_MBEDTLS_SOURCE_DIR}/include/mbedtls/build_info.h" mqtls_mbedtls_ver
    REGEX "#define MBEDTLS_VERSION_STRING +\"")
  string(REGEX REPLACE ".*\"([0-9.]+)\".*" "\\1" MQTLS_MBEDTLS_VERSION "${mqtls_mbedtls_ver}")
  if(NOT MQTLS_MBEDTLS_VERSION MATCHES "^3\\.6\\.")
    message(FATAL_ERROR "${MQTLS_MBEDTLS_SOURCE_DIR} is Mbed TLS ${MQTLS_MBEDTLS_VERSION}, not 3.6")
  endif()
  file(GLOB MQTLS_MBEDTLS_LIB_SOURCES "${MQTLS_MBEDTLS_SOURCE_DIR}/library/*.c")
  set(MQTLS_MBEDTLS_FOUND ON)
endif()

function(mqtls_add_mbedtls target)
  cmake_parse_arguments(arg "" "CONFIG" "" ${ARGN})
  if(NOT MQTLS_MBEDTLS_FOUND)
    message(FATAL_ERROR "Mbed TLS 3.6 sources not found in ${MQTLS_MBEDTLS_SOURCE_DIR}: run "
      "scripts/fetch-mbedtls.sh (or scripts/bootstrap.sh), or set MQTLS_MBEDTLS_SOURCE_DIR")
  endif()
  add_library(${target} STATIC ${MQTLS_MBEDTLS_LIB_SOURCES})
  # Its own code, its own warnings: ours (-Wshadow, -Werror) are not its contract.
  target_compile_options(${target} PRIVATE -w)
  target_include_directories(${target} SYSTEM PUBLIC "${MQTLS_MBEDTLS_SOURCE_DIR}/include")
  target_include_directories(${target} PRIVATE "${MQTLS_MBEDTLS_SOURCE_DIR}/library")
  if(arg_CONFIG)
    target_compile_definitions(${target} PUBLIC "MBEDTLS_CONFIG_FILE=\"${arg_CONFIG}\"")
    # What a configuration with MBEDTLS_PLATFORM_GMTIME_R_ALT (a firmware's) takes from the
    # C library: config/mbedtls_gmtime_newlib.c (its body is empty otherwise).
    target_sources(${target} PRIVATE ${MQTLS_MBEDTLS_CONFIG_DIR}/mbedtls_gmtime_newlib.c)
  endif()
  # Hidden: libmqtls.so carries it inside and exports the public API alone.
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON
    C_VISIBILITY_PRESET hidden)
endfunction()

# ctest bench/tls_smoke: the TLS sections of mqtls_bench run end to end with small counts on
# the backend this tree was built with. Every connect (mqtls, libmosquitto, the reference
# client) must succeed at TLS 1.2 and, where the backend speaks it, TLS 1.3; the target lines
# must be printed with a verdict. The row of mqtls with sessions resumed must be there too, and
# on OpenSSL (the backend that resumes) every one of its rows must have resumed a connect and
# its target line must give a verdict. Not a measurement: the counts are far too small for
# figures.
# Usage: cmake -DBENCH=<mqtls_bench> [-DHEAP=OFF] -P smoke.cmake
if(NOT BENCH)
  message(FATAL_ERROR "usage: cmake -DBENCH=<path to mqtls_bench> -P smoke.cmake")
endif()

function(run_bench out)
  execute_process(COMMAND ${BENCH} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE text
                  ERROR_VARIABLE text TIMEOUT 240)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "mqtls_bench ${ARGN}: exit status ${rc}\n${text}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

function(expect text regex what)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "missing: ${what} (/${regex}/)\n${text}")
  endif()
endfunction()

run_bench(tls --tls-only --tls-connects 3 --tls-runs 2)
expect("${tls}" "\\| mqtls \\([^|]*\\) \\| TLS 1\\.2 \\| EC P-256 \\| 2 \\| 6 \\|"
       "an mqtls TLS 1.2 row with both runs and every connect")
expect("${tls}" "\\| mqtls \\([^|]*\\) \\| TLS 1\\.2 \\| RSA-2048 \\| 2 \\| 6 \\|"
       "an mqtls RSA-2048 row")
# The five cells between a row's connect count and its "sessions" cell.
set(cells "[^|]*\\|[^|]*\\|[^|]*\\|[^|]*\\|[^|]*\\|")
foreach(key "EC P-256" "RSA-2048")
  expect("${tls}" "\\| mqtls \\([^|]*\\) \\| TLS 1\\.2 \\| ${key} \\| 2 \\| 6 \\|${cells} resumed 0 of 6 \\|"
         "the full-handshake mqtls row, ${key}, resuming nothing")
  expect("${tls}" "\\| mqtls \\([^|]*\\), sessions resumed \\| TLS 1\\.2 \\| ${key} \\| 2 \\| 6 \\|${cells} resumed [0-9]+ of 6"
         "a TLS 1.2 mqtls row with sessions resumed, ${key}")
endforeach()
set(versions "1\\.2")
set(resumed_verdict "[0-9.]+ / [0-9.]+ ms = [0-9.]+x: (met|NOT met|not judged \\(a run resumed no session\\))")
if(tls MATCHES "\\| mqtls \\(OpenSSL")
  # OpenSSL resumes: each run's 2nd and 3rd connect offer a session, and mosquitto takes it.
  foreach(key "EC P-256" "RSA-2048")
    foreach(v "1\\.2" "1\\.3")
      expect("${tls}" "\\| mqtls \\(OpenSSL[^|]*\\), sessions resumed \\| TLS ${v} \\| ${key} \\| 2 \\| 6 \\|${cells} resumed [1-9][0-9]* of 6 \\|"
             "an mqtls row with sessions resumed, TLS ${v}, ${key}, that resumed a connect in every run")
    endforeach()
  endforeach()
  set(resumed_verdict "[0-9.]+ / [0-9.]+ ms = [0-9.]+x: (met|NOT met)")
  # The OpenSSL backend speaks TLS 1.3: its rows must be there.
  expect("${tls}" "\\| mqtls \\(OpenSSL[^|]*\\) \\| TLS 1\\.3 \\| EC P-256 \\| 2 \\| 6 \\|"
         "an mqtls TLS 1.3 row")
  set(versions "1\\.[23]")
endif()
if(tls MATCHES "\\| libmosquitto")
  foreach(key "EC P-256" "RSA-2048")
    expect("${tls}" "Target \\(CPU per connect <= 0\\.40x libmosquitto's\\), ${key}, TLS ${versions}: [0-9.]+ / [0-9.]+ ms = [0-9.]+x: (met|NOT met)"
           "the CPU target line for ${key}")
    expect("${tls}" "Target \\(CPU per connect <= 0\\.40x libmosquitto's\\), resumed connects \\(a reconnect of a context that has connected to this broker before\\), ${key}, TLS ${versions}: ${resumed_verdict} \\(resumed [0-9]+ of 6"
           "the CPU target line of resumed connects for ${key}")
  endforeach()
endif()
# The heap table needs the allocator wrappers, which sanitizer builds leave out.
if(NOT HEAP STREQUAL "OFF")
  expect("${tls}" "### Heap of one mutual-TLS connect" "the heap table")
endif()

run_bench(idle --idle-only --idle-counts 20 --idle-runs 1 --idle-batch 10)
expect("${idle}" "\\| mqtls, shared context, TLS 1\\.2 \\| TLSv1\\.2 \\| 20 \\|"
       "the mqtls idle row at TLS 1.2")
expect("${idle}" "Target \\(<= 40 KiB RSS per idle connection\\), mqtls, shared context, TLS 1\\.2, 20 connections: [0-9.]+ KiB[^:]*: (met|NOT met)"
       "the idle target line")
message(STATUS "mqtls_bench TLS sections ran; target lines printed")

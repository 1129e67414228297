# cmake -DNM=... -DSIZE=... -DOBJ=sensor-node.o -DVARIANT=cc3220|cc3200|lwip -DEXPECTED=sdk-symbols.txt
#       -P check-symbols.cmake
#
# Fails unless the symbols OBJ leaves undefined are exactly those EXPECTED lists for VARIANT,
# and unless OBJ defines no allocator (but over lwIP: Mbed TLS's heap). In EXPECTED, a line
# that is empty or starts with '#' is ignored; "cc3220: name", "cc3200: name" or "lwip: name"
# lists a symbol for that variant only, "simplelink: name" for both SimpleLink variants; a
# bare name is for every variant.
execute_process(COMMAND ${NM} -u ${OBJ} OUTPUT_VARIABLE undef_out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} -u ${OBJ} failed")
endif()
string(REGEX MATCHALL "U [^\n]+" undef_lines "${undef_out}")
set(undefined "")
foreach(l IN LISTS undef_lines)
  string(REGEX REPLACE "^U " "" name "${l}")
  string(STRIP "${name}" name)
  list(APPEND undefined ${name})
endforeach()
list(SORT undefined)
list(REMOVE_DUPLICATES undefined)

file(STRINGS ${EXPECTED} expected_lines)
set(expected "")
if(NOT VARIANT MATCHES "^(cc3220|cc3200|lwip)$")
  message(FATAL_ERROR "VARIANT must be cc3220, cc3200 or lwip, not '${VARIANT}'")
endif()
foreach(l IN LISTS expected_lines)
  string(STRIP "${l}" l)
  if(l STREQUAL "" OR l MATCHES "^#")
    continue()
  endif()
  if(l MATCHES "^(cc3220|cc3200|lwip|simplelink):[ \t]*(.+)$")
    set(scope ${CMAKE_MATCH_1})
    set(l ${CMAKE_MATCH_2})
    if(NOT (scope STREQUAL VARIANT OR (scope STREQUAL "simplelink" AND VARIANT MATCHES "^cc32")))
      continue()
    endif()
  endif()
  list(APPEND expected ${l})
endforeach()
list(SORT expected)

set(missing ${expected})
list(REMOVE_ITEM missing ${undefined})
set(extra ${undefined})
list(REMOVE_ITEM extra ${expected})

# No allocator may be in the image: everything the firmware uses is static. Over lwIP,
# Mbed TLS takes its handshake memory from the C library's heap: that one is expected.
execute_process(COMMAND ${NM} --defined-only ${OBJ} OUTPUT_VARIABLE def_out)
string(REGEX MATCHALL "[ \t](malloc|free|calloc|realloc|_malloc_r|_free_r|_calloc_r|_realloc_r|_sbrk|_sbrk_r)\n" heap "${def_out}")
if(VARIANT STREQUAL "lwip")
  set(heap "")
endif()

list(LENGTH undefined n)
string(REPLACE ";" " " shown "${undefined}")
message(STATUS "${OBJ} (${VARIANT}) leaves ${n} symbols to the board: ${shown}")
if(SIZE)
  execute_process(COMMAND ${SIZE} ${OBJ} OUTPUT_VARIABLE size_out)
  message(STATUS "${OBJ} (firmware without SDK, RTOS and startup):\n${size_out}")
endif()
if(extra OR missing OR heap)
  string(REPLACE ";" " " extra "${extra}")
  string(REPLACE ";" " " missing "${missing}")
  message(FATAL_ERROR "sensor-node link check (${VARIANT}) failed:\n"
    "  undefined but not in ${EXPECTED}: ${extra}\n"
    "  in ${EXPECTED} but not undefined: ${missing}\n"
    "  allocator symbols defined: ${heap}")
endif()

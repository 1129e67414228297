# mqtls.pc for pkg-config, installed to <libdir>/pkgconfig (included by CMakeLists.txt).
#
# The file names no absolute prefix: `prefix` is found from the place of the .pc file itself
# (${pcfiledir}, which pkg-config and pkgconf both set), so the installed tree works under
# whatever `cmake --install --prefix` was given, and still after it has been copied or moved
# (a package's staging directory, a tarball unpacked elsewhere). An absolute
# CMAKE_INSTALL_LIBDIR or CMAKE_INSTALL_INCLUDEDIR is used as given: such a tree is not
# relocatable.
#
# Shared library: `pkg-config --libs mqtls` (libmqtls.so records its TLS libraries).
# Static library: `pkg-config --static --libs mqtls` adds the backend's (below).

# The path from <libdir>/pkgconfig back up to the prefix: "../.." for lib, "../../.." for
# lib/x86_64-linux-gnu. The root "/p" only gives the relative path something to start from.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(MQTLS_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH mqtls_pc_up "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
  string(REGEX REPLACE "/$" "" mqtls_pc_up "${mqtls_pc_up}")
  set(MQTLS_PC_PREFIX "\${pcfiledir}/${mqtls_pc_up}")
endif()

# dir: ${prefix}/DIR when relative, DIR itself when absolute.
function(mqtls_pc_dir out dir)
  if(IS_ABSOLUTE "${dir}")
    set(${out} "${dir}" PARENT_SCOPE)
  else()
    set(${out} "\${prefix}/${dir}" PARENT_SCOPE)
  endif()
endfunction()
mqtls_pc_dir(MQTLS_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
mqtls_pc_dir(MQTLS_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")

# The TLS backend's libraries for static linking. OpenSSL ships libssl.pc and libcrypto.pc:
# it is named by Requires.private. The mbedtls backend's Mbed TLS is the project's own build
# in the device configuration, installed beside libmqtls as libmqtls-mbedtls.a.
set(MQTLS_PC_LIBS_PRIVATE "")
set(MQTLS_PC_REQUIRES_PRIVATE "")
if(MQTLS_TLS STREQUAL "openssl")
  set(MQTLS_PC_REQUIRES_PRIVATE "libssl libcrypto")
else()
  set_target_properties(mqtls_mbedtls_device PROPERTIES OUTPUT_NAME mqtls-mbedtls)
  install(TARGETS mqtls_mbedtls_device ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  list(APPEND MQTLS_PC_LIBS_PRIVATE -lmqtls-mbedtls)
endif()
list(JOIN MQTLS_PC_LIBS_PRIVATE " " MQTLS_PC_LIBS_PRIVATE)

configure_file(${CMAKE_CURRENT_LIST_DIR}/mqtls.pc.in ${CMAKE_CURRENT_BINARY_DIR}/mqtls.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/mqtls.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

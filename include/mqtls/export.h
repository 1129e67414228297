/**
 * @file export.h
 * @brief MQTLS_API marks the public functions: the shared library is built with
 * -fvisibility=hidden, so only what a public header declares with MQTLS_API is exported
 * (tests/support/check_exports.sh checks `nm -D`). Internal functions shared between the
 * library's files are named mqtls__* and stay hidden.
 */
#ifndef MQTLS_EXPORT_H
#define MQTLS_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define MQTLS_API __attribute__((visibility("default")))
#else
#define MQTLS_API
#endif

#endif /* MQTLS_EXPORT_H */

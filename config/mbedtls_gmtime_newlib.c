/**
 * @file mbedtls_gmtime_newlib.c
 * @brief The certificate dates of Mbed TLS's device configuration on a firmware:
 *        mbedtls_platform_gmtime_r() over the C library's gmtime_r().
 *
 * config/mbedtls_device.h sets MBEDTLS_PLATFORM_GMTIME_R_ALT off POSIX hosts: otherwise
 * Mbed TLS falls back to gmtime(), whose newlib version brings assert(), fprintf() and
 * abort() into the image (~4 KB). newlib has gmtime_r(), so every firmware gets it from
 * here (cmake/mbedtls.cmake compiles this file into each configured Mbed TLS). A POSIX host
 * does not compile the body: Mbed TLS calls gmtime_r() itself there.
 */
#include <mbedtls/build_info.h>

#if defined(MBEDTLS_PLATFORM_GMTIME_R_ALT)
#include <time.h>

#include <mbedtls/platform_util.h>

struct tm *mbedtls_platform_gmtime_r(const mbedtls_time_t *tt, struct tm *tm_buf)
{
    time_t t = (time_t)*tt;
    return gmtime_r(&t, tm_buf);
}
#else
typedef int mqtls_mbedtls_gmtime_unused; /* ISO C: a translation unit declares something */
#endif

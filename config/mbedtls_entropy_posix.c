/**
 * @file mbedtls_entropy_posix.c
 * @brief The entropy source of Mbed TLS's device configuration on a POSIX host:
 *        mbedtls_hardware_poll() over getrandom().
 *
 * config/mbedtls_device.h takes entropy only from mbedtls_hardware_poll(), the hook a
 * firmware fills from its TRNG. A host that runs the device configuration (the tests of the
 * device path, a Linux gateway) has the kernel's generator for it. Firmware builds do not
 * compile this file's body (no __unix__): the board provides the function.
 */
#include <mbedtls/build_info.h>

#if defined(__unix__) && defined(MBEDTLS_ENTROPY_HARDWARE_ALT)
#include <errno.h>
#include <stddef.h>
#include <sys/random.h>

#include <mbedtls/entropy.h>

int mbedtls_hardware_poll(void *data, unsigned char *out, size_t len, size_t *olen);

int mbedtls_hardware_poll(void *data, unsigned char *out, size_t len, size_t *olen)
{
    (void)data;
    size_t got = 0;
    while (got < len) {
        ssize_t n = getrandom(out + got, len - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
        got += (size_t)n;
    }
    *olen = got;
    return 0;
}
#else
typedef int mqtls_entropy_posix_unused; /* ISO C: a translation unit declares something */
#endif

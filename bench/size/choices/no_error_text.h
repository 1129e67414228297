/* mbedtls_strerror() without its texts (what MQTLS_MBEDTLS_NO_ERROR_TEXT selects). */
#undef MBEDTLS_ERROR_C
#define MBEDTLS_ERROR_STRERROR_DUMMY

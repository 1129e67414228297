/* Server chains and device keys all on elliptic curves (AWS IoT's ATS endpoint with its
 * ECC chain, a private broker with an EC CA): no RSA. */
#undef MBEDTLS_RSA_C
#undef MBEDTLS_PKCS1_V15
#undef MBEDTLS_PKCS1_V21
#undef MBEDTLS_X509_RSASSA_PSS_SUPPORT
#undef MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED

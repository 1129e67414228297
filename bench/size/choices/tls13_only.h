/* A device whose brokers all speak TLS 1.3 (AWS IoT Core and mosquitto 2 do). The
 * max_fragment_length code stays: the backend configures it (a no-op in TLS 1.3). */
#undef MBEDTLS_SSL_PROTO_TLS1_2
#undef MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#undef MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#undef MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#undef MBEDTLS_SSL_ENCRYPT_THEN_MAC
#undef MBEDTLS_SSL_VARIABLE_BUFFER_LENGTH

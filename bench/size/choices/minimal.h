/* All of it: TLS 1.3 only, EC only, P-256 and SHA-256 only (TLS_AES_128_GCM_SHA256). A
 * device that trusts one EC root and talks to one kind of broker. (CRL parsing stays: the
 * backend offers cfg.crl_file. Error texts are out of every firmware build already.) */
#include "tls13_only.h"
#include "ec_only.h"
#undef MBEDTLS_ECP_DP_SECP384R1_ENABLED
#undef MBEDTLS_SHA384_C
#undef MBEDTLS_SHA512_C

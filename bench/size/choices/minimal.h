/* All of it: TLS 1.3 only, EC only, P-256 and SHA-256 only (TLS_AES_128_GCM_SHA256), no
 * CRLs, no error texts. A device that trusts one EC root and talks to one kind of broker. */
#include "tls13_only.h"
#include "ec_only.h"
#include "no_error_text.h"
#undef MBEDTLS_ECP_DP_SECP384R1_ENABLED
#undef MBEDTLS_SHA384_C
#undef MBEDTLS_SHA512_C
#undef MBEDTLS_X509_CRL_PARSE_C

/**
 * @file mbedtls_device.h
 * @brief The project's Mbed TLS 3.6 configuration for devices: a TLS 1.2/1.3 client for
 *        mutual TLS to AWS IoT Core and mosquitto, and nothing else.
 *
 * Compiled in with -DMBEDTLS_CONFIG_FILE="config/mbedtls_device.h" (cmake/mbedtls.cmake does
 * it, for the host tests of the device path and for the Cortex-M4 build). Every choice below
 * carries its reason; what is not here is off. docs/size.md has what the choices cost.
 */
#ifndef MQTLS_MBEDTLS_DEVICE_H
#define MQTLS_MBEDTLS_DEVICE_H

/* ---- Platform: memory and randomness come from the device ---------------------------- */

/* calloc/free through mbedtls_platform_set_calloc_free(): a firmware points them at its own
 * heap or pool, and the benchmark counts the handshake's peak through them. */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
/* No /dev/urandom and no HAVEGE on a microcontroller: the entropy is the device's TRNG,
 * which the firmware hands over as mbedtls_hardware_poll() (ports/mbedtls/ has the host's,
 * over getrandom()). */
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_ENTROPY_HARDWARE_ALT
#define MBEDTLS_ENTROPY_C
/* One DRBG, PSA's own: TLS 1.3 needs PSA, and the TLS 1.2 side draws from the same
 * generator (mbedtls_psa_get_random), so there is no second entropy/DRBG pair. */
#define MBEDTLS_CTR_DRBG_C
/* A device has no file system: credentials are buffers. A POSIX host that runs this
 * configuration (the tests of the device path, a gateway) also reads a CA directory. */
#if defined(__unix__)
#define MBEDTLS_FS_IO
#endif
/* PSA keeps each connection's keys (its record keys: 2 to 4) in key slots, a static table.
 * A device holds one or two connections: the default 32. A POSIX host may hold many (a
 * gateway, the tests' 200 on one context): 1024 (about 60 KB of static RAM there). A static
 * table, not MBEDTLS_PSA_KEY_STORE_DYNAMIC, so that the heap measured on a host is a device's. */
#if defined(__unix__)
#define MBEDTLS_PSA_KEY_SLOT_COUNT 1024
#endif
/* Time for certificate dates: the device's clock, set from SNTP; without a clock the date
 * checks are skipped by Mbed TLS, which is why doctor's device profile warns about it. */
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE
/* Mbed TLS's millisecond clock (TLS 1.3 ticket ages): a POSIX host's clock_gettime(); a
 * firmware's tick, which the board provides as mbedtls_ms_time(). */
#if !defined(__unix__)
#define MBEDTLS_PLATFORM_MS_TIME_ALT
/* The certificate dates through gmtime_r(), which newlib has (config/mbedtls_gmtime_newlib.c
 * gives it as mbedtls_platform_gmtime_r()): otherwise Mbed TLS falls back to gmtime(), whose
 * newlib version brings assert(), fprintf() and abort() into the image (~4 KB). */
#define MBEDTLS_PLATFORM_GMTIME_R_ALT
#endif

/* ---- TLS: a client, 1.2 and 1.3 ---------------------------------------------------------- */

#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C /* client only: no server code */
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3 /* AWS IoT Core and mosquitto offer 1.3; 1.3-only brokers exist */
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED /* (EC)DHE, certificates */
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE /* the evidence reads the chain after the handshake */
#define MBEDTLS_SSL_SERVER_NAME_INDICATION /* AWS IoT routes by SNI */
#define MBEDTLS_SSL_ALPN                   /* "x-amzn-mqtt-ca" for MQTT on port 443 */
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET /* RFC 7627: TLS 1.2 without it is weaker */
#define MBEDTLS_SSL_ENCRYPT_THEN_MAC
/* Record buffers sized for an MQTT device rather than 16 KB each: IN 4096, OUT 2048, fixed
 * (measured with `mqtls_bench --device-heap`, docs/size.md "The device bill"):
 *  - IN 4096: the input buffer holds a whole handshake message (the server's certificate
 *    message: AWS IoT's RSA leaf + intermediate is ~2.6 KB, Mbed TLS reassembles it here)
 *    and a whole record. A server that ignores max_fragment_length (TLS 1.3: Mbed TLS 3.6
 *    does not send it; OpenSSL 3.0 ignores record_size_limit) sends an MQTT packet as one
 *    record up to the packet's size: so the client's receive buffer, which is the Maximum
 *    Packet Size it advertises, must be at most this (a firmware that needs larger packets
 *    raises it, and pays it in heap per connection).
 *  - OUT 2048: what a device sends in one record. MQTT packets larger than that go out in
 *    several records; a handshake message must fit one (Mbed TLS does not split its own):
 *    our Certificate message (a device certificate, ~1 KB, with an intermediate ~2 KB) must
 *    stay under 2 KB, and max_fragment_len can be at most 2048 (the backend says so).
 *    Every KB off IN or OUT is a KB off the handshake peak: with OUT 2048 the RSA-2048
 *    server chain's peak is under 24 KiB (with OUT 4096 it was 26.3-26.5 KB).
 *  - fixed buffers: with variable buffers (MBEDTLS_SSL_VARIABLE_BUFFER_LENGTH) and no
 *    max_fragment_length agreed, a TLS 1.2 connection shrinks its input buffer after the
 *    handshake to the smaller of the two (MBEDTLS_TLS_EXT_ADV_CONTENT_LEN), and a record as
 *    large as IN then fails. -DMQTLS_MBEDTLS_VARIABLE_BUFFERS turns them on (with OUT equal
 *    to IN, to stay clear of that): an idle TLS 1.2 connection with max_fragment_length
 *    2048 then holds 4 KB less, the handshake peak being the same. */
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
#ifdef MQTLS_MBEDTLS_VARIABLE_BUFFERS
#define MBEDTLS_SSL_VARIABLE_BUFFER_LENGTH
#endif
#ifndef MBEDTLS_SSL_IN_CONTENT_LEN
#define MBEDTLS_SSL_IN_CONTENT_LEN 4096
#endif
#ifndef MBEDTLS_SSL_OUT_CONTENT_LEN
#ifdef MQTLS_MBEDTLS_VARIABLE_BUFFERS
#define MBEDTLS_SSL_OUT_CONTENT_LEN MBEDTLS_SSL_IN_CONTENT_LEN
#else
#define MBEDTLS_SSL_OUT_CONTENT_LEN 2048
#endif
#endif

/* Key exchanges AWS IoT Core and mosquitto offer for TLS 1.2: ECDHE with an RSA or ECDSA
 * server certificate (AES-GCM suites only: no CBC, no RC4, no static RSA). */
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED

/* ---- X.509 --------------------------------------------------------------------------------- */

#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C /* the server chain, the device certificate */
#define MBEDTLS_X509_CRL_PARSE_C /* a CRL given with the credentials (crl_file) */
#define MBEDTLS_PEM_PARSE_C      /* certificates as AWS hands them out: PEM */
#define MBEDTLS_BASE64_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C /* the device key: PKCS#1, SEC1, PKCS#8 (unencrypted) */
#define MBEDTLS_PK_WRITE_C /* PSA imports the device key through its DER form */
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C /* ECDSA signatures are ASN.1 */
#define MBEDTLS_OID_C

/* ---- Crypto: what those suites and chains need -------------------------------------------- */

#define MBEDTLS_PSA_CRYPTO_C /* TLS 1.3 in 3.6 is written over PSA */
#define MBEDTLS_USE_PSA_CRYPTO
/* PSA copies every input and output buffer (4 KB at the handshake peak, TLS 1.3 and the EC
 * chain) to guard against memory shared with a less trusted caller, which a firmware
 * image does not have: its buffers are its own. */
#define MBEDTLS_PSA_ASSUME_EXCLUSIVE_BUFFERS
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES /* tables in flash, not 8 KB of RAM */
#define MBEDTLS_AES_FEWER_TABLES
/* AES's encryption only: GCM (every suite here) and the CTR-DRBG run AES forwards, and no
 * key is decrypted on a device (no PEM or PKCS#5/#12 ciphers): the inverse cipher and its
 * tables are 2.5 KB of flash nothing calls. */
#define MBEDTLS_BLOCK_CIPHER_NO_DECRYPT
#define MBEDTLS_GCM_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_HKDF_C /* the TLS 1.3 key schedule */
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA224_C /* SHA-256's code serves both; some chains sign with it */
#define MBEDTLS_SHA384_C /* AES-256-GCM-SHA384 suites and SHA-384-signed CAs (AWS's ECC roots) */
#define MBEDTLS_SHA512_C
/* The small SHA-2 rounds: a device hashes a handshake's transcript, the key schedule and
 * a few certificates, not its records (GCM authenticates those), so the rounds' speed
 * hardly shows, and the unrolled ones cost 3.3 KB of flash more (docs/size.md). */
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_SHA512_SMALLER
/* SHA-1 signs nothing we accept (Mbed TLS's default X.509 profile refuses it), but without it
 * a SHA-1-signed certificate cannot even be read: the failure would be an unreadable message
 * instead of a named weak hash (the doctor's tls.server_weak_hash). The doctor runs on a
 * host: only there (about 5 KB of flash on a Cortex-M4). */
#if defined(__unix__)
#define MBEDTLS_SHA1_C
#endif
#define MBEDTLS_BIGNUM_C
/* RSA: AWS IoT's default server chain is RSA-2048 (Amazon Root CA 1), and many device
 * certificates AWS creates are RSA-2048 too. PSS for TLS 1.3's RSA signatures. */
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
/* TLS 1.3 signs the handshake of an RSA server with RSA-PSS (rsa_pss_rsae_*): without this
 * the client offers no such algorithm and OpenSSL's server (mosquitto) ends the handshake
 * with "no suitable signature algorithm" (bench/bench_devheap.c's RSA chain, TLS 1.3). */
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT
/* Elliptic curves: P-256 for the device key and ECDHE, P-384 for AWS's ECC roots. */
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECDSA_DETERMINISTIC /* no dependency on the RNG's quality for signatures */
#define MBEDTLS_HMAC_DRBG_C         /* what deterministic ECDSA is made of */
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#ifndef MBEDTLS_ECP_WINDOW_SIZE
#define MBEDTLS_ECP_WINDOW_SIZE 2 /* RAM over speed: 2 instead of 4 */
#endif
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
#ifndef MBEDTLS_MPI_WINDOW_SIZE
#define MBEDTLS_MPI_WINDOW_SIZE 2
#endif
#define MBEDTLS_MPI_MAX_SIZE 512 /* up to RSA-4096 server keys */

/* Error texts: on a host, the transport reports mbedtls_strerror()'s words. A device logs
 * the code, and `mqtls explain -0x2700` (or the doctor) gives its words on the developer's
 * machine: 12.9 KB of flash saved (docs/size.md). MQTLS_MBEDTLS_ERROR_TEXT keeps them. */
#if (defined(__unix__) || defined(MQTLS_MBEDTLS_ERROR_TEXT)) && !defined(MQTLS_MBEDTLS_NO_ERROR_TEXT)
#define MBEDTLS_ERROR_C
#else
#define MBEDTLS_ERROR_STRERROR_DUMMY /* mbedtls_strerror() still links: it writes nothing */
#endif

#endif

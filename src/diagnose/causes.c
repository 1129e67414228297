/**
 * @file causes.c
 * @brief The catalog of causes: stable id, stage, and the words users read.
 *
 * docs/troubleshooting.md has a section for every id; tests/unit/test_causes.c checks
 * that it does.
 */
#include <string.h>

#include "mqtls/diagnose.h"

#define C(e, id, st, sum, why, fix) [e] = {id, st, sum, why, fix}

static const mqtls_cause_info_t causes[MQTLS_CAUSE_COUNT] = {
    C(MQTLS_CAUSE_NONE, "ok", MQTLS_DIAG_CREDENTIALS, "no problem found", "", ""),
    C(MQTLS_CAUSE_CA_MISSING, "cred.ca_missing", MQTLS_DIAG_CREDENTIALS,
      "no CA certificate is configured, so the server cannot be verified",
      "TLS needs the root certificate the broker's certificate chains to.",
      "pass --cafile with the root CA the broker's certificate chains to."),
    C(MQTLS_CAUSE_FILE_UNREADABLE, "cred.file_unreadable", MQTLS_DIAG_CREDENTIALS,
      "a credential file cannot be read",
      "the path is wrong, the file is missing, or this user may not read it.",
      "check the path and the file's permissions."),
    C(MQTLS_CAUSE_FILE_WRONG_KIND, "cred.file_wrong_kind", MQTLS_DIAG_CREDENTIALS,
      "a credential file is not what it should be, or is damaged",
      "the file holds another kind of object (a key where a certificate belongs, or the "
      "reverse), is truncated or corrupt, or is not PEM/DER at all.",
      "run 'mqtls cert show FILE' to see what the file holds; use the certificate, key and "
      "CA files in their places, or fetch them again."),
    C(MQTLS_CAUSE_KEY_PASSPHRASE, "cred.key_passphrase", MQTLS_DIAG_CREDENTIALS,
      "the private key is encrypted and the passphrase is missing or wrong",
      "an encrypted key can only be read with the passphrase it was encrypted with.",
      "pass the right passphrase with --keypass (or MQTLS_KEYPASS), or store the key "
      "unencrypted on the device ('mqtls cert convert KEY OUT --passin PASS')."),
    C(MQTLS_CAUSE_KEY_MISMATCH, "cred.key_mismatch", MQTLS_DIAG_CREDENTIALS,
      "the private key does not belong to the certificate",
      "a certificate only works with the key it was issued for; the server would reject "
      "the handshake (CertificateVerify).",
      "use the key that was created together with this certificate."),
    C(MQTLS_CAUSE_KEY_UNSUPPORTED, "cred.key_unsupported", MQTLS_DIAG_CREDENTIALS,
      "the key type or size is not accepted",
      "brokers and TLS libraries refuse RSA keys under 2048 bits and unusual curves.",
      "issue a new certificate with an RSA 2048+ or ECDSA P-256/P-384 key."),
    C(MQTLS_CAUSE_CLIENT_CERT_EXPIRED, "cred.client_cert_expired", MQTLS_DIAG_CREDENTIALS,
      "the device certificate has expired",
      "a broker refuses a client certificate after its notAfter date.",
      "issue and register a new device certificate."),
    C(MQTLS_CAUSE_CLIENT_CERT_NOT_YET_VALID, "cred.client_cert_not_yet_valid",
      MQTLS_DIAG_CREDENTIALS, "the device certificate is not valid yet",
      "its notBefore date lies in the future for this clock.",
      "check the clock; if it is right, wait or issue the certificate with an earlier start."),
    C(MQTLS_CAUSE_CLOCK_UNSET, "tls.clock_unset", MQTLS_DIAG_TLS,
      "this device's clock is not set",
      "with the clock near 1970 every certificate looks 'not yet valid'.",
      "set the clock (SNTP, an RTC) before connecting."),
    C(MQTLS_CAUSE_SETTINGS, "cred.settings_invalid", MQTLS_DIAG_CREDENTIALS,
      "a TLS setting cannot be used",
      "a cipher suite name, TLS version or option is unknown to the linked Mbed TLS, or a "
      "certificate was given without its key (or the reverse).",
      "correct the setting named in the evidence."),
    C(MQTLS_CAUSE_OPENSSL_CONFIG, "cred.openssl_config", MQTLS_DIAG_CREDENTIALS,
      "OpenSSL's configuration leaves out its default provider, so TLS has no algorithms",
      "a providers section in OpenSSL's configuration file (OPENSSL_CONF, or the system's "
      "openssl.cnf) loads only the providers it lists: one that adds the legacy provider and "
      "forgets the default one leaves no SHA-256, AES or EC keys, and every certificate and "
      "key then looks damaged. The files are not at fault.",
      "in that configuration file, list 'default = default_sect' in the providers section "
      "next to the others and add a [default_sect] with 'activate = 1'; or unset "
      "OPENSSL_CONF if it points at the wrong file."),
    C(MQTLS_CAUSE_DNS_FAILURE, "dns.not_found", MQTLS_DIAG_DNS,
      "the broker's host name does not resolve",
      "the name is misspelt, or DNS is not reachable from here.",
      "check the host name (the broker's operator gives it) and the network's DNS."),
    C(MQTLS_CAUSE_TCP_REFUSED, "tcp.refused", MQTLS_DIAG_TCP,
      "the broker's host refused the connection on this port",
      "nothing listens on that port (wrong port, broker not running).",
      "check the port: MQTT over TLS is usually 8883, plain MQTT 1883."),
    C(MQTLS_CAUSE_TCP_TIMEOUT, "tcp.timeout", MQTLS_DIAG_TCP,
      "the connection attempt timed out",
      "a firewall drops the packets, or the host is down.",
      "check firewalls between here and the broker, and that outbound traffic to the port "
      "is allowed."),
    C(MQTLS_CAUSE_TCP_UNREACHABLE, "tcp.unreachable", MQTLS_DIAG_TCP,
      "the broker's network cannot be reached", "there is no route to the host from here.",
      "check the network connection and routing."),
    C(MQTLS_CAUSE_SERVER_UNTRUSTED_ROOT, "tls.server_untrusted_root", MQTLS_DIAG_TLS,
      "the broker's certificate chain ends at a root this client does not trust",
      "the CA file holds other roots than the one the server's chain ends at (e.g. an "
      "old root of the broker's provider, or a development trust catalog).",
      "trust the root the server actually chains to (named in the evidence)."),
    C(MQTLS_CAUSE_SERVER_CERT_EXPIRED, "tls.server_cert_expired", MQTLS_DIAG_TLS,
      "the broker's certificate has expired", "its notAfter date is past for this clock.",
      "renew the broker's certificate (or check the clock)."),
    C(MQTLS_CAUSE_SERVER_CERT_NOT_YET_VALID, "tls.server_cert_not_yet_valid", MQTLS_DIAG_TLS,
      "the broker's certificate is not valid yet", "its notBefore date lies in the future.",
      "check this device's clock; if it is right, the broker's certificate is misissued."),
    C(MQTLS_CAUSE_HOSTNAME_MISMATCH, "tls.hostname_mismatch", MQTLS_DIAG_TLS,
      "the broker's certificate is not issued for this host name",
      "the name used to connect is not among the certificate's names.",
      "connect with a name the certificate lists."),
    C(MQTLS_CAUSE_CLIENT_CERT_REQUIRED, "tls.client_cert_required", MQTLS_DIAG_TLS,
      "the broker requires a client certificate and none was sent",
      "the broker authenticates devices by certificate (mutual TLS).",
      "pass the device certificate and key (--cert, --key)."),
    C(MQTLS_CAUSE_CLIENT_CERT_REJECTED, "tls.client_cert_rejected", MQTLS_DIAG_TLS,
      "the broker does not accept this device certificate",
      "the server's certificate verified fine, then the broker rejected ours: it is not "
      "registered or not active there, or issued by a CA it does not trust.",
      "register and activate the certificate with the broker, or have it issued by the "
      "CA the broker trusts for its clients."),
    C(MQTLS_CAUSE_NO_COMMON_CIPHER, "tls.no_common_cipher", MQTLS_DIAG_TLS,
      "client and broker share no cipher suite",
      "the suites offered do not meet the ones the broker accepts.",
      "allow ECDHE with AES-GCM suites (drop --ciphers, or add e.g. "
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)."),
    C(MQTLS_CAUSE_TLS_VERSION_MISMATCH, "tls.version_mismatch", MQTLS_DIAG_TLS,
      "client and broker share no TLS version",
      "the broker refused the protocol version offered (alert protocol_version).",
      "use TLS 1.2 (or 1.3 where both support it)."),
    C(MQTLS_CAUSE_ALPN_REQUIRED, "tls.alpn_required", MQTLS_DIAG_TLS,
      "the broker requires ALPN on this port",
      "a server that shares a port between protocols picks MQTT only when the client "
      "offers the ALPN protocol name it expects (RFC 7301), and refuses or closes otherwise.",
      "offer the protocol name the broker expects with --alpn, or use its MQTT port without "
      "ALPN (usually 8883)."),
    C(MQTLS_CAUSE_NOT_A_TLS_PORT, "tls.not_a_tls_port", MQTLS_DIAG_TLS,
      "the port does not speak TLS",
      "the server closed or answered with non-TLS data when the handshake began: it is "
      "probably a plain MQTT port.",
      "use the broker's TLS port (8883), or connect without TLS."),
    C(MQTLS_CAUSE_TLS_PORT_WITHOUT_TLS, "mqtt.tls_port_without_tls", MQTLS_DIAG_MQTT,
      "plain MQTT was sent to a port that speaks TLS",
      "the broker expected a TLS handshake and dropped the MQTT CONNECT.",
      "connect with TLS (--cafile ..., or an mqtts:// URL), or use the plain port."),
    C(MQTLS_CAUSE_TLS_HANDSHAKE_TIMEOUT, "tls.handshake_timeout", MQTLS_DIAG_TLS,
      "the TLS handshake did not finish in time",
      "the server accepted the connection but did not answer the handshake.",
      "check that this port is a TLS port and that nothing in between holds traffic."),
    C(MQTLS_CAUSE_TLS_RECORD_TOO_LARGE, "tls.record_too_large", MQTLS_DIAG_TLS,
      "a TLS record was larger than the receive buffer",
      "the server's certificate chain does not fit the TLS input buffer.",
      "enlarge the TLS input buffer or negotiate a smaller maximum fragment length."),
    C(MQTLS_CAUSE_TLS_HANDSHAKE_FAILED, "tls.handshake_failed", MQTLS_DIAG_TLS,
      "the TLS handshake failed", "see the evidence: the alert and the library's code.",
      "compare the evidence with docs/troubleshooting.md."),
    /* The chain and the clock (chain.c). The fact lines name the certificate. */
    C(MQTLS_CAUSE_SERVER_MISSING_INTERMEDIATE, "tls.server_missing_intermediate",
      MQTLS_DIAG_TLS, "the broker does not send the intermediate CA its certificate needs",
      "the broker's certificate is issued by an intermediate (sub-)CA that it does not send "
      "with it, and this client does not have it: the path to the root cannot be built. "
      "The root is not the problem.",
      "the broker's certificate file must carry the intermediate named below after its own "
      "certificate; until then, adding that intermediate to the client's CA file works "
      "around it (only for this client)."),
    C(MQTLS_CAUSE_CLIENT_MISSING_INTERMEDIATE, "tls.client_missing_intermediate",
      MQTLS_DIAG_TLS, "the device certificate file lacks the sub-CA that issued it",
      "the device certificate is issued by an intermediate (sub-)CA; the broker trusts the "
      "root above it, so the device must send the sub-CA with its own certificate, and its "
      "file does not carry it.",
      "append the sub-CA named below (PEM) to the device's certificate file, after the "
      "device certificate."),
    C(MQTLS_CAUSE_CHAIN_NOT_CA, "tls.chain_not_ca", MQTLS_DIAG_TLS,
      "a certificate in the broker's chain signs another but is not a CA",
      "only a certificate with basicConstraints cA=TRUE may issue certificates; the one "
      "named below is used as an issuer without being a CA (often a leaf certificate put "
      "where the intermediate belongs in the broker's certificate file).",
      "put the real issuing CA certificate in the broker's certificate file in place of the "
      "one named below, or reissue the broker's certificate from a CA."),
    C(MQTLS_CAUSE_CHAIN_PATH_LEN, "tls.chain_path_len", MQTLS_DIAG_TLS,
      "the broker's chain is longer than a CA in it allows",
      "a CA's pathLenConstraint limits how many intermediates may follow it; the chain has "
      "more.",
      "issue the broker's certificate from a CA closer to the root, or reissue the CA named "
      "below without (or with a larger) pathLenConstraint."),
    C(MQTLS_CAUSE_CLOCK_WRONG, "tls.clock_wrong", MQTLS_DIAG_TLS,
      "this machine's clock is wrong: every certificate looks expired or not yet valid",
      "every certificate seen, the root included, is outside its validity for this clock; "
      "a whole chain does not expire at once, a clock that is off by years makes it look "
      "so.",
      "set this machine's clock (NTP/SNTP, the RTC), then try again."),
    C(MQTLS_CAUSE_CONNACK_PROTOCOL_VERSION, "mqtt.refused_protocol_version", MQTLS_DIAG_MQTT,
      "the broker does not accept this MQTT version",
      "the broker refused the protocol level in CONNECT.", "try -V 311 or -V 5."),
    C(MQTLS_CAUSE_CONNACK_CLIENT_ID, "mqtt.refused_client_id", MQTLS_DIAG_MQTT,
      "the broker rejected the client identifier",
      "the client id is empty where one is needed, too long, or not allowed.",
      "use a unique client id of up to 23 characters of [0-9a-zA-Z], which every broker "
      "accepts (MQTT 3.1.1 and 5.0, 3.1.3.1)."),
    C(MQTLS_CAUSE_CONNACK_SERVER_UNAVAILABLE, "mqtt.refused_server_unavailable",
      MQTLS_DIAG_MQTT, "the broker is unavailable or busy",
      "the broker accepted the connection but cannot serve MQTT now.", "try again later."),
    C(MQTLS_CAUSE_CONNACK_BAD_CREDENTIALS, "mqtt.refused_bad_credentials", MQTLS_DIAG_MQTT,
      "the broker rejected the user name or password",
      "the credentials in CONNECT are wrong or missing.", "check -u and -P."),
    C(MQTLS_CAUSE_CONNACK_NOT_AUTHORIZED, "mqtt.refused_not_authorized", MQTLS_DIAG_MQTT,
      "the broker does not authorize this client",
      "its access rules do not allow this user, certificate or client id to connect.",
      "grant the connection in the broker's access rules."),
    C(MQTLS_CAUSE_CONNACK_OTHER, "mqtt.refused", MQTLS_DIAG_MQTT,
      "the broker refused the connection", "see the reason code in the evidence.",
      "act on the reason code's meaning."),
    C(MQTLS_CAUSE_CLOSED_AFTER_CONNECT, "mqtt.closed_after_connect", MQTLS_DIAG_MQTT,
      "the broker closed the connection right after CONNECT, without CONNACK",
      "brokers that refuse without a CONNACK do this when their access rules deny the "
      "connection, the client id is invalid or in use, or the client's certificate is not "
      "allowed or not active.",
      "allow this client (certificate, client id) to connect in the broker's access rules, "
      "and check the client id."),
    C(MQTLS_CAUSE_NO_CONNACK, "mqtt.no_connack", MQTLS_DIAG_MQTT,
      "the broker did not answer CONNECT",
      "the server is not an MQTT broker, or it is overloaded.",
      "check that this port serves MQTT."),
    /* ---- MQTT 5 reason codes and AWS IoT (issue 15, point 4) ---- */
    C(MQTLS_CAUSE_USE_ANOTHER_SERVER, "mqtt.use_another_server", MQTLS_DIAG_MQTT,
      "the broker sends this client to another server",
      "an MQTT 5.0 broker answered 'Use another server' (0x9C) or 'Server moved' (0x9D); "
      "its Server Reference property, when present, names the server to use (MQTT 5.0, "
      "3.2.2.2, 3.14.2.1 and 4.11).",
      "connect to the server the Server Reference names (the evidence shows the command); "
      "for 0x9D ('Server moved') change the device's configuration for good."),
    C(MQTLS_CAUSE_CONNACK_CERT_IDENTITY, "mqtt.refused_certificate_identity", MQTLS_DIAG_MQTT,
      "the broker refused the identity of the client certificate",
      "no user name or password was sent, so the broker judged the device by its client "
      "certificate (or the client id) and refused it: the certificate is not allowed to "
      "connect, or not with this client id.",
      "allow this certificate's identity (its subject, or the user name the broker maps it "
      "to) to connect with this client id in the broker's access rules; a user name and "
      "password are not what the broker checked."),
    C(MQTLS_CAUSE_V5_NOT_SUPPORTED, "mqtt.v5_not_supported", MQTLS_DIAG_MQTT,
      "the broker closes an MQTT 5.0 CONNECT, and accepts MQTT 3.1.1",
      "a broker without MQTT 5.0 may hang up on a CONNECT of protocol level 5 instead of "
      "answering CONNACK 0x84 (RabbitMQ's MQTT plugin before 3.13 does): this is the "
      "protocol version, not an access rule.",
      "connect with MQTT 3.1.1 (-V 311), or upgrade the broker to one that speaks 5.0."),
    C(MQTLS_CAUSE_SUBSCRIBE_REFUSED, "mqtt.subscribe_refused", MQTLS_DIAG_ROUNDTRIP,
      "the broker refused the test subscription",
      "its access rules do not allow subscribing to this topic.",
      "allow this client to subscribe to the topic in the broker's access rules, or pick "
      "another --topic."),
    C(MQTLS_CAUSE_CLOSED_AFTER_REQUEST, "mqtt.closed_after_request", MQTLS_DIAG_ROUNDTRIP,
      "the broker closed the connection after a SUBSCRIBE or PUBLISH",
      "some brokers close the connection when their access rules deny a subscribe, a "
      "publish or the delivery of a message.",
      "allow this client to subscribe to, publish to and receive from the topic in the "
      "broker's access rules, or pick another --topic."),
    C(MQTLS_CAUSE_MESSAGE_NOT_RETURNED, "mqtt.message_not_returned", MQTLS_DIAG_ROUNDTRIP,
      "the test message never came back",
      "the broker accepted the subscription but did not deliver the message (its access "
      "rules deny publishing to or receiving from the topic, or a rule consumes it).",
      "allow this client to publish to and receive from the test topic."),
    /* ---- MQTT 5 reason codes and AWS IoT (issue 15, point 4) ---- */
    C(MQTLS_CAUSE_SESSION_TAKEN_OVER, "mqtt.session_taken_over", MQTLS_DIAG_ROUNDTRIP,
      "another connection with the same client id took this session over",
      "a broker allows one connection per client id: when a second client connects with "
      "the same id, the first is disconnected ('Session taken over', 0x8E, MQTT 5.0 "
      "3.14.2.1 and 3.1.4).",
      "give every device and every tool its own client id (-i); stop the other client "
      "that uses this id."),
    C(MQTLS_CAUSE_CLOSED_AFTER_SUBSCRIBE, "mqtt.closed_after_subscribe", MQTLS_DIAG_ROUNDTRIP,
      "the broker closed the connection when the SUBSCRIBE arrived",
      "some brokers close the connection instead of refusing a subscription their access "
      "rules deny.",
      "allow this client to subscribe to the topic in the broker's access rules, or pick "
      "another --topic."),
    C(MQTLS_CAUSE_CLOSED_AFTER_PUBLISH, "mqtt.closed_after_publish", MQTLS_DIAG_ROUNDTRIP,
      "the broker closed the connection when the PUBLISH arrived",
      "the subscription was accepted, then the broker hung up on the PUBLISH: its access "
      "rules deny publishing to this topic, or the message broke a limit (size, QoS).",
      "allow this client to publish to the topic in the broker's access rules, or pick "
      "another --topic."),
    C(MQTLS_CAUSE_SERVER_DISCONNECT, "mqtt.server_disconnect", MQTLS_DIAG_ROUNDTRIP,
      "the broker ended the connection with a DISCONNECT reason code",
      "an MQTT 5.0 broker says why it ends a connection (MQTT 5.0, 3.14.2.1); the evidence "
      "gives the code, its meaning and what to do.",
      "act on the reason code as the evidence says."),
    /* ---- step-1 findings (issue 15, point 3): findings.c ---- */
    C(MQTLS_CAUSE_CERT_KEY_SWAPPED, "cred.cert_key_swapped", MQTLS_DIAG_CREDENTIALS,
      "the certificate and key files are swapped",
      "the file given as the certificate (--cert) holds a private key and the one given as "
      "the key (--key) holds a certificate: each is in the other's place.",
      "give them the other way round: the certificate file with --cert, the key file with "
      "--key."),
    C(MQTLS_CAUSE_CERT_FILE_IS_KEY, "cred.cert_file_is_key", MQTLS_DIAG_CREDENTIALS,
      "the certificate file holds a private key, not a certificate",
      "the file given with --cert holds only a private key; the device certificate belongs "
      "there (the key goes with --key).",
      "give the device certificate (PEM or DER) with --cert; 'mqtls cert show FILE' tells "
      "what a file holds."),
    C(MQTLS_CAUSE_KEY_FILE_IS_CERT, "cred.key_file_is_cert", MQTLS_DIAG_CREDENTIALS,
      "the key file holds a certificate, not a private key",
      "the file given with --key holds only a certificate (often the device certificate "
      "given twice); the private key of the device certificate belongs there.",
      "give the device's private key with --key: the key the certificate was issued for "
      "('mqtls cert show FILE' tells what a file holds)."),
    C(MQTLS_CAUSE_CLIENT_CERT_NO_CLIENT_AUTH, "tls.client_cert_no_client_auth", MQTLS_DIAG_TLS,
      "the broker refuses the device certificate: it is not for TLS client authentication",
      "the device certificate's extendedKeyUsage lists purposes without clientAuth (e.g. "
      "serverAuth only); a broker that checks the purpose refuses it as a client certificate "
      "(OpenSSL-based brokers such as mosquitto with alert 43 unsupported_certificate).",
      "issue the device certificate again with extendedKeyUsage clientAuth (or without "
      "extendedKeyUsage), from the same CA, and use it with its key."),
    C(MQTLS_CAUSE_CLIENT_CERT_KEY_USAGE, "tls.client_cert_key_usage", MQTLS_DIAG_TLS,
      "the broker refuses the device certificate: its keyUsage does not allow signing",
      "the device certificate's keyUsage lacks digitalSignature, which a TLS client's key "
      "needs to sign the handshake (CertificateVerify); a broker that checks it refuses the "
      "certificate (OpenSSL-based brokers such as mosquitto with alert 43 "
      "unsupported_certificate).",
      "issue the device certificate again with keyUsage digitalSignature (or without "
      "keyUsage), from the same CA, and use it with its key."),
    C(MQTLS_CAUSE_CA_FILE_NOT_CA, "tls.ca_file_not_ca", MQTLS_DIAG_TLS,
      "the CA file holds no CA certificate, so the broker cannot be verified",
      "every certificate in the CA file is an end-entity certificate (basicConstraints "
      "without cA): verification does not take one as the issuer of the broker's "
      "certificate, so it finds no trusted root.",
      "put the root CA the broker's certificate chains to (named below) in the CA file "
      "(--cafile)."),
    C(MQTLS_CAUSE_CA_FILE_IS_DEVICE_CERT, "tls.ca_file_is_device_cert", MQTLS_DIAG_TLS,
      "the CA file holds the device's own certificate, not a CA",
      "the file given with --cafile holds the device certificate (the one --cert gives); "
      "the CA file must hold the CA that issued the broker's certificate, and the device "
      "certificate is not a CA.",
      "give the broker's root CA (named below) with --cafile; the device certificate goes "
      "with --cert only."),
    C(MQTLS_CAUSE_DEVICE_ROOT_NOT_IN_CATALOG, "device.root_not_in_catalog", MQTLS_DIAG_TLS,
      "the broker's root CA is not in the device's trusted-root catalog",
      "a CC3220 checks the root of the server's chain against a catalog TI signs and "
      "flashes with the image, besides the CA file; a private root is in no catalog, and "
      "the development (\"playground\") catalog holds no real root. sl_Connect then "
      "returns -468 although the CA file verified the chain, and TI's MQTT library closes.",
      "use a broker certificate that chains to a root of TI's production catalog (the "
      "SDK's tools/cc32xx_tools/certificate-catalog/readme.html lists them) and flash that "
      "catalog; or, knowingly, disable the catalog for the socket "
      "(SL_SO_SECURE_DISABLE_CERTIFICATE_STORE, mqtls: disable_cert_store) or keep -468 "
      "(MQTLS_SL_KEEP_UNKNOWN_ROOT)."),
    C(MQTLS_CAUSE_DEVICE_CHAIN_TOO_DEEP, "device.chain_too_deep", MQTLS_DIAG_TLS,
      "the broker's chain has more intermediate CAs than the device's TLS stack follows",
      "a TLS stack builds the chain in a fixed array: Mbed TLS 2.28 follows at most "
      "MBEDTLS_X509_MAX_INTERMEDIATE_CA (8) intermediates and then stops with "
      "MBEDTLS_ERR_X509_FATAL_ERROR; OpenSSL's default verify depth is 100.",
      "send a shorter chain from the broker (a CA hierarchy with fewer levels), or build the "
      "device's stack with a higher limit (Mbed TLS: MBEDTLS_X509_MAX_INTERMEDIATE_CA)."),
    /* ---- alerts and verification outcomes (issue 15, point 2) ---- */
    C(MQTLS_CAUSE_CLIENT_CERT_BAD, "tls.client_cert_bad", MQTLS_DIAG_TLS,
      "the broker found the device certificate bad (alert 42 bad_certificate)",
      "the broker's TLS library read the device certificate and refused it: not yet valid "
      "by the broker's clock, a key too short or a signature hash too weak for its security "
      "policy, or a damaged or misissued certificate (RFC 8446, 6.2).",
      "run 'mqtls cert check --cert FILE' on the device certificate; issue it again with an "
      "RSA 2048+ or ECDSA P-256 key, signed with SHA-256, valid from a date already past."),
    C(MQTLS_CAUSE_CLIENT_CERT_UNSUPPORTED, "tls.client_cert_unsupported", MQTLS_DIAG_TLS,
      "the broker does not accept this kind of device certificate (alert 43)",
      "unsupported_certificate: the certificate's purpose or type is not one the broker "
      "takes; most often its extendedKeyUsage lacks clientAuth (OpenSSL sends 43 for "
      "X509_V_ERR_INVALID_PURPOSE), or its key type is one the broker cannot use.",
      "issue the device certificate with extendedKeyUsage clientAuth (or without that "
      "extension) and an RSA or ECDSA P-256/P-384 key."),
    C(MQTLS_CAUSE_CLIENT_CERT_REVOKED, "tls.client_cert_revoked", MQTLS_DIAG_TLS,
      "the broker says the device certificate is revoked (alert 44)",
      "certificate_revoked: the CA that issued the device certificate revoked it, and the "
      "broker checks its revocation list (CRL) or OCSP.",
      "issue and register a new device certificate; a revoked one cannot be used again."),
    C(MQTLS_CAUSE_CLIENT_CERT_EXPIRED_THERE, "tls.client_cert_expired", MQTLS_DIAG_TLS,
      "the broker says the device certificate has expired (alert 45)",
      "certificate_expired, for a certificate that is valid by this machine's clock: the "
      "broker's clock is ahead, or a certificate of the device's chain (its sub-CA) expired.",
      "check the validity of every certificate in the device's file and the broker's clock; "
      "issue a new device certificate if one of them expired."),
    C(MQTLS_CAUSE_CLIENT_CERT_UNKNOWN, "tls.client_cert_unknown", MQTLS_DIAG_TLS,
      "the broker refused the device certificate without saying why (alert 46)",
      "certificate_unknown: 'some other issue' with the certificate (RFC 8446, 6.2); "
      "OpenSSL sends it for verification errors it has no other alert for.",
      "look at the broker's log for its verification error, and check the device "
      "certificate with 'mqtls cert check'."),
    C(MQTLS_CAUSE_CLIENT_CERT_SIGNATURE, "tls.client_cert_signature", MQTLS_DIAG_TLS,
      "the broker could not verify a signature of the device (alert 51 after its "
      "certificate)",
      "decrypt_error after our certificate: the key belongs to the certificate (step 1), so "
      "the signature on the certificate does not verify with the key of the CA the broker "
      "holds under that name (a CA that was issued again with a new key), or the key in a "
      "token signed wrongly.",
      "have the device certificate issued again by the CA the broker trusts now, or give "
      "the broker the CA that issued it."),
    C(MQTLS_CAUSE_ACCESS_DENIED, "tls.access_denied", MQTLS_DIAG_TLS,
      "the broker's access control refused this client (alert 49 access_denied)",
      "access_denied: the credentials were valid, then the broker's access control decided "
      "not to go on (RFC 8446, 6.2): this device, its certificate or its address is not "
      "allowed.",
      "allow this device (its certificate's identity, its address) in the broker's access "
      "rules."),
    C(MQTLS_CAUSE_ILLEGAL_PARAMETER, "tls.illegal_parameter", MQTLS_DIAG_TLS,
      "the broker refused a field of our handshake (alert 47 illegal_parameter)",
      "a field of the ClientHello or a later message was out of range or inconsistent for "
      "the broker's TLS library: a group, a signature algorithm or an extension value it "
      "takes differently.",
      "try another TLS version (--tls-version) or the default cipher suites; if it stays, "
      "compare with 'openssl s_client' and report the broker's TLS library."),
    C(MQTLS_CAUSE_DECODE_ERROR, "tls.decode_error", MQTLS_DIAG_TLS,
      "the broker could not parse our handshake (alert 50 decode_error)",
      "a message did not parse for the broker: a field's length was wrong for it, which "
      "points to something between (a proxy or middlebox that alters TLS) or an old TLS "
      "library at the broker.",
      "connect without proxies or TLS inspection in between; try --tls-version tlsv1.2."),
    C(MQTLS_CAUSE_HANDSHAKE_CRYPTO, "tls.handshake_crypto_failed", MQTLS_DIAG_TLS,
      "a cryptographic check of the handshake failed (alert 51 decrypt_error)",
      "before any certificate of ours, decrypt_error means a handshake signature or the "
      "Finished message did not verify: something altered the handshake on the way, or the "
      "two TLS libraries disagree.",
      "connect without TLS inspection or proxies in between; try --tls-version tlsv1.2."),
    C(MQTLS_CAUSE_SERVER_PROTOCOL_ERROR, "tls.server_protocol_error", MQTLS_DIAG_TLS,
      "the broker sent a handshake message this client could not accept",
      "this client answered with alert 10, 47 or 50: the server's message was unexpected, "
      "malformed or held a value out of range; the server (or a middlebox) does not follow "
      "TLS as this client does.",
      "check that the port is the broker's TLS port and that nothing in between alters TLS; "
      "report the server's TLS library with the evidence."),
    C(MQTLS_CAUSE_SERVER_TLS_TOO_OLD, "tls.server_tls_too_old", MQTLS_DIAG_TLS,
      "the broker speaks only TLS versions older than 1.2",
      "this client offered TLS 1.2 and 1.3 (or the server answered with an older version "
      "than 1.2): the broker is capped at TLS 1.0 or 1.1, which this client does not speak "
      "(RFC 8996 deprecates them).",
      "enable TLS 1.2 on the broker (mosquitto: tls_version tlsv1.2; OpenSSL's MinProtocol "
      "or MaxProtocol)."),
    C(MQTLS_CAUSE_INSUFFICIENT_SECURITY, "tls.insufficient_security", MQTLS_DIAG_TLS,
      "the broker wants stronger parameters than offered (alert 71)",
      "insufficient_security: the negotiation failed because the broker requires cipher "
      "suites, groups or signature algorithms more secure than those offered.",
      "drop --ciphers (offer the defaults) or offer ECDHE with AES-GCM or ChaCha20 suites."),
    C(MQTLS_CAUSE_SERVER_INTERNAL_ERROR, "tls.server_internal_error", MQTLS_DIAG_TLS,
      "the broker's TLS failed on its own side (alert 80 internal_error)",
      "internal_error: an error unrelated to this client or the protocol made the broker "
      "give up (memory, its certificate or key files, a failed callback).",
      "look at the broker's log; nothing on this client is to blame."),
    C(MQTLS_CAUSE_INAPPROPRIATE_FALLBACK, "tls.inappropriate_fallback", MQTLS_DIAG_TLS,
      "the broker saw a version downgrade (alert 86 inappropriate_fallback)",
      "the ClientHello carried TLS_FALLBACK_SCSV while the server supports a higher version "
      "(RFC 7507, 3): something retried the handshake at a lower version.",
      "connect without a proxy that downgrades TLS; do not retry at a lower version."),
    C(MQTLS_CAUSE_USER_CANCELED, "tls.user_canceled", MQTLS_DIAG_TLS,
      "the broker cancelled the handshake (alert 90 user_canceled)",
      "the server gave up the handshake for a reason not tied to the protocol (RFC 8446, "
      "6.1): it is shutting down or it refused this connection by its own choice.",
      "try again; if it stays, look at the broker's log."),
    C(MQTLS_CAUSE_MISSING_EXTENSION, "tls.missing_extension", MQTLS_DIAG_TLS,
      "the broker needs a TLS extension this client did not send (alert 109)",
      "missing_extension: TLS 1.3 requires extensions (key_share, supported_groups, "
      "signature_algorithms) the ClientHello lacked, or the broker requires one (e.g. the "
      "server name, SNI).",
      "connect with the broker's host name (SNI is not sent for an address); try "
      "--tls-version tlsv1.2."),
    C(MQTLS_CAUSE_UNRECOGNIZED_NAME, "tls.unrecognized_name", MQTLS_DIAG_TLS,
      "the broker does not serve the host name sent (alert 112 unrecognized_name)",
      "the server name (SNI) in the ClientHello is not one the broker has a certificate for "
      "(RFC 6066, 3), or no name was sent because the host is an IP address.",
      "connect with the name the broker serves (the one its certificate carries), not an "
      "address or an alias."),
    C(MQTLS_CAUSE_ALPN_MISMATCH, "tls.alpn_mismatch", MQTLS_DIAG_TLS,
      "the broker speaks none of the ALPN protocols offered (alert 120)",
      "no_application_protocol: the server supports ALPN but none of the protocols this "
      "client offered (RFC 7301, 3.2).",
      "offer the protocol the broker expects (--alpn), or none: a plain MQTT broker does not "
      "need ALPN."),
    C(MQTLS_CAUSE_SERVER_WEAK_HASH, "tls.server_weak_hash", MQTLS_DIAG_TLS,
      "a certificate of the broker's chain is signed with a hash too weak (SHA-1, MD5)",
      "TLS libraries refuse signatures made with SHA-1 or MD5 (OpenSSL 3 at its default "
      "security level, Mbed TLS's default profile).",
      "reissue the certificate named below signed with SHA-256 or better."),
    C(MQTLS_CAUSE_SERVER_WEAK_KEY, "tls.server_weak_key", MQTLS_DIAG_TLS,
      "a certificate of the broker's chain has a key too short",
      "an RSA key below 2048 bits (or a curve the profile does not allow) fails the security "
      "policy of this client's TLS library.",
      "reissue the certificate named below with an RSA 2048+ or ECDSA P-256/P-384 key."),
    C(MQTLS_CAUSE_SERVER_WRONG_PURPOSE, "tls.server_wrong_purpose", MQTLS_DIAG_TLS,
      "the broker's certificate is not for a TLS server (no serverAuth)",
      "its extendedKeyUsage does not list serverAuth (a client certificate installed on the "
      "broker, or one made for another use); RFC 5280, 4.2.1.12.",
      "install a broker certificate whose extendedKeyUsage includes serverAuth."),
    C(MQTLS_CAUSE_SERVER_KEY_USAGE, "tls.server_key_usage", MQTLS_DIAG_TLS,
      "a certificate of the broker's chain may not be used this way (keyUsage)",
      "its keyUsage extension does not allow what TLS needs: digitalSignature (or "
      "keyEncipherment) on the broker's certificate, keyCertSign on a CA (RFC 5280, "
      "4.2.1.3).",
      "reissue the certificate named below with keyUsage digitalSignature (broker) or "
      "keyCertSign (CA)."),
    C(MQTLS_CAUSE_SERVER_CERT_REVOKED, "tls.server_cert_revoked", MQTLS_DIAG_TLS,
      "a certificate of the broker's chain is revoked",
      "its CA revoked it: the revocation list this client checked lists it.",
      "the broker needs a new certificate; do not trust it until then."),
    C(MQTLS_CAUSE_SERVER_BAD_SIGNATURE, "tls.server_bad_signature", MQTLS_DIAG_TLS,
      "a signature in the broker's chain does not verify",
      "a certificate was not signed by the key of the CA of its issuer's name: a CA issued "
      "again with a new key, or a damaged certificate.",
      "trust the CA that really issued the broker's certificate, or reissue it."),
    C(MQTLS_CAUSE_UNKNOWN, "unknown", MQTLS_DIAG_MQTT, "the cause could not be determined",
      "the failure matches no known pattern.", "see the evidence printed above."),
};

const mqtls_cause_info_t *mqtls_cause_info(mqtls_cause_t cause)
{
    if ((unsigned)cause >= MQTLS_CAUSE_COUNT || !causes[cause].id)
        cause = MQTLS_CAUSE_UNKNOWN;
    return &causes[cause];
}

mqtls_cause_t mqtls_cause_by_id(const char *id)
{
    for (int i = 0; id && i < MQTLS_CAUSE_COUNT; i++)
        if (causes[i].id && strcmp(causes[i].id, id) == 0)
            return (mqtls_cause_t)i;
    return MQTLS_CAUSE_NONE;
}

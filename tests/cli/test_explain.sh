#!/usr/bin/env bash
# `mqtls explain [--stack S] CODE`: each chip's meaning of a code (the same number differs
# between a CC3200 and a CC3220), the other stacks (Mbed TLS errors and verify flags, TLS
# alerts, X509_V_ERR), a negative CODE taken as CODE and not as an option, the guess
# without --stack, --json, and the exit statuses (0 known, 1 unknown: by range, 2 bad
# argument, 3 several stacks have CODE). No broker needed.
. "$(dirname "$0")/lib.sh"

# explain_ok STATUS ARGS...: runs `mqtls explain ARGS`, checks the exit, leaves stdout in OUT
# with its runs of spaces and line ends (the text is wrapped) made one space.
explain_ok() {
    local want=$1 rc
    shift
    OUT=$(mqtls explain "$@" 2> "$WORK/err")
    rc=$?
    assert_status "$want" "$rc" "mqtls explain $*"
    OUT=$(tr -s ' \n' ' ' <<<"$OUT")
}

# The CC3220's -468: the catalog, "connected, but", the explicit alternative.
explain_ok 0 --stack cc3220 -468
assert_contains "$OUT" "code: -468 SL_ERROR_BSD_ESECUNKNOWNROOTCA" "cc3220 -468: TI's name"
assert_contains "$OUT" "cause: device.root_not_in_catalog" "cc3220 -468: the cause id (the catalog, not the CA file)"
assert_contains "$OUT" "connected, but" "cc3220 -468: a 'connected, but' code"
assert_contains "$OUT" "flash" "cc3220 -468: the fix"
assert_contains "$OUT" "MQTLS_SL_KEEP_UNKNOWN_ROOT" "cc3220 -468: the alternative"
# The option after the code, and --stack simplelink meaning the CC3220.
explain_ok 0 -468 --stack simplelink
assert_contains "$OUT" "SL_ERROR_BSD_ESECUNKNOWNROOTCA" "simplelink is the cc3220"
# 468 without its sign; the default stack is the CC3220.
explain_ok 0 468
assert_contains "$OUT" "code: -468 " "468 is read as -468"
assert_contains "$OUT" "stack: cc3220" "the default stack is cc3220"

# The CC3200 SDK 1.x has no -468; its trust is the CA file given by id (-456).
explain_ok 1 --stack cc3200 -468
assert_contains "$OUT" "not a CC3200 code" "cc3200 -468: not a CC3200 code"
explain_ok 0 --stack=cc3200 -456
assert_contains "$OUT" "SL_ESECBADCAFILE" "cc3200 -456: TI's CC3200 name"
assert_contains "$OUT" "given by id" "cc3200 -456: the CA file by id"
explain_ok 0 --stack cc3220 -456
assert_not_contains "$OUT" "given by id" "cc3220 -456: files by name"

# Same number, other meaning: -222 and -290 are CC3200 TLS codes only.
explain_ok 0 --stack cc3200 -222
assert_contains "$OUT" "tls.hostname_mismatch" "cc3200 -222: domain-name mismatch"
explain_ok 1 --stack cc3220 -222
explain_ok 0 --stack cc3200 -290
assert_contains "$OUT" "no AES-GCM" "cc3200 -290: no GCM on a CC3200"
assert_not_contains "$OUT" "allow ECDHE with AES-GCM" "cc3200 -290: no GCM advice"
explain_ok 0 --stack cc3220 -790
assert_contains "$OUT" "allow ECDHE with AES-GCM" "cc3220 -790: GCM advice"
# DNS: -159 on a CC3200 (shared with a TLS code: both named), -6154 on a CC3220.
explain_ok 0 --stack cc3200 -159
assert_contains "$OUT" "SL_NET_APP_DNS_QUERY_NO_RESPONSE" "cc3200 -159: DNS"
assert_contains "$OUT" "sl_Connect" "cc3200 -159: the TLS code of the same number"
explain_ok 0 --stack cc3220 -6154
assert_contains "$OUT" "dns.not_found" "cc3220 -6154: DNS"
# "Connected, but" -467: never kept.
explain_ok 0 -467
assert_contains "$OUT" "no setting keeps it" "-467: never kept"
# -- ends the options too (-461 is on both chips: --stack says which).
explain_ok 0 --stack cc3220 -- -461
assert_contains "$OUT" "MQTLS_SL_KEEP_DATE_ERROR" "-461: the keep bit"

# Mbed TLS: a negative hex or decimal error, split into its high- and low-level parts; a
# positive hex CODE is a verify-flags word, each bit named, the cause the bit's.
explain_ok 0 --stack mbedtls -0x2700
assert_contains "$OUT" "code: -0x2700 (-9984) MBEDTLS_ERR_X509_CERT_VERIFY_FAILED" "mbedtls -0x2700"
explain_ok 0 --stack mbedtls -9984
assert_contains "$OUT" "code: -0x2700 " "mbedtls -9984 is -0x2700"
explain_ok 0 --stack mbedtls -0x21E2
assert_contains "$OUT" "INVALID_FORMAT + MBEDTLS_ERR_ASN1_UNEXPECTED_TAG" "mbedtls split"
assert_contains "$OUT" "cause: cred.file_wrong_kind" "mbedtls -0x21E2: the cause"
explain_ok 0 --stack mbedtls 0x08
assert_contains "$OUT" "cause: tls.server_untrusted_root" "flag 0x08: untrusted root"
assert_not_contains "$OUT" "hostname_mismatch" "flag 0x08: not a name mismatch"
explain_ok 0 --stack mbedtls 0x04
assert_contains "$OUT" "cause: tls.hostname_mismatch" "flag 0x04: name mismatch"
assert_not_contains "$OUT" "untrusted_root" "flag 0x04: not an untrusted root"
explain_ok 0 --stack mbedtls -0x6E80
assert_contains "$OUT" "BAD_PROTOCOL_VERSION (3.x)" "mbedtls: the 3.x name too"
assert_contains "$OUT" "cause: tls.version_mismatch" "mbedtls -0x6E80: version"
assert_contains "$OUT" "source: docs/troubleshooting.md" "mbedtls: the source"
explain_ok 1 --stack mbedtls -0x270F

# OpenSSL: alerts by their RFC names, verify errors by X509_V_ERR.
explain_ok 0 --stack openssl 48
assert_contains "$OUT" "code: 48 unknown_ca" "alert 48"
assert_contains "$OUT" "cause: tls.client_cert_rejected" "alert 48: the cause"
explain_ok 0 --stack openssl 70
assert_contains "$OUT" "cause: tls.version_mismatch" "alert 70: version"
assert_not_contains "$OUT" "no_common_cipher" "alert 70: not the ciphers"
explain_ok 1 --stack openssl 255
explain_ok 0 --stack openssl-verify 21
assert_contains "$OUT" "X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE" "verify 21"
assert_contains "$OUT" "intermediate" "verify 21: the intermediate"
explain_ok 0 --stack openssl-verify 10
assert_contains "$OUT" "cause: tls.server_cert_expired" "verify 10: expired"
assert_not_contains "$OUT" "not_yet_valid" "verify 10: not 'not yet valid'"

# Paho and coreMQTT: their names, the CONNACK codes, and where one number is both.
explain_ok 0 --stack paho 5
assert_contains "$OUT" "cause: mqtt.refused_not_authorized" "paho 5: not authorized"
explain_ok 0 --stack paho -10
assert_contains "$OUT" "MQTTCLIENT_SSL_NOT_SUPPORTED" "paho -10"
explain_ok 0 --stack coremqtt 4
assert_contains "$OUT" "code: 4 MQTTRecvFailed" "coremqtt 4"
assert_contains "$OUT" "cause: mqtt.closed_after_connect" "coremqtt 4: the cause"
explain_ok 2 --stack coremqtt 17
explain_ok 3 5
assert_contains "$OUT" "--stack paho 5 CONNACK 5: not authorized" "5: paho"
assert_contains "$OUT" "--stack coremqtt 5 MQTTBadResponse" "5: coremqtt"

# wolfSSL: the TLS layer's and wolfCrypt's codes; a CC3200 TLS code is wolfSSL's number.
explain_ok 0 --stack wolfssl -188
assert_contains "$OUT" "code: -188 ASN_NO_SIGNER_E" "wolfssl -188"
assert_contains "$OUT" "cause: tls.server_untrusted_root" "wolfssl -188: the cause"
explain_ok 0 --stack wolfssl 322
assert_contains "$OUT" "cause: tls.hostname_mismatch" "wolfssl 322 is -322"
explain_ok 3 -151
assert_contains "$OUT" "--stack cc3200" "-151: the CC3200"
assert_contains "$OUT" "--stack wolfssl -151 ASN_AFTER_DATE_E" "-151: wolfSSL"

# The AWS IoT Device SDK v3.
explain_ok 0 --stack aws-sdk -23
assert_contains "$OUT" "code: -23 NETWORK_ERR_NET_UNKNOWN_HOST" "aws-sdk -23"
assert_contains "$OUT" "cause: dns.not_found" "aws-sdk -23: the cause"
explain_ok 0 --stack aws-sdk -41
assert_contains "$OUT" "cause: mqtt.refused_not_authorized" "aws-sdk -41: not authorized"
assert_not_contains "$OUT" "bad_credentials" "aws-sdk -41: not bad credentials"

# Without --stack: the one stack that has CODE, or the list and exit 3.
explain_ok 0 -0x7780
assert_contains "$OUT" "stack: mbedtls" "-0x7780 is Mbed TLS's"
explain_ok 0 116
assert_contains "$OUT" "certificate_required" "116: the alert"
explain_ok 3 20
assert_contains "$OUT" "--stack openssl 20 bad_record_mac" "20: the alert"
assert_contains "$OUT" "--stack openssl-verify 20 X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY" "20: verify"
explain_ok 3 -456
assert_not_contains "$OUT" "--stack simplelink" "an alias is not listed"

# --json: one object.
OUT=$(mqtls explain --json --stack openssl 120)
assert_status 0 $? "mqtls explain --json --stack openssl 120"
assert_contains "$OUT" '"cause": "tls.alpn_required"' "--json: the cause"
assert_contains "$OUT" '"name": "no_application_protocol"' "--json: the name"
if command -v python3 >/dev/null; then
    python3 -c 'import json,sys; json.loads(sys.stdin.read())' <<<"$OUT"
    assert_status 0 $? "--json: valid JSON"
fi
OUT=$(mqtls explain --json 20)
assert_status 3 $? "mqtls explain --json 20"
assert_contains "$OUT" '"ambiguous": true' "--json, several stacks: said so"
assert_contains "$OUT" '"stack": "openssl-verify"' "--json, several stacks: listed"

# Bad arguments: exit 2 with a message.
expect 2 "invalid CODE 'abc'" explain abc
expect 2 "unknown stack 'opensl'" explain --stack opensl 42
expect 2 "invalid CODE '256'" explain --stack openssl 256
expect 2 "invalid CODE '0x100000'" explain --stack mbedtls 0x100000
expect 2 "missing CODE" explain --stack cc3200
expect 2 "unknown stack '-468'" explain --stack -468
expect 2 "unexpected argument '-2'" explain -1 -2
expect 2 "invalid CODE '-40000'" explain -40000
expect 2 "unknown option '--bogus'" explain --bogus -1

# --help lists the stacks from the table and the exit statuses; mqtls --help the command.
explain_ok 0 --help
for s in cc3220 cc3200 simplelink mbedtls openssl openssl-verify wolfssl paho coremqtt aws-sdk; do
    assert_contains "$OUT" " $s " "--help lists the stack $s"
done
assert_contains "$OUT" " 1 the code is in no table" "--help names the exit for an unknown code"
assert_contains "$OUT" " 3 no --stack and several stacks" "--help names the exit for an ambiguous code"
assert_contains "$(mqtls --help)" "  explain " "mqtls --help lists explain"

finish

#!/usr/bin/env bash
# `mqtls explain [--stack S] CODE`: each chip's meaning of a code (the same number differs
# between a CC3200 and a CC3220), a negative CODE taken as CODE and not as an option, and
# the exit statuses (0 known, 1 unknown: by range, 2 bad argument). No broker needed.
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
assert_contains "$OUT" "cause: tls.server_untrusted_root" "cc3220 -468: the cause id"
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
# -- ends the options too.
explain_ok 0 -- -461
assert_contains "$OUT" "MQTLS_SL_KEEP_DATE_ERROR" "-461: the keep bit"

# Bad arguments: exit 2 with a message.
expect 2 "invalid CODE 'abc'" explain abc
expect 2 "unknown stack 'openssl'" explain --stack openssl 42
expect 2 "missing CODE" explain --stack cc3200
expect 2 "unknown stack '-468'" explain --stack -468
expect 2 "unexpected argument '-2'" explain -1 -2
expect 2 "invalid CODE '-40000'" explain -40000
expect 2 "unknown option '--bogus'" explain --bogus -1

# --help lists the stacks from the table and the exit statuses; mqtls --help the command.
explain_ok 0 --help
for s in cc3220 cc3200 simplelink; do
    assert_contains "$OUT" " $s " "--help lists the stack $s"
done
assert_contains "$OUT" " 1 the code is in no table" "--help names the exit for an unknown code"
assert_contains "$(mqtls --help)" "  explain " "mqtls --help lists explain"

finish

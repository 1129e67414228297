# sl_constants.awk: the integer constants the SimpleLink port declares, as X(NAME) lines for
# test_sl_constants.c. Input: `cc -E -dD` of ports/simplelink/simplelink_api.h (the defines
# in place, with line markers saying which file each comes from). Writes to the file named
# by -v out=PATH (standard output without it).
#
# Taken: object-like macros and enumerators defined in a file under ports/simplelink/,
# whose value is an integer expression (literals, casts to TI's integer types, other
# constants taken). Left out: MQTLS_* (the project's own), function-like macros, names
# without a value, and aliases of functions or types (not constants).
BEGIN {
    inport = 0
    inenum = 0
    if (out == "")
        out = "/dev/stdout"
    printf "" > out
}

/^# [0-9]+ "/ {
    file = $3
    gsub(/"/, "", file)
    inport = (file ~ /(^|\/)ports\/simplelink\//)
    next
}

function numeric(v,    words, i, w, k) {
    if (v ~ /"/ || v ~ /^[ \t]*$/)
        return 0
    gsub(/[^A-Za-z0-9_]/, " ", v)
    k = split(v, words, " ")
    for (i = 1; i <= k; i++) {
        w = words[i]
        if (w ~ /^[0-9]/) {
            if (w !~ /^(0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*$/)
                return 0
        } else if (!(w in cast) && !(w in taken)) {
            return 0
        }
    }
    return 1
}

function take(name) {
    if (name ~ /^MQTLS_/ || (name in taken))
        return
    taken[name] = 1
    print "X(" name ")" > out
}

inport && /^#define[ \t]+[A-Za-z_][A-Za-z0-9_]*([ \t]|$)/ {
    name = $2
    value = $0
    sub(/^#define[ \t]+[A-Za-z_][A-Za-z0-9_]*/, "", value)
    if (numeric(value))
        take(name)
    next
}

inport && /enum[^;]*\{/ { inenum = 1 }
inport && inenum {
    line = $0
    sub(/.*\{/, "", line)
    k = split(line, parts, ",")
    for (i = 1; i <= k; i++) {
        p = parts[i]
        sub(/^[ \t]+/, "", p)
        if (match(p, /^[A-Za-z_][A-Za-z0-9_]*/))
            take(substr(p, RSTART, RLENGTH))
    }
    if ($0 ~ /\}/)
        inenum = 0
}

BEGIN {
    split("_u8 _u16 _u32 _i8 _i16 _i32 uint8_t uint16_t uint32_t int8_t int16_t int32_t " \
          "long unsigned int short char signed", c, " ")
    for (i in c)
        cast[c[i]] = 1
}

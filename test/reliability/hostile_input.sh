#!/usr/bin/env bash
# Hostile input, on its own cluster: more than 10,000 generated inputs (python3) through every
# function they apply to — vid_is_valid, vid_check, vid_status, vid_revoke, INSERT INTO
# vid.restricted_number (strings), vid_generate_pool (integers), vid_allocate (timestamps),
# vid_configure (integers and text arrays) — each call in its own subtransaction (a PL/pgSQL
# helper records the result or the SQLSTATE in a table). Asserts:
#  * no crash (server up, no "terminated by signal" in its log), no XX000 (nor XX001/VD000);
#  * every input gets exactly its documented outcome: the result or the SQLSTATE of the README's
#    "Errors" table (22023, 22004, 22P02, VD001, 23514, 55000; PostgreSQL's own 23502/23505 for a
#    NULL or duplicate restricted number); vid_check equals an independent Python implementation
#    of the rules of README "The rules" (MOSIP order, Java UTF-16 length, Verhoeff with row 4
#    9 4 5 3 1 2 8 7 6 0); vid_is_valid(x) = (vid_check(x) IS NULL) for every non-NULL x;
#    vid_status never errors and agrees with the table;
#  * the extension's tables are unchanged except by the calls that legitimately succeeded: revokes
#    that returned true, pool growth of exactly the n of successful vid_generate_pool calls,
#    allocations with exactly the expiry asked for; restricted numbers and vid_configure calls that
#    are accepted run with a rollback (they change the rules) and must leave no trace, in the
#    tables or in the session's rules cache; vid_configure answers the same in a database without
#    VIDs (accepted) and one with VIDs (55000) except for the 55000 itself;
#  * the same answers in a LATIN1 database (the encoding conversion path).
# Prints the number of inputs tried per function.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/usr/lib/postgresql/15/bin:$PATH
source test/lib/cluster.sh
WORK=$(mktemp -d /tmp/vid-hostile.XXXXXX)
chmod 755 "$WORK"
PORT=${VID_HOSTILE_PORT:-56601}
failures=0
cleanup() {
    cluster_stop "$WORK/pg" immediate
    if [ "$failures" = 0 ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi
}
trap cleanup EXIT

cluster_new "$WORK/pg" "$PORT" "log_line_prefix = '%m [%p] %e '"
q() { local db=$1; shift; psql -XAtq -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }
# expect DB DESCRIPTION SQL-returning-a-count-of-violations [SQL-listing-some-violations]
expect_none() {
    local got
    got=$(q "$1" "$3" 2>&1) || true
    if [ "$got" = 0 ]; then
        echo "ok: $2"
    else
        fail "$2 ($got violations)"
        if [ -n "${4:-}" ]; then { q "$1" "$4" 2>&1 || true; } | head -12 | cut -c1-220 | sed "s/^/    | /" || true; fi
    fi
    return 0
}
check() {  # check DB DESCRIPTION SQL-returning-boolean
    local got
    got=$(q "$1" "$3" 2>&1) || true
    if [ "$got" = t ]; then echo "ok: $2"; else fail "$2 (got '$got')"; fi
}
create_extension() {  # retried: someone may be reinstalling the extension
    local db=$1 i
    for i in $(seq 10); do
        q "$db" "CREATE EXTENSION vid" 2>"$WORK/ext.err" && return 0
        sleep 3
    done
    cat "$WORK/ext.err"
    return 1
}
server_alive() {
    pg_isready -q -h "$PGHOST" -p "$PGPORT" &&
        ! grep -qE "terminated by signal|PANIC|was terminated|server process .* exited" "$WORK/pg/server.log"
}

# ------------------------------------------------------------------------------------------------
# Databases: h (a pool, handed-out VIDs of every status, one extra restricted number), h0 (no
# VID: vid_configure may succeed there), lat (LATIN1).
q postgres "CREATE DATABASE h"
q postgres "CREATE DATABASE h0"
q postgres "CREATE DATABASE lat ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
for db in h h0 lat; do create_extension "$db"; done
psql -XAtq -v ON_ERROR_STOP=1 -d h >/dev/null <<'SQL'
SET client_min_messages = warning;
SELECT vid_generate_pool(400);
-- A restricted number that some pooled VIDs contain: they leave vid.pool, WITHDRAWN in vid.vid.
SET client_min_messages = warning;
INSERT INTO vid.restricted_number
    SELECT substr(lpad(vid::text, 16, '0'), 7, 3) FROM vid.pool ORDER BY vid LIMIT 1;
RESET client_min_messages;
CREATE TEMP TABLE handed AS
    SELECT i, vid_allocate(CASE WHEN i % 2 = 0 THEN now() + interval '2 days' END) AS v FROM generate_series(1, 120) i;
SELECT count(vid_revoke(v)) FROM handed WHERE i % 6 = 1;
UPDATE vid.vid SET expiry = now() - interval '1 day' WHERE vid IN (SELECT v::bigint FROM handed WHERE i % 8 = 0);
SQL
restricted=$(q h "SELECT string_agg(number, ',' ORDER BY number) FROM vid.restricted_number")
for db in h0 lat; do
    q "$db" "SET client_min_messages = warning; INSERT INTO vid.restricted_number SELECT unnest(string_to_array('$restricted', ',')) ON CONFLICT DO NOTHING"
done
psql -XAtq -v ON_ERROR_STOP=1 -d h -c "\\copy (SELECT lpad(vid::text, 16, '0'), CASE WHEN a.status = 'ASSIGNED' AND v.expiry <= now() THEN 'EXPIRED-BY-TIME' ELSE a.status::text END FROM vid.all_vids a LEFT JOIN vid.vid v USING (vid) WHERE a.status <> 'AVAILABLE' OR vid % 10 = 0 ORDER BY vid) TO '$WORK/vids'"
q h "SELECT status, count(*) FROM vid.all_vids GROUP BY 1 ORDER BY 1" | tr '\n' ' ' | sed "s/^/h: restricted numbers $restricted; /; s/\$/\\n/"

# ------------------------------------------------------------------------------------------------
# The inputs, and the expected answers of an independent implementation of the rules.
SEED=${VID_HOSTILE_SEED:-$RANDOM$RANDOM}
echo "input seed: $SEED (VID_HOSTILE_SEED=$SEED reproduces the inputs)"
python3 - "$WORK" "$restricted" "$SEED" >"$WORK/gen.out" <<'PY'
import csv, random, sys
work, restricted = sys.argv[1], sys.argv[2].split(",")
rnd = random.Random(int(sys.argv[3]))
L, SEQ, REP, BLK, NSW = 16, 3, 2, 2, ["0", "1"]

D = [[0,1,2,3,4,5,6,7,8,9],[1,2,3,4,0,6,7,8,9,5],[2,3,4,0,1,7,8,9,5,6],[3,4,0,1,2,8,9,5,6,7],
     [4,0,1,2,3,9,5,6,7,8],[5,9,8,7,6,0,4,3,2,1],[6,5,9,8,7,1,0,4,3,2],[7,6,5,9,8,2,1,0,4,3],
     [8,7,6,5,9,3,2,1,0,4],[9,8,7,6,5,4,3,2,1,0]]
P = [[0,1,2,3,4,5,6,7,8,9],[1,5,7,6,2,8,3,0,9,4],[5,8,0,3,7,9,6,1,4,2],[8,9,1,6,0,4,3,5,2,7],
     [9,4,5,3,1,2,8,7,6,0],[4,2,8,6,5,7,3,9,0,1],[2,7,9,3,8,0,6,4,1,5],[7,0,4,6,9,1,3,2,5,8]]
INV = [0,4,3,2,1,5,6,7,8,9]

def verhoeff_ok(s):
    c = 0
    for i, ch in enumerate(reversed(s)):
        c = D[c][P[i % 8][ord(ch) - 48]]
    return c == 0

def check_digit(body):
    c = 0
    for i, ch in enumerate(reversed(body)):
        c = D[c][P[(i + 1) % 8][ord(ch) - 48]]
    return str(INV[c])

def utf16_len(s):
    return len(s.encode("utf-16-le")) // 2

def first_rule(s):
    """vid_check: None when valid, else the first failing rule, in MOSIP's order."""
    if s is None or s == "":
        return "empty"
    if utf16_len(s) != L:
        return "length"
    if any(c not in "0123456789" for c in s):
        return "non-digit"
    n = len(s)
    if SEQ > 0:
        for end in range(SEQ - 1, n):
            w = s[end - SEQ + 1:end + 1]
            if w in "0123456789" or w in "9876543210":
                return "sequence"
    if REP > 0:
        for i in range(1, n):
            if any(s[i - k] == s[i] for k in range(1, min(REP, i) + 1)):
                return "repeating"
    if BLK > 0 and 2 * BLK <= n:
        for j in range(BLK, n - BLK + 1):
            if any(s[i:i + BLK] == s[j:j + BLK] for i in range(0, j - BLK + 1)):
                return "repeated-block"
    if any(s.startswith(p) for p in NSW):
        return "not-start-with"
    if any(r in s for r in restricted):
        return "restricted"
    if not verhoeff_ok(s):
        return "checksum"
    return None

def pattern_ok(s):  # vid.pattern_error: 1..18 ASCII digits
    return s is not None and 1 <= len(s) <= 18 and all(c in "0123456789" for c in s)

vids = [line.rstrip("\n").split("\t") for line in open(f"{work}/vids")]
handed = [v for v, st in vids if st != "AVAILABLE"]
pooled = [v for v, st in vids if st == "AVAILABLE"]
some = rnd.sample(handed, min(40, len(handed))) + rnd.sample(pooled, min(20, len(pooled)))
strings = {}  # value -> category (first category wins)
def add(cat, s):
    if s is not None and "\x00" in s:
        return
    strings.setdefault(s, cat)

add("null", None)
for s in ["", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u200b", "\ufeff", "0", "-0", "+0", "00", "-", "+",
          "NULL", "null", "None", "true", "1e16", "5.371843613598206e15", "0x13148E7D9B4A2E",
          "5371843613598206", "８５０７５２９１７０３４２３６８"]:
    add("basic", s)
# Spaces, tabs, newlines, invisible characters around and inside valid VIDs.
blanks = [" ", "  ", "\t", "\n", "\r", "\r\n", "\u00a0", "\u2003", "\u200b", "\ufeff", "\u3000", "\x0b", "\x0c"]
for v in some:
    for b in blanks:
        add("space", b + v)
        add("space", v + b)
        k = rnd.randrange(1, L)
        add("space", v[:k] + b + v[k:])
        add("space", v[:k] + b + v[k + 1:])       # a digit replaced: length still 16 units
# Signs.
for v in some:
    for sign in "+-":
        add("sign", sign + v)
        add("sign", sign + v[1:])
        add("sign", v[:-1] + sign)
        k = rnd.randrange(1, L - 1)
        add("sign", v[:k] + sign + v[k + 1:])
    add("sign", "-" + v[:-1].lstrip("0"))
    add("sign", "+-" + v[2:])
# Unicode digits: Arabic-Indic, Extended Arabic-Indic, Devanagari, Bengali, Thai, fullwidth,
# superscripts, mathematical bold (outside the BMP: 2 UTF-16 units each).
scripts = {"arabic-indic": 0x0660, "ext-arabic-indic": 0x06F0, "devanagari": 0x0966, "bengali": 0x09E6,
           "thai": 0x0E50, "fullwidth": 0xFF10, "math-bold": 0x1D7CE, "math-monospace": 0x1D7F6}
supers = "⁰¹²³⁴⁵⁶⁷⁸⁹"
for v in some:
    for name, base in scripts.items():
        add("unicode-digit", "".join(chr(base + int(c)) for c in v))
        k = rnd.randrange(L)
        add("unicode-digit", v[:k] + chr(base + int(v[k])) + v[k + 1:])
        add("unicode-digit", "".join(chr(base + int(c)) for c in v[:L // 2]))   # 8 chars; 16 units outside the BMP
    add("unicode-digit", "".join(supers[int(c)] for c in v))
# Exactly 16 UTF-16 units made of 1-, 2-, 3- and 4-byte UTF-8 characters (the 3x-length shortcut).
for _ in range(60):
    s, units = "", 0
    while units < L:
        c = rnd.choice(["5", "é", "€", "\U0001D7D3"] if units < L - 1 else ["5", "é", "€"])
        s += c
        units += utf16_len(c)
    add("utf16-boundary", s)
# Very long strings (1 MB and a little more).
add("1MB", "5" * 1048576)
add("1MB", ("5371843613598206" * 65536))
add("1MB", "€" * 349526)
add("1MB", "\U0001D7D3" * 262144)
add("1MB", " " * 1048575 + "5")
# SQL fragments.
frags = ["'", "''", "\"", ";", "--", "/*", "*/", "$$", "$x$", "\\", "\\\\", "\\x00", "\\0", "%", "_", "E'\\''",
         "'; DROP TABLE vid.vid; --", "1; SELECT pg_sleep(10); --", "' OR '1'='1", "$$; DROP SCHEMA vid CASCADE; $$",
         "\\.", "\\copy", "COPY vid.vid TO STDOUT", "vid_allocate()", ")", "(", "::bigint", "::text", "||",
         "5371843613598206'; --", "5371843613598206; --", "5371843613598206 --", "53718436135982\\6",
         "5371843613598206\\", "\\5371843613598206", "'5371843613598206'", "$$5371843613598206$$"]
for f in frags:
    add("sql", f)
    for v in rnd.sample(some, 3):
        k = rnd.randrange(L + 1)
        add("sql", v[:k] + f + v[k:])
# Digit strings of every length 0..40.
for n in range(0, 41):
    for _ in range(20):
        add("digits-len", "".join(rnd.choice("0123456789") for _ in range(n)))
    for c in "059":
        add("digits-len", c * n)
    add("digits-len", ("5371843613598206" * 3)[:n])
# Valid VIDs with one digit changed (every position, every other digit), and adjacent swaps.
for v in rnd.sample(handed, min(25, len(handed))) + rnd.sample(pooled, min(5, len(pooled))):
    add("vid", v)
    for k in range(L):
        for c in "0123456789":
            if c != v[k]:
                add("one-digit-changed", v[:k] + c + v[k + 1:])
    for k in range(L - 1):
        if v[k] != v[k + 1]:
            add("swapped", v[:k] + v[k + 1] + v[k] + v[k + 2:])
for v, st in vids:
    add("vid", v)
# Leading zeros.
for v in some:
    add("leading-zero", "0" + v)
    add("leading-zero", "0" + v[1:])
    add("leading-zero", "00" + v[2:])
    add("leading-zero", "000" + v)
    add("leading-zero", v.lstrip("0").zfill(20))
for n in [1, 7, 42, 786, 5371843613598206, 2**31 - 1, 2**63 - 1]:
    for w in (16, 17, 19, 20, 25):
        add("leading-zero", str(n).zfill(w))
add("leading-zero", "9" * 19)
add("leading-zero", str(2**63))
add("leading-zero", str(2**64))
# Random valid UTF-8 (no NUL, no surrogates), of every kind of code point.
def rand_char():
    r = rnd.random()
    if r < 0.3:
        return chr(rnd.randrange(1, 0x80))
    if r < 0.5:
        return chr(rnd.randrange(0x80, 0x800))
    if r < 0.8:
        c = rnd.randrange(0x800, 0x10000)
        return chr(c) if not 0xD800 <= c <= 0xDFFF else "x"
    return chr(rnd.randrange(0x10000, 0x110000))
for _ in range(1500):
    add("random-utf8", "".join(rand_char() for _ in range(rnd.randrange(0, 41))))
for _ in range(200):  # mostly digits, a few odd characters
    s = [rnd.choice("0123456789") for _ in range(L)]
    for _ in range(rnd.randrange(1, 3)):
        s[rnd.randrange(L)] = rand_char()
    add("random-utf8", "".join(s))
# Random 16-digit strings (every rule fails somewhere) and valid VIDs found by this oracle.
for _ in range(1500):
    add("random-16", "".join(rnd.choice("0123456789") for _ in range(L)))
found = 0
while found < 300:
    body = rnd.choice("23456789") + "".join(rnd.choice("0123456789") for _ in range(L - 2))
    s = body + check_digit(body)
    if first_rule(s) is None:
        add("oracle-valid", s)
        found += 1

rejected = [(v, first_rule(v)) for v, st in vids if st == "AVAILABLE" and first_rule(v) is not None]
if rejected:
    print(f"FAILED: the independent implementation of the rules rejects {len(rejected)} pooled VIDs, e.g. {rejected[:3]}")
else:
    print(f"ok: the independent implementation of the rules accepts the {sum(st == 'AVAILABLE' for v, st in vids)} sampled pooled VIDs")

def w(name, header, rows, quote_all=False):
    # Strings: every field quoted ('' stays an empty string; NULL comes from the is_null column).
    # Numbers, timestamps, arrays: an empty unquoted field is NULL.
    with open(f"{work}/{name}.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
        out.writerow(header)
        out.writerows(rows)

rows = []
for i, (s, cat) in enumerate(strings.items(), 1):
    rule = first_rule(s)
    rows.append([i, cat, "t" if s is None else "f", "" if s is None else s, rule or "",
                 "t" if pattern_ok(s) else "f"])
w("strings", ["id", "cat", "is_null", "x", "expect_check", "pattern_ok"], rows, True)
latin = []
for r in rows:
    if r[2] == "f":
        try:
            r[3].encode("latin-1")
            latin.append(r)
        except UnicodeEncodeError:
            pass
w("latin1", ["id", "cat", "is_null", "x", "expect_check", "pattern_ok"], latin, True)

# vid_generate_pool(n integer).
ints = [None, 0, -1, 1, 2, 3, 2147483647, -2147483648, 100000001, 2147483646, -100000000, 100000000 + 1]
ints += [rnd.randrange(-2147483648, 0) for _ in range(120)]
ints += [rnd.randrange(100000001, 2147483648) for _ in range(120)]
ints += [rnd.randrange(1, 21) for _ in range(60)]
w("ints", ["id", "n"], [[i, "" if n is None else n] for i, n in enumerate(ints, 1)])

# vid_allocate(expiry timestamptz): past, now, +-infinity, NULL, near and far future, odd zones.
times = [None, "infinity", "-infinity", "now", "today", "yesterday", "tomorrow", "epoch",
         "294276-12-31 23:59:59.999999+00", "4714-11-24 00:00:00+00 BC", "2000-01-01", "1970-01-01 00:00:00+00",
         "9999-12-31 23:59:59.999999+14", "10000-01-01 00:00:00-12", "100000-06-15 12:00:00+05:30",
         "2100-02-28 23:59:59.999999+00", "1900-01-01 00:00:00+00",
         "0001-01-01 00:00:00+00", "0001-01-01 00:00:00+00 BC"]
for _ in range(150):
    times.append(f"{rnd.randrange(1, 2025):04d}-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d} "
                 f"{rnd.randrange(24):02d}:{rnd.randrange(60):02d}:{rnd.randrange(60):02d}.{rnd.randrange(10**6):06d}"
                 f"{rnd.choice(['+00', '-05', '+05:30', '+14', '-12'])}")
for _ in range(100):
    times.append(f"{rnd.randrange(2027, 294000)}-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d} "
                 f"{rnd.randrange(24):02d}:{rnd.randrange(60):02d}:{rnd.randrange(60):02d}+00")
for _ in range(30):
    times.append(f"{rnd.randrange(1, 4713):04d}-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d} 00:00:00+00 BC")
w("times", ["id", "t"], [[i, "" if t is None else t] for i, t in enumerate(times, 1)])

# vid_configure(length, sequence_limit, repeating_limit, repeated_block_limit, not_start_with).
def arr(elems):
    if elems is None:
        return None
    def one(e):
        if e is None:
            return "NULL"
        return '"' + e.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "{" + ",".join(one(e) for e in elems) + "}"
arrays = [  # (literal, ndims, elements)
    (None, 1, None), ("{}", 1, []), ("{NULL}", 1, [None]), (arr(["1", None]), 1, ["1", None]), (arr([""]), 1, [""]),
    (arr([" "]), 1, [" "]), (arr(["1a"]), 1, ["1a"]), (arr([" 1"]), 1, [" 1"]), (arr(["-1"]), 1, ["-1"]),
    (arr(["+1"]), 1, ["+1"]), (arr(["٣"]), 1, ["٣"]), (arr(["３"]), 1, ["３"]), (arr(["0", "1"]), 1, ["0", "1"]),
    (arr(["9"]), 1, ["9"]), (arr(["123456789012345678"]), 1, ["123456789012345678"]),
    (arr(["1234567890123456789"]), 1, ["1234567890123456789"]), (arr(["'; --"]), 1, ["'; --"]),
    (arr(["NULL"]), 1, ["NULL"]), (arr(["5", "5", "5"]), 1, ["5", "5", "5"]),
    ("{{1},{2}}", 2, ["1", "2"]), ("{{NULL},{2}}", 2, [None, "2"]), ("{{{1}}}", 3, ["1"]), ('{{"",""}}', 2, ["", ""]),
    ("[2:3]={5,6}", 1, ["5", "6"]), ("[-5:-5]={7}", 1, ["7"]),
    (arr([str(d) for d in range(10)]), 1, [str(d) for d in range(10)]),
    (arr([str(i).zfill(3) for i in range(1000)]), 1, [str(i).zfill(3) for i in range(1000)]),
    (arr([str(i).zfill(4) for i in range(1001)]), 1, [str(i).zfill(4) for i in range(1001)]),
]
lengths = [None, -2147483648, -1, 0, 3, 4, 5, 10, 16, 17, 18, 19, 100, 2147483647]
limits = [None, -2147483648, -1, 0, 1, 2, 3, 7, 17, 100, 101, 2147483647]

def expected(l, s, r, b, a):
    nd, elems = a[1], a[2]
    codes = set()
    if a[0] is not None:
        if nd > 1:
            codes.add("22023")
        if any(e is None for e in elems):
            codes.add("22004")
        if nd == 1 and not any(e is None for e in elems):
            if len(elems) > 1000 or any(not pattern_ok(e) for e in elems):
                codes.add("22023")
    if l is not None and not 4 <= l <= 18:
        codes.add("22023")
    for v in (s, r, b):
        if v is not None and not 0 <= v <= 100:
            codes.add("22023")
    return "|".join(sorted(codes)) or "VALID"

combos = set()
for l in lengths:
    combos.add((l, None, None, None, 0))
for v in limits:
    combos.add((None, v, None, None, 0)); combos.add((None, None, v, None, 0)); combos.add((None, None, None, v, 0))
for k in range(len(arrays)):
    combos.add((None, None, None, None, k))
while len(combos) < 700:
    combos.add((rnd.choice(lengths), rnd.choice(limits), rnd.choice(limits), rnd.choice(limits), rnd.randrange(len(arrays))))
cfg = []
for i, (l, s, r, b, k) in enumerate(sorted(combos, key=str), 1):
    a = arrays[k]
    cfg.append([i, *["" if v is None else v for v in (l, s, r, b)], "" if a[0] is None else a[0],
                "t" if a[0] is None else "f", expected(l, s, r, b, a)])
w("configs", ["id", "length", "seq", "rep", "blk", "arr", "arr_isnull", "expect"], cfg)
print(f"generated: {len(rows)} strings ({len(latin)} in LATIN1), {len(ints)} integers, {len(times)} timestamps, "
      f"{len(cfg)} vid_configure argument lists")
PY
cat "$WORK/gen.out"
failures=$((failures + $(grep -c '^FAILED' "$WORK/gen.out" || true)))

# ------------------------------------------------------------------------------------------------
# The harness, in every database: input tables and the per-call subtransaction helpers.
harness() {  # harness DB
    psql -XAtq -v ON_ERROR_STOP=1 -d "$1" <<SQL
CREATE SCHEMA t;
CREATE TABLE t.strings (id int PRIMARY KEY, cat text, is_null boolean, x text, expect_check text, pattern_ok boolean);
CREATE TABLE t.ints (id int PRIMARY KEY, n integer);
CREATE TABLE t.times (id int PRIMARY KEY, t timestamptz);
CREATE TABLE t.configs (id int PRIMARY KEY, length int, seq int, rep int, blk int, arr text[], arr_isnull boolean, expect text);
CREATE TABLE t.result (fn text, id int, state text, value text, at timestamptz DEFAULT clock_timestamp());
CREATE TABLE t.run (phase text PRIMARY KEY, started timestamptz, ended timestamptz);
-- One call in its own subtransaction: 'ok' and the result (as text, NULL as <null>), or the SQLSTATE.
-- With rollback, a successful call is undone too (ZX999 is this harness's own SQLSTATE).
CREATE FUNCTION t.try(fn text, id int, q text, a anyelement, rollback boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql AS \$\$
DECLARE
    res text;
BEGIN
    BEGIN
        EXECUTE q INTO res USING a;
        IF rollback THEN
            RAISE EXCEPTION USING ERRCODE = 'ZX999', MESSAGE = coalesce(left(res, 200), '<null>');
        END IF;
        INSERT INTO t.result (fn, id, state, value) VALUES (fn, id, 'ok', coalesce(left(res, 200), '<null>'));
    EXCEPTION WHEN OTHERS THEN
        IF SQLSTATE = 'ZX999' THEN
            INSERT INTO t.result (fn, id, state, value) VALUES (fn, id, 'ok', SQLERRM);
        ELSE
            INSERT INTO t.result (fn, id, state, value) VALUES (fn, id, SQLSTATE, left(SQLERRM, 200));
        END IF;
    END;
END \$\$;
CREATE FUNCTION t.try_configure(id int, l int, s int, r int, b int, a text[], rollback boolean) RETURNS void
LANGUAGE plpgsql AS \$\$
BEGIN
    BEGIN
        PERFORM vid_configure(l, s, r, b, a);
        IF rollback THEN
            RAISE EXCEPTION USING ERRCODE = 'ZX999';
        END IF;
        INSERT INTO t.result (fn, id, state, value) VALUES ('vid_configure', id, 'ok', '');
    EXCEPTION WHEN OTHERS THEN
        INSERT INTO t.result (fn, id, state, value)
        VALUES ('vid_configure', id, CASE WHEN SQLSTATE = 'ZX999' THEN 'ok' ELSE SQLSTATE END, left(SQLERRM, 200));
    END;
END \$\$;
CREATE FUNCTION t.mark(p text, start boolean) RETURNS void LANGUAGE sql AS \$\$
    INSERT INTO t.run VALUES (p, clock_timestamp(), NULL)
    ON CONFLICT (phase) DO UPDATE SET ended = clock_timestamp() WHERE NOT start \$\$;
SQL
}
for db in h h0 lat; do harness "$db"; done
psql -XAtq -v ON_ERROR_STOP=1 -d h <<SQL
\\copy t.strings FROM '$WORK/strings.csv' WITH (FORMAT csv, HEADER)
UPDATE t.strings SET x = NULL WHERE is_null;
UPDATE t.strings SET expect_check = NULL WHERE expect_check = '';
\\copy t.ints FROM '$WORK/ints.csv' WITH (FORMAT csv, HEADER)
\\copy t.times FROM '$WORK/times.csv' WITH (FORMAT csv, HEADER)
\\copy t.configs FROM '$WORK/configs.csv' WITH (FORMAT csv, HEADER)
UPDATE t.configs SET arr = NULL WHERE arr_isnull;
SQL
psql -XAtq -v ON_ERROR_STOP=1 -d h0 <<SQL
\\copy t.configs FROM '$WORK/configs.csv' WITH (FORMAT csv, HEADER)
UPDATE t.configs SET arr = NULL WHERE arr_isnull;
\\copy t.strings FROM '$WORK/strings.csv' WITH (FORMAT csv, HEADER)
UPDATE t.strings SET x = NULL WHERE is_null;
UPDATE t.strings SET expect_check = NULL WHERE expect_check = '';
SQL
PGCLIENTENCODING=UTF8 psql -XAtq -v ON_ERROR_STOP=1 -d lat <<SQL
\\copy t.strings FROM '$WORK/latin1.csv' WITH (FORMAT csv, HEADER)
UPDATE t.strings SET expect_check = NULL WHERE expect_check = '';
SQL

# Snapshot of the extension's tables before the hostile phase.
psql -XAtq -v ON_ERROR_STOP=1 -d h <<'SQL'
CREATE SCHEMA snap;
CREATE TABLE snap.vid AS SELECT * FROM vid.vid;
CREATE TABLE snap.pool AS SELECT * FROM vid.pool;
CREATE TABLE snap.rule_set AS SELECT * FROM vid.rule_set;
CREATE TABLE snap.restricted_number AS SELECT * FROM vid.restricted_number;
SQL

# ------------------------------------------------------------------------------------------------
# The hostile phase in h: one session, so the rules cache lives through every phase.
start=$SECONDS
rc=0
psql -XAtq -v ON_ERROR_STOP=1 -d h >"$WORK/h.out" 2>"$WORK/h.err" <<'SQL' || rc=$?
SET client_min_messages = warning;
SELECT t.mark('read', true);
SELECT count(t.try('vid_is_valid', id, 'SELECT vid_is_valid($1)::text', x)) FROM t.strings;
SELECT count(t.try('vid_check', id, 'SELECT vid_check($1)', x)) FROM t.strings;
SELECT count(t.try('vid_status', id, 'SELECT vid_status($1)', x)) FROM t.strings;
SELECT t.mark('read', false);
-- vid_revoke commits: only the true answers may change anything.
SELECT t.mark('revoke', true);
SELECT count(t.try('vid_revoke', id, 'SELECT vid_revoke($1)::text', x)) FROM t.strings ORDER BY 1;
SELECT t.mark('revoke', false);
-- Restricted numbers: the refused ones commit (they must change nothing); the acceptable ones change
-- the rules, so they run and are rolled back.
SELECT count(t.try('restricted', id, 'INSERT INTO vid.restricted_number VALUES ($1) RETURNING number', x))
    FROM t.strings WHERE NOT pattern_ok;
SELECT count(t.try('restricted', id, 'INSERT INTO vid.restricted_number VALUES ($1) RETURNING number', x, true))
    FROM t.strings WHERE pattern_ok;
-- The same session still answers with the rules in force (the cache saw every rollback).
SELECT count(t.try('vid_check_again', id, 'SELECT vid_check($1)', x)) FROM t.strings;
-- vid_configure: VIDs exist, so nothing may succeed.
SELECT count(t.try_configure(id, length, seq, rep, blk, arr, false)) FROM t.configs;
-- vid_generate_pool and vid_allocate commit: their successes are accounted for below.
SELECT count(t.try('vid_generate_pool', id, 'SELECT vid_generate_pool($1)::text', n)) FROM t.ints;
SELECT t.mark('allocate', true);
SELECT count(t.try('vid_allocate', id, 'SELECT vid_allocate($1)', t)) FROM t.times;
SELECT t.mark('allocate', false);
SQL
echo "hostile phase in h: $((SECONDS - start)) s (exit $rc)"
[ "$rc" = 0 ] || { fail "the hostile session failed (exit $rc):"; head -20 "$WORK/h.err" | sed 's/^/    | /'; }
server_alive && echo "ok: the server is up and its log shows no crash" || { fail "the server crashed"; exit 1; }

# The same arguments of vid_configure where no VID exists (accepted ones rolled back), then the
# session's cache must still hold the default rules.
start=$SECONDS
rc=0
psql -XAtq -v ON_ERROR_STOP=1 -d h0 >"$WORK/h0.out" 2>"$WORK/h0.err" <<'SQL' || rc=$?
SET client_min_messages = warning;
SELECT count(t.try('vid_check', id, 'SELECT vid_check($1)', x)) FROM t.strings WHERE id % 5 = 0;
SELECT count(t.try_configure(id, length, seq, rep, blk, arr, true)) FROM t.configs;
SELECT count(t.try('vid_check_again', id, 'SELECT vid_check($1)', x)) FROM t.strings WHERE id % 5 = 0;
SQL
echo "vid_configure in h0: $((SECONDS - start)) s (exit $rc)"
[ "$rc" = 0 ] || { fail "the h0 session failed (exit $rc):"; head -20 "$WORK/h0.err" | sed 's/^/    | /'; }
rc=0
PGCLIENTENCODING=UTF8 psql -XAtq -v ON_ERROR_STOP=1 -d lat >"$WORK/lat.out" 2>"$WORK/lat.err" <<'SQL' || rc=$?
SELECT count(t.try('vid_is_valid', id, 'SELECT vid_is_valid($1)::text', x)) FROM t.strings;
SELECT count(t.try('vid_check', id, 'SELECT vid_check($1)', x)) FROM t.strings;
SELECT count(t.try('vid_status', id, 'SELECT vid_status($1)', x)) FROM t.strings;
SQL
[ "$rc" = 0 ] || { fail "the LATIN1 session failed (exit $rc):"; head -20 "$WORK/lat.err" | sed 's/^/    | /'; }
# A valid but huge n is cancelled by statement_timeout and adds nothing.
before=$(q h "SELECT count(*) FROM vid.all_vids")
out=$(PGOPTIONS="-c statement_timeout=1000" psql -XAtq -d h -c "SELECT vid_generate_pool(100000000)" 2>&1 || true)
after=$(q h "SELECT count(*) FROM vid.all_vids")
if grep -q "canceling statement due to statement timeout" <<<"$out" && [ "$before" = "$after" ]; then
    echo "ok: vid_generate_pool(100000000) under statement_timeout = 1s: 57014, nothing added"
else
    fail "vid_generate_pool(100000000) with a timeout: '$out', $before -> $after VIDs"
fi
server_alive && echo "ok: the server is still up, no crash in its log" || { fail "the server crashed"; exit 1; }

# ------------------------------------------------------------------------------------------------
# Assertions.
echo "inputs tried per function:"
for db in h h0 lat; do
    q "$db" "SELECT '  $db: ' || string_agg(fn || ' ' || n, ', ' ORDER BY fn) FROM (SELECT fn, count(*) n FROM t.result GROUP BY fn) s"
done
total=$(q h "SELECT (SELECT count(*) FROM t.strings) + (SELECT count(*) FROM t.ints) + (SELECT count(*) FROM t.times) + (SELECT count(*) FROM t.configs)")
calls=$(( $(q h "SELECT count(*) FROM t.result") + $(q h0 "SELECT count(*) FROM t.result") + $(q lat "SELECT count(*) FROM t.result") ))
echo "distinct inputs: $total; calls: $calls"
[ "$total" -ge 10000 ] && echo "ok: at least 10,000 inputs" || fail "only $total inputs"

for db in h h0 lat; do
    expect_none "$db" "$db: no XX000, XX001 or VD000 from any call" \
        "SELECT count(*) FROM t.result WHERE state IN ('XX000', 'XX001', 'VD000')" \
        "SELECT fn, id, state, value FROM t.result WHERE state IN ('XX000', 'XX001', 'VD000')"
    [ "$db" = h0 ] || expect_none "$db" "$db: every string got an answer from every function (no call lost)" \
        "SELECT count(*) FROM t.strings s CROSS JOIN (SELECT DISTINCT fn FROM t.result WHERE fn NOT IN ('vid_configure', 'vid_generate_pool', 'vid_allocate')) f
         WHERE NOT EXISTS (SELECT FROM t.result r WHERE r.fn = f.fn AND r.id = s.id)
           AND (f.fn <> 'restricted' OR s.x IS NOT NULL OR true)"
    expect_none "$db" "$db: vid_is_valid, vid_check and vid_status never raise an error" \
        "SELECT count(*) FROM t.result WHERE fn IN ('vid_is_valid', 'vid_check', 'vid_check_again', 'vid_status') AND state <> 'ok'" \
        "SELECT fn, id, state, value FROM t.result WHERE fn IN ('vid_is_valid', 'vid_check', 'vid_check_again', 'vid_status') AND state <> 'ok'"
    expect_none "$db" "$db: vid_check equals the independent implementation of the rules (NULL reads 'empty')" \
        "SELECT count(*) FROM t.result r JOIN t.strings s USING (id)
         WHERE r.fn IN ('vid_check', 'vid_check_again') AND r.value IS DISTINCT FROM coalesce(s.expect_check, '<null>')" \
        "SELECT r.fn, s.cat, left(s.x, 40), r.value AS got, s.expect_check AS expected FROM t.result r JOIN t.strings s USING (id)
         WHERE r.fn IN ('vid_check', 'vid_check_again') AND r.value IS DISTINCT FROM coalesce(s.expect_check, '<null>')"
    expect_none "$db" "$db: vid_is_valid(x) = (vid_check(x) IS NULL) for every non-NULL x, NULL for NULL" \
        "SELECT count(*) FROM t.strings s JOIN t.result v ON v.id = s.id AND v.fn = 'vid_is_valid'
                                      JOIN t.result c ON c.id = s.id AND c.fn = 'vid_check'
         WHERE CASE WHEN s.is_null THEN v.value <> '<null>' ELSE v.value <> (c.value = '<null>')::text END" \
        "SELECT s.cat, left(s.x, 40), v.value, c.value FROM t.strings s JOIN t.result v ON v.id = s.id AND v.fn = 'vid_is_valid'
         JOIN t.result c ON c.id = s.id AND c.fn = 'vid_check'
         WHERE CASE WHEN s.is_null THEN v.value <> '<null>' ELSE v.value <> (c.value = '<null>')::text END"
done
# Every category gives some valid and some invalid answers where it should.
check h "the oracle-valid VIDs are all valid, the one-digit-changed ones all invalid (Verhoeff)" \
    "SELECT bool_and(r.value = 'true') FILTER (WHERE s.cat = 'oracle-valid') AND bool_and(r.value = 'false') FILTER (WHERE s.cat = 'one-digit-changed')
     FROM t.strings s JOIN t.result r ON r.id = s.id AND r.fn = 'vid_is_valid'"
q h "SELECT 'vid_check answers in h: ' || string_agg(value || ' ' || n, ', ' ORDER BY n DESC) FROM (SELECT value, count(*) n FROM t.result WHERE fn = 'vid_check' GROUP BY 1) s"

# The expected status of a string, from the snapshot of vid.vid before the calls (a key that was
# only in vid.pool, or nowhere, has no status).
EXPECTED_STATUS="CASE WHEN s.x !~ '^[0-9]{16}\$' OR s.is_null THEN NULL
    WHEN v.status = 'EXPIRED' OR (v.status = 'ASSIGNED' AND v.expiry <= now()) THEN 'EXPIRED'
    WHEN v.status = 'ASSIGNED' THEN 'ASSIGNED' END"
KEY="CASE WHEN s.x ~ '^[0-9]{16}\$' THEN s.x::bigint END"
STATUS_JOIN="t.strings s LEFT JOIN snap.vid v ON v.vid = $KEY"
expect_none h "vid_status agrees with the table for every string (ASSIGNED, EXPIRED incl. by time, NULL otherwise)" \
    "SELECT count(*) FROM $STATUS_JOIN JOIN t.result r ON r.id = s.id AND r.fn = 'vid_status'
     WHERE r.value IS DISTINCT FROM coalesce($EXPECTED_STATUS, '<null>')" \
    "SELECT s.cat, left(s.x, 40), r.value, $EXPECTED_STATUS FROM $STATUS_JOIN JOIN t.result r ON r.id = s.id AND r.fn = 'vid_status'
     WHERE r.value IS DISTINCT FROM coalesce($EXPECTED_STATUS, '<null>')"
EXPECTED_REVOKE="CASE WHEN s.is_null THEN '22004' WHEN s.x !~ '^[0-9]{16}\$' THEN '22P02'
    WHEN $EXPECTED_STATUS = 'ASSIGNED' THEN 'true' WHEN $EXPECTED_STATUS = 'EXPIRED' THEN 'false' ELSE 'VD001' END"
expect_none h "vid_revoke: 22004 for NULL, 22P02 for malformed, VD001 for unknown/pooled/withdrawn, true/false for handed-out" \
    "SELECT count(*) FROM $STATUS_JOIN JOIN t.result r ON r.id = s.id AND r.fn = 'vid_revoke'
     WHERE CASE WHEN r.state = 'ok' THEN r.value ELSE r.state END <> $EXPECTED_REVOKE" \
    "SELECT s.cat, left(s.x, 40), r.state, r.value, $EXPECTED_REVOKE FROM $STATUS_JOIN JOIN t.result r ON r.id = s.id AND r.fn = 'vid_revoke'
     WHERE CASE WHEN r.state = 'ok' THEN r.value ELSE r.state END <> $EXPECTED_REVOKE"
q h "SELECT 'vid_revoke outcomes: ' || string_agg(o || ' ' || n, ', ' ORDER BY o) FROM (SELECT CASE WHEN state = 'ok' THEN value ELSE state END o, count(*) n FROM t.result WHERE fn = 'vid_revoke' GROUP BY 1) s"
expect_none h "restricted numbers: 23502 for NULL, 23505 for one already there, 23514 for a bad pattern, accepted otherwise" \
    "SELECT count(*) FROM t.strings s JOIN t.result r ON r.id = s.id AND r.fn = 'restricted'
     WHERE r.state <> CASE WHEN s.is_null THEN '23502' WHEN s.x IN (SELECT number FROM snap.restricted_number) THEN '23505'
                           WHEN s.pattern_ok THEN 'ok' ELSE '23514' END" \
    "SELECT s.cat, left(s.x, 40), r.state, r.value FROM t.strings s JOIN t.result r ON r.id = s.id AND r.fn = 'restricted'
     WHERE r.state <> CASE WHEN s.is_null THEN '23502' WHEN s.x IN (SELECT number FROM snap.restricted_number) THEN '23505'
                           WHEN s.pattern_ok THEN 'ok' ELSE '23514' END"
expect_none h "vid_generate_pool: 22004 for NULL, 22023 outside 1..100000000, exactly n otherwise" \
    "SELECT count(*) FROM t.ints i JOIN t.result r ON r.id = i.id AND r.fn = 'vid_generate_pool'
     WHERE CASE WHEN r.state = 'ok' THEN r.value ELSE r.state END
        <> CASE WHEN i.n IS NULL THEN '22004' WHEN i.n NOT BETWEEN 1 AND 100000000 THEN '22023' ELSE i.n::text END" \
    "SELECT i.n, r.state, r.value FROM t.ints i JOIN t.result r ON r.id = i.id AND r.fn = 'vid_generate_pool'
     WHERE CASE WHEN r.state = 'ok' THEN r.value ELSE r.state END
        <> CASE WHEN i.n IS NULL THEN '22004' WHEN i.n NOT BETWEEN 1 AND 100000000 THEN '22023' ELSE i.n::text END"
# Expiries: past (before the phase started) and infinite ones refused, future (after it ended) and NULL accepted.
EXPECTED_ALLOC="CASE WHEN tt.t IS NULL THEN 'ok' WHEN NOT isfinite(tt.t) THEN '22023'
    WHEN tt.t < (SELECT started FROM t.run WHERE phase = 'allocate') THEN '22023'
    WHEN tt.t > (SELECT ended FROM t.run WHERE phase = 'allocate') THEN 'ok' END"
expect_none h "vid_allocate: 22023 for a past or infinite expiry, a VID for NULL or a future one" \
    "SELECT count(*) FROM t.times tt JOIN t.result r ON r.id = tt.id AND r.fn = 'vid_allocate'
     WHERE r.state <> $EXPECTED_ALLOC" \
    "SELECT tt.t, r.state, r.value FROM t.times tt JOIN t.result r ON r.id = tt.id AND r.fn = 'vid_allocate' WHERE r.state <> $EXPECTED_ALLOC"
q h "SELECT 'vid_allocate outcomes: ' || string_agg(state || ' ' || n, ', ') FROM (SELECT state, count(*) n FROM t.result WHERE fn = 'vid_allocate' GROUP BY 1) s"
for db in h h0; do
    allowed_ok=55000; [ "$db" = h0 ] && allowed_ok=ok
    expect_none "$db" "$db: vid_configure: each refused argument list got the SQLSTATE of one of its faults (22023/22004), the others $allowed_ok (or 22023: no valid VID)" \
        "SELECT count(*) FROM t.configs c JOIN t.result r ON r.id = c.id AND r.fn = 'vid_configure'
         WHERE NOT (r.state = ANY (string_to_array(c.expect, '|')) OR (c.expect = 'VALID' AND r.state IN ('$allowed_ok', '22023')))" \
        "SELECT c.length, c.seq, c.rep, c.blk, left(c.arr::text, 40), c.expect, r.state, r.value FROM t.configs c
         JOIN t.result r ON r.id = c.id AND r.fn = 'vid_configure'
         WHERE NOT (r.state = ANY (string_to_array(c.expect, '|')) OR (c.expect = 'VALID' AND r.state IN ('$allowed_ok', '22023')))"
done
# h and h0 agree on vid_configure except for 55000 (h) <-> accepted (h0); 22023 for a valid-looking list
# must then be "no valid VID exists" in both.
psql -XAtq -d h -c "\\copy (SELECT r.id, CASE WHEN r.state = '55000' THEN 'ok' ELSE r.state END, CASE WHEN r.state = '55000' THEN '' ELSE r.value END FROM t.result r WHERE fn = 'vid_configure' ORDER BY id) TO '$WORK/cfg.h'"
psql -XAtq -d h0 -c "\\copy (SELECT r.id, r.state, CASE WHEN r.state = 'ok' THEN '' ELSE r.value END FROM t.result r WHERE fn = 'vid_configure' ORDER BY id) TO '$WORK/cfg.h0'"
if cmp -s "$WORK/cfg.h" "$WORK/cfg.h0"; then
    echo "ok: vid_configure gives the same answer with and without VIDs, except 55000 <-> accepted ($(cut -f2 "$WORK/cfg.h0" | sort | uniq -c | awk '{printf "%s%s %s", (NR == 1 ? "" : ", "), $2, $1}'))"
else
    fail "vid_configure answers differ between a database with VIDs and one without:"; diff "$WORK/cfg.h" "$WORK/cfg.h0" | head | sed 's/^/    | /' || true
fi
expect_none h "vid_configure: 22023 for a valid-looking list only says 'no valid VID exists'" \
    "SELECT count(*) FROM t.configs c JOIN t.result r ON r.id = c.id AND r.fn = 'vid_configure'
     WHERE c.expect = 'VALID' AND r.state = '22023' AND r.value <> 'no valid VID exists under these rules'"

# The tables: only the legitimate successes changed anything.
expect_none h "vid.rule_set and vid.restricted_number unchanged (refused calls, rolled-back acceptable ones)" \
    "SELECT (SELECT count(*) FROM ((TABLE vid.rule_set EXCEPT ALL TABLE snap.rule_set) UNION ALL (TABLE snap.rule_set EXCEPT ALL TABLE vid.rule_set)) d)
          + (SELECT count(*) FROM ((TABLE vid.restricted_number EXCEPT ALL TABLE snap.restricted_number)
                              UNION ALL (TABLE snap.restricted_number EXCEPT ALL TABLE vid.restricted_number)) d)"
expect_none h0 "h0: vid.rule_set unchanged after the accepted vid_configure calls were rolled back; still no VID" \
    "SELECT count(*) + (SELECT count(*) FROM vid.all_vids) FROM vid.rule_set WHERE version > 1"
expect_none h "vid.vid: every old row unchanged except revoked (true) ones" \
    "SELECT count(*) FROM snap.vid o JOIN vid.vid n USING (vid)
     WHERE (o.*) IS DISTINCT FROM (n.*)
       AND NOT (o.status = 'ASSIGNED' AND n.status = 'EXPIRED' AND n.revoked_at IS NOT NULL
                AND (o.expiry, o.created_at, o.assigned_at) IS NOT DISTINCT FROM (n.expiry, n.created_at, n.assigned_at)
                AND lpad(o.vid::text, 16, '0') IN (SELECT s.x FROM t.strings s JOIN t.result r ON r.id = s.id AND r.fn = 'vid_revoke' AND r.value = 'true'))"
expect_none h "vid.pool: every old pooled VID is still in vid.pool, or was handed out by a successful vid_allocate (now ASSIGNED in vid.vid)" \
    "SELECT count(*) FROM snap.pool o
     WHERE NOT EXISTS (SELECT FROM vid.pool p WHERE p.vid = o.vid)
       AND NOT (EXISTS (SELECT FROM vid.vid n WHERE n.vid = o.vid AND n.status = 'ASSIGNED')
                AND lpad(o.vid::text, 16, '0') IN (SELECT value FROM t.result WHERE fn = 'vid_allocate' AND state = 'ok'))"
check h "vid.vid and vid.pool: no old row lost; every revoke that returned true made its VID EXPIRED" \
    "SELECT (SELECT count(*) FROM snap.vid WHERE vid NOT IN (SELECT vid FROM vid.vid)) = 0
        AND (SELECT count(*) FROM snap.pool WHERE vid NOT IN (SELECT vid FROM vid.all_vids)) = 0
        AND (SELECT bool_and(n.status = 'EXPIRED' AND n.revoked_at IS NOT NULL) FROM t.result r JOIN t.strings s ON s.id = r.id
             JOIN vid.vid n ON n.vid = $KEY WHERE r.fn = 'vid_revoke' AND r.value = 'true')"
check h "vid.all_vids: the new VIDs are exactly the n of the successful vid_generate_pool calls" \
    "SELECT (SELECT count(*) FROM vid.all_vids WHERE vid NOT IN (SELECT vid FROM snap.vid UNION ALL SELECT vid FROM snap.pool))
          = (SELECT sum(value::bigint) FROM t.result WHERE fn = 'vid_generate_pool' AND state = 'ok')"
check h "vid.vid: every successful vid_allocate returned a distinct valid VID, now ASSIGNED with exactly that expiry" \
    "SELECT count(*) = count(DISTINCT r.value) AND bool_and(vid_is_valid(r.value))
        AND bool_and(n.status = 'ASSIGNED' AND n.expiry IS NOT DISTINCT FROM tt.t AND n.assigned_at IS NOT NULL)
        AND count(*) = (SELECT count(*) FROM vid.vid WHERE status = 'ASSIGNED' AND assigned_at >= (SELECT started FROM t.run WHERE phase = 'allocate'))
     FROM t.result r JOIN t.times tt ON tt.id = r.id JOIN vid.vid n ON n.vid = CASE WHEN r.state = 'ok' THEN r.value::bigint END
     WHERE r.fn = 'vid_allocate' AND r.state = 'ok'"
check h "no duplicate key across vid.pool and vid.vid, every VID in the pool valid" \
    "SELECT count(*) = count(DISTINCT vid) AND (SELECT bool_and(vid_is_valid(lpad(vid::text, 16, '0'))) FROM vid.pool) FROM vid.all_vids"

cluster_stop "$WORK/pg" fast
if grep -qE "terminated by signal|PANIC| XX000 " "$WORK/pg/server.log"; then
    fail "the server log shows a crash or an XX000:"; grep -E "terminated by signal|PANIC| XX000 " "$WORK/pg/server.log" | head || true
else
    echo "ok: the server log shows no crash and no XX000"
fi
if [ "$failures" -gt 0 ]; then
    echo "hostile_input: $failures checks FAILED"
    exit 1
fi
echo "hostile_input: all checks passed"

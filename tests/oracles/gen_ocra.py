#!/usr/bin/env python3
"""Generate (or re-check) tests/data/ocra_oracles.tsv: OCRA (RFC 6287) cases answered by
two independent oracles.

Oracles
  java  RFC 6287 Appendix A (OCRA.java), cut mechanically out of the RFC text by
        extract_ocra_java.py (long arithmetic for 9/10 digits is its only change) and driven
        by OcraOracle.java. The RFC text comes from the oath 1.4.5 sdist (pip download) and is
        checked against its SHA-256.
  oath  PyPI oath==1.4.5 (oath._ocra), imported from the running Python.

Every case is sent to each oracle that can serve it; all serving oracles must agree, and
the answer goes into the file with the names of the oracles that produced it. Which cases
only one oracle serves, and why, is in tests/data/ocra_oracle_differences.md; the reason is
also in the `why` column.

Usage
  gen_ocra.py --seed 6287 --count 1200 --out tests/data/ocra_oracles.tsv
  gen_ocra.py --check tests/data/ocra_oracles.tsv --seed 1 --count 200
      Rebuilds the case list from the file's own seed and count (it must be identical),
      then re-runs a sample of --count cases chosen with --seed live against both oracles
      and compares every answer with the file. Exits non-zero on any difference, on a
      different oath version or on a different reference source.
  --rfc PATH   use this rfc6287.txt instead of downloading the oath sdist.
"""

import argparse
import hashlib
import hmac
import importlib.metadata
import os
import random
import string
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OATH_VERSION = "1.4.5"
COLUMNS = [
    "id", "mode", "suite", "key", "role", "question", "client_challenge", "server_challenge",
    "counter", "password", "password_hash", "session", "timestamp", "unix", "expected",
    "sources", "why",
]
HASHES = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}
UNITS = {"S": (1, 59), "M": (60, 59), "H": (3600, 48)}
STANDARD_S = (64, 128, 256, 512)
U64 = 2**64 - 1
EDGE_COUNTERS = [0, 1, 2, 9, 255, 256, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**63 - 1, 2**63,
                 U64 - 1, U64]


class Suite:
    """The parts of a suite the generator needs, parsed from its (valid) text."""

    def __init__(self, text):
        self.text = text
        _, cf, di = text.upper().split(":")
        _, h, t = cf.split("-")
        self.hash = h
        self.digits = int(t)
        self.counter = False
        self.q = None
        self.p = None
        self.s = None
        self.step = None
        for el in di.split("-"):
            if el == "C":
                self.counter = True
            elif el[0] == "Q":
                self.q = (el[1], int(el[2:]))
            elif el[0] == "P":
                self.p = el[1:]
            elif el[0] == "S":
                self.s = int(el[1:])
            elif el[0] == "T":
                self.step = int(el[1:-1]) * UNITS[el[-1]][0]


def make_suite(h, digits, counter=False, q=("N", 8), p=None, s=None, t=None, qdigits=2):
    parts = []
    if counter:
        parts.append("C")
    parts.append(f"Q{q[0]}{q[1]:0{qdigits}d}")
    if p:
        parts.append(f"P{p}")
    if s is not None:
        parts.append(f"S{s:03d}")
    if t:
        parts.append(t)
    return f"OCRA-1:HOTP-{h}-{digits}:" + "-".join(parts)


def challenge(rng, fmt, length):
    if fmt == "N":
        alphabet = string.digits
    elif fmt == "A":
        alphabet = string.ascii_letters + string.digits
    else:
        alphabet = "0123456789abcdefABCDEF"
    return "".join(rng.choice(alphabet) for _ in range(length))


def random_step(rng):
    unit = rng.choice("SMH")
    return f"T{rng.randint(1, UNITS[unit][1])}{unit}"


class Builder:
    def __init__(self, rng):
        self.rng = rng
        self.cases = []

    def add(self, mode, suite, key=None, role="-", question=None, qc=None, qs=None,
            counter=None, password=None, password_hash=None, session=None, timestamp=None,
            unix=None, hashed_pin=None):
        """Adds a case, filling every input the suite needs that was not given."""
        rng = self.rng
        s = Suite(suite)
        if key is None:
            key = bytes(rng.getrandbits(8) for _ in range(rng.choice([16, 20, 32, 64, rng.randint(1, 200)])))
        if role == "-" and question is None:
            question = challenge(rng, s.q[0], rng.randint(1, s.q[1]))
        if role != "-":
            qc = qc if qc is not None else challenge(rng, s.q[0], rng.randint(1, s.q[1]))
            qs = qs if qs is not None else challenge(rng, s.q[0], rng.randint(1, s.q[1]))
        if s.counter and counter is None:
            counter = rng.choice([rng.choice(EDGE_COUNTERS), rng.randint(0, 1000), rng.getrandbits(64)])
        if s.p and password is None and password_hash is None:
            pin = "".join(rng.choice(string.digits + string.ascii_letters) for _ in range(rng.randint(1, 16)))
            if rng.random() < 0.5:
                password = pin
            else:
                password_hash = HASHES[s.p](pin.encode()).digest()
                hashed_pin = pin
        if s.s is not None and session is None:
            session = bytes(rng.getrandbits(8) for _ in range(s.s))
        if s.step and timestamp is None and unix is None:
            if rng.random() < 0.5:
                timestamp = rng.choice([rng.randint(0, 2**32), rng.choice([0, 1, U64, 2**32])])
            else:
                unix = rng.choice([rng.randint(0, 2**34), rng.randint(0, 2**40)])
        self.cases.append({
            "mode": mode, "suite": suite, "key": key.hex(), "role": role,
            "question": question, "client_challenge": qc, "server_challenge": qs,
            "counter": counter, "password": password,
            "password_hash": password_hash.hex() if password_hash is not None else None,
            "session": session.hex() if session is not None else None,
            "timestamp": timestamp, "unix": unix,
            # Not in the file: the PIN behind password_hash, for oath (see oath_kwargs).
            "_pin": hashed_pin,
        })


def build_cases(seed, count):
    rng = random.Random(seed)
    b = Builder(rng)
    algs = ["SHA1", "SHA256", "SHA512"]

    # Every digit count (0 = full HMAC, 4..=10) with every algorithm, with and without C.
    for h in algs:
        for d in [0, 4, 5, 6, 7, 8, 9, 10]:
            for c in (False, True):
                b.add("oneway", make_suite(h, d, counter=c))
                b.add("oneway", make_suite(h, d, counter=c, q=("A", 16), p="SHA1", t="T30S"))

    # Every question format and maximum length, challenges of the maximum length and shorter.
    for fmt in "ANH":
        for ln in range(4, 65):
            h = rng.choice(algs)
            suite = make_suite(h, rng.choice([6, 8]), q=(fmt, ln))
            b.add("oneway", suite, question=challenge(rng, fmt, ln))
            if ln % 4 == 0:
                b.add("oneway", suite, question=challenge(rng, fmt, rng.randint(1, ln)))
    # Odd-length hexadecimal challenges (trailing zero nibble).
    for ln in (1, 3, 5, 7, 9, 15, 31, 63):
        b.add("oneway", make_suite(rng.choice(algs), 6, q=("H", 64)), question=challenge(rng, "H", ln))
    # Numeric challenges: zeros, leading zeros, the largest values.
    for q in ["0", "00000000", "00012345", "12345", "1", "9", "15", "16", "255", "256",
              "9" * 64, "1" + "0" * 63, "0" * 63 + "1", "18446744073709551615",
              "18446744073709551616", "340282366920938463463374607431768211456"]:
        b.add("oneway", make_suite(rng.choice(algs), 8, q=("N", 64)), question=q)
    # One-digit question length as in RFC 6287 s6.4 (QH8).
    b.add("oneway", "OCRA-1:HOTP-SHA1-4:QH8-S512")
    b.add("oneway", "OCRA-1:HOTP-SHA1-6:QN8")
    b.add("oneway", "OCRA-1:HOTP-SHA256-6:QA4-T1M")

    # Counters at the edges, every algorithm.
    for h in algs:
        for c in EDGE_COUNTERS:
            b.add("oneway", make_suite(h, rng.choice([6, 8, 10]), counter=True), counter=c)

    # Every P variant, raw PIN and precomputed hash.
    for p in algs:
        for h in algs:
            b.add("oneway", make_suite(h, 8, q=("N", 8), p=p), password="1234")
            b.add("oneway", make_suite(h, 8, q=("N", 8), p=p),
                  password_hash=HASHES[p](b"1234").digest(), hashed_pin="1234")
            b.add("oneway", make_suite(h, 6, counter=True, q=("A", 20), p=p))

    # Session information: the four standard lengths, then others (oath only).
    for sl in STANDARD_S:
        for h in algs:
            b.add("oneway", make_suite(h, rng.choice([6, 8]), q=("H", 40), s=sl))
            b.add("oneway", make_suite(h, 8, counter=True, q=("N", 10), p="SHA256", s=sl, t="T1M"))
    for sl in (1, 2, 20, 32, 63, 65, 100, 127, 129, 255, 300, 511):
        b.add("oneway", make_suite(rng.choice(algs), 6, q=("A", 8), s=sl))

    # Every time step value of every unit, with step counts and with Unix times.
    for unit, (secs, top) in UNITS.items():
        for v in range(1, top + 1):
            suite = make_suite(rng.choice(algs), rng.choice([6, 8]), q=("N", 8), t=f"T{v}{unit}")
            if v % 2:
                b.add("oneway", suite, timestamp=rng.randint(0, 2**33))
            else:
                b.add("oneway", suite, unix=rng.randint(0, 2**34))
    for unix in (0, 1, 59, 60, 61, 3599, 3600, 1206446790, 1234567890, 2000000000, 2**32, 2**40):
        b.add("oneway", make_suite("SHA512", 8, q=("N", 8), t=rng.choice(["T1S", "T1M", "T1H", "T30S", "T48H"])), unix=unix)
    for ts in (0, 1, 2**32 - 1, 2**63, U64):
        b.add("oneway", make_suite("SHA1", 6, q=("N", 8), t="T1M"), timestamp=ts)
    # Leading zero in the step value (the grammar's 1*2DIGIT).
    b.add("oneway", "OCRA-1:HOTP-SHA1-6:QN08-T05M")
    # Unix times beyond oath's float division (java only).
    for unix in (2**60 + 59, U64, U64 - 3599):
        b.add("oneway", make_suite("SHA256", 8, q=("N", 8), t=rng.choice(["T1M", "T1H", "T7S"])), unix=unix)

    # Every key length 1..=200.
    for kl in range(1, 201):
        key = bytes(rng.getrandbits(8) for _ in range(kl))
        b.add("oneway", make_suite(algs[kl % 3], 6 + kl % 3, q=("A", 12)), key=key)

    # Mutual challenge-response, both roles, all formats; the C.2 pair of suites.
    for fmt in "ANH":
        for ln in (4, 8, 10, 32, 64):
            for role in ("server", "client"):
                suite = make_suite(rng.choice(algs), 8, counter=rng.random() < 0.3, q=(fmt, ln),
                                   p="SHA1" if role == "client" and rng.random() < 0.5 else None,
                                   s=rng.choice([None, 64]), t=rng.choice([None, "T1M"]))
                b.add("mutual", suite, role=role, qc=challenge(rng, fmt, ln), qs=challenge(rng, fmt, ln))
                b.add("mutual", suite, role=role)
    for i in range(5):
        b.add("mutual", "OCRA-1:HOTP-SHA512-8:QA08", role="server", qc=f"CLI2222{i}", qs=f"SRV1111{i}")
        b.add("mutual", "OCRA-1:HOTP-SHA512-8:QA08-PSHA1", role="client", qc=f"CLI2222{i}",
              qs=f"SRV1111{i}", password="1234")

    # Signatures: plain, and with server authentication ([C] QFxx [P] [T], no S).
    for _ in range(40):
        fmt = rng.choice("ANH")
        suite = make_suite(rng.choice(algs), rng.choice([6, 8, 10]), counter=rng.random() < 0.3,
                           q=(fmt, rng.choice([8, 10, 20, 40, 64])),
                           p=rng.choice([None, "SHA1", "SHA256"]), t=rng.choice([None, "T1M", "T1H", "T10S"]))
        b.add("signature", suite)
        b.add("signature-server", suite, role=rng.choice(["server", "client"]))

    # Lower-case and mixed-case suites (the reference matches case-insensitively; java only).
    for suite in ("ocra-1:hotp-sha1-6:qn08", "OCRA-1:HOTP-sha256-8:c-qa10-psha1",
                  "ocra-1:HOTP-SHA512-8:QH20-s064-t1m"):
        b.add("oneway", suite)

    # Random suites over the whole grammar up to the requested count.
    if len(b.cases) > count:
        raise SystemExit(f"--count {count} is below the {len(b.cases)} fixed cases")
    while len(b.cases) < count:
        q = (rng.choice("ANH"), rng.randint(4, 64))
        s = rng.choice([None, None, rng.choice(STANDARD_S), rng.randint(1, 512)])
        suite = make_suite(rng.choice(algs), rng.choice([0, 4, 5, 6, 7, 8, 9, 10]),
                           counter=rng.random() < 0.4, q=q,
                           p=rng.choice([None, None, "SHA1", "SHA256", "SHA512"]), s=s,
                           t=rng.choice([None, None, random_step(rng)]))
        role = rng.choice(["-", "-", "server", "client"])
        b.add("oneway" if role == "-" else "mutual", suite, role=role)
        last = b.cases[-1]
        if java_reasons(last, Suite(suite)) and oath_reasons(last, Suite(suite)):
            b.cases.pop()  # neither oracle could answer it
    for i, case in enumerate(b.cases, 1):
        case["id"] = i
    return b.cases


def message_question(case):
    if case["role"] == "-":
        return case["question"]
    if case["role"] == "server":
        return case["client_challenge"] + case["server_challenge"]
    return case["server_challenge"] + case["client_challenge"]


def steps(case, suite):
    if case["timestamp"] is not None:
        return case["timestamp"]
    if case["unix"] is not None:
        return case["unix"] // suite.step
    return None


def password_hash(case, suite):
    if case["password_hash"] is not None:
        return case["password_hash"]
    if case["password"] is not None:
        return HASHES[suite.p](case["password"].encode()).hexdigest()
    return None


def java_reasons(case, suite):
    """Why the Java reference cannot serve this case (empty: it can)."""
    why = []
    if suite.digits == 0:
        why.append("t0")  # DIGITS_POWER[0] = 1: always "0"
    if suite.s is not None and suite.s not in STANDARD_S:
        why.append("s-length")  # only S064/S128/S256/S512 are recognised
    return why


def oath_reasons(case, suite):
    why = []
    if suite.text != suite.text.upper() or suite.text.split(":")[0] != "OCRA-1":
        why.append("case")  # oath matches 'OCRA-1', 'HOTP', 'C', 'Q'... case-sensitively
    if suite.q[0] == "H" and len(message_question(case)) % 2:
        why.append("odd-hex")  # bytes.fromhex rejects an odd number of nibbles
    if case["unix"] is not None and case["unix"] > 2**40:
        why.append("float-time")  # int(T / period) in floating point
    return why


def java_line(case, suite):
    q = message_question(case)
    if suite.q[0] == "N":
        qhex = format(int(q), "x")
    elif suite.q[0] == "A":
        qhex = q.encode("ascii").hex()
    else:
        qhex = q
    t = steps(case, suite)
    fields = [
        suite.text, case["key"],
        format(case["counter"], "x") if case["counter"] is not None else "-",
        qhex, password_hash(case, suite) or "-", case["session"] or "-",
        format(t, "x") if t is not None else "-",
    ]
    return "\t".join(f if f != "" else "-" for f in fields)


def run_java(classdir, cases):
    lines = "".join(java_line(c, Suite(c["suite"])) + "\n" for c in cases)
    out = subprocess.run(["java", "-cp", classdir, "OcraOracle"], input=lines, text=True,
                         capture_output=True, check=True).stdout.splitlines()
    if len(out) != len(cases):
        raise SystemExit(f"java oracle answered {len(out)} of {len(cases)} cases")
    return out


def oath_kwargs(case, suite):
    kw = {}
    if case["role"] == "-":
        kw["Q"] = case["question"]
    else:
        kw["Qsc"] = message_question(case)
    if case["counter"] is not None:
        kw["C"] = case["counter"]
    if case["password"] is not None:
        kw["P"] = case["password"]
    if case["password_hash"] is not None:
        # oath 1.4.5's P_digest path raises AttributeError (it asks the hashlib constructor
        # for digest_size), so oath gets the PIN the hash was made from.
        kw["P"] = case["_pin"]
    if case["session"] is not None:
        kw["S"] = bytes.fromhex(case["session"])
    if case["timestamp"] is not None:
        kw["T_precomputed"] = case["timestamp"]
    if case["unix"] is not None:
        kw["T"] = case["unix"]
        # oath 1.4.5 tests is_int(T_precomputed) first, and is_int(None) raises TypeError:
        # a non-numeric string makes it fall through to T.
        kw["T_precomputed"] = ""
    return kw


def run_oath(case, suite):
    """Returns (answer as the file states it, oath's own output)."""
    from oath import _ocra

    s = _ocra.str2ocrasuite(suite.text)
    kw = oath_kwargs(case, suite)
    native = s(bytes.fromhex(case["key"]), **kw)
    if suite.digits != 0:
        return native, native
    # t = 0: oath answers the 31-bit truncated value in decimal. The RFC's answer is the full
    # HMAC; take it over oath's own message assembly and check oath's value against it.
    msg = suite.text.encode("ascii") + b"\0" + s.data_input(**kw)
    full = hmac.new(bytes.fromhex(case["key"]), msg, s.crypto_function.hash_algo).digest()
    off = full[-1] & 15
    dt = int.from_bytes(full[off:off + 4], "big") & 0x7FFFFFFF
    if native != str(dt):
        raise SystemExit(f"case {case['id']}: oath t=0 output {native} is not the truncation of {full.hex()}")
    return full.hex(), native


def answer(cases, classdir):
    """Runs both oracles; returns rows with expected, sources and why filled in."""
    java_out = run_java(classdir, cases)
    rows = []
    for case, jv in zip(cases, java_out):
        suite = Suite(case["suite"])
        jwhy, owhy = java_reasons(case, suite), oath_reasons(case, suite)
        answers = {}
        if not jwhy:
            answers["java"] = jv
        elif "t0" in jwhy and jv != "0":
            raise SystemExit(f"case {case['id']}: java t=0 answered {jv}, expected its documented '0'")
        if not owhy:
            answers["oath"] = run_oath(case, suite)[0]
        if not answers:
            raise SystemExit(f"case {case['id']}: no oracle serves it ({jwhy + owhy})")
        if len(set(answers.values())) != 1 or any(v.startswith("ERROR") for v in answers.values()):
            raise SystemExit(f"case {case['id']} {case['suite']}: oracles disagree: {answers}")
        row = dict(case)
        row["expected"] = next(iter(answers.values()))
        row["sources"] = "+".join(sorted(answers))
        row["why"] = ",".join(sorted(set(jwhy + owhy))) or "-"
        rows.append(row)
    return rows


def fmt_row(row):
    out = []
    for col in COLUMNS:
        v = row[col]
        out.append("-" if v is None else str(v))
    return "\t".join(out)


def input_cols(row):
    return [c for c in COLUMNS if c not in ("expected", "sources", "why")]


def prepare_oracles(rfc):
    """Extracts and compiles the Java reference; checks oath. Returns (classdir, versions)."""
    try:
        have = importlib.metadata.version("oath")
    except importlib.metadata.PackageNotFoundError:
        raise SystemExit("oath is not installed (pip install oath==%s)" % OATH_VERSION)
    if have != OATH_VERSION:
        raise SystemExit(f"oath {have} installed, the file was made with {OATH_VERSION}")
    work = tempfile.mkdtemp(prefix="ocra-oracle-")
    if rfc is None:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", f"oath=={OATH_VERSION}",
                        "--no-deps", "--no-binary", ":all:", "-d", work], check=True)
        subprocess.run(["tar", "xzf", f"oath-{OATH_VERSION}.tar.gz"], cwd=work, check=True)
        rfc = os.path.join(work, f"oath-{OATH_VERSION}", "doc", "rfc6287.txt")
    java_sha = subprocess.run([sys.executable, os.path.join(HERE, "extract_ocra_java.py"), rfc, work],
                              check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run(["javac", "-nowarn", "-d", work, os.path.join(work, "OCRA.java"),
                    os.path.join(HERE, "OcraOracle.java")], check=True)
    with open(os.path.join(HERE, "OcraOracle.java"), "rb") as f:
        driver_sha = hashlib.sha256(f.read()).hexdigest()
    return work, f"java OCRA.java sha256={java_sha} driver sha256={driver_sha}; oath {OATH_VERSION}"


def header(seed, count, versions):
    return [
        f"# OCRA (RFC 6287) differential cases: tests/oracles/gen_ocra.py --seed {seed} --count {count}",
        f"# oracles: {versions}",
        "# '-' = absent; counter/timestamp/unix decimal; key, password_hash, session hex;",
        "# role server: Q = client_challenge || server_challenge; client: server || client.",
        "# expected: decimal response, or lower-case hex of the full HMAC when digits = 0",
        "# " + "\t".join(COLUMNS),
    ]


def generate(args):
    cases = build_cases(args.seed, args.count)
    classdir, versions = prepare_oracles(args.rfc)
    rows = answer(cases, classdir)
    with open(args.out, "w", encoding="utf-8") as f:
        for line in header(args.seed, args.count, versions):
            f.write(line + "\n")
        for row in rows:
            f.write(fmt_row(row) + "\n")
    by = {}
    for row in rows:
        by[row["sources"]] = by.get(row["sources"], 0) + 1
    print(f"wrote {len(rows)} cases to {args.out}: {by}")


def check(args):
    lines = open(args.check, encoding="utf-8").read().splitlines()
    first = lines[0].split()
    seed = int(first[first.index("--seed") + 1])
    count = int(first[first.index("--count") + 1])
    recorded = lines[1].removeprefix("# oracles: ")
    classdir, versions = prepare_oracles(args.rfc)
    if recorded != versions:
        raise SystemExit(f"FAIL: oracle versions changed:\n  file: {recorded}\n  live: {versions}")
    data = [l for l in lines if not l.startswith("#")]
    cases = build_cases(seed, count)
    if len(data) != len(cases):
        raise SystemExit(f"FAIL: file has {len(data)} cases, generator makes {len(cases)}")
    ncols = len(input_cols(None))
    for line, case in zip(data, cases):
        if line.split("\t")[:ncols] != fmt_row({**case, "expected": None, "sources": None, "why": None}).split("\t")[:ncols]:
            raise SystemExit(f"FAIL: case {case['id']} inputs differ from the generator:\n  {line}")
    sample = random.Random(args.seed).sample(cases, min(args.count, len(cases)))
    sample.sort(key=lambda c: c["id"])
    rows = answer(sample, classdir)
    bad = 0
    for row in rows:
        line = data[row["id"] - 1]
        if fmt_row(row) != line:
            bad += 1
            print(f"FAIL case {row['id']}:\n  file: {line}\n  live: {fmt_row(row)}")
    if bad:
        raise SystemExit(f"FAIL: {bad} of {len(rows)} sampled cases differ")
    print(f"ok: {len(rows)} sampled cases of {len(cases)} agree live ({versions})")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--out")
    ap.add_argument("--check")
    ap.add_argument("--rfc")
    args = ap.parse_args()
    if bool(args.out) == bool(args.check):
        ap.error("give exactly one of --out and --check")
    generate(args) if args.out else check(args)


if __name__ == "__main__":
    main()

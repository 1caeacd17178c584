#!/usr/bin/env python3
"""Seeded HOTP/TOTP vector generator checked against independent oracles.

Each case (kind, algorithm, digits, key, counter or time/period/T0) is drawn
from a seeded PRNG and put to every oracle that can answer it:

  oathtool     Debian's oathtool (OATH Toolkit, C), run as a subprocess
  pyotp        PyPI pyotp
  oath         PyPI oath (python-oath)

Some oracles are reached through a thin, documented adapter (see
tests/data/oracle_differences.md); the adapter is part of the oracle's name in
the `oracles` column:

  oathtool:totp-s1  HOTP with SHA-256/512 through `oathtool --totp=H -s 1 -N @C`
                    (oathtool's HOTP mode is SHA-1 only; with a 1 s step and
                    T0 = 0 the TOTP counter is exactly C)
  pyotp:step        TOTP beyond pyotp's time range (year 10000): pyotp's HOTP
                    at the step (t - T0) div period, computed here in integers
  oath:step         TOTP beyond 2^53 s, where oath's float division is wrong:
                    oath's HOTP at that integer step

pyotp and oath have no T0: they are given t - T0.  pyotp refuses keys under
112 bits; its documented `min_secret_length_bits` override is lowered to 8.
oath has formats dec6/7/8 only; 9 and 10 digits use its `dec` format (the
31-bit truncated value) reduced mod 10^digits and zero-padded.

A case is kept when at least two oracles answered and all answers are equal.
Any disagreement aborts the run (exit 1) with the case and every answer.

Usage:
  gen_otp.py --seed 3 --count 3600 --out tests/data/otp_oracles.tsv
  gen_otp.py --check tests/data/otp_oracles.tsv --seed 7 --count 300
  gen_otp.py --probe        # re-check every claim of oracle_differences.md
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.metadata
import pathlib
import random
import re
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"

U64_MAX = 2**64 - 1
I64_MAX = 2**63 - 1
PYOTP_TIME_LIMIT = 253402300800  # pyotp refuses times at or after year 10000
OATH_FLOAT_EXACT = 2**53  # below this oath's int(t / period) equals t // period
EDGES = [0, 2**31, 2**32, 2**63, U64_MAX]
ALGORITHMS = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}
COLUMNS = ["kind", "algorithm", "digits", "key_hex", "counter", "time", "period", "t0", "code", "oracles"]


class OracleFailure(Exception):
    """A disagreement, a version change or a broken claim: always fatal."""


def die(message: str) -> None:
    print(f"gen_otp.py: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


# --------------------------------------------------------------------------
# versions


def pinned_versions() -> dict[str, str]:
    pins = {}
    for line in REQUIREMENTS.read_text().splitlines():
        m = re.match(r"^\s*#\s*debian:\s*([A-Za-z0-9_.-]+)==(\S+)", line)
        if m:
            pins[m.group(1)] = m.group(2)
            continue
        line = line.split("#", 1)[0].strip().rstrip("\\").strip()
        if line and not line.startswith("--"):  # skip `--hash=` continuation lines
            name, _, version = line.partition("==")
            if not version:
                raise OracleFailure(f"{REQUIREMENTS}: {line!r} is not pinned with ==")
            pins[name.strip()] = version.strip()
    return pins


def installed_versions() -> dict[str, str]:
    versions = {}
    try:
        out = subprocess.run(["oathtool", "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise OracleFailure(f"oathtool is not runnable: {e}") from e
    m = re.match(r"oathtool \(OATH Toolkit\) (\S+)", out)
    versions["oathtool"] = m.group(1) if m else f"unparsed: {out.splitlines()[:1]}"
    for name in ("pyotp", "oath"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def check_versions() -> dict[str, str]:
    pins, have = pinned_versions(), installed_versions()
    bad = [f"{n}: pinned {pins[n]}, installed {have.get(n)}" for n in pins if have.get(n) != pins[n]]
    if bad:
        raise OracleFailure("oracle version changed: " + "; ".join(bad))
    return have


def versions_line(versions: dict[str, str]) -> str:
    return "# oracles: " + " ".join(f"{n}=={v}" for n, v in sorted(versions.items()))


# --------------------------------------------------------------------------
# oracles: each returns the code, or None when it cannot answer the case


def run_oathtool(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(["oathtool", *args], capture_output=True, text=True, timeout=10)


def oathtool_answer(args: list[str]) -> str:
    p = run_oathtool(args)
    if p.returncode != 0:
        raise OracleFailure(f"oathtool {' '.join(args)} failed ({p.returncode}): {p.stderr.strip()}")
    return p.stdout.strip()


def oracle_oathtool(case: dict) -> tuple[str, str] | None:
    d, alg, key = case["digits"], case["algorithm"], case["key_hex"]
    if d not in (6, 7, 8):
        return None
    if case["kind"] == "hotp":
        c = case["counter"]
        if alg == "SHA1":
            return "oathtool", oathtool_answer(["-d", str(d), "-c", str(c), key])
        if c <= I64_MAX:
            return "oathtool:totp-s1", oathtool_answer(
                [f"--totp={alg}", "-d", str(d), "-s", "1", "-S", "@0", "-N", f"@{c}", key]
            )
        return None
    t, t0, p = case["time"], case["t0"], case["period"]
    if t > I64_MAX or t0 > I64_MAX or t < t0:
        return None  # time_t range; before T0 oathtool truncates toward zero or wraps
    return "oathtool", oathtool_answer(
        [f"--totp={alg}", "-d", str(d), "-s", str(p), "-S", f"@{t0}", "-N", f"@{t}", key]
    )


def _pyotp_classes():
    import pyotp

    class Hotp(pyotp.HOTP):
        min_secret_length_bits = 8  # documented override; the default is 112

    class Totp(pyotp.TOTP):
        min_secret_length_bits = 8

    return Hotp, Totp


def oracle_pyotp(case: dict) -> tuple[str, str] | None:
    Hotp, Totp = _pyotp_classes()
    key = bytes.fromhex(case["key_hex"])
    secret = base64.b32encode(key).decode()
    h = ALGORITHMS[case["algorithm"]]
    d = case["digits"]
    if case["kind"] == "hotp":
        return "pyotp", Hotp(secret, digits=d, digest=h).at(case["counter"])
    t, t0, p = case["time"], case["t0"], case["period"]
    if t < t0:
        return None
    if 1 <= p <= 120 and t - t0 < PYOTP_TIME_LIMIT:
        return "pyotp", Totp(secret, digits=d, digest=h, interval=p).at(t - t0)
    return "pyotp:step", Hotp(secret, digits=d, digest=h).at((t - t0) // p)


def _oath_code(fn, d: int, **kw) -> str:
    if d in (6, 7, 8):
        return fn(format=f"dec{d}", **kw)
    raw = int(fn(format="dec", **kw))  # the 31-bit truncated value
    return str(raw % 10**d).zfill(d)


def oracle_oath(case: dict) -> tuple[str, str] | None:
    import oath

    h = ALGORITHMS[case["algorithm"]]
    d, key = case["digits"], case["key_hex"]
    if case["kind"] == "hotp":
        return "oath", _oath_code(lambda **kw: oath.hotp(key, case["counter"], **kw), d, hash=h)
    t, t0, p = case["time"], case["t0"], case["period"]
    if t < t0:
        return None
    if t - t0 < OATH_FLOAT_EXACT:
        return "oath", _oath_code(lambda **kw: oath.totp(key, period=p, t=t - t0, **kw), d, hash=h)
    return "oath:step", _oath_code(lambda **kw: oath.hotp(key, (t - t0) // p, **kw), d, hash=h)


ORACLES = [oracle_oathtool, oracle_pyotp, oracle_oath]


def ask_all(case: dict) -> tuple[str, list[str]] | None:
    """Returns (code, oracles that agreed), None if fewer than two answered."""
    answers = []
    for oracle in ORACLES:
        try:
            a = oracle(case)
        except OracleFailure:
            raise
        except Exception as e:  # an oracle refusing a case it was expected to answer
            raise OracleFailure(f"{oracle.__name__} raised {e!r} on {case}") from e
        if a is not None:
            answers.append(a)
    codes = {code for _, code in answers}
    if len(codes) > 1:
        raise OracleFailure(f"oracles disagree on {case}: {answers}")
    if len(answers) < 2:
        return None
    code = codes.pop()
    if len(code) != case["digits"] or not code.isdigit():
        raise OracleFailure(f"malformed code {code!r} for {case}")
    return code, [name for name, _ in answers]


# --------------------------------------------------------------------------
# drawing cases

KEY_EDGES = [1, 2, 10, 13, 14, 15, 16, 19, 20, 21, 32, 33, 63, 64, 65, 127, 128, 129, 254, 255]
PERIOD_EDGES = [1, 2, 29, 30, 31, 59, 60, 61, 119, 120]


def near(rng: random.Random, values: list[int]) -> int:
    v = rng.choice(values) + rng.choice([-2, -1, 0, 0, 0, 1, 2])
    return min(max(v, 0), U64_MAX)


def draw_u64(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.45:
        return near(rng, EDGES + [1, 2**31 - 1, 2**32 - 1, 2**63 - 1])
    bits = rng.randint(1, 64)
    return rng.getrandbits(bits)


def draw_case(rng: random.Random) -> dict:
    kind = rng.choice(["hotp", "totp"])
    alg = rng.choice(list(ALGORITHMS))
    digits = rng.randint(6, 10)
    n = rng.choice(KEY_EDGES) if rng.random() < 0.35 else rng.randint(1, 255)
    key = bytes(rng.getrandbits(8) for _ in range(n))
    case = {"kind": kind, "algorithm": alg, "digits": digits, "key_hex": key.hex()}
    if kind == "hotp":
        case.update(counter=draw_u64(rng), time=None, period=None, t0=None)
        return case
    period = rng.choice(PERIOD_EDGES) if rng.random() < 0.4 else rng.randint(1, 120)
    r = rng.random()
    if r < 0.3:
        t0 = 0
    elif r < 0.8:
        t0 = rng.choice([1, 30, rng.randint(1, 2**31), rng.randint(1, 2**40)])
    else:
        t0 = draw_u64(rng)
    r = rng.random()
    if r < 0.5:
        t = draw_u64(rng)  # an edge time (0, 2^31, 2^32, 2^63, u64::MAX) or random
    elif r < 0.75:
        # step edges: the last and first second of a step, 2^31/2^32/2^63 steps
        step = near(rng, [0, 1, 2**31, 2**32, 2**63]) if rng.random() < 0.5 else rng.getrandbits(40)
        t = t0 + step * period + rng.choice([0, period - 1])
    else:
        t = t0 + rng.randint(0, 2**34)
    if t < t0 or t > U64_MAX:
        t = t0 + rng.randint(0, min(2**34, U64_MAX - t0))
    case.update(counter=None, time=t, period=period, t0=t0)
    return case


# --------------------------------------------------------------------------
# TSV


def fmt(v) -> str:
    return "-" if v is None else str(v)


def row_of(case: dict, code: str, oracles: list[str]) -> str:
    values = [case["kind"], case["algorithm"], case["digits"], case["key_hex"], case["counter"],
              case["time"], case["period"], case["t0"], code, ",".join(oracles)]
    return "\t".join(fmt(v) for v in values)


def parse_tsv(path: pathlib.Path) -> tuple[list[str], list[tuple[dict, str, str]]]:
    comments, rows = [], []
    lines = path.read_text().splitlines()
    header_seen = False
    for number, line in enumerate(lines, 1):
        if line.startswith("#"):
            comments.append(line)
            continue
        fields = line.split("\t")
        if not header_seen:
            if fields != COLUMNS:
                raise OracleFailure(f"{path}:{number}: header is {fields}, expected {COLUMNS}")
            header_seen = True
            continue
        if len(fields) != len(COLUMNS):
            raise OracleFailure(f"{path}:{number}: {len(fields)} fields")
        f = dict(zip(COLUMNS, fields))
        num = lambda s: None if s == "-" else int(s)  # noqa: E731
        case = {"kind": f["kind"], "algorithm": f["algorithm"], "digits": int(f["digits"]),
                "key_hex": f["key_hex"], "counter": num(f["counter"]), "time": num(f["time"]),
                "period": num(f["period"]), "t0": num(f["t0"])}
        rows.append((case, f["code"], f["oracles"]))
    return comments, rows


# --------------------------------------------------------------------------
# probes: every claim of tests/data/oracle_differences.md, re-checked live


def probes() -> list[tuple[str, bool]]:
    import oath

    Hotp, Totp = _pyotp_classes()
    import pyotp

    k = "3132333435363738393031323334353637383930"  # RFC 4226 key
    s = base64.b32encode(bytes.fromhex(k)).decode()
    results = []

    def claim(text: str, fn) -> None:
        try:
            ok = bool(fn())
        except Exception as e:  # a claim that raises is a broken claim
            print(f"  probe raised: {text}: {e!r}", file=sys.stderr)
            ok = False
        results.append((text, ok))

    def ot(*args):
        p = run_oathtool(list(args))
        return p.returncode, p.stdout.strip(), p.stderr.strip()

    def raises(fn, exc=Exception) -> bool:
        try:
            fn()
        except exc:
            return True
        return False

    code_max = oath.hotp(k, U64_MAX)  # HOTP(K, u64::MAX) = 094451
    # oathtool
    claim("oathtool: -d 5, 9 and 10 exit 1", lambda: all(ot("-d", d, k)[0] == 1 for d in ("5", "9", "10")))
    claim("oathtool: --hotp takes no MODE (exit 1)", lambda: ot("--hotp=sha256", k)[0] == 1)
    claim("oathtool: unknown --totp MODE falls back to SHA-1",
          lambda: ot("--totp=sha7", "-N", "@59", k)[1] == ot("--totp", "-N", "@59", k)[1] == "287082")
    claim("oathtool: -s 0 means 30 s", lambda: ot("--totp", "-s", "0", "-N", "@59", k)[1] == "287082")
    claim("oathtool: -c 2^64 saturates to u64::MAX",
          lambda: ot("-c", str(2**64), k)[1] == code_max)
    claim("oathtool: -c -1 wraps to u64::MAX", lambda: ot("-c", "-1", k)[1] == code_max)
    claim("oathtool: -c u64::MAX -w 1 wraps to counter 0",
          lambda: ot("-c", str(U64_MAX), "-w", "1", k)[1].split() == [code_max, "755224"])
    claim("oathtool: -c/-d/-w take C base prefixes (0x10 = 16, 010 = 8)",
          lambda: ot("-c", "0x10", k)[1] == ot("-c", "16", k)[1] and ot("-c", "010", k)[1] == ot("-c", "8", k)[1])
    claim("oathtool: empty -c means 0", lambda: ot("-c", "", k)[1] == "755224")
    claim("oathtool: time before T0 truncates toward 0 (-S @30 -N @29 is step 0)",
          lambda: ot("--totp", "-S", "@30", "-N", "@29", k)[1] == "755224")
    claim("oathtool: time a whole step before T0 wraps (-S @30 -N @0 is step u64::MAX)",
          lambda: ot("--totp", "-S", "@30", "-N", "@0", k)[1] == code_max)
    claim("oathtool: negative -N is accepted (-N @-5 is step 0)", lambda: ot("--totp", "-N", "@-5", k)[1] == "755224")
    claim("oathtool: -N @-1 is refused (time_t -1 is its error value)",
          lambda: ot("--totp", "-N", "@-1", k)[0] == 1)
    claim("oathtool: -N accepts at most 2^63-1",
          lambda: ot("--totp", "-N", f"@{I64_MAX}", k)[0] == 0 and ot("--totp", "-N", f"@{2**63}", k)[0] == 1)
    claim("oathtool: TOTP verify window below step 0 wraps to u64::MAX",
          lambda: ot("--totp", "-N", "@0", "-w", "1", k, code_max)[:2] == (0, "1"))
    claim("oathtool: empty key accepted (as HMAC key 00)",
          lambda: ot("", )[1] == ot("00")[1] == "328482")
    claim("oathtool: base32 '=' padding accepted where RFC 4648 puts it, refused elsewhere",
          lambda: ot("-b", "GEZDGNBVGY3TQOJQGE======")[0] == 0 and ot("-b", "JBSWY3DPEHPK3PXP====")[0] == 1
          and ot("-b", "GEZDGNBVGY3TQOJQGE=")[0] == 1)
    claim("oathtool: base32 spaces and lower case accepted",
          lambda: ot("-b", "jbsw y3dp ehpk 3pxp")[1] == ot("-b", "JBSWY3DPEHPK3PXP")[1])
    claim("oathtool: base32 '-' refused", lambda: ot("-b", "JBSW-Y3DP-EHPK-3PXP")[0] == 1)
    claim("oathtool: odd-length hex key refused", lambda: ot("313")[0] == 1)
    claim("oathtool: a non-digit CODE is a mismatch (exit 2)", lambda: ot(k, "75522a")[0] == 2)
    claim("oathtool: TOTP mismatch message prints T-W/2 .. T+W/2",
          lambda: "range 0 .. 2" in ot("--totp", "-N", "@59", "-w", "3", k, "111111")[2])
    claim("oathtool: keys of 1..=1000 bytes accepted",
          lambda: ot("-c", "7", "ab")[0] == 0 and ot("-c", "7", "ab" * 1000)[0] == 0)
    # pyotp
    claim("pyotp: keys under 112 bits refused by default",
          lambda: raises(lambda: pyotp.HOTP(base64.b32encode(b"x" * 13).decode()))
          and pyotp.HOTP(base64.b32encode(b"x" * 14).decode()).at(0) is not None)
    claim("pyotp: digits outside 6..=10 refused",
          lambda: raises(lambda: pyotp.HOTP(s, digits=5)) and raises(lambda: pyotp.HOTP(s, digits=11)))
    claim("pyotp: interval outside 1..=120 refused",
          lambda: raises(lambda: pyotp.TOTP(s, interval=121)) and raises(lambda: pyotp.TOTP(s, interval=0)))
    claim("pyotp: times from 253402300800 (year 10000) refused",
          lambda: raises(lambda: pyotp.TOTP(s).at(PYOTP_TIME_LIMIT)) and pyotp.TOTP(s).at(PYOTP_TIME_LIMIT - 1))
    claim("pyotp: negative counter refused", lambda: raises(lambda: pyotp.HOTP(s).at(-1)))
    claim("pyotp: counter 2^64 silently hashes a 9-byte counter",
          lambda: pyotp.HOTP(s).at(2**64) not in (oath.hotp(k, 0), code_max))
    claim("pyotp: a verify window reaching below step 0 raises",
          lambda: raises(lambda: pyotp.TOTP(s).verify(code_max, for_time=0, valid_window=1)))
    claim("pyotp: has no T0 parameter", lambda: raises(lambda: pyotp.TOTP(s, t0=5), TypeError))
    # oath
    claim("oath: formats dec4/6/7/8 only (dec9 refused)",
          lambda: raises(lambda: oath.hotp(k, 1, format="dec9")) and oath.hotp(k, 1, format="dec4") == "7082")
    claim("oath: counters outside 0..=u64::MAX refused",
          lambda: raises(lambda: oath.hotp(k, -1)) and raises(lambda: oath.hotp(k, 2**64)))
    claim("oath: accept_totp clamps its window at step 0",
          lambda: oath.accept_totp(k, code_max, t=0, backward_drift=1) == (False, 0))
    claim("oath: empty key accepted", lambda: oath.hotp("", 0) == "328482")
    claim("oath: totp divides in floating point (wrong at t=15166986373827221, period 66)",
          lambda: oath.totp(k, t=15166986373827221, period=66) != oath.hotp(k, 15166986373827221 // 66))
    claim("oath: totp wrong at t=2^63", lambda: oath.totp(k, t=2**63) != oath.hotp(k, 2**63 // 30))
    return results


# --------------------------------------------------------------------------


def check_coverage(rows: list) -> None:
    """Fails unless the rows cover what the vector file promises."""
    missing = []
    for kind in ("hotp", "totp"):
        for alg in ALGORITHMS:
            for d in range(6, 11):
                if not any(c["kind"] == kind and c["algorithm"] == alg and c["digits"] == d for c, _, _ in rows):
                    missing.append(f"{kind} {alg} {d} digits")
        field = "counter" if kind == "hotp" else "time"
        for e in EDGES:
            if not any(c["kind"] == kind and c[field] == e for c, _, _ in rows):
                missing.append(f"{kind} {field} {e}")
    lens = {len(c["key_hex"]) // 2 for c, _, _ in rows}
    missing += [f"key length {n}" for n in (1, 255) if n not in lens]
    periods = {c["period"] for c, _, _ in rows if c["kind"] == "totp"}
    missing += [f"period {p}" for p in (1, 30, 120) if p not in periods]
    if not any(c["kind"] == "totp" and c["t0"] != 0 and "oathtool" in o for c, _, o in rows):
        missing.append("T0 != 0 answered by oathtool")
    if missing:
        raise OracleFailure("coverage incomplete: " + ", ".join(missing))


def generate(seed: int, count: int, out: pathlib.Path, versions: dict[str, str]) -> None:
    rng = random.Random(seed)
    rows, dropped, stats = [], 0, {}
    # RFC vectors first, so they are always in the file
    for t in (59, 1111111109, 1111111111, 1234567890, 2000000000, 20000000000):
        for alg, n in (("SHA1", 20), ("SHA256", 32), ("SHA512", 64)):
            key = (b"1234567890" * 7)[:n].hex()
            case = {"kind": "totp", "algorithm": alg, "digits": 8, "key_hex": key,
                    "counter": None, "time": t, "period": 30, "t0": 0}
            rows.append((case, *ask_all(case)))
    for c in range(10):
        case = {"kind": "hotp", "algorithm": "SHA1", "digits": 6, "key_hex": b"12345678901234567890".hex(),
                "counter": c, "time": None, "period": None, "t0": None}
        rows.append((case, *ask_all(case)))
    while len(rows) < count:
        case = draw_case(rng)
        answer = ask_all(case)
        if answer is None:
            dropped += 1
            continue
        rows.append((case, *answer))
    check_coverage(rows)
    for case, _, oracles in rows:
        k = (case["kind"], case["algorithm"])
        stats[k] = stats.get(k, 0) + 1
    with out.open("w") as f:
        f.write(versions_line(versions) + f" seed={seed} count={len(rows)}\n")
        f.write("# generated by tests/oracles/gen_otp.py; see tests/data/oracle_differences.md\n")
        f.write("\t".join(COLUMNS) + "\n")
        for case, code, oracles in rows:
            f.write(row_of(case, code, oracles) + "\n")
    print(f"wrote {len(rows)} cases to {out} (dropped {dropped} with fewer than two oracles)")
    for (kind, alg), n in sorted(stats.items()):
        print(f"  {kind} {alg}: {n}")


def check(path: pathlib.Path, seed: int, count: int, versions: dict[str, str]) -> None:
    comments, rows = parse_tsv(path)
    recorded = comments[0].split(" seed=")[0] if comments else ""
    if recorded != versions_line(versions):
        raise OracleFailure(f"{path} was written with `{recorded}`, installed: `{versions_line(versions)}`")
    rng = random.Random(seed)
    sample = rng.sample(range(len(rows)), min(count, len(rows)))
    for i in sorted(sample):
        case, code, oracles = rows[i]
        answer = ask_all(case)
        if answer is None:
            raise OracleFailure(f"row {i + 1}: fewer than two oracles answer {case} now")
        if answer[0] != code or ",".join(answer[1]) != oracles:
            raise OracleFailure(f"row {i + 1}: file says {code} by {oracles}, oracles now say {answer} for {case}")
    print(f"checked {len(sample)} of {len(rows)} rows of {path} live: all agree ({versions_line(versions)[2:]})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=3600)
    ap.add_argument("--out", type=pathlib.Path, help="write a new vector file")
    ap.add_argument("--check", type=pathlib.Path, metavar="FILE", help="re-run a seeded sample of FILE live")
    ap.add_argument("--probe", action="store_true", help="re-check each documented oracle difference")
    a = ap.parse_args()
    if not (a.out or a.check or a.probe):
        ap.error("give --out, --check or --probe")
    try:
        versions = check_versions()
        if a.probe:
            results = probes()
            for text, ok in results:
                print(f"  {'ok    ' if ok else 'BROKEN'} {text}")
            broken = [t for t, ok in results if not ok]
            if broken:
                raise OracleFailure(f"{len(broken)} documented oracle behaviours no longer hold")
            print(f"probed {len(results)} documented oracle behaviours: all hold")
        if a.out:
            generate(a.seed, a.count, a.out, versions)
        if a.check:
            check(a.check, a.seed, a.count, versions)
    except OracleFailure as e:
        die(str(e))


if __name__ == "__main__":
    main()

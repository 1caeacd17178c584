#!/usr/bin/env python3
"""Diffs otptool against oathtool on seeded command lines both accept.

For each drawn command line (HOTP or TOTP, generate or verify, short or long
option forms, hex or base32 keys, key on the command line or on stdin) both
tools run with the same arguments and input; their stdout and exit codes must
be identical, and an otptool error must be one line on stderr.  Then every
documented deviation (src/bin/otptool/main.rs) is checked: otptool exits 1
with one line on stderr and nothing on stdout, where oathtool does what the
table says.

Usage: otptool_vs_oathtool.py --otptool PATH [--seed N] [--count N]
"""

from __future__ import annotations

import argparse
import base64
import random
import subprocess
import sys

I64_MAX = 2**63 - 1
U64_MAX = 2**64 - 1
KEY = "3132333435363738393031323334353637383930"


def run(exe: str, args: list[str], stdin: str = "") -> tuple[int, str, str]:
    p = subprocess.run([exe, *args], input=stdin, capture_output=True, text=True, timeout=20)
    return p.returncode, p.stdout, p.stderr


def opt(rng: random.Random, short: str, long: str, value: str) -> list[str]:
    """One of the spellings getopt accepts for an option with a value."""
    form = rng.randrange(4)
    if form == 0:
        return [short, value]
    if form == 1:
        return [short + value]
    if form == 2:
        return [f"--{long}={value}"]
    return [f"--{long}", value]


def number(rng: random.Random, n: int) -> str:
    """A C-style spelling of n (decimal, hex or octal)."""
    form = rng.randrange(6)
    if form == 0:
        return hex(n)
    if form == 1 and n > 0:
        return "0" + oct(n)[2:]
    return str(n)


def draw(rng: random.Random) -> tuple[list[str], str]:
    """A command line both tools accept, and its stdin."""
    args: list[str] = []
    stdin = ""
    totp = rng.random() < 0.5
    digits = rng.choice([6, 7, 8])
    keylen = rng.choice([10, 16, 20, 32, 64, rng.randint(1, 100)])
    key = bytes(rng.getrandbits(8) for _ in range(keylen))
    if rng.random() < 0.3:
        args.append(rng.choice(["-b", "--base32"]))
        key_text = base64.b32encode(key).decode().rstrip("=")
        if rng.random() < 0.3:
            key_text = key_text.lower()
    else:
        key_text = key.hex() if rng.random() < 0.7 else key.hex().upper()
    window = rng.choice([0, 0, 1, 2, 3, 5, 10])
    if window or rng.random() < 0.2:
        args += opt(rng, "-w", "window", number(rng, window))
    if totp:
        alg = rng.choice(["", "SHA1", "SHA256", "SHA512", "sha256", "sha512"])
        args.append("--totp" + (f"={alg}" if alg else ""))
        period = rng.choice([1, 30, 30, 60, rng.randint(1, 600)])
        if period != 30 or rng.random() < 0.3:
            spelled = rng.choice([str(period), f"{period}s"])
            if period % 60 == 0:
                spelled = rng.choice([spelled, f"{period // 60}m"])
            if period > 60 and period % 60:
                spelled = rng.choice([spelled, f"{period // 60}m{period % 60}s"])
            args += opt(rng, "-s", "time-step-size", spelled)
        t0 = rng.choice([0, 0, rng.randint(1, 2**31), rng.randint(1, 2**40)])
        if t0 or rng.random() < 0.3:
            args += opt(rng, "-S", "start-time", f"@{t0}")
        # At least window + 1 steps after T0, so oathtool's window never wraps below step 0.
        low = t0 + (window + 1) * period
        now = rng.choice([rng.randint(low, low + 2**34), rng.randint(low, I64_MAX - (window + 3) * period)])
        args += opt(rng, "-N", "now", f"@{now}")
        step = (now - t0) // period

        def code_at(s: int) -> str:
            return run("oathtool", [f"--totp={alg or 'SHA1'}", "-d", str(digits), "-s", str(period),
                                    "-S", f"@{t0}", "-N", f"@{t0 + s * period}", key.hex()])[1].strip()
        centre = step
    else:
        if rng.random() < 0.3:
            args.append("--hotp")
        counter = rng.choice([0, rng.randint(0, 100), rng.randint(0, 2**32), rng.randint(0, U64_MAX - 20),
                              2**63, U64_MAX - 12])
        if counter or rng.random() < 0.3:
            args += opt(rng, "-c", "counter", number(rng, counter))

        def code_at(s: int) -> str:
            return run("oathtool", ["-d", str(digits), "-c", str(s), key.hex()])[1].strip()
        centre = counter
    # Options of the other mode: oathtool ignores them (even -s 0 or a bad -N for HOTP).
    if rng.random() < 0.1:
        args += ["-c", "7"] if totp else rng.choice([["-s", "0"], ["-N", "@x"], ["-S", "@5"]])
    # Input errors both must refuse with exit 1.
    r = rng.random()
    if r < 0.03:
        args += ["-d", rng.choice(["5", "11", "abc", "08"])]
    elif r < 0.06 and "-b" not in args and "--base32" not in args:
        key_text = key_text[:-1]  # odd-length hex
    verify = rng.random() < 0.5
    if not verify or rng.random() < 0.5:
        args += opt(rng, "-d", "digits", str(digits))
    if rng.random() < 0.15:
        stdin = key_text + "\n"
        key_text = "-"
    args.append(key_text)
    if verify:
        r = rng.random()
        if r < 0.6:
            lo = centre - window - 2 if totp else centre - 2
            s = rng.randint(max(lo, 0), centre + window + 2)
            code = code_at(s)
        elif r < 0.9:
            code = "".join(rng.choice("0123456789") for _ in range(digits))
        else:
            code = "".join(rng.choice("0123456789") for _ in range(digits - 1)) + "x"
        args.append(code)
    return args, stdin


# Each deviation: (arguments, stdin, what oathtool does: exit code or None for "runs forever").
DEVIATIONS: list[tuple[list[str], str, int | None, str]] = [
    (["-s", "0", "--totp", "-N", "@59", KEY], "", 0, "period 0: oathtool uses 30 s"),
    (["--totp", "-S", "@100", "-N", "@10", KEY], "", 0, "time before T0: oathtool wraps"),
    (["--totp", "-S", "@30", "-N", "@29", KEY], "", 0, "time before T0: oathtool truncates to step 0"),
    (["-c", "-1", KEY], "", 0, "negative counter: oathtool wraps to u64::MAX"),
    (["-c", str(2**64), KEY], "", 0, "counter 2^64: oathtool saturates"),
    (["-c", str(U64_MAX), "-w", "1", KEY], "", 0, "counter + window past u64::MAX: oathtool wraps to 0"),
    (["-c", str(U64_MAX), KEY, "094451"], "", 0, "verifying counter u64::MAX"),
    (["--totp=sha7", "-N", "@59", KEY], "", 0, "unknown MODE: oathtool falls back to SHA-1"),
    (["--hotp=md5", KEY], "", 1, "unknown MODE"),
    (["", ], "", 0, "empty key: oathtool uses an empty HMAC key"),
    (["-b", ""], "", 0, "empty base32 key"),
    (["-c", "", KEY], "", 0, "empty number: oathtool reads 0"),
    (["-w", "1001", KEY, "755224"], "", 0, "window over 1000 when verifying"),
    (["--hotp", "--totp", KEY], "", 0, "both modes: oathtool picks TOTP"),
    (["--totp", "-N", "@-5", KEY], "", 0, "negative time: oathtool reads step 0"),
    (["--totp", "-N", "2020-01-01", KEY], "", 0, "date strings are not parsed"),
    (["--totp", "-s", "1:30", "-N", "@59", KEY], "", 0, "duration 1:30 is not parsed"),
    (["-v", KEY], "", 0, "--verbose is not supported"),
    (["-d", "5", KEY], "", 1, "5 digits"),
    (["-d", "11", KEY], "", 1, "11 digits"),
    (["313"], "", 1, "odd hex"),
    (["-d", "7", KEY, "123456"], "", 1, "CODE length differs from -d"),
    ([KEY, "1", "2"], "", 1, "too many parameters"),
    (["-c", "5", "-c", "6", KEY], "", 1, "option given twice"),
    (["-x", KEY], "", 1, "unknown option"),
    (["-"], "", 1, "empty standard input"),
]

# Extensions: otptool accepts these (exit 0) where oathtool refuses with exit 1.
EXTENSIONS: list[tuple[list[str], str]] = [
    (["-d", "9", KEY], "284755224"),
    (["-d", "10", "-c", "1", KEY], "1094287082"),
    (["--hotp=sha256", "-d", "8", "-c", "1", "3132333435363738393031323334353637383930313233343536373839303132"],
     "46119246"),
    (["--totp", "-N", "@59", "-d", "10", KEY, "1094287082"], "0"),
    (["-b", "GEZD-GNBV-GY3T-QOJQ-GE", "-c", "1"], "543561"),  # '-' separators: key "12345678901"
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--otptool", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=400)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    failures: list[str] = []
    counts = {0: 0, 1: 0, 2: 0}
    for i in range(a.count):
        args, stdin = draw(rng)
        want = run("oathtool", args, stdin)
        got = run(a.otptool, args, stdin)
        counts[want[0]] = counts.get(want[0], 0) + 1
        if (got[0], got[1]) != (want[0], want[1]):
            failures.append(f"case {i}: {args} stdin={stdin!r}\n  oathtool: {want}\n  otptool:  {got}")
        elif got[0] != 0 and len(got[2].strip().splitlines()) - got[2].count("warning:") != 1:
            failures.append(f"case {i}: {args}: otptool stderr is not one line: {got[2]!r}")
    for args, stdin, oathtool_exit, why in DEVIATIONS:
        got = run(a.otptool, args, stdin)
        theirs = run("oathtool", args, stdin)
        if got[0] != 1 or got[1] != "" or len(got[2].strip().splitlines()) != 1:
            failures.append(f"deviation {why}: {args}: otptool gave {got}, expected exit 1, one stderr line")
        if theirs[0] != oathtool_exit:
            failures.append(f"deviation {why}: {args}: oathtool now exits {theirs[0]}, the table says {oathtool_exit}")
    for args, expected in EXTENSIONS:
        got = run(a.otptool, args)
        theirs = run("oathtool", args)
        if got[0] != 0 or (expected is not None and got[1].strip() != expected):
            failures.append(f"extension {args}: otptool gave {got}, expected {expected!r}")
        if theirs[0] != 1:
            failures.append(f"extension {args}: oathtool now accepts it: {theirs}")
    if failures:
        print(f"otptool_vs_oathtool: FAILED: {len(failures)} differences", file=sys.stderr)
        for f in failures[:30]:
            print(f, file=sys.stderr)
        sys.exit(1)
    print(f"otptool_vs_oathtool: {a.count} seeded command lines (seed {a.seed}) identical in stdout and exit code "
          f"(exit 0: {counts[0]}, 1: {counts[1]}, 2: {counts[2]}); {len(DEVIATIONS)} deviations exit 1; "
          f"{len(EXTENSIONS)} extensions accepted")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Diffs otptool (src/bin/otptool) against oathtool 2.6.7: stdout, exit code and stderr.

For each command line both tools run with the same arguments, input and TZ; they must agree
on stdout (byte for byte), the exit code, whether stderr is empty, and the text of stderr
after the program-name prefix (`oathtool: ` / `otptool: `), except for the few messages
otptool's extensions or documented deviations change (`same_stderr`).

Sets of command lines:
- seeded draws (--count, at least 600 in CI): HOTP and TOTP, generating and verifying,
  every option spelling getopt accepts, hex and base32 keys, keys and codes from stdin and
  from files (`@FILE @FILE`), `-v`, times as `@N` or as dates in several forms, durations
  in gnulib's forms, TZ=UTC or TZ=Asia/Tokyo, and errors both refuse;
- fixed cases: every date form of the issue in both zones (relative ones run by both tools
  within one second), durations, getopt behaviour, file input;
- script lines: `$(...)`, `if ...; then`, the key on stdin, `2>&1`, run by bash;
- every documented deviation (otptool refuses: exit 1, one line on stderr, no stdout, while
  oathtool does what the table in src/bin/otptool/main.rs says) and extension.

Usage: otptool_vs_oathtool.py --otptool PATH [--seed N] [--count N]
"""

from __future__ import annotations

import argparse
import base64
import datetime
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import zoneinfo

I64_MAX = 2**63 - 1
U64_MAX = 2**64 - 1
KEY = "3132333435363738393031323334353637383930"
ZONES = ["UTC", "Asia/Tokyo"]
# Dates render as years 1970..9999 only (both tools read them).
DATE_MAX = 253402300799

Result = tuple[int, str, str]


def run(exe: str, args: list[str], stdin: str = "", tz: str = "UTC") -> Result:
    env = dict(os.environ, TZ=tz, LC_ALL="C")
    p = subprocess.run([exe, *args], input=stdin, capture_output=True, text=True, timeout=30, env=env)
    return p.returncode, p.stdout, p.stderr


def body(stderr: str, prog: str) -> str:
    """stderr without the program-name prefix of each line."""
    return "".join(line[len(prog) + 2:] if line.startswith(prog + ": ") else line
                   for line in stderr.splitlines(keepends=True))


# Messages where otptool says more than oathtool because it does more (6..=10 digits).
TRANSLATED = {
    "only digits 6, 7 and 8 are supported\n": "only digits 6, 7, 8, 9 and 10 are supported\n",
}
NOT_FOUND = re.compile(r'password "(.*)" not found in range (-?\d+) \.\. (-?\d+)\n', re.S)


def same_stderr(want: Result, got: Result, totp: bool) -> str | None:
    """None if stderr agrees; else why not."""
    w, g = body(want[2], "oathtool"), body(got[2], "otptool")
    if (w == "") != (g == ""):
        return "stderr empty in one tool only"
    if w == g or TRANSLATED.get(w) == g:
        return None
    mw, mg = NOT_FOUND.fullmatch(w), NOT_FOUND.fullmatch(g)
    if mw and mg and mw.group(1) == mg.group(1):
        if totp:
            return None  # documented: oathtool prints T-W/2 .. T+W/2, otptool T-W .. T+W
        # documented: oathtool prints counters as C `long`
        signed = [int(x) - 2**64 if int(x) > I64_MAX else int(x) for x in mg.group(2, 3)]
        if signed == [int(x) for x in mw.group(2, 3)]:
            return None
    return "stderr text differs"


def compare(label: str, args: list[str], stdin: str, tz: str, otptool: str, failures: list[str],
            counts: dict[int, int] | None = None, same_second: bool = False) -> None:
    """Runs both tools; relative times (same_second) are retried until both ran in one second
    and agree, up to five times: a real difference shows in every attempt."""
    totp = any(a.startswith("--totp") or a.startswith("--tot") for a in args)
    for _ in range(5 if same_second else 1):
        t0 = time.time()
        want = run("oathtool", args, stdin, tz)
        got = run(otptool, args, stdin, tz)
        one_second = int(t0) == int(time.time())
        if label == "help":
            why = None if got[0] == want[0] and got[2] == want[2] and got[1] else \
                "help or version differs in exit code or stderr"
        elif (got[0], got[1]) != (want[0], want[1]):
            why = "stdout or exit code differ"
        else:
            why = same_stderr(want, got, totp)
        if why is None and one_second:
            break
    if counts is not None:
        counts[want[0]] = counts.get(want[0], 0) + 1
    if why:
        failures.append(f"{label}: {why}: TZ={tz} {args} stdin={stdin!r}\n  oathtool: {want}\n  otptool:  {got}")


def opt(rng: random.Random, short: str, long: str, value: str) -> list[str]:
    """One of the spellings getopt accepts for an option with a value."""
    form = rng.randrange(5)
    if form == 0:
        return [short, value]
    if form == 1:
        return [short + value]
    if form == 2:
        return [f"--{long}={value}"]
    if form == 3:
        return [f"--{long[:rng.randint(3, len(long))]}={value}"]  # unique prefixes: --cou, --now
    return [f"--{long}", value]


def number(rng: random.Random, n: int) -> str:
    """A C-style spelling of n (decimal, hex or octal)."""
    form = rng.randrange(6)
    if form == 0:
        return hex(n)
    if form == 1 and n > 0:
        return "0" + oct(n)[2:]
    return str(n)


def date(rng: random.Random, t: int, tz: str) -> str:
    """Unix time t in one of the forms `date -d` reads."""
    if t > DATE_MAX or rng.random() < 0.3:
        return f"@{t}"
    utc = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    form = rng.randrange(5)
    if form == 0:
        return utc.strftime("%Y-%m-%d %H:%M:%S UTC")
    if form == 1:
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    if form == 2:
        minutes = rng.choice([-300, 60, 330, 540, 600])
        shifted = utc + datetime.timedelta(minutes=minutes)
        sign = "+" if minutes >= 0 else "-"
        hh, mm = divmod(abs(minutes), 60)
        return shifted.strftime("%Y-%m-%d %H:%M:%S ") + f"{sign}{hh:02d}{mm:02d}"
    local = utc.astimezone(zoneinfo.ZoneInfo(tz))
    if form == 3:
        return local.strftime("%Y-%m-%d %H:%M:%S")
    return local.strftime("%Y-%m-%d %H:%M") if local.second == 0 else local.strftime("%Y-%m-%d %H:%M:%S")


def duration(rng: random.Random, period: int) -> str:
    """period seconds in one of gnulib's parse_duration forms."""
    forms = [str(period), f"{period}s", f"{period} s"]
    m, s = divmod(period, 60)
    h, mm = divmod(m, 60)
    if m:
        forms += [f"{m}:{s:02d}", f"{m}m{s}s" if s else f"{m}m", f"P0DT{m}M{s}S", f"T{m}M{s}S"]
    if h:
        forms += [f"{h}:{mm:02d}:{s:02d}", f"{h}h{mm}m{s}s"]
    if period % 86400 == 0:
        forms += [f"{period // 86400}d", f"P{period // 86400}D"]
    return rng.choice(forms)


def draw(rng: random.Random, tmp: str) -> tuple[list[str], str, str]:
    """A command line (both tools accept it, or both refuse it), its stdin and TZ."""
    args: list[str] = []
    stdin = ""
    tz = rng.choice(ZONES)
    totp = rng.random() < 0.5
    digits = rng.choice([6, 7, 8])
    keylen = rng.choice([10, 16, 20, 32, 64, rng.randint(1, 100)])
    key = bytes(rng.getrandbits(8) for _ in range(keylen))
    if rng.random() < 0.3:
        args.append(rng.choice(["-b", "--base32", "--ba"]))
        key_text = base64.b32encode(key).decode().rstrip("=")
        if rng.random() < 0.3:
            key_text = key_text.lower()
        if rng.random() < 0.2:
            key_text = " ".join(key_text[i:i + 4] for i in range(0, len(key_text), 4))
    else:
        key_text = key.hex() if rng.random() < 0.7 else key.hex().upper()
    if rng.random() < 0.2:
        args.append(rng.choice(["-v", "--verbose", "--verb"]))
    window = rng.choice([0, 0, 1, 2, 3, 5, 10])
    if window or rng.random() < 0.2:
        args += opt(rng, "-w", "window", number(rng, window))
    if totp:
        alg = rng.choice(["", "SHA1", "SHA256", "SHA512", "sha256", "sha512"])
        args.append(rng.choice(["--totp", "--tot"]) + (f"={alg}" if alg else ""))
        period = rng.choice([1, 30, 30, 60, 90, 3600, 86400, rng.randint(1, 600)])
        if period != 30 or rng.random() < 0.3:
            args += opt(rng, "-s", "time-step-size", duration(rng, period))
        t0 = rng.choice([0, 0, rng.randint(1, 2**31), rng.randint(1, 2**37)])
        if t0 or rng.random() < 0.3:
            args += opt(rng, "-S", "start-time", date(rng, t0, tz))
        # At least window + 1 steps after T0, so oathtool's window never wraps below step 0.
        low = t0 + (window + 1) * period
        now = rng.choice([rng.randint(low, low + 2**34), rng.randint(low, DATE_MAX),
                          rng.randint(low, I64_MAX - (window + 3) * period)])
        args += opt(rng, "-N", "now", date(rng, now, tz))
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
        args += ["-d", rng.choice(["5", "11", "abc", "08", "0x"])]
    elif r < 0.05 and "-b" not in args and "--base32" not in args and "--ba" not in args:
        key_text = key_text[:-1]  # odd-length hex
    elif r < 0.06:
        args += rng.choice([["-x"], ["--frobnicate"], ["--t"], ["-c"], ["--now"], ["-c", "5x"]])
    elif r < 0.07 and totp:
        args += rng.choice([["-N", "midnight"], ["-S", "bad date"], ["-s", "1h1h"], ["-s", "-5"]])
    verify = rng.random() < 0.5
    if not verify or rng.random() < 0.5:
        args += opt(rng, "-d", "digits", str(digits))
    code = None
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
    where = rng.random()
    if where < 0.1:
        stdin = key_text + "\n"
        key_text = "-"
    elif where < 0.15 and code is not None:
        stdin = code + "\n"
        code = "-"
    elif where < 0.2:
        path = os.path.join(tmp, f"input{rng.randrange(10**9)}")
        with open(path, "w") as f:
            f.write(key_text + "\n" + (code + "\n" if code is not None else ""))
        key_text = "@" + path
        if code is not None:
            code = "@" + path
    args.append(key_text)
    if code is not None:
        args.append(code)
    # getopt permutes: options may follow the operands.
    if rng.random() < 0.1 and args[0].startswith("-") and not args[0].startswith("--totp="):
        first = args.pop(0)
        if first not in ("-b", "-v", "--base32", "--verbose", "--ba", "--verb", "--hotp", "--totp", "--tot"):
            args.insert(0, first)
        else:
            args.append(first)
    return args, stdin, tz


# The forms the issue names, in both zones; relative ones run by both tools in one second.
DATES = ["2024-01-01", "2024-01-01 00:00", "2024-01-01 12:34", "2024-01-01 12:34:56",
         "2024-01-01 12:34:56 UTC", "2024-01-01 12:34 UTC", "2024-01-01 12:34:56 +0900",
         "2024-01-01 12:34:56 -0530", "2024-01-01 12:34:56+09:00", "2024-01-01T12:34:56Z",
         "@0", "@1700000000", "@ 1700000000", "@1.5", "now", "now + 30 seconds", "now + 2 minutes",
         "now + 1 hours", "now - 5 minutes", "now + 90 seconds", "hour", "tomorrow", "yesterday",
         "last friday", "next monday", "today", "noon", "1 day ago", "+1 hour", "Jan 1 2024",
         "2024-06-30 23:59:60", "x", "fortnight", "1 year",
         # refused by both
         "midnight", "invalid date", "2024-13-01", "2024-01-01 25:00", "@x", "@-1", ""]
DURATIONS = ["30", "30s", "30 s", " 30", "1m", "1m30s", "1m 30s", "1m30", "1:30", "0:30", "1:00:00",
             "1:2:3", "1h", "1h30m", "2h 1m 1s", "1d", "1W", "1M", "1Y", "1h 30:00", "PT30S", "PT1M30S",
             "P1D", "P1DT1H", "P0000-00-01", "P00000001", "PT00:01:30", "PT000130", "T30S", "T1M",
             "2147483647", "1:", "1y",
             # refused by both
             "x", "-5", "1h1h", "1s1s", "1:30x", "1:2:3:4", "P", "PT", "2147483648", "30 x", "m", "",
             "1h 1:00:00", "25Y", "P1M1Y", "1h 1:30x", "P1DTx", "PT30S", "9223372036854775807",
             "9223372036854775808", "P99999999999Y"]


def fixed_cases(tmp: str) -> list[tuple[str, list[str], str, bool]]:
    """(label, args, stdin, same_second) for the named cases."""
    cases: list[tuple[str, list[str], str, bool]] = []
    for d in DATES:
        for v in ([], ["-v"]):
            cases.append(("date", [*v, "--totp", "-N", d, KEY], "", True))
        cases.append(("start date", ["--totp", "-S", d, "-N", "2030-01-01 00:00:00 UTC", "-v", KEY], "", True))
    for s in DURATIONS:
        cases.append(("duration", ["--totp", "-v", "-s", s, "-N", "@100000000", KEY], "", False))
    kc = os.path.join(tmp, "key_and_code")
    with open(kc, "w") as f:
        f.write(f"{KEY}\n755224\n")
    key_only = os.path.join(tmp, "key_only")
    with open(key_only, "w") as f:
        f.write(KEY)
    crlf = os.path.join(tmp, "crlf")
    with open(crlf, "w") as f:
        f.write(f"{KEY}\r\n")
    for args, stdin in [
        ([f"@{kc}", f"@{kc}"], ""), (["-v", f"@{kc}", f"@{kc}"], ""), ([f"@{key_only}", f"@{key_only}"], ""),
        ([f"@{key_only}"], ""), ([f"@{crlf}"], ""), ([f"@{tmp}/missing"], ""), ([f"@{tmp}"], ""),
        (["-", "-"], f"{KEY}\n755224\n"), (["-", "-"], f"{KEY}\n"), (["-"], ""), (["-"], KEY),
        ([KEY, "-"], "755224\n"), ([f"@{kc}", "-"], "755224\n"), (["--", "-x"], ""),
        (["-b", "-"], "gezd gnbv gy3t qojq gezd gnbv gy3t qojq\n"),
        (["-c", "010", KEY], ""), (["-c", "08", KEY], ""), (["-c", " 5", KEY], ""), (["-c", "+5", KEY], ""),
        (["-c", " ", KEY], ""), (["-c", "0x", KEY], ""), (["-c", "0X1f", KEY], ""), (["-d", "0x8", KEY], ""),
        (["-d", "010", KEY], ""), (["-d", "8 ", KEY], ""), (["-w", "0x2", KEY], ""),
        (["--tot", "-N@59", KEY], ""), (["-N@59", "--totp", KEY], ""), ([KEY, "--totp", "-N", "@59"], ""),
        (["-bd8", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"], ""), (["-vbc1", "GEZDGNBVGY3TQOJQ"], ""),
        (["--dig=8", "--coun", "1", KEY], ""), (["--ti=30", "--st=@0", "--n=@59", "--tot", KEY], ""),
        (["-c", "x", "-V"], ""), (["-x", "-h"], ""),
        (["--t", KEY], ""), (["--t=5", KEY], ""), (["--ver", KEY], ""), (["--v", KEY], ""), (["--h", KEY], ""),
        (["--frob=1", KEY], ""), (["--base32=x", KEY], ""), (["-c"], ""),
        (["--coun"], ""), (["-bc"], ""), (["-c", "5", "-c", "6", KEY], ""), (["--totp", "--totp", KEY], ""),
        (["-b", "-b", KEY], ""), (["-v", "-v", KEY], ""), (["--hotp", "--hotp", KEY], ""),
        (["-c", "5", KEY, "1", "2"], ""), ([KEY, "12345"], ""), ([KEY, "12345678901"], ""), ([KEY, ""], ""),
        (["-d", "7", KEY, "123456"], ""), (["-d", "", KEY], ""), (["-d", "-1", KEY], ""),
        (["313"], ""), (["31x3"], ""), (["31 32"], ""), (["AbCd"], ""), (["-v", "ab"], ""),
        (["-b", "JBSW1"], ""), (["-b", "J"], ""), (["-b", "JB"], ""), (["-b", "JC"], ""),
        (["-b", "JBSWY3DPEHPK3PX"], ""), (["-b", "JBSWY3DPEHPK3P"], ""), (["-v", "-b", "VM======"], ""),
        (["-v", "-b", "jbsw y3dp ehpk 3pxp"], ""), (["-b", "ocra"], ""), (["-c", "1", "uri"], ""),
        (["-w", "3", KEY, "969429"], ""), (["-w", "1", KEY, "969429"], ""), ([KEY, "12345a"], ""),
        (["--totp", "-w", "4", "-N", "@119", KEY, "000000"], ""), (["-v", "-w", "2", KEY, "000000"], ""),
    ]:
        cases.append(("fixed", args, stdin, False))
    # Help and version: otptool's own text; exit code and stderr must agree.
    for args in [[], ["-v"], ["-c", "5"], ["-h"], ["--help"], ["-h", "-x"], ["--he", KEY], ["-V"],
                 ["--version"], ["-V", "-c", "x"], ["-vV"], ["-c", "5", "-h"]]:
        cases.append(("help", args, "", False))
    return cases


# Script lines: {T} is the tool; both runs must print the same (stderr merged, prefix replaced).
SCRIPTS = [
    'code=$({T} --totp -b GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ -N @59); echo "code=$code"',
    'code=$({T} --totp -b JBSWY3DPEHPK3PXP -N @59 2>&1); echo "code=$code"',
    'code=$({T} -c 1 -d 8 ' + KEY + ' 2>&1) && echo "ok $code" || echo "failed $?"',
    'if {T} -w 5 ' + KEY + ' 969429 >/dev/null; then echo accepted; else echo "rejected $?"; fi',
    'if {T} -w 1 ' + KEY + ' 969429 2>/dev/null; then echo accepted; else echo "rejected $?"; fi',
    'if ! {T} -d 5 ' + KEY + ' 2>/dev/null; then echo "usage error"; fi',
    'echo ' + KEY + ' | {T} -',
    'printf "%s\\n" ' + KEY + ' | {T} --totp -N "2024-01-01 00:00:00 UTC" - 2>&1',
    'printf "%s\\n%s\\n" ' + KEY + ' 287082 | {T} --totp -N @59 - -; echo "exit $?"',
    'echo JBSWY3DPEHPK3PXP | {T} -b --totp --now="$(date -u -d @1700000000 \'+%F %T\') UTC" -',
    '{T} --totp --now="$(date -u \'+%F %T\') UTC" ' + KEY + ' >/dev/null && echo fine',
    'n=$({T} -w 9 ' + KEY + ' | wc -l); echo "$n codes"',
    'for c in 755224 287082 000000; do {T} -w 1 ' + KEY + ' "$c" 2>&1; echo "=> $?"; done',
    'out=$({T} -v --totp -N @1111111109 -d 8 ' + KEY + ') ; echo "$out" | tail -n 1',
    '{T} --totp -s 1:30 -N "now + 90 seconds" ' + KEY + ' >/dev/null; echo "exit $?"',
    '{T} --bogus 2>&1 | sed "s/^[a-z]*: //"; echo "exit ${PIPESTATUS[0]}"',
]


def scripts(otptool: str, failures: list[str]) -> int:
    for script in SCRIPTS:
        for tz in ZONES:
            outs = []
            for tool, name in (("oathtool", "oathtool"), (otptool, "otptool")):
                env = dict(os.environ, TZ=tz, LC_ALL="C")
                p = subprocess.run(["bash", "-c", script.replace("{T}", tool)], capture_output=True, text=True,
                                   timeout=30, env=env)
                outs.append((p.returncode, p.stdout.replace(tool + ":", "PROG:").replace(name + ":", "PROG:"),
                             p.stderr.replace(tool + ":", "PROG:").replace(name + ":", "PROG:")))
            if outs[0] != outs[1]:
                failures.append(f"script TZ={tz} {script!r}\n  oathtool: {outs[0]}\n  otptool:  {outs[1]}")
    return len(SCRIPTS) * len(ZONES)


# Each deviation: (arguments, stdin, what oathtool does: its exit code).
DEVIATIONS: list[tuple[list[str], str, int, str]] = [
    (["-s", "0", "--totp", "-N", "@59", KEY], "", 0, "period 0: oathtool uses 30 s"),
    (["--totp", "-S", "@100", "-N", "@10", KEY], "", 0, "time before T0: oathtool wraps"),
    (["--totp", "-S", "@30", "-N", "@29", KEY], "", 0, "time before T0: oathtool truncates to step 0"),
    (["-c", "-1", KEY], "", 0, "negative counter: oathtool wraps to u64::MAX"),
    (["-w", "-1", KEY, "755224"], "", 0, "negative window"),
    (["-c", str(2**64), KEY], "", 0, "counter 2^64: oathtool saturates"),
    (["-d", "4294967302", KEY], "", 0, "digits past 2^31: oathtool cuts to an int"),
    (["-c", str(U64_MAX), "-w", "1", KEY], "", 0, "counter + window past u64::MAX: oathtool wraps to 0"),
    (["-c", str(U64_MAX), KEY, "094451"], "", 0, "verifying counter u64::MAX"),
    (["--totp=sha7", "-N", "@59", KEY], "", 0, "unknown MODE: oathtool falls back to SHA-1"),
    ([""], "", 0, "empty key: oathtool uses an empty HMAC key"),
    (["-b", ""], "", 0, "empty base32 key"),
    (["-c", "", KEY], "", 0, "empty number: oathtool reads 0"),
    (["-w", "", KEY, "000000"], "", 2, "empty window: oathtool reads 0"),
    (["-w", "1001", KEY, "755224"], "", 0, "window over 1000 when verifying"),
    (["--hotp", "--totp", KEY], "", 0, "both modes: oathtool picks TOTP"),
    (["--totp", "-N", "@-5", KEY], "", 0, "negative time: oathtool reads step 0"),
    (["--totp", "-S", "1969-12-31 23:00:00 UTC", "-N", "@59", KEY], "", 0, "T0 before 1970"),
    (["-"], "31" * 2049 + "\n", 0, "a KEY line over 4096 bytes: oathtool reads any length"),
    ([KEY, "-"], "7" * 5000 + "\n", 1, "a CODE line over 4096 bytes"),
    (["@/dev/null"], "", 1, "a device as @FILE: oathtool reads it (@/dev/zero without end)"),
]

# Extensions: otptool accepts these (exit 0) where oathtool refuses with exit 1.
EXTENSIONS: list[tuple[list[str], str]] = [
    (["-d", "9", KEY], "284755224"),
    (["-d", "10", "-c", "1", KEY], "1094287082"),
    (["--hotp=sha256", "-d", "8", "-c", "1", "3132333435363738393031323334353637383930313233343536373839303132"],
     "46119246"),
    (["--totp", "-N", "@59", "-d", "10", KEY, "1094287082"], "0"),
    (["-b", "GEZD-GNBV-GY3T-QOJQ-GE", "-c", "1"], "543561"),  # '-' separators: key "12345678901"
    (["--totp", "-s", "1", "-N", f"@{U64_MAX}", KEY], "094451"),
    (["--lint", KEY], "755224"),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--otptool", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=600)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    failures: list[str] = []
    counts: dict[int, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(a.count):
            args, stdin, tz = draw(rng, tmp)
            compare(f"case {i}", args, stdin, tz, a.otptool, failures, counts)
        fixed = fixed_cases(tmp)
        for label, args, stdin, same_second in fixed:
            for tz in ZONES:
                compare(label, args, stdin, tz, a.otptool, failures, same_second=same_second)
    n_scripts = scripts(a.otptool, failures)
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
        if got[0] != 0 or got[1].strip() != expected:
            failures.append(f"extension {args}: otptool gave {got}, expected {expected!r}")
        if theirs[0] != 1:
            failures.append(f"extension {args}: oathtool now accepts it: {theirs}")
    # Advice only when asked for, never on its own.
    plain, lint = run(a.otptool, ["-b", "JBSWY3DPEHPK3PXP"]), run(a.otptool, ["--lint", "-b", "JBSWY3DPEHPK3PXP"])
    if plain[2] != "" or "80 bits" not in lint[2] or plain[1] != lint[1]:
        failures.append(f"--lint: without {plain}, with {lint}")
    if failures:
        print(f"otptool_vs_oathtool: FAILED: {len(failures)} differences", file=sys.stderr)
        for f in failures[:40]:
            print(f, file=sys.stderr)
        sys.exit(1)
    print(f"otptool_vs_oathtool: {a.count} seeded command lines (seed {a.seed}; exit 0: {counts.get(0, 0)}, "
          f"1: {counts.get(1, 0)}, 2: {counts.get(2, 0)}), {len(fixed)} fixed cases x {len(ZONES)} zones and "
          f"{n_scripts} script runs agree in stdout, exit code and stderr; {len(DEVIATIONS)} deviations exit 1; "
          f"{len(EXTENSIONS)} extensions accepted")


if __name__ == "__main__":
    main()

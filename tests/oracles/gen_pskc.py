#!/usr/bin/env python3
"""PSKC (RFC 6030) differential corpus: documents written by python-pskc 1.4, each read
back by python-pskc, with the codes of every HOTP/TOTP/OCRA key from outside oracles.

  gen   --seed S --count N --out DIR   writes DIR/pNNN.xml and DIR/manifest.json
  check DIR                            reads otpkit-written DIR/*.xml (with DIR/*.json
                                       holding what was written) with python-pskc and
                                       `pskctool --validate`; prints disagreements

Deterministic for a seed: python-pskc's random IVs, salts and MAC keys come from a seeded
generator (os.urandom is replaced for the run). Iteration counts are small (1..1000): this
proves the format, not the cost.

Oracles for the codes: oathtool (Debian, OATH Toolkit) where it can compute them (digits
6..8; HOTP with SHA-1, TOTP with any hash), else PyPI pyotp (HOTP with SHA-256/512 or 9/10
digits), and PyPI oath's OCRA for OCRA keys.
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import random
import subprocess
import sys
import warnings

warnings.simplefilter("ignore")  # cryptography's TripleDES/Camellia deprecation notices

import pskc  # noqa: E402

CIPHERS = [
    "aes128-cbc", "aes192-cbc", "aes256-cbc", "tripledes-cbc",
    "kw-aes128", "kw-aes192", "kw-aes256", "kw-tripledes",
    "camellia128-cbc", "camellia192-cbc", "camellia256-cbc",
    "kw-camellia128", "kw-camellia192", "kw-camellia256",
]
KEY_LEN = {
    "aes128-cbc": 16, "aes192-cbc": 24, "aes256-cbc": 32, "tripledes-cbc": 24,
    "kw-aes128": 16, "kw-aes192": 24, "kw-aes256": 32, "kw-tripledes": 24,
    "camellia128-cbc": 16, "camellia192-cbc": 24, "camellia256-cbc": 32,
    "kw-camellia128": 16, "kw-camellia192": 24, "kw-camellia256": 32,
}
MACS = ["hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512"]
PRFS = [None, "hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512"]
ITERATIONS = [1, 7, 100, 1000]
HASHES = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}
OCRA_SUITES = ["OCRA-1:HOTP-SHA1-6:QN08", "OCRA-1:HOTP-SHA256-8:C-QN08", "OCRA-1:HOTP-SHA512-8:C-QN08"]
TIMES = [1111111109, 1234567890, 2000000000]
URN = "urn:ietf:params:xml:ns:keyprov:pskc:"


def utc(rng):
    return datetime.datetime(rng.randint(2000, 2040), rng.randint(1, 12), rng.randint(1, 28),
                             rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59),
                             tzinfo=datetime.timezone.utc)


def iso(d):
    return d.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if d else None


def oathtool(args):
    p = subprocess.run(["oathtool", *args], capture_output=True, text=True, timeout=10, check=True)
    return p.stdout.strip()


def pyotp_hotp(key, counter, digits, h):
    import pyotp

    class Hotp(pyotp.HOTP):
        min_secret_length_bits = 8

    return Hotp(base64.b32encode(key).decode(), digits=digits, digest=HASHES[h]).at(counter)


def codes(k):
    """(oracle, [codes]) for the key as python-pskc read it."""
    alg, key = k["algorithm"], bytes.fromhex(k["secret_hex"])
    if alg.endswith("ocra"):
        from oath import _ocra
        s = _ocra.str2ocrasuite(k["suite"])
        out = []
        for q in ["12345678", "00000000", "87654321"]:
            kw = {"Q": q}
            if ":C-" in k["suite"]:
                kw["C"] = k.get("counter") or 0
            out.append(s(key, **kw))
        return "oath", out
    h = k["suite"].replace("HMAC-", "")
    d = k["digits"]
    if alg.endswith("hotp"):
        c = k.get("counter") or 0
        counters = [c, c + 1, c + 5]
        if h == "SHA1" and d <= 8:
            return "oathtool", [oathtool(["-d", str(d), "-c", str(x), key.hex()]) for x in counters]
        return "pyotp", [pyotp_hotp(key, x, d, h) for x in counters]
    p = k.get("time_interval") or 30
    t0 = (k.get("time_offset") or 0) * p
    if d <= 8:
        return "oathtool", [oathtool([f"--totp={h}", "-d", str(d), "-s", str(p), "-S", f"@{t0}",
                                      "-N", f"@{t}", key.hex()]) for t in TIMES]
    return "pyotp", [pyotp_hotp(key, (t - t0) // p, d, h) for t in TIMES]


def describe(key):
    """Every field python-pskc read, in otptool's --json names plus the rest."""
    d, p = key.device, key.policy
    out = {
        "id": key.id, "algorithm": key.algorithm, "issuer": key.issuer,
        "friendly_name": key.friendly_name, "key_userid": key.key_userid,
        "key_profile": key.key_profile, "key_reference": key.key_reference,
        "manufacturer": d.manufacturer, "serial": d.serial, "model": d.model,
        "issue_no": d.issue_no, "device_binding": d.device_binding,
        "device_userid": d.device_userid, "crypto_module": d.crypto_module,
        "start_date": iso(d.start_date), "expiry_date": iso(d.expiry_date),
        "suite": key.algorithm_suite, "digits": key.response_length,
        "encoding": key.response_encoding, "response_check": key.response_check,
        "challenge_encoding": key.challenge_encoding, "challenge_min": key.challenge_min_length,
        "challenge_max": key.challenge_max_length, "challenge_check": key.challenge_check,
        "secret_hex": key.secret.hex() if key.secret is not None else None,
        "counter": key.counter, "time_offset": key.time_offset,
        "time_interval": key.time_interval, "time_drift": key.time_drift,
        "policy_start_date": iso(p.start_date), "policy_expiry_date": iso(p.expiry_date),
        "key_usage": list(p.key_usage), "number_of_transactions": p.number_of_transactions,
        "pin_key_id": p.pin_key_id, "pin_usage": p.pin_usage,
        "pin_max_failed_attempts": p.pin_max_failed_attempts,
        "pin_min_length": p.pin_min_length, "pin_max_length": p.pin_max_length,
        "pin_encoding": p.pin_encoding,
    }
    return {k: v for k, v in out.items() if v is not None and v != []}


def make_key(doc, rng, n, fields, whole_blocks):
    kind = rng.choice(["hotp", "totp", "ocra"])
    h = rng.choice(list(HASHES))
    lengths = [16, 32, 64] if whole_blocks else [10, 16, 20, 32, 64]
    kw = {"id": f"key-{n}", "algorithm": URN + kind, "secret": rng.randbytes(rng.choice(lengths))}
    if kind == "ocra":
        kw["algorithm_suite"] = rng.choice(OCRA_SUITES)
        kw["response_length"] = int(kw["algorithm_suite"].split("-")[3].split(":")[0])
        kw["response_encoding"] = "DECIMAL"
        kw["challenge_encoding"] = "DECIMAL"
        kw["challenge_min_length"] = 8
        kw["challenge_max_length"] = 8
        kw["challenge_check"] = rng.choice([True, False])
        kw["counter"] = rng.randint(0, 1000)
        kw["policy__key_usage"] = ["CR"]
    else:
        kw["algorithm_suite"] = rng.choice(["HMAC-" + h, h])
        kw["response_length"] = rng.choice([6, 7, 8, 9, 10] if kind == "hotp" else [6, 7, 8])
        kw["response_encoding"] = "DECIMAL"
        kw["response_check"] = False
        if kind == "hotp":
            kw["counter"] = rng.choice([0, 1, 99, 2**32 + 5])
        else:
            kw["time_interval"] = rng.choice([30, 60, 1, 300])
            kw["time_offset"] = rng.choice([0, 0, 3])
            # python-pskc cannot encrypt a negative integer
            kw["time_drift"] = rng.choice([0, 1, 4] if "time_drift" in fields else [-2, 0, 3])
        kw["policy__key_usage"] = ["OTP"]
    # optional fields, each present about half the time
    opt = {
        "issuer": f"Issuer {n} & Co", "friendly_name": f"Token <{n}>", "key_userid": f"CN=user{n}",
        "key_profile": f"profile-{n}", "key_reference": f"ref-{n}",
        "manufacturer": "Vendor", "serial": f"SN{n:06d}", "model": "M1", "issue_no": str(n % 7),
        "device_binding": f"bind-{n}", "device_userid": f"dev{n}", "crypto_module": f"CM{n}",
        "start_date": utc(rng).replace(year=2001), "expiry_date": utc(rng).replace(year=2099),
        "policy__start_date": utc(rng).replace(year=2002),
        "policy__expiry_date": utc(rng).replace(year=2098),
        "policy__number_of_transactions": rng.randint(1, 10**6),
        "policy__pin_key_id": f"pin-{n}", "policy__pin_usage": "Local",
        "policy__pin_max_failed_attempts": 3, "policy__pin_min_length": 4,
        "policy__pin_max_length": 8, "policy__pin_encoding": "DECIMAL",
    }
    for name, value in opt.items():
        if rng.random() < 0.5:
            kw[name] = value
    # device-level fields go on the device; the rest on the key
    device_fields = {"manufacturer", "serial", "model", "issue_no", "device_binding",
                     "device_userid", "crypto_module", "start_date", "expiry_date"}
    device = doc.add_device(**{k: v for k, v in kw.items() if k in device_fields})
    device.add_key(**{k: v for k, v in kw.items() if k not in device_fields})


def gen(seed, count, out):
    os.makedirs(out, exist_ok=True)
    rng = random.Random(seed)
    os.urandom = lambda n: rng.randbytes(n)  # python-pskc's IVs, salts, MAC keys
    manifest = []
    n = 0
    for i in range(count):
        doc = pskc.PSKC()
        if rng.random() < 0.5:
            doc.id = f"container-{i}"
        mode = ["plain", "psk", "password"][i % 3]
        cipher = CIPHERS[(i // 3) % len(CIPHERS)]
        fields = ["secret"] + ([f for f in ["counter", "time_offset", "time_interval", "time_drift"]
                                if rng.random() < 0.5] if mode != "plain" else [])
        if mode != "plain" and cipher == "kw-tripledes":
            fields = ["secret"]  # RFC 3217 wraps multiples of 8 bytes only
        for _ in range(rng.randint(1, 4)):
            make_key(doc, rng, n, fields, mode != "plain" and cipher == "kw-tripledes")
            n += 1
        entry = {"file": f"p{i:03d}.xml", "mode": mode}
        if mode == "psk":
            key = rng.randbytes(KEY_LEN[cipher])
            doc.encryption.setup_preshared_key(key=key, algorithm=cipher, key_name=f"psk-{i}",
                                               fields=fields)
            entry["psk_hex"] = key.hex()
        elif mode == "password":
            password = f"pw-{i}-{rng.randint(0, 10**9)}"
            prf = PRFS[(i // 3) % len(PRFS)]
            doc.encryption.setup_pbkdf2(password, algorithm=cipher, prf=prf, fields=fields,
                                        iterations=ITERATIONS[i % len(ITERATIONS)])
            entry["password"] = password
        if mode != "plain" and "kw-" not in cipher:
            doc.mac.setup(algorithm=MACS[i % len(MACS)])
        if mode != "plain":
            entry["cipher"] = cipher
            entry["encrypted_fields"] = fields
        path = os.path.join(out, entry["file"])
        doc.write(path)
        # read back with python-pskc, as any importer would
        back = pskc.PSKC(path)
        if mode == "psk":
            back.encryption.key = bytes.fromhex(entry["psk_hex"])
        elif mode == "password":
            # python-pskc 1.4 writes the PRF as the text of <PRF> but reads only its
            # Algorithm attribute: tell it the PRF it wrote.
            if prf:
                back.encryption.derivation.pbkdf2_prf = prf
            back.encryption.derive_key(entry["password"])
            entry["prf"] = prf
        entry["mac"] = back.mac.algorithm
        entry["keys"] = []
        for k in back.keys:
            d = describe(k)
            d["oracle"], d["codes"] = codes(d)
            entry["keys"].append(d)
        manifest.append(entry)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        f.write(f"// gen_pskc.py --seed {seed} --count {count}\n")
        json.dump(manifest, f, indent=None, sort_keys=True)
        f.write("\n")


def check(directory):
    """python-pskc and pskctool on what otpkit wrote; returns (files, disagreements)."""
    files, bad = 0, 0
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".xml"):
            continue
        files += 1
        path = os.path.join(directory, name)
        with open(path[:-4] + ".json") as f:
            want = json.load(f)
        v = subprocess.run(["pskctool", "--validate", path], capture_output=True, text=True)
        last = (v.stdout.strip().splitlines() or [""])[-1]
        if last != "OK":
            bad += 1
            print(f"{name}: pskctool --validate: {last!r}")
        doc = pskc.PSKC(path)
        if "psk_hex" in want:
            doc.encryption.key = bytes.fromhex(want["psk_hex"])
        elif "password" in want:
            doc.encryption.derive_key(want["password"])
        got = [describe(k) for k in doc.keys]
        if len(got) != len(want["keys"]):
            bad += 1
            print(f"{name}: python-pskc read {len(got)} keys, otpkit wrote {len(want['keys'])}")
        for g, w in zip(got, want["keys"]):
            # `want` is otptool pskc list --json --show-secrets: compare the names both share.
            for field, value in w.items():
                if field in ("usable", "unusable_reason"):
                    continue
                if g.get(field) != value:
                    bad += 1
                    print(f"{name}: key {w['id']}: {field}: python-pskc {g.get(field)!r}, written {value!r}")
    return files, bad


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--seed", type=int, required=True)
    g.add_argument("--count", type=int, required=True)
    g.add_argument("--out", required=True)
    c = sub.add_parser("check")
    c.add_argument("dir")
    a = ap.parse_args()
    if a.cmd == "gen":
        gen(a.seed, a.count, a.out)
    else:
        files, bad = check(a.dir)
        print(f"check: {files} files, {bad} disagreements")
        sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

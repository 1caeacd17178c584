#!/usr/bin/env python3
"""Differential corpus for otpkit's otpauth:// parser and builder.

Writes tests/data/uri_corpus.tsv (seeded, reproducible). One row per URI:

  id  kind  uri  expect  strict  pyotp  oath  pyotp_uri  oath_uri

- kind: `gen-pyotp` (built by pyotp's provisioning_uri), `gen-pyotp-colon` (the same, with
  issuers that hold a colon, which pyotp percent-encodes), `gen-oath` (built by oath's
  GoogleAuthenticatorURI), `gen-messy` (built here with random real-world quirks),
  `quirk` (hand-written, one per quirk), `invalid` (hand-written, one per way to be wrong).
- expect: what otpkit's lenient parser must return, as JSON with the keys of
  `otptool uri parse` (warnings as a list of stable ids, extra as a list of [key, value]),
  or {"error": "<UriErrorKind id>"}.
- strict: "ok" or the error id (a rejected quirk is "quirk:<warning id>").
- pyotp / oath: what the oracles read (JSON), or {"error": "..."} when they refuse.
- pyotp_uri / oath_uri: for generated rows, the URI each oracle builds from the same
  values ("-" when it cannot express them).

Usage: gen_uri.py [--out FILE] [--seed N] [--count N] [--differences FILE]
Oracle versions are pinned in tests/oracles/requirements-provisioning.txt.
"""

import argparse
import base64
import hashlib
import json
import random
import sys
import urllib.parse

import oath
import pyotp
from oath import google_authenticator as ga

UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
ALGS = ["SHA1", "SHA256", "SHA512"]


def b32(raw):
    return base64.b32encode(raw).decode().rstrip("=")


def enc(s):
    """Percent-encode everything but RFC 3986 unreserved characters (otpkit's builder)."""
    return urllib.parse.quote(s, safe="")


def expected(otype, secret, account, issuer, alg="SHA1", digits=6, period=30, counter=None,
             encoder="standard", extra=(), warnings=()):
    w = set(warnings)
    if len(secret) < 16:
        w.add("short_key")
    if issuer is None:
        w.add("no_issuer")
    name = (issuer + ":" + account) if issuer is not None else account
    if len(name.encode()) > 64:
        w.add("long_name")
    if digits in (7, 9, 10):
        w.add("nonstandard_digits")
    if otype == "totp" and period not in (15, 30, 60):
        w.add("unusual_period")
    return {
        "type": otype,
        "encoder": encoder,
        "issuer": issuer,
        "account_name": account,
        "secret_base32": b32(secret),
        "secret_hex": secret.hex(),
        "algorithm": alg,
        "digits": digits,
        "period": period if otype == "totp" else None,
        "counter": counter if otype == "hotp" else None,
        "warnings": sorted(w),
        "extra": [list(kv) for kv in extra],
    }


# ----------------------------------------------------------------------------- oracles

def read_pyotp(uri):
    try:
        otp = pyotp.parse_uri(uri)
    except Exception as e:  # noqa: BLE001 - any refusal is data
        return {"error": type(e).__name__ + ": " + str(e)}
    out = {
        "class": type(otp).__name__,
        "issuer": otp.issuer,
        "name": otp.name,
        "secret": otp.secret,
        "algorithm": otp.digest().name.upper(),
        "digits": otp.digits,
        "period": getattr(otp, "interval", None),
        "counter": getattr(otp, "initial_count", None),
    }
    try:
        out["secret_hex"] = otp.byte_secret().hex()
    except Exception as e:  # noqa: BLE001
        out["secret_hex"] = None
        out["secret_error"] = type(e).__name__
    return out


def read_oath(uri):
    try:
        p = ga.parse_otpauth(uri)
    except Exception as e:  # noqa: BLE001
        return {"error": type(e).__name__ + ": " + str(e.args[0] if e.args else e)}
    return {
        "type": p.get("type"),
        "label": urllib.parse.unquote(p.get("label", "")),
        "issuer": p.get("issuer"),
        "secret_hex": p.get("secret"),
        "algorithm": p["algorithm"]().name.upper(),
        "digits": p.get("digits"),
        "period": p.get("period"),
        "counter": p.get("counter"),
    }


def build_pyotp(otype, secret, account, issuer, alg, digits, period, counter):
    try:
        digest = getattr(hashlib, alg.lower())
        if otype == "totp":
            otp = pyotp.TOTP(b32(secret), digits=digits, digest=digest, interval=period)
            return otp.provisioning_uri(name=account, issuer_name=issuer)
        otp = pyotp.HOTP(b32(secret), digits=digits, digest=digest)
        return otp.provisioning_uri(name=account, issuer_name=issuer, initial_count=counter)
    except Exception as e:  # noqa: BLE001
        return "-"


def build_oath(otype, secret, account, issuer, alg, digits, counter):
    try:
        return ga.GoogleAuthenticatorURI().generate(
            secret.hex(), type=otype, account=account, issuer=issuer, algo=alg.lower(),
            digits=digits, init_counter=counter if otype == "hotp" else None)
    except Exception:  # noqa: BLE001
        return "-"


# ----------------------------------------------------------------------------- generators

ISSUERS = ["Example", "ACME Co", "GitHub", "Big Corporation", "Zürich Bank", "日本", "A&B",
           "x+y", "R=1", "100%", "Q?", "C#", "O'Neil", "tab\tname", "~tilde", "a.b-c_d"]
ACCOUNT_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@._-+ &=%#?!$,;'()*~éüß日本"


def rand_account(r):
    while True:
        n = r.randint(1, 24)
        # a leading space would be trimmed as a separator space (spec §5.4)
        account = "".join(r.choice(ACCOUNT_CHARS) for _ in range(n)).lstrip(" ")
        if account:
            return account


def rand_params(r, digits_choices=(6, 6, 6, 7, 8, 8)):
    otype = r.choice(["totp", "totp", "hotp"])
    secret = bytes(r.getrandbits(8) for _ in range(r.choice([10, 12, 16, 20, 20, 20, 32, 40, 64, r.randint(1, 80)])))
    account = rand_account(r)
    issuer = r.choice(ISSUERS + [None, None]) if r.random() < 0.9 else None
    alg = r.choice(ALGS)
    digits = r.choice(digits_choices)
    period = r.choice([30, 30, 30, 15, 60, 1, 90, 3600, r.randint(1, 10**6)])
    counter = r.choice([0, 1, 42, r.randint(0, 2**32), r.randint(0, 2**64 - 1), 2**64 - 1])
    return otype, secret, account, issuer, alg, digits, period, counter


def gen_rows(r, count):
    rows = []
    n_py = count * 6 // 10
    n_oath = count * 2 // 10
    n_messy = count - n_py - n_oath
    for _ in range(n_py):
        uri = "-"
        while uri == "-":  # pyotp refuses keys under 112 bits and periods over 120 s
            otype, secret, account, issuer, alg, digits, period, counter = rand_params(r)
            uri = build_pyotp(otype, secret, account, issuer, alg, digits, period, counter)
        exp = expected(otype, secret, account, issuer, alg, digits, period, counter)
        rows.append(("gen-pyotp", uri, exp, "ok" if digits != 7 else "quirk:nonstandard_digits",
                     uri, build_oath(otype, secret, account, issuer, alg, digits, counter)
                     if otype == "hotp" or period == 30 else "-"))  # oath always writes period=30
    for _ in range(n_oath):
        otype, secret, account, issuer, alg, digits, period, counter = rand_params(r, (6, 8))
        period = 30
        uri = build_oath(otype, secret, account, issuer, alg, digits, counter)
        warnings = []
        extra = []
        if otype == "hotp":
            # oath writes `type=hotp` as a query parameter and `period=30` on HOTP
            extra = [("type", "hotp")]
            warnings += ["unknown_parameter", "period_on_hotp"]
        if alg != "SHA1":
            warnings.append("algorithm_spelling")
        if len(secret) % 5:
            warnings.append("padded_secret")  # oath keeps b32encode's `=` padding
        exp = expected(otype, secret, account, issuer, alg, digits, period, counter,
                       extra=extra, warnings=warnings)
        strict = "ok"
        if warnings:
            strict = "quirk:" + order_first(warnings)
        rows.append(("gen-oath", uri, exp, strict,
                     build_pyotp(otype, secret, account, issuer, alg, digits, period, counter), uri))
    for _ in range(n_messy):
        rows.append(messy_row(r))
    return rows


# order in which otpkit's strict mode reports the first quirk it meets
STRICT_ORDER = ["surrounding_whitespace", "scheme_case", "type_case", "steam", "unencoded_character",
                "colon_in_account", "colon_in_issuer", "empty_account", "empty_issuer", "plus_as_space",
                "parameter_name_case", "unknown_parameter", "duplicate_unknown_parameter", "lowercase_secret",
                "padded_secret", "spaced_secret", "nonzero_padding_bits", "algorithm_spelling",
                "nonstandard_digits", "period_on_hotp", "counter_on_totp", "missing_counter",
                "issuer_mismatch"]


def order_first(ws):
    return min(ws, key=STRICT_ORDER.index)


COLON_ISSUERS = ["ACME:Corp", "a:b:c", "Foo: Bar", "x:", ":lead", "Zürich:Bank", "10:30 Club"]


def gen_colon_rows(r, count):
    """pyotp writes an issuer holding a colon percent-encoded in the label and the parameter;
    otpkit must read back exactly the issuer and account pyotp was given."""
    rows = []
    while len(rows) < count:
        otype, secret, account, _, alg, digits, period, counter = rand_params(r)
        issuer = r.choice(COLON_ISSUERS)
        uri = build_pyotp(otype, secret, account, issuer, alg, digits, period, counter)
        if uri == "-":
            continue
        exp = expected(otype, secret, account, issuer, alg, digits, period, counter,
                       warnings=["colon_in_issuer"])
        strict = "quirk:" + order_first(set(exp["warnings"]) & set(STRICT_ORDER))
        rows.append(("gen-pyotp-colon", uri, exp, strict, uri, "-"))
    return rows


def b32_lenient(text):
    """Base32 decoding that ignores the trailing bits of the last character (as Google
    Authenticator and oathtool do)."""
    bits = "".join(format("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".index(c), "05b") for c in text)
    return bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits) // 8 * 8, 8))


def messy_row(r):
    otype, secret, account, issuer, alg, digits, period, counter = rand_params(r)
    warnings = []
    # secret spelling
    s = b32(secret)
    if r.random() < 0.3:
        s = s.lower()
        warnings.append("lowercase_secret")
    if r.random() < 0.3 and len(s) % 8:
        s = s + "=" * ((8 - len(s) % 8) % 8)
        warnings.append("padded_secret")
    if r.random() < 0.2 and len(s) > 4:
        sep = r.choice(["+", "%20"])
        s = sep.join(s[i:i + 4] for i in range(0, len(s), 4))
        warnings.append("spaced_secret")
        if sep == "+":
            warnings.append("plus_as_space")
    s_enc = s.replace("=", r.choice(["=", "%3D"]))
    params = [("secret", s_enc)]
    label = enc(account)
    if issuer is not None:
        sep = r.choice([":", "%3A", ":%20", "%3A%20"])
        if sep.startswith("%3A"):
            warnings.append("encoded_separator")
        if sep.endswith("%20"):
            warnings.append("space_after_separator")
        label = enc(issuer) + sep + label
        if r.random() < 0.8:
            if " " in issuer and r.random() < 0.5:
                params.append(("issuer", "+".join(enc(p) for p in issuer.split(" "))))
                warnings.append("plus_as_space")
            else:
                params.append(("issuer", enc(issuer)))
    if otype == "hotp":
        params.append(("counter", str(counter)))
    else:
        if period != 30 or r.random() < 0.3:
            params.append(("period", str(period)))
    if alg != "SHA1" or r.random() < 0.3:
        spelled = r.choice([alg, alg.lower(), alg[:3] + "-" + alg[3:], alg.lower()[:3] + "-" + alg[3:]])
        if spelled != alg:
            warnings.append("algorithm_spelling")
        params.append(("algorithm", spelled))
    if digits != 6 or r.random() < 0.3:
        params.append(("digits", str(digits)))
    extra = []
    for k, v in r.sample([("image", "https://example.com/i.png"), ("lock", "true"), ("color", "FF0000"),
                          ("tags", "work,2fa"), ("creator", "Some App")], r.randint(0, 2)):
        extra.append((k, v))
        params.append((k, enc(v)))
    if extra:
        warnings.append("unknown_parameter")
    r.shuffle(params)
    extra = [(k, dict(extra)[k]) for k, _ in params if k in dict(extra)]
    uri = "otpauth://%s/%s?%s" % (otype, label, "&".join(k + "=" + v for k, v in params))
    exp = expected(otype, secret, account, issuer, alg, digits, period, counter, extra=extra,
                   warnings=dedup(warnings))
    strict = "ok"
    all_w = set(exp["warnings"]) & set(STRICT_ORDER)
    if all_w:
        strict = "quirk:" + order_first(all_w)
    return ("gen-messy", uri, exp, strict, "-", "-")


def dedup(ws):
    return sorted(set(ws))


# ----------------------------------------------------------------------------- hand-written

JB = bytes.fromhex("48656c6c6f21deadbeef")  # JBSWY3DPEHPK3PXP, the wiki's example key
K20 = b"12345678901234567890"  # GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
KS = base64.b32decode("63BEDWCQZKTQWPESARIERL5DTTQFCJTK")  # Steam vector key (KeePassXC)


def T(account="alice@google.com", issuer="Example", secret=K20, **kw):
    return expected(kw.pop("otype", "totp"), secret, account, issuer, **kw)


B = "otpauth://totp/Example:alice@google.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example"

QUIRKS = [
    # (name, uri, expect, strict)
    ("wiki_example", "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
     T(secret=JB), "ok"),
    ("wiki_all_parameters",
     "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30",
     T("john.doe@email.com", "ACME Co", base64.b32decode("HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ")), "ok"),
    ("lowercase_secret", B.replace("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "gezdgnbvgy3tqojqgezdgnbvgy3tqojq"), T(warnings=["lowercase_secret"]), "quirk:lowercase_secret"),
    ("padded_secret", B.replace("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").replace("otpauth://totp/Example:alice@google.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "otpauth://totp/Example:alice@google.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGE======"),
     T(secret=K20 + b"1", warnings=["padded_secret"]), "quirk:padded_secret"),
    ("padded_secret_pct3d", "otpauth://totp/Example:alice@google.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGE%3D%3D%3D%3D%3D%3D&issuer=Example",
     T(secret=K20 + b"1", warnings=["padded_secret"]), "quirk:padded_secret"),
    ("spaced_secret_pct20", B.replace("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "GEZD%20GNBV%20GY3T%20QOJQ%20GEZD%20GNBV%20GY3T%20QOJQ"), T(warnings=["spaced_secret"]), "quirk:spaced_secret"),
    ("spaced_secret_plus", B.replace("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "GEZD+GNBV+GY3T+QOJQ+GEZD+GNBV+GY3T+QOJQ"), T(warnings=["spaced_secret", "plus_as_space"]), "quirk:plus_as_space"),
    ("spaced_lower_padded", "otpauth://totp/Example:alice@google.com?secret=gezd+gnbv+gy3t+qojq+gezd+gnbv+gy3t+qojq+ge%3D%3D%3D%3D%3D%3D&issuer=Example",
     T(secret=K20 + b"1", warnings=["spaced_secret", "plus_as_space", "lowercase_secret", "padded_secret"]), "quirk:plus_as_space"),
    ("separator_pct3a", "otpauth://totp/Example%3Aalice@google.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example", T(warnings=["encoded_separator"]), "ok"),
    ("separator_pct3a_lower", "otpauth://totp/Example%3aalice@google.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example", T(warnings=["encoded_separator"]), "ok"),
    ("wiki_bigco", "otpauth://totp/Big%20Corporation%3A%20alice%40bigco.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
     T("alice@bigco.com", "Big Corporation", warnings=["encoded_separator", "space_after_separator"]), "ok"),
    ("space_after_colon", "otpauth://totp/Provider1:%20%20Alice%20Smith?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Provider1",
     T("Alice Smith", "Provider1", warnings=["space_after_separator"]), "ok"),
    ("issuer_plus_space", "otpauth://totp/ACME%20Co:john?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME+Co",
     T("john", "ACME Co", warnings=["plus_as_space"]), "quirk:plus_as_space"),
    ("issuer_pct20_space", "otpauth://totp/ACME%20Co:john?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%20Co",
     T("john", "ACME Co"), "ok"),
    ("label_plus_literal", "otpauth://totp/Example:alice+tag@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example",
     T("alice+tag@example.com"), "ok"),
    ("issuer_mismatch", "otpauth://totp/Old:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=New",
     T("alice", "New", warnings=["issuer_mismatch"]), "quirk:issuer_mismatch"),
    ("issuer_label_only", "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", T("alice"), "ok"),
    ("issuer_param_only", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example", T("alice"), "ok"),
    ("no_issuer", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", T("alice", None), "ok"),
    ("two_colons", "otpauth://totp/Example:alice:work?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example",
     T("alice:work", warnings=["colon_in_account"]), "quirk:colon_in_account"),
    ("empty_issuer_prefix", "otpauth://totp/:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
     T("alice", None, warnings=["empty_issuer"]), "quirk:empty_issuer"),
    ("empty_issuer_param", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=",
     T("alice", None, warnings=["empty_issuer"]), "quirk:empty_issuer"),
    ("empty_account", "otpauth://totp/Example:?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example",
     T("", warnings=["empty_account"]), "quirk:empty_account"),
    ("no_label", "otpauth://totp?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
     T("", None, warnings=["empty_account"]), "quirk:empty_account"),
    ("unknown_parameters_kept",
     "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&image=https%3A%2F%2Fexample.com%2Fi.png&lock=false&color=00FF00&tags=a%2Cb&creator=Some+App",
     T("alice", extra=[("image", "https://example.com/i.png"), ("lock", "false"), ("color", "00FF00"), ("tags", "a,b"), ("creator", "Some App")],
       warnings=["unknown_parameter", "plus_as_space"]), "quirk:plus_as_space"),
    ("unknown_parameter_repeated", "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&tags=a&tags=b",
     T("alice", extra=[("tags", "a")], warnings=["unknown_parameter", "duplicate_unknown_parameter"]), "quirk:unknown_parameter"),
    ("unknown_parameter_no_value", "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&flag",
     T("alice", extra=[("flag", "")], warnings=["unknown_parameter"]), "quirk:unknown_parameter"),
    ("parameter_name_case_secret", "otpauth://totp/Example:alice?Secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&Issuer=Example",
     T("alice", warnings=["parameter_name_case"]), "quirk:parameter_name_case"),
    ("parameter_name_case_digits", B + "&Digits=8", T(digits=8, warnings=["parameter_name_case"]), "quirk:parameter_name_case"),
    ("parameter_name_case_all",
     "otpauth://totp/Example:alice?SECRET=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&ISSUER=Example&ALGORITHM=SHA256&DIGITS=8&PERIOD=60",
     T("alice", alg="SHA256", digits=8, period=60, warnings=["parameter_name_case"]), "quirk:parameter_name_case"),
    ("parameter_name_case_counter", "otpauth://hotp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&Counter=5",
     T("alice", otype="hotp", counter=5, warnings=["parameter_name_case"]), "quirk:parameter_name_case"),
    ("empty_query_segments", "otpauth://totp/Example:alice?&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&&issuer=Example&",
     T("alice"), "ok"),
    ("algorithm_lower", B + "&algorithm=sha256", T(alg="SHA256", warnings=["algorithm_spelling"]), "quirk:algorithm_spelling"),
    ("algorithm_hyphen", B + "&algorithm=SHA-512", T(alg="SHA512", warnings=["algorithm_spelling"]), "quirk:algorithm_spelling"),
    ("algorithm_hyphen_lower", B + "&algorithm=sha-1", T(warnings=["algorithm_spelling"]), "quirk:algorithm_spelling"),
    ("algorithm_mixed_case", B + "&algorithm=Sha256", T(alg="SHA256", warnings=["algorithm_spelling"]), "quirk:algorithm_spelling"),
    ("algorithm_sha256", B + "&algorithm=SHA256", T(alg="SHA256"), "ok"),
    ("algorithm_sha512", B + "&algorithm=SHA512", T(alg="SHA512"), "ok"),
    ("digits_7", B + "&digits=7", T(digits=7), "quirk:nonstandard_digits"),
    ("digits_8", B + "&digits=8", T(digits=8), "ok"),
    ("digits_10", B + "&digits=10", T(digits=10), "quirk:nonstandard_digits"),
    ("period_60", B + "&period=60", T(period=60), "ok"),
    ("period_1", B + "&period=1", T(period=1), "ok"),
    ("period_on_hotp", "otpauth://hotp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&counter=5&period=60",
     T("alice", otype="hotp", counter=5, warnings=["period_on_hotp"]), "quirk:period_on_hotp"),
    ("counter_on_totp", B + "&counter=5", T(warnings=["counter_on_totp"]), "quirk:counter_on_totp"),
    ("hotp_counter_0", "otpauth://hotp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&counter=0",
     T("alice", otype="hotp", counter=0), "ok"),
    ("hotp_counter_max", "otpauth://hotp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&counter=18446744073709551615",
     T("alice", otype="hotp", counter=2**64 - 1), "ok"),
    ("uppercase_scheme_type", B.replace("otpauth://totp", "OTPAUTH://TOTP"), T(warnings=["scheme_case", "type_case"]), "quirk:scheme_case"),
    ("uppercase_type", B.replace("totp", "TOTP", 1), T(warnings=["type_case"]), "quirk:type_case"),
    ("trailing_newline", B + "\n", T(warnings=["surrounding_whitespace"]), "quirk:surrounding_whitespace"),
    ("surrounding_spaces", "  " + B + " \r\n", T(warnings=["surrounding_whitespace"]), "quirk:surrounding_whitespace"),
    ("utf8_label_issuer", "otpauth://totp/Z%C3%BCrich%20Bank:j%C3%B6rg?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Z%C3%BCrich%20Bank",
     T("jörg", "Zürich Bank"), "ok"),
    ("unencoded_utf8_label", "otpauth://totp/Zürich:jörg?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Z%C3%BCrich",
     T("jörg", "Zürich", warnings=["unencoded_character"]), "quirk:unencoded_character"),
    ("unencoded_space_label", "otpauth://totp/ACME Co:john doe?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%20Co",
     T("john doe", "ACME Co", warnings=["unencoded_character"]), "quirk:unencoded_character"),
    ("pct_encoded_at", "otpauth://totp/Example:alice%40google.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example", T(), "ok"),
    ("steam_encoder_keepassxc",
     "otpauth://totp/test:test@example.com?secret=63BEDWCQZKTQWPESARIERL5DTTQFCJTK&issuer=Valve&algorithm=SHA1&digits=5&period=30&encoder=steam",
     T("test@example.com", "Valve", KS, digits=5, encoder="steam", warnings=["issuer_mismatch", "steam"]), "quirk:steam"),
    ("steam_encoder_no_digits", "otpauth://totp/Steam:gabe?secret=63BEDWCQZKTQWPESARIERL5DTTQFCJTK&issuer=Steam&encoder=steam",
     T("gabe", "Steam", KS, digits=5, encoder="steam", warnings=["steam"]), "quirk:steam"),
    ("steam_type_aegis", "otpauth://steam/Steam:gabe?secret=63BEDWCQZKTQWPESARIERL5DTTQFCJTK&issuer=Steam&digits=5&algorithm=SHA1&period=30",
     T("gabe", "Steam", KS, digits=5, encoder="steam", warnings=["steam"]), "quirk:steam"),
    ("short_key_1_byte", "otpauth://totp/Example:alice?secret=ME&issuer=Example", T("alice", secret=b"a"), "ok"),
    ("long_name", "otpauth://totp/Example:" + "a" * 60 + "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example", T("a" * 60), "ok"),
    ("secret_64_bytes", "otpauth://totp/Example:alice?secret=" + b32(bytes(range(64))) + "&issuer=Example&algorithm=SHA512",
     T("alice", secret=bytes(range(64)), alg="SHA512"), "ok"),
    ("parameter_order_free", "otpauth://totp/Example:alice?issuer=Example&period=30&digits=6&algorithm=SHA1&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
     T("alice"), "ok"),
    ("label_slash_encoded", "otpauth://totp/Example:a%2Fb?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example", T("a/b"), "ok"),
    ("label_pct_encoded_colon_in_issuer_param", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=A%3AB",
     T("alice", "A:B"), "ok"),
    # pyotp's builder percent-encodes an issuer's colon; the label is split after the issuer.
    ("issuer_colon_pyotp", "otpauth://totp/ACME%3ACorp:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%3ACorp",
     T("alice", "ACME:Corp", warnings=["colon_in_issuer"]), "quirk:colon_in_issuer"),
    ("issuer_colon_encoded_separator", "otpauth://totp/ACME%3ACorp%3Aalice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%3ACorp",
     T("alice", "ACME:Corp", warnings=["colon_in_issuer", "encoded_separator"]), "quirk:colon_in_issuer"),
    ("issuer_colon_account_colon", "otpauth://totp/ACME%3ACorp:alice%3Awork?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%3ACorp",
     T("alice:work", "ACME:Corp", warnings=["colon_in_issuer", "colon_in_account"]), "quirk:colon_in_account"),
    ("issuer_colon_other_prefix", "otpauth://totp/Other:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%3ACorp",
     T("alice", "ACME:Corp", warnings=["issuer_mismatch"]), "quirk:issuer_mismatch"),
    # The Key URI format requires `counter` on hotp; Google Authenticator, FreeOTP and pyotp
    # start at 0 without it.
    ("hotp_no_counter", "otpauth://hotp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
     T("alice", None, otype="hotp", counter=0, warnings=["missing_counter"]), "missing_counter"),
    ("hotp_no_counter_wiki_example", "otpauth://hotp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
     T(secret=JB, otype="hotp", counter=0, warnings=["missing_counter"]), "missing_counter"),
    # RFC 4648 §3.5 lets decoders refuse non-zero trailing bits; Google Authenticator and
    # oathtool ignore them.
    ("secret_nonzero_padding_bits", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGF",
     T("alice", None, secret=b32_lenient("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGF"), warnings=["nonzero_padding_bits"]), "invalid_secret"),
    ("secret_gg", "otpauth://totp/Example:alice?secret=GG&issuer=Example",
     T("alice", secret=b32_lenient("GG"), warnings=["nonzero_padding_bits"]), "invalid_secret"),
    ("secret_pyotp_nonzero_bits", "otpauth://totp/Secure%20App:alice%40google.com?secret=S46SQCPPTCNPROMHWYBDCTBZXV&issuer=Secure%20App",
     T("alice@google.com", "Secure App", secret=b32_lenient("S46SQCPPTCNPROMHWYBDCTBZXV"), warnings=["nonzero_padding_bits"]), "invalid_secret"),
    ("period_unusual_90", B + "&period=90", T(period=90), "ok"),
    ("issuer_prefix_steam_not_switched", "otpauth://totp/Steam:gabe?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Steam",
     T("gabe", "Steam"), "ok"),
]

INVALID = [
    # (name, uri, error id) -- one per way to be wrong
    ("scheme_http", "https://example.com/totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "unsupported_scheme"),
    ("scheme_missing", "totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "unsupported_scheme"),
    ("scheme_no_slashes", "otpauth:totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "unsupported_scheme"),
    ("scheme_migration", "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC", "migration_scheme"),
    ("empty_string", "", "unsupported_scheme"),
    ("type_unknown", "otpauth://motp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "unknown_type"),
    ("type_empty", "otpauth:///alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "unknown_type"),
    ("type_ocra", "otpauth://ocra/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "unknown_type"),
    ("secret_missing", "otpauth://totp/alice?issuer=Example", "missing_secret"),
    ("secret_empty", "otpauth://totp/alice?secret=&issuer=Example", "missing_secret"),
    ("no_query", "otpauth://totp/alice", "missing_secret"),
    ("secret_bad_char", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1", "invalid_secret"),
    ("secret_bad_length", "otpauth://totp/alice?secret=JBSWY3DPE", "invalid_secret"),
    ("secret_padding_inside", "otpauth://totp/alice?secret=JB=SWY3DP", "invalid_secret"),
    ("secret_only_padding", "otpauth://totp/alice?secret=%3D%3D%3D%3D", "invalid_secret"),
    ("secret_too_long", "otpauth://totp/alice?secret=" + b32(bytes(257)), "secret_too_long"),
    ("counter_overflow", "otpauth://hotp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=18446744073709551616", "invalid_counter"),
    ("counter_negative", "otpauth://hotp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=-1", "invalid_counter"),
    ("counter_not_number", "otpauth://hotp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=ten", "invalid_counter"),
    ("counter_empty", "otpauth://hotp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=", "invalid_counter"),
    ("counter_plus_sign", "otpauth://hotp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=%2B5", "invalid_counter"),
    ("digits_5_not_steam", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=5", "invalid_digits"),
    ("digits_11", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=11", "invalid_digits"),
    ("digits_0", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=0", "invalid_digits"),
    ("digits_not_number", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=six", "invalid_digits"),
    ("digits_huge", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=99999999999999999999999", "invalid_digits"),
    ("digits_steam_6", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=6&encoder=steam", "invalid_digits"),
    ("period_zero", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&period=0", "invalid_period"),
    ("period_decimal", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&period=30.5", "invalid_period"),
    ("period_negative", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&period=-30", "invalid_period"),
    ("period_hex", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&period=0x1e", "invalid_period"),
    ("period_overflow", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&period=18446744073709551616", "invalid_period"),
    ("algorithm_md5", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=MD5", "unknown_algorithm"),
    ("algorithm_hmacsha1", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=HmacSHA1", "unknown_algorithm"),
    ("algorithm_empty", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=", "unknown_algorithm"),
    ("algorithm_sha3", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA3-256", "unknown_algorithm"),
    ("duplicate_secret", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&secret=GEZDGNBVGY3TQOJQ", "duplicate_parameter"),
    ("duplicate_issuer", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=A&issuer=A", "duplicate_parameter"),
    ("duplicate_counter", "otpauth://hotp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=1&counter=2", "duplicate_parameter"),
    ("duplicate_digits", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=6&digits=6", "duplicate_parameter"),
    ("duplicate_algorithm", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA1&algorithm=SHA256", "duplicate_parameter"),
    ("duplicate_period", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&period=30&period=60", "duplicate_parameter"),
    ("duplicate_secret_two_spellings", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&Secret=GEZDGNBVGY3TQOJQ", "duplicate_parameter"),
    ("duplicate_digits_two_spellings", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=6&DIGITS=8", "duplicate_parameter"),
    ("duplicate_encoder", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&encoder=steam&encoder=steam", "duplicate_parameter"),
    ("bad_escape_label", "otpauth://totp/ali%ZZce?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "invalid_percent_encoding"),
    ("bad_escape_truncated", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=A%2", "invalid_percent_encoding"),
    ("bad_escape_key", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&%G0=1", "invalid_percent_encoding"),
    ("bad_utf8_label", "otpauth://totp/%C3%28?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "invalid_utf8"),
    ("bad_utf8_issuer", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=%FF", "invalid_utf8"),
    ("bad_utf8_extra", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&x=%E2%82", "invalid_utf8"),
    ("encoder_unknown", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&encoder=yandex", "unknown_encoder"),
    ("steam_hotp", "otpauth://hotp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=1&encoder=steam", "invalid_steam"),
    ("steam_sha256", "otpauth://steam/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA256", "invalid_steam"),
    ("control_character", "otpauth://totp/ali\x01ce?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "invalid_character"),
    ("too_long", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&image=" + "a" * 16384, "too_long"),
    ("too_many_parameters", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" + "&x=1" * 64, "too_many_parameters"),
    ("nul_in_query", "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=A\x00", "invalid_character"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="tests/data/uri_corpus.tsv")
    ap.add_argument("--seed", type=int, default=20261126)
    ap.add_argument("--count", type=int, default=330)
    ap.add_argument("--differences", default="tests/data/uri_oracle_differences.md",
                    help="file whose generated table is rewritten in place")
    args = ap.parse_args()
    r = random.Random(args.seed)
    rows = []
    for kind, uri, exp, strict, pu, ou in gen_rows(r, args.count):
        rows.append((kind, uri, exp, strict, pu, ou))
    # A stream of its own, so that adding these rows left the others as they were.
    rows += gen_colon_rows(random.Random(args.seed + 1), max(10, args.count // 10))
    for name, uri, exp, strict in QUIRKS:
        rows.append(("quirk:" + name, uri, exp, strict, "-", "-"))
    for name, uri, err in INVALID:
        rows.append(("invalid:" + name, uri, {"error": err}, err, "-", "-"))
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write("# generated by tests/oracles/gen_uri.py --seed %d --count %d; pyotp %s, oath %s\n"
                % (args.seed, args.count, pyotp_version(), oath_version()))
        f.write("id\tkind\turi\texpect\tstrict\tpyotp\toath\tpyotp_uri\toath_uri\n")
        for i, (kind, uri, exp, strict, pu, ou) in enumerate(rows):
            cols = [str(i), kind, json.dumps(uri, ensure_ascii=False), json.dumps(exp, ensure_ascii=False),
                    strict, json.dumps(read_pyotp(uri), ensure_ascii=False),
                    json.dumps(read_oath(uri), ensure_ascii=False), json.dumps(pu, ensure_ascii=False),
                    json.dumps(ou, ensure_ascii=False)]
            f.write("\t".join(cols) + "\n")
    write_differences(rows, args.differences)
    counts = {}
    for row in rows:
        k = row[0].split(":")[0]
        counts[k] = counts.get(k, 0) + 1
    print("wrote %d rows to %s: %s" % (len(rows), args.out, counts), file=sys.stderr)


def cell(reading, oracle):
    if "error" in reading:
        return "refuses: " + reading["error"].split(":", 1)[-1].strip()[:60]
    if oracle == "pyotp":
        text = "issuer=%r name=%r %s/%s" % (reading["issuer"], reading["name"], reading["algorithm"], reading["digits"])
        text += " period=%s" % reading["period"] if reading["class"] != "HOTP" else " counter=%s" % reading["counter"]
        return text + ("" if reading["class"] != "Steam" else " Steam")
    text = "type=%s label=%r issuer=%r %s/%s" % (reading["type"], reading["label"], reading["issuer"], reading["algorithm"], reading["digits"])
    return text + " period=%s counter=%s" % (reading["period"], reading["counter"])


def write_differences(rows, path):
    """Regenerates the per-row table of hand-written rows in the differences file."""
    try:
        text = open(path, encoding="utf-8").read()
    except FileNotFoundError:
        return
    lines = ["", "| row | uri | otpkit | strict | pyotp | oath |", "|---|---|---|---|---|---|"]
    for kind, uri, exp, strict, _, _ in rows:
        if kind.startswith("gen-"):
            continue
        if "error" in exp:
            ours = exp["error"]
        else:
            ours = "issuer=%r account=%r %s" % (exp["issuer"], exp["account_name"], ",".join(exp["warnings"]))
        cols = [kind, "`%s`" % json.dumps(uri)[1:-1][:90], ours, strict, cell(read_pyotp(uri), "pyotp"),
                cell(read_oath(uri), "oath")]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cols) + " |")
    begin, end = "<!-- BEGIN GENERATED -->", "<!-- END GENERATED -->"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(head + begin + "\n".join(lines) + "\n" + end + tail)


def pyotp_version():
    from importlib.metadata import version
    return version("pyotp")


def oath_version():
    from importlib.metadata import version
    return version("oath")


if __name__ == "__main__":
    main()

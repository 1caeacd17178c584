#!/usr/bin/env python3
"""Independent otpauth-migration:// payloads for otpkit's migration decoder.

Encodes Google Authenticator export payloads with Python's `protobuf` package (pinned in
requirements-provisioning.txt) from the published schema (shared spec migration-steam.md §2), built as a
descriptor at run time (no protoc needed), and writes tests/data/migration_protobuf.tsv:

  id  kind  uri  expect

- kind: `sample` (the spec's verified samples), `gen` (random single payloads), `batch` (one
  export split over several payloads), `unknown` (encoded with an evolved schema whose extra
  fields otpkit must skip), `invalid` (must be refused).
- expect: JSON {"version", "batch_size", "batch_index", "batch_id", "entries": [...]}, each
  entry with what otpkit must read (`type`, `issuer`, `account_name`, `secret_hex`,
  `algorithm`, `digits`, `counter`), or {"error": "<MigrationErrorKind id>"}.

Usage: gen_migration.py [--out FILE] [--seed N]
"""

import argparse
import base64
import json
import random
import sys
import urllib.parse

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto


def build_schema(evolved=False):
    """MigrationPayload as published; `evolved` adds fields a newer app might write."""
    fdp = descriptor_pb2.FileDescriptorProto()
    fdp.name = "migration%s.proto" % ("_evolved" if evolved else "")
    fdp.package = "googleauth" + ("evolved" if evolved else "")
    fdp.syntax = "proto3"

    def enum(name, values):
        e = fdp.enum_type.add()
        e.name = name
        for n, v in values:
            ev = e.value.add()
            ev.name = n
            ev.number = v

    enum("Algorithm", [("ALGORITHM_UNSPECIFIED", 0), ("SHA1", 1), ("SHA256", 2), ("SHA512", 3), ("MD5", 4)])
    enum("DigitCount", [("DIGIT_COUNT_UNSPECIFIED", 0), ("SIX", 1), ("EIGHT", 2)])
    enum("OtpType", [("OTP_TYPE_UNSPECIFIED", 0), ("HOTP", 1), ("TOTP", 2)])
    pkg = "." + fdp.package

    def field(msg, name, number, ftype, label=F.LABEL_OPTIONAL, type_name=None):
        f = msg.field.add()
        f.name = name
        f.number = number
        f.type = ftype
        f.label = label
        if type_name:
            f.type_name = pkg + "." + type_name

    params = fdp.message_type.add()
    params.name = "OtpParameters"
    field(params, "secret", 1, F.TYPE_BYTES)
    field(params, "name", 2, F.TYPE_STRING)
    field(params, "issuer", 3, F.TYPE_STRING)
    field(params, "algorithm", 4, F.TYPE_ENUM, type_name="Algorithm")
    field(params, "digits", 5, F.TYPE_ENUM, type_name="DigitCount")
    field(params, "type", 6, F.TYPE_ENUM, type_name="OtpType")
    field(params, "counter", 7, F.TYPE_INT64)
    if evolved:
        field(params, "note", 8, F.TYPE_STRING)
        field(params, "icon_id", 9, F.TYPE_FIXED32)
        field(params, "created", 10, F.TYPE_FIXED64)
        field(params, "tags", 11, F.TYPE_STRING, label=F.LABEL_REPEATED)

    payload = fdp.message_type.add()
    payload.name = "MigrationPayload"
    field(payload, "otp_parameters", 1, F.TYPE_MESSAGE, label=F.LABEL_REPEATED, type_name="OtpParameters")
    field(payload, "version", 2, F.TYPE_INT32)
    field(payload, "batch_size", 3, F.TYPE_INT32)
    field(payload, "batch_index", 4, F.TYPE_INT32)
    field(payload, "batch_id", 5, F.TYPE_INT32)
    if evolved:
        field(payload, "device", 6, F.TYPE_STRING)
        field(payload, "flags", 15, F.TYPE_SINT64)

    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(fdp.package + ".MigrationPayload"))


Payload = build_schema()
Evolved = build_schema(evolved=True)

ALG = {0: "SHA1", 1: "SHA1", 2: "SHA256", 3: "SHA512"}
DIG = {0: 6, 1: 6, 2: 8}


def uri_of(raw):
    return "otpauth-migration://offline?data=" + urllib.parse.quote(base64.b64encode(raw).decode(), safe="")


def reading(entry):
    """What otpkit must read from one OtpParameters (label rules of the otpauth:// parser)."""
    name = entry["name"]
    prefix, sep, rest = name.partition(":")
    if sep:
        account = rest.lstrip(" ")
        label_issuer = prefix or None
    else:
        account = name
        label_issuer = None
    issuer = entry["issuer"] or label_issuer
    otype = "hotp" if entry["type"] == 1 else "totp"
    return {
        "type": otype,
        "issuer": issuer,
        "account_name": account,
        "secret_hex": entry["secret"].hex(),
        "algorithm": ALG[entry["algorithm"]],
        "digits": DIG[entry["digits"]],
        "counter": entry["counter"] if otype == "hotp" else None,
    }


def encode(entries, version=1, batch_size=1, batch_index=0, batch_id=0, cls=Payload, extra=None):
    msg = cls()
    for e in entries:
        p = msg.otp_parameters.add()
        p.secret = e["secret"]
        p.name = e["name"]
        p.issuer = e["issuer"]
        p.algorithm = e["algorithm"]
        p.digits = e["digits"]
        p.type = e["type"]
        p.counter = e["counter"]
        for k, v in (e.get("evolved") or {}).items():
            if k == "tags":
                p.tags.extend(v)
            else:
                setattr(p, k, v)
    msg.version = version
    msg.batch_size = batch_size
    msg.batch_index = batch_index
    msg.batch_id = batch_id
    for k, v in (extra or {}).items():
        setattr(msg, k, v)
    return msg.SerializeToString()


ISSUERS = ["", "Example", "ACME Co", "GitHub", "Zürich Bank", "日本"]


def rand_entry(r, evolved=False):
    issuer = r.choice(ISSUERS)
    account = "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789@._-+ é") for _ in range(r.randint(1, 20))).strip() or "x"
    style = r.random()
    if issuer and style < 0.5:
        name = issuer + ":" + account  # Google writes the prefix into `name` too
    elif not issuer and style < 0.2:
        name = "Prefix:" + account
    else:
        name = account
    otype = r.choice([1, 2, 2, 0])
    e = {
        "secret": bytes(r.getrandbits(8) for _ in range(r.choice([10, 16, 20, 20, 32, 64, r.randint(1, 100)]))),
        "name": name,
        "issuer": issuer,
        "algorithm": r.choice([0, 1, 1, 2, 3]),
        "digits": r.choice([0, 1, 1, 2]),
        "type": otype,
        "counter": r.choice([0, 1, 7, r.randint(0, 2**63 - 1)]) if otype == 1 else (r.choice([0, 0, 5]) if r.random() < 0.1 else 0),
    }
    if evolved:
        e["evolved"] = {"note": "kept by a newer app", "icon_id": r.getrandbits(32),
                        "created": r.getrandbits(64), "tags": ["a", "b"]}
    return e


def expect(entries, version=1, batch_size=1, batch_index=0, batch_id=0):
    return {"version": version, "batch_size": batch_size, "batch_index": batch_index, "batch_id": batch_id,
            "entries": [reading(e) for e in entries]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="tests/data/migration_protobuf.tsv")
    ap.add_argument("--seed", type=int, default=20261126)
    args = ap.parse_args()
    r = random.Random(args.seed)
    rows = []

    # The spec's verified samples (dim13/otpauth and otp-migration-parser READMEs).
    rows.append(("sample", "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC",
                 {"version": 0, "batch_size": 0, "batch_index": 0, "batch_id": 0, "entries": [
                     {"type": "totp", "issuer": "Example", "account_name": "alice@google.com",
                      "secret_hex": "48656c6c6f21deadbeef", "algorithm": "SHA1", "digits": 6, "counter": None}]}))
    rows.append(("sample", "otpauth-migration://offline?data=CkoKDZePmX7z8qHgFlH9yVcSIlRoaXNfaXNfYW5fRXhhbXBsZTplbWFpbEBlbWFpbC5jb20aD0V4YW1wbGVfV2Vic2l0ZSABKAEwAhABGAEgAA%3D%3D",
                 {"version": 1, "batch_size": 1, "batch_index": 0, "batch_id": 0, "entries": [
                     {"type": "totp", "issuer": "Example_Website", "account_name": "email@email.com",
                      "secret_hex": "978f997ef3f2a1e01651fdc957", "algorithm": "SHA1", "digits": 6, "counter": None}]}))

    for _ in range(40):
        entries = [rand_entry(r) for _ in range(r.randint(1, 6))]
        bid = r.getrandbits(31)
        rows.append(("gen", uri_of(encode(entries, batch_id=bid)), expect(entries, batch_id=bid)))

    for _ in range(4):  # exports spanning several QR codes
        entries = [rand_entry(r) for _ in range(r.randint(5, 12))]
        size = r.randint(2, 4)
        bid = r.getrandbits(31)
        chunks = [entries[i::size] for i in range(size)]
        for i, chunk in enumerate(chunks):
            rows.append(("batch", uri_of(encode(chunk, batch_size=size, batch_index=i, batch_id=bid)),
                         expect(chunk, batch_size=size, batch_index=i, batch_id=bid)))

    for _ in range(6):
        entries = [rand_entry(r, evolved=True) for _ in range(r.randint(1, 3))]
        raw = encode(entries, batch_id=7, cls=Evolved, extra={"device": "Pixel", "flags": -3})
        rows.append(("unknown", uri_of(raw), expect(entries, batch_id=7)))

    def bad(name, raw_or_uri, err):
        uri = raw_or_uri if isinstance(raw_or_uri, str) else uri_of(raw_or_uri)
        rows.append(("invalid:" + name, uri, {"error": err}))

    good = rand_entry(r)
    good["type"] = 2
    md5 = dict(good, algorithm=4)
    bad("md5", encode([md5]), "unsupported_algorithm")
    bad("unknown_algorithm_enum", encode([dict(good, algorithm=9)]), "unknown_enum")
    bad("unknown_digits_enum", encode([dict(good, digits=3)]), "unknown_enum")
    bad("unknown_type_enum", encode([dict(good, type=5)]), "unknown_enum")
    bad("empty_secret", encode([dict(good, secret=b"")]), "invalid_secret")
    whole = encode([good])
    bad("truncated", whole[:-3], "truncated")
    bad("bad_base64", "otpauth-migration://offline?data=%21%21%21", "invalid_base64")
    bad("missing_data", "otpauth-migration://offline?other=1", "missing_data")
    bad("wrong_scheme", "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP", "unsupported_scheme")
    bad("wrong_host", "otpauth-migration://online?data=" + urllib.parse.quote(base64.b64encode(whole).decode(), safe=""), "unsupported_scheme")
    bad("length_overflow", b"\x0a\xff\xff\xff\xff\x0f" + whole, "truncated")
    bad("varint_too_long", b"\x10" + b"\xff" * 10 + b"\x01", "invalid_varint")
    bad("group_wire_type", b"\x0b" + whole, "invalid_wire_type")
    bad("bad_utf8_name", encode([dict(good, name="x")]).replace(b"\x12\x01x", b"\x12\x01\xff"), "invalid_utf8")

    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        from importlib.metadata import version
        f.write("# generated by tests/oracles/gen_migration.py --seed %d; protobuf %s\n" % (args.seed, version("protobuf")))
        f.write("id\tkind\turi\texpect\n")
        for i, (kind, uri, exp) in enumerate(rows):
            f.write("\t".join([str(i), kind, uri, json.dumps(exp, ensure_ascii=False)]) + "\n")
    print("wrote %d rows to %s" % (len(rows), args.out), file=sys.stderr)


if __name__ == "__main__":
    main()

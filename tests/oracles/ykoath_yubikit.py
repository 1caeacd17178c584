#!/usr/bin/env python3
"""Drives the virtual YKOATH card (examples/ykoath_card.rs, --stdio) with yubikit's own OATH
client (yubikey-manager 5.9.2), over USB framing (extended APDUs) and NFC framing (short APDUs
with chaining), and checks every code against oathtool (Debian's OATH Toolkit) or, for HOTP
with SHA-256/512 which oathtool lacks, PyPI oath.

Usage: ykoath_yubikit.py CARD_BINARY [LABEL]   (prints "ykoath[LABEL]: N operations, 0 failed")

The transport is pluggable: `Run` takes any card object with `Card`'s methods (`message`,
`read`, `transmit`, `close`), made by a factory. tests/oracles/ykoath_chip.py plugs in the
firmware under QEMU (`TcpCard`: the same framing over a TCP socket) with its capacity.
"""

import hashlib
import hmac
import os
import random
import struct
import subprocess
import sys
import tempfile

import oath
from yubikit.core import TRANSPORT
from yubikit.core.smartcard import ApduError, SmartCardConnection
from yubikit.oath import CredentialData, HASH_ALGORITHM, OATH_TYPE, OathSession

HASHES = {HASH_ALGORITHM.SHA1: "sha1", HASH_ALGORITHM.SHA256: "sha256", HASH_ALGORITHM.SHA512: "sha512"}


class Card:
    """The card process, spoken to in vpcd framing over its stdin/stdout."""

    def __init__(self, binary, store, touch="always"):
        self.proc = subprocess.Popen(
            [binary, "--store", store, "--stdio", "--touch", touch],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def message(self, payload):
        self.proc.stdin.write(struct.pack(">H", len(payload)) + payload)
        self.proc.stdin.flush()

    def read(self):
        n = struct.unpack(">H", self.proc.stdout.read(2))[0]
        return self.proc.stdout.read(n)

    def transmit(self, apdu):
        self.message(apdu)
        r = self.read()
        return r[:-2], int.from_bytes(r[-2:], "big")

    def power_cycle(self):
        self.message(b"\x00")
        self.message(b"\x01")

    def atr(self):
        self.message(b"\x04")
        return self.read()

    def close(self):
        self.proc.stdin.close()
        return self.proc.wait(timeout=10)


class Connection(SmartCardConnection):
    def __init__(self, card, transport, log):
        self.card, self._transport, self.log = card, transport, log

    @property
    def transport(self):
        return self._transport

    def send_and_receive(self, apdu):
        self.log.append(bytes(apdu))
        return self.card.transmit(bytes(apdu))

    def close(self):
        pass


class Counted:
    """An OathSession whose every method call is counted as one operation."""

    def __init__(self, session, stats):
        self._s, self._stats = session, stats

    def __getattr__(self, name):
        attr = getattr(self._s, name)
        if not callable(attr):
            return attr

        def call(*a, **kw):
            self._stats["ops"] += 1
            return attr(*a, **kw)
        return call


def oathtool(kind, alg, digits, key, t=None, period=30, counter=None):
    if kind == OATH_TYPE.TOTP:
        args = ["oathtool", "--totp=" + HASHES[alg], "-d", str(digits), "-s", f"{period}s",
                "-N", f"@{t}", key.hex()]
    else:
        args = ["oathtool", "-c", str(counter), "-d", str(digits), key.hex()]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()


def reference(kind, alg, digits, key, t=None, period=30, counter=None):
    """oathtool, or PyPI oath for HOTP with SHA-256/512 (oathtool's HOTP is SHA-1 only; pyotp
    refuses keys under 14 bytes)."""
    if kind == OATH_TYPE.HOTP and alg != HASH_ALGORITHM.SHA1:
        return oath.hotp(key.hex(), counter, format=f"dec{digits}", hash=getattr(hashlib, HASHES[alg]))
    return oathtool(kind, alg, digits, key, t, period, counter)


class Run:
    """The operations, over one transport. `new_card` makes the card (by default a process of
    CARD_BINARY on STORE); `capacity` is how many credentials it holds; `persistent` says whether
    the store survives `close()` and a new card (a restart)."""

    def __init__(self, binary, transport, store, new_card=None, capacity=32, persistent=True):
        self.binary, self.transport, self.store = binary, transport, store
        self.new_card = new_card or (lambda: Card(binary, store))
        self.capacity, self.persistent = capacity, persistent
        self.stats = {"ops": 0, "failed": 0}
        self.log = []
        self.rng = random.Random(f"ykoath-{transport.name}")
        self.card = self.new_card()

    def check(self, cond, what):
        if not cond:
            self.stats["failed"] += 1
            print(f"ykoath[{self.transport.name}]: FAILED: {what}", file=sys.stderr)

    def session(self):
        return Counted(OathSession(Connection(self.card, self.transport, self.log)), self.stats)

    def credentials(self):
        """Every type, hash, digit count and the touch property, with key lengths from 1 byte
        (yubikit pads to 14) to 100 (yubikit hashes it: past the block size)."""
        out = []
        lengths = [1, 10, 14, 20, 32, 64, 65, 100]
        for kind in (OATH_TYPE.TOTP, OATH_TYPE.HOTP):
            for alg in HASHES:
                for digits in (6, 7, 8):
                    for touch in (False, True):
                        key = self.rng.randbytes(self.rng.choice(lengths))
                        if len(key) < 2:
                            key += b"\x01"  # ykman refuses secrets under 2 bytes
                        name = f"{kind.name}-{alg.name}-{digits}-{'t' if touch else 'n'}"
                        counter = self.rng.choice([0, 0, 5, 2**31]) if kind == OATH_TYPE.HOTP else 0
                        out.append((CredentialData(name, kind, alg, key, digits, 30, counter,
                                                   "Iss"), touch))
        return out

    def codes(self, s, batch):
        """put, calculate_code (twice), calculate, list, calculate_all, delete."""
        stored = {}
        for data, touch in batch:
            cred = s.put_credential(data, touch_required=touch)
            stored[cred.id] = (cred, data, touch, data.counter)
        listed = {c.id for c in s.list_credentials()}
        self.check(listed == set(stored), f"list {sorted(listed)} != {sorted(stored)}")
        t = self.rng.randrange(0, 2**33)
        for cid, (cred, data, touch, counter) in stored.items():
            for _ in range(2):
                code = s.calculate_code(cred, t).value
                want = reference(data.oath_type, data.hash_algorithm, data.digits, data.secret,
                                 t=t, counter=counter)
                self.check(code == want, f"{cid!r}: {code} != {want} (t={t}, counter={counter})")
                if data.oath_type == OATH_TYPE.HOTP:
                    counter += 1
                    stored[cid] = (cred, data, touch, counter)
        everything = s.calculate_all(t)
        for cred, code in everything.items():
            _, data, touch, _ = stored[cred.id]
            if data.oath_type == OATH_TYPE.HOTP or touch:
                self.check(code is None, f"calculate_all gave {cred.id!r} a code")
            else:
                want = reference(data.oath_type, data.hash_algorithm, data.digits, data.secret, t=t)
                self.check(code is not None and code.value == want, f"calculate_all {cred.id!r}")
        self.check({c.id for c in everything} == set(stored), "calculate_all ids")
        for cid, (cred, data, touch, _) in stored.items():
            if data.oath_type == OATH_TYPE.TOTP:
                chal = self.rng.randbytes(self.rng.randrange(1, 65))
                full = s.calculate(cid, chal)
                key = data.secret
                digest = getattr(hashlib, HASHES[data.hash_algorithm])
                self.check(full == hmac.new(key, chal, digest).digest(), f"calculate {cid!r}")
        for cid in stored:
            s.delete_credential(cid)
        self.check(s.list_credentials() == [], "not empty after delete")

    def periods_and_rename(self, s):
        key = b"12345678901234567890"
        for period in (15, 30, 60):
            s.put_credential(CredentialData(f"p{period}", OATH_TYPE.TOTP, HASH_ALGORITHM.SHA1,
                                            key, 8, period, 0, "Per"))
        t = 1111111109
        for c in s.list_credentials():
            code = s.calculate_code(c, t).value
            self.check(code == oathtool(OATH_TYPE.TOTP, HASH_ALGORITHM.SHA1, 8, key, t, c.period),
                       f"period {c.period}")
        for c, code in s.calculate_all(t).items():
            want = oathtool(OATH_TYPE.TOTP, HASH_ALGORITHM.SHA1, 8, key, t, c.period)
            self.check(code.value == want, f"calculate_all period {c.period}: {code.value} != {want}")
        c60 = next(c for c in s.list_credentials() if c.period == 60)
        new_id = s.rename_credential(c60.id, "renamed", "NewIss")
        self.check(new_id == b"60/NewIss:renamed", f"rename gave {new_id!r}")
        ids = {c.id for c in s.list_credentials()}
        self.check(new_id in ids and c60.id not in ids, "renamed id listed")
        renamed = next(c for c in s.list_credentials() if c.id == new_id)
        self.check(s.calculate_code(renamed, t).value == oathtool(
            OATH_TYPE.TOTP, HASH_ALGORITHM.SHA1, 8, key, t, 60), "renamed code")
        try:
            s.delete_credential(b"no such id")
            self.check(False, "delete of a missing id accepted")
        except ApduError as e:
            self.check(e.sw == 0x6984, f"delete missing: {e.sw:04x}")
        for c in s.list_credentials():
            s.delete_credential(c.id)

    def password(self, s):
        key_data = CredentialData("locked", OATH_TYPE.TOTP, HASH_ALGORITHM.SHA256, b"k" * 32, 6)
        s.put_credential(key_data)
        key = s.derive_key("correct horse")
        s.set_key(key)
        self.check(s.list_credentials() != [], "the session that set the key stays usable")
        s2 = self.session()
        self.check(s2.locked, "a fresh session is locked")
        for op in (s2.list_credentials, lambda: s2.calculate_all(59)):
            try:
                op()
                self.check(False, "locked session answered")
            except ApduError as e:
                self.check(e.sw == 0x6982, f"locked: {e.sw:04x}")
        try:
            s2.validate(s2.derive_key("wrong"))
            self.check(False, "wrong password accepted")
        except ApduError as e:
            self.check(e.sw != 0x9000, "wrong password")
        s3 = self.session()
        s3.validate(s3.derive_key("correct horse"))
        codes = s3.calculate_all(59)
        want = oathtool(OATH_TYPE.TOTP, HASH_ALGORITHM.SHA256, 6, b"k" * 32, 59)
        self.check([c.value for c in codes.values()] == [want], "code after validate")
        s3.unset_key()
        s4 = self.session()
        self.check(not s4.locked, "unlocked after unset_key")
        s4.delete_credential(b"locked")
        return s4

    def chaining(self, s):
        """A full store (32 credentials on the virtual card) with 64-byte ids: LIST and
        CALCULATE ALL answers of 1-3 KiB, fetched in parts with SEND REMAINING on both
        transports."""
        key = b"12345678901234567890"
        creds = []
        for i in range(self.capacity):
            name = f"{i:02d}-" + "x" * (64 - 4 - 3)
            d = CredentialData(name, OATH_TYPE.TOTP, HASH_ALGORITHM.SHA1, key, 8, 30, 0, "Is")
            creds.append(s.put_credential(d).id)
        before = len(self.log)
        listed = [c.id for c in s.list_credentials()]
        self.check(listed == creds, f"LIST of {self.capacity} in slot order")
        t = 59
        codes = s.calculate_all(t)
        self.check(len(codes) == self.capacity
                   and all(c.value == "94287082" for c in codes.values()),
                   f"CALCULATE ALL of {self.capacity}")
        self.check(any(a[1] == 0xA5 for a in self.log[before:]), "no SEND REMAINING was needed")
        try:
            s.put_credential(CredentialData("one-too-many", OATH_TYPE.TOTP, HASH_ALGORITHM.SHA1, key))
            self.check(False, "a credential over the capacity was stored")
        except ApduError as e:
            self.check(e.sw == 0x6A84, f"full store: {e.sw:04x}")
        # No OATH command is over 255 bytes; a VALIDATE with a 240-byte host challenge is, so
        # yubikit's own SmartCardProtocol chains it (NFC) or sends it extended (USB). With no
        # password set the card answers 69 84, having joined the chain.
        before = len(self.log)
        try:
            s._s.protocol.send_apdu(0, 0xA3, 0, 0, b"\x75\x14" + bytes(20) + b"\x74\x81\xf0" + bytes(240))
            self.check(False, "VALIDATE without a key accepted")
        except ApduError as e:
            self.check(e.sw == 0x6984, f"chained VALIDATE: {e.sw:04x}")
        if self.transport == TRANSPORT.NFC:
            self.check(self.log[before][0] == 0x10, "VALIDATE not chained")

    def run(self):
        s = self.session()
        self.check(s.version == (5, 7, 0), f"version {s.version}")
        s.reset()
        batch = self.credentials()
        self.rng.shuffle(batch)
        step = min(18, self.capacity)
        for i in range(0, len(batch), step):
            self.codes(s, batch[i:i + step])
        self.periods_and_rename(s)
        s = self.password(s)
        self.chaining(s)
        old_id = s.device_id
        s.reset()
        self.check(s.list_credentials() == [] and s.device_id != old_id, "reset")
        if not self.persistent:
            self.check(self.card.close() == 0, "card exit status")
            return self.stats
        # The store survives a restart of the card.
        s.put_credential(CredentialData("kept", OATH_TYPE.HOTP, HASH_ALGORITHM.SHA1,
                                        b"12345678901234567890", 6))
        self.check(s.calculate_code(s.list_credentials()[0]).value == "755224", "HOTP 0")
        self.check(self.card.close() == 0, "card exit status")
        self.card = self.new_card()
        s = self.session()
        self.check(s.calculate_code(s.list_credentials()[0]).value == "287082", "HOTP 1 after restart")
        s.reset()
        self.check(self.card.close() == 0, "card exit status")
        return self.stats


def main():
    binary = sys.argv[1]
    label = sys.argv[2] if len(sys.argv) > 2 else "host"
    total = {"ops": 0, "failed": 0}
    with tempfile.TemporaryDirectory() as d:
        # A second card on a store in use is refused.
        store = os.path.join(d, "lock.store")
        first = Card(binary, store)
        first.transmit(bytes.fromhex("00A4040007A0000005272101"))
        second = subprocess.run([binary, "--store", store, "--stdio"], stdin=subprocess.DEVNULL,
                                capture_output=True, text=True)
        total["ops"] += 0
        if second.returncode == 0 or "in use" not in second.stderr:
            total["failed"] += 1
            print(f"ykoath[{label}]: FAILED: a second card on {store} was not refused", file=sys.stderr)
        first.close()
        for transport in (TRANSPORT.USB, TRANSPORT.NFC):
            stats = Run(binary, transport, os.path.join(d, f"{transport.name}.store")).run()
            print(f"ykoath[{label}/{transport.name}]: {stats['ops']} operations, {stats['failed']} failed")
            if stats["ops"] < 200:
                stats["failed"] += 1
                print(f"ykoath[{label}/{transport.name}]: FAILED: fewer than 200 operations", file=sys.stderr)
            for k in total:
                total[k] += stats[k]
    print(f"ykoath[{label}]: {total['ops']} operations, {total['failed']} failed")
    return 1 if total["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())

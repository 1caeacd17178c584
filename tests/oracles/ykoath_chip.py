#!/usr/bin/env python3
"""Runs ykoath_yubikit.py's operations against the authenticator firmware (embedded/token,
feature `authenticator`) under QEMU: yubikit's OathSession over USB framing (extended APDUs)
and NFC framing (short APDUs with chaining), every code checked against oathtool or PyPI oath.

The firmware speaks vpcd framing on the board's UART; QEMU serves that UART on a loopback TCP
port (`-serial tcp:127.0.0.1:PORT,server=on,wait=off`), which `TcpCard` connects to. QEMU's
monitor, on a Unix socket, resets the machine between "restarts" (the credentials stay in the
nRF51's flash) and reads RAM at the end for the peak stack (the firmware paints its free stack
at start).

With --persistent, power cuts follow: QEMU resets the machine at random moments while it
answers an HOTP CALCULATE, and no code may ever be shown twice, or after a later one (RFC 4226
§7.2: the counter is stored before the code leaves); then during a DELETE, after which the
credential is gone or still gives codes after its newest counter.

Usage: ykoath_chip.py LABEL ELF CAPACITY [--persistent] [--stack NAME] -- QEMU-COMMAND...
Prints "ykoath[LABEL]: N operations, 0 failed" (and "STACK NAME BYTES" with --stack).
"""

import hashlib
import hmac
import os
import random
import socket
import struct
import subprocess
import sys
import tempfile
import time

from yubikit.core import TRANSPORT
from yubikit.oath import CredentialData, HASH_ALGORITHM, OATH_TYPE, OathSession

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ykoath_yubikit  # noqa: E402 (the driver next to this file, found under python -I)

# The firmware's stack paint (embedded/token/src/authenticator/board.rs, PATTERN).
PATTERN = struct.pack("<I", 0x5AA5C33C)


class TcpCard:
    """The card at the other end of a TCP socket, in vpcd framing: the methods of
    ykoath_yubikit.Card."""

    def __init__(self, port):
        for _ in range(200):
            try:
                self.sock = socket.create_connection(("127.0.0.1", port))
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError(f"no card at 127.0.0.1:{port}")
        self.sock.settimeout(60)

    def message(self, payload):
        self.sock.sendall(struct.pack(">H", len(payload)) + payload)

    def _exactly(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError("the card closed the connection")
            data += chunk
        return data

    def read(self):
        return self._exactly(struct.unpack(">H", self._exactly(2))[0])

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
        self.sock.close()
        return 0

    def answered(self, wait):
        """A whole answer that arrives within `wait` seconds, or None."""
        self.sock.settimeout(wait)
        data = b""
        try:
            while True:
                chunk = self.sock.recv(4096)
                if not chunk:
                    break
                data += chunk
                if len(data) >= 2 and len(data) >= 2 + struct.unpack(">H", data[:2])[0]:
                    break
        except (TimeoutError, socket.timeout):
            pass
        self.sock.settimeout(60)
        if len(data) >= 2 and len(data) == 2 + struct.unpack(">H", data[:2])[0]:
            return data[2:]
        return None


class Machine:
    """One QEMU process running the firmware, with its serial port and monitor."""

    def __init__(self, qemu, elf, work, measure_stack):
        self.elf, self.work, self.measure_stack = elf, work, measure_stack
        self.peaks = []
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.monitor_path = os.path.join(work, "monitor")
        self.proc = subprocess.Popen(
            [*qemu, "-display", "none", "-monitor", f"unix:{self.monitor_path},server=on,wait=off",
             "-serial", f"tcp:127.0.0.1:{self.port},server=on,wait=off", "-kernel", elf],
            stdin=subprocess.DEVNULL)
        self.cards = 0

    def card(self):
        """A new connection; every one after the first follows a reset of the machine, as a
        power cycle of the token would (RAM is lost, flash is kept)."""
        if self.cards:
            self.measure()
            self.monitor("system_reset")
        self.cards += 1
        return TcpCard(self.port)

    def monitor(self, command):
        for _ in range(200):
            try:
                m = socket.socket(socket.AF_UNIX)
                m.connect(self.monitor_path)
                break
            except OSError:
                time.sleep(0.05)
        out = b""
        with m:
            m.settimeout(30)
            while not out.endswith(b"(qemu) "):
                out += m.recv(4096)
            m.sendall(command.encode() + b"\n")
            out = b""
            while not out.endswith(b"(qemu) "):
                out += m.recv(4096)
        return out

    def reconnect(self, old):
        """A clean connection after a cut: bytes of the old one that the UART had not taken yet
        reach the restarted firmware, so it is reset once more after QEMU has drained the old
        connection and taken the new one."""
        old.close()
        card = TcpCard(self.port)
        local = f"<-> 127.0.0.1:{card.sock.getsockname()[1]}"
        for _ in range(500):
            if local in self.monitor("info chardev").decode(errors="replace"):
                break
            time.sleep(0.01)
        else:
            raise RuntimeError("QEMU did not take the new connection")
        self.monitor("system_reset")
        return card

    def measure(self):
        """Records the peak stack since the firmware started (it repaints after a reset)."""
        if self.measure_stack:
            self.peaks.append(peak_stack(self, self.elf, self.work))

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def symbol(elf, name):
    nm = subprocess.run(["arm-none-eabi-nm", elf], check=True, capture_output=True, text=True)
    for line in nm.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == name:
            return int(parts[0], 16)
    raise KeyError(name)


def peak_stack(machine, elf, work):
    """The lowest word of RAM that no longer holds the paint, counted from the top of RAM."""
    bottom, top = symbol(elf, "__sheap"), symbol(elf, "_stack_start")
    dump = os.path.join(work, "ram")
    if os.path.exists(dump):
        os.remove(dump)
    machine.monitor(f'memsave {bottom} {top - bottom} "{dump}"')
    for _ in range(100):
        if os.path.exists(dump) and os.path.getsize(dump) == top - bottom:
            break
        time.sleep(0.05)
    with open(dump, "rb") as f:
        ram = f.read()
    at = 0
    while at + 4 <= len(ram) and ram[at:at + 4] == PATTERN:
        at += 4
    if at == 0:
        return None  # the paint was used up: the figure would be a lower bound
    return top - (bottom + at)


SELECT = bytes.fromhex("00A4040007A0000005272101")


def hotp(key, counter, digits=6):
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 15
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def power_cuts(machine, label, cuts):
    """Resets the machine at random moments after sending an HOTP CALCULATE. Returns the number
    of failures; prints how many cuts fell before the answer."""
    key = b"12345678901234567890"
    failed = 0
    card = machine.card()
    log = []
    s = OathSession(ykoath_yubikit.Connection(card, TRANSPORT.USB, log))
    s.reset()
    cred = s.put_credential(CredentialData("cut", OATH_TYPE.HOTP, HASH_ALGORITHM.SHA1, key, 6))
    shown = [s.calculate_code(cred).value]
    calculate = log[-1]
    codes = {hotp(key, c): c for c in range(cuts + 3)}
    rng = random.Random(f"ykoath-cuts-{label}")
    unanswered = 0
    for _ in range(cuts):
        data, sw = card.transmit(SELECT)
        if sw != 0x9000:
            failed += 1
            print(f"ykoath[{label}/cuts]: FAILED: SELECT after a cut: {sw:04x}", file=sys.stderr)
        card.message(calculate)
        time.sleep(rng.uniform(0, 0.004))
        machine.monitor("system_reset")
        answer = card.answered(0.05)
        if answer is not None and answer[-2:] == b"\x90\x00":
            # CALCULATE's answer: 76 05 digits + 4 bytes of the truncated MAC.
            shown.append(f"{int.from_bytes(answer[3:7], 'big') % 10**6:06d}")
        else:
            unanswered += 1
        card = machine.reconnect(card)
    card.transmit(SELECT)
    s = OathSession(ykoath_yubikit.Connection(card, TRANSPORT.USB, []))
    shown.append(s.calculate_code(cred).value)
    counters = [codes.get(c) for c in shown]
    if None in counters or any(b <= a for a, b in zip(counters, counters[1:])):
        failed += 1
        print(f"ykoath[{label}/cuts]: FAILED: counters of the codes shown: {counters}",
              file=sys.stderr)
    s.reset()
    card.close()
    print(f"ykoath[{label}/cuts]: {cuts} power cuts, {unanswered} before the answer; "
          f"{len(shown)} codes shown, at counters {counters}")
    return failed


def delete_cuts(machine, label, rounds):
    """Resets the machine at random moments after sending a DELETE of an HOTP credential whose
    slot holds several versions: afterwards it is gone, or it gives a code at a counter later
    than every one shown (the wipe leaves the newest version for last). Returns the number of
    failures."""
    key = b"12345678901234567890"
    failed = kept = 0
    codes = {hotp(key, c): c for c in range(8)}
    data = CredentialData("del", OATH_TYPE.HOTP, HASH_ALGORITHM.SHA1, key, 6)
    rng = random.Random(f"ykoath-delete-cuts-{label}")
    card = machine.card()
    for _ in range(rounds):
        s = OathSession(ykoath_yubikit.Connection(card, TRANSPORT.USB, []))
        cred = s.put_credential(data)
        shown = [s.calculate_code(cred).value for _ in range(3)]
        if shown != [hotp(key, c) for c in range(3)]:
            failed += 1
            print(f"ykoath[{label}/cuts]: FAILED: codes before DELETE: {shown}", file=sys.stderr)
        card.message(bytes([0x00, 0x02, 0x00, 0x00, 5, 0x71, 3]) + b"del")
        time.sleep(rng.uniform(0, 0.002))
        machine.monitor("system_reset")
        card.answered(0.05)
        card = machine.reconnect(card)
        s = OathSession(ykoath_yubikit.Connection(card, TRANSPORT.USB, []))
        if any(c.id == b"del" for c in s.list_credentials()):
            kept += 1
            counter = codes.get(s.calculate_code(cred).value)
            if counter is None or counter < 3:
                failed += 1
                print(f"ykoath[{label}/cuts]: FAILED: after a cut DELETE, counter {counter}",
                      file=sys.stderr)
    OathSession(ykoath_yubikit.Connection(card, TRANSPORT.USB, [])).reset()
    card.close()
    print(f"ykoath[{label}/cuts]: {rounds} power cuts during DELETE: {rounds - kept} deleted, "
          f"{kept} kept")
    return failed


def main():
    args = sys.argv[1:]
    split = args.index("--")
    opts, qemu = args[:split], args[split + 1:]
    label, elf, capacity = opts[0], opts[1], int(opts[2])
    persistent = "--persistent" in opts
    stack_name = opts[opts.index("--stack") + 1] if "--stack" in opts else None
    total = {"ops": 0, "failed": 0}
    with tempfile.TemporaryDirectory() as work:
        machine = Machine(qemu, elf, work, stack_name is not None)
        try:
            for transport in (TRANSPORT.USB, TRANSPORT.NFC):
                stats = ykoath_yubikit.Run(None, transport, None, new_card=machine.card,
                                           capacity=capacity, persistent=persistent).run()
                print(f"ykoath[{label}/{transport.name}]: {stats['ops']} operations, "
                      f"{stats['failed']} failed")
                for k in total:
                    total[k] += stats[k]
            if persistent:
                total["failed"] += power_cuts(machine, label, 40)
                total["failed"] += delete_cuts(machine, label, 12)
            if stack_name:
                machine.measure()
                if None in machine.peaks:
                    total["failed"] += 1
                    print(f"ykoath[{label}]: FAILED: the stack overflowed its paint", file=sys.stderr)
                else:
                    print(f"STACK {stack_name} {max(machine.peaks)}")
        finally:
            machine.stop()
    print(f"ykoath[{label}]: {total['ops']} operations, {total['failed']} failed")
    return 1 if total["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())

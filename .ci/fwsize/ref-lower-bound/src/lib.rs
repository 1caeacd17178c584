//! Reference: the smallest TOTP-SHA-1 written here, a lower bound and nothing more. A rolled-loop
//! SHA-1 block function working on words, HMAC for a 20-byte key and an 8-byte message keyed on
//! every call, and the time step by a shift-and-subtract division (no compiler_builtins
//! division); no zeroizing, no typed errors, no constant-time comparison. Not part of otpkit;
//! checked against RFC 6238's vectors by its test.
#![no_std]

use fwsize_shell::{Key, PERIOD};

const IV: [u32; 5] = [
    0x6745_2301,
    0xEFCD_AB89,
    0x98BA_DCFE,
    0x1032_5476,
    0xC3D2_E1F0,
];

/// The SHA-1 block function over a block of big-endian words (the schedule is built in `w`).
fn compress(h: &mut [u32; 5], w: &mut [u32; 16]) {
    let [mut a, mut b, mut c, mut d, mut e] = *h;
    for i in 0..80 {
        let s = i & 15;
        if i >= 16 {
            w[s] = (w[(i + 13) & 15] ^ w[(i + 8) & 15] ^ w[(i + 2) & 15] ^ w[s]).rotate_left(1);
        }
        let (f, k) = if i < 20 {
            ((b & c) | (!b & d), 0x5A82_7999)
        } else if i < 40 {
            (b ^ c ^ d, 0x6ED9_EBA1)
        } else if i < 60 {
            ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
        } else {
            (b ^ c ^ d, 0xCA62_C1D6)
        };
        let t = a
            .rotate_left(5)
            .wrapping_add(f)
            .wrapping_add(e)
            .wrapping_add(k)
            .wrapping_add(w[s]);
        e = d;
        d = c;
        c = b.rotate_left(30);
        b = a;
        a = t;
    }
    for (h, v) in h.iter_mut().zip([a, b, c, d, e]) {
        *h = h.wrapping_add(v);
    }
}

/// SHA-1 of the key padded with `pad` to a block, then `msg` (`msg.len()` words, under 14).
fn hash(key: &[u32; 5], pad: u32, msg: &[u32]) -> [u32; 5] {
    let mut h = IV;
    let mut w = [pad; 16];
    for (w, k) in w.iter_mut().zip(key) {
        *w ^= k;
    }
    compress(&mut h, &mut w);
    let mut w = [0u32; 16];
    for (w, m) in w.iter_mut().zip(msg) {
        *w = *m;
    }
    w[msg.len() & 15] = 0x8000_0000;
    w[15] = (64 + 4 * msg.len() as u32) * 8;
    compress(&mut h, &mut w);
    h
}

/// The 6-digit HOTP value of `counter`.
fn value(key: &Key, counter: u64) -> u32 {
    let mut k = [0u32; 5];
    for (k, b) in k.iter_mut().zip(key.chunks_exact(4)) {
        *k = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    }
    let inner = hash(&k, 0x3636_3636, &[(counter >> 32) as u32, counter as u32]);
    let h = hash(&k, 0x5c5c_5c5c, &inner);
    // Dynamic truncation: 4 bytes at the offset in the last byte's low nibble.
    let offset = (h[4] & 15) as usize;
    let (i, shift) = (offset / 4, (offset % 4) * 8);
    let word = if shift == 0 {
        h[i]
    } else {
        (h[i] << shift) | (h[i + 1] >> (32 - shift))
    };
    (word & 0x7fff_ffff) % 1_000_000
}

/// `time / PERIOD`, one quotient bit per turn.
fn step(time: u64) -> u64 {
    let (mut n, mut r) = (time, 0u32);
    for _ in 0..64 {
        r = (r << 1) | (n >> 63) as u32;
        n <<= 1;
        if r >= PERIOD as u32 {
            r -= PERIOD as u32;
            n |= 1;
        }
    }
    n
}

#[unsafe(no_mangle)]
pub extern "C" fn otp_totp_generate(key: &Key, time: u64, out: &mut [u8; 6]) -> u8 {
    fwsize_shell::write_code(value(key, step(time)), out)
}

#[unsafe(no_mangle)]
pub extern "C" fn otp_totp_verify(key: &Key, code: &[u8; 6], time: u64, last: u64) -> i64 {
    fwsize_shell::verify(code, step(time), last, |step| value(key, step))
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc6238_sha1() {
        let key = b"12345678901234567890";
        for (time, code) in [
            (59, b"287082"),
            (1_111_111_109, b"081804"),
            (1_234_567_890, b"005924"),
            (20_000_000_000, b"353130"),
        ] {
            let mut out = [0u8; 6];
            super::otp_totp_generate(key, time, &mut out);
            assert_eq!(&out, code);
            let step = (time / 30) as i64;
            assert_eq!(super::otp_totp_verify(key, code, time + 30, u64::MAX), step);
            assert_eq!(super::otp_totp_verify(key, code, time, step as u64), -1);
        }
        for time in [0, 29, 30, u64::MAX, u64::MAX - 29, 1 << 63] {
            assert_eq!(super::step(time), time / 30);
        }
    }
}

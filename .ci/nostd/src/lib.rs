//! What firmware links: TOTP generate and verify behind `extern "C"` functions, no_std, no
//! allocator. The algorithm is chosen at run time among those compiled in (0 = the default,
//! 1 = SHA-256, 2 = SHA-512), so a build with every algorithm keeps every hash alive, as an
//! application reading its parameters from provisioning data would.
#![no_std]

use otpkit::{Algorithm, Totp, TotpParams, Window};

/// The 20-byte key every function takes (RFC 6238's recommended SHA-1 key length).
pub type Key = [u8; 20];

fn algorithm(alg: u8) -> Algorithm {
    match alg {
        #[cfg(feature = "sha256")]
        1 => Algorithm::Sha256,
        #[cfg(feature = "sha512")]
        2 => Algorithm::Sha512,
        _ => Algorithm::default(),
    }
}

fn totp(key: &Key, alg: u8) -> Option<Totp> {
    let params = TotpParams {
        algorithm: algorithm(alg),
        ..TotpParams::default()
    };
    Totp::new(key, params).ok()
}

/// Writes the 6-digit code at Unix time `time` into `out`; returns 0, or 1 on error.
#[unsafe(no_mangle)]
pub extern "C" fn otp_totp_generate(key: &Key, alg: u8, time: u64, out: &mut [u8; 6]) -> u8 {
    let Some(code) = totp(key, alg).and_then(|t| t.generate_at(time).ok()) else {
        return 1;
    };
    out.iter_mut()
        .zip(code.as_str().bytes())
        .for_each(|(o, c)| *o = c);
    0
}

/// Verifies a 6-digit code at `time` with a window of one step either side, after the last
/// accepted step `last` (`u64::MAX` for none). Returns the matched step, or -1.
#[unsafe(no_mangle)]
pub extern "C" fn otp_totp_verify(key: &Key, alg: u8, code: &[u8; 6], time: u64, last: u64) -> i64 {
    let Some(t) = totp(key, alg) else { return -1 };
    let Ok(code) = core::str::from_utf8(code) else {
        return -1;
    };
    let last = (last != u64::MAX).then_some(last);
    let window = Window::symmetric(1).unwrap_or_default();
    match t.verify_at_uncommitted(code, time, last, window) {
        Ok(m) => i64::try_from(m.step).unwrap_or(-1),
        Err(_) => -1,
    }
}

// The stack harness is a std program: there std brings the panic handler.
#[cfg(feature = "harness")]
extern crate std;

#[cfg(not(feature = "harness"))]
#[panic_handler]
fn halt(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}

/// OCRA (`OCRA-1:HOTP-SHA1-8:C-QN08-PSHA1`, RFC 6287): writes the 8-digit response to the
/// numeric `question` (8 ASCII digits) at `counter` with a precomputed PIN hash; returns 0, or 1
/// on error.
#[cfg(feature = "ocra")]
#[unsafe(no_mangle)]
pub extern "C" fn otp_ocra_compute(
    key: &Key,
    counter: u64,
    question: &[u8; 8],
    pin_hash: &[u8; 20],
    out: &mut [u8; 8],
) -> u8 {
    use otpkit::ocra::{DataInput, Ocra, OcraSuite, Response};
    let (Ok(suite), Ok(question)) = (
        OcraSuite::parse("OCRA-1:HOTP-SHA1-8:C-QN08-PSHA1"),
        core::str::from_utf8(question),
    ) else {
        return 1;
    };
    let Ok(ocra) = Ocra::new(suite, key) else {
        return 1;
    };
    let input = DataInput::new()
        .counter(counter)
        .question(question)
        .password_hash(pin_hash);
    match ocra.compute(&input) {
        Ok(Response::Code(code)) => {
            out.iter_mut()
                .zip(code.as_str().bytes())
                .for_each(|(o, c)| *o = c);
            0
        }
        _ => 1,
    }
}

/// The YKOATH applet (feature `ykoath`): processes the command APDU `command[..len]` on an
/// applet over 16 credential slots in RAM, writes the response into `out` and returns its
/// length (0 on error).
#[cfg(feature = "ykoath")]
#[unsafe(no_mangle)]
pub extern "C" fn otp_ykoath_process(
    command: &[u8; 261],
    len: usize,
    out: &mut [u8; 258],
) -> usize {
    use otpkit::ykoath::{Applet, ArrayStore, Random, Touch};
    struct Counter(u8);
    impl Random for Counter {
        fn fill(&mut self, out: &mut [u8]) {
            out.iter_mut().for_each(|b| {
                self.0 = self.0.wrapping_mul(181).wrapping_add(7);
                *b = self.0;
            });
        }
    }
    struct Yes;
    impl Touch for Yes {
        fn confirm(&mut self) -> bool {
            true
        }
    }
    let mut applet: Applet<_, _, _> = Applet::new(ArrayStore::<16>::new(), Counter(0x5a), Yes);
    let Some(command) = command.get(..len) else {
        return 0;
    };
    applet.process(command, out).unwrap_or(0)
}

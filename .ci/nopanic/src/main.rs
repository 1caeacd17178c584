//! Every public core operation behind `#[no_panic]`: `.ci/nopanic/run` builds this binary in
//! release, and the link fails naming any wrapper whose callee can still panic. `main` calls
//! each wrapper on opaque inputs so that every one is compiled and linked. OCRA (suite parse,
//! new, compute and the three verifications) is in the proof.
//!
//! The YKOATH applet's `Applet::process` (feature `ykoath`) is in the proof too, over SHA-1 and
//! SHA-256 credentials. Its instruction handlers are `#[inline(always)]` into `process` (each has
//! one call site), and `process` into its caller: LLVM infers `nounwind` for a function from
//! its body before its own simplification deletes the cleanup blocks left by calls it now
//! knows cannot unwind, and never again, so a handler called out of line keeps an unwind edge
//! that no-panic reports although no panic path is left. Inlined, the wrapper sees the
//! cleaned-up bodies, and a panic path planted anywhere in them still fails the link.
//!
//! Two known gaps sit in dependencies and are built separately, as a report: SHA-512 (feature
//! `sha512`, for the core and for the applet alike: sha2 0.11's AVX2 `compress512` keeps a
//! slice-index panic path on x86_64) and the base32 codec (feature `base32`: base32ct 0.3's
//! remainder handling keeps bounds checks).

use std::hint::black_box as bb;

use no_panic::no_panic;
use otpkit::ocra::{DataInput, Ocra, OcraSuite, Response, SuiteError};
#[cfg(feature = "ykoath")]
use otpkit::ykoath::{Applet, ArrayStore, Random, ResponseTooSmall, Touch};
use otpkit::{
    Algorithm, Code, Error, Hotp, HotpMatch, HotpParams, Secret, Totp, TotpMatch, TotpParams,
    Window,
};

#[no_panic]
pub fn hotp_new(key: &[u8], params: HotpParams) -> Result<Hotp, Error> {
    Hotp::new(key, params)
}

#[no_panic]
pub fn hotp_new_short(key: &[u8], params: HotpParams) -> Result<Hotp, Error> {
    Hotp::new_allowing_short_key(key, params)
}

#[no_panic]
pub fn hotp_generate(h: &Hotp, counter: u64) -> Code {
    h.generate(counter)
}

#[no_panic]
pub fn hotp_verify(h: &Hotp, code: &str, next: u64, look_ahead: u32) -> Result<HotpMatch, Error> {
    h.verify_uncommitted(code, next, look_ahead)
}

#[no_panic]
pub fn hotp_resync(h: &Hotp, codes: &[&str], next: u64, window: u32) -> Result<HotpMatch, Error> {
    h.resync_uncommitted(codes, next, window)
}

#[no_panic]
pub fn totp_new(key: &[u8], params: TotpParams) -> Result<Totp, Error> {
    Totp::new(key, params)
}

#[no_panic]
pub fn totp_new_short(key: &[u8], params: TotpParams) -> Result<Totp, Error> {
    Totp::new_allowing_short_key(key, params)
}

#[no_panic]
pub fn totp_step_at(t: &Totp, time: u64) -> Result<u64, Error> {
    t.step_at(time)
}

#[no_panic]
pub fn totp_seconds_left_at(t: &Totp, time: u64) -> Result<u64, Error> {
    t.seconds_left_at(time)
}

#[no_panic]
pub fn totp_generate_at(t: &Totp, time: u64) -> Result<Code, Error> {
    t.generate_at(time)
}

#[no_panic]
pub fn totp_generate_step(t: &Totp, step: u64) -> Code {
    t.generate_step(step)
}

#[no_panic]
pub fn totp_verify_at(
    t: &Totp,
    code: &str,
    time: u64,
    last: Option<u64>,
    window: Window,
) -> Result<TotpMatch, Error> {
    t.verify_at_uncommitted(code, time, last, window)
}

#[no_panic]
pub fn totp_verify_step(
    t: &Totp,
    code: &str,
    center: u64,
    last: Option<u64>,
    window: Window,
) -> Result<TotpMatch, Error> {
    t.verify_step_uncommitted(code, center, last, window)
}

#[no_panic]
pub fn window_new(behind: u32, ahead: u32) -> Result<Window, Error> {
    Window::new(behind, ahead)
}

#[cfg(feature = "base32")]
#[no_panic]
pub fn secret_decode_base32(secret: &mut Secret, text: &str) -> Result<(), Error> {
    secret.decode_base32(text)
}

#[no_panic]
pub fn secret_from_bytes(bytes: &[u8]) -> Result<Secret, Error> {
    Secret::from_bytes(bytes)
}

#[cfg(feature = "base32")]
#[no_panic]
pub fn secret_write_base32(s: &Secret, out: &mut dyn core::fmt::Write) -> core::fmt::Result {
    s.write_base32(out)
}

#[no_panic]
pub fn code_parse(text: &str, digits: u8) -> Result<Code, Error> {
    Code::parse(text, digits)
}

#[no_panic]
pub fn algorithm_parse(text: &str) -> Result<Algorithm, Error> {
    text.parse()
}

#[no_panic]
pub fn ocra_suite_parse(text: &str) -> Result<OcraSuite, SuiteError> {
    OcraSuite::parse(text)
}

#[no_panic]
pub fn ocra_new(suite: OcraSuite, key: &[u8]) -> Result<Ocra, Error> {
    Ocra::new(suite, key)
}

#[no_panic]
pub fn ocra_compute(o: &Ocra, input: &DataInput<'_>) -> Result<Response, Error> {
    o.compute(input)
}

#[no_panic]
pub fn ocra_verify(o: &Ocra, response: &str, input: &DataInput<'_>) -> Result<(), Error> {
    o.verify(response, input)
}

#[no_panic]
pub fn ocra_verify_counter(
    o: &Ocra,
    response: &str,
    input: &DataInput<'_>,
    next: u64,
    look_ahead: u32,
) -> Result<HotpMatch, Error> {
    o.verify_counter_uncommitted(response, input, next, look_ahead)
}

#[no_panic]
pub fn ocra_verify_at(
    o: &Ocra,
    response: &str,
    input: &DataInput<'_>,
    time: u64,
    last: Option<u64>,
    window: Window,
) -> Result<TotpMatch, Error> {
    o.verify_at_uncommitted(response, input, time, last, window)
}

/// The board side of the YKOATH applet in the proof: a counter for randomness, a button that is
/// pressed every other time.
#[cfg(feature = "ykoath")]
pub struct Board(u8);

#[cfg(feature = "ykoath")]
impl Random for Board {
    fn fill(&mut self, out: &mut [u8]) {
        out.iter_mut().for_each(|b| {
            self.0 = self.0.wrapping_mul(181).wrapping_add(7);
            *b = self.0;
        });
    }
}

#[cfg(feature = "ykoath")]
impl Touch for Board {
    fn confirm(&mut self) -> bool {
        self.0 & 1 == 0
    }
}

/// The YKOATH applet's one entry point, over every instruction and store state.
#[cfg(feature = "ykoath")]
pub type YkoathCard = Applet<ArrayStore<4>, Board, Board>;

#[cfg(feature = "ykoath")]
#[no_panic]
pub fn ykoath_process(
    card: &mut YkoathCard,
    command: &[u8],
    response: &mut [u8],
) -> Result<usize, ResponseTooSmall> {
    card.process(command, response)
}

fn main() {
    let key = bb(&[7u8; 20][..]);
    #[cfg(feature = "ykoath")]
    {
        let mut card: YkoathCard = Applet::new(ArrayStore::new(), Board(1), Board(2));
        let mut resp = [0u8; 300];
        let _ = bb(ykoath_process(
            &mut card,
            bb(&[0, 0xa4, 4, 0, 1, 0][..]),
            &mut resp,
        ));
    }
    let hp = bb(HotpParams::default());
    let tp = bb(TotpParams::default());
    let w = bb(Window::default());
    let code = bb("123456");
    let _ = bb(hotp_new_short(key, hp));
    let _ = bb(totp_new_short(key, tp));
    let _ = bb(window_new(bb(1), bb(1)));
    #[cfg(feature = "base32")]
    {
        let mut secret = Secret::EMPTY;
        let _ = bb(secret_decode_base32(&mut secret, bb("JBSWY3DPEHPK3PXP")));
    }
    let _ = bb(code_parse(code, bb(6)));
    let _ = bb(algorithm_parse(bb("SHA1")));
    let _secret = bb(secret_from_bytes(key));
    #[cfg(feature = "base32")]
    if let Ok(s) = _secret {
        let mut out = String::new();
        let _ = bb(secret_write_base32(&s, &mut out));
    }
    if let Ok(h) = hotp_new(key, hp) {
        let _ = bb(hotp_generate(&h, bb(1)));
        let _ = bb(hotp_verify(&h, code, bb(1), bb(3)));
        let _ = bb(hotp_resync(&h, bb(&[code, code][..]), bb(1), bb(10)));
    }
    if let Ok(suite) = ocra_suite_parse(bb("OCRA-1:HOTP-SHA1-8:C-QN08-PSHA1-T1M"))
        && let Ok(o) = ocra_new(suite, key)
    {
        let pin = bb([0u8; 20]);
        let input = bb(DataInput::new()
            .counter(bb(1))
            .question(bb("12345678"))
            .password_hash(&pin)
            .unix_time(bb(59)));
        let _ = bb(ocra_compute(&o, &input));
        let _ = bb(ocra_verify(&o, code, &input));
        let _ = bb(ocra_verify_counter(&o, code, &input, bb(1), bb(3)));
        let _ = bb(ocra_verify_at(&o, code, &input, bb(59), bb(None), w));
    }
    if let Ok(t) = totp_new(key, tp) {
        let _ = bb(totp_step_at(&t, bb(59)));
        let _ = bb(totp_seconds_left_at(&t, bb(59)));
        let _ = bb(totp_generate_at(&t, bb(59)));
        let _ = bb(totp_generate_step(&t, bb(1)));
        let _ = bb(totp_verify_at(&t, code, bb(59), bb(None), w));
        let _ = bb(totp_verify_step(&t, code, bb(1), bb(Some(0)), w));
    }
}

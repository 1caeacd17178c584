//! otpkit's tests on the chip: every RFC 4226, RFC 6238 and RFC 6287 vector, the seeded
//! differential cases of `tests/data/` (see build.rs), window, replay and drift behaviour, a
//! `StateRecord` verification with its byte round trip, and the peak stack of TOTP-SHA-1
//! generation and verification, measured by painting.
//!
//! Reports over semihosting: one `FAIL ...` line per failed check, `STACK <name>_stack <bytes>`
//! lines (the `_stack` suffix keeps them apart from `.ci/size`'s flash figures), and a closing `<target>: N passed, M failed`; the exit status is 0 only when nothing failed.
//! Built without the default `tests` feature, it compiles SHA-1 alone (a token's configuration)
//! and only measures the stack.
//! Runs under QEMU (`mps2-an386`, `microbit`, riscv32 `virt`): see `.cargo/config.toml`.

#![no_std]
#![no_main]

#[cfg(feature = "tests")]
mod cases;
#[cfg(feature = "tests")]
mod checks;
#[cfg(feature = "tests")]
mod rfc;
mod stack;

use core::fmt;

use otpkit::{Totp, TotpParams, Window};
use semihosting::{println, process};

/// The target's first component, for the report (`thumbv7em`, `thumbv6m`, `riscv32imc`).
const TARGET: &str = env!("ONCHIP_TARGET");
/// Appended to the stack figures' names: they depend on the hashes compiled in (the MAC's
/// dispatch reaches every one of them).
const CONFIGURATION: &str = match (cfg!(feature = "tests"), cfg!(feature = "compact")) {
    (true, false) => "_all_hashes",
    (true, true) => "_all_hashes_compact",
    (false, false) => "",
    (false, true) => "_compact",
};
/// In the closing line: which SHA-1 block function ran.
const VARIANT: &str = if cfg!(feature = "compact") {
    " (sha1-compact)"
} else {
    ""
};
/// RFC 6238's SHA-1 key.
const SEED20: &[u8] = b"12345678901234567890";

/// Why a check failed.
#[cfg_attr(not(feature = "tests"), allow(dead_code))]
pub enum Fail {
    /// A wrong value.
    Wrong(&'static str),
    /// An unexpected error from the library.
    Lib(&'static str, otpkit::Error),
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fail::Wrong(what) => f.write_str(what),
            Fail::Lib(what, e) => write!(f, "{what}: {e}"),
        }
    }
}

/// `result` or the library error, tagged with what was being done.
#[cfg(feature = "tests")]
pub fn lib<T>(what: &'static str, result: Result<T, otpkit::Error>) -> Result<T, Fail> {
    result.map_err(|e| Fail::Lib(what, e))
}

/// `Ok` when `ok`, else the failure `what`.
#[cfg(feature = "tests")]
pub fn ensure(ok: bool, what: &'static str) -> Result<(), Fail> {
    if ok { Ok(()) } else { Err(Fail::Wrong(what)) }
}

/// Counts the checks; prints each failure.
#[derive(Default)]
pub struct Tally {
    passed: u32,
    failed: u32,
}

impl Tally {
    /// Records one check: `group` and `id` name it in a failure line.
    pub fn check(&mut self, group: &str, id: impl fmt::Display, result: Result<(), Fail>) {
        match result {
            Ok(()) => self.passed += 1,
            Err(why) => {
                self.failed += 1;
                println!("FAIL {group} #{id}: {why}");
            }
        }
    }
}

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", riscv_rt::entry)]
fn main() -> ! {
    let mut tally = Tally::default();
    stack_figures(&mut tally);
    #[cfg(feature = "tests")]
    {
        checks::rfc4226(&mut tally);
        checks::rfc6238(&mut tally);
        checks::rfc6287(&mut tally);
        checks::otp_cases(&mut tally);
        checks::ocra_cases(&mut tally);
        checks::behaviour(&mut tally);
        checks::state_record(&mut tally);
        println!(
            "{TARGET}{VARIANT}: {} passed, {} failed",
            tally.passed, tally.failed
        );
    }
    #[cfg(not(feature = "tests"))]
    println!(
        "{TARGET}{VARIANT} (SHA-1 alone, stack only): {} passed, {} failed",
        tally.passed, tally.failed
    );
    process::exit(if tally.failed == 0 { 0 } else { 1 })
}

/// Peak stack of keying, generating and a ±1 verification of TOTP-SHA-1 (RFC 6238's key),
/// each measured apart.
fn stack_figures(tally: &mut Tally) {
    use core::hint::black_box;
    let params = TotpParams::default();
    let key = black_box(SEED20);
    let time = black_box(1_111_111_111u64);
    let report = |name: &str, bytes: Option<usize>| match bytes {
        Some(b) => println!("STACK {TARGET}_totp_sha1_{name}{CONFIGURATION}_stack {b}"),
        None => {
            println!(
                "STACK {TARGET}_totp_sha1_{name}{CONFIGURATION}_stack beyond the painted region"
            )
        }
    };
    let keyed = stack::peak(|| {
        let _ = black_box(Totp::new(black_box(key), params));
    });
    report("key", keyed);
    let Ok(totp) = Totp::new(key, params) else {
        tally.check("stack", "key", Err(Fail::Wrong("Totp::new")));
        return;
    };
    let (totp, Ok(window)) = (black_box(totp), Window::symmetric(1)) else {
        return;
    };
    let mut code = None;
    let generated = stack::peak(|| code = Some(black_box(totp.generate_at(black_box(time)))));
    report("gen", generated);
    let Some(Ok(code)) = code else {
        tally.check("stack", "gen", Err(Fail::Wrong("generate_at")));
        return;
    };
    let mut verified = None;
    let verify = stack::peak(|| {
        verified = Some(black_box(totp.verify_at_uncommitted(
            black_box(&code),
            black_box(time + 30),
            None,
            black_box(window),
        )));
    });
    report("verify", verify);
    tally.check(
        "stack",
        "verify",
        match verified {
            Some(Ok(m)) if m.drift == -1 => Ok(()),
            _ => Err(Fail::Wrong("verify_at one step late")),
        },
    );
}

//! Timing-leak test of TOTP verification with DudeCT (`dudect-bencher`): two classes of input
//! that an attacker would like to tell apart, timed in random order under the same window.
//!
//! `cargo bench --bench timing` (not a CI test: it takes minutes and wants a quiet machine).
//! Each bench draws `SAMPLES` inputs, about half per class; `--continuous NAME` keeps sampling.
//! DudeCT prints the largest |t| over its cropped t-tests: below 5 means the classes were not
//! distinguished.
//!
//! - `match_position`: a code matching one step behind the centre against one matching one step
//!   ahead (window ±1, nothing accepted yet): where in the window a code matches must not show.
//! - `near_miss`: a wrong code sharing its first five digits with a candidate against a wrong code
//!   sharing no leading digit with any candidate: how close a guess came must not show.

// A benchmark program, not library code: setup failures should stop it loudly.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::std_instead_of_core
)]

use std::hint::black_box;

use dudect_bencher::ctbench::{BenchMetadata, BenchName, BenchOpts, run_benches_console};
use dudect_bencher::{BenchRng, Class, CtRunner};
use otpkit::{Code, Totp, TotpParams, Window};

/// Inputs per bench run, both classes together.
const SAMPLES: usize = 4_000_000;
const TIME: u64 = 1_700_000_000;

fn totp() -> Totp {
    Totp::new(b"12345678901234567890", TotpParams::default()).unwrap()
}

/// A pseudo-random class sequence (xorshift64*), so both classes interleave in time.
fn classes(n: usize) -> Vec<Class> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    (0..n)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            if x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 63 == 0 {
                Class::Left
            } else {
                Class::Right
            }
        })
        .collect()
}

fn run(runner: &mut CtRunner, totp: &Totp, left: &str, right: &str, window: Window) {
    for class in classes(SAMPLES) {
        let code = match class {
            Class::Left => left,
            Class::Right => right,
        };
        runner.run_one(class, || {
            black_box(totp.verify_at_uncommitted(black_box(code), black_box(TIME), None, window))
        });
    }
}

fn match_position(runner: &mut CtRunner, _rng: &mut BenchRng) {
    let totp = totp();
    let step = totp.step_at(TIME).unwrap();
    let behind = totp.generate_step(step - 1);
    let ahead = totp.generate_step(step + 1);
    let window = Window::symmetric(1).unwrap();
    assert_eq!(
        totp.verify_at_uncommitted(behind.as_str(), TIME, None, window)
            .unwrap()
            .drift,
        -1
    );
    assert_eq!(
        totp.verify_at_uncommitted(ahead.as_str(), TIME, None, window)
            .unwrap()
            .drift,
        1
    );
    run(runner, &totp, behind.as_str(), ahead.as_str(), window);
}

fn near_miss(runner: &mut CtRunner, _rng: &mut BenchRng) {
    let totp = totp();
    let step = totp.step_at(TIME).unwrap();
    let window = Window::symmetric(1).unwrap();
    let candidates: Vec<Code> = (step - 1..=step + 1)
        .map(|s| totp.generate_step(s))
        .collect();
    let is_candidate = |c: &str| candidates.iter().any(|k| k.as_str() == c);
    // The centre's code with its last digit changed, matching no candidate.
    let centre = candidates[1].as_str();
    let close = (1..10)
        .map(|d| {
            let last = (centre.as_bytes()[5] - b'0' + d) % 10;
            format!("{}{last}", &centre[..5])
        })
        .find(|c| !is_candidate(c))
        .unwrap();
    // A code whose first digit starts no candidate.
    let far_first = (b'0'..=b'9')
        .find(|&d| candidates.iter().all(|k| k.as_str().as_bytes()[0] != d))
        .unwrap();
    let far = format!("{}{}", far_first as char, &centre[1..]);
    assert!(!is_candidate(&far));
    for code in [&close, &far] {
        assert!(
            totp.verify_at_uncommitted(code, TIME, None, window)
                .is_err()
        );
    }
    run(runner, &totp, &close, &far, window);
}

/// `ctbench_main!` without its argument parser, which refuses the `--bench` that `cargo bench`
/// passes. Takes `--filter NAME` and `--continuous NAME`.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let opts = BenchOpts {
        continuous: args.iter().any(|a| a == "--continuous"),
        filter: value("--continuous").or_else(|| value("--filter")),
        file_out: None,
    };
    let benches = vec![
        BenchMetadata {
            name: BenchName("match_position"),
            seed: None,
            benchfn: match_position,
        },
        BenchMetadata {
            name: BenchName("near_miss"),
            seed: None,
            benchfn: near_miss,
        },
    ];
    run_benches_console(opts, benches).unwrap();
}

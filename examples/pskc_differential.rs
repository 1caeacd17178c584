//! Reads a python-pskc corpus written by `tests/oracles/gen_pskc.py gen` with otpkit and
//! compares every field and code (run by `.ci/pskc`):
//! `cargo run --example pskc_differential --features pskc -- DIR`.

#[path = "../tests/support/pskc_diff.rs"]
mod pskc_diff;

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: pskc_differential DIR");
        return std::process::ExitCode::FAILURE;
    };
    let (files, keys, bad) = pskc_diff::check_dir(std::path::Path::new(&dir));
    for line in &bad {
        println!("{line}");
    }
    println!(
        "pskc_differential: {files} files, {keys} keys, {} disagreements",
        bad.len()
    );
    if bad.is_empty() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

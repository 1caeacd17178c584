//! Selects the hash algorithms compiled in.
//!
//! SHA-1 is compiled when the `sha1` feature is on, and also when no algorithm feature is on at
//! all (`--no-default-features`), so that the bare core is RFC 4226's HMAC-SHA-1 and always
//! builds. A firmware build that wants only SHA-256 enables `sha256` alone and links no SHA-1.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(otpkit_sha1)");
    let on = |f: &str| std::env::var_os(format!("CARGO_FEATURE_{f}")).is_some();
    if on("SHA1") || !(on("SHA256") || on("SHA512")) {
        println!("cargo::rustc-cfg=otpkit_sha1");
    }
}

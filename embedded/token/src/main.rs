//! otpkit's hardware token, in one of two modes:
//!
//! - the display token (the default, [`demo`]): one key provisioned at build time, a TOTP code
//!   every time step and an HOTP code on each button press, printed over semihosting;
//! - the authenticator key (feature `authenticator`, [`authenticator`]): otpkit's YKOATH
//!   applet, programmed and read by the YubiKey ecosystem's own clients (yubikit, `ykman oath`,
//!   Yubico Authenticator) over the board's UART, with 16 credentials in flash pages.

#![no_std]
#![no_main]

#[cfg(not(any(feature = "authenticator", feature = "semihosting")))]
compile_error!("the display token prints over semihosting: enable `semihosting` (a default)");

#[cfg(feature = "authenticator")]
mod authenticator;
#[cfg(not(feature = "authenticator"))]
mod button;
#[cfg(not(feature = "authenticator"))]
mod clock;
#[cfg(not(feature = "authenticator"))]
mod demo;
#[cfg(not(feature = "authenticator"))]
mod flash;

/// Without semihosting (the authenticator's build) a panic stops the core: nothing is printed,
/// so that no formatting code is linked. The applet does not panic on any input.
#[cfg(not(feature = "semihosting"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {
        core::hint::spin_loop();
    }
}

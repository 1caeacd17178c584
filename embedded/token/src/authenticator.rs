//! The authenticator key: otpkit's YKOATH applet behind the board's UART.
//!
//! The host speaks vsmartcard's `vpcd` framing, as to the virtual card
//! (`examples/ykoath_card.rs`): each message in either direction is a 2-byte big-endian length,
//! then that many bytes. A 1-byte message from the host is a control code: `00` power off, `01`
//! power on, `02` reset (each ends the applet's session), `04` asks for the [`ATR`]. A longer
//! one is a command APDU, answered with the response data followed by SW1 SW2. A command longer
//! than [`COMMAND_LEN`] is read to its end and answered `67 00`.
//!
//! Credentials live in flash pages ([`pages::PageStore`]): the nRF51's flash through its NVMC
//! on the micro:bit, RAM standing in for flash on the MPS2 board. A board with USB puts the
//! same loop behind a CCID class (or an NFC front end) instead of the UART.

mod board;
mod pages;
mod uart;

use otpkit::ykoath::{Applet, MAX_COMMAND_DATA, MAX_NAME_LEN};
use zeroize::Zeroize;

use board::{Board, Button};
use pages::PageStore;
use uart::Uart;

/// Credentials the key holds.
pub const CREDENTIALS: usize = 16;

/// The card's ATR, the virtual card's: direct convention, T=1, historical bytes `otpkit`.
pub const ATR: [u8; 10] = [0x3b, 0x86, 0x01, b'o', b't', b'p', b'k', b'i', b't', 0x9a];

/// The longest command APDU taken: an extended APDU carrying the applet's
/// [`MAX_COMMAND_DATA`] (7-byte header, data, 2-byte Le).
pub const COMMAND_LEN: usize = 7 + MAX_COMMAND_DATA + 2;

/// The response buffer: a short APDU's 256 data bytes and SW1 SW2. Longer answers are sent in
/// parts (`61 xx`, SEND REMAINING), as over NFC.
const RESPONSE_LEN: usize = 256 + 2;

/// The applet's buffer for answers sent in parts: CALCULATE ALL of 16 credentials with the
/// longest names (16 × (2 + 64 + 2 + 5) bytes) fits, and so does LIST.
const PENDING: usize = 1280;
const _: () = assert!(CREDENTIALS * (2 + MAX_NAME_LEN + 2 + 5) <= PENDING);

#[cortex_m_rt::entry]
fn main() -> ! {
    board::paint_stack();
    let board = Board::take();
    let mut uart = board.uart;
    let store = PageStore::new(board.flash);
    let mut applet: Applet<_, _, _, PENDING> = Applet::new(store, board.random, Button);
    let mut command = [0u8; COMMAND_LEN];
    let mut response = [0u8; RESPONSE_LEN];
    loop {
        let len = usize::from(u16::from_be_bytes([uart.read(), uart.read()]));
        let answer: &[u8] = if len > command.len() {
            (0..len).for_each(|_| {
                uart.read();
            });
            &[0x67, 0x00]
        } else {
            let message = command.get_mut(..len).unwrap_or_default();
            message.iter_mut().for_each(|b| *b = uart.read());
            match message {
                [0x00] | [0x01] | [0x02] => {
                    applet.deselect();
                    continue;
                }
                [0x04] => &ATR,
                [_] | [] => continue,
                apdu => {
                    let answer = applet.process(apdu, &mut response);
                    apdu.zeroize();
                    match answer {
                        Ok(n) => response.get(..n).unwrap_or_default(),
                        // The response buffer is longer than the applet's minimum.
                        Err(_) => &[0x6f, 0x00],
                    }
                }
            }
        };
        // Both buffers are far shorter than 64 KiB.
        let n = u16::try_from(answer.len()).unwrap_or(0);
        n.to_be_bytes().iter().for_each(|b| uart.write(*b));
        answer.iter().for_each(|b| uart.write(*b));
    }
}

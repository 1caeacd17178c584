//! The token's button, behind [`Button`].
//!
//! A board counts presses in the button's interrupt handler. Under QEMU a press is scripted
//! ([`Scripted`], what CI runs) or, with the `keys` feature, a key read from the host over
//! semihosting ([`Keys`], `SYS_READC`).

/// Presses of the token's button.
pub trait Button {
    /// The presses since the last call, in order; `None` when the button is gone (the host
    /// closed its input), which ends the QEMU run.
    fn presses(&mut self) -> Option<u32>;
}

/// A fixed number of presses at each call: CI's button.
#[cfg_attr(feature = "keys", allow(dead_code))]
pub struct Scripted {
    per_step: &'static [u8],
    at: usize,
}

#[cfg_attr(feature = "keys", allow(dead_code))]
impl Scripted {
    /// `per_step[i]` presses at the `i`-th call, then none.
    pub const fn new(per_step: &'static [u8]) -> Scripted {
        Scripted { per_step, at: 0 }
    }
}

impl Button for Scripted {
    fn presses(&mut self) -> Option<u32> {
        let n = self.per_step.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        Some(u32::from(n))
    }
}

/// Keys typed on the host, read with semihosting `SYS_READC`: a line of `p`s is that many
/// presses (an empty line none); end of input or `q` ends the run.
#[cfg(feature = "keys")]
pub struct Keys;

#[cfg(feature = "keys")]
impl Button for Keys {
    fn presses(&mut self) -> Option<u32> {
        let mut presses = 0;
        loop {
            match semihosting::sys::arm_compat::sys_readc() {
                b'\n' => return Some(presses),
                b'p' | b'P' => presses += 1,
                // `q`, or end of input: 0xFF (-1) or 0x04 (Ctrl-D).
                b'q' | b'Q' | 0xFF | 0x04 => return None,
                _ => {}
            }
        }
    }
}

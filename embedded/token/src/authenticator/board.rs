//! What the applet needs from each board: its UART, flash for the credentials, random bytes,
//! a touch check; and the stack painting that measures the firmware's peak stack.
//!
//! - micro:bit (nRF51822, QEMU `microbit`): the UART, the top 34 KiB of flash through the
//!   NVMC (the build's `memory.x` keeps the program below them), the RNG peripheral.
//! - MPS2 (`mps2-an386`): the CMSDK UART; RAM stands in for flash, so credentials hold only
//!   within one run; the board has no random number generator (below).

use core::ptr;

use otpkit::ykoath::{Random, Touch};

#[cfg(not(token_mps2))]
use super::uart::Nrf51Uart as BoardUart;
#[cfg(token_mps2)]
use super::uart::Cmsdk as BoardUart;

use super::pages::{Flash, PAGE, PAGES};

/// The board's peripherals, as the applet's loop uses them.
pub struct Board {
    pub uart: BoardUart,
    pub flash: BoardFlash,
    pub random: BoardRandom,
}

impl Board {
    pub fn take() -> Board {
        Board {
            uart: BoardUart::uart0(),
            flash: BoardFlash::new(),
            random: BoardRandom::new(),
        }
    }
}

fn reg_read(addr: usize) -> u32 {
    // SAFETY: called only with word-aligned addresses of always-mapped peripheral registers
    // and of the credential pages, which this firmware alone uses.
    unsafe { ptr::read_volatile(addr as *const u32) }
}

#[cfg(not(token_mps2))]
fn reg_write(addr: usize, value: u32) {
    // SAFETY: as in `reg_read`; flash words are written only with the NVMC in write mode.
    unsafe { ptr::write_volatile(addr as *mut u32, value) }
}

/// The nRF51's flash, through its non-volatile memory controller (NVMC).
#[cfg(not(token_mps2))]
pub struct BoardFlash;

#[cfg(not(token_mps2))]
impl BoardFlash {
    /// The first credential page: flash ends at 256 KiB (build.rs keeps the program below).
    const STORAGE: usize = 256 * 1024 - PAGES * PAGE;
    const NVMC: usize = 0x4001_e000;
    const READY: usize = Self::NVMC + 0x400;
    const CONFIG: usize = Self::NVMC + 0x504;
    const ERASEPAGE: usize = Self::NVMC + 0x508;
    const READ_ONLY: u32 = 0;
    const WRITE: u32 = 1;
    const ERASE: u32 = 2;

    fn new() -> BoardFlash {
        BoardFlash
    }

    fn wait() {
        while reg_read(Self::READY) & 1 == 0 {
            core::hint::spin_loop();
        }
    }
}

#[cfg(not(token_mps2))]
const _: () = assert!(BoardFlash::STORAGE == 222 * 1024 && BoardFlash::STORAGE % PAGE == 0);

#[cfg(not(token_mps2))]
impl Flash for BoardFlash {
    fn read(&self, offset: usize) -> u32 {
        reg_read(Self::STORAGE + offset.min(PAGES * PAGE - 4))
    }

    fn erase(&mut self, page: usize) {
        reg_write(Self::CONFIG, Self::ERASE);
        Self::wait();
        reg_write(Self::ERASEPAGE, (Self::STORAGE + page.min(PAGES - 1) * PAGE) as u32);
        Self::wait();
        reg_write(Self::CONFIG, Self::READ_ONLY);
        Self::wait();
    }

    fn program(&mut self, offset: usize, word: u32) {
        reg_write(Self::CONFIG, Self::WRITE);
        Self::wait();
        reg_write(Self::STORAGE + offset.min(PAGES * PAGE - 4), word);
        Self::wait();
        reg_write(Self::CONFIG, Self::READ_ONLY);
        Self::wait();
    }
}

/// RAM with NOR flash's rules (erase sets bits, programming clears them), standing in for the
/// MPS2's flash: its contents last one run.
#[cfg(token_mps2)]
pub struct BoardFlash {
    words: [u32; PAGES * PAGE / 4],
}

#[cfg(token_mps2)]
impl BoardFlash {
    fn new() -> BoardFlash {
        BoardFlash {
            words: [u32::MAX; PAGES * PAGE / 4],
        }
    }
}

#[cfg(token_mps2)]
impl Flash for BoardFlash {
    fn read(&self, offset: usize) -> u32 {
        self.words.get(offset / 4).copied().unwrap_or(0)
    }

    fn erase(&mut self, page: usize) {
        let words = PAGE / 4;
        if let Some(p) = self.words.get_mut(page * words..(page + 1) * words) {
            p.fill(u32::MAX);
        }
    }

    fn program(&mut self, offset: usize, word: u32) {
        if let Some(w) = self.words.get_mut(offset / 4) {
            *w &= word;
        }
    }
}

/// The nRF51's random number generator, with its bias correction on.
#[cfg(not(token_mps2))]
pub struct BoardRandom;

#[cfg(not(token_mps2))]
impl BoardRandom {
    const RNG: usize = 0x4000_d000;
    const START: usize = Self::RNG;
    const VALRDY: usize = Self::RNG + 0x100;
    const CONFIG: usize = Self::RNG + 0x504;
    const VALUE: usize = Self::RNG + 0x508;

    fn new() -> BoardRandom {
        reg_write(Self::CONFIG, 1);
        reg_write(Self::START, 1);
        BoardRandom
    }
}

#[cfg(not(token_mps2))]
impl Random for BoardRandom {
    fn fill(&mut self, out: &mut [u8]) {
        for b in out {
            while reg_read(Self::VALRDY) == 0 {
                core::hint::spin_loop();
            }
            reg_write(Self::VALRDY, 0);
            *b = reg_read(Self::VALUE) as u8;
        }
    }
}

/// The MPS2 has no random number generator: SplitMix64 seeded from the 1 Hz counter, for the
/// emulator only. Its output is predictable; a board seeds a CSPRNG from its TRNG instead.
#[cfg(token_mps2)]
pub struct BoardRandom(u64);

#[cfg(token_mps2)]
impl BoardRandom {
    fn new() -> BoardRandom {
        BoardRandom(0x6f74_706b_6974 ^ u64::from(reg_read(0x4002_8000 + 0x10)))
    }
}

#[cfg(token_mps2)]
impl Random for BoardRandom {
    fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            chunk.iter_mut().zip(z.to_le_bytes()).for_each(|(b, z)| *b = z);
        }
    }
}

/// The touch check. QEMU's boards have no button a test can press, so every touch is confirmed
/// at once; a board waits here for its button, up to a timeout of about 15 s (over CCID,
/// sending time extension requests to the host meanwhile).
pub struct Button;

impl Touch for Button {
    fn confirm(&mut self) -> bool {
        true
    }
}

/// What the stack is painted with.
pub const PATTERN: u32 = 0x5aa5_c33c;
/// Left unpainted below the painting function's own local, for the rest of its frame.
const MARGIN: usize = 128;

unsafe extern "C" {
    /// The end of the statics (cortex-m-rt's `link.x`): the stack may grow down to here.
    static __sheap: u32;
}

/// Fills the free stack, from the end of the statics to just below this call's frame, with
/// [`PATTERN`]. After a run the host reads RAM (QEMU's monitor) and finds the lowest word that
/// no longer holds it: the firmware's peak stack, counted from the top of RAM.
#[inline(never)]
pub fn paint_stack() {
    let here = 0u32;
    let here = core::hint::black_box(ptr::addr_of!(here) as usize);
    let bottom = (&raw const __sheap as usize + 3) & !3;
    let top = (here - MARGIN) & !3;
    let mut at = bottom;
    // Painted in this frame, not a callee's, whose frame would lie in the region.
    while at < top {
        // SAFETY: `bottom..top` is RAM between the end of the statics and `MARGIN` bytes below
        // this frame: stack no live frame uses, word-aligned. Nothing else runs (one core, no
        // interrupts enabled).
        unsafe { ptr::write_volatile(at as *mut u32, PATTERN) };
        at += 4;
    }
}

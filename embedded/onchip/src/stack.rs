//! Peak stack of a call, measured on the chip by painting.
//!
//! The stack below the caller's frame is filled with a pattern, the call runs, and the lowest
//! word that no longer holds the pattern is its high-water mark. The figure is counted from a
//! local of [`peak`]'s own frame, so it includes the call's return address and arguments: the
//! stack a caller must leave free for it.

use core::ptr;
use core::sync::atomic::{AtomicU32, Ordering};

const PATTERN: u32 = 0x5AA5_C33C;
/// Left unpainted below `peak`'s own local, for the rest of its frame.
const MARGIN: usize = 256;
/// Painted below the margin (less if the statics are nearer).
const DEPTH: usize = 8 * 1024;

/// A word in `.bss`: the statics end near it, and the painted region stays above it.
static BSS_PROBE: AtomicU32 = AtomicU32::new(0);

/// The peak stack of `f`, in bytes; `None` if the painted region was used up (the figure would
/// be a lower bound).
#[inline(never)]
pub fn peak(f: impl FnOnce()) -> Option<usize> {
    let here = 0u32;
    let here = core::hint::black_box(ptr::addr_of!(here) as usize);
    BSS_PROBE.store(1, Ordering::Relaxed);
    let statics = ptr::addr_of!(BSS_PROBE) as usize + 256;
    let top = (here - MARGIN) & !3;
    let bottom = top.saturating_sub(DEPTH).max((statics + 3) & !3);
    // Painted in this frame, not in a callee's: a callee's frame would lie in the region.
    let mut at = bottom;
    while at < top {
        // SAFETY: `bottom..top` lies in RAM between the end of the statics and `MARGIN` bytes
        // below this frame: stack that no live frame uses, word-aligned. Nothing else runs (one
        // core, no interrupts enabled).
        unsafe { ptr::write_volatile(at as *mut u32, PATTERN) };
        at += 4;
    }
    call(f);
    let mut at = bottom;
    // SAFETY: as above; the words are only read, and hold the pattern or what the call left.
    while at < top && unsafe { ptr::read_volatile(at as *const u32) } == PATTERN {
        at += 4;
    }
    if at == bottom { None } else { Some(here - at) }
}

/// Runs `f` in a frame of its own, below `peak`'s, so that its stack is in the painted region.
#[inline(never)]
fn call(f: impl FnOnce()) {
    f();
}

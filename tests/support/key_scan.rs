//! Test support: find key bytes where they should no longer be, in freed heap blocks and in
//! the dead part of a thread's stack. Shared by `tests/provisioning_memory.rs` (heap, run by
//! `cargo test`) and `.ci/keyscan` (stack, built in release).
//!
//! "Key bytes" are any `KEY_WINDOW` consecutive bytes of a raw key, or any `TEXT_WINDOW`
//! consecutive characters of its base32 text (either case) or of another encoding of it (an
//! export's base64 payload). Reading freed memory and the stack
//! below the stack pointer needs `unsafe`; it is confined to this module, which opts out of the
//! crate-wide `unsafe_code = "deny"`.

#![allow(unsafe_code)]
#![allow(dead_code, clippy::indexing_slicing, clippy::std_instead_of_core)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};

/// Raw key bytes in a row that count as a copy of the key.
pub const KEY_WINDOW: usize = 5;
/// Base32 characters in a row that count as a copy of the key's text (one 40-bit block).
pub const TEXT_WINDOW: usize = 8;

const MAX_NEEDLE: usize = 512;

/// The needles the allocator and the stack scan look for: a raw key and its text.
struct Needles {
    key: [AtomicU8; MAX_NEEDLE],
    key_len: AtomicUsize,
    text: [AtomicU8; MAX_TEXT],
    text_len: AtomicUsize,
}

const MAX_TEXT: usize = 4096;

static NEEDLES: Needles = Needles {
    key: [const { AtomicU8::new(0) }; MAX_NEEDLE],
    key_len: AtomicUsize::new(0),
    text: [const { AtomicU8::new(0) }; MAX_TEXT],
    text_len: AtomicUsize::new(0),
};

/// Sets the key (raw bytes) and its base32 text to look for.
pub fn set_needles(key: &[u8], text: &str) {
    set_needles_with(key, text, "");
}

/// Sets the key (raw bytes), its base32 text and another text holding it (such as an export's
/// base64 payload; case is ignored) to look for.
pub fn set_needles_with(key: &[u8], text: &str, other: &str) {
    assert!(key.len() <= MAX_NEEDLE && text.len() + other.len() < MAX_TEXT);
    for (slot, &b) in NEEDLES.key.iter().zip(key) {
        slot.store(b, Ordering::Relaxed);
    }
    // The two texts, separated by a byte no window matches across (a NUL never appears in
    // either, and a window containing it is skipped).
    let joined = text.bytes().chain([0]).chain(other.bytes());
    let mut len = 0;
    for (slot, b) in NEEDLES.text.iter().zip(joined) {
        slot.store(b.to_ascii_uppercase(), Ordering::Relaxed);
        len += 1;
    }
    NEEDLES.key_len.store(key.len(), Ordering::Release);
    NEEDLES.text_len.store(
        if other.is_empty() { text.len() } else { len },
        Ordering::Release,
    );
}

/// Where in `hay` a window of the key or of its text starts, if anywhere. Allocation-free
/// (the allocator calls it).
pub fn find_key(hay: &[u8]) -> Option<usize> {
    let key_len = NEEDLES.key_len.load(Ordering::Acquire);
    let text_len = NEEDLES.text_len.load(Ordering::Acquire);
    let key = |i: usize| NEEDLES.key[i].load(Ordering::Relaxed);
    let text = |i: usize| NEEDLES.text[i].load(Ordering::Relaxed);
    for start in 0..hay.len() {
        if key_len >= KEY_WINDOW && hay.len() - start >= KEY_WINDOW {
            for k in 0..=key_len - KEY_WINDOW {
                if (0..KEY_WINDOW).all(|j| hay[start + j] == key(k + j)) {
                    return Some(start);
                }
            }
        }
        if text_len >= TEXT_WINDOW && hay.len() - start >= TEXT_WINDOW {
            for k in 0..=text_len - TEXT_WINDOW {
                if (0..TEXT_WINDOW)
                    .all(|j| text(k + j) != 0 && hay[start + j].to_ascii_uppercase() == text(k + j))
                {
                    return Some(start);
                }
            }
        }
    }
    None
}

/// A global allocator over `System` that, while armed, checks every block freed for key bytes
/// (counting the blocks that hold some), and counts, per thread, the bytes live and their peak.
pub struct ScanningAlloc;

static ARMED: AtomicBool = AtomicBool::new(false);
static DIRTY_FREES: AtomicUsize = AtomicUsize::new(0);
static DIRTY_SIZE: AtomicUsize = AtomicUsize::new(0);

std::thread_local! {
    // Const-initialized, no destructor: usable inside the allocator.
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    let _ = LIVE.try_with(|live| {
        live.set(live.get() + delta);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
    });
}

// SAFETY: every method forwards to `System` with the caller's layout and pointer unchanged;
// `dealloc` reads the block (still allocated, `layout.size()` bytes, initialized or not as
// the program left it) before handing it back.
unsafe impl GlobalAlloc for ScanningAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::Acquire) {
            // SAFETY: `ptr` is a live block of `layout.size()` bytes from `alloc` (the
            // `GlobalAlloc::dealloc` contract); it is only read, before being freed. Bytes the
            // program never wrote are read as whatever the allocator left there.
            let block = unsafe { core::slice::from_raw_parts(ptr, layout.size()) };
            if find_key(block).is_some() {
                DIRTY_FREES.fetch_add(1, Ordering::Relaxed);
                DIRTY_SIZE.store(layout.size(), Ordering::Relaxed);
            }
        }
        count(-(layout.size() as isize));
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(ptr, layout) }
    }
    // `realloc` keeps the default: `alloc`, copy, then `dealloc` of the old block, which is
    // checked like any other free.
}

/// Arms the free check and clears its count.
pub fn arm() {
    DIRTY_FREES.store(0, Ordering::Relaxed);
    ARMED.store(true, Ordering::Release);
}

/// Disarms the free check; returns how many blocks were freed holding key bytes since
/// [`arm`], and the size of the last one.
pub fn disarm() -> (usize, usize) {
    ARMED.store(false, Ordering::Release);
    (
        DIRTY_FREES.load(Ordering::Relaxed),
        DIRTY_SIZE.load(Ordering::Relaxed),
    )
}

/// Starts a peak measurement on this thread: returns the bytes this thread has live now
/// (the peak is reset to it).
pub fn reset_peak() -> usize {
    let live = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(live));
    live.max(0) as usize
}

/// The highest number of bytes this thread had live since [`reset_peak`].
pub fn peak() -> usize {
    PEAK.with(Cell::get).max(0) as usize
}

/// Bytes of stack below the caller that [`stack_leaks`] scans.
pub const STACK_SCAN: usize = 192 * 1024;
/// Padding between the scanner's own frames and the frames of the call under test.
const PAD: usize = 8 * 1024;

/// Zeroes the stack region the scan covers (thread stacks are reused, so it may hold what an
/// earlier thread left).
#[inline(never)]
fn clear_below() {
    let mut area = [0u8; PAD + STACK_SCAN + 4096];
    std::hint::black_box(&mut area);
}

#[inline(never)]
fn run_below_pad(f: &mut dyn FnMut()) {
    let pad = [0u8; PAD];
    std::hint::black_box(&pad);
    f();
    std::hint::black_box(&pad);
}

/// Runs `f` on a fresh thread (1 MiB of stack), then scans the stack region `f` used, now
/// dead, for key bytes. Returns the offsets (below the caller's frame) where some were found.
pub fn stack_leaks(f: impl FnMut() + Send + 'static) -> Vec<usize> {
    std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || {
            let mut f = f;
            let marker = 0u8;
            let top = std::hint::black_box(&marker) as *const u8 as usize;
            clear_below();
            run_below_pad(&mut f);
            let mut found = Vec::with_capacity(64);
            let mut window = [0u8; 64];
            // Scan from just below the padding down `STACK_SCAN` bytes, 64 bytes at a time
            // with overlap, so a copy across a boundary is still seen.
            let mut offset = PAD / 2;
            while offset < STACK_SCAN {
                let addr = top - offset - window.len();
                for (i, b) in window.iter_mut().enumerate() {
                    // SAFETY: `addr + i` lies between `top - STACK_SCAN - 64` and `top`, inside
                    // this thread's 1 MiB stack (the thread started a few frames above `top`),
                    // which is mapped and written by no other thread. The bytes are the dead
                    // frames of `f`; a volatile read keeps the compiler from assuming anything
                    // about them.
                    *b = unsafe { core::ptr::read_volatile((addr + i) as *const u8) };
                }
                if let Some(at) = find_key(&window)
                    && found.len() < found.capacity()
                {
                    found.push(offset + window.len() - at);
                }
                offset += window.len() - TEXT_WINDOW;
            }
            found
        })
        .expect("spawn")
        .join()
        .expect("scan thread")
}

//! Where the token's time comes from, behind [`Clock`].
//!
//! - [`Rtc`]: a board's real-time clock, a free-running seconds counter set once (at
//!   provisioning, or by the companion app) to Unix time. [`Mps2Clk1Hz`] is one such counter,
//!   register-level: the 1 Hz counter of the MPS2 FPGA, which QEMU's `mps2-an386` has too.
//! - [`SemihostingClock`]: the host's clock over semihosting (`SYS_TIME`). Semihosting needs a
//!   debugger or an emulator attached: a token in a pocket has neither, so this is the clock of
//!   a QEMU run, never a token's.
//! - [`Simulated`]: wraps either for CI, where waiting 30 s per step is not an option: waiting
//!   moves the time on instead of passing it.

/// Unix time in seconds.
pub trait Clock {
    /// The time now; `None` if the clock cannot be read.
    fn now(&mut self) -> Option<u64>;

    /// Returns once the time is at least `time`, with the time then.
    fn wait_until(&mut self, time: u64) -> Option<u64> {
        loop {
            let now = self.now()?;
            if now >= time {
                return Some(now);
            }
            // A board would sleep here (WFI) until the RTC's alarm or the button's interrupt.
            core::hint::spin_loop();
        }
    }
}

/// A free-running seconds counter: an RTC peripheral's counter register.
// Used on the MPS2 machine only; on the others a sketch of a board's clock.
#[cfg_attr(not(token_mps2), allow(dead_code))]
pub trait SecondsCounter {
    /// Seconds counted since the counter started (it wraps after 2^32 s, 136 years).
    fn seconds(&self) -> u32;
}

/// A board's RTC: Unix time = the time at which the counter read 0 + the counter.
#[cfg_attr(not(token_mps2), allow(dead_code))]
pub struct Rtc<C> {
    counter: C,
    epoch: u64,
}

#[cfg_attr(not(token_mps2), allow(dead_code))]
impl<C: SecondsCounter> Rtc<C> {
    /// Sets the clock: the counter's value now corresponds to Unix time `unix_now`.
    pub fn set(counter: C, unix_now: u64) -> Rtc<C> {
        let epoch = unix_now.saturating_sub(u64::from(counter.seconds()));
        Rtc { counter, epoch }
    }
}

impl<C: SecondsCounter> Clock for Rtc<C> {
    fn now(&mut self) -> Option<u64> {
        self.epoch.checked_add(u64::from(self.counter.seconds()))
    }
}

/// The MPS2 FPGA's 1 Hz counter (`CLK1HZ` of the FPGAIO block at `0x4002_8000`), counting
/// seconds from reset: on the MPS2 boards and on QEMU's `mps2-an385`/`mps2-an386`.
#[cfg(token_mps2)]
pub struct Mps2Clk1Hz;

#[cfg(token_mps2)]
impl SecondsCounter for Mps2Clk1Hz {
    fn seconds(&self) -> u32 {
        const CLK1HZ: usize = 0x4002_8000 + 0x10;
        // SAFETY: CLK1HZ is a read-only, always-mapped, word-aligned register of the MPS2
        // FPGAIO block; reading it has no side effect. A register read has no safe form
        // without a peripheral access crate.
        unsafe { core::ptr::read_volatile(CLK1HZ as *const u32) }
    }
}

/// The host's clock over semihosting `SYS_TIME` (seconds since the Unix epoch).
pub struct SemihostingClock;

impl Clock for SemihostingClock {
    fn now(&mut self) -> Option<u64> {
        semihosting::sys::arm_compat::sys_time()
            .ok()
            .map(|s| s as u64)
    }
}

/// A clock whose waits pass no time: each moves an offset on instead (CI under QEMU).
pub struct Simulated<C> {
    inner: C,
    offset: u64,
}

impl<C: Clock> Simulated<C> {
    /// `inner`'s time, until the first wait.
    pub fn new(inner: C) -> Simulated<C> {
        Simulated { inner, offset: 0 }
    }
}

impl<C: Clock> Clock for Simulated<C> {
    fn now(&mut self) -> Option<u64> {
        self.inner.now()?.checked_add(self.offset)
    }

    fn wait_until(&mut self, time: u64) -> Option<u64> {
        let now = self.now()?;
        self.offset += time.saturating_sub(now);
        self.now()
    }
}

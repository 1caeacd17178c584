//! The constant-time window scan shared by every verifier.

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use crate::{Error, mac::BATCH};

/// How many extra steps (TOTP) or counters (HOTP resynchronisation) around the expected one a
/// verifier also checks.
///
/// Windows are asymmetric: `behind` steps before and `ahead` steps after the expected step are
/// checked as well as the step itself, so a window holds `behind + 1 + ahead` candidates, and
/// each costs one HMAC. Both sides are capped at [`Window::MAX`], so a caller's policy cannot
/// make verification arbitrarily expensive.
///
/// The default is RFC 6238 §5.2's recommendation: one step behind (for transmission delay),
/// none ahead.
///
/// # Examples
///
/// ```
/// use otpkit::{Error, Window};
///
/// assert_eq!(Window::default(), Window::new(1, 0)?);
/// let w = Window::symmetric(2)?;
/// assert_eq!((w.behind(), w.ahead()), (2, 2));
/// assert_eq!(Window::new(0, 1001), Err(Error::WindowTooLarge { max: 1000 }));
/// # Ok::<(), otpkit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    behind: u32,
    ahead: u32,
}

impl Window {
    /// The largest value for either side.
    pub const MAX: u32 = 1000;

    /// Only the expected step itself.
    pub const EXACT: Window = Window {
        behind: 0,
        ahead: 0,
    };

    /// A window of `behind` steps before and `ahead` steps after the expected one.
    ///
    /// # Errors
    ///
    /// [`Error::WindowTooLarge`] when either side exceeds [`Window::MAX`].
    pub const fn new(behind: u32, ahead: u32) -> Result<Window, Error> {
        if behind > Window::MAX || ahead > Window::MAX {
            return Err(Error::WindowTooLarge { max: Window::MAX });
        }
        Ok(Window { behind, ahead })
    }

    /// `n` steps on either side (`oathtool -w n` for TOTP).
    ///
    /// # Errors
    ///
    /// [`Error::WindowTooLarge`] when `n` exceeds [`Window::MAX`].
    pub const fn symmetric(n: u32) -> Result<Window, Error> {
        Window::new(n, n)
    }

    /// Steps checked before the expected one.
    #[must_use]
    pub const fn behind(self) -> u32 {
        self.behind
    }

    /// Steps checked after the expected one.
    #[must_use]
    pub const fn ahead(self) -> u32 {
        self.ahead
    }

    /// The candidates around `center`, nearest first (`0, -1, +1, -2, +2, …`), leaving out
    /// those below 0 or above `u64::MAX`.
    pub(crate) fn around(self, center: u64) -> Around {
        Around {
            window: self,
            center,
            k: 0,
        }
    }
}

/// The iterator of [`Window::around`]: slot `k` is the center (`k = 0`), then
/// `d = ceil(k / 2)` steps behind (`k` odd) or ahead (`k` even). A plain `next`, which keeps
/// the verifier's frame and code small.
#[derive(Clone, Debug)]
pub(crate) struct Around {
    window: Window,
    center: u64,
    k: u32,
}

impl Iterator for Around {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        let Window { behind, ahead } = self.window;
        // Both sides are at most Window::MAX, so this cannot overflow.
        while self.k <= 2 * behind.max(ahead) {
            let k = self.k;
            self.k += 1;
            let d = k.div_ceil(2);
            let candidate = if k % 2 == 1 {
                if d > behind {
                    continue;
                }
                self.center.checked_sub(u64::from(d))
            } else {
                if d > ahead {
                    continue;
                }
                self.center.checked_add(u64::from(d))
            };
            if candidate.is_some() {
                return candidate;
            }
        }
        None
    }
}

impl Default for Window {
    fn default() -> Self {
        Window {
            behind: 1,
            ahead: 0,
        }
    }
}

/// Checks every candidate, in order of preference, against `given` without an early exit, and
/// returns the first candidate that matched and is not at or before `used` (the last accepted
/// step or counter).
///
/// The comparison results are combined as `subtle::Choice`s and turned into a `bool` once, at
/// the end; the candidates themselves are public (they are times and counters), only whether a
/// code matched them is secret.
///
/// # Errors
///
/// [`Error::WindowOutOfRange`] for no candidates, [`Error::Replay`] when the only matches are at
/// or before `used`, [`Error::Mismatch`] when nothing matched.
pub(crate) fn scan<T: ConstantTimeEq>(
    candidates: impl Iterator<Item = u64>,
    used: Option<u64>,
    mut expected: impl FnMut(u64) -> T,
    given: &T,
) -> Result<u64, Error> {
    let mut tally = Tally::new(used);
    for candidate in candidates {
        tally.add(candidate, expected(candidate).ct_eq(given));
    }
    tally.finish()
}

/// [`scan`] with the expected values computed [`BATCH`] candidates at a time:
/// `expected(candidates, values)` fills `values[i]` for `candidates[i]` (both the same length,
/// at most `BATCH`), so that independent HMACs can overlap.
///
/// # Errors
///
/// As [`scan`].
pub(crate) fn scan_batched<T: ConstantTimeEq + Copy + Default>(
    mut candidates: impl Iterator<Item = u64>,
    used: Option<u64>,
    mut expected: impl FnMut(&[u64], &mut [T]),
    given: &T,
) -> Result<u64, Error> {
    if BATCH == 1 {
        // One at a time (32-bit targets): the plain scan, without the batch's arrays.
        let mut value = [T::default()];
        return scan(
            candidates,
            used,
            |candidate| {
                expected(&[candidate], &mut value);
                let [v] = value;
                v
            },
            given,
        );
    }
    let mut tally = Tally::new(used);
    loop {
        let mut batch = [0u64; BATCH];
        let mut n = 0;
        // `zip` asks `batch` first, so no candidate is drawn and lost once it is full.
        for (slot, candidate) in batch.iter_mut().zip(&mut candidates) {
            *slot = candidate;
            n += 1;
        }
        let mut values = [T::default(); BATCH];
        if let (Some(batch), Some(values)) = (batch.get(..n), values.get_mut(..n)) {
            expected(batch, values);
            for (&candidate, value) in batch.iter().zip(values.iter()) {
                tally.add(candidate, value.ct_eq(given));
            }
        }
        if n < BATCH {
            return tally.finish();
        }
    }
}

/// The running outcome of a scan, kept as `Choice`s until the end.
struct Tally {
    used: Option<u64>,
    any: bool,
    /// A fresh candidate matched.
    found: Choice,
    /// Any candidate matched: without `found`, only used ones did (a replay).
    hit: Choice,
    matched: u64,
}

impl Tally {
    fn new(used: Option<u64>) -> Tally {
        Tally {
            used,
            any: false,
            found: Choice::from(0),
            hit: Choice::from(0),
            matched: 0,
        }
    }

    /// Records whether `candidate` matched; the first fresh match wins.
    #[inline(always)]
    fn add(&mut self, candidate: u64, hit: Choice) {
        self.any = true;
        let fresh = Choice::from(u8::from(self.used.is_none_or(|u| candidate > u)));
        let take = hit & fresh;
        self.matched
            .conditional_assign(&candidate, take & !self.found);
        self.found |= take;
        self.hit |= hit;
    }

    fn finish(self) -> Result<u64, Error> {
        if !self.any {
            return Err(Error::WindowOutOfRange);
        }
        if bool::from(self.found) {
            Ok(self.matched)
        } else if bool::from(self.hit) {
            Err(Error::Replay)
        } else {
            Err(Error::Mismatch)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    #[test]
    fn around_orders_nearest_first_and_clips() {
        let w = Window::new(2, 1).unwrap();
        assert_eq!(w.around(10).collect::<Vec<_>>(), [10, 9, 11, 8]);
        assert_eq!(w.around(0).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(
            w.around(u64::MAX).collect::<Vec<_>>(),
            [u64::MAX, u64::MAX - 1, u64::MAX - 2]
        );
        assert_eq!(Window::EXACT.around(5).collect::<Vec<_>>(), [5]);
    }

    #[test]
    fn scan_prefers_fresh_matches_and_reports_replay() {
        let codes = |c: u64| (c % 3) as u32;
        // 1 matches candidates 4 and 7 (4 % 3 == 7 % 3 == 1); 4 was used, so 7 is taken.
        assert_eq!(scan([4, 7].into_iter(), Some(4), codes, &1), Ok(7));
        assert_eq!(
            scan([4, 5].into_iter(), Some(4), codes, &1),
            Err(Error::Replay)
        );
        assert_eq!(
            scan([4, 5].into_iter(), None, codes, &0),
            Err(Error::Mismatch)
        );
        assert_eq!(
            scan([].into_iter(), None, codes, &0),
            Err(Error::WindowOutOfRange)
        );
    }

    #[test]
    fn batched_scan_agrees_with_scan_at_every_length() {
        let codes = |c: u64| (c % 5) as u32;
        let batched = |cs: &[u64], out: &mut [u32]| {
            assert!(cs.len() <= BATCH && cs.len() == out.len());
            cs.iter().zip(out).for_each(|(&c, o)| *o = codes(c));
        };
        for len in 0..=3 * BATCH + 1 {
            for used in [None, Some(3), Some(100)] {
                for given in 0..5 {
                    let cands = || (0..len as u64).rev();
                    assert_eq!(
                        scan_batched(cands(), used, batched, &given),
                        scan(cands(), used, codes, &given),
                        "len {len} used {used:?} given {given}"
                    );
                }
            }
        }
    }
}

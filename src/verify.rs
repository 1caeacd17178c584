//! The constant-time window scan shared by every verifier.

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use crate::Error;

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
    pub(crate) fn around(self, center: u64) -> impl Iterator<Item = u64> {
        let reach = self.behind.max(self.ahead);
        (0..=reach).flat_map(move |d| {
            let d64 = u64::from(d);
            let before = (d > 0 && d <= self.behind)
                .then(|| center.checked_sub(d64))
                .flatten();
            let after = (d <= self.ahead).then(|| center.checked_add(d64)).flatten();
            // At d = 0 both are the center; keep it once.
            before.into_iter().chain(after)
        })
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
    let mut any = false;
    let mut found = Choice::from(0);
    let mut replay = Choice::from(0);
    let mut matched = 0u64;
    for candidate in candidates {
        any = true;
        let hit = expected(candidate).ct_eq(given);
        let fresh = Choice::from(u8::from(used.is_none_or(|u| candidate > u)));
        matched.conditional_assign(&candidate, hit & fresh & !found);
        found |= hit & fresh;
        replay |= hit & !fresh;
    }
    if !any {
        return Err(Error::WindowOutOfRange);
    }
    if bool::from(found) {
        Ok(matched)
    } else if bool::from(replay) {
        Err(Error::Replay)
    } else {
        Err(Error::Mismatch)
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
}

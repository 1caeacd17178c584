//! HOTP (RFC 4226): event-based codes.

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use crate::{
    Algorithm, Code, Error,
    code::reduce,
    mac::{BATCH, Mac},
    verify,
};

/// The smallest key the default constructors accept: 128 bits (RFC 4226 §4 R6).
pub(crate) const MIN_KEY_LEN: usize = 16;

/// Checks a key length and digit count, then absorbs the key.
pub(crate) fn keyed(
    algorithm: Algorithm,
    key: &[u8],
    digits: u8,
    min_key_len: usize,
) -> Result<Mac, Error> {
    if !(6..=10).contains(&digits) {
        return Err(Error::InvalidDigits(digits));
    }
    if key.len() < min_key_len {
        return Err(Error::KeyTooShort {
            len: key.len(),
            min: min_key_len,
        });
    }
    Ok(Mac::new(algorithm, key))
}

/// HOTP parameters agreed at provisioning.
///
/// # Examples
///
/// ```
/// use otpkit::{Algorithm, HotpParams};
///
/// let p = HotpParams { digits: 8, ..HotpParams::default() };
/// assert_eq!(p.algorithm, Algorithm::Sha1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HotpParams {
    /// The hash under HMAC (RFC 4226 itself uses SHA-1).
    pub algorithm: Algorithm,
    /// Code length, 6 to 10 (RFC 4226 §5.3 requires at least 6). Note that the truncated value
    /// has 31 bits, so 10 digits give no more security than about 9.3: the first digit of a
    /// 10-digit code is always 0, 1 or 2.
    pub digits: u8,
}

impl Default for HotpParams {
    /// The default algorithm and 6 digits.
    fn default() -> Self {
        HotpParams {
            algorithm: Algorithm::default(),
            digits: 6,
        }
    }
}

/// A successful HOTP verification: what to store and how far the token had run ahead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use = "store `next_counter`, or the same code is accepted again"]
pub struct HotpMatch {
    /// The counter whose code matched.
    pub counter: u64,
    /// The counter to expect next (`counter + 1`): store it before accepting the login.
    pub next_counter: u64,
    /// How far ahead of the expected counter the token was (`counter - expected`).
    pub drift: u64,
}

/// An HOTP generator and verifier (RFC 4226) holding only keyed HMAC state.
///
/// The key is absorbed once in the constructor; generating and verifying never re-key, never
/// allocate and never panic. The keyed state is wiped on drop and `Debug` does not show it.
///
/// # Examples
///
/// ```
/// use otpkit::{Error, Hotp, HotpParams};
///
/// let hotp = Hotp::new(b"12345678901234567890", HotpParams::default())?;
/// assert_eq!(hotp.generate(0).as_str(), "755224");
///
/// // The server expects counter 3; the token is two presses ahead.
/// let m = hotp.verify_uncommitted("338314", 3, 4)?;
/// assert_eq!((m.counter, m.next_counter, m.drift), (4, 5, 1));
/// // Store m.next_counter; the same code is then refused.
/// assert_eq!(hotp.verify_uncommitted("338314", m.next_counter, 4), Err(Error::Replay));
/// # Ok::<(), otpkit::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Hotp {
    mac: Mac,
    digits: u8,
}

impl Hotp {
    /// The smallest key [`Hotp::new`] accepts, in bytes (RFC 4226 R6: 128 bits).
    pub const MIN_KEY_LEN: usize = MIN_KEY_LEN;
    /// The largest look-ahead [`Hotp::verify_uncommitted`] accepts.
    pub const MAX_LOOK_AHEAD: u32 = verify::Window::MAX;
    /// The largest range [`Hotp::resync_uncommitted`] searches.
    pub const MAX_RESYNC_WINDOW: u32 = 10_000;
    /// The most codes [`Hotp::resync_uncommitted`] takes.
    pub const MAX_RESYNC_CODES: usize = 8;

    /// Absorbs `key` (any length of at least 16 bytes; longer than the hash block is hashed, as
    /// HMAC says).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidDigits`] for digits outside `6..=10`, [`Error::KeyTooShort`] for a key
    /// under 16 bytes.
    pub fn new(key: &[u8], params: HotpParams) -> Result<Hotp, Error> {
        Ok(Hotp {
            mac: keyed(params.algorithm, key, params.digits, MIN_KEY_LEN)?,
            digits: params.digits,
        })
    }

    /// Like [`Hotp::new`], but accepts keys down to 1 byte, below RFC 4226's 128-bit minimum.
    ///
    /// For importing legacy tokens only (80-bit secrets are common): a short key is easier to
    /// brute-force from observed codes. Prefer [`Hotp::new`] for anything you provision.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidDigits`] for digits outside `6..=10`, [`Error::KeyTooShort`] for an empty
    /// key.
    pub fn new_allowing_short_key(key: &[u8], params: HotpParams) -> Result<Hotp, Error> {
        Ok(Hotp {
            mac: keyed(params.algorithm, key, params.digits, 1)?,
            digits: params.digits,
        })
    }

    /// The parameters this generator was built with.
    #[must_use]
    pub fn params(&self) -> HotpParams {
        HotpParams {
            algorithm: self.mac.algorithm(),
            digits: self.digits,
        }
    }

    /// The code for `counter` (RFC 4226 §5.3).
    #[must_use]
    pub fn generate(&self, counter: u64) -> Code {
        Code::from_number(self.mac.counter_value(counter), self.digits)
    }

    /// Verifies a user-typed `code` against the counters `next_counter ..= next_counter +
    /// look_ahead`, forward only (RFC 4226 §7.4), in constant time.
    ///
    /// `next_counter` is the stored state: the counter after the last accepted one (0 for a new
    /// token). RFC 4226's look-ahead parameter `s` is `look_ahead + 1`. Every candidate is
    /// computed and compared without early exit. On success store
    /// [`HotpMatch::next_counter`]; on failure the state is unchanged.
    ///
    /// The counter `u64::MAX` is never accepted: nothing could record that it was used.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{Error, Hotp, HotpParams};
    ///
    /// let hotp = Hotp::new(b"12345678901234567890", HotpParams::default())?;
    /// assert_eq!(hotp.verify_uncommitted("287082", 0, 2)?.next_counter, 2);
    /// assert_eq!(hotp.verify_uncommitted("000000", 0, 2), Err(Error::Mismatch));
    /// // A code for counter 0 after counter 0 was used:
    /// assert_eq!(hotp.verify_uncommitted("755224", 1, 2), Err(Error::Replay));
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidCode`] when `code` is not exactly the configured number of digits
    ///   (spaces are ignored).
    /// - [`Error::WindowTooLarge`] when `look_ahead` exceeds [`Hotp::MAX_LOOK_AHEAD`].
    /// - [`Error::WindowOutOfRange`] when `next_counter` is `u64::MAX`.
    /// - [`Error::Replay`] when the code matches only the last accepted counter
    ///   (`next_counter - 1`): it was already used. Older codes are not recomputed (that would
    ///   double the cost of every check) and give [`Error::Mismatch`].
    /// - [`Error::Mismatch`] when it matches nothing.
    pub fn verify_uncommitted(
        &self,
        code: impl AsRef<[u8]>,
        next_counter: u64,
        look_ahead: u32,
    ) -> Result<HotpMatch, Error> {
        self.verify_digits(code.as_ref(), next_counter, look_ahead)
    }

    /// [`Hotp::verify_uncommitted`] without the generic front (one copy in the binary).
    fn verify_digits(
        &self,
        code: &[u8],
        next_counter: u64,
        look_ahead: u32,
    ) -> Result<HotpMatch, Error> {
        if look_ahead > Hotp::MAX_LOOK_AHEAD {
            return Err(Error::WindowTooLarge {
                max: Hotp::MAX_LOOK_AHEAD,
            });
        }
        let given = Code::parse_bytes(code, self.digits)?.number();
        if next_counter == u64::MAX {
            return Err(Error::WindowOutOfRange);
        }
        // The last accepted counter is checked too, only to tell a replay from a wrong code.
        let used = next_counter.checked_sub(1);
        let first = used.unwrap_or(next_counter);
        let last = next_counter
            .saturating_add(u64::from(look_ahead))
            .min(u64::MAX - 1);
        let counter = verify::scan_batched(
            first..=last,
            used,
            |c, v| code_values(&self.mac, self.digits, c, v),
            &given,
        )?;
        Ok(matched(counter, next_counter))
    }

    /// Resynchronises with a token that ran far ahead (RFC 4226 §7.4, Appendix E.3): searches
    /// `next_counter ..= next_counter + window` for the first of `codes`, two or more codes the
    /// token produced one after another, and accepts only if all of them match consecutive
    /// counters.
    ///
    /// Forging several consecutive codes is much harder than one, so the window may be far
    /// larger than a login's look-ahead. Never moves backwards and never accepts a counter
    /// before `next_counter`. Every candidate is computed once (`window + codes.len()` HMACs)
    /// and compared in constant time.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{Hotp, HotpParams};
    ///
    /// let hotp = Hotp::new(b"12345678901234567890", HotpParams::default())?;
    /// let m = hotp.resync_uncommitted(&["162583", "399871"], 0, 100)?;
    /// assert_eq!((m.counter, m.next_counter), (8, 9));
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::ResyncCodeCount`] for fewer than 2 or more than [`Hotp::MAX_RESYNC_CODES`]
    ///   codes.
    /// - [`Error::WindowTooLarge`] when `window` exceeds [`Hotp::MAX_RESYNC_WINDOW`].
    /// - [`Error::InvalidCode`] when a code is malformed.
    /// - [`Error::WindowOutOfRange`] when no run of counters fits below `u64::MAX`.
    /// - [`Error::Mismatch`] when no run of consecutive counters matches all the codes.
    pub fn resync_uncommitted<C: AsRef<[u8]>>(
        &self,
        codes: &[C],
        next_counter: u64,
        window: u32,
    ) -> Result<HotpMatch, Error> {
        let n = codes.len();
        if !(2..=Hotp::MAX_RESYNC_CODES).contains(&n) {
            return Err(Error::ResyncCodeCount {
                given: n,
                min: 2,
                max: Hotp::MAX_RESYNC_CODES,
            });
        }
        if window > Hotp::MAX_RESYNC_WINDOW {
            return Err(Error::WindowTooLarge {
                max: Hotp::MAX_RESYNC_WINDOW,
            });
        }
        let mut given = [0u64; Hotp::MAX_RESYNC_CODES];
        for (slot, code) in given.iter_mut().zip(codes) {
            *slot = Code::parse_bytes(code.as_ref(), self.digits)?.number();
        }
        // The last code's counter must stay below u64::MAX (never accepted, see `verify`).
        let steps = (n - 1) as u64;
        let Some(last_start) = (u64::MAX - 1)
            .checked_sub(steps)
            .map(|top| next_counter.saturating_add(u64::from(window)).min(top))
            .filter(|&top| top >= next_counter)
        else {
            return Err(Error::WindowOutOfRange);
        };
        // pending[k]: do the codes seen so far match the run that starts k counters back?
        let mut pending = [Choice::from(0); Hotp::MAX_RESYNC_CODES];
        let mut found = Choice::from(0);
        let mut start = 0u64;
        for counter in next_counter..=last_start + steps {
            let value = u64::from(reduce(self.mac.counter_value(counter), self.digits));
            // Shift: the run starting here begins fresh.
            pending.copy_within(0..Hotp::MAX_RESYNC_CODES - 1, 1);
            pending[0] = Choice::from(u8::from(counter <= last_start));
            for (k, slot) in pending.iter_mut().enumerate().take(n) {
                if let Some(&g) = given.get(k) {
                    *slot &= value.ct_eq(&g);
                }
            }
            // The run that started n - 1 counters back is now complete.
            if let Some(&complete) = pending.get(n - 1) {
                let begin = counter.wrapping_sub(steps);
                let take = complete & !found;
                start.conditional_assign(&begin, take);
                found |= take;
            }
        }
        if bool::from(found) {
            Ok(matched(start + steps, next_counter))
        } else {
            Err(Error::Mismatch)
        }
    }
}

/// The values a verifier compares a typed code's number with: `HOTP mod 10^digits` for each of
/// up to [`BATCH`] `counters`, written to the front of `values`, computed together so that
/// their compressions overlap (`Mac::counter_values`).
pub(crate) fn code_values(mac: &Mac, digits: u8, counters: &[u64], values: &mut [u64]) {
    let mut raw = [0u32; BATCH];
    mac.counter_values(counters, &mut raw);
    for (value, r) in values.iter_mut().zip(raw) {
        *value = u64::from(reduce(r, digits));
    }
}

/// `10^digits` as the modulus of the truncated value (no reduction for 10 digits).
#[allow(dead_code)] // used by OCRA
pub(crate) fn modulus(digits: u8) -> u32 {
    match digits {
        6 => 1_000_000,
        7 => 10_000_000,
        8 => 100_000_000,
        9 => 1_000_000_000,
        _ => u32::MAX,
    }
}

fn matched(counter: u64, expected: u64) -> HotpMatch {
    HotpMatch {
        counter,
        next_counter: counter.saturating_add(1),
        drift: counter.saturating_sub(expected),
    }
}

//! Enrolments: the random id each enrolment of a token gets, and generators bound to one.
//!
//! A token id names a user's token for as long as the account lives; an [`EnrolmentId`] names
//! one enrolment of it. Re-enrolling a token (a lost or stolen phone, a new hardware token)
//! gives it a fresh random enrolment id, stored inside the record's bytes, so the
//! compare-and-swap covers it, and inside a sealed key's authenticated header. A generator
//! built for the old enrolment then no longer matches the stored record, and the verifiers
//! refuse it before its code is looked at.

use core::fmt;
use core::ops::Deref;

/// The random id of one enrolment of a token: 16 bytes, drawn when the token is enrolled or
/// re-enrolled.
///
/// It is not a secret (it only tells enrolments apart), so `Debug` and `Display` show it in
/// hexadecimal. [`EnrolmentId::LEGACY`] (all zeros) stands for "enrolled before enrolment ids":
/// the enrolment of every record of format version 1 and of keys sealed in format 1.
///
/// # Examples
///
/// ```
/// use otpkit::EnrolmentId;
///
/// let id = EnrolmentId::from_bytes([0xab; 16]);
/// assert_eq!(id.to_string(), "abababababababababababababababab");
/// assert!(!id.is_legacy());
/// assert!(EnrolmentId::LEGACY.is_legacy());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnrolmentId([u8; EnrolmentId::LEN]);

impl EnrolmentId {
    /// The length of an enrolment id in bytes.
    pub const LEN: usize = 16;

    /// The enrolment of records and sealed keys written before enrolment ids existed.
    pub const LEGACY: EnrolmentId = EnrolmentId([0; EnrolmentId::LEN]);

    /// An enrolment id from its 16 bytes (from storage, or a random number generator of the
    /// caller's: firmware and other `no_std` servers). All zeros is
    /// [`LEGACY`](Self::LEGACY).
    #[must_use]
    pub const fn from_bytes(bytes: [u8; EnrolmentId::LEN]) -> EnrolmentId {
        EnrolmentId(bytes)
    }

    /// A fresh random enrolment id from the operating system (`getrandom`), never
    /// [`LEGACY`](Self::LEGACY).
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::EnrolmentId;
    ///
    /// let (a, b) = (EnrolmentId::random()?, EnrolmentId::random()?);
    /// assert_ne!(a, b);
    /// assert!(!a.is_legacy());
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::RandomUnavailable`](crate::Error::RandomUnavailable) when the operating system
    /// has no randomness to give.
    #[cfg(any(feature = "rand", feature = "sealed-keys"))]
    pub fn random() -> Result<EnrolmentId, crate::Error> {
        let mut bytes = [0u8; EnrolmentId::LEN];
        // 16 zero bytes from a working generator has probability 2^-128; a generator that
        // returns them is broken, and is refused rather than taken for the legacy enrolment.
        getrandom::fill(&mut bytes).map_err(|_| crate::Error::RandomUnavailable)?;
        let id = EnrolmentId(bytes);
        if id.is_legacy() {
            return Err(crate::Error::RandomUnavailable);
        }
        Ok(id)
    }

    /// The id's 16 bytes.
    #[must_use]
    pub const fn to_bytes(self) -> [u8; EnrolmentId::LEN] {
        self.0
    }

    /// Whether this is [`LEGACY`](Self::LEGACY), the enrolment of a token enrolled before
    /// enrolment ids.
    #[must_use]
    pub fn is_legacy(&self) -> bool {
        *self == EnrolmentId::LEGACY
    }
}

impl fmt::Display for EnrolmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for EnrolmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EnrolmentId({self})")
    }
}

/// A generator ([`Totp`](crate::Totp), [`Hotp`](crate::Hotp), [`Ocra`](crate::ocra::Ocra))
/// bound to the enrolment its key belongs to.
///
/// [`MasterKey::open`](crate::sealed::MasterKey::open) returns one, with the enrolment id read
/// from the sealed key's authenticated header. Without sealed keys, bind the generator to the
/// enrolment id the enrolment returned ([`Enrolled::new`]), and keep that id beside the key.
/// The verifiers ([`store::Verifier`](crate::store::Verifier),
/// [`store::AsyncVerifier`](crate::store::AsyncVerifier)) refuse a generator whose enrolment is
/// not the stored record's, so a generator built before a re-enrolment (a request in flight,
/// a cache, a restored backup of the key) is never accepted against the new one.
///
/// It dereferences to the generator, for generating codes.
///
/// # Examples
///
/// ```
/// use otpkit::{Enrolled, EnrolmentId, Totp, TotpParams};
///
/// let enrolment = EnrolmentId::from_bytes([7; 16]);
/// let totp = Enrolled::new(Totp::new(b"12345678901234567890", TotpParams::default())?, enrolment);
/// assert_eq!(totp.enrolment(), enrolment);
/// assert_eq!(totp.generate_at(59)?.as_str(), "287082");
/// # Ok::<(), otpkit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enrolled<G> {
    generator: G,
    enrolment: EnrolmentId,
}

impl<G> Enrolled<G> {
    /// `generator`, bound to `enrolment`.
    pub const fn new(generator: G, enrolment: EnrolmentId) -> Enrolled<G> {
        Enrolled {
            generator,
            enrolment,
        }
    }

    /// The enrolment the generator's key belongs to.
    #[must_use]
    pub const fn enrolment(&self) -> EnrolmentId {
        self.enrolment
    }

    /// The generator.
    #[must_use]
    pub const fn generator(&self) -> &G {
        &self.generator
    }

    /// The generator, unbound.
    #[must_use]
    pub fn into_inner(self) -> G {
        self.generator
    }
}

impl<G> Deref for Enrolled<G> {
    type Target = G;

    fn deref(&self) -> &G {
        &self.generator
    }
}

/// A generator and the enrolment it belongs to, as the verifiers take it: an
/// [`Enrolled`] generator, or a bare one, which belongs to [`EnrolmentId::LEGACY`] (and so is
/// accepted only against records enrolled without an enrolment id).
///
/// # Examples
///
/// ```
/// use otpkit::{Bound, Enrolled, EnrolmentId, Hotp, HotpParams};
///
/// let hotp = Hotp::new(b"12345678901234567890", HotpParams::default())?;
/// assert_eq!(hotp.enrolment(), EnrolmentId::LEGACY);
/// let id = EnrolmentId::from_bytes([1; 16]);
/// assert_eq!(Enrolled::new(hotp, id).enrolment(), id);
/// # Ok::<(), otpkit::Error>(())
/// ```
pub trait Bound<G> {
    /// The generator.
    fn generator(&self) -> &G;
    /// The enrolment its key belongs to.
    fn enrolment(&self) -> EnrolmentId;
}

impl<G> Bound<G> for Enrolled<G> {
    fn generator(&self) -> &G {
        &self.generator
    }

    fn enrolment(&self) -> EnrolmentId {
        self.enrolment
    }
}

impl<G: Bound<T> + ?Sized, T> Bound<T> for &G {
    fn generator(&self) -> &T {
        (**self).generator()
    }

    fn enrolment(&self) -> EnrolmentId {
        (**self).enrolment()
    }
}

macro_rules! legacy_bound {
    ($($t:ty),*) => {$(
        /// A bare generator: the legacy enrolment ([`EnrolmentId::LEGACY`]).
        impl Bound<$t> for $t {
            fn generator(&self) -> &$t {
                self
            }

            fn enrolment(&self) -> EnrolmentId {
                EnrolmentId::LEGACY
            }
        }
    )*};
}

legacy_bound!(crate::Totp, crate::Hotp, crate::ocra::Ocra);

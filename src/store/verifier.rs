//! The blocking verifier: load, verify, commit, retry.

use crate::ocra::{DataInput, Ocra};
use crate::{Accepted, Bound, EnrolmentId, Hotp, Policy, StateRecord, Totp, Uncommitted};

use super::{Store, VerifyError, decode, finish, same_enrolment};

/// Verifies codes through a [`Store`], returning each outcome only after the record it
/// produced is committed (see [the module docs](super)).
///
/// Every method takes the server's clock as `now` (Unix seconds): it sets the TOTP step and
/// the throttle's clock alike, so pass the server's own time, never a time the client sent (a
/// client that chose `now` would choose when its own lock ends). There is deliberately no
/// separate code time: a token whose clock is off is followed through the stored drift.
///
/// The throttle is per token, so anyone who knows a token's id can spend its allowance (RFC
/// 4226 §7.3's trade-off); limit each client as well, as README.md's "Throttling, and limiting
/// each client" shows.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "store-memory")] {
/// use otpkit::store::{MemoryStore, Verifier, VerifyError};
/// use otpkit::{Enrolled, EnrolmentId, Error, Hotp, HotpParams, Policy, StateRecord};
///
/// let verifier = Verifier::new(MemoryStore::new(), Policy::default());
/// let enrolment = EnrolmentId::random()?;
/// verifier.enrol("token-7", &StateRecord::counter(0).with_enrolment(enrolment))?;
/// let hotp = Hotp::new(b"12345678901234567890", HotpParams::default())?;
/// let hotp = Enrolled::new(hotp, enrolment);
/// assert_eq!(verifier.verify_hotp("token-7", &hotp, 0, "359152")?.matched, 2);
/// assert_eq!(
///     verifier.verify_hotp("token-7", &hotp, 0, "359152"),
///     Err(VerifyError::Rejected(Error::Replay)),
/// );
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Verifier<S> {
    store: S,
    policy: Policy,
    max_attempts: u32,
}

impl<S> Verifier<S> {
    /// Load-verify-commit rounds tried before [`VerifyError::Contention`], by default.
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 16;

    /// A verifier over `store`, applying `policy` to every token.
    pub const fn new(store: S, policy: Policy) -> Verifier<S> {
        Verifier {
            store,
            policy,
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
        }
    }

    verifier_methods!(settings);

    /// The most load-verify-commit rounds per verification.
    pub const fn max_attempts(&self) -> u32 {
        self.max_attempts
    }
}

impl<S: Store> Verifier<S> {
    verifier_methods!(blocking);

    /// The exactly-once loop: load, verify, commit if changed, retry on a lost race.
    fn run(
        &self,
        id: &str,
        enrolment: EnrolmentId,
        verify: impl Fn(&StateRecord) -> Uncommitted,
    ) -> Result<Accepted, VerifyError<S::Error>> {
        for _ in 0..self.max_attempts {
            let (old, record) = decode(self.store.load(id))?;
            same_enrolment(&record, enrolment)?;
            let attempt = verify(&record);
            if let Some(new) = attempt.record_to_commit() {
                let new = new.to_bytes();
                let swapped = self.store.compare_and_swap(id, &old, &new);
                if !swapped.map_err(VerifyError::Store)? {
                    continue;
                }
            }
            return finish(attempt);
        }
        Err(VerifyError::Contention {
            attempts: self.max_attempts,
        })
    }

    /// An administrative change of the record, retried like a verification.
    /// [`Self::enrol`]: refuses a record without an enrolment id, then writes it.
    fn enrol_bound(
        &self,
        id: &str,
        record: &StateRecord,
    ) -> Result<bool, super::EnrolError<S::Error>> {
        if record.enrolment().is_legacy() {
            return Err(super::EnrolError::Unbound);
        }
        self.store
            .enrol(id, &record.to_bytes())
            .map_err(super::EnrolError::Store)
    }

    fn rewrite(
        &self,
        id: &str,
        change: impl Fn(StateRecord) -> StateRecord,
    ) -> Result<(), VerifyError<S::Error>> {
        for _ in 0..self.max_attempts {
            let (old, record) = decode(self.store.load(id))?;
            let new = change(record).to_bytes();
            if new == old
                || self
                    .store
                    .compare_and_swap(id, &old, &new)
                    .map_err(VerifyError::Store)?
            {
                return Ok(());
            }
        }
        Err(VerifyError::Contention {
            attempts: self.max_attempts,
        })
    }
}

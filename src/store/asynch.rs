//! The asynchronous store and verifier: the same loop, awaiting the store.

use core::future::Future;

use crate::ocra::{DataInput, Ocra};
use crate::{Accepted, Bound, EnrolmentId, Hotp, Policy, StateRecord, Totp, Uncommitted};

use super::{RecordBytes, VerifyError, decode, finish, same_enrolment};

/// [`Store`](super::Store) for asynchronous clients: the same four operations, each returning
/// a `Send` future, so a verifier can run on a multi-threaded executor.
///
/// The methods are written `fn ... -> impl Future<Output = ...> + Send` rather than
/// `async fn`: a public `async fn` in a trait cannot promise that its future is `Send`.
/// Implement them with an `async move` block. The trait names no runtime.
pub trait AsyncStore {
    /// The store's own failure.
    type Error;

    /// As [`Store::enrol`](super::Store::enrol).
    fn enrol(
        &self,
        id: &str,
        record: &RecordBytes,
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send;

    /// As [`Store::delete`](super::Store::delete).
    fn delete(&self, id: &str) -> impl Future<Output = Result<bool, Self::Error>> + Send;

    /// As [`Store::load`](super::Store::load).
    fn load(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<RecordBytes>, Self::Error>> + Send;

    /// As [`Store::compare_and_swap`](super::Store::compare_and_swap): atomic, and `Ok(false)`
    /// when the stored record is no longer `old`.
    fn compare_and_swap(
        &self,
        id: &str,
        old: &RecordBytes,
        new: &RecordBytes,
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send;
}

/// [`Verifier`](super::Verifier) over an [`AsyncStore`]: the same methods, `async`, each
/// returning only after the record it produced is committed.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "store-memory")] {
/// use otpkit::store::{AsyncVerifier, MemoryStore};
/// use otpkit::{Enrolled, EnrolmentId, Policy, StateRecord, Totp, TotpParams};
///
/// async fn login(
///     v: &AsyncVerifier<MemoryStore>,
///     totp: &Enrolled<Totp>,
///     now: u64,
///     code: &str,
/// ) -> bool {
///     v.verify_totp("alice", totp, now, code).await.is_ok()
/// }
///
/// # let fut = async {
/// let verifier = AsyncVerifier::new(MemoryStore::new(), Policy::default());
/// let enrolment = EnrolmentId::random()?;
/// let first = StateRecord::time_step().with_enrolment(enrolment);
/// verifier.enrol("alice", &first).await?;
/// let totp = Totp::new(b"12345678901234567890", TotpParams::default())?;
/// let totp = Enrolled::new(totp, enrolment);
/// let code = totp.generate_at(1_700_000_000)?;
/// assert!(login(&verifier, &totp, 1_700_000_000, code.as_str()).await);
/// assert!(!login(&verifier, &totp, 1_700_000_000, code.as_str()).await);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # };
/// # let mut fut = std::pin::pin!(fut);
/// # let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// # match fut.as_mut().poll(&mut cx) { std::task::Poll::Ready(r) => r?, _ => unreachable!() }
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct AsyncVerifier<S> {
    store: S,
    policy: Policy,
    max_attempts: u32,
}

impl<S> AsyncVerifier<S> {
    /// A verifier over `store`, applying `policy` to every token, trying at most
    /// [`Verifier::DEFAULT_MAX_ATTEMPTS`](super::Verifier::DEFAULT_MAX_ATTEMPTS) rounds.
    pub const fn new(store: S, policy: Policy) -> AsyncVerifier<S> {
        AsyncVerifier {
            store,
            policy,
            max_attempts: super::Verifier::<S>::DEFAULT_MAX_ATTEMPTS,
        }
    }

    verifier_methods!(settings);
}

impl<S: AsyncStore + Sync> AsyncVerifier<S> {
    verifier_methods!(awaiting);

    /// The exactly-once loop of [`Verifier`](super::Verifier), awaiting the store.
    async fn run(
        &self,
        id: &str,
        enrolment: EnrolmentId,
        verify: impl Fn(&StateRecord) -> Uncommitted,
    ) -> Result<Accepted, VerifyError<S::Error>> {
        for _ in 0..self.max_attempts {
            let (old, record) = decode(self.store.load(id).await)?;
            same_enrolment(&record, enrolment)?;
            let attempt = verify(&record);
            if let Some(new) = attempt.record_to_commit() {
                let new = new.to_bytes();
                let swapped = self.store.compare_and_swap(id, &old, &new).await;
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
    async fn enrol_bound(
        &self,
        id: &str,
        record: &StateRecord,
    ) -> Result<bool, super::EnrolError<S::Error>> {
        if record.enrolment().is_legacy() {
            return Err(super::EnrolError::Unbound);
        }
        self.store
            .enrol(id, &record.to_bytes())
            .await
            .map_err(super::EnrolError::Store)
    }

    async fn rewrite(
        &self,
        id: &str,
        change: impl Fn(StateRecord) -> StateRecord,
    ) -> Result<(), VerifyError<S::Error>> {
        for _ in 0..self.max_attempts {
            let (old, record) = decode(self.store.load(id).await)?;
            let new = change(record).to_bytes();
            if new == old
                || self
                    .store
                    .compare_and_swap(id, &old, &new)
                    .await
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

//! Test support: the record's `*_uncommitted` verifiers with the commit done at once, in
//! memory, for tests that exercise the record's rules rather than a store.
//!
//! `Settled` gives the record as it stands after the attempt (the new one when the attempt
//! changed it, the old one otherwise) beside the outcome, which is what a store holds once the
//! commit has happened. Stores and the exactly-once loop are tested through
//! `otpkit::store::Verifier` elsewhere.
#![allow(dead_code)]

use otpkit::ocra::{DataInput, Ocra};
use otpkit::{Accepted, Error, Hotp, Policy, StateRecord, Totp, Uncommitted};

/// An attempt whose record is committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settled {
    record: StateRecord,
    changed: bool,
    result: Result<Accepted, Error>,
}

impl Settled {
    /// Commits `attempt`, made against `old`, in memory.
    pub fn commit(old: StateRecord, attempt: Uncommitted) -> Settled {
        let (record, changed) = match attempt.record_to_commit() {
            Some(new) => (*new, true),
            None => (old, false),
        };
        Settled {
            record,
            changed,
            result: attempt.into_outcome_after_commit(),
        }
    }

    /// The stored record after the attempt.
    pub fn record(&self) -> &StateRecord {
        &self.record
    }

    /// Whether the attempt had a record to commit.
    pub fn is_changed(&self) -> bool {
        self.changed
    }

    /// The outcome.
    pub fn result(&self) -> Result<Accepted, Error> {
        self.result
    }

    /// Whether the code was accepted.
    pub fn is_accepted(&self) -> bool {
        self.result.is_ok()
    }

    /// The stored record and the outcome.
    pub fn into_parts(self) -> (StateRecord, Result<Accepted, Error>) {
        (self.record, self.result)
    }
}

/// The record's verifiers, committed in memory.
pub trait CommitInMemory {
    fn verify_totp(
        &self,
        totp: &Totp,
        policy: &Policy,
        now: u64,
        code: impl AsRef<[u8]>,
    ) -> Settled;
    fn verify_hotp(
        &self,
        hotp: &Hotp,
        policy: &Policy,
        now: u64,
        code: impl AsRef<[u8]>,
    ) -> Settled;
    fn resync_hotp<C: AsRef<[u8]>>(
        &self,
        hotp: &Hotp,
        policy: &Policy,
        now: u64,
        codes: &[C],
    ) -> Settled;
    fn resync_totp<C: AsRef<[u8]>>(
        &self,
        totp: &Totp,
        policy: &Policy,
        now: u64,
        codes: &[C],
    ) -> Settled;
    fn verify_ocra_counter(
        &self,
        ocra: &Ocra,
        policy: &Policy,
        now: u64,
        response: impl AsRef<[u8]>,
        input: &DataInput<'_>,
    ) -> Settled;
    fn verify_ocra_time(
        &self,
        ocra: &Ocra,
        policy: &Policy,
        now: u64,
        response: impl AsRef<[u8]>,
        input: &DataInput<'_>,
    ) -> Settled;
}

impl CommitInMemory for StateRecord {
    fn verify_totp(
        &self,
        totp: &Totp,
        policy: &Policy,
        now: u64,
        code: impl AsRef<[u8]>,
    ) -> Settled {
        Settled::commit(*self, self.verify_totp_uncommitted(totp, policy, now, code))
    }

    fn verify_hotp(
        &self,
        hotp: &Hotp,
        policy: &Policy,
        now: u64,
        code: impl AsRef<[u8]>,
    ) -> Settled {
        Settled::commit(*self, self.verify_hotp_uncommitted(hotp, policy, now, code))
    }

    fn resync_hotp<C: AsRef<[u8]>>(
        &self,
        hotp: &Hotp,
        policy: &Policy,
        now: u64,
        codes: &[C],
    ) -> Settled {
        Settled::commit(
            *self,
            self.resync_hotp_uncommitted(hotp, policy, now, codes),
        )
    }

    fn resync_totp<C: AsRef<[u8]>>(
        &self,
        totp: &Totp,
        policy: &Policy,
        now: u64,
        codes: &[C],
    ) -> Settled {
        Settled::commit(
            *self,
            self.resync_totp_uncommitted(totp, policy, now, codes),
        )
    }

    fn verify_ocra_counter(
        &self,
        ocra: &Ocra,
        policy: &Policy,
        now: u64,
        response: impl AsRef<[u8]>,
        input: &DataInput<'_>,
    ) -> Settled {
        let attempt = self.verify_ocra_counter_uncommitted(ocra, policy, now, response, input);
        Settled::commit(*self, attempt)
    }

    fn verify_ocra_time(
        &self,
        ocra: &Ocra,
        policy: &Policy,
        now: u64,
        response: impl AsRef<[u8]>,
        input: &DataInput<'_>,
    ) -> Settled {
        let attempt = self.verify_ocra_time_uncommitted(ocra, policy, now, response, input);
        Settled::commit(*self, attempt)
    }
}

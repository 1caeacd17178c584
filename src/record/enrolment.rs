//! The enrolment a record belongs to.

use crate::{EnrolmentId, StateRecord};

impl StateRecord {
    /// The same record, belonging to `enrolment`: a new token's first record, with the id
    /// [`EnrolmentId::random`] drew for it (or one from the caller's own generator).
    ///
    /// The id is part of the record's bytes, so the compare-and-swap covers it: a record of
    /// a new enrolment never equals one of an earlier enrolment of the same token id.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{EnrolmentId, StateRecord};
    ///
    /// let id = EnrolmentId::from_bytes([5; 16]);
    /// let first = StateRecord::time_step().with_enrolment(id);
    /// assert_eq!(first.enrolment(), id);
    /// assert_ne!(first.to_bytes(), StateRecord::time_step().to_bytes());
    /// ```
    #[must_use]
    pub const fn with_enrolment(self, enrolment: EnrolmentId) -> StateRecord {
        StateRecord { enrolment, ..self }
    }

    /// The enrolment this record belongs to: [`EnrolmentId::LEGACY`] for a record of format
    /// version 1, or one created without [`with_enrolment`](Self::with_enrolment).
    #[must_use]
    pub const fn enrolment(&self) -> EnrolmentId {
        self.enrolment
    }
}

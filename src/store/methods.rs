//! The method list shared by [`Verifier`](super::Verifier) and
//! [`AsyncVerifier`](super::AsyncVerifier): one definition, emitted as blocking methods for
//! the one and as `async` methods for the other, each with its full documentation.

/// Emits the verifier methods: `verifier_methods!(settings)` (the builder and accessors) inside
/// `impl<S>` of either type, `verifier_methods!(blocking)` inside `impl<S: Store> Verifier<S>`,
/// `verifier_methods!(awaiting)` inside `impl<S: AsyncStore + Sync> AsyncVerifier<S>`. Each entry is a signature, the statements before the store call in
/// braces, and the store call, which the `awaiting` form awaits. A generic parameter may name
/// a bound after `async` that only the `async` methods need (their futures must be `Send`).
macro_rules! verifier_methods {
    (settings) => {
        /// The same verifier trying at most `attempts` rounds (at least 1) before giving up
        /// with [`VerifyError::Contention`].
        #[must_use]
        pub fn with_max_attempts(mut self, attempts: u32) -> Self {
            self.max_attempts = attempts.max(1);
            self
        }

        /// The store.
        pub const fn store(&self) -> &S {
            &self.store
        }

        /// The policy.
        pub const fn policy(&self) -> &Policy {
            &self.policy
        }
    };
    ($mode:ident) => {
        verifier_methods! { @list $mode;
            /// Enrols a token with its first record ([`StateRecord::counter`] or
            /// [`StateRecord::time_step`]) bound to a fresh enrolment
            /// (`record.with_enrolment(EnrolmentId::random()?)`,
            /// [`StateRecord::with_enrolment`], [`EnrolmentId::random`]). `Ok(false)` when the
            /// id is taken. Verify with generators bound to that enrolment
            /// ([`Enrolled::new`](crate::Enrolled::new), or a key opened from a sealed key of
            /// it): generators of any other enrolment are refused.
            ///
            /// To write the record and the sealed key in one statement, or to re-enrol, use
            /// the store's [`EnrolStore`](super::EnrolStore). A token enrolled before
            /// enrolment ids is imported with the store's own [`Store::enrol`](super::Store::enrol).
            ///
            /// # Errors
            ///
            /// [`EnrolError::Unbound`](super::EnrolError::Unbound) for a record without an
            /// enrolment id ([`EnrolmentId::LEGACY`]), nothing written;
            /// [`EnrolError::Store`](super::EnrolError::Store) for the store's failure.
            fn enrol(
                &self,
                id: &str,
                record: &StateRecord,
            ) -> Result<bool, super::EnrolError<S::Error>> {}
                self.enrol_bound(id, record);

            /// Removes a token. `Ok(false)` when there was none.
            ///
            /// # Errors
            ///
            /// The store's failure.
            fn delete(&self, id: &str) -> Result<bool, S::Error> {}
                self.store.delete(id);

            /// Verifies a TOTP `code` for token `id` ([`StateRecord::verify_totp_uncommitted`]),
            /// and returns only after committing.
            ///
            /// # Errors
            ///
            /// [`VerifyError::Rejected`] with the record's refusal (wrong code, replay,
            /// throttled, resynchronisation needed, malformed code);
            /// [`VerifyError::EnrolmentMismatch`] when `totp` belongs to another enrolment than
            /// the stored record ([`Enrolled`](crate::Enrolled); a bare generator belongs to
            /// [`EnrolmentId::LEGACY`](crate::EnrolmentId::LEGACY)), its code not evaluated and
            /// nothing stored; the other variants as [`VerifyError`] says.
            fn verify_totp(
                &self,
                id: &str,
                totp: &(impl Bound<Totp> + Sync),
                now: u64,
                code: impl AsRef<[u8]>,
            ) -> Result<Accepted, VerifyError<S::Error>> {
                let code = code.as_ref();
            }
                self.run(id, totp.enrolment(), |r| {
                    r.verify_totp_uncommitted(totp.generator(), &self.policy, now, code)
                });

            /// Verifies an HOTP `code` for token `id` ([`StateRecord::verify_hotp_uncommitted`]),
            /// and returns only after committing.
            ///
            /// # Errors
            ///
            /// As [`verify_totp`](Self::verify_totp).
            fn verify_hotp(
                &self,
                id: &str,
                hotp: &(impl Bound<Hotp> + Sync),
                now: u64,
                code: impl AsRef<[u8]>,
            ) -> Result<Accepted, VerifyError<S::Error>> {
                let code = code.as_ref();
            }
                self.run(id, hotp.enrolment(), |r| {
                    r.verify_hotp_uncommitted(hotp.generator(), &self.policy, now, code)
                });

            /// Resynchronises an HOTP token with consecutive `codes`
            /// ([`StateRecord::resync_hotp_uncommitted`]).
            ///
            /// # Errors
            ///
            /// As [`verify_totp`](Self::verify_totp).
            fn resync_hotp<C: AsRef<[u8]>, async Sync>(
                &self,
                id: &str,
                hotp: &(impl Bound<Hotp> + Sync),
                now: u64,
                codes: &[C],
            ) -> Result<Accepted, VerifyError<S::Error>> {}
                self.run(id, hotp.enrolment(), |r| {
                    r.resync_hotp_uncommitted(hotp.generator(), &self.policy, now, codes)
                });

            /// Resynchronises a TOTP token with consecutive `codes`
            /// ([`StateRecord::resync_totp_uncommitted`]), searching
            /// [`Policy::resync_max_drift`] steps either side of the server's clock.
            ///
            /// Any run of consecutive unused codes in that range is accepted, so codes phished
            /// together stay usable for it: keep the range small, and resynchronise only in a
            /// flow that authenticated the user otherwise. A verifier with another range is
            /// `Verifier::new(store, Policy { resync_max_drift: 2, ..policy })`.
            ///
            /// # Errors
            ///
            /// As [`verify_totp`](Self::verify_totp).
            fn resync_totp<C: AsRef<[u8]>, async Sync>(
                &self,
                id: &str,
                totp: &(impl Bound<Totp> + Sync),
                now: u64,
                codes: &[C],
            ) -> Result<Accepted, VerifyError<S::Error>> {}
                self.run(id, totp.enrolment(), |r| {
                    r.resync_totp_uncommitted(totp.generator(), &self.policy, now, codes)
                });

            /// Verifies an OCRA counter-suite `response`
            /// ([`StateRecord::verify_ocra_counter_uncommitted`]).
            ///
            /// # Errors
            ///
            /// As [`verify_totp`](Self::verify_totp).
            fn verify_ocra_counter(
                &self,
                id: &str,
                ocra: &(impl Bound<Ocra> + Sync),
                now: u64,
                response: impl AsRef<[u8]>,
                input: &DataInput<'_>,
            ) -> Result<Accepted, VerifyError<S::Error>> {
                let response = response.as_ref();
            }
                self.run(id, ocra.enrolment(), |r| {
                    let ocra = ocra.generator();
                    r.verify_ocra_counter_uncommitted(ocra, &self.policy, now, response, input)
                });

            /// Verifies an OCRA time-suite `response`
            /// ([`StateRecord::verify_ocra_time_uncommitted`]).
            ///
            /// # Errors
            ///
            /// As [`verify_totp`](Self::verify_totp).
            fn verify_ocra_time(
                &self,
                id: &str,
                ocra: &(impl Bound<Ocra> + Sync),
                now: u64,
                response: impl AsRef<[u8]>,
                input: &DataInput<'_>,
            ) -> Result<Accepted, VerifyError<S::Error>> {
                let response = response.as_ref();
            }
                self.run(id, ocra.enrolment(), |r| {
                    let ocra = ocra.generator();
                    r.verify_ocra_time_uncommitted(ocra, &self.policy, now, response, input)
                });

            /// An administrator's unlock ([`StateRecord::unlock`]): failures forgotten, lock
            /// lifted.
            ///
            /// # Errors
            ///
            /// [`VerifyError::UnknownToken`], [`VerifyError::Corrupt`],
            /// [`VerifyError::Contention`], [`VerifyError::Store`].
            fn unlock(&self, id: &str) -> Result<(), VerifyError<S::Error>> {}
                self.rewrite(id, StateRecord::unlock);

            /// An administrator's reset of the stored drift ([`StateRecord::reset_drift`]).
            ///
            /// # Errors
            ///
            /// As [`unlock`](Self::unlock).
            fn reset_drift(&self, id: &str) -> Result<(), VerifyError<S::Error>> {}
                self.rewrite(id, StateRecord::reset_drift);
        }
    };
    (@list $mode:ident; $(
        $(#[$meta:meta])*
        fn $name:ident $(<$g:ident: $bound:path $(, async $async_bound:path)?>)?(
            &$this:tt $(, $arg:ident: $ty:ty)* $(,)?
        ) -> $ret:ty { $($before:tt)* }
            $call:expr;
    )*) => {
        $(verifier_methods! { @one $mode;
            $(#[$meta])*
            fn $name [$($g: $bound $(, $async_bound)?)?] ($this, $($arg: $ty),*) -> $ret
            { $($before)* } $call
        })*
    };
    (@one blocking;
        $(#[$meta:meta])*
        fn $name:ident [$($g:ident: $bound:path $(, $async_bound:path)?)?]
            ($this:tt, $($arg:ident: $ty:ty),*) -> $ret:ty { $($before:tt)* } $call:expr
    ) => {
        $(#[$meta])*
        pub fn $name$(<$g: $bound>)?(&$this, $($arg: $ty),*) -> $ret {
            $($before)*
            $call
        }
    };
    (@one awaiting;
        $(#[$meta:meta])*
        fn $name:ident [$($g:ident: $bound:path $(, $async_bound:path)?)?]
            ($this:tt, $($arg:ident: $ty:ty),*) -> $ret:ty { $($before:tt)* } $call:expr
    ) => {
        $(#[$meta])*
        pub async fn $name$(<$g: $bound $(+ $async_bound)?>)?(&$this, $($arg: $ty),*) -> $ret {
            $($before)*
            $call.await
        }
    };
}

//! Master-key rotation over any `Store + KeyStore`, as functions generic over the store, so
//! that each store's test file runs the same suite. The store wrapper [`Interleave`] lets a
//! test run other writers at a chosen point inside a rotation (between its read of a key and
//! its compare-and-swap, after a page of ids), and [`Killed`] stops a rotation at any chosen
//! store call, as a crash would.
//!
//! Each function needs a store of its own (a rotation makes a master key current for the
//! whole store).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use core::cell::{Cell, RefCell};

use otpkit::StateRecord;
use otpkit::sealed::{
    MasterKey, RotateError, RotateOptions, Rotation, rotate_master_key, rotate_master_key_with,
    sealed_with,
};
use otpkit::store::{EnrolStore, KeyStore, KeyWrite, RecordBytes, Store};

pub fn old() -> MasterKey {
    MasterKey::from_bytes([1; 32])
}

pub fn new() -> MasterKey {
    MasterKey::from_bytes([2; 32])
}

/// The key of token number `i`, in generation `generation` (a re-enrolment's is another).
pub fn key(i: usize, generation: u8) -> [u8; 20] {
    let mut key = [generation; 20];
    key[..8].copy_from_slice(&(i as u64).to_be_bytes());
    key
}

/// Enrols `n` tokens named `{prefix}-{i:03}` with keys sealed under `master`.
pub fn enrol_all<S: Store + KeyStore>(
    store: &S,
    prefix: &str,
    n: usize,
    master: &MasterKey,
) -> Vec<String>
where
    <S as Store>::Error: core::fmt::Debug,
    <S as KeyStore>::Error: core::fmt::Debug,
{
    (0..n)
        .map(|i| {
            let id = format!("{prefix}-{i:03}");
            assert!(
                store
                    .enrol(&id, &StateRecord::counter(i as u64).to_bytes())
                    .unwrap()
            );
            let sealed = master.seal(&id, &key(i, 0)).unwrap();
            assert_eq!(
                store.put_sealed_key(&id, &sealed, master.id()).unwrap(),
                KeyWrite::Stored
            );
            id
        })
        .collect()
}

/// The key stored for `id`, opened with `master`; panics unless `master` sealed it.
pub fn opened<S: KeyStore>(store: &S, id: &str, master: &MasterKey) -> Vec<u8>
where
    S::Error: core::fmt::Debug,
{
    let sealed = store.sealed_key(id).unwrap().unwrap();
    assert_eq!(sealed_with(&sealed), Ok(master.id()), "{id}");
    master
        .open(id, &sealed, |k| Ok(k.to_vec()))
        .unwrap()
        .into_inner()
}

/// Every key re-sealed page by page, progress after each page, records untouched; then a
/// second run finds nothing to do.
pub fn rotation_in_pages<S: Store + KeyStore>(store: &S, prefix: &str)
where
    <S as Store>::Error: core::fmt::Debug,
    <S as KeyStore>::Error: core::fmt::Debug,
{
    let (old, new) = (old(), new());
    let ids = enrol_all(store, prefix, 10, &old);
    let before: Vec<Option<RecordBytes>> = ids.iter().map(|id| store.load(id).unwrap()).collect();
    let mut reports = Vec::new();
    let options = RotateOptions {
        page_size: 4,
        max_passes: 3,
    };
    let done = rotate_master_key_with(store, &old, &new, options, |p| reports.push(*p)).unwrap();
    assert_eq!(
        done,
        Rotation {
            resealed: 10,
            already_current: 0,
            skipped: 0,
            vanished: 0,
            passes: 2,
            old_key_remains: false
        }
    );
    // Pages of 4, 4 and 2 in each of the two passes.
    let seen: Vec<(usize, usize, usize)> = reports
        .iter()
        .map(|p| (p.pass, p.examined, p.done.resealed))
        .collect();
    assert_eq!(
        seen,
        [
            (1, 4, 4),
            (1, 8, 8),
            (1, 10, 10),
            (2, 4, 10),
            (2, 8, 10),
            (2, 10, 10)
        ]
    );
    assert_eq!(store.current_master_key().unwrap(), Some(new.id()));
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(opened(store, id, &new), key(i, 0));
    }
    let after: Vec<Option<RecordBytes>> = ids.iter().map(|id| store.load(id).unwrap()).collect();
    assert_eq!(before, after, "a record changed");
    let again = rotate_master_key_with(store, &old, &new, options, |_| {}).unwrap();
    assert_eq!(
        again,
        Rotation {
            resealed: 0,
            already_current: 10,
            skipped: 0,
            vanished: 0,
            passes: 1,
            old_key_remains: false
        }
    );
    // A rotation between two keys neither of which is current is refused.
    let stranger = MasterKey::from_bytes([3; 32]);
    let third = MasterKey::from_bytes([4; 32]);
    assert!(matches!(
        rotate_master_key(store, &stranger, &third),
        Err(RotateError::CurrentMasterKey { current: Some(c) }) if c == new.id()
    ));
    assert!(matches!(
        rotate_master_key(store, &new, &new),
        Err(RotateError::SameMasterKey)
    ));
    for id in &ids {
        assert!(store.delete(id).unwrap());
    }
}

/// What [`Interleave`] runs: other writers, on the wrapped store.
pub type Hook<'a, S> = Box<dyn FnMut(&S) + 'a>;

/// A store that runs `hook` at chosen points of a rotation: before the `n`-th sealed-key
/// compare-and-swap (`on_swap`), after the `n`-th page of ids (`on_page`).
pub struct Interleave<'a, S> {
    pub store: &'a S,
    pub on_swap: Option<usize>,
    pub on_page: Option<usize>,
    pub hook: RefCell<Hook<'a, S>>,
    swaps: Cell<usize>,
    pages: Cell<usize>,
}

impl<'a, S> Interleave<'a, S> {
    pub fn new(store: &'a S, hook: impl FnMut(&S) + 'a) -> Self {
        Interleave {
            store,
            on_swap: None,
            on_page: None,
            hook: RefCell::new(Box::new(hook)),
            swaps: Cell::new(0),
            pages: Cell::new(0),
        }
    }
}

impl<S: KeyStore> KeyStore for Interleave<'_, S> {
    type Error = S::Error;

    fn put_sealed_key(
        &self,
        id: &str,
        sealed: &[u8],
        master_key: u32,
    ) -> Result<KeyWrite, Self::Error> {
        self.store.put_sealed_key(id, sealed, master_key)
    }

    fn sealed_key(&self, id: &str) -> Result<Option<Vec<u8>>, Self::Error> {
        self.store.sealed_key(id)
    }

    fn compare_and_swap_sealed_key(
        &self,
        id: &str,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool, Self::Error> {
        self.swaps.set(self.swaps.get() + 1);
        if self.on_swap == Some(self.swaps.get()) {
            (self.hook.borrow_mut())(self.store);
        }
        self.store.compare_and_swap_sealed_key(id, old, new)
    }

    fn ids_with_keys(&self, after: Option<&str>, limit: usize) -> Result<Vec<String>, Self::Error> {
        let page = self.store.ids_with_keys(after, limit)?;
        self.pages.set(self.pages.get() + 1);
        if self.on_page == Some(self.pages.get()) {
            (self.hook.borrow_mut())(self.store);
        }
        Ok(page)
    }

    fn current_master_key(&self) -> Result<Option<u32>, Self::Error> {
        self.store.current_master_key()
    }

    fn replace_current_master_key(&self, old: Option<u32>, new: u32) -> Result<bool, Self::Error> {
        self.store.replace_current_master_key(old, new)
    }
}

/// Re-enrols token `id` (number `i`) as an administrator would after a stolen phone: the
/// token deleted, enrolled afresh, and a fresh key sealed under `master`.
pub fn re_enrol<S: Store + KeyStore>(store: &S, id: &str, i: usize, master: &MasterKey)
where
    <S as Store>::Error: core::fmt::Debug,
    <S as KeyStore>::Error: core::fmt::Debug,
{
    assert!(store.delete(id).unwrap());
    assert!(
        store
            .enrol(id, &StateRecord::counter(0).to_bytes())
            .unwrap()
    );
    let sealed = master.seal(id, &key(i, 9)).unwrap();
    assert_eq!(
        store.put_sealed_key(id, &sealed, master.id()).unwrap(),
        KeyWrite::Stored
    );
}

/// Finding 1, first half: a re-enrolment between the rotation's read of a key and its write
/// is never overwritten by the re-sealed old (revoked) key. The lost race is counted as
/// skipped and the key examined again.
pub fn rotation_never_restores_a_revoked_key<S: Store + KeyStore>(store: &S, prefix: &str)
where
    <S as Store>::Error: core::fmt::Debug,
    <S as KeyStore>::Error: core::fmt::Debug,
{
    let (old, new) = (old(), new());
    let ids = enrol_all(store, prefix, 5, &old);
    let victim = ids[2].clone();
    let mut wrapped = Interleave::new(store, |s: &S| re_enrol(s, &victim, 2, &new));
    // The third swap is the victim's: it runs after the rotation read the old key.
    wrapped.on_swap = Some(3);
    let done = rotate_master_key(&wrapped, &old, &new).unwrap();
    assert_eq!(
        (done.resealed, done.skipped, done.old_key_remains),
        (4, 1, false),
        "{done:?}"
    );
    assert_eq!(
        opened(store, &victim, &new),
        key(2, 9),
        "the revoked key came back"
    );
    for (i, id) in ids.iter().enumerate().filter(|(i, _)| *i != 2) {
        assert_eq!(opened(store, id, &new), key(i, 0));
    }
    for id in &ids {
        assert!(store.delete(id).unwrap());
    }
}

/// Finding 1, second half: keys enrolled while the rotation runs, after the listing passed
/// their place, are not left under the old master key. A server still on the old master key
/// is refused (a typed outcome); a key that got in under it anyway (written by a server that
/// checked just before the switch) is found by the next pass.
pub fn rotation_misses_no_late_key<S: Store + KeyStore>(store: &S, prefix: &str)
where
    <S as Store>::Error: core::fmt::Debug,
    <S as KeyStore>::Error: core::fmt::Debug,
{
    let (old, new) = (old(), new());
    let ids = enrol_all(store, &format!("{prefix}-b"), 6, &old);
    let early = format!("{prefix}-a-early");
    let refused = format!("{prefix}-a-refused");
    let mut wrapped = Interleave::new(store, |s: &S| {
        // After the first page: both ids sort before every id listed so far.
        assert!(
            s.enrol(&refused, &StateRecord::time_step().to_bytes())
                .unwrap()
        );
        let sealed = old.seal(&refused, &key(100, 0)).unwrap();
        assert_eq!(
            s.put_sealed_key(&refused, &sealed, old.id()).unwrap(),
            KeyWrite::RetiredMasterKey { current: new.id() },
            "a server on the retired master key enrolled"
        );
        assert!(
            s.enrol(&early, &StateRecord::time_step().to_bytes())
                .unwrap()
        );
        let sealed = old.seal(&early, &key(101, 0)).unwrap();
        // Its check passed before the switch; its write lands after the listing.
        assert_eq!(
            s.put_sealed_key(&early, &sealed, new.id()).unwrap(),
            KeyWrite::Stored
        );
    });
    wrapped.on_page = Some(1);
    let options = RotateOptions {
        page_size: 2,
        ..RotateOptions::default()
    };
    let done = rotate_master_key_with(&wrapped, &old, &new, options, |_| {}).unwrap();
    assert_eq!(
        (done.resealed, done.passes, done.old_key_remains),
        (7, 3, false),
        "{done:?}"
    );
    assert_eq!(opened(store, &early, &new), key(101, 0));
    assert_eq!(store.sealed_key(&refused).unwrap(), None);
    for id in ids.iter().chain([&early, &refused]) {
        assert!(store.delete(id).unwrap());
    }
}

/// With too few passes for what happened meanwhile, the rotation says a key under the old
/// master key may remain, rather than `Ok` with nothing said.
pub fn rotation_says_when_an_old_key_remains<S: Store + KeyStore>(store: &S, prefix: &str)
where
    <S as Store>::Error: core::fmt::Debug,
    <S as KeyStore>::Error: core::fmt::Debug,
{
    let (old, new) = (old(), new());
    let ids = enrol_all(store, prefix, 3, &old);
    let options = RotateOptions {
        page_size: 10,
        max_passes: 1,
    };
    let done = rotate_master_key_with(store, &old, &new, options, |_| {}).unwrap();
    assert_eq!(
        (done.resealed, done.passes, done.old_key_remains),
        (3, 1, true)
    );
    let done = rotate_master_key_with(store, &old, &new, options, |_| {}).unwrap();
    assert_eq!(
        (done.resealed, done.already_current, done.old_key_remains),
        (0, 3, false)
    );
    for id in &ids {
        assert!(store.delete(id).unwrap());
    }
}

/// A store whose `n`-th call fails, as a crash of the rotating process would stop it there.
pub struct Killed<'a, S> {
    pub store: &'a S,
    pub at: usize,
    calls: Cell<usize>,
}

#[derive(Debug)]
pub struct KilledError;

impl<S: KeyStore> Killed<'_, S>
where
    S::Error: core::fmt::Debug,
{
    fn call<T>(&self, op: impl FnOnce() -> Result<T, S::Error>) -> Result<T, KilledError> {
        self.calls.set(self.calls.get() + 1);
        if self.calls.get() == self.at {
            return Err(KilledError);
        }
        Ok(op().unwrap())
    }
}

impl<S: KeyStore> KeyStore for Killed<'_, S>
where
    S::Error: core::fmt::Debug,
{
    type Error = KilledError;

    fn put_sealed_key(
        &self,
        id: &str,
        sealed: &[u8],
        master_key: u32,
    ) -> Result<KeyWrite, Self::Error> {
        self.call(|| self.store.put_sealed_key(id, sealed, master_key))
    }

    fn sealed_key(&self, id: &str) -> Result<Option<Vec<u8>>, Self::Error> {
        self.call(|| self.store.sealed_key(id))
    }

    fn compare_and_swap_sealed_key(
        &self,
        id: &str,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool, Self::Error> {
        self.call(|| self.store.compare_and_swap_sealed_key(id, old, new))
    }

    fn ids_with_keys(&self, after: Option<&str>, limit: usize) -> Result<Vec<String>, Self::Error> {
        self.call(|| self.store.ids_with_keys(after, limit))
    }

    fn current_master_key(&self) -> Result<Option<u32>, Self::Error> {
        self.call(|| self.store.current_master_key())
    }

    fn replace_current_master_key(&self, old: Option<u32>, new: u32) -> Result<bool, Self::Error> {
        self.call(|| self.store.replace_current_master_key(old, new))
    }
}

/// A rotation stopped at each of its store calls in turn, then run again, finishes: every
/// key under the new master key, opening to the key it held.
pub fn rotation_killed_anywhere_finishes<S: Store + KeyStore>(store: &S, prefix: &str)
where
    <S as Store>::Error: core::fmt::Debug,
    <S as KeyStore>::Error: core::fmt::Debug,
{
    let options = RotateOptions {
        page_size: 2,
        max_passes: 3,
    };
    let mut at = 1;
    loop {
        let (old, new) = (old(), new());
        let run = format!("{prefix}-{at:03}");
        let ids = enrol_all(store, &run, 3, &old);
        let killed = Killed {
            store,
            at,
            calls: Cell::new(0),
        };
        let first = rotate_master_key_with(&killed, &old, &new, options, |_| {});
        let finished_alone = first.is_ok();
        if let Err(e) = &first {
            assert!(matches!(e, RotateError::Store(KilledError)), "{e:?}");
            let done = rotate_master_key_with(store, &old, &new, options, |_| {}).unwrap();
            assert!(!done.old_key_remains, "killed at call {at}: {done:?}");
        }
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(opened(store, id, &new), key(i, 0), "killed at call {at}");
            assert!(store.delete(id).unwrap());
        }
        // The next run starts from the old master key again.
        assert!(
            store
                .replace_current_master_key(Some(new.id()), old.id())
                .unwrap()
        );
        if finished_alone {
            assert!(at > 10, "the rotation made only {at} calls");
            break;
        }
        at += 1;
    }
}

/// Every rotation test, each with ids of its own, on one store (which the tests leave with
/// no token of theirs; its current master key is the old one again at the end).
pub fn all<S: Store + KeyStore>(store: &S, prefix: &str)
where
    <S as Store>::Error: core::fmt::Debug,
    <S as KeyStore>::Error: core::fmt::Debug,
{
    let reset = |s: &S| {
        let current = s.current_master_key().unwrap();
        if current != Some(old().id()) {
            assert!(s.replace_current_master_key(current, old().id()).unwrap());
        }
    };
    rotation_in_pages(store, &format!("{prefix}-pages"));
    reset(store);
    rotation_never_restores_a_revoked_key(store, &format!("{prefix}-revoked"));
    reset(store);
    rotation_misses_no_late_key(store, &format!("{prefix}-late"));
    reset(store);
    rotation_says_when_an_old_key_remains(store, &format!("{prefix}-remains"));
    reset(store);
    rotation_killed_anywhere_finishes(store, &format!("{prefix}-killed"));
}

/// [`all`], then [`rotation_races_re_enrolments`].
pub fn all_and_threads<S: Store + KeyStore + EnrolStore + Sync>(store: &S, prefix: &str)
where
    <S as Store>::Error: core::fmt::Debug,
    <S as KeyStore>::Error: core::fmt::Debug,
    <S as EnrolStore>::Error: core::fmt::Debug,
{
    all(store, prefix);
    rotation_races_re_enrolments(store, &format!("{prefix}-threads"));
}

/// Real threads: re-enrolments of the same tokens (atomic, or in three steps) go on while the
/// rotation runs, under whichever master key the store accepts at that moment. At the end
/// every token's key is under the new master key and is the last one enrolled: none
/// restored, none missed.
pub fn rotation_races_re_enrolments<S: Store + KeyStore + EnrolStore + Sync>(
    store: &S,
    prefix: &str,
) where
    <S as Store>::Error: core::fmt::Debug,
    <S as KeyStore>::Error: core::fmt::Debug,
    <S as EnrolStore>::Error: core::fmt::Debug,
{
    const TOKENS: usize = 12;
    const ROUNDS: usize = 60;
    let (old, new) = (old(), new());
    let ids = enrol_all(store, prefix, TOKENS, &old);
    let latest: std::sync::Mutex<Vec<[u8; 20]>> =
        std::sync::Mutex::new((0..TOKENS).map(|i| key(i, 0)).collect());
    let barrier = std::sync::Barrier::new(2);
    let done = std::thread::scope(|s| {
        s.spawn(|| {
            barrier.wait();
            for round in 0..ROUNDS {
                let i = (round * 5) % TOKENS;
                let id = &ids[i];
                let fresh = key(i, 10 + (round % 200) as u8);
                // An atomic re-enrolment in even rounds; in odd ones, the token deleted,
                // enrolled, and given its key apart.
                // The atomic one binds a fresh enrolment; the raw one imports a legacy token.
                let enrolment = otpkit::EnrolmentId::random().unwrap();
                let record = StateRecord::counter(0);
                if round % 2 == 1 {
                    assert!(store.delete(id).unwrap());
                    assert!(store.enrol(id, &record.to_bytes()).unwrap());
                }
                let record = record.with_enrolment(enrolment).to_bytes();
                let mut written = KeyWrite::UnknownToken;
                for master in [&old, &new] {
                    written = if round % 2 == 0 {
                        let sealed = master.seal_enrolled(id, enrolment, &fresh).unwrap();
                        store.reenrol(id, &record, Some(&sealed)).unwrap()
                    } else {
                        let sealed = master.seal(id, &fresh).unwrap();
                        store.put_sealed_key(id, &sealed, master.id()).unwrap()
                    };
                    if written == KeyWrite::Stored {
                        break;
                    }
                }
                assert_eq!(written, KeyWrite::Stored, "round {round}");
                latest.lock().unwrap()[i] = fresh;
            }
        });
        barrier.wait();
        let options = RotateOptions {
            page_size: 3,
            max_passes: 10,
        };
        rotate_master_key_with(store, &old, &new, options, |_| {}).unwrap()
    });
    // The re-enrolments may have outlasted the rotation; every one after it is under `new`.
    assert!(!done.old_key_remains, "{done:?}");
    let latest = latest.into_inner().unwrap();
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(opened(store, id, &new), latest[i], "{id}: {done:?}");
        assert!(store.delete(id).unwrap());
    }
}

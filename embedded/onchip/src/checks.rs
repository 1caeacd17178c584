//! The checks, one group per function; each case is one check in the tally.

use core::fmt::{self, Write as _};

use otpkit::ocra::{DataInput, Ocra, OcraSuite};
use otpkit::{
    Accepted, Algorithm, Error, Hotp, HotpParams, Policy, StateRecord, Totp, TotpParams,
    Uncommitted, Window,
};

use crate::cases::{Kind, OCRA, OTP, OcraCase, OtpCase};
use crate::rfc::{Q, RFC4226, RFC6238, RFC6287, SEED20, SEED32, SEED64, V};
use crate::{Fail, Tally, ensure, lib};

/// A fixed buffer that `Display` output is written to: the longest response is the 128 hex
/// digits of a full HMAC-SHA-512.
struct Text {
    buf: [u8; 128],
    len: usize,
}

impl Text {
    fn of(value: impl fmt::Display) -> Text {
        let mut t = Text {
            buf: [0; 128],
            len: 0,
        };
        // A value longer than the buffer leaves it short, and so unequal to what is expected.
        let _ = write!(t, "{value}");
        t
    }

    fn is(&self, s: &str) -> bool {
        self.buf.get(..self.len) == Some(s.as_bytes())
    }
}

impl fmt::Write for Text {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let slot = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

fn window(behind: u32, ahead: u32) -> Result<Window, Fail> {
    lib("window", Window::new(behind, ahead))
}

/// `value mod 10^digits`, zero-padded (RFC 4226 §5.3).
fn truncated(value: u32, digits: u8) -> Text {
    struct Padded(u64, usize);
    impl fmt::Display for Padded {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{:01$}", self.0, self.1)
        }
    }
    let modulus = 10u64.pow(u32::from(digits));
    Text::of(Padded(u64::from(value) % modulus, usize::from(digits)))
}

/// RFC 4226 Appendix D, at 6 digits and, as the truncated value mod 10^d, at 7 to 10.
pub fn rfc4226(tally: &mut Tally) {
    for &(count, value, code) in &RFC4226 {
        tally.check("rfc4226", count, rfc4226_row(count, value, code));
    }
}

fn rfc4226_row(count: u64, value: u32, code: &str) -> Result<(), Fail> {
    let hotp = lib("new", Hotp::new(SEED20, HotpParams::default()))?;
    ensure(hotp.generate(count).as_str() == code, "generate")?;
    let m = lib("verify", hotp.verify_uncommitted(code, count, 0))?;
    ensure(
        (m.counter, m.next_counter) == (count, count + 1),
        "verify matched",
    )?;
    for digits in 7..=10u8 {
        let params = HotpParams {
            digits,
            ..HotpParams::default()
        };
        let h = lib("new", Hotp::new(SEED20, params))?;
        ensure(
            truncated(value, digits).is(h.generate(count).as_str()),
            "longer code",
        )?;
    }
    Ok(())
}

/// RFC 6238 Appendix B, each algorithm with its own key (erratum 2866).
pub fn rfc6238(tally: &mut Tally) {
    for (algorithm, seed, column) in [
        (Algorithm::Sha1, SEED20, 0),
        (Algorithm::Sha256, SEED32, 1),
        (Algorithm::Sha512, SEED64, 2),
    ] {
        for row in &RFC6238 {
            let code = [row.2, row.3, row.4][column];
            tally.check(
                "rfc6238",
                row.0,
                rfc6238_row(algorithm, seed, row.0, row.1, code),
            );
        }
    }
}

fn rfc6238_row(
    algorithm: Algorithm,
    seed: &[u8],
    time: u64,
    step: u64,
    code: &str,
) -> Result<(), Fail> {
    let params = TotpParams {
        algorithm,
        digits: 8,
        ..TotpParams::default()
    };
    let totp = lib("new", Totp::new(seed, params))?;
    ensure(lib("step_at", totp.step_at(time))? == step, "step_at")?;
    ensure(
        lib("generate_at", totp.generate_at(time))?.as_str() == code,
        "generate_at",
    )?;
    let m = lib(
        "verify_at",
        totp.verify_at_uncommitted(code, time, None, Window::EXACT),
    )?;
    ensure((m.step, m.drift) == (step, 0), "verify_at matched")
}

fn ocra_key(len: usize) -> &'static [u8] {
    match len {
        20 => SEED20,
        32 => SEED32,
        _ => SEED64,
    }
}

/// The data input of an Appendix C vector, without the counter and timestamp.
fn rfc_base(v: &V) -> DataInput<'static> {
    let mut input = match v.q {
        Q::One(q) => DataInput::new().question(q),
        Q::Mutual(role, client, server) => DataInput::new().mutual(role, client, server),
    };
    if let Some(pin) = v.pin {
        input = input.password(pin);
    }
    input
}

fn rfc_full(v: &V) -> DataInput<'static> {
    let mut input = rfc_base(v);
    if let Some(c) = v.counter {
        input = input.counter(c);
    }
    if let Some(t) = v.t {
        input = input.timestamp(t);
    }
    input
}

/// RFC 6287 Appendix C: computation, exact verification, counter look-ahead and time window.
pub fn rfc6287(tally: &mut Tally) {
    for v in &RFC6287 {
        tally.check("rfc6287", v.n, rfc6287_row(v));
    }
}

fn rfc6287_row(v: &V) -> Result<(), Fail> {
    let suite: OcraSuite = lib("suite", v.suite.parse().map_err(Error::from))?;
    let ocra = lib("new", Ocra::new(suite, ocra_key(v.key)))?;
    let got = lib("compute", ocra.compute(&rfc_full(v)))?;
    ensure(Text::of(&got).is(v.ocra), "compute")?;
    lib("verify", ocra.verify(v.ocra, &rfc_full(v)))?;
    if let Some(c) = v.counter {
        let next = c.saturating_sub(3);
        let m = lib(
            "verify_counter",
            ocra.verify_counter_uncommitted(v.ocra, &rfc_base(v), next, 3),
        )?;
        ensure(
            (m.counter, m.next_counter) == (c, c + 1),
            "verify_counter matched",
        )?;
        ensure(
            ocra.verify_counter_uncommitted(v.ocra, &rfc_base(v), c + 1, 3) == Err(Error::Replay),
            "counter replay",
        )?;
    }
    if let Some(t) = v.t {
        let unix = (t + 1) * 60 + 59;
        let m = lib(
            "verify_at",
            ocra.verify_at_uncommitted(v.ocra, &rfc_base(v), unix, None, Window::default()),
        )?;
        ensure((m.step, m.drift) == (t, -1), "verify_at matched")?;
        ensure(
            ocra.verify_step_uncommitted(v.ocra, &rfc_base(v), t, Some(t), Window::default())
                == Err(Error::Replay),
            "step replay",
        )?;
    }
    let mut wrong = [0u8; 10];
    let len = v.ocra.len().min(10);
    wrong[..len].copy_from_slice(&v.ocra.as_bytes()[..len]);
    wrong[0] = if wrong[0] == b'0' { b'1' } else { b'0' };
    let wrong = core::str::from_utf8(&wrong[..len]).map_err(|_| Fail::Wrong("ascii"))?;
    ensure(
        ocra.verify(wrong, &rfc_full(v)) == Err(Error::Mismatch),
        "a wrong response accepted",
    )
}

/// The seeded differential cases of `otp_oracles.tsv`.
pub fn otp_cases(tally: &mut Tally) {
    for case in &OTP {
        let result = match case.kind {
            Kind::Hotp { counter } => hotp_case(case, counter),
            Kind::Totp { time, period, t0 } => totp_case(case, time, period, t0),
        };
        tally.check("otp_oracles.tsv line", case.line, result);
    }
}

fn hotp_case(case: &OtpCase, counter: u64) -> Result<(), Fail> {
    let params = HotpParams {
        algorithm: case.algorithm,
        digits: case.digits,
    };
    let hotp = lib("new", Hotp::new_allowing_short_key(case.key, params))?;
    ensure(hotp.generate(counter).as_str() == case.code, "generate")?;
    if counter == u64::MAX {
        // Nothing could record that u64::MAX was used, so it is never accepted.
        ensure(
            hotp.verify_uncommitted(case.code, u64::MAX, 0) == Err(Error::WindowOutOfRange),
            "verify at u64::MAX",
        )?;
        return match hotp.verify_uncommitted(case.code, u64::MAX - 1, 3) {
            Ok(m) if m.counter == u64::MAX => Err(Fail::Wrong("accepted u64::MAX")),
            _ => Ok(()),
        };
    }
    // The counter at a case-dependent place of the look-ahead.
    let behind = (case.line % 4) as u64;
    let next = counter.saturating_sub(behind);
    let m = lib("verify", hotp.verify_uncommitted(case.code, next, 3))?;
    ensure(
        m.counter == counter || hotp.generate(m.counter).as_str() == case.code,
        "verify matched another counter",
    )?;
    if counter < u64::MAX - 1 {
        ensure(
            hotp.verify_uncommitted(case.code, counter + 1, 0) == Err(Error::Replay),
            "replay",
        )?;
    }
    Ok(())
}

fn totp_case(case: &OtpCase, time: u64, period: u64, t0: u64) -> Result<(), Fail> {
    let params = TotpParams {
        algorithm: case.algorithm,
        digits: case.digits,
        period,
        t0,
    };
    let totp = lib("new", Totp::new_allowing_short_key(case.key, params))?;
    let step = lib("step_at", totp.step_at(time))?;
    ensure(step == (time - t0) / period, "step_at")?;
    ensure(
        lib("generate_at", totp.generate_at(time))?.as_str() == case.code,
        "generate_at",
    )?;
    ensure(
        totp.generate_step(step).as_str() == case.code,
        "generate_step",
    )?;
    let shift = (case.line % 3) as u32;
    let m = lib(
        "verify_at",
        totp.verify_at_uncommitted(case.code, time, None, window(shift, 2 - shift)?),
    )?;
    ensure(
        m.step == step || totp.generate_step(m.step).as_str() == case.code,
        "verify_at matched another step",
    )?;
    if m.step == step {
        ensure(m.drift == 0, "drift")?;
    }
    ensure(
        totp.verify_at_uncommitted(case.code, time, Some(step), Window::EXACT)
            == Err(Error::Replay),
        "replay",
    )
}

fn ocra_input(case: &OcraCase) -> DataInput<'static> {
    let mut input = match (case.role, case.client, case.server) {
        (Some(role), Some(client), Some(server)) => DataInput::new().mutual(role, client, server),
        _ => DataInput::new().question(case.question.unwrap_or("")),
    };
    if let Some(pin) = case.password {
        input = input.password(pin);
    }
    if let Some(hash) = case.password_hash {
        input = input.password_hash(hash);
    }
    if let Some(session) = case.session {
        input = input.session(session);
    }
    input
}

/// The seeded differential cases of `ocra_oracles.tsv`.
pub fn ocra_cases(tally: &mut Tally) {
    for case in &OCRA {
        tally.check("ocra_oracles.tsv id", case.id, ocra_case(case));
    }
}

fn ocra_case(case: &OcraCase) -> Result<(), Fail> {
    let suite: OcraSuite = lib("suite", case.suite.parse().map_err(Error::from))?;
    let ocra = lib("new", Ocra::new(suite, case.key))?;
    let mut input = ocra_input(case);
    if let Some(c) = case.counter {
        input = input.counter(c);
    }
    if let Some(t) = case.timestamp {
        input = input.timestamp(t);
    }
    if let Some(u) = case.unix {
        input = input.unix_time(u);
    }
    let got = lib("compute", ocra.compute(&input))?;
    ensure(Text::of(&got).is(case.expected), "compute")?;
    lib("verify", ocra.verify(case.expected, &input))?;
    if let Some(c) = case.counter {
        let mut without = ocra_input(case);
        without = match (case.timestamp, case.unix) {
            (Some(t), _) => without.timestamp(t),
            (_, Some(u)) => without.unix_time(u),
            _ => without,
        };
        let m = lib(
            "verify_counter",
            ocra.verify_counter_uncommitted(case.expected, &without, c.wrapping_sub(2), 2),
        )?;
        ensure(
            (m.counter, m.next_counter) == (c, c.wrapping_add(1)),
            "verify_counter matched",
        )?;
    }
    if let Some(t) = case.timestamp {
        let mut without = ocra_input(case);
        if let Some(c) = case.counter {
            without = without.counter(c);
        }
        let m = lib(
            "verify_step",
            ocra.verify_step_uncommitted(
                case.expected,
                &without,
                t,
                t.checked_sub(1),
                window(1, 1)?,
            ),
        )?;
        ensure((m.step, m.drift) == (t, 0), "verify_step matched")?;
    }
    Ok(())
}

/// Window, replay and drift, on RFC 6238's SHA-1 key at 8 digits and RFC 4226's at 6.
pub fn behaviour(tally: &mut Tally) {
    tally.check("behaviour", "totp window", totp_window());
    tally.check("behaviour", "totp replay", totp_replay());
    tally.check("behaviour", "totp drift", totp_drift());
    tally.check("behaviour", "hotp look-ahead and replay", hotp_window());
    tally.check("behaviour", "hotp resync", hotp_resync());
    tally.check("behaviour", "malformed codes", malformed());
    tally.check("behaviour", "codes as bytes and Code", code_forms());
}

fn totp8() -> Result<Totp, Fail> {
    lib(
        "new",
        Totp::new(
            SEED20,
            TotpParams {
                digits: 8,
                ..TotpParams::default()
            },
        ),
    )
}

fn totp_window() -> Result<(), Fail> {
    let totp = totp8()?;
    let now = 1_111_111_111;
    let step = lib("step_at", totp.step_at(now))?;
    let one = window(1, 1)?;
    for (offset, drift) in [(-1i64, -1i64), (0, 0), (1, 1)] {
        let code = totp.generate_step(step.wrapping_add_signed(offset));
        let m = lib(
            "verify_at ±1",
            totp.verify_at_uncommitted(code.as_str(), now, None, one),
        )?;
        ensure(m.drift == drift, "drift inside ±1")?;
    }
    for offset in [-2i64, 2] {
        let code = totp.generate_step(step.wrapping_add_signed(offset));
        ensure(
            totp.verify_at_uncommitted(code.as_str(), now, None, one) == Err(Error::Mismatch),
            "outside ±1 accepted",
        )?;
    }
    // Behind only: two steps back is in, one ahead is out.
    let back = window(2, 0)?;
    let m = lib(
        "verify_at behind",
        totp.verify_at_uncommitted(totp.generate_step(step - 2).as_str(), now, None, back),
    )?;
    ensure(m.drift == -2, "two behind")?;
    ensure(
        totp.verify_at_uncommitted(totp.generate_step(step + 1).as_str(), now, None, back)
            == Err(Error::Mismatch),
        "ahead accepted by a behind-only window",
    )
}

fn totp_replay() -> Result<(), Fail> {
    let totp = totp8()?;
    let now = 1_234_567_890;
    let step = lib("step_at", totp.step_at(now))?;
    let code = totp.generate_step(step);
    let one = window(1, 1)?;
    let m = lib(
        "first use",
        totp.verify_at_uncommitted(code.as_str(), now, None, one),
    )?;
    ensure(
        totp.verify_at_uncommitted(code.as_str(), now, Some(m.step), one) == Err(Error::Replay),
        "second use",
    )?;
    // An earlier step's code after a later one was accepted is a replay too.
    let earlier = totp.generate_step(step - 1);
    ensure(
        totp.verify_at_uncommitted(earlier.as_str(), now, Some(step), one) == Err(Error::Replay),
        "earlier step after a later one",
    )?;
    // The next step's code is still good.
    let next = totp.generate_step(step + 1);
    let m = lib(
        "next step",
        totp.verify_at_uncommitted(next.as_str(), now, Some(step), one),
    )?;
    ensure(m.step == step + 1, "next step matched")
}

fn totp_drift() -> Result<(), Fail> {
    let totp = totp8()?;
    let policy = Policy::default();
    let mut stored = Stored::new(StateRecord::time_step());
    let now = 1_700_000_000;
    let step = lib("step_at", totp.step_at(now))?;
    // The token runs one step fast: accepted, and the record keeps the drift.
    let code = totp.generate_step(step + 1);
    let attempt = stored
        .read()?
        .verify_totp_uncommitted(&totp, &policy, now, code);
    ensure(
        lib("one fast", stored.commit(attempt))?.drift == 1,
        "drift 1",
    )?;
    ensure(stored.read()?.drift() == 1, "drift 1 recorded")?;
    // Later it runs two fast: inside the window centred on the stored drift.
    let later = now + 3000;
    let step = lib("step_at", totp.step_at(later))?;
    let code = totp.generate_step(step + 2);
    let attempt = stored
        .read()?
        .verify_totp_uncommitted(&totp, &policy, later, &code);
    ensure(
        lib("two fast", stored.commit(attempt))?.drift == 2,
        "drift 2",
    )?;
    // Four fast is outside the window around +2.
    let code = totp.generate_step(step + 4);
    let attempt = stored
        .read()?
        .verify_totp_uncommitted(&totp, &policy, later, code);
    ensure(
        stored.commit(attempt) == Err(Error::Mismatch),
        "four fast accepted",
    )?;
    // Totp::verify_step_uncommitted centred on a known drift.
    let code = totp.generate_step(step + 3);
    let m = lib(
        "verify_step",
        totp.verify_step_uncommitted(code, step + 3, None, Window::EXACT),
    )?;
    ensure(
        (m.step, m.drift) == (step + 3, 0),
        "verify_step on the drift",
    )
}

fn hotp_window() -> Result<(), Fail> {
    let hotp = lib("new", Hotp::new(SEED20, HotpParams::default()))?;
    // RFC 4226 §7.4: the code of counter 2 with look-ahead 2 from 0.
    let m = lib("look-ahead", hotp.verify_uncommitted(RFC4226[2].2, 0, 2))?;
    ensure((m.counter, m.next_counter) == (2, 3), "look-ahead matched")?;
    ensure(
        hotp.verify_uncommitted(RFC4226[3].2, 0, 2) == Err(Error::Mismatch),
        "past the look-ahead",
    )?;
    ensure(
        hotp.verify_uncommitted(RFC4226[2].2, 3, 2) == Err(Error::Replay),
        "last used counter",
    )?;
    ensure(
        hotp.verify_uncommitted("000000", 0, 2) == Err(Error::Mismatch),
        "wrong code",
    )?;
    ensure(
        hotp.verify_uncommitted(RFC4226[0].2, 0, Hotp::MAX_LOOK_AHEAD + 1)
            == Err(Error::WindowTooLarge {
                max: Hotp::MAX_LOOK_AHEAD,
            }),
        "oversized look-ahead",
    )
}

fn hotp_resync() -> Result<(), Fail> {
    let hotp = lib("new", Hotp::new(SEED20, HotpParams::default()))?;
    let m = lib(
        "resync",
        hotp.resync_uncommitted(&[RFC4226[8].2, RFC4226[9].2], 0, 100),
    )?;
    ensure((m.counter, m.next_counter) == (9, 10), "resync matched")?;
    ensure(
        hotp.resync_uncommitted(&[RFC4226[8].2, RFC4226[7].2], 0, 100) == Err(Error::Mismatch),
        "codes out of order",
    )
}

fn malformed() -> Result<(), Fail> {
    let hotp = lib("new", Hotp::new(SEED20, HotpParams::default()))?;
    for code in ["75522", "7552244", "75522x", ""] {
        ensure(
            matches!(
                hotp.verify_uncommitted(code, 0, 0),
                Err(Error::InvalidCode(_))
            ),
            "malformed accepted",
        )?;
    }
    // Spaces are ignored.
    lib("spaced", hotp.verify_uncommitted("755 224", 0, 0)).map(|_| ())
}

/// A `StateRecord` as a device keeps it: its bytes, read and decoded before each attempt, and
/// replaced by the record to commit before the outcome is read.
struct Stored(otpkit::RecordBytes);

impl Stored {
    fn new(record: StateRecord) -> Stored {
        Stored(record.to_bytes())
    }

    fn read(&self) -> Result<StateRecord, Fail> {
        lib("from_bytes", StateRecord::from_bytes(&self.0))
    }

    /// Writes what the attempt changed, then gives its outcome; the stored bytes must decode
    /// to the record written.
    fn commit(&mut self, attempt: Uncommitted) -> Result<Accepted, Error> {
        if let Some(record) = attempt.record_to_commit() {
            self.0 = record.to_bytes();
            if StateRecord::from_bytes(&self.0).as_ref() != Ok(record) {
                return Err(Error::WindowOutOfRange);
            }
        }
        attempt.into_outcome_after_commit()
    }
}

/// `StateRecord` verifications, stored as bytes and read back between attempts.
pub fn state_record(tally: &mut Tally) {
    tally.check("state record", "hotp", record_hotp());
    tally.check("state record", "totp", record_totp());
    tally.check("state record", "damaged bytes", record_damaged());
}

fn record_hotp() -> Result<(), Fail> {
    let hotp = lib("new", Hotp::new(SEED20, HotpParams::default()))?;
    let policy = Policy::default();
    let mut stored = Stored::new(StateRecord::counter(0));
    // A wrong code counts one failure, which survives the byte round trip.
    let attempt = stored
        .read()?
        .verify_hotp_uncommitted(&hotp, &policy, 100, b"000000");
    ensure(attempt.record_to_commit().is_some(), "a failure to commit")?;
    ensure(stored.commit(attempt) == Err(Error::Mismatch), "wrong code")?;
    ensure(stored.read()?.throttle().failures() == 1, "failure stored")?;
    // The right code, one counter ahead, as bytes: accepted, failures reset.
    let code: [u8; 6] = *b"287082";
    let attempt = stored
        .read()?
        .verify_hotp_uncommitted(&hotp, &policy, 101, code);
    ensure(
        lib("accept", stored.commit(attempt))?.matched == 1,
        "matched counter",
    )?;
    let record = stored.read()?;
    ensure(
        (record.next_counter(), record.throttle().failures()) == (2, 0),
        "stored counter",
    )?;
    // The same code again: a replay, nothing to commit.
    let attempt = record.verify_hotp_uncommitted(&hotp, &policy, 102, &code[..]);
    ensure(
        attempt.record_to_commit().is_none(),
        "a replay changes nothing",
    )?;
    ensure(stored.commit(attempt) == Err(Error::Replay), "replay")
}

fn record_totp() -> Result<(), Fail> {
    let totp = totp8()?;
    let policy = Policy::default();
    let now = 2_000_000_000;
    let step = lib("step_at", totp.step_at(now))?;
    let code = totp.generate_step(step - 1);
    let mut stored = Stored::new(StateRecord::time_step());
    let attempt = stored
        .read()?
        .verify_totp_uncommitted(&totp, &policy, now, &code);
    ensure(lib("accept", stored.commit(attempt))?.drift == -1, "drift")?;
    let record = stored.read()?;
    ensure(
        (record.last_accepted(), record.drift()) == (Some(step - 1), -1),
        "stored step and drift",
    )?;
    let attempt = record.verify_totp_uncommitted(&totp, &policy, now, code.as_str());
    ensure(stored.commit(attempt) == Err(Error::Replay), "replay")
}

/// Codes given as bytes, arrays and `Code` values, not only `&str`.
fn code_forms() -> Result<(), Fail> {
    let hotp = lib("new", Hotp::new(SEED20, HotpParams::default()))?;
    let code = hotp.generate(4);
    let bytes: &[u8] = b"338314";
    let array: [u8; 6] = *b"338314";
    for result in [
        hotp.verify_uncommitted(bytes, 4, 0),
        hotp.verify_uncommitted(array, 4, 0),
        hotp.verify_uncommitted(&code, 4, 0),
        hotp.verify_uncommitted(code, 4, 0),
    ] {
        ensure(lib("verify", result)?.counter == 4, "matched counter")?;
    }
    let totp = totp8()?;
    let code = lib("generate_at", totp.generate_at(59))?;
    let m = lib(
        "totp",
        totp.verify_at_uncommitted(code, 59, None, Window::EXACT),
    )?;
    ensure(m.step == 1, "totp step")?;
    let m = lib(
        "totp bytes",
        totp.verify_at_uncommitted(b"94287082", 59, None, Window::EXACT),
    )?;
    ensure(m.step == 1, "totp step from bytes")?;
    // Not digits: a typed error, whatever the form.
    ensure(
        matches!(
            hotp.verify_uncommitted([0xffu8; 6], 4, 0),
            Err(Error::InvalidCode(_))
        ),
        "non-ASCII bytes",
    )
}

fn record_damaged() -> Result<(), Fail> {
    let mut bytes = StateRecord::counter(7).to_bytes();
    bytes[5] ^= 1;
    ensure(
        StateRecord::from_bytes(&bytes).is_err(),
        "damaged record read",
    )?;
    ensure(
        StateRecord::from_bytes(&bytes[..10]).is_err(),
        "short record read",
    )?;
    Ok(())
}

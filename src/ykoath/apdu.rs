//! Command APDUs (ISO 7816-4 §5.1: short and extended forms) and the status words of YKOATH.

/// A status word, SW1 SW2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Sw(pub(super) u16);

impl Sw {
    pub(super) const OK: Sw = Sw(0x9000);
    pub(super) const WRONG_LENGTH: Sw = Sw(0x6700);
    pub(super) const CHAIN_EXPECTED: Sw = Sw(0x6883);
    pub(super) const SECURITY: Sw = Sw(0x6982);
    pub(super) const NO_SUCH_OBJECT: Sw = Sw(0x6984);
    pub(super) const CONDITIONS: Sw = Sw(0x6985);
    pub(super) const WRONG_DATA: Sw = Sw(0x6a80);
    pub(super) const NOT_FOUND: Sw = Sw(0x6a82);
    pub(super) const NO_SPACE: Sw = Sw(0x6a84);
    pub(super) const EXISTS: Sw = Sw(0x6a89);
    pub(super) const WRONG_P1P2: Sw = Sw(0x6b00);
    pub(super) const UNKNOWN_INS: Sw = Sw(0x6d00);
    pub(super) const UNKNOWN_CLA: Sw = Sw(0x6e00);
    pub(super) const MEMORY: Sw = Sw(0x6581);
}

/// One parsed command APDU.
#[derive(Clone, Copy, Debug)]
pub(super) struct Command<'a> {
    pub(super) cla: u8,
    pub(super) ins: u8,
    pub(super) p1: u8,
    pub(super) p2: u8,
    pub(super) data: &'a [u8],
    /// The most response data the host takes in one answer (Le; 256 or 65536 when absent or 0).
    pub(super) le: usize,
}

const SHORT_MAX: usize = 256;
const EXTENDED_MAX: usize = 65536;

fn short_le(b: u8) -> usize {
    if b == 0 { SHORT_MAX } else { usize::from(b) }
}

fn extended_le(hi: u8, lo: u8) -> usize {
    match u16::from_be_bytes([hi, lo]) {
        0 => EXTENDED_MAX,
        n => usize::from(n),
    }
}

/// Parses the four APDU cases in short and extended form; anything else is `67 00`.
pub(super) fn parse(apdu: &[u8]) -> Result<Command<'_>, Sw> {
    let [cla, ins, p1, p2, body @ ..] = apdu else {
        return Err(Sw::WRONG_LENGTH);
    };
    let (data, le): (&[u8], usize) = match *body {
        // Case 1: no data, no Le.
        [] => (&[], SHORT_MAX),
        // Case 2S: Le only.
        [le] => (&[], short_le(le)),
        // Case 2E: 00 Le_hi Le_lo.
        [0, hi, lo] => (&[], extended_le(hi, lo)),
        // Case 3E / 4E: 00 Lc_hi Lc_lo data [Le_hi Le_lo].
        [0, hi, lo, ref rest @ ..] => {
            let lc = usize::from(u16::from_be_bytes([hi, lo]));
            if lc == 0 {
                return Err(Sw::WRONG_LENGTH);
            }
            match (rest.get(..lc), rest.len().checked_sub(lc)) {
                (Some(d), Some(0)) => (d, EXTENDED_MAX),
                (Some(d), Some(2)) => match rest.get(lc..) {
                    Some(&[h, l]) => (d, extended_le(h, l)),
                    _ => return Err(Sw::WRONG_LENGTH),
                },
                _ => return Err(Sw::WRONG_LENGTH),
            }
        }
        // Case 3S / 4S: Lc data [Le].
        [lc, ref rest @ ..] => {
            let lc = usize::from(lc);
            if lc == 0 {
                return Err(Sw::WRONG_LENGTH);
            }
            match (rest.get(..lc), rest.len().checked_sub(lc)) {
                (Some(d), Some(0)) => (d, SHORT_MAX),
                (Some(d), Some(1)) => (d, short_le(rest.get(lc).copied().unwrap_or(0))),
                _ => return Err(Sw::WRONG_LENGTH),
            }
        }
    };
    Ok(Command {
        cla: *cla,
        ins: *ins,
        p1: *p1,
        p2: *p2,
        data,
        le,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_cases_in_both_forms() {
        let c = parse(&[0, 0xa1, 0, 0]).unwrap();
        assert_eq!((c.ins, c.data, c.le), (0xa1, &[][..], 256));
        assert_eq!(parse(&[0, 0xa1, 0, 0, 0]).unwrap().le, 256);
        assert_eq!(parse(&[0, 0xa1, 0, 0, 0x10]).unwrap().le, 16);
        assert_eq!(parse(&[0, 0xa1, 0, 0, 0, 0, 0]).unwrap().le, 65536);
        assert_eq!(parse(&[0, 0xa1, 0, 0, 0, 1, 2]).unwrap().le, 258);
        let c = parse(&[0, 1, 0, 0, 2, 9, 8]).unwrap();
        assert_eq!((c.data, c.le), (&[9, 8][..], 256));
        let c = parse(&[0, 1, 0, 0, 2, 9, 8, 4]).unwrap();
        assert_eq!((c.data, c.le), (&[9, 8][..], 4));
        let c = parse(&[0, 1, 0, 0, 0, 0, 2, 9, 8]).unwrap();
        assert_eq!((c.data, c.le), (&[9, 8][..], 65536));
        let c = parse(&[0, 1, 0, 0, 0, 0, 2, 9, 8, 1, 0]).unwrap();
        assert_eq!((c.data, c.le), (&[9, 8][..], 256));
    }

    #[test]
    fn wrong_lengths() {
        for bad in [
            &[][..],
            &[0, 1, 0],
            &[0, 1, 0, 0, 3, 1, 2],
            &[0, 1, 0, 0, 1, 1, 2, 3],
            &[0, 1, 0, 0, 0, 0, 0, 5],
            &[0, 1, 0, 0, 0, 0, 3, 1, 2],
            &[0, 1, 0, 0, 0, 0, 1, 1, 2],
            &[0, 1, 0, 0, 0, 0, 1, 1, 2, 3, 4],
            &[0, 1, 0, 0, 0, 5],
        ] {
            assert_eq!(parse(bad).map(|_| ()), Err(Sw::WRONG_LENGTH), "{bad:?}");
        }
    }
}

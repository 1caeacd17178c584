//! BER-style TLVs as YKOATH uses them: one tag byte, a length of one byte below `0x80` or
//! `81 xx` / `82 xx xx`, then the value.

use super::apdu::Sw;

/// Reads TLVs from the front of command data; any malformation is `6A 80`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    pub(super) fn new(data: &'a [u8]) -> Self {
        Reader(data)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(super) fn peek_tag(&self) -> Option<u8> {
        self.0.first().copied()
    }

    /// One byte, taken raw (the property TLV `78 pp` has no length byte).
    pub(super) fn byte(&mut self) -> Result<u8, Sw> {
        let (&b, rest) = self.0.split_first().ok_or(Sw::WRONG_DATA)?;
        self.0 = rest;
        Ok(b)
    }

    /// The next TLV's tag and value.
    pub(super) fn next(&mut self) -> Result<(u8, &'a [u8]), Sw> {
        let tag = self.byte()?;
        let len = match self.byte()? {
            n @ 0..=0x7f => usize::from(n),
            0x81 => usize::from(self.byte()?),
            0x82 => usize::from(u16::from_be_bytes([self.byte()?, self.byte()?])),
            _ => return Err(Sw::WRONG_DATA),
        };
        let value = self.0.get(..len).ok_or(Sw::WRONG_DATA)?;
        self.0 = self.0.get(len..).unwrap_or_default();
        Ok((tag, value))
    }

    /// The value of the next TLV, which must carry `tag`.
    pub(super) fn expect(&mut self, tag: u8) -> Result<&'a [u8], Sw> {
        match self.next()? {
            (t, v) if t == tag => Ok(v),
            _ => Err(Sw::WRONG_DATA),
        }
    }
}

/// Appends to an answer; running out of room is `6A 84`.
#[derive(Debug)]
pub(super) struct Writer<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Writer<'a> {
    pub(super) fn new(buf: &'a mut [u8]) -> Self {
        Writer { buf, len: 0 }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn bytes(&mut self, b: &[u8]) -> Result<(), Sw> {
        let end = self.len.checked_add(b.len()).ok_or(Sw::NO_SPACE)?;
        super::copy(self.buf.get_mut(self.len..end).ok_or(Sw::NO_SPACE)?, b);
        self.len = end;
        Ok(())
    }

    /// A TLV whose value is the concatenation of `parts`.
    pub(super) fn tlv(&mut self, tag: u8, parts: &[&[u8]]) -> Result<(), Sw> {
        let len = parts.iter().map(|p| p.len()).sum::<usize>();
        let [_, _, hi, lo] = u32::try_from(len).map_err(|_| Sw::NO_SPACE)?.to_be_bytes();
        match len {
            0..=0x7f => self.bytes(&[tag, lo])?,
            0x80..=0xff => self.bytes(&[tag, 0x81, lo])?,
            0x100..=0xffff => self.bytes(&[tag, 0x82, hi, lo])?,
            _ => return Err(Sw::NO_SPACE),
        }
        parts.iter().try_for_each(|p| self.bytes(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lengths_both_ways() {
        let value = [7u8; 300];
        for n in [0, 1, 0x7f, 0x80, 0xff, 0x100, 300] {
            let mut buf = [0u8; 310];
            let mut w = Writer::new(&mut buf);
            w.tlv(0x73, &[&value[..n]]).unwrap();
            let len = w.len();
            let mut r = Reader::new(&buf[..len]);
            assert_eq!(r.expect(0x73).unwrap(), &value[..n]);
            assert!(r.is_empty());
        }
        // yubikit's 128-byte SHA-512 key: 73 81 82 23 08 ...
        let mut put = [0u8; 133];
        put[..5].copy_from_slice(&[0x73, 0x81, 0x82, 0x23, 0x08]);
        assert_eq!(Reader::new(&put).expect(0x73).unwrap().len(), 130);
    }

    #[test]
    fn malformed() {
        for bad in [
            &[0x71][..],
            &[0x71, 2, 1],
            &[0x71, 0x81],
            &[0x71, 0x82, 0],
            &[0x71, 0x83, 0, 0, 1],
            &[0x71, 0x81, 5, 1],
        ] {
            assert_eq!(Reader::new(bad).next(), Err(Sw::WRONG_DATA), "{bad:?}");
        }
        assert_eq!(Reader::new(&[0x72, 0]).expect(0x71), Err(Sw::WRONG_DATA));
        let mut small = [0u8; 3];
        assert_eq!(
            Writer::new(&mut small).tlv(1, &[&[1, 2]]),
            Err(Sw::NO_SPACE)
        );
    }
}

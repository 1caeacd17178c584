//! A minimal protobuf wire codec: varints and length-delimited fields, skipping every other
//! wire type it may meet, every length bounded by the input. Just enough for the
//! `MigrationPayload` schema; see the `migration` proptests for the no-panic property.

use alloc::vec::Vec;

use super::{MigrationError, MigrationErrorKind};

/// A field value as read from the wire.
pub(super) enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    /// Fixed 32- or 64-bit values (no field of the schema uses them).
    Fixed,
}

/// Reads `(field number, value, offset of the field)` triples from `input`.
pub(super) struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
    /// Offset of `input` in the whole payload, for error positions.
    base: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(input: &'a [u8], base: usize) -> Self {
        Reader {
            input,
            pos: 0,
            base,
        }
    }

    pub(super) fn offset(&self) -> usize {
        self.base + self.pos
    }

    fn fail(&self, kind: MigrationErrorKind) -> MigrationError {
        MigrationError::new(kind, self.offset())
    }

    fn varint(&mut self) -> Result<u64, MigrationError> {
        let mut value = 0u64;
        for i in 0..10 {
            let byte = *self
                .input
                .get(self.pos)
                .ok_or(self.fail(MigrationErrorKind::Truncated))?;
            self.pos += 1;
            let low = u64::from(byte & 0x7f);
            // The tenth byte may only carry the top bit of a u64.
            if i == 9 && byte > 1 {
                return Err(self.fail(MigrationErrorKind::InvalidVarint));
            }
            value |= low << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.fail(MigrationErrorKind::InvalidVarint))
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], MigrationError> {
        let end = self
            .pos
            .checked_add(len)
            .ok_or(self.fail(MigrationErrorKind::Truncated))?;
        let bytes = self
            .input
            .get(self.pos..end)
            .ok_or(self.fail(MigrationErrorKind::Truncated))?;
        self.pos = end;
        Ok(bytes)
    }

    /// The next field, or `None` at the end of the input.
    pub(super) fn next_field(&mut self) -> Result<Option<(u64, Value<'a>, usize)>, MigrationError> {
        if self.pos >= self.input.len() {
            return Ok(None);
        }
        let at = self.offset();
        let key = self.varint()?;
        let field = key >> 3;
        if field == 0 {
            return Err(MigrationError::new(MigrationErrorKind::InvalidWireType, at));
        }
        let value = match key & 7 {
            0 => Value::Varint(self.varint()?),
            1 => {
                self.take(8)?;
                Value::Fixed
            }
            2 => {
                let len = usize::try_from(self.varint()?)
                    .map_err(|_| MigrationError::new(MigrationErrorKind::Truncated, at))?;
                Value::Bytes(self.take(len)?)
            }
            5 => {
                self.take(4)?;
                Value::Fixed
            }
            // 3 and 4 are the deprecated groups, 6 and 7 do not exist.
            _ => return Err(MigrationError::new(MigrationErrorKind::InvalidWireType, at)),
        };
        Ok(Some((field, value, at)))
    }
}

/// Appends a varint.
pub(super) fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let [low, ..] = value.to_le_bytes();
        value >>= 7;
        if value == 0 {
            out.push(low & 0x7f);
            return;
        }
        out.push(low | 0x80);
    }
}

/// Appends a varint field (skipped when zero, as proto3 does).
pub(super) fn put_uint(out: &mut Vec<u8>, field: u64, value: u64) {
    if value != 0 {
        put_varint(out, field << 3);
        put_varint(out, value);
    }
}

/// Appends a length-delimited field (skipped when empty, as proto3 does).
pub(super) fn put_bytes(out: &mut Vec<u8>, field: u64, value: &[u8]) {
    if !value.is_empty() {
        put_varint(out, (field << 3) | 2);
        put_varint(out, value.len() as u64);
        out.extend_from_slice(value);
    }
}

/// Bytes a varint takes.
pub(super) fn varint_len(value: u64) -> usize {
    let bits = 64 - (value | 1).leading_zeros() as usize;
    bits.div_ceil(7)
}

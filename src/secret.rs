//! Stand-in for the core `Secret` (replaced when the core lands).
use core::fmt;
use zeroize::Zeroize;
/// Key bytes.
pub struct Secret {
    bytes: [u8; 256],
    len: usize,
}
impl Secret {
    /// Capacity.
    pub const MAX_LEN: usize = 256;
    /// From bytes.
    ///
    /// # Errors
    /// Too long or empty.
    pub fn from_bytes(b: &[u8]) -> Result<Secret, crate::Error> {
        if b.is_empty() {
            return Err(crate::Error::EmptyKey);
        }
        if b.len() > 256 {
            return Err(crate::Error::KeyTooLong {
                len: b.len(),
                max: 256,
            });
        }
        let mut s = Secret {
            bytes: [0; 256],
            len: b.len(),
        };
        s.bytes[..b.len()].copy_from_slice(b);
        Ok(s)
    }
    /// Length.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }
    /// Empty?
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Base32 writer.
    ///
    /// # Errors
    /// Writer errors.
    pub fn write_base32(&self, w: &mut impl fmt::Write) -> fmt::Result {
        const A: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let mut acc: u32 = 0;
        let mut bits = 0;
        for &b in self.as_ref() {
            acc = (acc << 8) | u32::from(b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                w.write_char(char::from(A[((acc >> bits) & 31) as usize]))?;
            }
        }
        if bits > 0 {
            w.write_char(char::from(A[((acc << (5 - bits)) & 31) as usize]))?;
        }
        Ok(())
    }
}
impl AsRef<[u8]> for Secret {
    fn as_ref(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}
impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret { ... }")
    }
}
impl Drop for Secret {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

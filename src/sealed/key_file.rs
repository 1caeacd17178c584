//! Reading a master key from a file, a pipe or a file descriptor: bounded, typed, private.

use alloc::vec;
use std::io::Read as _;

use zeroize::Zeroizing;

use super::{MasterKey, SealError};

/// The longest key file read: 64 hexadecimal digits with room for whitespace around them (a
/// final newline, CRLF, indentation). Anything longer is not a key file.
pub const MAX_KEY_FILE_LEN: usize = 128;

/// How [`MasterKey::from_file_with`] and [`MasterKey::from_fd`] check a key file.
///
/// # Examples
///
/// ```
/// use otpkit::sealed::KeyFileOptions;
///
/// // The default refuses a regular file its group or others may access.
/// assert!(!KeyFileOptions::default().allow_group_or_world_access);
/// // Opting out (a file shared with a group on purpose, a file system without modes):
/// let shared = KeyFileOptions { allow_group_or_world_access: true };
/// # let _ = shared;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyFileOptions {
    /// Read a regular file whose mode gives its group or others any access (`0640`, `0644`).
    /// Off by default: such a key file is refused with [`SealError::KeyFilePermissions`].
    pub allow_group_or_world_access: bool,
}

/// A regular file or a pipe: what a key file can be.
pub(super) fn readable_type(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        meta.is_file() || meta.file_type().is_fifo()
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// `e` as an I/O error of the kind that fits it.
pub(super) fn error(e: SealError) -> std::io::Error {
    use std::io::ErrorKind;
    let kind = match e {
        SealError::KeyFileType | SealError::InvalidCredentialName => ErrorKind::InvalidInput,
        SealError::KeyFilePermissions { .. } => ErrorKind::PermissionDenied,
        SealError::MasterKeyNotSet => ErrorKind::NotFound,
        _ => ErrorKind::InvalidData,
    };
    std::io::Error::new(kind, e)
}

/// Reads a master key from `file` (checked again here, on the open file): at most
/// [`MAX_KEY_FILE_LEN`] bytes into one zeroizing heap buffer, then decoded into the key's
/// own block.
pub(super) fn read(mut file: std::fs::File, options: KeyFileOptions) -> std::io::Result<MasterKey> {
    let meta = file.metadata()?;
    if !readable_type(&meta) {
        return Err(error(SealError::KeyFileType));
    }
    #[cfg(unix)]
    if meta.is_file() && !options.allow_group_or_world_access {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(error(SealError::KeyFilePermissions { mode }));
        }
    }
    #[cfg(not(unix))]
    let _ = options;
    let too_long = || {
        error(SealError::KeyFileTooLong {
            max: MAX_KEY_FILE_LEN,
        })
    };
    if meta.is_file() && meta.len() > MAX_KEY_FILE_LEN as u64 {
        return Err(too_long());
    }
    // One byte more than the limit, to see a longer file or pipe without reading it all.
    let mut buf = Zeroizing::new(vec![0u8; MAX_KEY_FILE_LEN + 1]);
    let mut len = 0;
    loop {
        let Some(rest) = buf.get_mut(len..) else {
            return Err(too_long());
        };
        if rest.is_empty() {
            return Err(too_long());
        }
        match file.read(rest) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let contents = buf.get(..len).unwrap_or(&[]);
    if let Ok(raw) = <&[u8; 32]>::try_from(contents) {
        let mut slot = super::empty_slot();
        slot.copy_from_slice(raw);
        return Ok(MasterKey::from_slot(slot));
    }
    MasterKey::from_hex_bytes(contents).map_err(error)
}

//! KEY and CODE as oathtool's `maybe_read_input` reads them, with bounds oathtool lacks.

use std::ffi::OsString;
use std::io::Read;

use zeroize::Zeroizing;

use super::{Failure, Io, oath, refused};

/// The longest line read for KEY or CODE, without its newline: a 4 KiB line holds any key a
/// token can use many times over, and `@/dev/zero` or an endless pipe ends here.
pub const MAX_LINE: usize = 4096;

/// `io::Error` as C's `strerror` words it (without Rust's "(os error N)").
pub fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) => s.get(..i).unwrap_or(&s).to_owned(),
        None => s,
    }
}

/// KEY and CODE as oathtool reads them: the argument itself, or a line of standard input
/// (`-`) or of a file (`@FILE`; the same FILE twice reads its next line).
///
/// Lines are read a byte at a time, with no buffer of the reader's own: nothing but the
/// returned (zeroizing, never reallocated) line ever holds the key text, and nothing is read
/// past the newline. A key line is a few dozen bytes, so the cost is a few dozen reads.
#[derive(Default)]
pub struct Inputs {
    file: Option<(OsString, std::fs::File)>,
}

/// What [`read_line`] found.
enum Line {
    /// End of input before any byte.
    End,
    /// A line (its newline, if any, not included).
    Read,
    /// More than [`MAX_LINE`] bytes without a newline.
    TooLong,
}

impl Inputs {
    pub fn read(&mut self, arg: &OsString, io: &mut Io<'_>) -> Result<Zeroizing<Vec<u8>>, Failure> {
        let bytes = arg.as_encoded_bytes();
        let mut line = Zeroizing::new(Vec::with_capacity(MAX_LINE));
        let read = match bytes.first() {
            Some(b'-') if bytes.len() == 1 => read_line(&mut *io.stdin, &mut line),
            // oathtool opens `-NAME` (reachable after `--`) as the file NAME too.
            Some(b'-' | b'@') => {
                let path = std::path::PathBuf::from(arg.to_string_lossy().get(1..).unwrap_or(""));
                if self.file.as_ref().is_none_or(|(given, _)| given != arg) {
                    self.file = Some((arg.clone(), open(&path)?));
                }
                match &mut self.file {
                    Some((_, file)) => read_line(file, &mut line),
                    None => Ok(Line::End),
                }
            }
            _ => return Ok(Zeroizing::new(bytes.to_vec())),
        };
        match read {
            Ok(Line::End) => Err(oath("read file for KEY/OTP")),
            Ok(Line::Read) => Ok(line),
            Ok(Line::TooLong) => Err(refused(format!(
                "read file for KEY/OTP: line longer than {MAX_LINE} bytes"
            ))),
            Err(e) => Err(oath(format!("read file for KEY/OTP: {}", strerror(&e)))),
        }
    }
}

/// Opens FILE of `@FILE`: a regular file or a pipe (`@<(pass show x)` is one); a directory
/// fails at its first read, with oathtool's own message; anything else (a device, a socket)
/// is refused. The type is checked before opening (opening some devices acts on them) and
/// again on the open file (the path may have changed in between).
fn open(path: &std::path::Path) -> Result<std::fs::File, Failure> {
    let not_a_file = || {
        refused(format!(
            "open file for KEY/OTP: {}: not a regular file or a pipe",
            path.display()
        ))
    };
    // A path that cannot be examined fails below with oathtool's own message.
    if let Ok(meta) = std::fs::metadata(path)
        && !readable_type(&meta)
    {
        return Err(not_a_file());
    }
    let file = std::fs::File::open(path)
        .map_err(|e| oath(format!("open file for KEY/OTP: {}", strerror(&e))))?;
    match file.metadata() {
        Ok(meta) if readable_type(&meta) => Ok(file),
        Ok(_) => Err(not_a_file()),
        Err(e) => Err(oath(format!("open file for KEY/OTP: {}", strerror(&e)))),
    }
}

fn readable_type(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        meta.is_file() || meta.is_dir() || meta.file_type().is_fifo()
    }
    #[cfg(not(unix))]
    {
        meta.is_file() || meta.is_dir()
    }
}

/// Reads one line of `from` into `line` (empty, with room for [`MAX_LINE`] bytes), a byte at
/// a time: `line` never grows past its capacity, so no copy of it is left in a freed block.
fn read_line(from: &mut dyn Read, line: &mut Vec<u8>) -> std::io::Result<Line> {
    let mut byte = Zeroizing::new([0u8; 1]);
    let mut any = false;
    loop {
        match from.read(byte.as_mut_slice()) {
            Ok(0) => return Ok(if any { Line::Read } else { Line::End }),
            Ok(_) => {
                any = true;
                let [b] = *byte;
                if b == b'\n' {
                    return Ok(Line::Read);
                }
                if line.len() == MAX_LINE {
                    return Ok(Line::TooLong);
                }
                line.push(b);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

//! KEY and CODE as oathtool's `maybe_read_input` reads them.

use std::ffi::OsString;
use std::io::BufRead as _;

use zeroize::Zeroizing;

use super::{Failure, Io, oath};

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
#[derive(Default)]
pub struct Inputs {
    file: Option<(OsString, std::io::BufReader<std::fs::File>)>,
}

impl Inputs {
    pub fn read(&mut self, arg: &OsString, io: &mut Io<'_>) -> Result<Zeroizing<Vec<u8>>, Failure> {
        let bytes = arg.as_encoded_bytes();
        let mut line = Zeroizing::new(Vec::new());
        let read = match bytes.first() {
            Some(b'-') if bytes.len() == 1 => io.stdin.read_until(b'\n', &mut line),
            // oathtool opens `-NAME` (reachable after `--`) as the file NAME too.
            Some(b'-' | b'@') => {
                let path = std::path::PathBuf::from(arg.to_string_lossy().get(1..).unwrap_or(""));
                if self.file.as_ref().is_none_or(|(given, _)| given != arg) {
                    let file = std::fs::File::open(&path)
                        .map_err(|e| oath(format!("open file for KEY/OTP: {}", strerror(&e))))?;
                    self.file = Some((arg.clone(), std::io::BufReader::new(file)));
                }
                match &mut self.file {
                    Some((_, reader)) => reader.read_until(b'\n', &mut line),
                    None => Ok(0),
                }
            }
            _ => return Ok(Zeroizing::new(bytes.to_vec())),
        };
        match read {
            Ok(0) => Err(oath("read file for KEY/OTP")),
            Ok(_) => {
                if line.last() == Some(&b'\n') {
                    line.pop();
                }
                Ok(line)
            }
            Err(e) => Err(oath(format!("read file for KEY/OTP: {}", strerror(&e)))),
        }
    }
}

//! GNU `getopt_long` as oathtool's gengetopt parser runs it: argument permutation, clustered
//! short options, attached values (`-N@0`, `--now=@0`), unambiguous prefixes of long names
//! (`--tot`), `--` ending the options, and glibc's error messages word for word.

use std::ffi::OsString;

/// Whether an option takes a value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HasArg {
    /// `-b`, `--base32`.
    No,
    /// `-c 5`, `-c5`, `--counter 5`, `--counter=5`.
    Required,
    /// Only attached to the long name: `--totp=sha256`.
    Optional,
}

/// One option of the table.
#[derive(Clone, Copy, Debug)]
pub struct Spec<K> {
    /// The long name, without `--`.
    pub long: &'static str,
    /// The short letter, if any.
    pub short: Option<char>,
    /// Whether it takes a value.
    pub has_arg: HasArg,
    /// What the caller calls it.
    pub key: K,
}

/// One parsed item, in command-line order.
#[derive(Debug, PartialEq, Eq)]
pub enum Item<K> {
    /// An option and its value (`None` for options without one).
    Opt(K, Option<OsString>),
    /// An operand (KEY or CODE); operands keep their order, wherever they stand.
    Operand(OsString),
}

/// Splits `args` as `getopt_long` does; `Err` is glibc's message (without the program name).
///
/// Items come back in order up to the first error, so that the caller can act on options
/// seen before it (gengetopt stops at `--help` and `--version`).
pub fn parse<K: Copy>(specs: &[Spec<K>], args: Vec<OsString>) -> Vec<Result<Item<K>, String>> {
    let mut items = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let bytes = arg.as_encoded_bytes();
        if bytes == b"--" {
            items.extend(args.by_ref().map(|a| Ok(Item::Operand(a))));
            break;
        }
        if let Some(rest) = bytes.strip_prefix(b"--") {
            let item = long(specs, rest, &mut args);
            let stop = item.is_err();
            items.push(item);
            if stop {
                break;
            }
        } else if bytes.len() > 1 && bytes.first() == Some(&b'-') {
            if !short_cluster(specs, &arg, &mut args, &mut items) {
                break;
            }
        } else {
            items.push(Ok(Item::Operand(arg)));
        }
    }
    items
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn long<K: Copy>(
    specs: &[Spec<K>],
    rest: &[u8],
    args: &mut impl Iterator<Item = OsString>,
) -> Result<Item<K>, String> {
    let (name, value) = match rest.iter().position(|&b| b == b'=') {
        Some(i) => (rest.get(..i).unwrap_or_default(), rest.get(i + 1..)),
        None => (rest, None),
    };
    let spec = match specs.iter().find(|s| s.long.as_bytes() == name) {
        Some(s) => s,
        None => {
            let matches: Vec<&Spec<K>> = specs
                .iter()
                .filter(|s| s.long.as_bytes().starts_with(name))
                .collect();
            match matches.as_slice() {
                [one] => *one,
                [] => return Err(format!("unrecognized option '--{}'", lossy(rest))),
                many => {
                    let names: String = many.iter().map(|s| format!(" '--{}'", s.long)).collect();
                    return Err(format!(
                        "option '--{}' is ambiguous; possibilities:{names}",
                        lossy(rest)
                    ));
                }
            }
        }
    };
    let value = match (spec.has_arg, value) {
        (HasArg::No, Some(_)) => {
            return Err(format!(
                "option '--{}' doesn't allow an argument",
                spec.long
            ));
        }
        (HasArg::No, None) | (HasArg::Optional, None) => None,
        (_, Some(v)) => Some(os(v)),
        (HasArg::Required, None) => Some(
            args.next()
                .ok_or_else(|| format!("option '--{}' requires an argument", spec.long))?,
        ),
    };
    Ok(Item::Opt(spec.key, value))
}

/// `-bd8`: each letter an option, until one takes the rest (or the next argument) as its value.
/// Returns false after an error.
fn short_cluster<K: Copy>(
    specs: &[Spec<K>],
    arg: &OsString,
    args: &mut impl Iterator<Item = OsString>,
    items: &mut Vec<Result<Item<K>, String>>,
) -> bool {
    let bytes = arg.as_encoded_bytes();
    let mut i = 1;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        let letter = char::from(b);
        let Some(spec) = specs
            .iter()
            .find(|s| s.short == Some(letter) && b.is_ascii())
        else {
            let shown = if b.is_ascii() {
                letter.to_string()
            } else {
                format!("\\{b:o}")
            };
            items.push(Err(format!("invalid option -- '{shown}'")));
            return false;
        };
        if spec.has_arg == HasArg::No {
            items.push(Ok(Item::Opt(spec.key, None)));
            continue;
        }
        let value = match bytes.get(i..).filter(|r| !r.is_empty()) {
            Some(r) => os(r),
            None => match args.next() {
                Some(v) => v,
                None => {
                    items.push(Err(format!("option requires an argument -- '{letter}'")));
                    return false;
                }
            },
        };
        items.push(Ok(Item::Opt(spec.key, Some(value))));
        return true;
    }
    true
}

/// Bytes cut from an `OsString` at ASCII boundaries, back into one.
fn os(bytes: &[u8]) -> OsString {
    #[cfg(unix)]
    {
        <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(bytes).to_os_string()
    }
    #[cfg(not(unix))]
    {
        OsString::from(String::from_utf8_lossy(bytes).into_owned())
    }
}

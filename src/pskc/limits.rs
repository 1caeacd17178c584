//! Bounds on what a document may ask of the reader.

/// Limits the reader enforces, each refused with [`PskcErrorKind::Limit`](super::PskcErrorKind::Limit).
///
/// The defaults admit a batch of 100,000 tokens with generous metadata (about 2 KiB per key
/// package) and refuse what only an attack needs: a deep tree, an enormous value, or a
/// password hash that costs more than a second or so. The iteration cap is ten times the
/// writer's [`DEFAULT_ITERATIONS`](super::DEFAULT_ITERATIONS) (makers' files use 1,000 to
/// 100,000); raise it for a file that asks more, after checking where the file came from.
///
/// | limit | default |
/// |---|---|
/// | `max_document_bytes` | 512 MiB |
/// | `max_keys` | 1,000,000 |
/// | `max_depth` | 32 |
/// | `max_attributes` | 32 per element |
/// | `max_text_bytes` | 64 KiB per element or attribute |
/// | `max_base64_bytes` | 4 KiB decoded per value |
/// | `max_elements_per_package` | 1,024 |
/// | `max_pbkdf2_iterations` | 1,000,000 |
///
/// # Examples
///
/// ```
/// use otpkit::pskc::Limits;
///
/// let tight = Limits { max_keys: 10, ..Limits::default() };
/// assert_eq!(tight.max_depth, 32);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limits {
    /// The most bytes read from the input.
    pub max_document_bytes: u64,
    /// The most keys (`Key` elements) in a document.
    pub max_keys: usize,
    /// The deepest element nesting, the root being 1.
    pub max_depth: usize,
    /// The most attributes on one element.
    pub max_attributes: usize,
    /// The longest text of one element or attribute value, in bytes.
    pub max_text_bytes: usize,
    /// The longest decoded base64 value (a secret, a cipher value, a MAC, a salt), in bytes.
    pub max_base64_bytes: usize,
    /// The most elements in one top-level child of the container (a key package).
    pub max_elements_per_package: usize,
    /// The highest PBKDF2 iteration count accepted. PBKDF2 runs once per document, before
    /// any key is read: a million iterations took 0.12 s with HMAC-SHA-1 or HMAC-SHA-256 (on
    /// the CPU's SHA extensions) and 0.69 s with HMAC-SHA-512 on an x86-64 server core.
    pub max_pbkdf2_iterations: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_document_bytes: 512 * 1024 * 1024,
            max_keys: 1_000_000,
            max_depth: 32,
            max_attributes: 32,
            max_text_bytes: 64 * 1024,
            max_base64_bytes: 4096,
            max_elements_per_package: 1024,
            max_pbkdf2_iterations: 1_000_000,
        }
    }
}

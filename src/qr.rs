//! QR codes of provisioning URIs, for a terminal (Unicode half blocks) or a web page (SVG).
//!
//! Encoding is done by the [`qrcode`] crate (byte mode, error-correction level M by default,
//! the smallest version that fits); this module renders the modules with a quiet zone of 4
//! modules (ISO/IEC 18004 §6.3.8) by default. The rendered strings and the module matrix hold
//! the key in encoded form, so they are wiped on drop; the encoder's own temporary buffers are
//! not under this crate's control (the one place key material may be left in freed memory).
//!
//! No argument makes rendering panic or allocate without bound: the quiet zone is at most
//! [`MAX_QUIET_ZONE`] modules and an SVG module at most [`MAX_MODULE_PX`] pixels, and larger
//! values are a [`QrError`].
//!
//! # Examples
//! ```
//! use otpkit::qr::Qr;
//!
//! let qr = Qr::new("otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example")?;
//! let svg = qr.to_svg(4, 8)?;
//! assert!(svg.starts_with("<svg"));
//! let terminal = qr.to_terminal(4)?;
//! assert_eq!(terminal.lines().count(), (qr.width() + 8).div_ceil(2));
//! # Ok::<(), otpkit::qr::QrError>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write};

use zeroize::Zeroizing;

/// Error-correction level: share of the symbol that may be damaged and still decode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum EcLevel {
    /// About 7 %.
    L,
    /// About 15 % (default: what authenticator enrolment pages commonly use).
    #[default]
    M,
    /// About 25 %.
    Q,
    /// About 30 %.
    H,
}

/// The widest quiet zone [`Qr::to_terminal`] and [`Qr::to_svg`] draw, in modules (4 is the
/// standard's minimum and the usual choice).
pub const MAX_QUIET_ZONE: usize = 64;

/// The largest module [`Qr::to_svg`] draws, in pixels.
pub const MAX_MODULE_PX: usize = 1024;

/// Why a QR code cannot be made or rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QrError {
    /// The data does not fit in a version-40 symbol at this level.
    DataTooLong {
        /// Length of the data in bytes.
        len: usize,
    },
    /// A quiet zone wider than [`MAX_QUIET_ZONE`] modules.
    QuietZoneTooLarge {
        /// The quiet zone asked for.
        quiet: usize,
    },
    /// An SVG module larger than [`MAX_MODULE_PX`] pixels.
    ModuleTooLarge {
        /// The module size asked for.
        module_px: usize,
    },
}

impl fmt::Display for QrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QrError::DataTooLong { len } => write!(f, "{len} bytes do not fit in a qr code"),
            QrError::QuietZoneTooLarge { quiet } => write!(
                f,
                "quiet zone of {quiet} modules is above the limit of {MAX_QUIET_ZONE} (qr::MAX_QUIET_ZONE)"
            ),
            QrError::ModuleTooLarge { module_px } => write!(
                f,
                "module of {module_px} px is above the limit of {MAX_MODULE_PX} (qr::MAX_MODULE_PX)"
            ),
        }
    }
}

impl core::error::Error for QrError {}

/// A QR symbol's modules (without quiet zone), wiped on drop.
pub struct Qr {
    width: usize,
    /// Row-major, 1 = dark.
    modules: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for Qr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Qr")
            .field("width", &self.width)
            .finish_non_exhaustive()
    }
}

impl Qr {
    /// Encodes `data` at error-correction level M.
    ///
    /// # Errors
    /// [`QrError::DataTooLong`] beyond a version-40 symbol's capacity (2,331 bytes at M).
    pub fn new(data: &str) -> Result<Qr, QrError> {
        Qr::with_ec_level(data, EcLevel::M)
    }

    /// Encodes `data` at the given error-correction level.
    ///
    /// # Errors
    /// [`QrError::DataTooLong`] beyond a version-40 symbol's capacity.
    pub fn with_ec_level(data: &str, level: EcLevel) -> Result<Qr, QrError> {
        let level = match level {
            EcLevel::L => qrcode::EcLevel::L,
            EcLevel::M => qrcode::EcLevel::M,
            EcLevel::Q => qrcode::EcLevel::Q,
            EcLevel::H => qrcode::EcLevel::H,
        };
        let code = qrcode::QrCode::with_error_correction_level(data.as_bytes(), level)
            .map_err(|_| QrError::DataTooLong { len: data.len() })?;
        let width = code.width();
        let mut colors = code.into_colors();
        let modules = Zeroizing::new(
            colors
                .iter()
                .map(|&c| u8::from(c == qrcode::Color::Dark))
                .collect(),
        );
        colors.fill(qrcode::Color::Light);
        Ok(Qr { width, modules })
    }

    /// Modules per side, without the quiet zone.
    #[must_use]
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether the module at column `x`, row `y` is dark (`false` outside the symbol).
    #[must_use]
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width
            && self
                .modules
                .get(y.saturating_mul(self.width).saturating_add(x))
                .is_some_and(|&m| m == 1)
    }

    /// Dark state with a quiet zone of `quiet` modules around the symbol.
    fn dark_padded(&self, x: usize, y: usize, quiet: usize) -> bool {
        match (x.checked_sub(quiet), y.checked_sub(quiet)) {
            (Some(x), Some(y)) => self.is_dark(x, y),
            _ => false,
        }
    }

    /// Modules per side with a quiet zone of `quiet` modules.
    fn side(&self, quiet: usize) -> Result<usize, QrError> {
        if quiet > MAX_QUIET_ZONE {
            return Err(QrError::QuietZoneTooLarge { quiet });
        }
        // At most 177 + 2 × 64: no overflow.
        Ok(self.width.saturating_add(quiet.saturating_mul(2)))
    }

    /// Renders for a terminal with Unicode half blocks (two module rows per line), light
    /// modules drawn as blocks so that the code scans on the usual dark-background terminal.
    /// `quiet` is the quiet zone in modules (4 recommended).
    ///
    /// # Errors
    /// [`QrError::QuietZoneTooLarge`] beyond [`MAX_QUIET_ZONE`].
    pub fn to_terminal(&self, quiet: usize) -> Result<Zeroizing<String>, QrError> {
        let side = self.side(quiet)?;
        let lines = side.div_ceil(2);
        // Each half-block character is 3 UTF-8 bytes (bounded by the limits above).
        let mut out = Zeroizing::new(String::with_capacity(lines * (side * 3 + 1)));
        for line in 0..lines {
            let y = 2 * line;
            for x in 0..side {
                let top = !self.dark_padded(x, y, quiet);
                // An odd side leaves the last half line dark (no module there).
                let bottom = y + 1 < side && !self.dark_padded(x, y + 1, quiet);
                out.push(match (top, bottom) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                });
            }
            out.push('\n');
        }
        Ok(out)
    }

    /// Renders an SVG document, `module_px` pixels per module, with a white background and
    /// one black path; `quiet` is the quiet zone in modules (4 recommended).
    ///
    /// # Errors
    /// [`QrError::QuietZoneTooLarge`] beyond [`MAX_QUIET_ZONE`], [`QrError::ModuleTooLarge`]
    /// beyond [`MAX_MODULE_PX`].
    pub fn to_svg(&self, quiet: usize, module_px: usize) -> Result<Zeroizing<String>, QrError> {
        let side = self.side(quiet)?;
        if module_px > MAX_MODULE_PX {
            return Err(QrError::ModuleTooLarge { module_px });
        }
        let px = side.saturating_mul(module_px);
        let dark = self.modules.iter().filter(|&&m| m == 1).count();
        let mut out = Zeroizing::new(String::with_capacity(400 + dark * 24));
        // Writing into a String cannot fail.
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{px}\" height=\"{px}\" \
             viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\">\
             <rect width=\"{side}\" height=\"{side}\" fill=\"#ffffff\"/><path fill=\"#000000\" d=\""
        );
        for y in 0..self.width {
            for x in 0..self.width {
                if self.is_dark(x, y) {
                    let _ = write!(out, "M{},{}h1v1h-1z", x + quiet, y + quiet);
                }
            }
        }
        out.push_str("\"/></svg>\n");
        Ok(out)
    }
}

//! QR rendering: what the terminal and SVG renderers draw is decoded by an independent
//! decoder (the `rqrr` crate) back to the exact URI, at every error-correction level.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::cast_possible_truncation
)]

use otpkit::qr::{EcLevel, Qr, QrError};

/// Decodes a module grid (`true` = dark, quiet zone included) with rqrr at 4 px per module.
fn decode(grid: &[Vec<bool>]) -> String {
    let side = grid.len();
    let scale = 4;
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(side * scale, side * scale, |x, y| {
            if grid[y / scale][x / scale] { 0 } else { 255 }
        });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one symbol expected");
    grids[0].decode().expect("rqrr decodes").1
}

/// Reads the terminal rendering back into modules: light is drawn, dark is blank.
fn grid_from_terminal(text: &str) -> Vec<Vec<bool>> {
    let mut rows = Vec::new();
    for line in text.lines() {
        let (mut top, mut bottom) = (Vec::new(), Vec::new());
        for c in line.chars() {
            let (t, b) = match c {
                '█' => (false, false),
                '▀' => (false, true),
                '▄' => (true, false),
                ' ' => (true, true),
                other => panic!("unexpected {other:?}"),
            };
            top.push(t);
            bottom.push(b);
        }
        rows.push(top);
        rows.push(bottom);
    }
    let side = rows[0].len();
    rows.truncate(side);
    rows
}

/// Reads the SVG path (`Mx,yh1v1h-1z` per dark module) back into modules.
fn grid_from_svg(svg: &str) -> Vec<Vec<bool>> {
    let side: usize = svg
        .split("viewBox=\"0 0 ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let mut grid = vec![vec![false; side]; side];
    let path = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    for cmd in path.split('M').filter(|c| !c.is_empty()) {
        let xy = cmd.strip_suffix("h1v1h-1z").unwrap();
        let (x, y) = xy.split_once(',').unwrap();
        grid[y.parse::<usize>().unwrap()][x.parse::<usize>().unwrap()] = true;
    }
    grid
}

const URIS: [&str; 3] = [
    "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
    "otpauth://hotp/ACME%20Co:john.doe%40email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&counter=42&algorithm=SHA512&digits=8",
    "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC",
];

#[test]
fn terminal_rendering_decodes_to_the_uri() {
    for uri in URIS {
        let qr = Qr::new(uri).unwrap();
        let text = qr.to_terminal(4).unwrap();
        let grid = grid_from_terminal(&text);
        assert_eq!(grid.len(), qr.width() + 8);
        // Quiet zone: 4 light modules on every side.
        let n = grid.len();
        let quiet = |x: usize, y: usize| x.min(y).min(n - 1 - x).min(n - 1 - y) < 4;
        let dark_in_quiet_zone = (0..n).any(|y| (0..n).any(|x| quiet(x, y) && grid[y][x]));
        assert!(!dark_in_quiet_zone);
        assert_eq!(decode(&grid), uri);
    }
}

#[test]
fn svg_rendering_decodes_to_the_uri() {
    for uri in URIS {
        let svg = Qr::new(uri).unwrap().to_svg(4, 6).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(decode(&grid_from_svg(&svg)), uri);
    }
}

#[test]
fn every_ec_level_decodes_and_m_is_the_default() {
    let uri = URIS[1];
    let mut widths = Vec::new();
    for level in [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H] {
        let qr = Qr::with_ec_level(uri, level).unwrap();
        widths.push(qr.width());
        assert_eq!(decode(&grid_from_svg(&qr.to_svg(4, 1).unwrap())), uri);
    }
    assert!(widths.windows(2).all(|w| w[0] <= w[1]), "{widths:?}");
    assert_eq!(Qr::new(uri).unwrap().width(), widths[1]);
}

#[test]
fn too_long_data_is_a_typed_error() {
    let data = "x".repeat(3000);
    assert_eq!(
        Qr::new(&data).unwrap_err(),
        QrError::DataTooLong { len: 3000 }
    );
}

#[test]
fn debug_shows_no_modules() {
    let qr = Qr::new(URIS[0]).unwrap();
    assert_eq!(
        format!("{qr:?}"),
        format!("Qr {{ width: {}, .. }}", qr.width())
    );
}

/// No argument panics: the quiet zone and the module size are capped with a typed error, and
/// every value up to the caps renders (no overflow anywhere in between).
#[test]
fn render_arguments_are_bounded() {
    use otpkit::qr::{MAX_MODULE_PX, MAX_QUIET_ZONE};
    let qr = Qr::new("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP").unwrap();
    for quiet in [usize::MAX, usize::MAX / 2, 20_000, MAX_QUIET_ZONE + 1] {
        assert_eq!(
            qr.to_terminal(quiet).unwrap_err(),
            QrError::QuietZoneTooLarge { quiet }
        );
        assert_eq!(
            qr.to_svg(quiet, 1).unwrap_err(),
            QrError::QuietZoneTooLarge { quiet }
        );
    }
    for module_px in [usize::MAX, MAX_MODULE_PX + 1] {
        assert_eq!(
            qr.to_svg(4, module_px).unwrap_err(),
            QrError::ModuleTooLarge { module_px }
        );
    }
    let side = qr.width() + 2 * MAX_QUIET_ZONE;
    let terminal = qr.to_terminal(MAX_QUIET_ZONE).unwrap();
    assert_eq!(terminal.lines().count(), side.div_ceil(2));
    let svg = qr.to_svg(MAX_QUIET_ZONE, MAX_MODULE_PX).unwrap();
    assert!(svg.contains(&format!("width=\"{}\"", side * MAX_MODULE_PX)));
    assert!(qr.to_svg(0, 0).is_ok() && qr.to_terminal(0).is_ok());
    // Any data: too much is an error, nothing is a symbol.
    let huge = "a".repeat(1 << 20);
    assert_eq!(
        Qr::new(&huge).unwrap_err(),
        QrError::DataTooLong { len: 1 << 20 }
    );
    assert!(Qr::new("").is_ok());
    assert!(
        QrError::QuietZoneTooLarge { quiet: 65 }
            .to_string()
            .contains("qr::MAX_QUIET_ZONE")
    );
}

//! The share link as a QR code, for a phone across the table: an SVG drawn on the server from
//! the `qrcode` crate's modules (one path, no scripts, no images).

use std::fmt::Write as _;

use askama::Template;
use qrcode::{Color, QrCode};

use super::render;

/// Light modules around the code, as the QR standard asks.
const QUIET: usize = 4;

#[derive(Template)]
#[template(path = "fragments/_qr.html")]
struct QrSvg<'a> {
    size: usize,
    path: &'a str,
    label: &'a str,
}

/// The SVG of a QR code of `link`, `label` its accessible name; `None` if the link is too
/// long to encode.
pub fn qr_svg(link: &str, label: &str) -> Option<String> {
    let code = QrCode::new(link.as_bytes()).ok()?;
    let width = code.width();
    let mut path = String::new();
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            let _ = write!(path, "M{} {}h1v1h-1z", i % width + QUIET, i / width + QUIET);
        }
    }
    Some(render(&QrSvg { size: width + 2 * QUIET, path: &path, label }))
}

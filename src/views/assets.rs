//! The static assets, compiled into the binary (htmx and its ws extension vendored from npm; see
//! `assets/README.md` for versions and licenses), and the version tag pages link them with.

use std::sync::OnceLock;

use crate::support::stable_hash;

/// Every asset: file name, content type, bytes.
pub const ASSETS: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../../assets/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/app.js")),
    ("htmx.min.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/htmx.min.js")),
    ("ws.min.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/ws.min.js")),
    ("icon.svg", "image/svg+xml", include_bytes!("../../assets/icon.svg")),
    // Where texts show, beside the translators' page's sections (`scripts/translate-screens`).
    ("translate-home.png", "image/png", include_bytes!("../../assets/translate/home.png")),
    ("translate-invite.png", "image/png", include_bytes!("../../assets/translate/invite.png")),
    ("translate-chat.png", "image/png", include_bytes!("../../assets/translate/chat.png")),
    ("translate-messages.png", "image/png", include_bytes!("../../assets/translate/messages.png")),
    ("translate-composer.png", "image/png", include_bytes!("../../assets/translate/composer.png")),
    ("translate-owner.png", "image/png", include_bytes!("../../assets/translate/owner.png")),
    ("translate-errors.png", "image/png", include_bytes!("../../assets/translate/errors.png")),
];

/// A short hash of every asset: pages link `…?v=<hash>` so browsers may cache assets forever
/// and still fetch new ones after an upgrade.
pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let hash = stable_hash(ASSETS.iter().map(|(_, _, bytes)| *bytes));
        format!("{:010x}", hash & 0xff_ffff_ffff)
    })
}

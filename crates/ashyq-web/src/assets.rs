//! The static assets: one stylesheet and one script, embedded in the binary and served under
//! URLs that carry a hash of their content (`/static/app.3f2a….js`), so they can be cached
//! for a year and change their URL when they change.

use std::sync::OnceLock;

use sha2::Digest as _;

/// The stylesheet.
pub const STYLE_CSS: &str = include_str!("../assets/style.css");
/// The script: live updates (Server-Sent Events) and the proof check (WebCrypto).
pub const APP_JS: &str = include_str!("../assets/app.js");

/// A static asset.
#[derive(Clone, Copy, Debug)]
pub struct Asset {
    /// Its content.
    pub body: &'static str,
    /// Its media type.
    pub content_type: &'static str,
}

fn hashed(name: &str, ext: &str, body: &str) -> String {
    let h = sha2::Sha256::digest(body.as_bytes());
    format!("/static/{name}.{}.{ext}", hex::encode(&h[..6]))
}

/// The stylesheet's URL.
pub fn style_url() -> &'static str {
    static U: OnceLock<String> = OnceLock::new();
    U.get_or_init(|| hashed("style", "css", STYLE_CSS))
}

/// The script's URL.
pub fn app_url() -> &'static str {
    static U: OnceLock<String> = OnceLock::new();
    U.get_or_init(|| hashed("app", "js", APP_JS))
}

/// The asset at a `/static/…` path, if any.
pub fn lookup(path: &str) -> Option<Asset> {
    if path == style_url() {
        Some(Asset { body: STYLE_CSS, content_type: "text/css; charset=utf-8" })
    } else if path == app_url() {
        Some(Asset { body: APP_JS, content_type: "text/javascript; charset=utf-8" })
    } else {
        None
    }
}

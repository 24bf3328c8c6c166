//! The dashboard's URLs, in one place: the server mounts exactly these routes.
//!
//! | page | path |
//! |---|---|
//! | election list | `/` |
//! | an election's contests | `/e/{election}` |
//! | a contest at its territory | `/e/{election}/c/{contest}` |
//! | a contest at a unit (region, district, station) | `/e/{election}/c/{contest}/u/{unit}` |
//! | integrity | `/e/{election}/c/{contest}/integrity` |
//! | what if | `/e/{election}/what-if` |
//! | widget: the map | `/embed/e/{election}/c/{contest}/map` |
//! | widget: a unit's result | `/embed/e/{election}/c/{contest}/u/{unit}` |
//!
//! Every page takes `?lang=kk|ru|en`.

/// Percent-encodes a path segment (ids are ASCII words, but nothing is assumed).
pub fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `/e/{election}`.
pub fn election(e: &str) -> String {
    format!("/e/{}", seg(e))
}

/// `/e/{election}/c/{contest}`.
pub fn contest(e: &str, c: &str) -> String {
    format!("/e/{}/c/{}", seg(e), seg(c))
}

/// `/e/{election}/c/{contest}/u/{unit}`.
pub fn unit(e: &str, c: &str, u: &str) -> String {
    format!("/e/{}/c/{}/u/{}", seg(e), seg(c), seg(u))
}

/// `/e/{election}/c/{contest}/integrity`.
pub fn integrity(e: &str, c: &str) -> String {
    format!("/e/{}/c/{}/integrity", seg(e), seg(c))
}

/// `/e/{election}/what-if`.
pub fn what_if(e: &str) -> String {
    format!("/e/{}/what-if", seg(e))
}

/// `/embed/e/{election}/c/{contest}/map`.
pub fn embed_map(e: &str, c: &str) -> String {
    format!("/embed/e/{}/c/{}/map", seg(e), seg(c))
}

/// `/embed/e/{election}/c/{contest}/u/{unit}`.
pub fn embed_unit(e: &str, c: &str, u: &str) -> String {
    format!("/embed/e/{}/c/{}/u/{}", seg(e), seg(c), seg(u))
}

/// The JSON API's protocol document (versions and inclusion proof).
pub fn api_protocol(e: &str, c: &str, u: &str) -> String {
    format!("/api/v1/elections/{}/protocols/{}/{}", seg(e), seg(c), seg(u))
}

/// The JSON API's results of a contest at a unit.
pub fn api_results(e: &str, c: &str, u: &str) -> String {
    format!("/api/v1/elections/{}/results?contest={}&unit={}", seg(e), seg(c), seg(u))
}

/// The CSV of a contest by a kind of unit.
pub fn api_csv(e: &str) -> String {
    format!("/api/v1/elections/{}/results.csv", seg(e))
}

/// The live event stream.
pub fn api_events(e: &str) -> String {
    format!("/api/v1/elections/{}/events", seg(e))
}

#[cfg(test)]
mod tests {
    #[test]
    fn segments_are_encoded() {
        assert_eq!(
            super::unit("kz-2023", "mazhilis-list", "KZ-AST"),
            "/e/kz-2023/c/mazhilis-list/u/KZ-AST"
        );
        assert_eq!(super::seg("a b/ü"), "a%20b%2F%C3%BC");
    }
}

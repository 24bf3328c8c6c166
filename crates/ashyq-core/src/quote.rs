//! Quoting input in messages: an error names the offending input, but never more than
//! [`MAX_QUOTE_BYTES`] of it, so a 100 MB line cannot turn into a 100 MB error message.

/// The most bytes of input a message quotes.
pub const MAX_QUOTE_BYTES: usize = 200;

/// `s` in double quotes, control characters escaped, cut after at most [`MAX_QUOTE_BYTES`]
/// bytes (at a character boundary) with `…` and the full length when it is longer.
pub fn quote(s: &str) -> String {
    let mut end = s.len().min(MAX_QUOTE_BYTES);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    render(&s[..end], end, s.len())
}

/// [`quote`] for bytes that may not be UTF-8 (invalid sequences become U+FFFD).
pub fn quote_bytes(b: &[u8]) -> String {
    let cut = &b[..b.len().min(MAX_QUOTE_BYTES)];
    render(&String::from_utf8_lossy(cut), cut.len(), b.len())
}

fn render(prefix: &str, consumed: usize, total: usize) -> String {
    let mut out = String::with_capacity(prefix.len() + 24);
    out.push('"');
    for c in prefix.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    if consumed < total {
        out.push_str(&format!("…\" ({total} bytes)"));
    } else {
        out.push('"');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_input_is_quoted_whole() {
        assert_eq!(quote("12x4"), "\"12x4\"");
        assert_eq!(quote("a\"b\n"), "\"a\\\"b\\n\"");
        assert_eq!(quote("Нұр Отан"), "\"Нұр Отан\"");
    }

    #[test]
    fn long_input_is_cut_at_200_bytes_on_a_char_boundary() {
        let long = "ж".repeat(1000); // 2 bytes per char
        let q = quote(&long);
        assert!(q.len() < MAX_QUOTE_BYTES + 40, "{}", q.len());
        assert!(q.ends_with("…\" (2000 bytes)"), "{q}");
        let b = quote_bytes(&[b'x'; 5000]);
        assert!(b.len() < MAX_QUOTE_BYTES + 40 && b.ends_with("(5000 bytes)"), "{b}");
        assert_eq!(quote_bytes(b"12"), "\"12\"");
    }
}

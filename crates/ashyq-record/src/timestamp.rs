//! Times in the record: RFC 3339, normalized to UTC (`2023-03-19T15:00:00Z`), so that the same
//! instant always has the same canonical bytes.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// An instant, as validated RFC 3339 text in UTC.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    unix: i64,
    text: String,
}

impl Timestamp {
    /// Parses RFC 3339 (any offset) and normalizes it to UTC.
    pub fn parse(s: &str) -> Result<Timestamp, String> {
        let t = OffsetDateTime::parse(s.trim(), &Rfc3339).map_err(|e| {
            format!(
                "\"{}\" is not an RFC 3339 time such as 2023-03-19T20:00:00+05:00 ({e})",
                crate::quote(s)
            )
        })?;
        Timestamp::from_offset(t)
    }

    /// The instant `secs` seconds after 1970-01-01T00:00:00Z.
    pub fn from_unix(secs: i64) -> Result<Timestamp, String> {
        let t = OffsetDateTime::from_unix_timestamp(secs)
            .map_err(|_| format!("{secs} is outside the representable times"))?;
        Timestamp::from_offset(t)
    }

    fn from_offset(t: OffsetDateTime) -> Result<Timestamp, String> {
        let t = t.to_offset(UtcOffset::UTC);
        let text = t.format(&Rfc3339).map_err(|e| format!("cannot format the time: {e}"))?;
        Ok(Timestamp { unix: t.unix_timestamp(), text })
    }

    /// Seconds since the Unix epoch.
    pub fn unix(&self) -> i64 {
        self.unix
    }

    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_to_utc_and_rejects_other_forms() {
        let t = Timestamp::parse("2023-03-19T20:00:00+05:00").unwrap();
        assert_eq!(t.as_str(), "2023-03-19T15:00:00Z");
        assert_eq!(t, Timestamp::parse("2023-03-19T15:00:00Z").unwrap());
        assert_eq!(Timestamp::from_unix(t.unix()).unwrap(), t);
        assert_eq!(
            Timestamp::parse("2023-03-19T15:00:00.25Z").unwrap().as_str(),
            "2023-03-19T15:00:00.25Z"
        );
        for bad in ["2023-03-19", "19.03.2023 20:00", "2023-03-19T25:00:00Z", "now", ""] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
    }
}

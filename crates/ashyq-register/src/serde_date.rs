//! Dates in JSON as `YYYY-MM-DD` strings, for serde derives (`#[serde(with =
//! "ashyq_register::serde_date")]`): the registration documents here and the server's request
//! bodies. The core's [`Date`] is not serialisable itself: the core knows no wire format.

use ashyq_core::iin::Date;
use serde::{Deserialize, Deserializer, Serializer};

/// Writes `YYYY-MM-DD`.
pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

/// Reads `YYYY-MM-DD` (a calendar date that exists); the error says `"…" is not a date
/// (YYYY-MM-DD)`.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
    s.parse().map_err(serde::de::Error::custom)
}

/// The same for optional dates (`null` or absent: the document does not say).
pub mod option {
    use super::*;

    /// Writes `YYYY-MM-DD` or `null`.
    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.collect_str(d),
            None => s.serialize_none(),
        }
    }

    /// Reads `YYYY-MM-DD` or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        let s = <Option<std::borrow::Cow<'de, str>>>::deserialize(d)?;
        s.map(|s| s.parse().map_err(serde::de::Error::custom)).transpose()
    }
}

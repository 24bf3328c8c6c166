//! Identifier newtypes, so an option id can never be passed where a unit id is expected.

use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Wraps a string as this id. Validity (charset, uniqueness) is checked by the
            /// constructors of the types that hold ids, not here.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
    };
}

id_type!(
    /// Identifies an election (a package), e.g. `kz-2023-03-19`.
    ElectionId
);
id_type!(
    /// Identifies a contest within an election, e.g. `mazhilis-list`.
    ContestId
);
id_type!(
    /// Identifies an option of a contest: a party, a candidate, `yes`/`no`, or "against all".
    OptionId
);
id_type!(
    /// Identifies a territorial unit: the country, a region, a district, a polling station.
    UnitId
);

/// Checks the common id syntax: 1–128 characters, ASCII letters, digits, `-`, `_`, `.`, `:`.
/// Ids appear in CSV files, URLs and file names, so they are kept boring.
pub fn check_id_syntax(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("id is empty".to_owned());
    }
    if id.len() > 128 {
        return Err(format!("id {} is longer than 128 characters", crate::quote::quote(id)));
    }
    if let Some(c) =
        id.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')))
    {
        return Err(format!(
            "id {} contains {c:?}; ids may use only ASCII letters, digits, '-', '_', '.', ':'",
            crate::quote::quote(id)
        ));
    }
    if id.chars().all(|c| c == '.') {
        return Err(format!(
            "id {} is only dots, which would name a folder (\".\", \"..\") in file paths",
            crate::quote::quote(id)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_id_syntax;

    #[test]
    fn ids_are_safe_in_csv_urls_and_file_names() {
        for ok in ["KZ", "st-00012", "ALM.01", "ocd:kz", "a..b", ".hidden"] {
            assert!(check_id_syntax(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".", "..", "...", "a/b", "a b", "ä", "a,b", &"x".repeat(129)] {
            assert!(check_id_syntax(bad).is_err(), "{bad}");
        }
    }
}

//! Diagnostics: one problem in one file, at one line, about one field.

use std::fmt;

/// Reading stops collecting after this many problems (the count of the rest is reported).
pub const MAX_DIAGNOSTICS: usize = 200;

/// One problem in an input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// File name as the user knows it (`counts.csv`).
    pub file: String,
    /// 1-based line, when the problem has one.
    pub line: Option<u64>,
    /// The field or column concerned, when there is one.
    pub field: Option<String>,
    /// A sentence saying what is wrong.
    pub message: String,
}

impl Diagnostic {
    /// A problem at a line.
    pub fn at(file: &str, line: u64, field: Option<&str>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_owned(),
            line: Some(line),
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }

    /// A problem with a whole file.
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        Diagnostic { file: file.to_owned(), line: None, field: None, message: message.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// A list of problems, capped at [`MAX_DIAGNOSTICS`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    dropped: usize,
}

impl Diagnostics {
    /// Adds a problem.
    pub fn push(&mut self, d: Diagnostic) {
        if self.items.len() < MAX_DIAGNOSTICS {
            self.items.push(d);
        } else {
            self.dropped += 1;
        }
    }

    /// True when nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The problems kept.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// How many problems were found beyond the cap.
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    /// True when the cap was reached (further reading is pointless).
    pub fn full(&self) -> bool {
        self.items.len() >= MAX_DIAGNOSTICS
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.items {
            writeln!(f, "{d}")?;
        }
        if self.dropped > 0 {
            writeln!(f, "… and {} more problems", self.dropped)?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

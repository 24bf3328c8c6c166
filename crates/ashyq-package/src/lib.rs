//! Election package v1: reading (`election.toml`, `units.csv`, `counts.csv`) into validated
//! core types, with a precise diagnostic (file, line, field) for every problem; and writing.
//!
//! See `docs/package-format.md` for the format. Reading never panics on bad input and reports
//! every problem it can find (up to [`MAX_DIAGNOSTICS`]), not only the first.
#![deny(missing_docs)]

mod diagnostic;
mod package;
mod write;

pub use diagnostic::{Diagnostic, Diagnostics, MAX_DIAGNOSTICS};
pub use package::{
    parse_election_toml, read_package, Package, COUNTS_FILE, ELECTION_FILE, NAMES_FILE, UNITS_FILE,
};
pub use write::{election_toml, write_package, PackageWriter};

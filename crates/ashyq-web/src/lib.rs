//! The public dashboard of Ashyq as server-rendered HTML from plain data. No HTTP: the server
//! (`ashyq-server`, `pages.rs`) picks the language, reads its live snapshot and calls the
//! page functions here; each returns a complete HTML document.
//!
//! - Pages ([`pages`]): the election list, an election's contests, a contest's result at any
//!   unit of its territory (the country with the choropleth [`map`] of the first-level units,
//!   regions, districts), a polling station's protocol with its version history, observer
//!   copies and the in-browser proof check, the integrity page (fingerprint heat-map, turnout
//!   histogram, the forensics of `ashyq-forensics`), the "what if" view, and embeddable widgets.
//! - Templates are [`maud`] markup: compile-time checked Rust, escaped by default, rendered
//!   into one `String` without a runtime template parser (chosen over askama and minijinja:
//!   no template files to keep in step with the data, partials are plain functions, and no
//!   runtime parsing on the hot path).
//! - Translations ([`i18n`]): every label in Kazakh, Russian and English side by side, numbers
//!   and dates in each locale's form. Names of elections, contests, options and units go
//!   through one function, [`names::name_of`].
//! - Static assets ([`assets`]): one stylesheet and one small plain script (live updates over
//!   Server-Sent Events and the WebCrypto proof check), served under content-hashed URLs; no
//!   front-end build chain. Pages work without JavaScript.
//!
//! Floating point appears only in what is displayed (shares, bar widths); every percentage
//! shown next to a legal decision is the exact, half-up rounding of `ashyq_core::rules::percent`.
#![deny(missing_docs)]

pub mod assets;
pub mod charts;
pub mod explain_i18n;
pub mod i18n;
pub mod map;
pub mod names;
mod outcome;
pub mod pages;
pub mod rules_i18n;
pub mod urls;

use ashyq_core::counts::{ContestCounts, RollUp, Totals};
use ashyq_core::election::Election;
use ashyq_core::units::{UnitIdx, UnitTree};

pub use i18n::{Lang, Msg};

/// The record's state a page reflects.
#[derive(Clone, Debug, Default)]
pub struct RecordState {
    /// Log entries.
    pub size: u64,
    /// The log's root at that size, hex.
    pub root_hex: String,
    /// The latest signed checkpoint's size.
    pub signed_size: u64,
}

/// One election as the pages see it: borrowed from the server's live snapshot.
#[derive(Clone, Copy)]
pub struct ElectionData<'a> {
    /// The definition.
    pub election: &'a Election,
    /// The unit tree.
    pub tree: &'a UnitTree,
    /// Latest accepted protocols, per contest.
    pub counts: &'a [ContestCounts],
    /// Roll-ups per contest (`Err` when a sum overflowed).
    pub rollups: &'a [Result<RollUp, String>],
    /// Polling stations (leaves) below each unit.
    pub stations: &'a [u64],
    /// Per contest: protocols received over time, as (Unix second, first versions entered in
    /// it) in time order — the reporting progress over the night.
    pub arrivals: &'a [Vec<(i64, u64)>],
    /// The record's state.
    pub record: &'a RecordState,
}

impl ElectionData<'_> {
    /// Totals of contest `c` at unit `u`, if a protocol lies below it.
    pub fn totals(&self, c: usize, u: UnitIdx) -> Option<&Totals> {
        self.rollups.get(c)?.as_ref().ok()?.at(u)
    }
}

/// One version of a protocol (from the record's history).
#[derive(Clone, Debug)]
pub struct ProtocolVersion {
    /// Version number (1 = first).
    pub version: u64,
    /// Who entered it.
    pub author: String,
    /// When (RFC 3339).
    pub time: String,
    /// Why (empty for the first).
    pub reason: String,
    /// Findings acknowledged or overridden.
    pub findings: Vec<String>,
    /// (line, value) for every present line.
    pub values: Vec<(String, u64)>,
    /// 0-based index of its leaf in the log.
    pub log_index: u64,
    /// The precinct commission's own public key (base64) when it signed this version (the
    /// signature was checked on entry; the page's script checks it again from the leaf).
    pub signature_key: Option<String>,
}

/// Observers' copies of one protocol.
#[derive(Clone, Debug)]
pub enum ObserverCopies {
    /// The record does not store observer copies (yet).
    NotStored,
    /// The copies the record holds (possibly none).
    Copies(Vec<ObserverCopy>),
}

/// One observer's signed copy of a protocol.
#[derive(Clone, Debug)]
pub struct ObserverCopy {
    /// Who.
    pub observer: String,
    /// When it was entered (RFC 3339).
    pub time: String,
    /// (line, value) as on the copy.
    pub values: Vec<(String, u64)>,
}

/// The request a page answers: its language and its own path (for the language switcher).
#[derive(Clone, Debug)]
pub struct Ctx {
    /// The page language.
    pub lang: Lang,
    /// The request path (without the query).
    pub path: String,
}

impl Ctx {
    /// A context.
    pub fn new(lang: Lang, path: &str) -> Ctx {
        Ctx { lang, path: path.to_owned() }
    }
    /// A link inside the dashboard that keeps the language.
    pub fn link(&self, path: &str) -> String {
        format!("{path}?lang={}", self.lang.code())
    }
}

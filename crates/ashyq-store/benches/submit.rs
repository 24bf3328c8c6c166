//! Durable ingest of protocols entered one at a time (the live-night path; BRIEF.md target:
//! more than 2,000 protocols/s), side by side with the floor of the same engine: one bare
//! `INSERT` + commit per protocol with the same durability settings (WAL, `synchronous=FULL`).
//!
//! Run: `cargo bench -p ashyq-store --bench submit` (prints a Markdown table for BENCHMARKS.md).
//! With `ASHYQ_TEST_POSTGRES` set, PostgreSQL is measured too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Instant;

use ashyq_core::counts::ContestCounts;
use ashyq_generate::{Generator, Params, Sink};
use ashyq_store::{ImportOptions, OpenMode, Store, Submission, Submitted};

const N: usize = 2_000;

/// Collects each station's protocol lines.
#[derive(Default)]
struct Protocols(BTreeMap<String, Vec<(String, u64)>>);

impl Sink for Protocols {
    type Error = std::convert::Infallible;
    fn count(
        &mut self,
        _contest: &str,
        unit: &str,
        line: &str,
        value: u64,
    ) -> Result<(), Self::Error> {
        self.0.entry(unit.to_owned()).or_default().push((line.to_owned(), value));
        Ok(())
    }
    fn truth(&mut self, _station: &str, _stuffed: bool, _rounded: bool) -> Result<(), Self::Error> {
        Ok(())
    }
}

fn ashyq_rate(url: &str, protocols: &[(String, Vec<(String, u64)>)], generator: &Generator) -> f64 {
    let mut store = Store::open(url, OpenMode::Create, ashyq_store::system_clock()).expect("open");
    // Signed, as on election night: every submission appends to the log and signs a checkpoint.
    store.set_signer(Some(std::sync::Arc::new(ashyq_store::Signer::from_seed([1; 32]))));
    let election = generator.election();
    let empty: Vec<ContestCounts> = election.contests().iter().map(ContestCounts::new).collect();
    store
        .import(election, generator.tree(), &empty, &ImportOptions::default(), &mut |_, _| {})
        .expect("definition");
    let id = election.id().as_str().to_owned();
    let contest = election.contests()[0].id().as_str().to_owned();
    let t = Instant::now();
    for (unit, values) in protocols.iter().take(N) {
        let s = Submission {
            contest: contest.clone(),
            unit: unit.clone(),
            values: values.clone(),
            author: "PEC secretary".into(),
            time: "2026-08-23T20:30:00+05:00".into(),
            acknowledge_warnings: true,
            ..Submission::default()
        };
        match store.submit(&id, &s).expect("submit") {
            Submitted::Accepted { .. } => {}
            other => panic!("not accepted: {other:?}"),
        }
    }
    N as f64 / t.elapsed().as_secs_f64()
}

/// `Store::submit_many` in group commits of `batch` (what the server's writer does).
fn ashyq_group_rate(
    url: &str,
    protocols: &[(String, Vec<(String, u64)>)],
    generator: &Generator,
    batch: usize,
) -> f64 {
    let mut store = Store::open(url, OpenMode::Create, ashyq_store::system_clock()).expect("open");
    store.set_signer(Some(std::sync::Arc::new(ashyq_store::Signer::from_seed([1; 32]))));
    let election = generator.election();
    let empty: Vec<ContestCounts> = election.contests().iter().map(ContestCounts::new).collect();
    store
        .import(election, generator.tree(), &empty, &ImportOptions::default(), &mut |_, _| {})
        .expect("definition");
    let id = election.id().as_str().to_owned();
    let contest = election.contests()[0].id().as_str().to_owned();
    let subs: Vec<Submission> = protocols
        .iter()
        .map(|(unit, values)| Submission {
            contest: contest.clone(),
            unit: unit.clone(),
            values: values.clone(),
            author: "PEC secretary".into(),
            time: "2026-08-23T20:30:00+05:00".into(),
            acknowledge_warnings: true,
            ..Submission::default()
        })
        .collect();
    let t = Instant::now();
    for chunk in subs.chunks(batch) {
        for r in store.submit_many(&id, chunk).expect("submit_many") {
            assert!(matches!(r, Ok(Submitted::Accepted { .. })), "{r:?}");
        }
    }
    subs.len() as f64 / t.elapsed().as_secs_f64()
}

fn bare_sqlite_rate(path: &std::path::Path, protocols: &[(String, Vec<(String, u64)>)]) -> f64 {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE p (unit TEXT PRIMARY KEY, vals TEXT NOT NULL);").unwrap();
    let t = Instant::now();
    for (unit, values) in protocols.iter().take(N) {
        let vals: Vec<String> = values.iter().map(|(_, v)| v.to_string()).collect();
        c.execute("INSERT INTO p (unit, vals) VALUES (?1, ?2)", (unit, vals.join(","))).unwrap();
    }
    N as f64 / t.elapsed().as_secs_f64()
}

fn main() {
    let params = Params {
        stations: 10_000,
        contests: vec![ashyq_generate::Preset::Mazhilis],
        ..Params::default()
    };
    let generator = Generator::new(&params).expect("generator");
    let mut sink = Protocols::default();
    generator.run(&mut sink, |_| {}).expect("generate");
    // A submission carries every line of the form; the generator leaves out absentee
    // certificates and mobile boxes, which are 0 here.
    let protocols: Vec<_> = sink
        .0
        .into_iter()
        .map(|(unit, mut values)| {
            for line in ["absentee", "mobile"] {
                if !values.iter().any(|(l, _)| l == line) {
                    values.push((line.to_owned(), 0));
                }
            }
            (unit, values)
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    println!("| backend | `Store::submit`, one protocol per transaction | bare `INSERT` + commit per protocol | ratio (rates) |");
    println!("|---|---|---|---|");
    let ours = ashyq_rate(
        &format!("sqlite:{}", dir.path().join("a.db").display()),
        &protocols,
        &generator,
    );
    let bare = bare_sqlite_rate(&dir.path().join("b.db"), &protocols);
    println!("| SQLite | {ours:.0} protocols/s | {bare:.0} protocols/s | {:.2} |", ours / bare);
    let group = ashyq_group_rate(
        &format!("sqlite:{}", dir.path().join("g.db").display()),
        &protocols,
        &generator,
        64,
    );
    println!("| SQLite, `Store::submit_many` 64 per transaction ({} protocols) | {group:.0} protocols/s | {bare:.0} protocols/s | {:.2} |", protocols.len(), group / bare);
    if let Ok(base) = std::env::var("ASHYQ_TEST_POSTGRES") {
        let (schema, url) = ashyq_store::testing::pg_fresh_schema(&base).expect("schema");
        let ours = ashyq_rate(&url, &protocols, &generator);
        ashyq_store::testing::pg_drop_schema(&base, &schema);
        let (schema, url) = ashyq_store::testing::pg_fresh_schema(&base).expect("schema");
        let group = ashyq_group_rate(&url, &protocols, &generator, 64);
        ashyq_store::testing::pg_drop_schema(&base, &schema);
        let mut c = postgres::Client::connect(&base, postgres::NoTls).unwrap();
        c.batch_execute("DROP TABLE IF EXISTS bench_p; CREATE TABLE bench_p (unit TEXT PRIMARY KEY, vals TEXT NOT NULL)").unwrap();
        let t = Instant::now();
        for (unit, values) in protocols.iter().take(N) {
            let vals: Vec<String> = values.iter().map(|(_, v)| v.to_string()).collect();
            c.execute("INSERT INTO bench_p (unit, vals) VALUES ($1, $2)", &[unit, &vals.join(",")])
                .unwrap();
        }
        let bare = N as f64 / t.elapsed().as_secs_f64();
        c.batch_execute("DROP TABLE bench_p").unwrap();
        println!(
            "| PostgreSQL | {ours:.0} protocols/s | {bare:.0} protocols/s | {:.2} |",
            ours / bare
        );
        println!(
            "| PostgreSQL, `Store::submit_many` 64 per transaction ({} protocols) | {group:.0} protocols/s | {bare:.0} protocols/s | {:.2} |",
            protocols.len(),
            group / bare
        );
    }
}

//! `publish`: every published file is byte for byte what the API serves for the same log size,
//! on SQLite and PostgreSQL; versions are immutable, unchanged unit documents are links to the
//! previous version's, and publishing an unchanged record writes nothing.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ashyq_server::publish::{publish, PublishOptions, Published};
use ashyq_server::{app, AppState, Config};
use ashyq_store::testing::PgSchema;
use ashyq_store::{ImportOptions, OpenMode, Role, Signer, Store};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use sha2::Digest as _;
use tower::ServiceExt;

const NOW: &str = "2026-03-01T22:00:00Z";

fn clock() -> ashyq_store::Clock {
    ashyq_store::fixed_clock(ashyq_record::timestamp::Timestamp::parse(NOW).unwrap())
}

fn key() -> Arc<Signer> {
    Arc::new(Signer::from_seed([33; 32]))
}

struct Env {
    url: String,
    router: axum::Router,
    _state: AppState,
    cec: String,
    _dir: tempfile::TempDir,
    /// Dropped last, after the state's connections: the schema is dropped with it.
    _pg: Option<PgSchema>,
}

/// The small election with S006 and S007 not yet reported, signed.
fn env(url: String, dir: tempfile::TempDir, pg: Option<PgSchema>) -> Env {
    let mut p = ashyq_package::read_package(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../ashyq-store/test_data/small"),
    )
    .unwrap();
    let keep: Vec<usize> = ["S006", "S007"].iter().map(|s| p.tree.index_of(s).unwrap()).collect();
    let mut cc = ashyq_core::counts::ContestCounts::new(&p.election.contests()[0]);
    for (u, row) in p.counts[0].rows() {
        if !keep.contains(&u) {
            for (col, v) in row.iter().enumerate() {
                if let Some(v) = v {
                    cc.set(u, ashyq_core::line::Line::from_column(col), *v).unwrap();
                }
            }
        }
    }
    p.counts = vec![cc];
    let mut store = Store::open(&url, OpenMode::Create, clock()).unwrap();
    store.set_signer(Some(key()));
    store
        .import(&p.election, &p.tree, &p.counts, &ImportOptions::default(), &mut |_, _| {})
        .unwrap();
    let cec = store.create_token(Role::Cec, None, None, "CEC operator").unwrap().0;
    drop(store);
    let mut config = Config::new(&url);
    config.signer = Some(key());
    config.clock = clock();
    let state = AppState::open(&config).unwrap();
    let router = app(state.clone(), Duration::from_secs(10));
    Env { url, router, _state: state, cec, _dir: dir, _pg: pg }
}

async fn get(e: &Env, uri: &str) -> (StatusCode, Vec<u8>) {
    let req = Request::get(uri).body(Body::empty()).unwrap();
    let resp = e.router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    (status, resp.into_body().collect().await.unwrap().to_bytes().to_vec())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap()
}

/// Publishes on a blocking thread (the synchronous PostgreSQL client runs its own runtime).
async fn run_publish(e: &Env, out: &Path, protocols: bool) -> Published {
    let (url, out) = (e.url.clone(), out.to_owned());
    tokio::task::spawn_blocking(move || {
        let mut store = Store::open(&url, OpenMode::Existing, clock()).unwrap();
        let options =
            PublishOptions { protocols, now: NOW.to_owned(), ..PublishOptions::default() };
        publish(&mut store, &out, &options, &|_, _| {}).unwrap()
    })
    .await
    .unwrap()
}

fn read(p: PathBuf) -> Vec<u8> {
    std::fs::read(&p).unwrap_or_else(|err| panic!("{}: {err}", p.display()))
}

fn json(b: &[u8]) -> serde_json::Value {
    serde_json::from_slice(b).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(b)))
}

const ELECTION: &str = "test-2026-station";
const UNITS: [&str; 10] =
    ["KZ", "R1", "R2", "S001", "S002", "S003", "S004", "S005", "S006", "S007"];

/// Every published document equals the API's answer now.
async fn same_as_api(e: &Env, dir: &Path, protocols: bool) {
    let api = "/api/v1/elections";
    let (s, b) = get(e, api).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(json(&read(dir.join("index.json"))), json(&b));
    for (file, uri) in [
        ("results.json", "results"),
        ("results.csv", "results.csv"),
        ("outcome.json", "outcome"),
        ("progress.json", "progress"),
        ("export/cdf.json", "export/cdf.json"),
        ("export/cdf.xml", "export/cdf.xml"),
        ("export/cdf-civics.xml", "export/cdf-civics.xml"),
        ("checkpoint", "checkpoint"),
        ("key.txt", "key"),
    ] {
        let (s, b) = get(e, &format!("{api}/{ELECTION}/{uri}")).await;
        assert!(
            s == StatusCode::OK || (uri == "outcome" && s == StatusCode::CONFLICT),
            "{uri}: {s}"
        );
        assert_eq!(read(dir.join(ELECTION).join(file)), b, "{file} differs from GET {uri}");
    }
    for unit in UNITS {
        let path = dir.join(format!("{ELECTION}/results/president/{unit}.json"));
        let (_, b) =
            get(e, &format!("{api}/{ELECTION}/results?contest=president&unit={unit}")).await;
        let want = json(&b)["contests"][0].clone();
        if want["units"].as_array().unwrap().is_empty() {
            assert_eq!(json(&read(path))["units"], serde_json::json!([]), "{unit}");
        } else {
            assert_eq!(json(&read(path)), want, "{unit}");
        }
        if protocols && unit.starts_with('S') {
            let path = dir.join(format!("{ELECTION}/protocols/president/{unit}.json"));
            let (s, b) = get(e, &format!("{api}/{ELECTION}/protocols/president/{unit}")).await;
            assert_eq!(s, StatusCode::OK);
            let doc = json(&b);
            if doc["versions"].as_array().unwrap().is_empty() {
                assert!(!path.exists(), "{unit} has no protocol yet");
            } else {
                assert_eq!(json(&read(path)), doc, "{unit}");
            }
        }
    }
    // The manifest lists every other file with its size and SHA-256.
    let manifest: BTreeMap<String, (u64, String)> =
        serde_json::from_slice(&read(dir.join("manifest.json"))).unwrap();
    let mut on_disk = Vec::new();
    for entry in walk(dir) {
        let rel = entry.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        if rel != "manifest.json" {
            on_disk.push(rel);
        }
    }
    on_disk.sort();
    assert_eq!(on_disk, manifest.keys().cloned().collect::<Vec<_>>());
    for (rel, (bytes, sha)) in &manifest {
        let b = read(dir.join(rel));
        assert_eq!(
            (b.len() as u64, hex::encode(sha2::Sha256::digest(&b))),
            (*bytes, sha.clone()),
            "{rel}"
        );
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn submit_body(unit: &str) -> String {
    serde_json::json!({
        "contest": "president",
        "unit": unit,
        "lines": {"registered": 1000, "ballots_received": 1000, "ballots_issued": 700, "ballots_cancelled": 300,
                  "ballots_found": 700, "invalid": 30, "absentee": 5, "mobile": 20,
                  "alpha": 250, "beta": 350, "against-all": 70},
        "time": "2026-03-01T21:00:00+05:00"
    })
    .to_string()
}

async fn scenario(e: &Env) {
    let out = tempfile::tempdir().unwrap();
    let first = run_publish(e, out.path(), true).await;
    assert!(first.new_version);
    let v1 = out.path().join(&first.current.path);
    same_as_api(e, &v1, true).await;
    let current: serde_json::Value = json(&read(out.path().join("current.json")));
    assert_eq!(current["version"], first.current.version.as_str());
    assert_eq!(current["elections"][0]["id"], ELECTION);

    // Unchanged record: same version, nothing written.
    let again = run_publish(e, out.path(), true).await;
    assert!(!again.new_version);
    assert_eq!(again.current.version, first.current.version);
    let v1_manifest = read(v1.join("manifest.json"));

    // S006 (in R2) reports: a new version; R1's documents are links to the first version's.
    let req = Request::post(format!("/api/v1/elections/{ELECTION}/protocols"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {}", e.cec))
        .body(Body::from(submit_body("S006")))
        .unwrap();
    let resp = e.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let second = run_publish(e, out.path(), false).await;
    assert!(second.new_version);
    assert_ne!(second.current.version, first.current.version);
    let v2 = out.path().join(&second.current.path);
    same_as_api(e, &v2, false).await;
    // Changed: KZ, R2, R2-D1 and S006; the other nine unit documents are links.
    assert_eq!(second.linked, 9, "linked unit documents");
    use std::os::unix::fs::MetadataExt as _;
    let ino = |p: PathBuf| std::fs::metadata(p).unwrap().ino();
    let r1 = format!("{ELECTION}/results/president/R1.json");
    assert_eq!(ino(v1.join(&r1)), ino(v2.join(&r1)));
    let r2 = format!("{ELECTION}/results/president/R2.json");
    assert_ne!(read(v1.join(&r2)), read(v2.join(&r2)));
    // The first version is untouched and the pointer names the second.
    assert_eq!(read(v1.join("manifest.json")), v1_manifest);
    let m1: BTreeMap<String, (u64, String)> = serde_json::from_slice(&v1_manifest).unwrap();
    for (rel, (_, sha)) in &m1 {
        assert_eq!(&hex::encode(sha2::Sha256::digest(read(v1.join(rel)))), sha, "{rel} changed");
    }
    assert_eq!(
        json(&read(out.path().join("current.json")))["version"],
        second.current.version.as_str()
    );
}

#[test]
fn publish_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("r.db").display());
    let e = env(url, dir, None);
    runtime().block_on(scenario(&e));
}

#[test]
fn publish_on_postgres() {
    let Some((schema, url)) = ashyq_store::testing::pg_test_schema() else { return };
    let e = env(url, tempfile::tempdir().unwrap(), Some(schema));
    runtime().block_on(scenario(&e));
}

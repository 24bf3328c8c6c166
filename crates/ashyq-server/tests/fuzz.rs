//! The write endpoints under hostile input (proptest): random JSON, valid submissions with one
//! field mutated (wrong types, huge and negative numbers, unknown stations and lines, long and
//! odd text, deep nesting), raw bytes that are not UTF-8 or not JSON, odd headers. Whatever comes
//! in, the server answers with a documented status and a JSON error body — never 500, never a
//! hang — and a rejected request leaves the record exactly as it was.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ashyq_server::{app, AppState, Config};
use ashyq_store::{ImportOptions, OpenMode, Role, Signer, Store};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use proptest::prelude::*;
use serde_json::{json, Value};
use tower::ServiceExt;

const ELECTION: &str = "test-2026-station";

struct Env {
    router: axum::Router,
    url: String,
    cec: String,
    commission: String,
    _state: AppState,
    _dir: tempfile::TempDir,
}

fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("r.db").display());
    let mut p = ashyq_package::read_package(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../ashyq-store/test_data/small"),
    )
    .unwrap();
    // Only S001 reported: the others are open for submissions.
    let s001 = p.tree.index_of("S001").unwrap();
    let mut cc = ashyq_core::counts::ContestCounts::new(&p.election.contests()[0]);
    for (col, v) in p.counts[0].row(s001).unwrap().iter().enumerate() {
        if let Some(v) = v {
            cc.set(s001, ashyq_core::line::Line::from_column(col), *v).unwrap();
        }
    }
    p.counts = vec![cc];
    let key = Arc::new(Signer::from_seed([5; 32]));
    let mut store = Store::open(&url, OpenMode::Create, ashyq_store::system_clock()).unwrap();
    store.set_signer(Some(Arc::clone(&key)));
    store
        .import(&p.election, &p.tree, &p.counts, &ImportOptions::default(), &mut |_, _| {})
        .unwrap();
    let cec = store.create_token(Role::Cec, None, None, "cec").unwrap().0;
    let commission = store.create_token(Role::Commission, Some("R1"), None, "R1").unwrap().0;
    drop(store);
    let mut config = Config::new(&url);
    config.signer = Some(key);
    config.per_address = ashyq_server::limit::Rate { per_second: 0.0, burst: 0.0 };
    config.per_token = ashyq_server::limit::Rate { per_second: 0.0, burst: 0.0 };
    let state = AppState::open(&config).unwrap();
    let router = app(state.clone(), Duration::from_secs(10));
    Env { router, url, cec, commission, _state: state, _dir: dir }
}

fn valid_protocol(unit: &str) -> Value {
    json!({
        "contest": "president", "unit": unit,
        "lines": {"registered": 1000, "ballots_received": 1000, "ballots_issued": 700, "ballots_cancelled": 300,
                  "ballots_found": 700, "invalid": 30, "absentee": 5, "mobile": 20,
                  "alpha": 250, "beta": 350, "against-all": 70}
    })
}

/// Random JSON, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("contest".to_owned()),
                    Just("unit".to_owned()),
                    Just("lines".to_owned()),
                    Just("reason".to_owned()),
                    ".{0,12}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A valid protocol with one thing changed.
fn mutated_protocol() -> impl Strategy<Value = Value> {
    let units = prop::sample::select(vec!["S002", "S003", "S005", "S001", "R1", "KZ", "NOPE", ""]);
    let fields = prop::sample::select(vec![
        "contest",
        "unit",
        "lines",
        "author",
        "time",
        "override_errors",
        "acknowledge_warnings",
        "reason",
        "registered",
        "alpha",
        "against-all",
        "ballots_issued",
        "new-line",
    ]);
    (units, fields, any_json(), any::<u64>()).prop_map(|(unit, field, value, n)| {
        let mut p = valid_protocol(unit);
        let lines_field = !matches!(
            field,
            "contest"
                | "unit"
                | "lines"
                | "author"
                | "time"
                | "override_errors"
                | "acknowledge_warnings"
                | "reason"
        );
        if lines_field {
            // A line set to a random value, or to a huge number.
            p["lines"][field] = match n % 3 {
                0 => value,
                1 => json!(n),
                _ => json!(n % 1500),
            };
        } else if n % 5 == 0 {
            p.as_object_mut().unwrap().remove(field);
        } else {
            p[field] = value;
        }
        p
    })
}

fn raw_bodies() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        Just(b"{".to_vec()),
        Just(b"\xff\xfe{\"unit\":\"S002\"}".to_vec()),
        Just(br#"{"contest":"president","unit":"S002","lines":{"registered":-1}}"#.to_vec()),
        Just(br#"{"contest":"president","unit":"S002","lines":{"registered":1e400}}"#.to_vec()),
        Just(
            br#"{"contest":"president","unit":"S002","lines":{"registered":18446744073709551616}}"#
                .to_vec()
        ),
        Just(format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes()),
        Just(vec![b' '; 70 * 1024]),
    ]
}

#[derive(Debug, Clone)]
enum Body_ {
    Json(Value),
    Raw(Vec<u8>),
}

fn requests() -> impl Strategy<Value = (usize, usize, Body_, bool)> {
    let body = prop_oneof![
        1 => any_json().prop_map(Body_::Json),
        4 => mutated_protocol().prop_map(Body_::Json),
        1 => raw_bodies().prop_map(Body_::Raw),
    ];
    // endpoint, token (0 none, 1 cec, 2 commission R1, 3 garbage), body, with an idempotency key
    let endpoint = prop_oneof![3 => Just(0usize), 1 => Just(1), 1 => Just(2)];
    let token = prop_oneof![1 => Just(0usize), 3 => Just(1), 2 => Just(2), 1 => Just(3)];
    (endpoint, token, body, any::<bool>())
}

const ALLOWED: [StatusCode; 10] = [
    StatusCode::CREATED,
    StatusCode::BAD_REQUEST,
    StatusCode::UNAUTHORIZED,
    StatusCode::FORBIDDEN,
    StatusCode::NOT_FOUND,
    StatusCode::CONFLICT,
    StatusCode::PAYLOAD_TOO_LARGE,
    StatusCode::UNSUPPORTED_MEDIA_TYPE,
    StatusCode::UNPROCESSABLE_ENTITY,
    StatusCode::TOO_MANY_REQUESTS,
];

fn log_size(url: &str) -> u64 {
    let mut store = Store::open(url, OpenMode::Existing, ashyq_store::system_clock()).unwrap();
    store.log_state(ELECTION).unwrap().size
}

#[test]
fn hostile_writes_never_break_the_server_or_the_record() {
    let e = env();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let config =
        ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let statuses = std::sync::Mutex::new(std::collections::BTreeMap::new());
    runner
        .run(&requests(), |(endpoint, token, body, idem)| {
            let path = ["protocols", "corrections", "turnout"][endpoint];
            let mut req = Request::post(format!("/api/v1/elections/{ELECTION}/{path}"))
                .header(header::CONTENT_TYPE, "application/json");
            let token = match token {
                1 => Some(e.cec.clone()),
                2 => Some(e.commission.clone()),
                3 => Some("0123456789abcdef-not-a-token".to_owned()),
                _ => None,
            };
            if let Some(t) = &token {
                req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
            }
            if idem {
                req = req.header("Idempotency-Key", "fuzz-1");
            }
            let bytes = match &body {
                Body_::Json(v) => serde_json::to_vec(v).unwrap(),
                Body_::Raw(b) => b.clone(),
            };
            let before = log_size(&e.url);
            let (status, resp) = rt.block_on(async {
                let resp = tokio::time::timeout(
                    Duration::from_secs(20),
                    e.router.clone().oneshot(req.body(Body::from(bytes)).unwrap()),
                )
                .await
                .expect("the server answered within 20 s")
                .unwrap();
                let status = resp.status();
                (status, resp.into_body().collect().await.unwrap().to_bytes())
            });
            *statuses.lock().unwrap().entry(status.as_u16()).or_insert(0u32) += 1;
            let shown: String = format!("{body:?}").chars().take(300).collect();
            prop_assert!(ALLOWED.contains(&status), "status {status} for {shown}: {resp:?}");
            let doc: Value = serde_json::from_slice(&resp).map_err(|err| {
                TestCaseError::fail(format!("{status}: body is not JSON ({err}): {resp:?}"))
            })?;
            let after = log_size(&e.url);
            if status == StatusCode::CREATED {
                prop_assert!(doc["log_index"].is_u64(), "{doc}");
                prop_assert!(after == before + 1 || doc["replayed"] == true, "{before} → {after}");
            } else {
                prop_assert!(doc["error"].is_string() && doc["message"].is_string(), "{doc}");
                prop_assert_eq!(before, after, "a rejected request changed the record: {}", doc);
                let text = doc["message"].as_str().unwrap_or_default().to_lowercase();
                for leak in [
                    "sqlite",
                    "postgres",
                    "panicked",
                    "stack backtrace",
                    "rusqlite",
                    "/work/",
                    ".rs:",
                ] {
                    prop_assert!(!text.contains(leak), "internal detail in {}", text);
                }
            }
            Ok(())
        })
        .unwrap();
    let statuses = statuses.into_inner().unwrap();
    eprintln!("statuses: {statuses:?}");
    // The fuzzing reached the interesting answers, not just 400s.
    for s in [201, 400, 401, 403, 409, 413, 422] {
        assert!(statuses.contains_key(&s), "no {s} among {statuses:?}");
    }
    drop(rt);
    let mut store = Store::open(&e.url, OpenMode::Existing, ashyq_store::system_clock()).unwrap();
    for (_, v) in store.verify(Some(ELECTION), &Default::default()).unwrap() {
        assert!(v.problems.is_empty(), "{:?}", v.problems);
    }
}

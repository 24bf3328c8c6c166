//! Observers over the HTTP API (issue 9), on SQLite and PostgreSQL: observer copies and turnout
//! counts with `observer` tokens (401, 403 for other roles and outside the scope, 404, 409, 422,
//! 201 with a receipt, idempotent retries), the public list of copies and the comparison JSON,
//! and the official results unchanged by any of it.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ashyq_server::{app, AppState, Config};
use ashyq_store::testing::PgSchema;
use ashyq_store::{ImportOptions, OpenMode, Role, Signer, Store};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

struct Env {
    router: axum::Router,
    url: String,
    cec: String,
    commission_r1: String,
    observer_r2: String,
    _state: AppState,
    _dir: tempfile::TempDir,
    /// Dropped last, after the state's connections: the schema is dropped with it.
    _pg: Option<PgSchema>,
}

fn key() -> Arc<Signer> {
    Arc::new(Signer::from_seed([23; 32]))
}

/// The small election, every protocol reported, a signed record.
fn env(url: String, dir: tempfile::TempDir, pg: Option<PgSchema>) -> Env {
    let p = ashyq_package::read_package(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../ashyq-store/test_data/small"),
    )
    .unwrap();
    let mut store = Store::open(&url, OpenMode::Create, ashyq_store::system_clock()).unwrap();
    store.set_signer(Some(key()));
    store
        .import(&p.election, &p.tree, &p.counts, &ImportOptions::default(), &mut |_, _| {})
        .unwrap();
    let cec = store.create_token(Role::Cec, None, None, "CEC operator").unwrap().0;
    let commission_r1 =
        store.create_token(Role::Commission, Some("R1"), None, "R1 commission").unwrap().0;
    let observer_r2 = store.create_token(Role::Observer, Some("R2"), None, "adil-soz").unwrap().0;
    drop(store);
    let mut config = Config::new(&url);
    config.signer = Some(key());
    let state = AppState::open(&config).unwrap();
    let router = app(state.clone(), Duration::from_secs(10));
    Env { router, url, cec, commission_r1, observer_r2, _state: state, _dir: dir, _pg: pg }
}

fn sqlite_env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("r.db").display());
    env(url, dir, None)
}

fn pg_env() -> Option<Env> {
    let (schema, url) = ashyq_store::testing::pg_test_schema()?;
    Some(env(url, tempfile::tempdir().unwrap(), Some(schema)))
}

async fn call(e: &Env, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
    let resp = e.router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes().to_vec();
    let v = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&body)
            .unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(&body)))
    };
    (status, headers, v)
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

fn post(uri: &str, token: Option<&str>, key: Option<&str>, body: &Value) -> Request<Body> {
    let mut b = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if let Some(k) = key {
        b = b.header("idempotency-key", k);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

const E: &str = "/api/v1/elections/test-2026-station";

/// S005's protocol says alpha 900, beta 380; the observer's copy says 800 and 480.
fn copy_s005(alpha: u64) -> Value {
    json!({
        "contest": "president",
        "unit": "S005",
        "lines": {"ballots_issued": 1400, "invalid": 41, "alpha": alpha, "beta": 1280 - alpha, "against-all": 79},
        "photo_sha256": "C0".repeat(32),
        "author": "Aigerim",
        "time": "2026-03-01T22:00:00+05:00",
    })
}

/// The official results, without the log position (which observations advance).
async fn official(e: &Env) -> Value {
    let (s, _, mut v) = call(e, get(&format!("{E}/results"))).await;
    assert_eq!(s, StatusCode::OK);
    for k in ["tree_size", "root_hash", "signed_size"] {
        v.as_object_mut().unwrap().remove(k);
    }
    let (_, _, outcome) = call(e, get(&format!("{E}/outcome"))).await;
    json!({"results": v, "outcome": outcome})
}

async fn observers(e: &Env) {
    let uri = format!("{E}/observations");
    let before = official(e).await;
    // 404 while the record holds no copy.
    assert_eq!(call(e, get(&format!("{E}/compare"))).await.0, StatusCode::NOT_FOUND);
    // 401, 403 (a commission, a cec token, an observer outside its unit), 404, 422.
    assert_eq!(call(e, post(&uri, None, None, &copy_s005(800))).await.0, StatusCode::UNAUTHORIZED);
    let (s, _, v) = call(e, post(&uri, Some(&e.commission_r1), None, &copy_s005(800))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(v["message"].as_str().unwrap().contains("a commission token may not"), "{v}");
    assert_eq!(
        call(e, post(&uri, Some(&e.cec), None, &copy_s005(800))).await.0,
        StatusCode::FORBIDDEN
    );
    let mut outside = copy_s005(800);
    outside["unit"] = json!("S001");
    let (s, _, v) = call(e, post(&uri, Some(&e.observer_r2), None, &outside)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let mut unknown = copy_s005(800);
    unknown["contest"] = json!("mayor");
    assert_eq!(
        call(e, post(&uri, Some(&e.observer_r2), None, &unknown)).await.0,
        StatusCode::NOT_FOUND
    );
    let mut bad = copy_s005(800);
    bad["lines"]["gamma"] = json!(1);
    let (s, _, v) = call(e, post(&uri, Some(&e.observer_r2), None, &bad)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["message"].as_str().unwrap().contains("line \"gamma\""), "{v}");
    let mut bad = copy_s005(800);
    bad["photo_sha256"] = json!("xyz");
    let (s, _, v) = call(e, post(&uri, Some(&e.observer_r2), None, &bad)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["message"].as_str().unwrap().contains("photo_sha256"), "{v}");
    // An observer token may not enter protocols.
    let protocol = json!({"contest": "president", "unit": "S005", "lines": {"alpha": 1}});
    assert_eq!(
        call(e, post(&format!("{E}/protocols"), Some(&e.observer_r2), None, &protocol)).await.0,
        StatusCode::FORBIDDEN
    );
    // 201 with a receipt, signed; a retry with the same key gets it back.
    let (s, h, r) =
        call(e, post(&uri, Some(&e.observer_r2), Some("copy-S005"), &copy_s005(800))).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert!(h.get("idempotent-replayed").is_none());
    assert_eq!((r["observer"].as_str(), r["version"].as_u64()), (Some("adil-soz"), Some(1)));
    assert_eq!((r["log_index"].as_u64(), r["tree_size"].as_u64()), (Some(8), Some(9)));
    assert!(r["checkpoint"].as_str().unwrap().contains("\n9\n"));
    let (s, h, r2) =
        call(e, post(&uri, Some(&e.observer_r2), Some("copy-S005"), &copy_s005(800))).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(h.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(r2["leaf_hash"], r["leaf_hash"]);
    assert_eq!(
        call(e, post(&uri, Some(&e.observer_r2), Some("copy-S005"), &copy_s005(801))).await.0,
        StatusCode::CONFLICT
    );
    // 409: the same copy again, or a later one without a reason; with a reason, version 2.
    let (s, _, v) = call(e, post(&uri, Some(&e.observer_r2), None, &copy_s005(800))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(
        call(e, post(&uri, Some(&e.observer_r2), None, &copy_s005(810))).await.0,
        StatusCode::CONFLICT
    );
    let mut later = copy_s005(810);
    later["reason"] = json!("the first photo was blurred; the signed copy says 810");
    let (s, _, v) = call(e, post(&uri, Some(&e.observer_r2), None, &later)).await;
    assert_eq!((s, v["version"].as_u64()), (StatusCode::CREATED, Some(2)), "{v}");
    // An observer's count of voters.
    let t = json!({"unit": "S006", "hour": "11:30", "voters": 210, "time": "2026-03-01T11:35:00+05:00"});
    let tu = format!("{E}/observed-turnout");
    let (s, _, v) = call(e, post(&tu, Some(&e.observer_r2), None, &t)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(call(e, post(&tu, Some(&e.observer_r2), None, &t)).await.0, StatusCode::CONFLICT);
    assert_eq!(call(e, post(&tu, Some(&e.commission_r1), None, &t)).await.0, StatusCode::FORBIDDEN);
    let mut late = t.clone();
    late["hour"] = json!("24:10");
    assert_eq!(
        call(e, post(&tu, Some(&e.observer_r2), None, &late)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // The public list: copies with photo hashes, no names of the people who entered them.
    let (s, _, list) = call(e, get(&format!("{uri}?unit=S005"))).await;
    assert_eq!(s, StatusCode::OK);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["photo_sha256"], "c0".repeat(32));
    assert_eq!(list[1]["reason"], "the first photo was blurred; the signed copy says 810");
    assert!(list.iter().all(|c| c.get("author").is_none()), "{list:?}");
    assert!(!serde_json::to_string(&list).unwrap().contains("Aigerim"));

    // The comparison: the latest copy (810) against the protocol (900).
    let (s, _, c) = call(e, get(&format!("{E}/compare?contest=president"))).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(
        (
            c["stations_compared"].as_u64(),
            c["stations_missing"].as_u64(),
            c["stations_differing"].as_u64()
        ),
        (Some(1), Some(6), Some(1))
    );
    assert_eq!(c["abs_diff"], 180, "|900 − 810| + |380 − 470|");
    assert_eq!(
        c["stations"].as_array().unwrap().iter().filter(|x| x["status"] == "differs").count(),
        1
    );
    assert_eq!(c["observers"], json!(["adil-soz"]));
    let by_unit = c["contests"][0]["by_unit"].as_array().unwrap();
    let r2 = by_unit.iter().find(|u| u["unit"] == "R2").unwrap();
    assert_eq!((r2["stations_differing"].as_u64(), r2["abs_diff"].as_u64()), (Some(1), Some(180)));
    assert_eq!(
        c["contests"][0]["decision"]["official"],
        c["contests"][0]["decision"]["observer_copies_right"]
    );
    assert!(c["outcomes"]["observer_copies_right"]["contests"].is_array());
    assert!(!serde_json::to_string(&c).unwrap().contains("Aigerim"), "no personal data");
    assert_eq!(
        call(e, get(&format!("{E}/compare?observer=nobody"))).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(call(e, get("/api/v1/elections/nope/compare")).await.0, StatusCode::NOT_FOUND);

    // None of it changed the official results, and all of it verifies.
    assert_eq!(official(e).await, before, "observations changed the official results");
    let url = e.url.clone();
    tokio::task::spawn_blocking(move || {
        let mut store = Store::open(&url, OpenMode::Existing, ashyq_store::system_clock()).unwrap();
        let anchors = ashyq_record::verify::Anchors {
            key: Some(key().verifier_key("ashyq/test-2026-station").unwrap()),
            checkpoints: vec![],
            ..Default::default()
        };
        let problems: Vec<String> = store
            .verify(None, &anchors)
            .unwrap()
            .into_iter()
            .flat_map(|(_, v)| v.problems)
            .collect();
        assert_eq!(problems, Vec::<String>::new());
        let copies = store.observations("test-2026-station", None, Some("S005")).unwrap();
        assert!(copies[0].author.starts_with("Aigerim [token "), "{}", copies[0].author);
    })
    .await
    .unwrap();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

#[test]
fn observers_on_sqlite() {
    let e = sqlite_env();
    runtime().block_on(observers(&e));
}

#[test]
fn observers_on_postgres() {
    if let Some(e) = pg_env() {
        runtime().block_on(observers(&e));
    }
}

#[test]
fn the_observer_routes_are_described_for_openapi() {
    use utoipa::OpenApi as _;
    let doc = ashyq_server::observe::ObserveDoc::openapi();
    let paths: Vec<&String> = doc.paths.paths.keys().collect();
    for p in [
        "/api/v1/elections/{election}/observations",
        "/api/v1/elections/{election}/observed-turnout",
        "/api/v1/elections/{election}/compare",
    ] {
        assert!(paths.iter().any(|x| x.as_str() == p), "{p} missing from {paths:?}");
    }
}

//! The dashboard's HTML routes (the pages themselves are `ashyq-web`): the language from
//! `?lang=` or `Accept-Language`, the data from the live snapshot, and the same caching as the
//! JSON API — each page is rendered once per snapshot and language, kept gzip-compressed, and
//! answered with an ETag (`If-None-Match` → 304). Station pages add the protocol's version
//! history from the record; integrity pages run the forensics once per snapshot.
//!
//! Routes: see `ashyq_web::urls`. Static assets live under content-hashed URLs and are cached
//! for a year. Embeddable widgets (`/embed/…`) may be framed by any site; every other page
//! only by the dashboard itself.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use ashyq_web::{Ctx, ElectionData, Lang, ObserverCopies, ProtocolVersion, RecordState};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::error::ApiError;
use crate::live::Snapshot;
use crate::AppState;

/// The HTML routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(list))
        .route("/e/{election}", get(election))
        .route("/e/{election}/what-if", get(what_if))
        .route("/e/{election}/c/{contest}", get(contest))
        .route("/e/{election}/c/{contest}/integrity", get(integrity))
        .route("/e/{election}/c/{contest}/u/{unit}", get(unit))
        .route("/embed/e/{election}/c/{contest}/map", get(embed_map))
        .route("/embed/e/{election}/c/{contest}/u/{unit}", get(embed_unit))
        .route("/static/{file}", get(asset))
}

/// `?lang=`.
#[derive(Deserialize)]
pub struct PageQuery {
    /// `kk`, `ru` or `en`.
    pub lang: Option<String>,
}

fn lang(q: &PageQuery, headers: &HeaderMap) -> Lang {
    Lang::negotiate(
        q.lang.as_deref(),
        headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
    )
}

fn record(s: &Snapshot) -> RecordState {
    RecordState { size: s.size, root_hex: hex::encode(s.root), signed_size: s.signed_size }
}

fn data<'a>(s: &'a Snapshot, record: &'a RecordState) -> ElectionData<'a> {
    ElectionData {
        election: &s.election,
        tree: &s.tree,
        counts: s.counts(),
        rollups: s.rollups(),
        stations: &s.stations,
        arrivals: s.arrivals(),
        record,
    }
}

/// An HTML page; `frame_any` lets any site put it in an iframe (widgets).
fn html_response(
    status: StatusCode,
    body: Vec<u8>,
    gzip: Option<Vec<u8>>,
    etag: Option<&str>,
    frame_any: bool,
) -> Response {
    let mut resp = match gzip {
        Some(g) => {
            let mut r = Response::new(Body::from(g));
            r.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            r
        }
        None => Response::new(Body::from(body)),
    };
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding, accept-language"));
    // Pages are revalidated on every view (a 304 costs nothing: the ETag names the snapshot):
    // a reader who follows a link from a page that has just updated must not be shown an
    // older page from the browser's cache (stale-while-revalidate did exactly that).
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(if frame_any {
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors *"
        } else {
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'"
        }),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Some(e) = etag.and_then(|e| HeaderValue::from_str(e).ok()) {
        h.insert(header::ETAG, e);
    }
    resp
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")))
}

/// A page of one election's snapshot: rendered once per snapshot and language.
fn cached_page(
    headers: &HeaderMap,
    snap: &Snapshot,
    lang: Lang,
    key: &str,
    frame_any: bool,
    render: impl FnOnce() -> Result<String, ApiError>,
) -> Result<Response, ApiError> {
    let etag = format!("\"{}-{}-{}\"", snap.size, hex::encode(&snap.root[..8]), lang.code());
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let r = snap.rendered(&format!("page:{}:{key}", lang.code()), || {
        render().map(|s| (s.into_bytes(), "text/html; charset=utf-8"))
    })?;
    let gzip = accepts_gzip(headers).then(|| r.gzip.clone());
    Ok(html_response(StatusCode::OK, r.body.clone(), gzip, Some(&etag), frame_any))
}

fn not_found(lang: Lang, path: &str) -> Response {
    let body = ashyq_web::pages::not_found(&Ctx::new(lang, path));
    html_response(StatusCode::NOT_FOUND, body.into_bytes(), None, None, false)
}

fn snapshot(state: &AppState, election: &str) -> Option<Arc<Snapshot>> {
    state.views.get(election)
}

async fn list(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = lang(&q, &headers);
    let snaps: Vec<Arc<Snapshot>> =
        state.views.elections().iter().filter_map(|e| state.views.get(e)).collect();
    let records: Vec<RecordState> = snaps.iter().map(|s| record(s)).collect();
    let listed: Vec<ashyq_web::pages::ListedElection<'_>> = snaps
        .iter()
        .zip(&records)
        .map(|(s, r)| ashyq_web::pages::ListedElection { data: data(s, r) })
        .collect();
    let body = ashyq_web::pages::election_list(&Ctx::new(lang, "/"), &listed);
    let gzip = accepts_gzip(&headers).then(|| gzip(body.as_bytes()));
    html_response(StatusCode::OK, body.into_bytes(), gzip, None, false)
}

fn gzip(body: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = e.write_all(body);
    e.finish().unwrap_or_default()
}

async fn election(
    State(state): State<AppState>,
    Path(e): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = lang(&q, &headers);
    let path = ashyq_web::urls::election(&e);
    let Some(s) = snapshot(&state, &e) else { return Ok(not_found(lang, &path)) };
    cached_page(&headers, &s, lang, &path, false, || {
        let rec = record(&s);
        Ok(ashyq_web::pages::election_page(&Ctx::new(lang, &path), &data(&s, &rec)))
    })
}

async fn what_if(
    State(state): State<AppState>,
    Path(e): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = lang(&q, &headers);
    let path = ashyq_web::urls::what_if(&e);
    let Some(s) = snapshot(&state, &e) else { return Ok(not_found(lang, &path)) };
    cached_page(&headers, &s, lang, &path, false, || {
        let rec = record(&s);
        Ok(ashyq_web::pages::what_if_page(&Ctx::new(lang, &path), &data(&s, &rec)))
    })
}

async fn contest(
    State(state): State<AppState>,
    Path((e, c)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = lang(&q, &headers);
    let path = ashyq_web::urls::contest(&e, &c);
    let Some(s) = snapshot(&state, &e) else { return Ok(not_found(lang, &path)) };
    let Some(ci) = s.election.contest_index(&c) else { return Ok(not_found(lang, &path)) };
    cached_page(&headers, &s, lang, &path, false, || {
        let rec = record(&s);
        let territory = s.election.contests()[ci].territory();
        Ok(ashyq_web::pages::contest_page(&Ctx::new(lang, &path), &data(&s, &rec), ci, territory))
    })
}

async fn unit(
    State(state): State<AppState>,
    Path((e, c, u)): Path<(String, String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = lang(&q, &headers);
    let path = ashyq_web::urls::unit(&e, &c, &u);
    let Some(s) = snapshot(&state, &e) else { return Ok(not_found(lang, &path)) };
    let Some(ci) = s.election.contest_index(&c) else { return Ok(not_found(lang, &path)) };
    let Some(ui) = ashyq_web::pages::unit_in_contest(&s.tree, &s.election, ci, &u) else {
        return Ok(not_found(lang, &path));
    };
    let rec = record(&s);
    if !ashyq_web::pages::is_station(&data(&s, &rec), ci, ui) {
        return cached_page(&headers, &s, lang, &path, false, || {
            Ok(ashyq_web::pages::contest_page(&Ctx::new(lang, &path), &data(&s, &rec), ci, ui))
        });
    }
    // A station: its version history comes from the record (one indexed read).
    let (e2, c2, u2) = (e.clone(), c.clone(), u.clone());
    let history = state
        .pool
        .run(move |store| {
            let h = store.history(&e2, &c2, &u2)?;
            Ok(h.into_iter()
                .map(|v| ProtocolVersion {
                    version: v.version,
                    author: v.author,
                    time: v.time,
                    reason: v.reason,
                    findings: v.findings,
                    values: v.values,
                    log_index: v.log_index,
                    signature_key: v.signature.map(|s| s.key),
                })
                .collect::<Vec<_>>())
        })
        .await?;
    let observers = observer_copies(&state, &e, &c, &u).await;
    cached_page(&headers, &s, lang, &path, false, || {
        Ok(ashyq_web::pages::station_page(
            &Ctx::new(lang, &path),
            &data(&s, &rec),
            ci,
            ui,
            &history,
            &observers,
        ))
    })
}

/// Observers' copies of a protocol: each observer's latest copy (the station page shows them
/// line by line against the official protocol, with every mismatch). A failure to read them is
/// logged and the page says they are not available rather than failing.
async fn observer_copies(
    state: &AppState,
    election: &str,
    contest: &str,
    unit: &str,
) -> ObserverCopies {
    let (e, c, u) = (election.to_owned(), contest.to_owned(), unit.to_owned());
    let read = state.pool.run(move |store| Ok(store.observations(&e, Some(&c), Some(&u))?)).await;
    match read {
        Ok(all) => {
            let mut latest: std::collections::BTreeMap<String, ashyq_store::Observation> =
                std::collections::BTreeMap::new();
            for o in all {
                if latest.get(&o.observer).is_none_or(|prev| prev.version < o.version) {
                    latest.insert(o.observer.clone(), o);
                }
            }
            ObserverCopies::Copies(
                latest
                    .into_values()
                    .map(|o| ashyq_web::ObserverCopy {
                        observer: o.observer,
                        time: o.time,
                        values: o.values,
                    })
                    .collect(),
            )
        }
        Err(err) => {
            tracing::warn!(error = ?err, "reading observer copies failed");
            ObserverCopies::NotStored
        }
    }
}

async fn integrity(
    State(state): State<AppState>,
    Path((e, c)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = lang(&q, &headers);
    let path = ashyq_web::urls::integrity(&e, &c);
    let Some(s) = snapshot(&state, &e) else { return Ok(not_found(lang, &path)) };
    let Some(ci) = s.election.contest_index(&c) else { return Ok(not_found(lang, &path)) };
    // The forensics (Monte Carlo, model fit) run once per snapshot, off the async threads.
    let report_key = format!("{e}:{}:{}:{ci}", s.size, hex::encode(s.root));
    let report = {
        let s2 = Arc::clone(&s);
        tokio::task::spawn_blocking(move || forensics(&s2, ci, &report_key))
            .await
            .map_err(|e| ApiError::internal("forensics task", e))?
    };
    cached_page(&headers, &s, lang, &path, false, || {
        let rec = record(&s);
        Ok(ashyq_web::pages::integrity_page(
            &Ctx::new(lang, &path),
            &data(&s, &rec),
            ci,
            report.as_deref(),
        ))
    })
}

/// The forensics report of contest `ci`, computed once per snapshot; `None` when the contest
/// has no polling-station protocols (national or regional totals only: a fingerprint of a few
/// regions would mean nothing).
fn forensics(s: &Snapshot, ci: usize, key: &str) -> Option<Arc<ashyq_forensics::Report>> {
    type Cache = Mutex<HashMap<String, Option<Arc<ashyq_forensics::Report>>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(r) = cache.lock().ok().and_then(|m| m.get(key).cloned()) {
        return r;
    }
    let stations = s.counts()[ci]
        .rows()
        .filter(|(u, _)| s.tree.children(*u).is_empty() && s.tree.unit(*u).kind == "station")
        .count();
    let report = if stations < 100 {
        None
    } else {
        let options = ashyq_forensics::Options { threads: 2, ..Default::default() };
        ashyq_forensics::analyse(&s.election, &s.tree, &s.counts()[ci], ci, &options)
            .ok()
            .map(Arc::new)
    };
    if let Ok(mut m) = cache.lock() {
        if m.len() >= 32 {
            m.clear();
        }
        m.insert(key.to_owned(), report.clone());
    }
    report
}

async fn embed_map(
    State(state): State<AppState>,
    Path((e, c)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = lang(&q, &headers);
    let path = ashyq_web::urls::embed_map(&e, &c);
    let Some(s) = snapshot(&state, &e) else { return Ok(not_found(lang, &path)) };
    let Some(ci) = s.election.contest_index(&c) else { return Ok(not_found(lang, &path)) };
    let rec = record(&s);
    if ashyq_web::pages::embed_map(&Ctx::new(lang, &path), &data(&s, &rec), ci).is_none() {
        return Ok(not_found(lang, &path));
    }
    cached_page(&headers, &s, lang, &path, true, || {
        ashyq_web::pages::embed_map(&Ctx::new(lang, &path), &data(&s, &rec), ci)
            .ok_or_else(|| ApiError::not_found("no map for this contest"))
    })
}

async fn embed_unit(
    State(state): State<AppState>,
    Path((e, c, u)): Path<(String, String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = lang(&q, &headers);
    let path = ashyq_web::urls::embed_unit(&e, &c, &u);
    let Some(s) = snapshot(&state, &e) else { return Ok(not_found(lang, &path)) };
    let Some(ci) = s.election.contest_index(&c) else { return Ok(not_found(lang, &path)) };
    let Some(ui) = ashyq_web::pages::unit_in_contest(&s.tree, &s.election, ci, &u) else {
        return Ok(not_found(lang, &path));
    };
    cached_page(&headers, &s, lang, &path, true, || {
        let rec = record(&s);
        Ok(ashyq_web::pages::embed_unit(&Ctx::new(lang, &path), &data(&s, &rec), ci, ui))
    })
}

async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let path = format!("/static/{file}");
    let Some(a) = ashyq_web::assets::lookup(&path) else {
        return (StatusCode::NOT_FOUND, "no such asset\n").into_response();
    };
    let mut resp = if accepts_gzip(&headers) {
        let mut r = Response::new(Body::from(gzip(a.body.as_bytes())));
        r.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r
    } else {
        Response::new(Body::from(a.body))
    };
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(a.content_type));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    resp
}

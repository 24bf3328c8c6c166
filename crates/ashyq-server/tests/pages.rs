//! The dashboard's HTML routes through `app(state)` with `oneshot` (no browser; the browser
//! tests are `crates/ashyq-cli/tests/browser.rs`): languages, ETags, the station page's history,
//! 404s, static assets.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ashyq_server::{app, AppState, Config};
use ashyq_store::{ImportOptions, OpenMode, Signer, Store};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

fn setup() -> (axum::Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("r.db").display());
    let p = ashyq_package::read_package(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../ashyq-store/test_data/small"),
    )
    .unwrap();
    let key = Arc::new(Signer::from_seed([7; 32]));
    let mut store = Store::open(&url, OpenMode::Create, ashyq_store::system_clock()).unwrap();
    store.set_signer(Some(Arc::clone(&key)));
    store
        .import(&p.election, &p.tree, &p.counts, &ImportOptions::default(), &mut |_, _| {})
        .unwrap();
    drop(store);
    let mut config = Config::new(&url);
    config.signer = Some(key);
    let state = AppState::open(&config).unwrap();
    (app(state, Duration::from_secs(10)), dir)
}

async fn get(
    router: &axum::Router,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut b = Request::get(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let resp = router.clone().oneshot(b.body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let h = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, h, String::from_utf8(body).unwrap())
}

#[test]
fn pages_in_three_languages_cached_per_snapshot() {
    let (router, _dir) = setup();
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let e = "/e/test-2026-station/c/president";
        for (lang, word) in [("kk", "Нәтижелер"), ("ru", "Результаты"), ("en", "Results")]
        {
            let (s, h, body) = get(&router, &format!("{e}?lang={lang}"), &[]).await;
            assert_eq!(s, StatusCode::OK, "{body}");
            assert!(body.contains(&format!("<html lang=\"{lang}\">")), "{lang}");
            assert!(body.contains(word), "{lang}: {word}");
            assert!(h
                .get(header::ETAG)
                .unwrap()
                .to_str()
                .unwrap()
                .ends_with(&format!("-{lang}\"")));
            assert!(h.get(header::VARY).unwrap().to_str().unwrap().contains("accept-language"));
        }
        // Accept-Language when there is no ?lang, and 304 for the same snapshot and language.
        let (_, h, body) = get(&router, e, &[("accept-language", "ru-RU,ru;q=0.9")]).await;
        assert!(body.contains("<html lang=\"ru\">"));
        let etag = h.get(header::ETAG).unwrap().to_str().unwrap().to_owned();
        let (s, _, body) =
            get(&router, e, &[("accept-language", "ru"), ("if-none-match", &etag)]).await;
        assert_eq!((s, body.as_str()), (StatusCode::NOT_MODIFIED, ""));
        // Drill-down to a station: its protocol, history and the proof box pointing at the API.
        let (s, _, body) = get(&router, &format!("{e}/u/S001?lang=en"), &[]).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert!(body.contains(
            "data-proof=\"/api/v1/elections/test-2026-station/protocols/president/S001\""
        ));
        assert!(body.contains("data-history"));
        assert!(body.contains("data-line=\"registered\""));
        // Unknown things are 404 pages in the reader's language.
        let (s, _, body) = get(&router, "/e/nope?lang=kk", &[]).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(body.contains("Бет табылмады"));
        let (s, _, _) = get(&router, &format!("{e}/u/NOPE"), &[]).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // The list, what-if, integrity (no station-level forensics for 7 stations), widgets.
        for uri in [
            "/?lang=en",
            "/e/test-2026-station/what-if?lang=ru",
            &format!("{e}/integrity?lang=kk"),
            "/embed/e/test-2026-station/c/president/u/R1?lang=en",
        ] {
            let (s, _, body) = get(&router, uri, &[]).await;
            assert_eq!(s, StatusCode::OK, "{uri}: {body}");
        }
        // The what-if page says when each other rule set was the law, in the reader's language
        // (the election is of 1 March 2026, under kz-2022).
        let (_, _, body) = get(&router, "/e/test-2026-station/what-if?lang=ru", &[]).await;
        let main = &body[body.find("<main").unwrap()..];
        assert!(main.contains("data-what-if-warnings"), "{main}");
        assert!(main.contains("Применён свод правил kz-2007 (вступил в силу 1 мая 2007\u{a0}г., заменён 9 февраля 2009\u{a0}г.), но в день выборов, 1 марта 2026\u{a0}г., действовал kz-2022"), "{main}");
        assert!(!main.contains("lang=\"en\""), "{main}");
        let (_, h, _) = get(&router, "/embed/e/test-2026-station/c/president/u/R1", &[]).await;
        assert!(h
            .get(header::CONTENT_SECURITY_POLICY)
            .unwrap()
            .to_str()
            .unwrap()
            .contains("frame-ancestors *"));
        // Static assets under content-hashed URLs, cached for a year.
        let (s, h, css) = get(&router, ashyq_web::assets::style_url(), &[]).await;
        assert_eq!(s, StatusCode::OK);
        assert!(css.contains(":root"));
        assert!(h.get(header::CACHE_CONTROL).unwrap().to_str().unwrap().contains("immutable"));
        assert_eq!(get(&router, "/static/app.0000.js", &[]).await.0, StatusCode::NOT_FOUND);
    });
}

//! The dashboard in a real browser: starts `ashyq demo` (the bundled real elections and a
//! generated station-level election night) on a free port in a temporary folder, then runs the
//! Playwright tests of `web-tests/` (headless Debian Chromium, axe-core) against it: every page
//! in every language, the drill-down, one map shape per unit, the in-browser proof check on an
//! intact and a tampered record, and a live update after a protocol is submitted through the
//! API. Screenshots go to `target/browser-screenshots/` (CI keeps them as artefacts).
//!
//! Needs `/usr/bin/chromium`, `node` and `web-tests/node_modules` (`npm ci` in `web-tests/`;
//! `.ci/run` installs all three). Without them the test says "skipped" — and fails when `CI`
//! is set.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn chromium() -> PathBuf {
    std::env::var_os("ASHYQ_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/usr/bin/chromium".into())
}

/// Why the browser tests cannot run here, if they cannot.
fn missing() -> Option<String> {
    if !chromium().is_file() {
        return Some(format!(
            "{} is not installed (apt-get install chromium)",
            chromium().display()
        ));
    }
    if Command::new("node").arg("--version").output().map(|o| !o.status.success()).unwrap_or(true) {
        return Some("node is not installed".into());
    }
    if !repo().join("web-tests/node_modules/playwright-core").is_dir() {
        return Some("web-tests/node_modules is missing (run `npm ci` in web-tests/)".into());
    }
    None
}

struct Demo(Child);

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_dashboard_in_headless_chromium() {
    if let Some(why) = missing() {
        if std::env::var_os("CI").is_some() {
            panic!("CI is set but the browser tests cannot run: {why}");
        }
        eprintln!("skipped: {why}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // From a folder that is not the clone: the demo finds the bundled examples itself.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ashyq"))
        .args(["demo", "--stations", "2000", "--pending", "5"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _demo = Demo(child);
    let (mut base, mut token, mut unit, mut body, mut election) = (None, None, None, None, None);
    let started = Instant::now();
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("The dashboard is at ") {
            base = rest.split_whitespace().next().map(|s| s.trim_end_matches('/').to_owned());
        }
        if let Some(rest) = line.strip_prefix("The election night in progress: ") {
            election = rest.rsplit('/').next().map(str::to_owned);
        }
        if let Some(rest) = line.strip_prefix("Submit the protocol of station ") {
            unit = rest.split_whitespace().next().map(str::to_owned);
        }
        if line.trim_start().starts_with("curl -X POST") {
            body = line.split_once(" -d '").map(|(_, b)| b.trim_end_matches('\'').to_owned());
        }
        if let Some(rest) = line.strip_prefix("API token (cec, this election only): ") {
            token = Some(rest.trim().to_owned());
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(600), "the demo did not start");
    }
    // Keep reading what the demo prints, so that it never writes into a closed pipe.
    std::thread::spawn(move || for _ in lines {});
    let base = base.expect("the demo prints the dashboard's address");
    let shots = repo().join("target/browser-screenshots");
    let status = Command::new("node")
        .args(["--test", "--test-concurrency=1", "dashboard.test.mjs"])
        .current_dir(repo().join("web-tests"))
        .env("ASHYQ_BASE", &base)
        .env("ASHYQ_TOKEN", token.expect("the demo prints a token"))
        .env("ASHYQ_SYNTHETIC", election.expect("the demo names its synthetic election"))
        .env("ASHYQ_PENDING_UNIT", unit.expect("the demo names a pending station"))
        .env("ASHYQ_PENDING_BODY", body.expect("the demo prints a pending protocol"))
        .env("ASHYQ_SCREENSHOTS", &shots)
        .env("ASHYQ_CHROMIUM", chromium())
        .status()
        .unwrap();
    assert!(status.success(), "the browser tests failed (screenshots in {})", shots.display());
}

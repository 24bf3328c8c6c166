//! The server under load on loopback, each figure beside a peer measured in the same run:
//!
//! - **durable intake**: 64 clients POST station protocols (JSON) with a `cec` token to a signed
//!   record; each is answered 201 only after its group commit. Peer: the database alone doing
//!   one durable `INSERT` + commit per protocol — for SQLite a single writer (SQLite has one), for
//!   PostgreSQL `pgbench` with the same 64 clients. That is what a server committing each
//!   protocol on its own could reach at best, with no HTTP, JSON, checks, log or signature.
//! - **cached national results**: `wrk -t2 -c64` on `GET …/results` vs nginx serving the same
//!   JSON bytes as a static file, same `wrk` command.
//!
//! Run: `cargo bench -p ashyq-server --bench server` (prints a Markdown table for BENCHMARKS.md).
//! With `ASHYQ_TEST_POSTGRES` set, PostgreSQL is measured too. Needs `wrk`, `nginx` and, for
//! PostgreSQL, `pgbench` on PATH (each row says when a peer is missing).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ashyq_core::counts::ContestCounts;
use ashyq_generate::{Generator, Params, Sink};
use ashyq_server::{AppState, Config};
use ashyq_store::{ImportOptions, OpenMode, Role, Signer, Store};

const CLIENTS: usize = 64;

#[derive(Default)]
struct Protocols(BTreeMap<String, BTreeMap<String, u64>>);

impl Sink for Protocols {
    type Error = std::convert::Infallible;
    fn count(&mut self, _c: &str, unit: &str, line: &str, value: u64) -> Result<(), Self::Error> {
        self.0.entry(unit.to_owned()).or_default().insert(line.to_owned(), value);
        Ok(())
    }
    fn truth(&mut self, _s: &str, _stuffed: bool, _rounded: bool) -> Result<(), Self::Error> {
        Ok(())
    }
}

struct Running {
    addr: SocketAddr,
    election: String,
    token: String,
    rt: tokio::runtime::Runtime,
    _state: AppState,
}

/// A signed record holding the election's definition, served on a free loopback port.
fn start(url: &str, generator: &Generator) -> Running {
    let key = Arc::new(Signer::from_seed([9; 32]));
    let mut store = Store::open(url, OpenMode::Create, ashyq_store::system_clock()).unwrap();
    store.set_signer(Some(Arc::clone(&key)));
    let election = generator.election();
    let empty: Vec<ContestCounts> = election.contests().iter().map(ContestCounts::new).collect();
    store
        .import(election, generator.tree(), &empty, &ImportOptions::default(), &mut |_, _| {})
        .unwrap();
    let token = store.create_token(Role::Cec, None, None, "bench").unwrap().0;
    drop(store);
    let mut config = Config::new(url);
    config.signer = Some(key);
    config.per_address = ashyq_server::limit::Rate { per_second: 0.0, burst: 0.0 };
    config.per_token = ashyq_server::limit::Rate { per_second: 0.0, burst: 0.0 };
    let state = AppState::open(&config).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let served = state.clone();
    rt.spawn(async move {
        let _ = ashyq_server::serve(served, &config, listener).await;
    });
    Running { addr, election: election.id().to_string(), token, rt, _state: state }
}

/// POSTs every protocol from `CLIENTS` threads; protocols per second, all answered 201.
/// With `signed`, each protocol carries its precinct commission's Ed25519 signature (made
/// before the clock starts; the server checks every one).
fn intake(
    r: &Running,
    contest: &str,
    protocols: &[(String, BTreeMap<String, u64>)],
    signed: bool,
) -> f64 {
    let next = Arc::new(AtomicUsize::new(0));
    let bodies: Arc<Vec<String>> = Arc::new(
        protocols
            .iter()
            .enumerate()
            .map(|(i, (unit, lines))| {
                let mut lines = lines.clone();
                lines.entry("absentee".into()).or_insert(0);
                lines.entry("mobile".into()).or_insert(0);
                let mut body = serde_json::json!({"contest": contest, "unit": unit, "lines": lines, "acknowledge_warnings": true});
                if signed {
                    let mut seed = [0u8; 32];
                    seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
                    let pairs: Vec<(String, u64)> = lines.into_iter().collect();
                    let sig = Signer::from_seed(seed).sign_protocol(
                        &ashyq_record::statement::protocol_statement(&r.election, contest, unit, &pairs),
                    );
                    body["signature"] = serde_json::json!({"key": sig.key, "signature": sig.signature});
                }
                body.to_string()
            })
            .collect(),
    );
    let url = format!("http://{}/api/v1/elections/{}/protocols", r.addr, r.election);
    let t = Instant::now();
    let threads: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (next, bodies, url, token) =
                (Arc::clone(&next), Arc::clone(&bodies), url.clone(), r.token.clone());
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(Duration::from_secs(60)))
                    .build()
                    .into();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = bodies.get(i) else { return };
                    let mut resp = agent
                        .post(&url)
                        .header("Authorization", &format!("Bearer {token}"))
                        .content_type("application/json")
                        .send(body.as_str())
                        .unwrap();
                    let status = resp.status().as_u16();
                    let text = resp.body_mut().read_to_string().unwrap();
                    assert_eq!(status, 201, "{text}");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    protocols.len() as f64 / t.elapsed().as_secs_f64()
}

fn wrk(url: &str) -> Option<f64> {
    let out = Command::new("wrk").args(["-t2", "-c64", "-d10s", "--latency", url]).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("Requests/sec:"))?;
    let non2xx = text.lines().any(|l| l.contains("Non-2xx"));
    assert!(!non2xx, "wrk saw errors from {url}:\n{text}");
    line.split_whitespace().nth(1)?.parse().ok()
}

/// nginx serving `body` as a static file on a free port, for as long as the value lives.
struct Nginx {
    child: std::process::Child,
    _dir: tempfile::TempDir,
    port: u16,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its workers (SIGKILL would orphan them).
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }
}

fn nginx(body: &[u8]) -> Option<Nginx> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("results.json"), body).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let conf = format!(
        "daemon off; worker_processes 2; pid {d}/nginx.pid; error_log {d}/error.log; user root;\n\
         events {{ worker_connections 1024; }}\n\
         http {{ access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000;\n\
           client_body_temp_path {d}; proxy_temp_path {d}; fastcgi_temp_path {d}; uwsgi_temp_path {d}; scgi_temp_path {d};\n\
           server {{ listen 127.0.0.1:{port}; root {d}; default_type application/json; }} }}\n",
        d = dir.path().display()
    );
    std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
    let nginx = ["nginx", "/usr/sbin/nginx"]
        .into_iter()
        .find(|n| Command::new(n).arg("-v").stderr(Stdio::null()).status().is_ok())?;
    let child = Command::new(nginx)
        .args(["-p", &dir.path().display().to_string(), "-c"])
        .arg(dir.path().join("nginx.conf"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(Nginx { child, _dir: dir, port });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// One durable `INSERT` + commit per protocol, single writer, WAL with `synchronous=FULL` (the
/// settings of the record).
fn bare_sqlite(path: &Path, protocols: &[(String, BTreeMap<String, u64>)]) -> f64 {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE p (unit TEXT PRIMARY KEY, body TEXT NOT NULL);").unwrap();
    let t = Instant::now();
    for (unit, lines) in protocols {
        c.execute(
            "INSERT INTO p (unit, body) VALUES (?1, ?2)",
            (unit, serde_json::to_string(lines).unwrap()),
        )
        .unwrap();
    }
    protocols.len() as f64 / t.elapsed().as_secs_f64()
}

/// `pgbench` with 64 clients, each transaction one `INSERT` of a protocol-sized row + commit.
fn pgbench(base: &str) -> Option<f64> {
    let mut c = postgres::Client::connect(base, postgres::NoTls).ok()?;
    c.batch_execute("DROP TABLE IF EXISTS bench_intake; CREATE TABLE bench_intake (id bigserial PRIMARY KEY, unit text NOT NULL, body text NOT NULL)").ok()?;
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("insert.sql");
    std::fs::write(
        &script,
        "\\set u random(1, 100000000)\nINSERT INTO bench_intake (unit, body) VALUES ('ST-' || :u, '{\"registered\":1264,\"ballots_received\":1273,\"ballots_issued\":801,\"ballots_cancelled\":472,\"ballots_found\":801,\"invalid\":12,\"absentee\":0,\"mobile\":0,\"amanat\":431,\"auyl\":57,\"respublica\":71,\"akzhol\":62,\"npk\":55,\"baytak\":17,\"ndp\":44,\"against-all\":52}');\n",
    )
    .unwrap();
    let out = Command::new("pgbench")
        .args(["-n", "-c", "64", "-j", "2", "-T", "10", "-f"])
        .arg(&script)
        .arg(base)
        .output()
        .ok()?;
    let _ = c.batch_execute("DROP TABLE bench_intake");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("tps = "))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

fn results_body(r: &Running) -> Vec<u8> {
    let mut resp = ureq::get(&format!("http://{}/api/v1/elections/{}/results", r.addr, r.election))
        .call()
        .unwrap();
    resp.body_mut().read_to_vec().unwrap()
}

fn fmt(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.0}")).unwrap_or_else(|| "peer missing".into())
}

fn ratio(a: f64, b: Option<f64>) -> String {
    b.map(|b| format!("{:.2}", a / b)).unwrap_or_else(|| "–".into())
}

fn main() {
    let stations: u64 =
        std::env::var("ASHYQ_BENCH_STATIONS").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let params =
        Params { stations, contests: vec![ashyq_generate::Preset::Mazhilis], ..Params::default() };
    let generator = Generator::new(&params).unwrap();
    let mut sink = Protocols::default();
    generator.run(&mut sink, |_| {}).unwrap();
    let protocols: Vec<_> = sink.0.into_iter().collect();
    let contest = generator.election().contests()[0].id().to_string();
    let dir = tempfile::tempdir().unwrap();
    let mut backends =
        vec![("SQLite", format!("sqlite:{}", dir.path().join("r.db").display()), None)];
    if let Ok(base) = std::env::var("ASHYQ_TEST_POSTGRES") {
        let (schema, url) = ashyq_store::testing::pg_fresh_schema(&base).unwrap();
        backends.push(("PostgreSQL", url, Some((base, schema))));
    }
    println!(
        "{} station protocols, {CLIENTS} HTTP clients on loopback, signed record, 2-core machine shared with the load generator\n",
        protocols.len()
    );
    println!("| backend | ashyq serve: durable intake (201 after group commit) | peer: the database alone, one INSERT + commit per protocol | ratio | ashyq serve: cached national results (wrk -t2 -c64) | peer: nginx, same JSON as a static file | ratio |");
    println!("|---|---|---|---|---|---|---|");
    let mut signed_rows = Vec::new();
    for (name, url, pg) in backends {
        let running = start(&url, &generator);
        let ours = intake(&running, &contest, &protocols, false);
        let peer = match &pg {
            None => Some(bare_sqlite(&dir.path().join("bare.db"), &protocols)),
            Some((base, _)) => pgbench(base),
        };
        // Let the live view follow the last commits, then read.
        std::thread::sleep(Duration::from_millis(500));
        let body = results_body(&running);
        let reads =
            wrk(&format!("http://{}/api/v1/elections/{}/results", running.addr, running.election));
        let static_reads =
            nginx(&body).and_then(|n| wrk(&format!("http://127.0.0.1:{}/results.json", n.port)));
        println!(
            "| {name} | {ours:.0} protocols/s | {} protocols/s{} | {} | {} req/s | {} req/s | {} |",
            fmt(peer),
            if pg.is_some() { " (pgbench, 64 clients)" } else { " (single writer)" },
            ratio(ours, peer),
            fmt(reads),
            fmt(static_reads),
            reads.map(|r| ratio(r, static_reads)).unwrap_or_else(|| "–".into()),
        );
        let Running { rt, .. } = running;
        rt.shutdown_timeout(Duration::from_secs(1));
        if let Some((base, schema)) = pg {
            // The stores close with the state (dropped above); then the schema goes.
            ashyq_store::testing::pg_drop_schema(&base, &schema);
        }
        signed_rows.push((name, ours));
    }
    // The same intake with every protocol signed by its commission (a fresh record each).
    println!("\n| backend | intake, unsigned (above) | intake, each protocol signed by its precinct commission (Ed25519, checked before commit) | ratio |");
    println!("|---|---|---|---|");
    for (name, unsigned) in signed_rows {
        let (url, pg) = if name == "SQLite" {
            (format!("sqlite:{}", dir.path().join("signed.db").display()), None)
        } else {
            let base = std::env::var("ASHYQ_TEST_POSTGRES").unwrap();
            let (schema, url) = ashyq_store::testing::pg_fresh_schema(&base).unwrap();
            (url, Some((base, schema)))
        };
        let running = start(&url, &generator);
        let signed = intake(&running, &contest, &protocols, true);
        println!(
            "| {name} | {unsigned:.0} protocols/s | {signed:.0} protocols/s | {} |",
            ratio(signed, Some(unsigned))
        );
        let Running { rt, .. } = running;
        rt.shutdown_timeout(Duration::from_secs(1));
        if let Some((base, schema)) = pg {
            ashyq_store::testing::pg_drop_schema(&base, &schema);
        }
    }
}

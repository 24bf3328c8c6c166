//! Static snapshots for any web server or CDN (`ashyq publish`): every public document of the
//! API, rendered by the same functions, written as immutable files under a versioned folder, and a
//! small `current.json` pointing at the newest version — the way large results sites serve
//! election night from static hosting when readers outgrow one machine.
//!
//! ```text
//! OUT/current.json                          the pointer (rewritten atomically, never cached long)
//! OUT/v/VERSION/index.json                  = GET /api/v1/elections
//! OUT/v/VERSION/manifest.json               every file of the version: bytes and SHA-256
//! OUT/v/VERSION/E/results.json              = GET …/elections/E/results
//! OUT/v/VERSION/E/results/C/U.json          = `contests[0]` of GET …/results?contest=C&unit=U
//! OUT/v/VERSION/E/results.csv               = GET …/elections/E/results.csv
//! OUT/v/VERSION/E/outcome.json              = GET …/elections/E/outcome (its 409 body when checks fail)
//! OUT/v/VERSION/E/progress.json             = GET …/elections/E/progress
//! OUT/v/VERSION/E/export/cdf.json|cdf.xml|cdf-civics.xml
//! OUT/v/VERSION/E/checkpoint, E/key.txt     the signed checkpoint and verifier key (signed records)
//! OUT/v/VERSION/E/protocols/C/U.json        with `protocols`: = GET …/protocols/C/U
//! ```
//!
//! VERSION is the first 16 hex digits of the SHA-256 of every election's id, log size and root,
//! so publishing an unchanged record changes nothing, and a version folder, once renamed into
//! place, is never written again. A version is assembled in a hidden temporary folder and renamed
//! into place whole; `current.json` is replaced by rename after it. Unit documents carry no log
//! size (`index.json` and `current.json` do), so those whose totals have not changed since the
//! previous version are hard links to the previous version's files.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use ashyq_core::units::UnitIdx;
use ashyq_store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::json;
use crate::live::Snapshot;

/// What to publish.
#[derive(Clone, Debug, Default)]
pub struct PublishOptions {
    /// Elections to publish (empty: every election in the record).
    pub elections: Vec<String>,
    /// Per-unit result files down to this depth below each contest's territory (`None`: every
    /// unit, polling stations included).
    pub depth: Option<usize>,
    /// Also each station's protocol document with its version history and inclusion proof.
    pub protocols: bool,
    /// The time written into the CDF reports (RFC 3339).
    pub now: String,
}

/// `current.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Current {
    /// `ashyq-publish/1`.
    pub format: String,
    /// The version folder's name.
    pub version: String,
    /// The version folder, relative to `current.json`.
    pub path: String,
    /// When it was published.
    pub published_at: String,
    /// Each election as published.
    pub elections: Vec<PublishedElection>,
}

/// An election in a published version.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PublishedElection {
    /// Election id.
    pub id: String,
    /// Log size reflected.
    pub tree_size: u64,
    /// Root at that size, hex.
    pub root_hash: String,
    /// Latest signed checkpoint's size.
    pub signed_size: u64,
}

/// What a publication did.
#[derive(Clone, Debug, Serialize)]
pub struct Published {
    /// The pointer now in place.
    pub current: Current,
    /// False when the version already existed (nothing was written).
    pub new_version: bool,
    /// Files in the version.
    pub files: u64,
    /// Of which hard links to the previous version's identical files.
    pub linked: u64,
    /// Bytes in the version.
    pub bytes: u64,
}

/// Why publication failed.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The record refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A document could not be rendered.
    #[error("cannot render {what}: {message}")]
    Render {
        /// Which document.
        what: String,
        /// Why.
        message: String,
    },
}

const FORMAT: &str = "ashyq-publish/1";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PublishError + '_ {
    move |source| PublishError::Io { path: path.to_owned(), source }
}

/// The files of one version being assembled.
struct Writer {
    root: PathBuf,
    previous: Option<PathBuf>,
    manifest: BTreeMap<String, (u64, String)>,
    linked: u64,
}

impl Writer {
    fn write(&mut self, rel: &str, body: &[u8]) -> Result<(), PublishError> {
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(io(dir))?;
        }
        fs::write(&path, body).map_err(io(&path))?;
        self.manifest
            .insert(rel.to_owned(), (body.len() as u64, hex::encode(Sha256::digest(body))));
        Ok(())
    }

    /// Links `rel` to the previous version's file when `unchanged` and it exists there; writes
    /// `render()` otherwise.
    fn write_or_link(
        &mut self,
        rel: &str,
        unchanged: bool,
        render: impl FnOnce() -> Result<Vec<u8>, PublishError>,
    ) -> Result<(), PublishError> {
        if unchanged {
            if let Some(prev) = self.previous.as_ref().map(|p| p.join(rel)) {
                let path = self.root.join(rel);
                if let Some(dir) = path.parent() {
                    fs::create_dir_all(dir).map_err(io(dir))?;
                }
                if fs::hard_link(&prev, &path).is_ok() {
                    let body = fs::read(&path).map_err(io(&path))?;
                    self.manifest.insert(
                        rel.to_owned(),
                        (body.len() as u64, hex::encode(Sha256::digest(&body))),
                    );
                    self.linked += 1;
                    return Ok(());
                }
            }
        }
        let body = render()?;
        self.write(rel, &body)
    }
}

fn to_json(what: &str, v: &impl Serialize) -> Result<Vec<u8>, PublishError> {
    serde_json::to_vec(v)
        .map_err(|e| PublishError::Render { what: what.to_owned(), message: e.to_string() })
}

/// The version name of a set of elections at their log sizes and roots.
pub fn version_of(elections: &[PublishedElection]) -> String {
    let mut h = Sha256::new();
    for e in elections {
        h.update(format!("{} {} {}\n", e.id, e.tree_size, e.root_hash));
    }
    hex::encode(&h.finalize()[..8])
}

/// Reads `OUT/current.json`, if there is one.
pub fn current(out: &Path) -> Result<Option<Current>, PublishError> {
    let path = out.join("current.json");
    match fs::read(&path) {
        Ok(b) => serde_json::from_slice(&b).map(Some).map_err(|e| PublishError::Render {
            what: path.display().to_string(),
            message: format!("it is not a current.json this program wrote: {e}"),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(&path)(e)),
    }
}

/// Publishes the record's public documents under `out` (see the module documentation);
/// `progress(done, total)` is called as unit documents are written.
pub fn publish(
    store: &mut Store,
    out: &Path,
    options: &PublishOptions,
    progress: &dyn Fn(u64, u64),
) -> Result<Published, PublishError> {
    let ids = if options.elections.is_empty() {
        store.elections()?
    } else {
        let mut v = Vec::new();
        for e in &options.elections {
            v.push(store.election_id(Some(e))?);
        }
        v
    };
    let mut snapshots = Vec::new();
    for id in &ids {
        snapshots.push((id.clone(), Snapshot::read(store, id)?));
    }
    let elections: Vec<PublishedElection> = snapshots
        .iter()
        .map(|(id, s)| PublishedElection {
            id: id.clone(),
            tree_size: s.size,
            root_hash: hex::encode(s.root),
            signed_size: s.signed_size,
        })
        .collect();
    let version = version_of(&elections);
    let versions = out.join("v");
    let final_dir = versions.join(&version);
    let current_doc = Current {
        format: FORMAT.to_owned(),
        version: version.clone(),
        path: format!("v/{version}/"),
        published_at: options.now.clone(),
        elections: elections.clone(),
    };
    let previous = current(out)?;
    if final_dir.join("manifest.json").is_file() {
        if previous.as_ref().map(|c| &c.version) != Some(&version) {
            write_current(out, &current_doc)?;
        }
        let manifest: BTreeMap<String, (u64, String)> = serde_json::from_slice(
            &fs::read(final_dir.join("manifest.json")).map_err(io(&final_dir))?,
        )
        .unwrap_or_default();
        return Ok(Published {
            current: previous.filter(|c| c.version == version).unwrap_or(current_doc),
            new_version: false,
            files: manifest.len() as u64 + 1,
            linked: 0,
            bytes: manifest.values().map(|(b, _)| b).sum(),
        });
    }
    fs::create_dir_all(&versions).map_err(io(&versions))?;
    let tmp = versions.join(format!(".tmp-{version}-{}", std::process::id()));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    // What the previous version reflected, per election: unit documents that have not changed
    // since are links to its files.
    let prev_dir = previous.as_ref().map(|c| versions.join(&c.version)).filter(|d| d.is_dir());
    let prev_sizes: BTreeMap<String, (u64, String)> = previous
        .iter()
        .flat_map(|c| &c.elections)
        .map(|e| (e.id.clone(), (e.tree_size, e.root_hash.clone())))
        .collect();
    let mut w =
        Writer { root: tmp.clone(), previous: prev_dir, manifest: BTreeMap::new(), linked: 0 };
    let summaries: Vec<json::ElectionSummary> =
        snapshots.iter().map(|(id, s)| json::election_summary(s, id)).collect();
    w.write("index.json", &to_json("index.json", &summaries)?)?;
    let total: u64 = snapshots
        .iter()
        .map(|(_, s)| {
            s.election
                .contests()
                .iter()
                .map(|c| units_of(s, c.territory(), options.depth).len() as u64)
                .sum::<u64>()
        })
        .sum();
    let mut done = 0u64;
    for (id, s) in &snapshots {
        // A log that grew from the previous version keeps its earlier entries; one that did not
        // (a different or rolled-back record) links nothing.
        let since = prev_sizes
            .get(id)
            .filter(|(size, root)| root_at(store, id, *size, s).as_deref() == Some(root.as_str()))
            .map(|(size, _)| *size);
        publish_election(&mut w, store, id, s, options, since, &mut |n| {
            done += n;
            progress(done, total);
        })?;
    }
    let manifest = to_json("manifest.json", &w.manifest)?;
    let files = w.manifest.len() as u64 + 1;
    let bytes = w.manifest.values().map(|(b, _)| b).sum::<u64>();
    let linked = w.linked;
    w.write("manifest.json", &manifest)?;
    match fs::rename(&tmp, &final_dir) {
        Ok(()) => {}
        // Another publisher renamed the same version into place first: theirs is identical.
        Err(_) if final_dir.join("manifest.json").is_file() => {
            let _ = fs::remove_dir_all(&tmp);
        }
        Err(e) => return Err(io(&final_dir)(e)),
    }
    write_current(out, &current_doc)?;
    Ok(Published { current: current_doc, new_version: true, files, linked, bytes })
}

/// The root of the first `size` entries of an election's log, hex (`None` when the log is
/// shorter or the record cannot tell).
fn root_at(store: &mut Store, election: &str, size: u64, s: &Snapshot) -> Option<String> {
    if size == s.size {
        return Some(hex::encode(s.root));
    }
    if size == 0 || size > s.size {
        return None;
    }
    store.consistency(election, size, Some(s.size)).ok().map(|c| hex::encode(c.from_root))
}

fn units_of(s: &Snapshot, root: UnitIdx, depth: Option<usize>) -> Vec<UnitIdx> {
    match depth {
        None => s.tree.subtree(root),
        Some(d) => {
            let mut out = vec![root];
            let mut level = vec![root];
            for _ in 0..d {
                level = level.iter().flat_map(|&u| s.tree.children(u).iter().copied()).collect();
                out.extend(&level);
            }
            out
        }
    }
}

fn publish_election(
    w: &mut Writer,
    store: &mut Store,
    id: &str,
    s: &Snapshot,
    options: &PublishOptions,
    since: Option<u64>,
    progress: &mut dyn FnMut(u64),
) -> Result<(), PublishError> {
    let all: Vec<usize> = (0..s.election.contests().len()).collect();
    w.write(
        &format!("{id}/results.json"),
        &to_json("results", &json::results(s, id, &all, None, None))?,
    )?;
    let csv = json::results_csv(s, None)
        .map_err(|message| PublishError::Render { what: "results.csv".into(), message })?;
    w.write(&format!("{id}/results.csv"), csv.as_bytes())?;
    let outcome = match json::outcome(s)
        .map_err(|message| PublishError::Render { what: "outcome".into(), message })?
    {
        json::OutcomeDoc::Decided(v) | json::OutcomeDoc::FailedChecks(v) => v,
    };
    w.write(&format!("{id}/outcome.json"), &to_json("outcome", &outcome)?)?;
    w.write(&format!("{id}/progress.json"), &to_json("progress", &json::progress(s))?)?;
    for (format, _) in json::CDF_FORMATS {
        let body = json::cdf(s, format, &options.now)
            .unwrap_or_else(|| Err(format!("unknown format {format}")))
            .map_err(|message| PublishError::Render { what: format.to_owned(), message })?;
        w.write(&format!("{id}/export/{format}"), &body)?;
    }
    match store.latest_checkpoint(id) {
        Ok((_, note)) => {
            w.write(&format!("{id}/checkpoint"), note.as_bytes())?;
            let key = store.verifier_key(id)?;
            w.write(&format!("{id}/key.txt"), format!("{key}\n").as_bytes())?;
        }
        Err(StoreError::NotFound(_)) => {}
        Err(e) => return Err(e.into()),
    }
    for (c, contest) in s.election.contests().iter().enumerate() {
        let units = units_of(s, contest.territory(), options.depth);
        let cid = contest.id().as_str();
        for (i, &u) in units.iter().enumerate() {
            let uid = s.tree.unit(u).id.as_str();
            let unchanged = since.is_some_and(|since| s.changed[c][u] <= since);
            w.write_or_link(&format!("{id}/results/{cid}/{uid}.json"), unchanged, || {
                let units = json::unit_result(s, c, u).into_iter().collect();
                to_json(
                    "unit results",
                    &json::ContestResults { contest: json::contest_ref(s, c), units },
                )
            })?;
            if options.protocols && s.tree.children(u).is_empty() {
                let doc = json::protocol(store, s, id, c, u)?;
                if !doc.versions.is_empty() {
                    w.write(
                        &format!("{id}/protocols/{cid}/{uid}.json"),
                        &to_json("protocol", &doc)?,
                    )?;
                }
            }
            if i % 1024 == 1023 {
                progress(1024);
            }
        }
        progress(units.len() as u64 % 1024);
    }
    Ok(())
}

fn write_current(out: &Path, current: &Current) -> Result<(), PublishError> {
    let path = out.join("current.json");
    let tmp = out.join(format!(".current.json.{}", std::process::id()));
    let body = serde_json::to_vec_pretty(current).map_err(|e| PublishError::Render {
        what: "current.json".into(),
        message: e.to_string(),
    })?;
    let mut f = fs::File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(&body)
        .and_then(|()| f.write_all(b"\n"))
        .and_then(|()| f.sync_all())
        .map_err(io(&tmp))?;
    fs::rename(&tmp, &path).map_err(io(&path))
}

//! The live view of every election: a snapshot of the latest accepted protocols with their
//! roll-ups, identified by the log size and root it reflects (the ETag), kept current by
//! following the log (`Store::versions_since`) rather than re-reading every protocol, and
//! shared by all readers through an `Arc`. Every change is announced on a broadcast channel
//! (Server-Sent Events) and recorded per unit (`?since=TREE_SIZE` deltas).
//!
//! Two servers on one PostgreSQL each follow the log, so each serves what the other accepted
//! within one refresh interval.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use ashyq_core::counts::{ContestCounts, RollUp, Row};
use ashyq_core::election::Election;
use ashyq_core::line::Line;
use ashyq_core::units::{UnitIdx, UnitTree};
use ashyq_store::{Store, StoreError};
use serde::Serialize;
use tokio::sync::broadcast;

/// One election as of one log size.
pub struct Snapshot {
    /// The definition.
    pub election: Arc<Election>,
    /// The unit tree.
    pub tree: Arc<UnitTree>,
    /// Log entries reflected.
    pub size: u64,
    /// The log's root at that size.
    pub root: [u8; 32],
    /// The latest signed checkpoint's size.
    pub signed_size: u64,
    /// Latest row of each protocol, per contest.
    latest: Vec<BTreeMap<UnitIdx, Row>>,
    /// The counts (latest rows) per contest.
    pub counts: Vec<ContestCounts>,
    /// Roll-ups per contest (`Err` only if a sum overflowed, which writes refuse).
    pub rollups: Vec<Result<RollUp, String>>,
    /// Per contest and unit: the log size at which the unit's totals last changed.
    pub changed: Vec<Vec<u64>>,
    /// Polling stations (leaves) below each unit.
    pub stations: Arc<Vec<u64>>,
    /// Responses already rendered from this snapshot, by key.
    rendered: Mutex<HashMap<String, Arc<Rendered>>>,
}

/// A rendered response body and its gzip form.
pub struct Rendered {
    /// The body.
    pub body: Vec<u8>,
    /// The body, gzip-compressed (for clients that accept it).
    pub gzip: Vec<u8>,
    /// Media type.
    pub content_type: &'static str,
}

impl Snapshot {
    /// `"SIZE-ROOTHEX"`: the entity tag of everything rendered from this snapshot.
    pub fn etag(&self) -> String {
        format!("\"{}-{}\"", self.size, hex::encode(&self.root[..8]))
    }

    /// A rendered response, computed once per snapshot.
    pub fn rendered(
        &self,
        key: &str,
        render: impl FnOnce() -> Result<(Vec<u8>, &'static str), crate::error::ApiError>,
    ) -> Result<Arc<Rendered>, crate::error::ApiError> {
        if let Some(r) = self.rendered.lock().ok().and_then(|m| m.get(key).cloned()) {
            return Ok(r);
        }
        let (body, content_type) = render()?;
        let gzip = gzip(&body);
        let r = Arc::new(Rendered { body, gzip, content_type });
        if let Ok(mut m) = self.rendered.lock() {
            if m.len() > 4096 {
                m.clear();
            }
            m.insert(key.to_owned(), Arc::clone(&r));
        }
        Ok(r)
    }

    /// The totals of a contest at a unit, if any protocol lies below it.
    pub fn totals(&self, contest: usize, unit: UnitIdx) -> Option<&ashyq_core::counts::Totals> {
        self.rollups.get(contest)?.as_ref().ok()?.at(unit)
    }
}

fn gzip(body: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = e.write_all(body);
    e.finish().unwrap_or_default()
}

/// What changed, announced to live listeners.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LiveEvent {
    /// Election id.
    pub election: String,
    /// The log size now reflected.
    pub tree_size: u64,
    /// The log's root, hex.
    pub root_hash: String,
    /// The previous size.
    pub since: u64,
    /// Protocol versions accepted since.
    pub protocols: u64,
    /// Units whose totals changed (ids; at most 500, `truncated` says when more).
    pub units: Vec<String>,
    /// True when `units` was cut.
    pub truncated: bool,
}

/// Every election's current snapshot.
pub struct LiveViews {
    views: RwLock<HashMap<String, Arc<Snapshot>>>,
    events: broadcast::Sender<Arc<LiveEvent>>,
}

impl Default for LiveViews {
    fn default() -> Self {
        LiveViews { views: RwLock::new(HashMap::new()), events: broadcast::channel(1024).0 }
    }
}

impl LiveViews {
    /// The current snapshot of an election.
    pub fn get(&self, election: &str) -> Option<Arc<Snapshot>> {
        self.views.read().ok()?.get(election).cloned()
    }

    /// Election ids with a snapshot, sorted.
    pub fn elections(&self) -> Vec<String> {
        let mut v: Vec<String> =
            self.views.read().map(|m| m.keys().cloned().collect()).unwrap_or_default();
        v.sort();
        v
    }

    /// A receiver of change events.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveEvent>> {
        self.events.subscribe()
    }

    /// Brings every election's snapshot up to the log and announces what changed (blocking:
    /// call on a store thread).
    pub fn refresh(&self, store: &mut Store) -> Result<(), StoreError> {
        for e in store.elections()? {
            let state = store.log_state(&e)?;
            let current = self.get(&e);
            if current.as_ref().is_some_and(|s| s.size == state.size) {
                continue;
            }
            let (snapshot, event) = match current {
                Some(s) if s.size < state.size => advance(store, &e, &s, state)?,
                Some(s) => {
                    tracing::error!(election = %e, had = s.size, now = state.size, "the log shrank: the record was rolled back; reloading it");
                    (load(store, &e, state)?, None)
                }
                None => (load(store, &e, state)?, None),
            };
            if let Ok(mut m) = self.views.write() {
                m.insert(e.clone(), Arc::new(snapshot));
            }
            if let Some(ev) = event {
                let _ = self.events.send(Arc::new(ev));
            }
        }
        Ok(())
    }
}

fn stations_below(tree: &UnitTree) -> Vec<u64> {
    let mut n = vec![0u64; tree.len()];
    for &u in tree.topological_order().iter().rev() {
        if tree.children(u).is_empty() {
            n[u] += 1;
        }
        if let Some(p) = tree.unit(u).parent {
            n[p] += n[u];
        }
    }
    n
}

fn build(
    election: Arc<Election>,
    tree: Arc<UnitTree>,
    state: ashyq_store::LogState,
    latest: Vec<BTreeMap<UnitIdx, Row>>,
    changed: Vec<Vec<u64>>,
    stations: Arc<Vec<u64>>,
) -> Snapshot {
    let mut counts = Vec::with_capacity(latest.len());
    let mut rollups = Vec::with_capacity(latest.len());
    for (contest, rows) in election.contests().iter().zip(&latest) {
        let mut cc = ContestCounts::new(contest);
        for (&u, row) in rows {
            for (col, v) in row.iter().enumerate() {
                if let Some(v) = v {
                    let _ = cc.set(u, Line::from_column(col), *v);
                }
            }
        }
        rollups.push(cc.roll_up(&tree, contest.territory()).map_err(|e| e.to_string()));
        counts.push(cc);
    }
    Snapshot {
        election,
        tree,
        size: state.size,
        root: state.root,
        signed_size: state.signed_size,
        latest,
        counts,
        rollups,
        changed,
        stations,
        rendered: Mutex::new(HashMap::new()),
    }
}

impl Snapshot {
    /// An election's snapshot at the log's current size, read from the record (blocking).
    pub fn read(store: &mut Store, election: &str) -> Result<Snapshot, StoreError> {
        let state = store.log_state(election)?;
        load(store, election, state)
    }
}

fn load(store: &mut Store, e: &str, state: ashyq_store::LogState) -> Result<Snapshot, StoreError> {
    let (election, tree) = store.definition(e)?;
    let n_contests = election.contests().len();
    let stations = Arc::new(stations_below(&tree));
    let empty = Snapshot {
        election: Arc::new(election),
        tree: Arc::new(tree),
        size: 0,
        root: [0; 32],
        signed_size: 0,
        latest: vec![BTreeMap::new(); n_contests],
        counts: Vec::new(),
        rollups: Vec::new(),
        changed: Vec::new(),
        stations,
        rendered: Mutex::new(HashMap::new()),
    };
    Ok(advance(store, e, &empty, state)?.0)
}

/// The snapshot after the versions accepted since `from`, and the event announcing them.
fn advance(
    store: &mut Store,
    e: &str,
    from: &Snapshot,
    state: ashyq_store::LogState,
) -> Result<(Snapshot, Option<LiveEvent>), StoreError> {
    // Versions beyond the state read a moment ago belong to the next refresh.
    let new: Vec<_> =
        store.versions_since(e, from.size)?.into_iter().filter(|v| v.seq <= state.size).collect();
    let mut latest = from.latest.clone();
    let n_units = from.tree.len();
    let mut changed = if from.changed.is_empty() {
        vec![vec![0u64; n_units]; from.election.contests().len()]
    } else {
        from.changed.clone()
    };
    let mut units: Vec<UnitIdx> = Vec::new();
    for v in &new {
        latest[v.contest].insert(v.unit, v.row.clone());
        let mut u = Some(v.unit);
        while let Some(x) = u {
            if changed[v.contest][x] <= from.size {
                units.push(x);
            }
            changed[v.contest][x] = v.seq;
            u = from.tree.unit(x).parent;
        }
    }
    units.sort_unstable();
    units.dedup();
    let snapshot = build(
        Arc::clone(&from.election),
        Arc::clone(&from.tree),
        state,
        latest,
        changed,
        Arc::clone(&from.stations),
    );
    let event = (from.size > 0).then(|| LiveEvent {
        election: e.to_owned(),
        tree_size: snapshot.size,
        root_hash: hex::encode(snapshot.root),
        since: from.size,
        protocols: new.len() as u64,
        truncated: units.len() > 500,
        units: units.iter().take(500).map(|&u| snapshot.tree.unit(u).id.to_string()).collect(),
    });
    Ok((snapshot, event))
}

//! The live view of every election: a snapshot of the latest accepted protocols with their
//! roll-ups, identified by the log size and root it reflects (the ETag), kept current by
//! following the log (`Store::versions_since`) rather than re-reading every protocol, and
//! shared by all readers through an `Arc`. Every change is announced on a broadcast channel
//! (Server-Sent Events) and recorded per unit (`?since=TREE_SIZE` deltas).
//!
//! Two servers on one PostgreSQL each follow the log, so each serves what the other accepted
//! within one refresh interval.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use ashyq_core::counts::{ContestCounts, RollUp, Row, Totals};
use ashyq_core::election::Election;
use ashyq_core::line::{Line, ProtocolLine};
use ashyq_core::units::{UnitIdx, UnitTree};
use ashyq_store::{Store, StoreError};
use imbl::{OrdMap, Vector};
use serde::Serialize;
use tokio::sync::broadcast;

/// One election as of one log size.
///
/// Following the log costs what changed, not the size of the election: the latest rows live in
/// persistent maps and the per-unit totals and progress in persistent vectors (`imbl`), so a new
/// snapshot shares everything that did not change with the one before, and only the units above
/// a new protocol are recomputed. The whole-contest structures that the outcome, the CDF export,
/// the CSV and the pages need (`counts()`, `rollups()`) are built on first use, once per snapshot.
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
    rows: Vec<OrdMap<UnitIdx, Arc<Row>>>,
    /// Per contest and unit: totals and reporting progress (`None`: nothing reported in the
    /// unit's subtree).
    aggs: Vec<Vector<Option<Arc<UnitAgg>>>>,
    /// Per contest and unit: the log size at which the unit's totals last changed.
    pub changed: Vec<Vector<u64>>,
    /// Per contest: first versions (protocols received) by the second they were entered (Unix
    /// time), for the reporting-progress chart.
    arrivals: Vec<OrdMap<i64, u64>>,
    /// Polling stations (leaves) below each unit.
    pub stations: Arc<Vec<u64>>,
    /// Each unit's position in the tree's topological order (parents first).
    topo: Arc<Vec<usize>>,
    counts: OnceLock<Vec<ContestCounts>>,
    rollups: OnceLock<Vec<Result<RollUp, String>>>,
    arrivals_list: OnceLock<Vec<Vec<(i64, u64)>>>,
    /// Responses already rendered from this snapshot, by key.
    rendered: Mutex<HashMap<String, Arc<Rendered>>>,
}

/// A unit's totals and reporting progress in one contest, kept up to date incrementally with
/// the semantics of `ContestCounts::roll_up` and `ashyq_tally::progress` (tested against them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitAgg {
    /// The unit's totals: its children's sum when anything below it reported, else its own
    /// protocol.
    pub totals: Totals,
    /// Protocols expected below the unit at the level the record reports.
    pub expected: u64,
    /// Protocols received.
    pub reported: u64,
    /// Registered voters on them.
    pub registered_reported: u64,
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

    /// The totals of a contest at a unit, if any protocol lies below it (or is its own).
    pub fn totals(&self, contest: usize, unit: UnitIdx) -> Option<&Totals> {
        self.agg(contest, unit).map(|a| &a.totals)
    }

    /// A unit's totals and progress in a contest, if anything in its subtree reported.
    pub fn agg(&self, contest: usize, unit: UnitIdx) -> Option<&UnitAgg> {
        self.aggs.get(contest)?.get(unit)?.as_deref()
    }

    /// Reporting progress of a contest below a unit (`ashyq_tally::progress`, kept incrementally).
    pub fn progress(&self, contest: usize, unit: UnitIdx) -> ashyq_tally::Progress {
        match self.agg(contest, unit) {
            Some(a) => ashyq_tally::Progress {
                expected: a.expected,
                reported: a.reported,
                registered_reported: a.registered_reported,
            },
            None => ashyq_tally::Progress {
                expected: self.stations.get(unit).copied().unwrap_or(0),
                reported: 0,
                registered_reported: 0,
            },
        }
    }

    /// Per contest, protocols received over time: (Unix second, how many first versions were
    /// entered in it), in time order (built on first use, once per snapshot).
    pub fn arrivals(&self) -> &[Vec<(i64, u64)>] {
        self.arrivals_list.get_or_init(|| {
            self.arrivals.iter().map(|m| m.iter().map(|(&t, &n)| (t, n)).collect()).collect()
        })
    }

    /// The latest protocol rows of every contest (built on first use, once per snapshot).
    pub fn counts(&self) -> &[ContestCounts] {
        self.counts.get_or_init(|| {
            self.election
                .contests()
                .iter()
                .zip(&self.rows)
                .map(|(contest, rows)| {
                    let mut cc = ContestCounts::new(contest);
                    for (&u, row) in rows {
                        for (col, v) in row.iter().enumerate() {
                            if let Some(v) = v {
                                let _ = cc.set(u, Line::from_column(col), *v);
                            }
                        }
                    }
                    cc
                })
                .collect()
        })
    }

    /// Every contest rolled up its territory (built on first use, once per snapshot; `Err` only
    /// if a sum overflowed, which writes refuse).
    pub fn rollups(&self) -> &[Result<RollUp, String>] {
        self.rollups.get_or_init(|| {
            self.election
                .contests()
                .iter()
                .zip(self.counts())
                .map(|(c, cc)| cc.roll_up(&self.tree, c.territory()).map_err(|e| e.to_string()))
                .collect()
        })
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
    /// Bumped after every refresh that installed a snapshot (wakes [`LiveViews::wait_for`]).
    installed: tokio::sync::watch::Sender<u64>,
}

impl Default for LiveViews {
    fn default() -> Self {
        LiveViews {
            views: RwLock::new(HashMap::new()),
            events: broadcast::channel(1024).0,
            installed: tokio::sync::watch::channel(0).0,
        }
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

    /// Waits until the election's snapshot reflects at least `size` log entries, or `timeout`
    /// passes; true when it does.
    pub async fn wait_for(&self, election: &str, size: u64, timeout: std::time::Duration) -> bool {
        let mut installed = self.installed.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if self.get(election).is_some_and(|s| s.size >= size) {
                return true;
            }
            match tokio::time::timeout_at(deadline, installed.changed()).await {
                Ok(Ok(())) => {}
                _ => return self.get(election).is_some_and(|s| s.size >= size),
            }
        }
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
            let (snapshot, event, shrank) = match current {
                Some(s) if s.size < state.size => {
                    let (snapshot, event) = advance(store, &e, &s, state)?;
                    (snapshot, event, false)
                }
                Some(s) => {
                    tracing::error!(election = %e, had = s.size, now = state.size, "the log shrank: the record was rolled back; reloading it");
                    (load(store, &e, state)?, None, true)
                }
                None => (load(store, &e, state)?, None, false),
            };
            // Two refreshers may race (the writer's and a reader's): a snapshot never replaces
            // a newer one, except when the log shrank.
            let installed = match self.views.write() {
                Ok(mut m) => {
                    let newer = m.get(&e).is_none_or(|cur| shrank || cur.size < snapshot.size);
                    if newer {
                        m.insert(e.clone(), Arc::new(snapshot));
                    }
                    newer
                }
                Err(_) => false,
            };
            if installed {
                if let Some(ev) = event {
                    let _ = self.events.send(Arc::new(ev));
                }
                self.installed.send_modify(|n| *n += 1);
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

fn topological_positions(tree: &UnitTree) -> Vec<usize> {
    let mut pos = vec![0usize; tree.len()];
    for (i, &u) in tree.topological_order().iter().enumerate() {
        pos[u] = i;
    }
    pos
}

/// Recomputes the totals and progress of unit `u` of one contest from its children's and its
/// own protocol: `ContestCounts::roll_up` (a unit with anything reported below it totals its
/// children; otherwise its own protocol) and `ashyq_tally::progress` (a leaf, or a unit whose own
/// protocol covers a subtree where nothing else reported, counts as one expected protocol).
fn recompute(
    tree: &UnitTree,
    stations: &[u64],
    n_columns: usize,
    rows: &OrdMap<UnitIdx, Arc<Row>>,
    aggs: &Vector<Option<Arc<UnitAgg>>>,
    u: UnitIdx,
) -> Option<Arc<UnitAgg>> {
    let own = rows.get(&u);
    let children = tree.children(u);
    let reported_below: Vec<&UnitAgg> =
        children.iter().filter_map(|&c| aggs.get(c).and_then(|a| a.as_deref())).collect();
    if reported_below.is_empty() {
        let row = own?;
        let registered = row.get(ProtocolLine::Registered.column()).copied().flatten();
        return Some(Arc::new(UnitAgg {
            totals: Totals {
                values: row.to_vec(),
                protocols: 1,
                units_with_line: row.iter().map(|v| u32::from(v.is_some())).collect(),
            },
            expected: 1,
            reported: 1,
            registered_reported: registered.unwrap_or(0),
        }));
    }
    let mut totals = Totals {
        values: vec![Some(0); n_columns],
        protocols: 0,
        units_with_line: vec![0; n_columns],
    };
    for child in &reported_below {
        for (col, (a, b)) in totals.values.iter_mut().zip(&child.totals.values).enumerate() {
            *a = match (*a, *b) {
                (Some(x), Some(y)) => Some(x.checked_add(y).unwrap_or_else(|| {
                    tracing::error!(unit = %tree.unit(u).id, column = col, "a total overflows; the record refuses such writes");
                    u64::MAX
                })),
                _ => None,
            };
        }
        for (a, b) in totals.units_with_line.iter_mut().zip(&child.totals.units_with_line) {
            *a += b;
        }
        totals.protocols += child.totals.protocols;
    }
    // Children with nothing reported still expect their stations.
    let (mut expected, mut reported, mut registered) = (0u64, 0u64, 0u64);
    for &c in children {
        match aggs.get(c).and_then(|a| a.as_deref()) {
            Some(a) => {
                expected += a.expected;
                reported += a.reported;
                registered = registered.saturating_add(a.registered_reported);
            }
            None => expected += stations[c],
        }
    }
    Some(Arc::new(UnitAgg { totals, expected, reported, registered_reported: registered }))
}

/// Recomputes `dirty` units (and nothing else) bottom-up.
fn recompute_dirty(
    tree: &UnitTree,
    stations: &[u64],
    topo: &[usize],
    n_columns: usize,
    rows: &OrdMap<UnitIdx, Arc<Row>>,
    aggs: &mut Vector<Option<Arc<UnitAgg>>>,
    mut dirty: Vec<UnitIdx>,
) {
    dirty.sort_unstable_by_key(|&u| std::cmp::Reverse(topo[u]));
    dirty.dedup();
    for u in dirty {
        let a = recompute(tree, stations, n_columns, rows, aggs, u);
        aggs.set(u, a);
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
    let empty = Snapshot::empty(election, tree);
    Ok(advance(store, e, &empty, state)?.0)
}

impl Snapshot {
    /// An election with nothing reported, at log size 0.
    fn empty(election: Election, tree: UnitTree) -> Snapshot {
        let n_contests = election.contests().len();
        let n_units = tree.len();
        let stations = Arc::new(stations_below(&tree));
        let topo = Arc::new(topological_positions(&tree));
        Snapshot {
            election: Arc::new(election),
            tree: Arc::new(tree),
            size: 0,
            root: [0; 32],
            signed_size: 0,
            rows: vec![OrdMap::new(); n_contests],
            aggs: vec![std::iter::repeat_n(None, n_units).collect(); n_contests],
            changed: vec![std::iter::repeat_n(0u64, n_units).collect(); n_contests],
            arrivals: vec![OrdMap::new(); n_contests],
            stations,
            topo,
            counts: OnceLock::new(),
            rollups: OnceLock::new(),
            arrivals_list: OnceLock::new(),
            rendered: Mutex::new(HashMap::new()),
        }
    }
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
    let (rows, aggs, changed, arrivals, units) = apply(from, &new);
    let snapshot = Snapshot {
        election: Arc::clone(&from.election),
        tree: Arc::clone(&from.tree),
        size: state.size,
        root: state.root,
        signed_size: state.signed_size,
        rows,
        aggs,
        changed,
        arrivals,
        stations: Arc::clone(&from.stations),
        topo: Arc::clone(&from.topo),
        counts: OnceLock::new(),
        rollups: OnceLock::new(),
        arrivals_list: OnceLock::new(),
        rendered: Mutex::new(HashMap::new()),
    };
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

type Applied = (
    Vec<OrdMap<UnitIdx, Arc<Row>>>,
    Vec<Vector<Option<Arc<UnitAgg>>>>,
    Vec<Vector<u64>>,
    Vec<OrdMap<i64, u64>>,
    Vec<UnitIdx>,
);

/// `from`'s rows, totals and change marks with the new versions applied; and the units whose
/// totals changed. Costs what changed: the structures are shared with `from`.
fn apply(from: &Snapshot, new: &[ashyq_store::LoggedVersion]) -> Applied {
    let tree = &from.tree;
    let mut rows = from.rows.clone();
    let mut aggs = from.aggs.clone();
    let mut changed = from.changed.clone();
    let mut arrivals = from.arrivals.clone();
    let mut dirty: Vec<Vec<UnitIdx>> = vec![Vec::new(); rows.len()];
    let mut units: Vec<UnitIdx> = Vec::new();
    for v in new {
        if v.version == 1 {
            // A time the record accepted always parses; one that does not is left out of the
            // chart (verify names it), never a reason to stop serving results.
            if let Ok(t) = ashyq_record::Timestamp::parse(&v.at) {
                *arrivals[v.contest].entry(t.unix()).or_insert(0) += 1;
            }
        }
        rows[v.contest].insert(v.unit, Arc::new(v.row.clone()));
        let mut u = Some(v.unit);
        while let Some(x) = u {
            if changed[v.contest][x] <= from.size {
                units.push(x);
            }
            changed[v.contest].set(x, v.seq);
            dirty[v.contest].push(x);
            u = tree.unit(x).parent;
        }
    }
    for (c, d) in dirty.into_iter().enumerate() {
        if !d.is_empty() {
            let n_columns = ProtocolLine::COUNT + from.election.contests()[c].options().len();
            recompute_dirty(tree, &from.stations, &from.topo, n_columns, &rows[c], &mut aggs[c], d);
        }
    }
    units.sort_unstable();
    units.dedup();
    (rows, aggs, changed, arrivals, units)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use ashyq_generate::{Generator, Params, Sink};
    use ashyq_store::LoggedVersion;

    #[derive(Default)]
    struct Rows(Vec<(String, String, String, u64)>);

    impl Sink for Rows {
        type Error = std::convert::Infallible;
        fn count(&mut self, c: &str, u: &str, l: &str, v: u64) -> Result<(), Self::Error> {
            self.0.push((c.to_owned(), u.to_owned(), l.to_owned(), v));
            Ok(())
        }
        fn truth(&mut self, _: &str, _: bool, _: bool) -> Result<(), Self::Error> {
            Ok(())
        }
    }

    /// A tiny deterministic stream (the test needs variety, not quality).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, n: usize) -> usize {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((self.0 >> 33) % n as u64) as usize
        }
    }

    /// Following the log incrementally gives, at every unit and after every batch, exactly the
    /// totals of `ContestCounts::roll_up` and the progress of `ashyq_tally::progress` computed
    /// from scratch — with station protocols, summary protocols of districts and regions (alone
    /// and above reported stations), corrections, and lines left out.
    #[test]
    fn incremental_totals_and_progress_equal_the_full_computation() {
        let params = Params {
            stations: 300,
            contests: vec![ashyq_generate::Preset::Mazhilis, ashyq_generate::Preset::President],
            ..Params::default()
        };
        let g = Generator::new(&params).unwrap();
        let mut sink = Rows::default();
        g.run(&mut sink, |_| {}).unwrap();
        let (election, tree) = (g.election().clone(), g.tree().clone());
        // Each contest's generated station rows.
        let mut station_rows: Vec<Vec<(UnitIdx, Row)>> =
            vec![Vec::new(); election.contests().len()];
        for (ci, contest) in election.contests().iter().enumerate() {
            let mut cc = ContestCounts::new(contest);
            for (c, u, l, v) in &sink.0 {
                if c.as_str() == contest.id().as_str() {
                    let line = ProtocolLine::from_name(l)
                        .map(Line::Protocol)
                        .or_else(|| contest.option_index(l).map(Line::Option))
                        .unwrap();
                    cc.set(tree.index_of(u).unwrap(), line, *v).unwrap();
                }
            }
            station_rows[ci] = cc.rows().map(|(u, r)| (u, r.clone())).collect();
        }
        let mut rng = Lcg(7);
        let mut snap = Snapshot::empty(election.clone(), tree.clone());
        let mut seq = 0u64;
        for round in 0..40 {
            let mut batch = Vec::new();
            for _ in 0..1 + rng.next(25) {
                let ci = rng.next(station_rows.len());
                let contest = &election.contests()[ci];
                let (mut unit, mut row) =
                    station_rows[ci][rng.next(station_rows[ci].len())].clone();
                // Now and then a summary protocol of an ancestor (a district, a region).
                if rng.next(8) == 0 {
                    for _ in 0..1 + rng.next(2) {
                        if let Some(p) = tree.unit(unit).parent {
                            if p != contest.territory() {
                                unit = p;
                            }
                        }
                    }
                    for v in row.iter_mut().flatten() {
                        *v *= 3;
                    }
                }
                // Now and then a line left out, or a corrected value.
                if rng.next(6) == 0 {
                    let col = rng.next(row.len());
                    row[col] = None;
                }
                if rng.next(5) == 0 {
                    let col = rng.next(row.len());
                    row[col] = Some(rng.next(1000) as u64);
                }
                seq += 1;
                batch.push(LoggedVersion {
                    seq,
                    contest: ci,
                    unit,
                    version: 1,
                    row,
                    at: ashyq_record::Timestamp::from_unix(1_772_377_200 + (seq % 13) as i64 * 60)
                        .unwrap()
                        .to_string(),
                });
            }
            let (rows, aggs, changed, arrivals, _) = apply(&snap, &batch);
            snap = Snapshot {
                election: Arc::clone(&snap.election),
                tree: Arc::clone(&snap.tree),
                size: seq,
                root: [0; 32],
                signed_size: 0,
                rows,
                aggs,
                changed,
                arrivals,
                stations: Arc::clone(&snap.stations),
                topo: Arc::clone(&snap.topo),
                counts: OnceLock::new(),
                rollups: OnceLock::new(),
                arrivals_list: OnceLock::new(),
                rendered: Mutex::new(HashMap::new()),
            };
            // Every first version is one arrival, at the second it was entered.
            let arrived: u64 = (0..election.contests().len())
                .flat_map(|c| snap.arrivals()[c].iter().copied())
                .map(|(t, n)| {
                    assert_eq!((t - 1_772_377_200) % 60, 0);
                    n
                })
                .sum();
            assert_eq!(arrived, seq, "round {round}");
            for (ci, contest) in election.contests().iter().enumerate() {
                let cc = &snap.counts()[ci];
                let full = cc.roll_up(&tree, contest.territory()).unwrap();
                for u in tree.subtree(contest.territory()) {
                    assert_eq!(
                        snap.totals(ci, u),
                        full.at(u),
                        "round {round}, contest {ci}, unit {}",
                        tree.unit(u).id
                    );
                    assert_eq!(
                        snap.progress(ci, u),
                        ashyq_tally::progress(&tree, u, cc),
                        "round {round}, contest {ci}, unit {}",
                        tree.unit(u).id
                    );
                }
            }
        }
    }
}

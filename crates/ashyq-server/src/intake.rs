//! Durable intake with group commit: one writer thread owns a store and takes submissions from
//! a bounded queue; every submission already queued when it is free goes into one transaction
//! with one signed checkpoint (`Store::submit_many`), and each caller is answered only after that
//! transaction committed. A full queue answers 503 at once (back-pressure) instead of letting
//! latency grow without bound. A second thread, the follower, keeps the live view current
//! (woken after each commit, and every refresh interval for other servers' writes), so the
//! writer never waits for the view; handlers answer a write once the view shows it.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::Duration;

use ashyq_store::{
    Clock, ObservationInput, Observed, ObservedTurnoutInput, OpenMode, Receipt, Signer, Store,
    StoreError, Submission, Submitted,
};
use tokio::sync::oneshot;

use crate::live::LiveViews;

/// Work for the writer.
pub enum Job {
    /// A first submission of a protocol.
    Submit {
        /// Election id.
        election: String,
        /// The protocol.
        submission: Submission,
        /// Where the answer goes.
        reply: oneshot::Sender<Result<Submitted, StoreError>>,
    },
    /// A correction.
    Correct {
        /// Election id.
        election: String,
        /// The corrected lines and the reason.
        submission: Submission,
        /// Where the answer goes.
        reply: oneshot::Sender<Result<Submitted, StoreError>>,
    },
    /// An intraday turnout snapshot.
    Turnout {
        /// Election id.
        election: String,
        /// (unit, hour, voters, author, time).
        snapshot: (String, String, u64, String, String),
        /// Where the answer goes.
        reply: oneshot::Sender<Result<Vec<String>, StoreError>>,
    },
    /// An observer's copy of a protocol (consecutive copies of one election are group-committed).
    Observe {
        /// Election id.
        election: String,
        /// The copy.
        observation: ObservationInput,
        /// Where the answer goes.
        reply: oneshot::Sender<Result<Observed, StoreError>>,
    },
    /// An observer's own count of voters.
    ObserveTurnout {
        /// Election id.
        election: String,
        /// The count.
        count: ObservedTurnoutInput,
        /// Where the answer goes.
        reply: oneshot::Sender<Result<Receipt, StoreError>>,
    },
}

/// The queue to the writer.
#[derive(Clone)]
pub struct Intake {
    tx: SyncSender<Job>,
}

/// Why a job was not queued.
pub enum QueueError {
    /// The queue is full.
    Full,
    /// The writer stopped.
    Stopped,
}

impl Intake {
    /// Starts the writer on its own store.
    pub fn start(
        url: &str,
        clock: Clock,
        signer: Option<Arc<Signer>>,
        views: Arc<LiveViews>,
        capacity: usize,
        batch_max: usize,
        refresh: Duration,
    ) -> Result<Intake, StoreError> {
        let mut store = Store::open(url, OpenMode::Existing, clock.clone())?;
        store.set_signer(signer);
        let follower = Store::open(url, OpenMode::Existing, clock)?;
        let (tx, rx) = mpsc::sync_channel(capacity);
        // One pending poke is enough: the follower reads everything committed when it wakes.
        let (poke, poked) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("ashyq-follow".into())
            .spawn(move || follow(follower, poked, views, refresh))
            .map_err(|e| StoreError::Io(format!("cannot start the follower thread: {e}")))?;
        std::thread::Builder::new()
            .name("ashyq-intake".into())
            .spawn(move || writer(store, rx, poke, batch_max.max(1)))
            .map_err(|e| StoreError::Io(format!("cannot start the intake thread: {e}")))?;
        Ok(Intake { tx })
    }

    /// Queues a job.
    pub fn send(&self, job: Job) -> Result<(), QueueError> {
        self.tx.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) => QueueError::Full,
            TrySendError::Disconnected(_) => QueueError::Stopped,
        })
    }
}

/// A queued first submission: election, protocol, where its answer goes.
type Pending = (String, Submission, oneshot::Sender<Result<Submitted, StoreError>>);

/// Keeps the live view current: after each commit of this server's writer (woken at once) and
/// every `every` (other servers' writes, imports). Many commits during one refresh are read by the
/// next in one go, so the writer never waits for the view.
fn follow(mut store: Store, poked: Receiver<()>, views: Arc<LiveViews>, every: Duration) {
    loop {
        match poked.recv_timeout(every) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        if let Err(e) = views.refresh(&mut store) {
            tracing::warn!(error = %e, "following the log failed");
        }
    }
}

/// A queued observer's copy: election, copy, where its answer goes.
type PendingCopy = (String, ObservationInput, oneshot::Sender<Result<Observed, StoreError>>);

/// A group commit's failure, as each of its callers is told.
fn batch_error(e: &StoreError) -> StoreError {
    match e {
        StoreError::Key(m) => StoreError::Key(m.clone()),
        StoreError::Backend(b) => StoreError::Backend(b.clone()),
        other => StoreError::Backend(ashyq_store::BackendError {
            kind: ashyq_store::BackendErrorKind::Other,
            message: other.to_string(),
        }),
    }
}

/// Writes the queued copies of one election in one transaction.
fn flush_copies(store: &mut Store, pending: &mut Vec<PendingCopy>) {
    if pending.is_empty() {
        return;
    }
    let election = pending[0].0.clone();
    let copies: Vec<ObservationInput> = pending.iter().map(|p| p.1.clone()).collect();
    match store.observe_many(&election, &copies) {
        Ok(results) => {
            for ((_, _, reply), r) in pending.drain(..).zip(results) {
                let _ = reply.send(r);
            }
        }
        Err(e) => {
            tracing::error!(election = %election, error = %e, "a group commit of observer copies failed; every copy of it is refused");
            for (_, _, reply) in pending.drain(..) {
                let _ = reply.send(Err(batch_error(&e)));
            }
        }
    }
}

fn writer(mut store: Store, rx: Receiver<Job>, poke: SyncSender<()>, batch_max: usize) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < batch_max {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        // Consecutive submissions of one election go into one transaction.
        let mut pending: Vec<Pending> = Vec::new();
        let flush = |store: &mut Store, pending: &mut Vec<Pending>| {
            if pending.is_empty() {
                return;
            }
            let election = pending[0].0.clone();
            let subs: Vec<Submission> = pending.iter().map(|p| p.1.clone()).collect();
            match store.submit_many(&election, &subs) {
                Ok(results) => {
                    for ((_, _, reply), r) in pending.drain(..).zip(results) {
                        let _ = reply.send(r);
                    }
                }
                Err(e) => {
                    tracing::error!(election = %election, error = %e, "a group commit failed; every submission of it is refused");
                    let msg = e.to_string();
                    let kind = match &e {
                        StoreError::Backend(b) => b.kind,
                        _ => ashyq_store::BackendErrorKind::Other,
                    };
                    for (_, _, reply) in pending.drain(..) {
                        let _ = reply.send(Err(match &e {
                            StoreError::Key(m) => StoreError::Key(m.clone()),
                            _ => StoreError::Backend(ashyq_store::BackendError {
                                kind,
                                message: msg.clone(),
                            }),
                        }));
                    }
                }
            }
        };
        let mut copies: Vec<PendingCopy> = Vec::new();
        for job in batch {
            if !matches!(job, Job::Observe { .. }) {
                flush_copies(&mut store, &mut copies);
            }
            match job {
                Job::Observe { election, observation, reply } => {
                    flush(&mut store, &mut pending);
                    if copies.first().is_some_and(|p| p.0 != election) {
                        flush_copies(&mut store, &mut copies);
                    }
                    copies.push((election, observation, reply));
                }
                Job::ObserveTurnout { election, count, reply } => {
                    flush(&mut store, &mut pending);
                    let r = store.observe_turnout_all(&election, std::slice::from_ref(&count));
                    let _ = reply.send(match r {
                        Ok(Ok(mut receipts)) => receipts
                            .pop()
                            .ok_or_else(|| StoreError::Invalid("the count was not stored".into())),
                        Ok(Err(mut refused)) => {
                            Err(refused.pop().map(|(_, e)| e).unwrap_or_else(|| {
                                StoreError::Invalid("the count was refused".into())
                            }))
                        }
                        Err(e) => Err(e),
                    });
                }
                Job::Submit { election, submission, reply } => {
                    if pending.first().is_some_and(|p| p.0 != election) {
                        flush(&mut store, &mut pending);
                    }
                    pending.push((election, submission, reply));
                }
                Job::Correct { election, submission, reply } => {
                    flush(&mut store, &mut pending);
                    let _ = reply.send(store.correct(&election, &submission));
                }
                Job::Turnout { election, snapshot: (unit, hour, voters, author, time), reply } => {
                    flush(&mut store, &mut pending);
                    let _ = reply.send(
                        store.record_turnout(&election, &unit, &hour, voters, &author, &time),
                    );
                }
            }
        }
        flush(&mut store, &mut pending);
        flush_copies(&mut store, &mut copies);
        // The follower shows the writes (a full channel means a poke is already pending).
        let _ = poke.try_send(());
    }
}

//! Durable intake with group commit: one writer thread owns a store and takes submissions from
//! a bounded queue; every submission already queued when it is free goes into one transaction
//! with one signed checkpoint (`Store::submit_many`), and each caller is answered only after that
//! transaction committed. A full queue answers 503 at once (back-pressure) instead of letting
//! latency grow without bound.

use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::Arc;

use ashyq_store::{Clock, OpenMode, Signer, Store, StoreError, Submission, Submitted};
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
    ) -> Result<Intake, StoreError> {
        let mut store = Store::open(url, OpenMode::Existing, clock)?;
        store.set_signer(signer);
        let (tx, rx) = mpsc::sync_channel(capacity);
        std::thread::Builder::new()
            .name("ashyq-intake".into())
            .spawn(move || writer(store, rx, views, batch_max.max(1)))
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

fn writer(mut store: Store, rx: Receiver<Job>, views: Arc<LiveViews>, batch_max: usize) {
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
        for job in batch {
            match job {
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
        // Readers of this server see the writes at once (other servers within a refresh).
        if let Err(e) = views.refresh(&mut store) {
            tracing::error!(error = %e, "refreshing the live view after a write failed");
        }
    }
}

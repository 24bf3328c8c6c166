//! Database work runs off the async runtime: a fixed pool of open stores, each used by one
//! blocking task at a time (`tokio::task::spawn_blocking`). SQLite connections and the
//! synchronous PostgreSQL client are not shared between threads; a pool of a few connections
//! keeps readers from queueing behind one another.

use std::sync::{Arc, Condvar, Mutex};

use ashyq_store::{Clock, OpenMode, Store, StoreError};

use crate::error::ApiError;

/// A pool of open stores (of the record by default; the register's pool holds
/// `RegisterStore`s).
pub struct Pool<S = Store> {
    inner: Arc<(Mutex<Vec<S>>, Condvar)>,
}

impl<S> Clone for Pool<S> {
    fn clone(&self) -> Self {
        Pool { inner: Arc::clone(&self.inner) }
    }
}

impl Pool {
    /// Opens `n` stores on an existing record.
    pub fn open(url: &str, n: usize, clock: Clock) -> Result<Pool, StoreError> {
        let mut stores = Vec::with_capacity(n);
        for _ in 0..n.max(1) {
            stores.push(Store::open(url, OpenMode::Existing, clock.clone())?);
        }
        Ok(Pool::from_stores(stores))
    }
}

impl<S: Send + 'static> Pool<S> {
    /// A pool of stores opened by the caller (at least one).
    pub fn from_stores(stores: Vec<S>) -> Pool<S> {
        Pool { inner: Arc::new((Mutex::new(stores), Condvar::new())) }
    }

    /// Runs `f` with a store on a blocking thread.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut S) -> Result<T, ApiError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let (lock, cv) = &*inner;
            let mut store = {
                let mut g = lock.lock().map_err(|_| ApiError::internal("pool", "poisoned"))?;
                loop {
                    if let Some(s) = g.pop() {
                        break s;
                    }
                    g = cv.wait(g).map_err(|_| ApiError::internal("pool", "poisoned"))?;
                }
            };
            let res = f(&mut store);
            if let Ok(mut g) = lock.lock() {
                g.push(store);
            }
            cv.notify_one();
            res
        })
        .await
        .map_err(|e| ApiError::internal("blocking task", e))?
    }
}

//! In-memory copies of database data (the search index, the areas' spatial index), rebuilt when
//! the data's revision in the database moves. Each instance keeps its own; the revision, bumped
//! in the transaction of every change, keeps all instances on a shared database current.

use crate::app::error::ApiError;
use std::future::Future;
use std::sync::{Arc, RwLock};

pub struct RevisionCache<T> {
    current: RwLock<Option<(i64, Arc<T>)>>,
    /// One rebuild at a time; requests arriving meanwhile wait for it instead of repeating it.
    rebuilding: tokio::sync::Mutex<()>,
}

impl<T> Default for RevisionCache<T> {
    fn default() -> Self {
        RevisionCache { current: RwLock::new(None), rebuilding: tokio::sync::Mutex::new(()) }
    }
}

impl<T> RevisionCache<T> {
    fn cached(&self, revision: i64) -> Option<Arc<T>> {
        let current = self.current.read().expect("lock not poisoned");
        current.as_ref().filter(|(r, _)| *r == revision).map(|(_, value)| value.clone())
    }

    /// The copy for `revision`, built by `build` when this instance has none. `build` returns
    /// the revision its data is at, which may be newer than the one asked for.
    pub async fn get<F, Fut>(&self, revision: i64, build: F) -> Result<Arc<T>, ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(i64, T), ApiError>>,
    {
        if let Some(value) = self.cached(revision) {
            return Ok(value);
        }
        let _turn = self.rebuilding.lock().await;
        if let Some(value) = self.cached(revision) {
            return Ok(value);
        }
        let (built_at, value) = build().await?;
        let value = Arc::new(value);
        *self.current.write().expect("lock not poisoned") = Some((built_at, value.clone()));
        Ok(value)
    }
}

use crate::auth::tokens::TokenKeys;
use crate::config::Config;
use crate::geography::AreaMap;
use crate::metrics::Metrics;
use crate::problem::ApiError;
use crate::push::fcm::FcmClient;
use crate::search::CatalogueSearch;
use crate::storage::PhotoStore;
use actix_web::web;
use smartcity_db::{DbConn, DbError, Pool};
use std::sync::Arc;

/// What every handler shares: the pool, the token keys, the configuration.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub tokens: Arc<TokenKeys>,
    pub config: Arc<Config>,
    pub search: Arc<CatalogueSearch>,
    pub areas: Arc<AreaMap>,
    pub photos: Arc<PhotoStore>,
    /// Photos decoded at once, across all requests: one per core. Each takes up to its decoded
    /// size in memory (about 60 MB for 12 megapixels), so a burst of uploads waits its turn
    /// instead of exhausting memory.
    pub photo_permits: Arc<tokio::sync::Semaphore>,
    pub metrics: Arc<Metrics>,
    /// None without credentials: notifications stay in the inbox, pushes are skipped.
    pub fcm: Option<FcmClient>,
    /// Wakes the push workers after a change that may have queued pushes, so a push leaves
    /// within milliseconds instead of at the next poll.
    pub push_wakeup: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// Runs database work on the blocking thread pool: checkout and queries never run on the
    /// async workers (each is a single-threaded runtime that every request on it would wait for).
    pub async fn db<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, DbError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let result = web::block(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await?;
        result.map_err(ApiError::from)
    }
}

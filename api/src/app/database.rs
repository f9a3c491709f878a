//! The database as the use cases reach it: every checkout and query on the blocking pool, never
//! on the async workers (each is a single-threaded runtime that every request on it would wait
//! for), and every failure an `ApiError` that remembers the caller's line.

use crate::app::error::ApiError;
use smartcity_db::{DbConn, DbError, Pool};
use std::future::Future;
use std::panic::Location;

#[derive(Clone)]
pub struct Database {
    pub pool: Pool,
}

impl Database {
    /// Runs `work` with a connection of the pool, off the async workers.
    #[track_caller]
    pub fn run<T, F>(&self, work: F) -> impl Future<Output = Result<T, ApiError>> + use<T, F>
    where
        F: FnOnce(&mut DbConn) -> Result<T, DbError> + Send + 'static,
        T: Send + 'static,
    {
        let location = Location::caller();
        let pool = self.pool.clone();
        async move {
            let result = tokio::task::spawn_blocking(move || {
                let mut conn = pool.get()?;
                work(&mut conn)
            })
            .await;
            match result {
                Ok(Ok(value)) => Ok(value),
                Ok(Err(error)) => Err(ApiError::from(error).at(location)),
                Err(panicked) => Err(ApiError::from(panicked).at(location)),
            }
        }
    }
}

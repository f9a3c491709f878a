//! Removes stored photos that no complaint refers to: what a filing left behind when the
//! process died between storing its photos and committing its row. Failures the server sees
//! are cleaned up at once; this catches the rest. Safe on every instance at once: it only
//! deletes objects old enough that no filing can still be about to commit them.
//! It also ends the console's idle sign-ins, which a browser closed without signing out leaves.

use super::{every, JobError, Shutdown};
use crate::adapters::storage::PHOTO_KEY_PREFIX;
use crate::app::state::AppState;
use chrono::Utc;
use futures_util::TryStreamExt;
use smartcity_db::{complaints, web_sessions};
use std::collections::HashSet;
use std::time::Duration;

/// Older than any filing in flight: photos are stored moments before the row commits.
pub const ORPHAN_AGE: Duration = Duration::from_secs(15 * 60);

/// Deletes unreferenced photo objects older than `min_age`; returns how many.
pub async fn sweep_once(state: &AppState, min_age: Duration) -> Result<usize, JobError> {
    let cutoff = Utc::now() - chrono::Duration::from_std(min_age).unwrap_or(chrono::Duration::MAX);
    let candidates: Vec<String> = state
        .photos
        .list(PHOTO_KEY_PREFIX)
        .try_filter(|object| std::future::ready(object.last_modified < cutoff))
        .map_ok(|object| object.key)
        .try_collect()
        .await?;
    let mut removed = 0;
    for batch in candidates.chunks(500) {
        let keys = batch.to_vec();
        let referenced: HashSet<String> = state
            .db(move |conn| complaints::referenced_photo_keys(conn, &keys))
            .await?
            .into_iter()
            .collect();
        for key in batch.iter().filter(|k| !referenced.contains(*k)) {
            state.photos.delete(key).await?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// At most this many idle console sessions end per run; the next run takes the rest.
const IDLE_BATCH: i64 = 1000;

/// Ends console sessions unused for longer than `SMARTCITY_CONSOLE_IDLE_MINUTES` (they could
/// no longer be used anyway); returns how many.
pub async fn end_idle_console_sessions(state: &AppState) -> Result<usize, JobError> {
    let now = smartcity_db::now();
    let idle =
        chrono::Duration::from_std(state.config.console_idle).unwrap_or(chrono::Duration::MAX);
    let idle_since = now - idle;
    Ok(state.db(move |conn| web_sessions::end_idle(conn, idle_since, IDLE_BATCH, now)).await?)
}

/// Sweeps every `interval` until shutdown.
pub async fn run(state: AppState, shutdown: Shutdown, interval: Duration) {
    every(interval, shutdown, || async {
        match sweep_once(&state, ORPHAN_AGE).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "orphan photos removed"),
            Err(error) => tracing::warn!(%error, "orphan photo sweep failed; will retry"),
        }
        match end_idle_console_sessions(&state).await {
            Ok(0) => {}
            Ok(ended) => tracing::info!(ended, "idle console sessions ended"),
            Err(error) => tracing::warn!(%error, "ending idle console sessions failed; will retry"),
        }
    })
    .await
}

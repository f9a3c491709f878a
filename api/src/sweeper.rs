//! The periodic jobs. Removes stored photos that no complaint refers to: what a filing left behind when the
//! process died between storing its photos and committing its row. Failures the server sees
//! are cleaned up at once; this catches the rest. Safe on every instance at once: it only
//! deletes objects old enough that no filing can still be about to commit them.

use crate::state::AppState;
use crate::storage::PHOTO_KEY_PREFIX;
use chrono::Utc;
use futures_util::TryStreamExt;
use smartcity_db::complaints;
use std::collections::HashSet;
use std::time::Duration;

/// Older than any filing in flight: photos are stored moments before the row commits.
pub const ORPHAN_AGE: Duration = Duration::from_secs(15 * 60);

/// Deletes unreferenced photo objects older than `min_age`; returns how many.
pub async fn sweep_once(state: &AppState, min_age: Duration) -> Result<usize, String> {
    let cutoff = Utc::now() - chrono::Duration::from_std(min_age).map_err(|e| e.to_string())?;
    let candidates: Vec<String> = state
        .photos
        .list(PHOTO_KEY_PREFIX)
        .try_filter(|object| std::future::ready(object.last_modified < cutoff))
        .map_ok(|object| object.key)
        .try_collect()
        .await
        .map_err(|e| e.to_string())?;
    let mut removed = 0;
    for batch in candidates.chunks(500) {
        let keys = batch.to_vec();
        let referenced: HashSet<String> = state
            .db(move |conn| complaints::referenced_photo_keys(conn, &keys))
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .collect();
        for key in batch.iter().filter(|k| !referenced.contains(*k)) {
            state.photos.delete(key).await.map_err(|e| e.to_string())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Every `interval` for as long as the server runs: sweeps orphan photos, closes resolved
/// complaints whose reporter's week has passed, and reminds agencies of what is due.
pub async fn run(state: AppState, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    loop {
        ticker.tick().await;
        match sweep_once(&state, ORPHAN_AGE).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "orphan photos removed"),
            Err(error) => tracing::warn!(%error, "orphan photo sweep failed; will retry"),
        }
        match crate::auto_close::close_due(&state, Utc::now()).await {
            Ok(0) => {}
            Ok(closed) => {
                tracing::info!(closed, "resolved complaints closed after the week");
                state.push_wakeup.notify_one();
            }
            Err(error) => tracing::warn!(%error, "auto-close failed; will retry"),
        }
        match crate::reminders::remind(&state, Utc::now()).await {
            Ok(0) => {}
            Ok(sent) => {
                tracing::info!(sent, "reminders sent to agencies");
                state.push_wakeup.notify_one();
            }
            Err(error) => tracing::warn!(%error, "reminders failed; will retry"),
        }
    }
}

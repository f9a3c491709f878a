//! What the operator's probes and metrics read.

use crate::adapters::metrics::PushBacklog;
use crate::app::state::AppState;
use smartcity_db::outbox;
use std::time::Duration;

/// Whether the database serves data within a second.
pub async fn ready(state: &AppState) -> bool {
    let pool = state.pool.clone();
    let check = tokio::task::spawn_blocking(move || {
        smartcity_db::pool::check_ready(&pool, Duration::from_secs(1)).is_ok()
    });
    matches!(check.await, Ok(true))
}

/// The Prometheus text, with the push queue read now (its last values when the database does
/// not answer).
pub async fn metrics(state: &AppState) -> String {
    let backlog = state.db(outbox::backlog).await.ok().map(|(depth, oldest)| PushBacklog {
        depth,
        oldest_due_age_secs: oldest
            .map(|due| (smartcity_db::now() - due).num_seconds().max(0))
            .unwrap_or(0),
    });
    state.metrics.render(&state.pool, backlog)
}

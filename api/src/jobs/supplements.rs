//! Stops the dossiers whose citizen did not bring the documents asked for by the deadline
//! (status 8), through the same workflow as a supplement, with a notice to the followers.
//! Safe on every instance at once: each dossier is judged again with its row held.

use super::{every, Shutdown};
use crate::app::dossier_decisions::stop_missed_supplements;
use crate::app::state::AppState;
use std::time::Duration;

/// Stops what is past its deadline every `interval` until shutdown.
pub async fn run(state: AppState, shutdown: Shutdown, interval: Duration) {
    every(interval, shutdown, || async {
        match stop_missed_supplements(&state).await {
            Ok(0) => {}
            Ok(stopped) => {
                tracing::info!(stopped, "dossiers stopped: documents not brought in time")
            }
            Err(error) => {
                tracing::warn!(%error, "stopping dossiers past their deadline failed; will retry")
            }
        }
    })
    .await
}

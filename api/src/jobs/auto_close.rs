//! Closes resolved complaints once their reporter's week to rate or reopen has passed, through
//! the same workflow as every other step (actor: the system), with a notice to the reporter and
//! followers. Safe on every instance at once: a complaint another instance closed first is
//! refused by the state machine and skipped.

use super::{every, JobError, Shutdown};
use crate::app::complaints::events::{self, Recorder, Seen};
use crate::app::state::AppState;
use chrono::{DateTime, Utc};
use smartcity_db::complaints;
use smartcity_domain::complaint::{EventRequest, DEFAULT_REPORTER_WINDOW};
use std::time::Duration;

/// At most this many per run; the next run takes the rest.
const BATCH: i64 = 500;

/// Closes what is due at `now`; returns how many were closed.
pub async fn close_due(state: &AppState, now: DateTime<Utc>) -> Result<usize, JobError> {
    let cutoff = (now - DEFAULT_REPORTER_WINDOW).naive_utc();
    let due = state.db(move |conn| complaints::resolved_before(conn, cutoff, BATCH)).await?;
    let mut closed = 0;
    for complaint in due {
        match events::record(
            state,
            &complaint.id,
            Recorder::System { now },
            EventRequest::Closed,
            vec![],
            Seen::Anything,
        )
        .await
        {
            Ok(_) => closed += 1,
            Err(refused) if refused.code.status() < 500 => {
                tracing::warn!(id = %complaint.id, %refused, "automatic close refused");
            }
            Err(failed) => return Err(failed.into()),
        }
    }
    Ok(closed)
}

/// Closes what is due every `interval` until shutdown.
pub async fn run(state: AppState, shutdown: Shutdown, interval: Duration) {
    every(interval, shutdown, || async {
        match close_due(&state, Utc::now()).await {
            Ok(0) => {}
            Ok(closed) => tracing::info!(closed, "resolved complaints closed after the week"),
            Err(error) => tracing::warn!(%error, "automatic close failed; will retry"),
        }
    })
    .await
}

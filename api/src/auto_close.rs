//! Closes resolved complaints once their reporter's week to rate or reopen has passed, through
//! the same state machine and timeline as every other step (actor: the system), with a notice
//! to the reporter and followers. Safe on every instance at once: a complaint another instance
//! closed first is skipped (its status is no longer `resolved`).

use crate::problem::ApiError;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use smartcity_db::complaints::{self, EventOutcome, NewEvent};
use smartcity_db::places;
use smartcity_domain::complaint::{
    complaint_notice, decide, Actor, ComplaintState, ComplaintStatus, EventRequest,
    DEFAULT_REPORTER_WINDOW,
};

/// At most this many per run; the next run takes the rest.
const BATCH: i64 = 500;

/// Closes what is due at `now`; returns how many were closed.
pub async fn close_due(state: &AppState, now: DateTime<Utc>) -> Result<usize, ApiError> {
    let cutoff = (now - DEFAULT_REPORTER_WINDOW).naive_utc();
    let due = state.db(move |conn| complaints::resolved_before(conn, cutoff, BATCH)).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let categories = state.db(places::list_categories).await?;
    let mut closed = 0;
    for complaint in due {
        let Some(resolved_at) = complaint.resolved_at else { continue };
        let current = ComplaintState {
            status: ComplaintStatus::Resolved,
            status_since: resolved_at.and_utc(),
        };
        let transition = match decide(
            &current,
            &EventRequest::Closed,
            Actor::System,
            now,
            DEFAULT_REPORTER_WINDOW,
        ) {
            Ok(transition) => transition,
            Err(refusal) => {
                tracing::warn!(id = %complaint.id, ?refusal, "auto-close refused");
                continue;
            }
        };
        let category = categories.iter().find(|c| c.code == complaint.category_code);
        let notice = transition.notice.zip(category).map(|(kind, category)| {
            let mut notice = complaint_notice(kind, &complaint.id, category, None);
            notice.data.insert("status", ComplaintStatus::Closed.as_str().to_string());
            notice
        });
        let event = NewEvent {
            event_type: transition.event.kind().as_str().to_string(),
            actor_id: None,
            actor_role: "system".into(),
            agency_id: None,
            is_public: transition.public,
            body: None,
            data: "{}".into(),
            status_before: ComplaintStatus::Resolved.as_str().to_string(),
            status_after: transition.status.map(|s| s.as_str().to_string()),
            reassign_to: None,
            duplicate_of: None,
            rating: None,
            after_photos: Vec::new(),
            staff_notice: None,
        };
        let id = complaint.id.clone();
        let outcome = state
            .db(move |conn| {
                complaints::record_event(conn, &id, &event, notice.as_ref(), smartcity_db::now())
            })
            .await?;
        if outcome == EventOutcome::Recorded {
            closed += 1;
        }
    }
    Ok(closed)
}

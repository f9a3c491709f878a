//! Push workers: claim due rows of the outbox under a lease, send each to FCM, and record the
//! outcomes of a batch in one transaction. A worker that dies leaves its rows `sending` until
//! the lease runs out; then any worker claims them again, so nothing queued is lost (a push
//! may, rarely, go out twice: at least once, never never).

use super::{JobError, Shutdown};
use crate::adapters::fcm::{PushMessage, SendOutcome};
use crate::app::state::AppState;
use chrono::{NaiveDateTime, TimeDelta, Utc};
use futures_util::StreamExt;
use rand::Rng;
use smartcity_db::outbox::{self, Push, Settlement};
use smartcity_domain::push::{retry_delay, PushStatus};
use smartcity_domain::Lang;
use std::collections::BTreeMap;
use std::time::Duration;

const BATCH: i64 = 500;
/// Without a wake-up (pushes queued by another instance), how often an idle worker looks.
const IDLE_POLL: Duration = Duration::from_secs(1);
/// Sends of one worker in flight at once; the client bounds all workers together as well.
const CONCURRENT_SENDS: usize = 64;

/// Delivers until shutdown; a batch in flight is finished first.
pub async fn run(state: AppState, mut shutdown: Shutdown) {
    loop {
        match deliver_batch(&state, Utc::now().naive_utc()).await {
            Ok(0) => {
                tokio::select! {
                    _ = tokio::time::timeout(IDLE_POLL, state.wait_for_pushes()) => {}
                    _ = shutdown.requested() => return,
                }
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "push delivery failed; will retry");
                tokio::select! {
                    _ = tokio::time::sleep(IDLE_POLL) => {}
                    _ = shutdown.requested() => return,
                }
            }
        }
    }
}

/// Claims, sends and settles one batch of pushes due at `now`; returns how many.
pub async fn deliver_batch(state: &AppState, now: NaiveDateTime) -> Result<usize, JobError> {
    let lease = TimeDelta::from_std(state.config.push_lease).unwrap_or(TimeDelta::minutes(1));
    let lease_until = now + lease;
    let pushes = state
        .db(move |conn| {
            let claimed = outbox::claim(conn, now, lease_until, BATCH)?;
            outbox::load(conn, &claimed)
        })
        .await?;
    if pushes.is_empty() {
        return Ok(0);
    }
    let settled: Vec<(String, String, Settlement)> = futures_util::stream::iter(pushes)
        .map(|push| async move {
            let settlement = deliver(state, &push).await;
            state.metrics.count_push(outcome_label(&settlement));
            (push.id, push.device_token, settlement)
        })
        .buffer_unordered(CONCURRENT_SENDS)
        .collect()
        .await;
    let count = settled.len();
    state.db(move |conn| outbox::settle(conn, &settled, Utc::now().naive_utc())).await?;
    Ok(count)
}

fn outcome_label(settlement: &Settlement) -> &'static str {
    match settlement {
        Settlement::Sent => "sent",
        Settlement::RetryAt(..) => "retry",
        Settlement::DeadToken(_) => "dropped",
        Settlement::Finished(status, _) => status.as_str(),
    }
}

async fn deliver(state: &AppState, push: &Push) -> Settlement {
    let Some((_, lang)) = &push.device else {
        return Settlement::Finished(PushStatus::Dropped, "the device was removed".into());
    };
    let Some(fcm) = &state.fcm else {
        return Settlement::Finished(PushStatus::Skipped, "no FCM credentials".into());
    };
    match fcm.send(&message(push, *lang)).await {
        SendOutcome::Sent { .. } => Settlement::Sent,
        SendOutcome::DeadToken { reason } => Settlement::DeadToken(reason),
        SendOutcome::Failed { reason } => Settlement::Finished(PushStatus::Dead, reason),
        SendOutcome::Retry { after, reason } => {
            let jitter = rand::thread_rng().gen::<f64>();
            match retry_delay(push.attempts, after, jitter) {
                Some(delay) => {
                    let due = Utc::now().naive_utc()
                        + TimeDelta::from_std(delay).unwrap_or(TimeDelta::MAX);
                    Settlement::RetryAt(due, reason)
                }
                None => Settlement::Finished(
                    PushStatus::Dead,
                    format!("gave up after {} attempts: {reason}", push.attempts),
                ),
            }
        }
    }
}

/// The push for one device: its language's texts, the notification's data for the app to route
/// on, and a collapse key per complaint or dossier so a burst of updates on one shows as one.
fn message(push: &Push, lang: Lang) -> PushMessage {
    let notification = &push.notification;
    let (title, body) = match lang {
        Lang::En => (&notification.title_en, &notification.body_en),
        Lang::Vi => (&notification.title_vi, &notification.body_vi),
    };
    let mut data: BTreeMap<String, String> =
        serde_json::from_str(&notification.data).unwrap_or_default();
    data.insert("notification_id".into(), notification.id.clone());
    let subject = data
        .get("complaint_id")
        .map(|id| format!("complaint-{id}"))
        .or_else(|| data.get("dossier_code").map(|code| format!("dossier-{code}")));
    PushMessage {
        token: push.device_token.clone(),
        title: title.clone(),
        body: body.clone(),
        data,
        collapse_key: subject.filter(|key| key.len() <= 64),
        android_channel: Some(notification.kind.android_channel().into()),
        badge: u32::try_from(push.unread).ok(),
        high_priority: true,
    }
}

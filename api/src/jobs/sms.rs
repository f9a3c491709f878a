//! SMS workers: claim due messages under a lease, hand each to the gateway, and record each
//! outcome as soon as it is known. A worker that dies leaves its messages `sending` until the
//! lease runs out; then any worker claims them again. Only a message the gateway took in the
//! moment before the crash, its answer not yet recorded, may so go out twice (at least once);
//! a message recorded as sent is never sent again.
//!
//! Beside them, the receipts job records the delivery receipts an SMPP session hands over.

use super::{JobError, Shutdown};
use crate::app::sms;
use crate::app::state::AppState;
use chrono::{NaiveDateTime, TimeDelta, Utc};
use futures_util::StreamExt;
use rand::Rng;
use smartcity_db::sms::{self as outbox, Claimed, Receipt, Settlement};
use smartcity_domain::sms::code::CODE_TTL;
use smartcity_domain::sms::{redact_code, retry_delay, SmsEncoding, SmsStatus};
use smartcity_sms::{DeliveryReport, Encoding, Incoming, OutgoingSms, Reply, SendError};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Mutex};

const BATCH: i64 = 100;
/// Without a wake-up (messages queued by another instance, or held until morning), how often
/// an idle worker looks.
const IDLE_POLL: Duration = Duration::from_secs(1);
/// Sends of one worker in flight at once; an SMPP gateway bounds them again by its window.
const CONCURRENT_SENDS: usize = 16;

/// What an SMPP session hands over (receipts, people's replies), shared by the job that
/// records them across its restarts.
pub type Receipts = mpsc::Receiver<Incoming>;

/// Sends until shutdown; a batch in flight is finished first.
pub async fn run(state: AppState, mut shutdown: Shutdown) {
    loop {
        match send_batch(&state, state.config.sms.clock.now().naive_utc()).await {
            Ok(0) => {
                tokio::select! {
                    _ = tokio::time::timeout(IDLE_POLL, state.wait_for_sms()) => {}
                    _ = shutdown.requested() => return,
                }
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "SMS sending failed; will retry");
                tokio::select! {
                    _ = tokio::time::sleep(IDLE_POLL) => {}
                    _ = shutdown.requested() => return,
                }
            }
        }
    }
}

/// Claims and sends one batch of messages due at `now`; returns how many. Each outcome is
/// recorded as soon as the gateway answers, in its own small transaction: a crash then leaves
/// only the messages whose answers were still on their way to go again, not the whole batch.
pub async fn send_batch(state: &AppState, now: NaiveDateTime) -> Result<usize, JobError> {
    let lease = TimeDelta::from_std(state.config.sms.lease).unwrap_or(TimeDelta::minutes(1));
    let lease_until = now + lease;
    let claimed = state.db(move |conn| outbox::claim(conn, now, lease_until, BATCH)).await?;
    let count = claimed.len();
    let recorded: Vec<Result<(), JobError>> = futures_util::stream::iter(claimed)
        .map(|message| async move {
            let settlement = send(state, &message).await;
            state.metrics.count_sms(outcome_label(&settlement));
            let outcome = [(message.row.id, settlement)];
            state.db(move |conn| outbox::settle(conn, &outcome, smartcity_db::now())).await?;
            Ok(())
        })
        .buffer_unordered(CONCURRENT_SENDS)
        .collect()
        .await;
    recorded.into_iter().collect::<Result<Vec<()>, JobError>>()?;
    Ok(count)
}

fn outcome_label(settlement: &Settlement) -> &'static str {
    match settlement {
        Settlement::Sent { .. } => "sent",
        Settlement::RetryAt(..) => "retry",
        Settlement::Finished(status, _) => status.as_str(),
    }
}

async fn send(state: &AppState, message: &Claimed) -> Settlement {
    let row = &message.row;
    if message.covered {
        return Settlement::Finished(SmsStatus::Covered, "the push reached the app first".into());
    }
    if row.purpose.is_code() && row.created_at + CODE_TTL < Utc::now().naive_utc() {
        // Whoever asked has given up on it, and it would not be accepted anyway.
        return Settlement::Finished(
            SmsStatus::Failed,
            "the code expired before it could go".into(),
        );
    }
    let outgoing = OutgoingSms {
        id: row.id.clone(),
        to: row.phone.clone(),
        text: row.body.clone(),
        encoding: match row.encoding {
            SmsEncoding::Gsm7 => Encoding::Gsm7,
            SmsEncoding::Ucs2 => Encoding::Ucs2,
        },
    };
    match state.sms.send(&outgoing).await {
        Ok(accepted) => Settlement::Sent {
            gateway: state.sms.name(),
            provider_id: accepted.provider_id,
            // A code has no business in the database once it is on its way.
            body: row.purpose.is_code().then(|| redact_code(&row.body)),
        },
        Err(SendError::Permanent(reason)) => Settlement::Finished(SmsStatus::Failed, reason),
        Err(SendError::Temporary(reason)) => {
            let jitter = rand::thread_rng().gen::<f64>();
            match retry_delay(row.attempts, jitter) {
                Some(delay) => {
                    let due = state.config.sms.clock.now().naive_utc()
                        + TimeDelta::from_std(delay).unwrap_or(TimeDelta::MAX);
                    Settlement::RetryAt(due, reason)
                }
                None => Settlement::Finished(
                    SmsStatus::Failed,
                    format!("gave up after {} attempts: {reason}", row.attempts),
                ),
            }
        }
    }
}

/// Receipts taken from the session at once, and recorded in one transaction.
const RECEIPT_BATCH: usize = 256;
/// A receipt that overtook the record of its message's send is tried again this often, this
/// many times, and at most this many wait at once (memory stays bounded whatever the SMSC
/// sends).
const RECEIPT_RETRY: Duration = Duration::from_millis(500);
const RECEIPT_TRIES: u8 = 10;
const RECEIPTS_WAITING: usize = 10_000;

/// Records the delivery receipts and the replies of an SMPP session until shutdown.
pub async fn record_receipts(
    (state, receipts): (AppState, Arc<Mutex<Receipts>>),
    mut shutdown: Shutdown,
) {
    let mut receipts = receipts.lock().await;
    let mut waiting: Vec<(Receipt, u8)> = Vec::new();
    let mut incoming = Vec::with_capacity(RECEIPT_BATCH);
    let mut session_open = true;
    loop {
        tokio::select! {
            taken = receipts.recv_many(&mut incoming, RECEIPT_BATCH), if session_open => {
                // Nothing taken: the session is gone for good.
                session_open = taken > 0;
            }
            _ = tokio::time::sleep(RECEIPT_RETRY), if !waiting.is_empty() => {}
            _ = shutdown.requested() => return,
            else => return,
        }
        let mut batch: Vec<(Receipt, u8)> = std::mem::take(&mut waiting);
        for item in incoming.drain(..) {
            match item {
                Incoming::Report(DeliveryReport { provider_id, delivered, detail }) => {
                    batch.push((Receipt { provider_id, delivered, detail }, 0));
                }
                Incoming::Reply(Reply { from, text }) => {
                    if let Err(error) = sms::reply(&state, &from, &text).await {
                        tracing::warn!(%error, "a reply could not be recorded");
                    }
                }
            }
        }
        if batch.is_empty() {
            continue;
        }
        let receipts_only: Vec<Receipt> = batch.iter().map(|(r, _)| r.clone()).collect();
        // Unmatched receipts use up a try; a batch the database did not take keeps its tries.
        let (unmatched, spent): (Vec<String>, u8) =
            match sms::record_receipts(&state, state.sms.name(), receipts_only).await {
                Ok(left) => (left.into_iter().map(|r| r.provider_id).collect(), 1),
                Err(error) => {
                    tracing::warn!(%error, "delivery receipts could not be recorded; will retry");
                    (batch.iter().map(|(r, _)| r.provider_id.clone()).collect(), 0)
                }
            };
        waiting = batch
            .into_iter()
            .filter(|(r, tries)| {
                tries + spent < RECEIPT_TRIES && unmatched.contains(&r.provider_id)
            })
            .map(|(r, tries)| (r, tries + spent))
            .take(RECEIPTS_WAITING)
            .collect();
    }
}

//! Delivers agencies' webhooks from the outbox: each delivery POSTed as JSON with its event,
//! id, timestamp and HMAC-SHA256 signature; a 2xx answer acknowledges it, anything else (or no
//! answer within the timeout) is retried with backoff until `MAX_ATTEMPTS`.

use super::{every, JobError, Shutdown};
use crate::app::state::AppState;
use chrono::Utc;
use smartcity_db::webhooks::{self, Delivery, Settlement};
use smartcity_domain::webhook::{retry_delay, signature, MAX_ATTEMPTS};
use std::time::Duration;

/// How often the outbox is looked at.
const POLL: Duration = Duration::from_secs(1);
/// How long a receiver has to answer; the lease outlasts it.
const TIMEOUT: Duration = Duration::from_secs(10);
const BATCH: i64 = 20;

/// Sends what is due; returns how many were delivered.
pub async fn deliver_due(state: &AppState, client: &reqwest::Client) -> Result<usize, JobError> {
    let now = smartcity_db::now();
    let lease_until = now + chrono::Duration::from_std(TIMEOUT * 3).expect("a short lease");
    let due = state.db(move |conn| webhooks::claim(conn, now, lease_until, BATCH)).await?;
    let mut delivered = 0;
    for delivery in due {
        let settlement = send(client, &delivery).await;
        delivered += usize::from(matches!(settlement, Settlement::Delivered));
        if let Settlement::Failed(error) = &settlement {
            tracing::warn!(id = %delivery.id, %error, "webhook delivery given up");
        }
        let id = delivery.id.clone();
        state.db(move |conn| webhooks::settle(conn, &id, settlement, smartcity_db::now())).await?;
    }
    Ok(delivered)
}

async fn send(client: &reqwest::Client, delivery: &Delivery) -> Settlement {
    let timestamp = Utc::now().timestamp();
    let answer = client
        .post(&delivery.url)
        .header("content-type", "application/json")
        .header("x-smartcity-event", delivery.event.as_str())
        .header("x-smartcity-delivery", &delivery.id)
        .header("x-smartcity-timestamp", timestamp.to_string())
        .header(
            "x-smartcity-signature",
            signature(&delivery.secret, timestamp, delivery.body.as_bytes()),
        )
        .body(delivery.body.clone())
        .send()
        .await;
    let error = match answer {
        Ok(res) if res.status().is_success() => return Settlement::Delivered,
        Ok(res) => format!("answered {}", res.status()),
        Err(err) => format!("not reached: {err}"),
    };
    if delivery.attempts >= MAX_ATTEMPTS {
        return Settlement::Failed(error);
    }
    let wait = chrono::Duration::from_std(retry_delay(delivery.attempts)).expect("an hour at most");
    Settlement::RetryAt(smartcity_db::now() + wait, error)
}

/// Delivers until shutdown.
pub async fn run(state: AppState, shutdown: Shutdown) {
    let client = match reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "no HTTP client for webhooks; they stay queued");
            return;
        }
    };
    every(POLL, shutdown, || async {
        if let Err(error) = deliver_due(&state, &client).await {
            tracing::warn!(%error, "webhook deliveries failed; will retry");
        }
    })
    .await
}

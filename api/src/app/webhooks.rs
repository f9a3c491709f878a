//! An agency's webhook: registering it (with a new signing secret, shown once), reading and
//! removing it. The deliveries themselves are `jobs::webhooks`'.

use crate::app::auth::ActingAgency;
use crate::app::error::ApiError;
use crate::app::state::AppState;
use rand::RngCore;
use smartcity_db::webhooks::{self, WebhookRow};
use smartcity_domain::webhook::parse_webhook_url;

/// Sets the acting agency's webhook; returns it with its new secret.
pub async fn register(
    state: &AppState,
    agency: &ActingAgency,
    url: &str,
) -> Result<WebhookRow, ApiError> {
    let url = parse_webhook_url("url", url)?;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let agency_id = agency.agency_id().to_string();
    state
        .db(move |conn| {
            webhooks::register(conn, &agency_id, &url, &secret, smartcity_db::now())?;
            webhooks::find(conn, &agency_id)
        })
        .await?
        .ok_or_else(ApiError::not_found)
}

/// The acting agency's webhook, if it has one.
pub async fn find(state: &AppState, agency: &ActingAgency) -> Result<WebhookRow, ApiError> {
    let agency_id = agency.agency_id().to_string();
    state.db(move |conn| webhooks::find(conn, &agency_id)).await?.ok_or_else(ApiError::not_found)
}

/// Removes it, with what was still waiting to go to it.
pub async fn remove(state: &AppState, agency: &ActingAgency) -> Result<(), ApiError> {
    let agency_id = agency.agency_id().to_string();
    let removed = state.db(move |conn| webhooks::remove(conn, &agency_id)).await?;
    removed.then_some(()).ok_or_else(ApiError::not_found)
}

//! Dead letters of the push outbox, for administrators: what was given up on and why, and
//! putting one back in the queue (after fixing credentials, say).

use super::admin::Items;
use super::utc;
use crate::app::admin;
use crate::app::error::ApiError;
use crate::app::state::AppState;
use crate::http::auth::AdminCaller;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use smartcity_db::outbox::OutboxRow;

#[derive(Debug, Serialize)]
pub struct DeadLetter {
    id: String,
    notification_id: String,
    /// The start of the device token: enough to tell devices apart, not to send to one.
    device: String,
    attempts: i32,
    last_error: Option<String>,
    created_at: String,
    given_up_at: Option<String>,
}

impl From<OutboxRow> for DeadLetter {
    fn from(row: OutboxRow) -> Self {
        DeadLetter {
            id: row.id,
            notification_id: row.notification_id,
            device: row.device_token.chars().take(12).collect(),
            attempts: row.attempts,
            last_error: row.last_error,
            created_at: utc(row.created_at),
            given_up_at: row.finished_at.map(utc),
        }
    }
}

/// `GET /v1/admin/push-dead-letters`: the latest 200, newest first.
pub async fn list(
    state: web::Data<AppState>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    let rows = admin::dead_letters(&state, &caller.0).await?;
    let items: Vec<DeadLetter> = rows.into_iter().map(|letter| letter.push.into()).collect();
    Ok(HttpResponse::Ok().json(Items { items }))
}

/// `POST /v1/admin/push-dead-letters/{id}/requeue`: due at once, attempts counted afresh.
pub async fn requeue(
    state: web::Data<AppState>,
    caller: AdminCaller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    admin::requeue(&state, &caller.0, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

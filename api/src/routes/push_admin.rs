//! Dead letters of the push outbox, for administrators: what was given up on and why, and
//! putting one back in the queue (after fixing credentials, say).

use super::utc;
use crate::auth::AuthUser;
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use smartcity_db::outbox::{self, OutboxRow};
use smartcity_domain::account::Role;

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

#[derive(Debug, Serialize)]
pub struct DeadLetters {
    items: Vec<DeadLetter>,
}

/// `GET /v1/admin/push-dead-letters`: the latest 200, newest first.
pub async fn list(state: web::Data<AppState>, caller: AuthUser) -> Result<HttpResponse, ApiError> {
    caller.require(Role::Admin)?;
    let rows = state.db(|conn| outbox::dead_letters(conn, 200)).await?;
    Ok(HttpResponse::Ok().json(DeadLetters { items: rows.into_iter().map(Into::into).collect() }))
}

/// `POST /v1/admin/push-dead-letters/{id}/requeue`: due at once, attempts counted afresh.
pub async fn requeue(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Role::Admin)?;
    let id = id.into_inner();
    let requeued = state.db(move |conn| outbox::requeue(conn, &id, smartcity_db::now())).await?;
    if requeued {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found())
    }
}

//! The SMS channel's routes: the administrators' view of the outbox, and the callbacks of an
//! HTTP gateway (delivery reports, replies), which sit under a secret path segment because a
//! provider cannot sign in.

use super::admin::Items;
use super::utc;
use crate::app::error::ApiError;
use crate::app::sms;
use crate::app::state::AppState;
use crate::http::auth::AdminCaller;
use crate::http::extract::{ApiJson, ApiQuery};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use smartcity_db::sms::SmsRow;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    phone: Option<String>,
    limit: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct SmsView {
    id: String,
    phone: String,
    purpose: &'static str,
    /// A code is masked once sent.
    body: String,
    encoding: &'static str,
    segments: i32,
    dossier_code: Option<String>,
    status: &'static str,
    attempts: i32,
    due_at: String,
    gateway: Option<String>,
    provider_id: Option<String>,
    last_error: Option<String>,
    created_at: String,
    sent_at: Option<String>,
    reported_at: Option<String>,
}

impl From<SmsRow> for SmsView {
    fn from(row: SmsRow) -> Self {
        SmsView {
            id: row.id,
            phone: row.phone,
            purpose: row.purpose.as_str(),
            body: row.body,
            encoding: row.encoding.as_str(),
            segments: row.segments,
            dossier_code: row.dossier_code,
            status: row.status.as_str(),
            attempts: row.attempts,
            due_at: utc(row.due_at),
            gateway: row.gateway,
            provider_id: row.provider_id,
            last_error: row.last_error,
            created_at: utc(row.created_at),
            sent_at: row.sent_at.map(utc),
            reported_at: row.reported_at.map(utc),
        }
    }
}

/// `GET /v1/admin/sms`: the newest messages (50 unless `limit`, at most 200), optionally to one
/// number.
pub async fn outbox(
    state: web::Data<AppState>,
    caller: AdminCaller,
    query: ApiQuery<OutboxQuery>,
) -> Result<HttpResponse, ApiError> {
    let OutboxQuery { phone, limit } = query.0;
    let rows = sms::recent(&state, &caller.0, phone.as_deref(), limit.unwrap_or(50)).await?;
    Ok(HttpResponse::Ok().json(Items { items: rows.into_iter().map(SmsView::from).collect() }))
}

/// `POST /v1/sms/gateway/{secret}/reports`: a delivery report in the provider's shape.
pub async fn report(
    state: web::Data<AppState>,
    secret: web::Path<String>,
    body: ApiJson<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    sms::gateway_report(&state, &secret, &body.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    from: String,
    text: String,
}

#[derive(Debug, Serialize)]
struct ReplyView {
    outcome: &'static str,
}

/// `POST /v1/sms/gateway/{secret}/replies`: a message a person sent back.
pub async fn reply(
    state: web::Data<AppState>,
    secret: web::Path<String>,
    body: ApiJson<ReplyRequest>,
) -> Result<HttpResponse, ApiError> {
    let ReplyRequest { from, text } = body.0;
    let outcome = sms::gateway_reply(&state, &secret, &from, &text).await?;
    Ok(HttpResponse::Ok().json(ReplyView { outcome: outcome.as_str() }))
}

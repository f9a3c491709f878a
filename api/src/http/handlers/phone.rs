//! One-time codes by SMS: proving the account's number, moving it to a new one, and resetting
//! a forgotten password.

use super::accounts::account_view;
use crate::app::accounts;
use crate::app::error::ApiError;
use crate::app::phone_codes::{self, CodeSent};
use crate::app::state::AppState;
use crate::http::auth::SignedIn;
use crate::http::extract::{ApiJson, ClientAddress};
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize)]
struct CodeSentView {
    /// The number masked, as the person recognises it.
    sent_to: String,
    expires_in: u64,
    resend_after: u64,
}

fn code_sent(sent: CodeSent) -> HttpResponse {
    HttpResponse::Accepted().insert_header((header::CACHE_CONTROL, "no-store")).json(CodeSentView {
        sent_to: sent.sent_to,
        expires_in: sent.expires_in_secs,
        resend_after: sent.resend_after_secs,
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    code: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhoneRequest {
    phone: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    phone: String,
    code: String,
    password: String,
}

async fn account(
    state: &AppState,
    user: smartcity_db::accounts::UserRow,
) -> Result<HttpResponse, ApiError> {
    let profile = accounts::profile(state, user).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(account_view(profile)))
}

pub async fn request_verification(
    state: web::Data<AppState>,
    caller: SignedIn,
    client: ClientAddress,
) -> Result<HttpResponse, ApiError> {
    Ok(code_sent(phone_codes::request_verification(&state, &caller.0.user, &client.0).await?))
}

pub async fn confirm_verification(
    state: web::Data<AppState>,
    caller: SignedIn,
    body: ApiJson<CodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let user = phone_codes::confirm_verification(&state, &caller.0.user, &body.0.code).await?;
    account(&state, user).await
}

pub async fn request_change(
    state: web::Data<AppState>,
    caller: SignedIn,
    client: ClientAddress,
    body: ApiJson<PhoneRequest>,
) -> Result<HttpResponse, ApiError> {
    let user = &caller.0.user;
    Ok(code_sent(phone_codes::request_phone_change(&state, user, &body.0.phone, &client.0).await?))
}

pub async fn confirm_change(
    state: web::Data<AppState>,
    caller: SignedIn,
    body: ApiJson<CodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let user = phone_codes::confirm_phone_change(&state, &caller.0.user, &body.0.code).await?;
    account(&state, user).await
}

pub async fn request_reset(
    state: web::Data<AppState>,
    client: ClientAddress,
    body: ApiJson<PhoneRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(code_sent(phone_codes::request_reset(&state, &body.0.phone, &client.0).await?))
}

pub async fn confirm_reset(
    state: web::Data<AppState>,
    body: ApiJson<ResetRequest>,
) -> Result<HttpResponse, ApiError> {
    let ResetRequest { phone, code, password } = body.0;
    phone_codes::confirm_reset(&state, &phone, &code, &password).await?;
    Ok(HttpResponse::NoContent().finish())
}

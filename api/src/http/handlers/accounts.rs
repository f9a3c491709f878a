//! Registration, login, token refresh, logout, and the caller's own account.

use super::utc;
use crate::app::accounts::{self, NewAccount, Profile, TokenPair};
use crate::app::error::ApiError;
use crate::app::state::AppState;
use crate::http::auth::SignedIn;
use crate::http::extract::{ApiJson, ClientAddress};
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    phone: String,
    password: String,
    display_name: String,
}

#[derive(Debug, Serialize)]
pub struct AgencySummary {
    id: String,
    code: String,
    name: String,
}

/// A person as they see themselves (never in public output).
#[derive(Debug, Serialize)]
pub struct Account {
    id: String,
    phone: String,
    /// Whether a code sent to the number came back (`/v1/me/phone/verification`).
    phone_verified: bool,
    display_name: String,
    role: &'static str,
    agency: Option<AgencySummary>,
    created_at: String,
}

pub fn account_view(profile: Profile) -> Account {
    let Profile { user, agency } = profile;
    Account {
        id: user.id,
        phone_verified: user.phone_verified_at.is_some(),
        phone: user.phone,
        display_name: user.display_name,
        role: user.role.as_str(),
        agency: agency.map(|a| AgencySummary { id: a.id, code: a.code, name: a.name }),
        created_at: utc(user.created_at),
    }
}

pub async fn register(
    state: web::Data<AppState>,
    client: ClientAddress,
    body: ApiJson<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let RegisterRequest { phone, password, display_name } = body.0;
    let account = NewAccount::parse(&phone, &display_name, &password)?;
    let user = accounts::register(&state, account, &client.0).await?;
    let profile = accounts::profile(&state, user).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/v1/me"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(account_view(profile)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    phone: String,
    password: String,
}

#[derive(Debug, Serialize)]
pub struct TokenPairView {
    access_token: String,
    refresh_token: String,
    token_type: &'static str,
    expires_in: u64,
}

fn tokens(pair: TokenPair) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(TokenPairView {
        access_token: pair.access_token,
        refresh_token: pair.refresh_token,
        token_type: "Bearer",
        expires_in: pair.expires_in_secs,
    })
}

pub async fn login(
    state: web::Data<AppState>,
    client: ClientAddress,
    body: ApiJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { phone, password } = body.0;
    Ok(tokens(accounts::login(&state, &phone, password, &client.0).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    refresh_token: String,
}

pub async fn refresh(
    state: web::Data<AppState>,
    body: ApiJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(tokens(accounts::refresh(&state, &body.0.refresh_token).await?))
}

/// 204 whether or not the token was known.
pub async fn logout(
    state: web::Data<AppState>,
    body: ApiJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    accounts::logout(&state, &body.0.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn me(state: web::Data<AppState>, caller: SignedIn) -> Result<HttpResponse, ApiError> {
    let profile = accounts::profile(&state, caller.0.user).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(account_view(profile)))
}

pub async fn erase_me(
    state: web::Data<AppState>,
    caller: SignedIn,
) -> Result<HttpResponse, ApiError> {
    accounts::erase(&state, &caller.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

//! Registration, login, token refresh, logout, and the caller's own account.

use super::utc;
use crate::auth::tokens::{self, AccessClaims, AUDIENCE, ISSUER};
use crate::auth::{passwords, AuthUser};
use crate::extract::ApiJson;
use crate::problem::{ApiError, ErrorCode};
use crate::state::AppState;
use crate::throttle::{self, chrono, FailureKeys};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use smartcity_db::accounts::{self, NewUser, RefreshOutcome, UserRow};
use smartcity_db::{agencies, DbError};
use smartcity_domain::account::{DisplayName, NewPassword, Role};
use smartcity_domain::phone::PhoneNumber;

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
    display_name: String,
    role: String,
    agency: Option<AgencySummary>,
    created_at: String,
}

pub async fn account_view(state: &AppState, user: UserRow) -> Result<Account, ApiError> {
    let agency = match user.agency_id.clone() {
        Some(id) => state
            .db(move |conn| agencies::find_agency(conn, &id))
            .await?
            .map(|a| AgencySummary { id: a.id, code: a.code, name: a.name }),
        None => None,
    };
    Ok(Account {
        id: user.id,
        phone: user.phone,
        display_name: user.display_name,
        role: user.role,
        agency,
        created_at: utc(user.created_at),
    })
}

/// Parsed and checked input for a new account of any role.
pub struct NewAccount {
    pub phone: PhoneNumber,
    pub display_name: DisplayName,
    pub password: NewPassword,
}

impl NewAccount {
    pub fn parse(phone: &str, display_name: &str, password: &str) -> Result<NewAccount, ApiError> {
        let phone = PhoneNumber::parse("phone", phone)?;
        let display_name = DisplayName::parse("display_name", display_name)?;
        let national = phone.e164().replace("+84", "0");
        let personal = [phone.e164(), national.as_str(), display_name.as_str()];
        let password = NewPassword::parse("password", password, &personal)?;
        Ok(NewAccount { phone, display_name, password })
    }

    /// Hashes the password and stores the account; a taken phone number is a 409 on `phone`.
    pub async fn create(
        self,
        state: &AppState,
        role: Role,
        agency_id: Option<String>,
    ) -> Result<UserRow, ApiError> {
        let user_id = uuid::Uuid::new_v4().to_string();
        let id = user_id.clone();
        let created = state
            .db(move |conn| {
                let password_hash = passwords::hash(self.password.expose());
                let inserted = accounts::insert_user(
                    conn,
                    &NewUser {
                        id: &id,
                        phone: self.phone.e164(),
                        password_hash: &password_hash,
                        display_name: self.display_name.as_str(),
                        role: role.as_str(),
                        agency_id: agency_id.as_deref(),
                        disabled: false,
                        created_at: smartcity_db::now(),
                    },
                );
                match inserted {
                    Err(DbError::Duplicate(_)) => Ok(None),
                    other => other.and_then(|()| accounts::find_user(conn, &id)),
                }
            })
            .await?;
        created.ok_or_else(|| ApiError::new(ErrorCode::PhoneTaken).with_field("phone"))
    }
}

pub async fn register(
    state: web::Data<AppState>,
    body: ApiJson<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let account = NewAccount::parse(&body.phone, &body.display_name, &body.password)?;
    let user = account.create(&state, Role::Citizen, None).await?;
    let view = account_view(&state, user).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/v1/me"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(view))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    phone: String,
    password: String,
}

#[derive(Debug, Serialize)]
pub struct TokenPair {
    access_token: String,
    refresh_token: String,
    token_type: &'static str,
    expires_in: u64,
}

pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ApiJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { phone, password } = body.0;
    let phone = PhoneNumber::parse("phone", &phone)?;
    if password.chars().count() > smartcity_domain::account::PASSWORD_MAX_CHARS {
        return Err(ApiError::new(ErrorCode::InvalidCredentials));
    }
    let keys = FailureKeys::new("login", phone.e164(), &req, state.config.trust_proxy);
    throttle::refuse_if_locked(&state, &keys).await?;

    let e164 = phone.e164().to_string();
    let user = state
        .db(move |conn| {
            let user = accounts::find_user_by_phone(conn, &e164)?;
            let ok = match &user {
                Some(user) => passwords::verify(&password, &user.password_hash) && !user.disabled,
                None => {
                    passwords::verify_against_nothing(&password);
                    false
                }
            };
            Ok(user.filter(|_| ok))
        })
        .await?;
    let Some(user) = user else {
        throttle::record_failure(&state, &state.config.login_throttle, &keys).await?;
        return Err(ApiError::new(ErrorCode::InvalidCredentials));
    };
    throttle::clear_subject(&state, &keys).await?;
    let pair = open_session(&state, user).await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(pair))
}

fn access_token(state: &AppState, user: &UserRow, session_id: &str) -> String {
    let now = jsonwebtoken::get_current_timestamp();
    state.tokens.issue(&AccessClaims {
        sub: user.id.clone(),
        sid: session_id.to_string(),
        role: user.role.clone(),
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        iat: now,
        exp: now + state.config.access_token_ttl.as_secs(),
    })
}

async fn open_session(state: &AppState, user: UserRow) -> Result<TokenPair, ApiError> {
    let (refresh_token, refresh_hash) = tokens::new_refresh_token();
    let refresh_ttl = chrono(state.config.refresh_token_ttl);
    let user_id = user.id.clone();
    let session_id = state
        .db(move |conn| {
            let now = smartcity_db::now();
            accounts::open_session(conn, &user_id, &refresh_hash, now, now + refresh_ttl)
        })
        .await?;
    Ok(TokenPair {
        access_token: access_token(state, &user, &session_id),
        refresh_token,
        token_type: "Bearer",
        expires_in: state.config.access_token_ttl.as_secs(),
    })
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
    let presented = body.0.refresh_token;
    if presented.len() > 200 {
        return Err(ApiError::new(ErrorCode::InvalidRefreshToken));
    }
    let old_hash = tokens::hash_secret(&presented);
    let (new_token, new_hash) = tokens::new_refresh_token();
    let refresh_ttl = chrono(state.config.refresh_token_ttl);
    let outcome = state
        .db(move |conn| {
            let now = smartcity_db::now();
            accounts::rotate_refresh_token(conn, &old_hash, &new_hash, now, now + refresh_ttl)
        })
        .await?;
    match outcome {
        RefreshOutcome::Rotated { user, session_id } => {
            let pair = TokenPair {
                access_token: access_token(&state, &user, &session_id),
                refresh_token: new_token,
                token_type: "Bearer",
                expires_in: state.config.access_token_ttl.as_secs(),
            };
            Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(pair))
        }
        RefreshOutcome::ReuseDetected => Err(ApiError::new(ErrorCode::RefreshTokenReused)),
        RefreshOutcome::Refused => Err(ApiError::new(ErrorCode::InvalidRefreshToken)),
    }
}

/// Ends the session the refresh token belongs to; its access tokens stop working at once.
/// Answers 204 whether or not the token was known: there is nothing to tell a stranger.
pub async fn logout(
    state: web::Data<AppState>,
    body: ApiJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = tokens::hash_secret(&body.0.refresh_token);
    state
        .db(move |conn| accounts::revoke_session_of_token(conn, &hash, smartcity_db::now()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn me(state: web::Data<AppState>, caller: AuthUser) -> Result<HttpResponse, ApiError> {
    let view = account_view(&state, caller.user).await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(view))
}

/// Erases the caller's account and sessions. The last administrator cannot erase themselves:
/// the city would be left with nobody to run it.
pub async fn erase_me(
    state: web::Data<AppState>,
    caller: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let user_id = caller.user.id.clone();
    let is_admin = caller.role == Role::Admin;
    let erased = state
        .db(move |conn| {
            if is_admin {
                accounts::delete_admin_unless_last(conn, &user_id)
            } else {
                accounts::delete_user(conn, &user_id)
            }
        })
        .await?;
    if erased {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::new(ErrorCode::LastAdmin))
    }
}

//! Who is calling: the bearer-token extractor and the role checks.

pub mod passwords;
pub mod tokens;

use crate::problem::{ApiError, ErrorCode};
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use smartcity_db::accounts::{self, UserRow};
use smartcity_domain::account::Role;

/// A caller with a valid access token whose session is open and whose account exists and is
/// enabled (checked against the database on every request, so logout and erasure take effect
/// at once rather than when the token expires).
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user: UserRow,
    pub role: Role,
    pub session_id: String,
}

impl AuthUser {
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.role == role {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }
}

fn bearer_token(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::new(ErrorCode::AuthenticationRequired))?;
    let value = value.to_str().map_err(|_| ApiError::new(ErrorCode::InvalidToken))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim().to_string())
        }
        _ => Err(ApiError::new(ErrorCode::InvalidToken)),
    }
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state = state.ok_or_else(ApiError::internal)?;
            let claims = state
                .tokens
                .verify(&token?)
                .ok_or_else(|| ApiError::new(ErrorCode::InvalidToken))?;
            let (user_id, session_id) = (claims.sub.clone(), claims.sid.clone());
            let user = state
                .db(move |conn| accounts::user_of_live_session(conn, &user_id, &session_id))
                .await?
                .ok_or_else(|| ApiError::new(ErrorCode::InvalidToken))?;
            let role = Role::from_stored(&user.role).ok_or_else(ApiError::internal)?;
            Ok(AuthUser { user, role, session_id: claims.sid })
        })
    }
}

pub const API_KEY_HEADER: &str = "x-api-key";

/// Someone acting for an agency: its one-stop-shop system with an `X-Api-Key`, or one of its
/// staff with a bearer token.
#[derive(Debug, Clone)]
pub struct AgencyCaller {
    pub agency_id: String,
}

impl FromRequest for AgencyCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let api_key = req.headers().get(API_KEY_HEADER).map(|v| v.to_str().map(str::to_string));
        let staff = AuthUser::from_request(req, payload);
        Box::pin(async move {
            let state = state.ok_or_else(ApiError::internal)?;
            match api_key {
                Some(Ok(key)) => {
                    let hash = tokens::hash_secret(&key);
                    let agency_id = state
                        .db(move |conn| {
                            smartcity_db::api_keys::agency_of_key(conn, &hash, smartcity_db::now())
                        })
                        .await?
                        .ok_or_else(|| ApiError::new(ErrorCode::InvalidApiKey))?;
                    Ok(AgencyCaller { agency_id })
                }
                Some(Err(_)) => Err(ApiError::new(ErrorCode::InvalidApiKey)),
                None => {
                    let caller = staff.await?;
                    match (caller.role, caller.user.agency_id) {
                        (Role::Staff, Some(agency_id)) => Ok(AgencyCaller { agency_id }),
                        _ => Err(ApiError::forbidden()),
                    }
                }
            }
        })
    }
}

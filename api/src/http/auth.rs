//! Who is calling, as request extractors: a handler names the caller it needs (`SignedIn`,
//! `AdminCaller`, `AgencyCaller`) and never runs for anyone else.

use crate::app::auth::{self, ActingAgency, Admin, Caller};
use crate::app::error::{ApiError, ErrorCode};
use crate::app::phone_codes;
use crate::app::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

pub const API_KEY_HEADER: &str = "x-api-key";

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

fn state_of(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal(crate::app::error::Bug("no application state".into())))
}

/// Anyone signed in, checked against the database on every request.
pub struct SignedIn(pub Caller);

impl FromRequest for SignedIn {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = state_of(req);
        let token = bearer_token(req);
        Box::pin(async move {
            let (state, token) = (state?, token?);
            Ok(SignedIn(auth::authenticate(&state, &token).await?))
        })
    }
}

/// Anyone signed in whose number is proven, where the operator asks for it: a citizen files
/// complaints, submits and follows dossiers only with a number a code reached (403
/// `phone_not_verified` otherwise); staff and administrators are vouched for by whoever made
/// their accounts.
pub struct ProvenPhone(pub Caller);

impl FromRequest for ProvenPhone {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let state = state_of(req);
        let signed_in = SignedIn::from_request(req, payload);
        Box::pin(async move {
            let (state, caller) = (state?, signed_in.await?.0);
            phone_codes::require_verified(&state, &caller.user)?;
            Ok(ProvenPhone(caller))
        })
    }
}

/// An administrator.
pub struct AdminCaller(pub Admin);

impl FromRequest for AdminCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let signed_in = SignedIn::from_request(req, payload);
        Box::pin(async move { Ok(AdminCaller(Admin::check(signed_in.await?.0)?)) })
    }
}

/// Someone acting for an agency: its one-stop-shop system with an `X-Api-Key`, or one of its
/// staff with a bearer token.
pub struct AgencyCaller(pub ActingAgency);

impl FromRequest for AgencyCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let state = state_of(req);
        let api_key = req.headers().get(API_KEY_HEADER).map(|v| v.to_str().map(str::to_string));
        let staff = SignedIn::from_request(req, payload);
        Box::pin(async move {
            let acting = match api_key {
                Some(Ok(key)) => ActingAgency::by_key(&*state?, &key).await?,
                Some(Err(_)) => return Err(ApiError::new(ErrorCode::InvalidApiKey)),
                None => ActingAgency::staff(&staff.await?.0)?,
            };
            Ok(AgencyCaller(acting))
        })
    }
}

/// A monitoring network's logger, by the network's `X-Api-Key`.
pub struct AirNetwork(pub String);

impl FromRequest for AirNetwork {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = state_of(req);
        let key = req.headers().get(API_KEY_HEADER).map(|v| v.to_str().map(str::to_string));
        Box::pin(async move {
            match key {
                Some(Ok(key)) => {
                    Ok(AirNetwork(crate::app::air::network_of_key(&*state?, &key).await?))
                }
                Some(Err(_)) => Err(ApiError::new(ErrorCode::InvalidApiKey)),
                None => Err(ApiError::new(ErrorCode::AuthenticationRequired)),
            }
        })
    }
}

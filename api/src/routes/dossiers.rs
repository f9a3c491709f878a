//! Citizens and their dossiers: lookup with proof (the phone on file), and following.
//! A wrong proof and an unknown code are answered alike, and both count against the caller's
//! address and the code, so codes cannot be enumerated.

use super::dossier_views::{citizen_view, CitizenDossier};
use super::json_body;
use crate::auth::AuthUser;
use crate::extract::ApiJson;
use crate::problem::ApiError;
use crate::state::AppState;
use crate::throttle::{self, FailureKeys};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use smartcity_db::dossiers::{self, DossierDetail};
use smartcity_domain::dossier::parse_dossier_code;
use smartcity_domain::phone::PhoneNumber;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofRequest {
    code: String,
    phone: String,
}

/// Compares every byte whatever the first difference, so timing says nothing about how close
/// a guess was.
fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        diff |= usize::from(a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0));
    }
    diff == 0
}

/// The dossier `code` when `phone` is the applicant's; otherwise 404 (and a failure counted).
async fn proven(
    state: &AppState,
    req: &HttpRequest,
    proof: ProofRequest,
) -> Result<DossierDetail, ApiError> {
    let code = parse_dossier_code("code", &proof.code)?;
    let phone = PhoneNumber::parse("phone", &proof.phone)?;
    let keys = FailureKeys::new("lookup", &code, req, state.config.trust_proxy);
    throttle::refuse_if_locked(state, &keys).await?;
    let found = state.db(move |conn| dossiers::detail(conn, &code)).await?;
    // Unknown codes are compared too, against nothing, so both answers take the same path.
    let on_file = found.as_ref().map(|d| d.dossier.applicant_phone.as_str()).unwrap_or("");
    let proved = same_secret(on_file, phone.e164()) && found.is_some();
    match found {
        Some(detail) if proved => Ok(detail),
        _ => {
            throttle::record_failure(state, &state.config.lookup_throttle, &keys).await?;
            Err(ApiError::not_found())
        }
    }
}

/// `POST /v1/dossiers/lookup`: a POST so the phone number stays out of URLs and access logs.
pub async fn lookup(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ApiJson<ProofRequest>,
) -> Result<HttpResponse, ApiError> {
    let detail = proven(&state, &req, body.0).await?;
    Ok(private(HttpResponse::Ok()).json(citizen_view(&state, detail)))
}

/// `GET /v1/dossiers/{code}` for a signed-in citizen whose phone is the applicant's.
pub async fn show_mine(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: AuthUser,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let proof = ProofRequest { code: code.into_inner(), phone: caller.user.phone.clone() };
    let detail = proven(&state, &req, proof).await?;
    Ok(private(HttpResponse::Ok()).json(citizen_view(&state, detail)))
}

/// `POST /v1/me/dossiers`: follow a dossier one can prove.
pub async fn follow(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: AuthUser,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let proof: ProofRequest = json_body(&req, body).await?;
    let detail = proven(&state, &req, proof).await?;
    let (user_id, code) = (caller.user.id.clone(), detail.dossier.code.clone());
    let newly =
        state.db(move |conn| dossiers::follow(conn, &user_id, &code, smartcity_db::now())).await?;
    let mut response = if newly { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(private(response.take()).json(citizen_view(&state, detail)))
}

#[derive(Debug, Serialize)]
pub struct FollowedDossiers {
    items: Vec<CitizenDossier>,
}

pub async fn followed(
    state: web::Data<AppState>,
    caller: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let user_id = caller.user.id.clone();
    let details = state.db(move |conn| dossiers::followed_by(conn, &user_id)).await?;
    let items = details.into_iter().map(|d| citizen_view(&state, d)).collect();
    Ok(private(HttpResponse::Ok()).json(FollowedDossiers { items }))
}

pub async fn unfollow(
    state: web::Data<AppState>,
    caller: AuthUser,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (user_id, code) = (caller.user.id.clone(), code.into_inner());
    let removed = state.db(move |conn| dossiers::unfollow(conn, &user_id, &code)).await?;
    if removed {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found())
    }
}

/// Personal data: never stored by a shared cache.
fn private(mut builder: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    builder.insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-store"));
    builder
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn secrets_compare_equal_only_when_identical() {
        assert!(same_secret("+84912345678", "+84912345678"));
        assert!(!same_secret("+84912345678", "+84912345679"));
        assert!(!same_secret("+84912345678", "+8491234567"));
        assert!(!same_secret("", "+84912345678"));
    }
}

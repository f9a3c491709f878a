//! Citizens and their dossiers: lookup with proof (the phone on file), and following.

use super::dossier_views::{citizen_view, CitizenDossier};
use crate::app::dossiers;
use crate::app::error::ApiError;
use crate::app::state::AppState;
use crate::http::auth::{ProvenPhone, SignedIn};
use crate::http::extract::{json_body, ApiJson, ClientAddress};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse, HttpResponseBuilder};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofRequest {
    code: String,
    phone: String,
}

/// Personal data: never stored by a shared cache.
fn private(mut builder: HttpResponseBuilder) -> HttpResponseBuilder {
    builder.insert_header((header::CACHE_CONTROL, "private, no-store"));
    builder
}

/// `POST /v1/dossiers/lookup`: a POST so the phone number stays out of URLs and access logs.
pub async fn lookup(
    state: web::Data<AppState>,
    client: ClientAddress,
    body: ApiJson<ProofRequest>,
) -> Result<HttpResponse, ApiError> {
    let ProofRequest { code, phone } = body.0;
    let detail = dossiers::lookup(&state, &code, &phone, &client.0).await?;
    Ok(private(HttpResponse::Ok()).json(citizen_view(&state, detail)))
}

/// `GET /v1/dossiers/{code}` for a signed-in citizen whose phone is the applicant's.
pub async fn show_mine(
    state: web::Data<AppState>,
    caller: SignedIn,
    client: ClientAddress,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let detail = dossiers::mine(&state, &caller.0, &code, &client.0).await?;
    Ok(private(HttpResponse::Ok()).json(citizen_view(&state, detail)))
}

/// `POST /v1/me/dossiers`: follow a dossier one can prove.
pub async fn follow(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ProvenPhone,
    client: ClientAddress,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ProofRequest { code, phone } = json_body(&req, body).await?;
    let (newly, detail) = dossiers::follow(&state, &caller.0, &code, &phone, &client.0).await?;
    let response = if newly { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(private(response).json(citizen_view(&state, detail)))
}

#[derive(Debug, Serialize)]
pub struct FollowedDossiers {
    items: Vec<CitizenDossier>,
}

pub async fn followed(
    state: web::Data<AppState>,
    caller: SignedIn,
) -> Result<HttpResponse, ApiError> {
    let details = dossiers::followed(&state, &caller.0).await?;
    let items = details.into_iter().map(|d| citizen_view(&state, d)).collect();
    Ok(private(HttpResponse::Ok()).json(FollowedDossiers { items }))
}

pub async fn unfollow(
    state: web::Data<AppState>,
    caller: SignedIn,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    dossiers::unfollow(&state, &caller.0, code.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

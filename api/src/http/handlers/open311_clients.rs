//! Administrators issue, list and revoke the `api_key`s Open311 client apps file with.

use super::admin::Items;
use super::utc;
use crate::app::admin;
use crate::app::error::ApiError;
use crate::app::state::AppState;
use crate::http::auth::AdminCaller;
use crate::http::extract::json_body;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use smartcity_db::open311::ClientRow;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateClientRequest {
    /// The app, e.g. "Ứng dụng Góp ý Đà Nẵng".
    name: String,
}

#[derive(Debug, Serialize)]
pub struct ClientView {
    id: String,
    name: String,
    prefix: String,
    created_at: String,
    revoked_at: Option<String>,
}

impl From<ClientRow> for ClientView {
    fn from(row: ClientRow) -> Self {
        ClientView {
            id: row.id,
            name: row.name,
            prefix: row.prefix,
            created_at: utc(row.created_at),
            revoked_at: row.revoked_at.map(utc),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct NewClient {
    /// The `api_key` itself: shown this once, stored only as a hash.
    api_key: String,
    #[serde(flatten)]
    details: ClientView,
}

/// `POST /v1/admin/open311-clients`
pub async fn create(
    state: web::Data<AppState>,
    caller: AdminCaller,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: CreateClientRequest = json_body(&req, body).await?;
    let issued = admin::create_open311_client(&state, &caller.0, &body.name).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(NewClient { api_key: issued.key, details: issued.row.into() }))
}

/// `GET /v1/admin/open311-clients`
pub async fn list(
    state: web::Data<AppState>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    let rows = admin::open311_clients(&state, &caller.0).await?;
    let items: Vec<ClientView> = rows.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(Items { items }))
}

/// `DELETE /v1/admin/open311-clients/{id}`
pub async fn revoke(
    state: web::Data<AppState>,
    caller: AdminCaller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    admin::revoke_open311_client(&state, &caller.0, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

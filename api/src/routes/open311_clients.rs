//! Administrators issue, list and revoke the `api_key`s Open311 client apps file with.

use super::json_body;
use super::utc;
use crate::auth::{tokens, AuthUser};
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use smartcity_db::open311::{self, ClientRow};
use smartcity_domain::account::Role;
use smartcity_domain::validation::clean_text;

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

#[derive(Debug, Serialize)]
pub struct ClientList {
    items: Vec<ClientView>,
}

/// `POST /v1/admin/open311-clients`
pub async fn create(
    state: web::Data<AppState>,
    caller: AuthUser,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    caller.require(Role::Admin)?;
    let body: CreateClientRequest = json_body(&req, body).await?;
    let name = clean_text("name", &body.name, 1, 100, false)?;
    let (api_key, hash) = tokens::new_open311_key();
    let prefix: String = api_key.chars().take(12).collect();
    let row = state
        .db(move |conn| open311::insert_client(conn, &name, &hash, &prefix, smartcity_db::now()))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(NewClient { api_key, details: row.into() }))
}

/// `GET /v1/admin/open311-clients`
pub async fn list(state: web::Data<AppState>, caller: AuthUser) -> Result<HttpResponse, ApiError> {
    caller.require(Role::Admin)?;
    let rows = state.db(open311::list_clients).await?;
    Ok(HttpResponse::Ok().json(ClientList { items: rows.into_iter().map(Into::into).collect() }))
}

/// `DELETE /v1/admin/open311-clients/{id}`: the key stops working at once; what the app filed
/// stays.
pub async fn revoke(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Role::Admin)?;
    let id = id.into_inner();
    let revoked =
        state.db(move |conn| open311::revoke_client(conn, &id, smartcity_db::now())).await?;
    if revoked {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found())
    }
}

//! What only administrators do: create agencies and their staff accounts.

use super::accounts::{account_view, NewAccount};
use super::json_body;
use super::utc;
use crate::auth::{tokens, AuthUser};
use crate::problem::{ApiError, ErrorCode};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use smartcity_db::api_keys::{self, ApiKeyRow};
use smartcity_db::{agencies, DbError};
use smartcity_domain::account::Role;
use smartcity_domain::agency::NewAgency;
use smartcity_domain::routing::{Rule, ANY};
use smartcity_domain::validation::clean_text;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateAgencyRequest {
    code: String,
    name: String,
    level: String,
}

#[derive(Debug, Serialize)]
pub struct Agency {
    id: String,
    code: String,
    name: String,
    level: String,
    created_at: String,
}

pub async fn create_agency(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: AuthUser,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    caller.require(Role::Admin)?;
    let body: CreateAgencyRequest = json_body(&req, body).await?;
    let new = NewAgency::parse(&body.code, &body.name, &body.level)?;
    let created = state
        .db(move |conn| {
            let inserted = agencies::insert_agency(
                conn,
                new.code.as_str(),
                &new.name,
                new.level.as_str(),
                smartcity_db::now(),
            );
            match inserted {
                Err(DbError::Duplicate(_)) => Ok(None),
                other => other.map(Some),
            }
        })
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::AgencyCodeTaken).with_field("code"))?;
    Ok(HttpResponse::Created().json(Agency {
        id: created.id,
        code: created.code,
        name: created.name,
        level: created.level,
        created_at: utc(created.created_at),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateStaffRequest {
    phone: String,
    password: String,
    display_name: String,
    agency_id: String,
}

pub async fn create_staff(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: AuthUser,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    caller.require(Role::Admin)?;
    let body: CreateStaffRequest = json_body(&req, body).await?;
    let account = NewAccount::parse(&body.phone, &body.display_name, &body.password)?;
    let agency_id = body.agency_id;
    let lookup_id = agency_id.clone();
    let agency = state.db(move |conn| agencies::find_agency(conn, &lookup_id)).await?;
    if agency.is_none() {
        return Err(ApiError::invalid_field(
            "agency_id",
            "Không có cơ quan với mã định danh này",
            "No agency has this id",
        ));
    }
    let user = account.create(&state, Role::Staff, Some(agency_id)).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(account_view(&state, user).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    /// What the key is for, e.g. "Hệ thống một cửa điện tử".
    label: String,
}

#[derive(Debug, Serialize)]
pub struct ApiKeyView {
    id: String,
    prefix: String,
    label: String,
    created_at: String,
    revoked_at: Option<String>,
    last_used_at: Option<String>,
}

impl From<ApiKeyRow> for ApiKeyView {
    fn from(row: ApiKeyRow) -> Self {
        ApiKeyView {
            id: row.id,
            prefix: row.prefix,
            label: row.label,
            created_at: utc(row.created_at),
            revoked_at: row.revoked_at.map(utc),
            last_used_at: row.last_used_at.map(utc),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct NewApiKey {
    /// The key itself: shown this once, stored only as a hash.
    key: String,
    #[serde(flatten)]
    details: ApiKeyView,
}

async fn existing_agency(state: &AppState, id: String) -> Result<String, ApiError> {
    let lookup = id.clone();
    match state.db(move |conn| agencies::find_agency(conn, &lookup)).await? {
        Some(_) => Ok(id),
        None => Err(ApiError::not_found()),
    }
}

pub async fn create_api_key(
    state: web::Data<AppState>,
    caller: AuthUser,
    agency_id: web::Path<String>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    caller.require(Role::Admin)?;
    let body: CreateApiKeyRequest = json_body(&req, body).await?;
    let agency_id = existing_agency(&state, agency_id.into_inner()).await?;
    let label = clean_text("label", &body.label, 1, 100, false)?;
    let (key, hash) = tokens::new_api_key();
    let prefix: String = key.chars().take(12).collect();
    let row = state
        .db(move |conn| {
            api_keys::insert(conn, &agency_id, &hash, &prefix, &label, smartcity_db::now())
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(NewApiKey { key, details: row.into() }))
}

#[derive(Debug, Serialize)]
pub struct ApiKeyList {
    items: Vec<ApiKeyView>,
}

pub async fn list_api_keys(
    state: web::Data<AppState>,
    caller: AuthUser,
    agency_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Role::Admin)?;
    let agency_id = existing_agency(&state, agency_id.into_inner()).await?;
    let rows = state.db(move |conn| api_keys::list(conn, &agency_id)).await?;
    Ok(HttpResponse::Ok().json(ApiKeyList { items: rows.into_iter().map(Into::into).collect() }))
}

pub async fn revoke_api_key(
    state: web::Data<AppState>,
    caller: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Role::Admin)?;
    let (agency_id, key_id) = path.into_inner();
    let revoked = state
        .db(move |conn| api_keys::revoke(conn, &agency_id, &key_id, smartcity_db::now()))
        .await?;
    if revoked {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found())
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingRule {
    /// A category code, or `*` for any (the area's default).
    category: String,
    /// An area code, or `*` for any (the city-wide fallback).
    area: String,
    agency_id: String,
}

#[derive(Debug, Serialize)]
pub struct RoutingRules {
    items: Vec<RoutingRule>,
}

pub async fn routing_rules(
    state: web::Data<AppState>,
    caller: AuthUser,
) -> Result<HttpResponse, ApiError> {
    caller.require(Role::Admin)?;
    let rules = state.db(smartcity_db::places::rules).await?;
    let items = rules
        .into_iter()
        .map(|r| RoutingRule { category: r.category, area: r.area, agency_id: r.agency_id })
        .collect();
    Ok(HttpResponse::Ok().json(RoutingRules { items }))
}

/// `PUT /v1/admin/routing-rules`: which agency receives a category in an area (replacing the
/// rule for that pair). Takes effect for the next complaint filed, on every instance.
pub async fn set_routing_rule(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: AuthUser,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    caller.require(Role::Admin)?;
    let rule: RoutingRule = json_body(&req, body).await?;
    let (category, area, agency_id) =
        (rule.category.clone(), rule.area.clone(), rule.agency_id.clone());
    let (category_ok, area_ok, agency_ok) = state
        .db(move |conn| {
            let category_ok =
                category == ANY || smartcity_db::places::find_category(conn, &category)?.is_some();
            let area_ok = area == ANY
                || smartcity_db::places::areas_with_revision(conn)?
                    .1
                    .iter()
                    .any(|a| a.code == area);
            let agency_ok = agencies::find_agency(conn, &agency_id)?.is_some();
            Ok((category_ok, area_ok, agency_ok))
        })
        .await?;
    for (ok, field) in [(category_ok, "category"), (area_ok, "area"), (agency_ok, "agency_id")] {
        if !ok {
            return Err(ApiError::invalid_field(
                field,
                format!("Không có `{field}` này"),
                format!("No such `{field}`"),
            ));
        }
    }
    let stored = Rule {
        category: rule.category.clone(),
        area: rule.area.clone(),
        agency_id: rule.agency_id.clone(),
    };
    state.db(move |conn| smartcity_db::places::set_rule(conn, &stored)).await?;
    Ok(HttpResponse::Ok().json(rule))
}

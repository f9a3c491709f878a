//! What only administrators do: create agencies, their staff accounts and API keys, and set
//! the routing rules.

use super::accounts::account_view;
use super::utc;
use crate::app::accounts::{self, NewAccount};
use crate::app::admin;
use crate::app::error::ApiError;
use crate::app::state::AppState;
use crate::http::auth::AdminCaller;
use crate::http::extract::{json_body, ApiJson};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use smartcity_db::api_keys::ApiKeyRow;
use smartcity_domain::routing::Rule;

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
    level: &'static str,
    created_at: String,
}

pub async fn create_agency(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: AdminCaller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: CreateAgencyRequest = json_body(&req, body).await?;
    let created =
        admin::create_agency(&state, &caller.0, &body.code, &body.name, &body.level).await?;
    Ok(HttpResponse::Created().json(Agency {
        id: created.id,
        code: created.code,
        name: created.name,
        level: created.level.as_str(),
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
    caller: AdminCaller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: CreateStaffRequest = json_body(&req, body).await?;
    let account = NewAccount::parse(&body.phone, &body.display_name, &body.password)?;
    let user = admin::create_staff(&state, &caller.0, account, body.agency_id).await?;
    let profile = accounts::profile(&state, user).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(account_view(profile)))
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

/// A key shown this once, beside its stored details.
#[derive(Debug, Serialize)]
pub struct NewKey<T: Serialize> {
    #[serde(rename = "key")]
    key: String,
    #[serde(flatten)]
    details: T,
}

pub async fn create_api_key(
    state: web::Data<AppState>,
    caller: AdminCaller,
    agency_id: web::Path<String>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: CreateApiKeyRequest = json_body(&req, body).await?;
    let issued =
        admin::create_api_key(&state, &caller.0, agency_id.into_inner(), &body.label).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(NewKey { key: issued.key, details: ApiKeyView::from(issued.row) }))
}

#[derive(Debug, Serialize)]
pub struct Items<T: Serialize> {
    pub items: Vec<T>,
}

pub async fn list_api_keys(
    state: web::Data<AppState>,
    caller: AdminCaller,
    agency_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let rows = admin::list_api_keys(&state, &caller.0, agency_id.into_inner()).await?;
    let items: Vec<ApiKeyView> = rows.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(Items { items }))
}

pub async fn revoke_api_key(
    state: web::Data<AppState>,
    caller: AdminCaller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (agency_id, key_id) = path.into_inner();
    admin::revoke_api_key(&state, &caller.0, agency_id, key_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SmsReminders {
    enabled: bool,
}

/// `PUT /v1/admin/agencies/{id}/sms-reminders`: the agency's staff get the daily overdue digest
/// by SMS as well (or no longer).
pub async fn set_sms_reminders(
    state: web::Data<AppState>,
    caller: AdminCaller,
    id: web::Path<String>,
    body: ApiJson<SmsReminders>,
) -> Result<HttpResponse, ApiError> {
    let enabled = body.0.enabled;
    admin::set_sms_reminders(&state, &caller.0, id.into_inner(), enabled).await?;
    Ok(HttpResponse::Ok().json(SmsReminders { enabled }))
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

impl From<Rule> for RoutingRule {
    fn from(rule: Rule) -> Self {
        RoutingRule { category: rule.category, area: rule.area, agency_id: rule.agency_id }
    }
}

pub async fn routing_rules(
    state: web::Data<AppState>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    let rules = admin::routing_rules(&state, &caller.0).await?;
    let items: Vec<RoutingRule> = rules.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(Items { items }))
}

/// `PUT /v1/admin/routing-rules`: replaces the rule for its category and area.
pub async fn set_routing_rule(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: AdminCaller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let RoutingRule { category, area, agency_id } = json_body(&req, body).await?;
    let rule =
        admin::set_routing_rule(&state, &caller.0, Rule { category, area, agency_id }).await?;
    Ok(HttpResponse::Ok().json(RoutingRule::from(rule)))
}

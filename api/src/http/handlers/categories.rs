//! `/v1/admin/categories`: administrators keep the complaint categories. The body of a
//! category has the shape of an entry of `data/categories.json`.

use super::admin::Items;
use crate::app::categories;
use crate::app::error::ApiError;
use crate::app::state::AppState;
use crate::http::auth::AdminCaller;
use crate::http::extract::{from_value, json_body};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::{Map, Value};
use smartcity_db::places::StoredCategory;
use smartcity_domain::complaint::Category;

/// A category as administrators see it: with whether it is still filed under.
#[derive(Debug, Serialize)]
pub struct AdminCategory {
    #[serde(flatten)]
    category: Category,
    active: bool,
}

impl From<StoredCategory> for AdminCategory {
    fn from(stored: StoredCategory) -> Self {
        AdminCategory { category: stored.category, active: stored.active }
    }
}

/// `GET /v1/admin/categories`: all of them, retired ones too.
pub async fn list(
    state: web::Data<AppState>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    let items = categories::all(&state, &caller.0).await?;
    let items: Vec<AdminCategory> = items.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(Items { items }))
}

/// `POST /v1/admin/categories`
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: AdminCaller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let category: Category = json_body(&req, body).await?;
    let created = categories::create(&state, &caller.0, category).await?;
    Ok(HttpResponse::Created().json(AdminCategory::from(created)))
}

/// `PUT /v1/admin/categories/{code}`: the body's `code` may be left out, the path gives it.
pub async fn replace(
    state: web::Data<AppState>,
    caller: AdminCaller,
    code: web::Path<String>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let mut body: Map<String, Value> = json_body(&req, body).await?;
    body.entry("code").or_insert_with(|| Value::String(code.to_string()));
    let category: Category = from_value(Value::Object(body))?;
    let replaced = categories::replace(&state, &caller.0, &code, category).await?;
    Ok(HttpResponse::Ok().json(AdminCategory::from(replaced)))
}

/// `DELETE /v1/admin/categories/{code}`: retires it.
pub async fn retire(
    state: web::Data<AppState>,
    caller: AdminCaller,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    categories::retire(&state, &caller.0, code.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

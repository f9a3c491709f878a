//! The procedure catalogue: citizens search and browse it, administrators keep it.

use super::admin::Items;
use super::Paging;
use crate::app::error::ApiError;
use crate::app::procedures;
use crate::app::state::AppState;
use crate::http::auth::AdminCaller;
use crate::http::extract::{json_body, ApiQuery};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use smartcity_db::procedures::ProcedureRow;
use smartcity_domain::procedure::{ProcedureSpec, Submission};
use smartcity_domain::search::Filters;

#[derive(Debug, Serialize)]
pub struct Procedure {
    code: String,
    name: String,
    name_en: String,
    field: String,
    level: &'static str,
    agency: String,
    service_level: i32,
    processing_days: i32,
    fee_vnd: i64,
    documents: Vec<String>,
    result: String,
    steps: Vec<String>,
    online_url: Option<String>,
    submission: Option<Submission>,
    retired: bool,
}

fn view(row: ProcedureRow) -> Result<Procedure, ApiError> {
    Ok(Procedure {
        documents: row.documents()?,
        steps: row.steps()?,
        submission: row.submission()?,
        retired: row.retired_at.is_some(),
        code: row.code,
        name: row.name,
        name_en: row.name_en,
        field: row.field,
        level: row.level.as_str(),
        agency: row.agency,
        service_level: row.service_level,
        processing_days: row.processing_days,
        fee_vnd: row.fee_vnd,
        result: row.result,
        online_url: row.online_url,
    })
}

#[derive(Debug, Serialize)]
pub struct ProcedurePage {
    items: Vec<Procedure>,
    page: u32,
    per_page: u32,
    total: i64,
}

/// `GET /v1/procedures`: search (`q`) and browse, with filters and paging.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcedureQuery {
    q: Option<String>,
    field: Option<String>,
    level: Option<String>,
    agency: Option<String>,
    service_level: Option<u8>,
    page: Option<u32>,
    per_page: Option<u32>,
}

pub async fn list(
    state: web::Data<AppState>,
    query: ApiQuery<ProcedureQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let (page, per_page, offset) = Paging { page: q.page, per_page: q.per_page }.resolve()?;
    let filters = Filters {
        field: q.field,
        level: q.level,
        agency: q.agency,
        service_level: q.service_level,
    };
    let text = q.q.unwrap_or_default();
    let (rows, total) =
        procedures::search(&state, &text, filters, offset as usize, per_page as usize).await?;
    let items = rows.into_iter().map(view).collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(ProcedurePage { items, page, per_page, total: total as i64 }))
}

pub async fn show(
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (row, answers) = procedures::page(&state, code.into_inner()).await?;
    let questions_url = format!("/v1/questions?procedure={}", row.code);
    let procedure = view(row)?;
    Ok(HttpResponse::Ok().json(ProcedurePageView {
        procedure,
        questions: QuestionsLink { published: answers, url: questions_url },
    }))
}

/// A procedure's own page: the procedure and where citizens' published questions about it are.
#[derive(Debug, Serialize)]
struct ProcedurePageView {
    #[serde(flatten)]
    procedure: Procedure,
    questions: QuestionsLink,
}

#[derive(Debug, Serialize)]
struct QuestionsLink {
    /// How many published answers are about this procedure.
    published: usize,
    url: String,
}

#[derive(Debug, Serialize)]
pub struct FieldCount {
    field: String,
    count: i64,
}

/// `GET /v1/procedure-fields`: the browse screen's list of fields (lĩnh vực) with counts.
pub async fn fields(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let counts = procedures::field_counts(&state).await?;
    let items: Vec<FieldCount> =
        counts.into_iter().map(|(field, count)| FieldCount { field, count }).collect();
    Ok(HttpResponse::Ok().json(Items { items }))
}

/// `POST /v1/admin/procedures`: adds a procedure, in the import file's shape.
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: AdminCaller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let spec: ProcedureSpec = json_body(&req, body).await?;
    let row = procedures::create(&state, &caller.0, spec).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/procedures/{}", row.code)))
        .json(view(row)?))
}

/// `PUT /v1/admin/procedures/{code}`: replaces a procedure (and brings a retired one back).
pub async fn replace(
    state: web::Data<AppState>,
    caller: AdminCaller,
    code: web::Path<String>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let spec: ProcedureSpec = json_body(&req, body).await?;
    let row = procedures::replace(&state, &caller.0, &code, spec).await?;
    Ok(HttpResponse::Ok().json(view(row)?))
}

/// `DELETE /v1/admin/procedures/{code}`: retires it.
pub async fn retire(
    state: web::Data<AppState>,
    caller: AdminCaller,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    procedures::retire(&state, &caller.0, code.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

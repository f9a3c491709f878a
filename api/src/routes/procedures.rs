//! The procedure catalogue, as citizens browse it. (Search comes with its own issue.)

use super::json_body;
use super::Paging;
use crate::auth::AuthUser;
use crate::extract::ApiQuery;
use crate::problem::{ApiError, ErrorCode};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use smartcity_db::procedures::{self, ProcedureRow};
use smartcity_db::DbError;
use smartcity_domain::account::Role;
use smartcity_domain::agency::GovLevel;
use smartcity_domain::procedure::ProcedureSpec;
use smartcity_domain::search::Filters;

#[derive(Debug, Serialize)]
pub struct Procedure {
    code: String,
    name: String,
    field: String,
    level: String,
    agency: String,
    service_level: i32,
    processing_days: i32,
    fee_vnd: i64,
    documents: Vec<String>,
    result: String,
    steps: Vec<String>,
    online_url: Option<String>,
    retired: bool,
}

impl TryFrom<ProcedureRow> for Procedure {
    type Error = DbError;

    fn try_from(row: ProcedureRow) -> Result<Self, DbError> {
        Ok(Procedure {
            documents: row.documents()?,
            steps: row.steps()?,
            retired: row.retired_at.is_some(),
            code: row.code,
            name: row.name,
            field: row.field,
            level: row.level,
            agency: row.agency,
            service_level: row.service_level,
            processing_days: row.processing_days,
            fee_vnd: row.fee_vnd,
            result: row.result,
            online_url: row.online_url,
        })
    }
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

/// Longer than any sensible question; the index reads only the first words anyway.
const MAX_QUERY_CHARS: usize = 200;

pub async fn list(
    state: web::Data<AppState>,
    query: ApiQuery<ProcedureQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let (page, per_page, offset) =
        Paging { page: query.page, per_page: query.per_page }.resolve()?;
    let text = query.q.unwrap_or_default();
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::invalid_query(
            "q",
            format!("`q` tối đa {MAX_QUERY_CHARS} ký tự"),
            format!("`q` has at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    if let Some(level) = &query.level {
        GovLevel::parse("level", level).map_err(|_| {
            ApiError::invalid_query(
                "level",
                "`level` là province hoặc commune",
                "`level` is province or commune",
            )
        })?;
    }
    if query.service_level.is_some_and(|l| !(1..=4).contains(&l)) {
        return Err(ApiError::invalid_query(
            "service_level",
            "`service_level` từ 1 đến 4",
            "`service_level` is 1–4",
        ));
    }
    let filters = Filters {
        field: query.field,
        level: query.level,
        agency: query.agency,
        service_level: query.service_level,
    };
    let snapshot = state.search.snapshot(&state).await?;
    let (codes, total) = snapshot.index.search(&text, &filters, offset as usize, per_page as usize);
    let items = codes
        .iter()
        .filter_map(|code| snapshot.rows.get(code).cloned())
        .map(Procedure::try_from)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(ProcedurePage { items, page, per_page, total: total as i64 }))
}

pub async fn show(
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let procedure = state
        .db(move |conn| procedures::find(conn, &code)?.map(Procedure::try_from).transpose())
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(procedure))
}

#[derive(Debug, Serialize)]
pub struct FieldCount {
    field: String,
    count: i64,
}

#[derive(Debug, Serialize)]
pub struct FieldList {
    items: Vec<FieldCount>,
}

/// `GET /v1/procedure-fields`: the browse screen's list of fields (lĩnh vực) with counts.
pub async fn fields(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let counts = state.db(procedures::field_counts).await?;
    let items = counts.into_iter().map(|(field, count)| FieldCount { field, count }).collect();
    Ok(HttpResponse::Ok().json(FieldList { items }))
}

/// `POST /v1/admin/procedures`: adds a procedure, in the import file's shape.
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: AuthUser,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    caller.require(Role::Admin)?;
    let spec: ProcedureSpec = json_body(&req, body).await?;
    let code = spec.code.clone();
    let created = state
        .db(move |conn| {
            let created = procedures::create(conn, &spec, smartcity_db::now())?;
            Ok(created.then_some(procedures::find(conn, &spec.code)?).flatten())
        })
        .await?;
    let row =
        created.ok_or_else(|| ApiError::new(ErrorCode::ProcedureExists).with_field("code"))?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/procedures/{code}")))
        .json(Procedure::try_from(row).map_err(ApiError::from)?))
}

/// `PUT /v1/admin/procedures/{code}`: replaces a procedure (and brings a retired one back).
pub async fn replace(
    state: web::Data<AppState>,
    caller: AuthUser,
    code: web::Path<String>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    caller.require(Role::Admin)?;
    let spec: ProcedureSpec = json_body(&req, body).await?;
    if spec.code != *code {
        return Err(ApiError::invalid_field(
            "code",
            "Mã trong nội dung phải trùng mã trên đường dẫn",
            "The code in the body must be the code in the path",
        ));
    }
    let replaced = state
        .db(move |conn| {
            let replaced = procedures::replace(conn, &spec, smartcity_db::now())?;
            Ok(replaced.then_some(procedures::find(conn, &spec.code)?).flatten())
        })
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(Procedure::try_from(replaced).map_err(ApiError::from)?))
}

/// `DELETE /v1/admin/procedures/{code}`: retires it: out of the catalogue and search, still
/// named by the dossiers that use it.
pub async fn retire(
    state: web::Data<AppState>,
    caller: AuthUser,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Role::Admin)?;
    let code = code.into_inner();
    let retired =
        state.db(move |conn| procedures::retire(conn, &code, smartcity_db::now())).await?;
    if retired {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found())
    }
}

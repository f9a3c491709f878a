//! The procedure catalogue, as citizens browse it. (Search comes with its own issue.)

use super::Paging;
use crate::extract::ApiQuery;
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use smartcity_db::procedures::{self, ProcedureRow};
use smartcity_db::DbError;

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

pub async fn list(
    state: web::Data<AppState>,
    query: ApiQuery<Paging>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, offset) = query.0.resolve()?;
    let (items, total) = state
        .db(move |conn| {
            let (rows, total) = procedures::list_live(conn, offset, i64::from(per_page))?;
            let items = rows.into_iter().map(Procedure::try_from).collect::<Result<_, _>>()?;
            Ok((items, total))
        })
        .await?;
    Ok(HttpResponse::Ok().json(ProcedurePage { items, page, per_page, total }))
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

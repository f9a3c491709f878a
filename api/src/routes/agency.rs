//! What agencies send and read: dossier intake from their one-stop-shop systems (or staff by
//! hand), status events, and their own list of dossiers.

use super::dossier_views::{agency_view, today, AgencyDossier};
use super::{json_body, Paging};
use crate::auth::AgencyCaller;
use crate::extract::ApiQuery;
use crate::problem::{ApiError, ErrorCode};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use smartcity_db::dossiers::{
    self, AgencyFilter, DossierInput, EventInput, EventOutcome, UpsertOutcome,
};
use smartcity_domain::dossier::{parse_dossier_code, DossierStatus};
use smartcity_domain::phone::PhoneNumber;
use smartcity_domain::procedure::is_procedure_code;
use smartcity_domain::validation::clean_text;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DossierRequest {
    procedure_code: String,
    applicant_name: String,
    applicant_phone: String,
    received_on: NaiveDate,
    due_on: NaiveDate,
}

/// `PUT /v1/agency/dossiers/{code}`: creates or updates a dossier of the caller's agency.
pub async fn upsert(
    state: web::Data<AppState>,
    caller: AgencyCaller,
    code: web::Path<String>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let code = parse_dossier_code("code", &code)?;
    let body: DossierRequest = json_body(&req, body).await?;
    if !is_procedure_code(&body.procedure_code) {
        return Err(ApiError::invalid_field(
            "procedure_code",
            "Mã thủ tục không hợp lệ",
            "Not a procedure code",
        ));
    }
    let applicant_name = clean_text("applicant_name", &body.applicant_name, 1, 100, false)?;
    let applicant_phone = PhoneNumber::parse("applicant_phone", &body.applicant_phone)?;
    if body.due_on < body.received_on {
        return Err(ApiError::invalid_field(
            "due_on",
            "Ngày hẹn trả không được trước ngày tiếp nhận",
            "The due date cannot be before the received date",
        ));
    }
    let input = DossierInput {
        code: code.clone(),
        procedure_code: body.procedure_code,
        applicant_name,
        applicant_phone: applicant_phone.e164().to_string(),
        received_on: body.received_on,
        due_on: body.due_on,
    };
    let agency_id = caller.agency_id;
    let (outcome, row) = state
        .db(move |conn| {
            let outcome = dossiers::upsert(conn, &agency_id, &input, smartcity_db::now())?;
            Ok((outcome, dossiers::find(conn, &input.code)?))
        })
        .await?;
    let view = |row: Option<_>| row.map(|r| agency_view(&state, r)).ok_or_else(ApiError::internal);
    match outcome {
        UpsertOutcome::Created => Ok(HttpResponse::Created().json(view(row)?)),
        UpsertOutcome::Updated => Ok(HttpResponse::Ok().json(view(row)?)),
        UpsertOutcome::OtherAgency => Err(other_agency()),
        UpsertOutcome::UnknownProcedure => Err(ApiError::invalid_field(
            "procedure_code",
            "Không có thủ tục với mã này",
            "No procedure has this code",
        )),
    }
}

fn other_agency() -> ApiError {
    ApiError::forbidden()
        .with_detail("Hồ sơ này thuộc cơ quan khác", "This dossier belongs to another agency")
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRequest {
    event_id: String,
    status: i32,
    occurred_at: DateTime<FixedOffset>,
    step: Option<String>,
    department: Option<String>,
    officer: Option<String>,
    note: Option<String>,
    #[serde(default)]
    reopens: bool,
}

#[derive(Debug, Serialize)]
pub struct EventRecorded {
    /// False when the event had been received before and was ignored.
    recorded: bool,
    dossier: AgencyDossier,
}

fn optional_text(
    field: &str,
    value: Option<String>,
    max: usize,
) -> Result<Option<String>, ApiError> {
    value
        .map(|v| clean_text(field, &v, 1, max, field == "note"))
        .transpose()
        .map_err(ApiError::from)
}

/// `POST /v1/agency/dossiers/{code}/events`: appends a status event. Repeats are ignored; late
/// events join the timeline; the latest by event time is the current status.
pub async fn record_event(
    state: web::Data<AppState>,
    caller: AgencyCaller,
    code: web::Path<String>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let code = parse_dossier_code("code", &code)?;
    let body: EventRequest = json_body(&req, body).await?;
    let event_id = clean_text("event_id", &body.event_id, 1, 100, false)?;
    let status = DossierStatus::parse("status", body.status)?;
    let occurred_at = body.occurred_at.naive_utc();
    if occurred_at > smartcity_db::now() + Duration::minutes(5) {
        return Err(ApiError::invalid_field(
            "occurred_at",
            "Thời điểm ở tương lai",
            "The time is in the future",
        ));
    }
    let event = EventInput {
        event_id,
        status,
        occurred_at,
        step: optional_text("step", body.step, 200)?,
        department: optional_text("department", body.department, 200)?,
        officer: optional_text("officer", body.officer, 200)?,
        note: optional_text("note", body.note, 2000)?,
        reopens: body.reopens,
    };
    let agency_id = caller.agency_id;
    let (outcome, row) = state
        .db(move |conn| {
            let outcome =
                dossiers::record_event(conn, &agency_id, &code, &event, smartcity_db::now())?;
            Ok((outcome, dossiers::find(conn, &code)?))
        })
        .await?;
    let view = |recorded: bool| -> Result<EventRecorded, ApiError> {
        let dossier = row.map(|r| agency_view(&state, r)).ok_or_else(ApiError::internal)?;
        Ok(EventRecorded { recorded, dossier })
    };
    match outcome {
        EventOutcome::Recorded { .. } => Ok(HttpResponse::Created().json(view(true)?)),
        EventOutcome::Repeat => Ok(HttpResponse::Ok().json(view(false)?)),
        EventOutcome::Closed(status) => {
            Err(ApiError::new(ErrorCode::DossierClosed).with_field("reopens").with_detail(
                format!(
                    "Hồ sơ đã ở trạng thái \"{}\"; sự kiện sau đó phải có \"reopens\": true",
                    status.label_vi()
                ),
                format!(
                    "The dossier is \"{}\"; a later event must carry \"reopens\": true",
                    status.label_en()
                ),
            ))
        }
        EventOutcome::NoDossier => Err(ApiError::not_found()),
        EventOutcome::OtherAgency => Err(other_agency()),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<i32>,
    /// Only open dossiers already past their due date.
    overdue: Option<bool>,
    /// Only open dossiers due within this many days (7: this week).
    due_within_days: Option<u32>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct AgencyDossierPage {
    items: Vec<AgencyDossier>,
    page: u32,
    per_page: u32,
    total: i64,
}

/// `GET /v1/agency/dossiers`: the caller's agency's dossiers, soonest due first.
pub async fn list(
    state: web::Data<AppState>,
    caller: AgencyCaller,
    query: ApiQuery<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let (page, per_page, offset) =
        Paging { page: query.page, per_page: query.per_page }.resolve()?;
    let status = query
        .status
        .map(|s| DossierStatus::parse("status", s).map(DossierStatus::code))
        .transpose()
        .map_err(|_| {
            ApiError::invalid_query("status", "`status` phải từ 1 đến 10", "`status` must be 1–10")
        })?;
    let open_due_by = match (query.overdue, query.due_within_days) {
        (Some(true), Some(_)) => {
            return Err(ApiError::invalid_query(
                "due_within_days",
                "Không dùng `due_within_days` cùng `overdue=true`",
                "`due_within_days` cannot be combined with `overdue=true`",
            ))
        }
        (Some(true), None) => Some(today() - Duration::days(1)),
        (_, Some(days)) if days > 366 => {
            return Err(ApiError::invalid_query(
                "due_within_days",
                "`due_within_days` tối đa 366",
                "`due_within_days` is at most 366",
            ))
        }
        (_, Some(days)) => Some(today() + Duration::days(i64::from(days))),
        (_, None) => None,
    };
    let filter = AgencyFilter { status, open_due_by };
    let agency_id = caller.agency_id;
    let (rows, total) = state
        .db(move |conn| {
            dossiers::list_for_agency(conn, &agency_id, &filter, offset, i64::from(per_page))
        })
        .await?;
    let items = rows.into_iter().map(|r| agency_view(&state, r)).collect();
    Ok(HttpResponse::Ok().json(AgencyDossierPage { items, page, per_page, total }))
}

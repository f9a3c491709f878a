//! What agencies send and read: dossier intake from their one-stop-shop systems (or staff by
//! hand), status events, and their own list of dossiers.

use super::dossier_views::{agency_view, AgencyDossier};
use super::{cursor_after, parse_cursor_in, utc, Paging};
use crate::app::dossiers::{self, AgencyListing, DossierFields, Saved, StatusEvent};
use crate::app::error::ApiError;
use crate::app::state::AppState;
use crate::app::webhooks;
use crate::http::auth::AgencyCaller;
use crate::http::extract::{json_body, ApiQuery};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use smartcity_domain::datetime::{StrictDate, StrictDateTime};
use smartcity_domain::dossier::{DossierChannel, DossierOrigin};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DossierRequest {
    procedure_code: String,
    applicant_name: String,
    applicant_phone: String,
    received_on: StrictDate,
    due_on: StrictDate,
    /// At the counter unless said.
    #[serde(default)]
    channel: DossierChannel,
}

/// `PUT /v1/agency/dossiers/{code}`: creates or updates a dossier of the caller's agency.
pub async fn upsert(
    state: web::Data<AppState>,
    caller: AgencyCaller,
    code: web::Path<String>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: DossierRequest = json_body(&req, body).await?;
    let fields = DossierFields {
        procedure_code: body.procedure_code,
        applicant_name: body.applicant_name,
        applicant_phone: body.applicant_phone,
        received_on: body.received_on.0,
        due_on: body.due_on.0,
        channel: body.channel,
    };
    let (saved, row) = dossiers::save(&state, &caller.0, &code, fields).await?;
    let mut response = match saved {
        Saved::Created => HttpResponse::Created(),
        Saved::Updated => HttpResponse::Ok(),
    };
    Ok(response.json(agency_view(&state, row)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRequest {
    event_id: String,
    status: i32,
    occurred_at: StrictDateTime,
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

/// `POST /v1/agency/dossiers/{code}/events`: appends a status event (201; 200 for a repeat).
pub async fn record_event(
    state: web::Data<AppState>,
    caller: AgencyCaller,
    code: web::Path<String>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: EventRequest = json_body(&req, body).await?;
    let event = StatusEvent {
        event_id: body.event_id,
        status: body.status,
        occurred_at: body.occurred_at.0,
        step: body.step,
        department: body.department,
        officer: body.officer,
        note: body.note,
        reopens: body.reopens,
    };
    let (recorded, row) = dossiers::record_event(&state, &caller.0, &code, event).await?;
    let mut response = if recorded { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(response.json(EventRecorded { recorded, dossier: agency_view(&state, row) }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<i32>,
    overdue: Option<bool>,
    due_within_days: Option<u32>,
    origin: Option<DossierOrigin>,
    order: Option<ListOrder>,
    after: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListOrder {
    /// Soonest due first (the default).
    Due,
    /// In the order they came, for pulling what is new with `after`.
    Arrival,
}

#[derive(Debug, Serialize)]
pub struct AgencyDossierPage {
    items: Vec<AgencyDossier>,
    page: u32,
    per_page: u32,
    total: i64,
    /// In arrival order: where the next pull starts (`after`), also on the last page, so a
    /// system that stores it sees each dossier once.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_after: Option<String>,
}

/// `GET /v1/agency/dossiers`: the caller's agency's dossiers, soonest due first, or in arrival
/// order after a cursor (`order=arrival`, `after=`) for the agency's system to pull.
pub async fn list(
    state: web::Data<AppState>,
    caller: AgencyCaller,
    query: ApiQuery<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let (page, per_page, offset) = Paging { page: q.page, per_page: q.per_page }.resolve()?;
    let after = q.after.as_deref().map(|raw| parse_cursor_in("after", raw)).transpose()?;
    let by_arrival = q.order == Some(ListOrder::Arrival) || after.is_some();
    if by_arrival && (q.order == Some(ListOrder::Due) || q.page.is_some()) {
        return Err(ApiError::invalid_query(
            "after",
            "`after` đi với `order=arrival`, không dùng `page`",
            "`after` goes with `order=arrival` and without `page`",
        ));
    }
    let listing = AgencyListing {
        status: q.status,
        overdue: q.overdue == Some(true),
        due_within_days: q.due_within_days,
        origin: q.origin,
        arrival_after: by_arrival.then(|| after.clone()),
        ..AgencyListing::default()
    };
    let (rows, total) =
        dossiers::list_for_agency(&state, &caller.0, listing, offset, i64::from(per_page)).await?;
    let next_after = by_arrival.then(|| {
        let last = rows.last().map(|r| (r.created_at, r.code.clone()));
        last.or(after).map(|(at, code)| cursor_after(at, &code))
    });
    let items = rows.into_iter().map(|r| agency_view(&state, r)).collect();
    let next_after = next_after.flatten();
    Ok(HttpResponse::Ok().json(AgencyDossierPage { items, page, per_page, total, next_after }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookRequest {
    url: String,
}

#[derive(Debug, Serialize)]
pub struct WebhookView {
    url: String,
    created_at: String,
    /// Only when set: the key deliveries are signed with; keep it, it is not shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

/// `PUT /v1/agency/webhook`: sets where the agency hears of citizens' actions, with a new
/// signing secret.
pub async fn set_webhook(
    state: web::Data<AppState>,
    caller: AgencyCaller,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let WebhookRequest { url } = json_body(&req, body).await?;
    let row = webhooks::register(&state, &caller.0, &url).await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(WebhookView {
        url: row.url,
        created_at: utc(row.created_at),
        secret: Some(row.secret),
    }))
}

/// `GET /v1/agency/webhook`.
pub async fn webhook(
    state: web::Data<AppState>,
    caller: AgencyCaller,
) -> Result<HttpResponse, ApiError> {
    let row = webhooks::find(&state, &caller.0).await?;
    Ok(HttpResponse::Ok().json(WebhookView {
        url: row.url,
        created_at: utc(row.created_at),
        secret: None,
    }))
}

/// `DELETE /v1/agency/webhook`.
pub async fn remove_webhook(
    state: web::Data<AppState>,
    caller: AgencyCaller,
) -> Result<HttpResponse, ApiError> {
    webhooks::remove(&state, &caller.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

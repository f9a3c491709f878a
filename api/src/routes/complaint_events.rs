//! `POST /v1/complaints/{id}/events`: staff of the assigned agency (and admins) move a
//! complaint along; its reporter rates or reopens it. The rules are the state machine in
//! `domain::complaint`; this handler says who the caller is and stores what it decides.
//!
//! The body is JSON, or the same fields as a multipart form, which alone can carry photos:
//! those of the fix, on a `resolved` event.

use super::complaint_form::{self, StoredPhotos};
use super::complaints::{load, view, Audience};
use crate::auth::AuthUser;
use crate::extract::{parse_json, ApiJson};
use crate::problem::{ApiError, ErrorCode};
use crate::state::AppState;
use actix_multipart::Multipart;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use smartcity_db::complaints::{self, EventOutcome, NewEvent};
use smartcity_db::{agencies, places};
use smartcity_domain::account::Role;
use smartcity_domain::complaint::{
    complaint_notice, decide, Actor, ComplaintState, ComplaintStatus, EventRequest, NoticeKind,
    Refusal, DEFAULT_REPORTER_WINDOW,
};

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventBody {
    Acknowledged { comment: String },
    InProgress { comment: Option<String> },
    Resolved { response: String },
    Rejected { reason: String },
    Duplicate { duplicate_of: String },
    Reassigned { to_agency_id: String, reason: String },
    Note { text: String },
    Rated { stars: i64, comment: Option<String> },
    Reopened { reason: String },
}

impl EventBody {
    fn into_request(self, after_photos: u32) -> EventRequest {
        match self {
            EventBody::Acknowledged { comment } => EventRequest::Acknowledged { comment },
            EventBody::InProgress { comment } => EventRequest::InProgress { comment },
            EventBody::Resolved { response } => EventRequest::Resolved { response, after_photos },
            EventBody::Rejected { reason } => EventRequest::Rejected { reason },
            EventBody::Duplicate { duplicate_of } => EventRequest::Duplicate { duplicate_of },
            EventBody::Reassigned { to_agency_id, reason } => {
                EventRequest::Reassigned { to_agency_id, reason }
            }
            EventBody::Note { text } => EventRequest::Note { text },
            EventBody::Rated { stars, comment } => EventRequest::Rated { stars, comment },
            EventBody::Reopened { reason } => EventRequest::Reopened { reason },
        }
    }
}

/// The event and the photos sent with it, from a JSON body or a multipart form.
async fn read_body(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<(EventBody, Vec<Vec<u8>>), ApiError> {
    if !complaint_form::is_multipart(req) {
        let ApiJson(body) = ApiJson::<EventBody>::from_request(req, &mut payload.into_inner())
            .await
            .map_err(|error| match error.code {
                ErrorCode::UnsupportedMediaType => error.with_detail(
                    "Gửi sự kiện dạng application/json hoặc multipart/form-data",
                    "Send the event as application/json or multipart/form-data",
                ),
                _ => error,
            })?;
        return Ok((body, Vec::new()));
    }
    let form = complaint_form::read(Multipart::new(req.headers(), payload), &complaint_form::EVENT)
        .await?;
    // Form parts are text; `stars` is the one number among the events' fields.
    let fields = form
        .fields
        .into_iter()
        .map(|(name, text)| {
            if name != "stars" {
                return Ok((name, Value::String(text)));
            }
            let stars = text.trim().parse::<i64>().map_err(|_| {
                ApiError::invalid_field(
                    "stars",
                    "`stars` là số nguyên từ 1 đến 5",
                    "`stars` is a whole number from 1 to 5",
                )
            })?;
            Ok((name, Value::from(stars)))
        })
        .collect::<Result<serde_json::Map<String, Value>, ApiError>>()?;
    let body: EventBody = parse_json(Value::Object(fields).to_string().as_bytes())?;
    if !form.photos.is_empty() && !matches!(body, EventBody::Resolved { .. }) {
        return Err(ApiError::invalid_field(
            "photos",
            "Chỉ sự kiện `resolved` mới kèm ảnh",
            "Only a `resolved` event carries photos",
        ));
    }
    Ok((body, form.photos))
}

fn actor(caller: &AuthUser, reporter_id: Option<&str>, agency_id: &str) -> Actor {
    if reporter_id == Some(caller.user.id.as_str()) {
        return Actor::Reporter;
    }
    match caller.role {
        Role::Admin => Actor::Admin,
        Role::Staff if caller.user.agency_id.as_deref() == Some(agency_id) => Actor::AssignedStaff,
        Role::Staff => Actor::OtherStaff,
        Role::Citizen => Actor::Citizen,
    }
}

fn refused(refusal: Refusal) -> ApiError {
    let code = match refusal.http_status() {
        403 => ErrorCode::Forbidden,
        409 => ErrorCode::TransitionNotAllowed,
        _ => ErrorCode::InvalidField,
    };
    let mut error = ApiError::new(code).with_detail(
        refusal.message(smartcity_domain::Lang::Vi),
        refusal.message(smartcity_domain::Lang::En),
    );
    if let Refusal::Invalid(invalid) = &refusal {
        error = error.with_field(invalid.field.clone());
    }
    error
}

/// Texts of the event for the timeline and the notice: what the agency or reporter wrote.
fn words(event: &EventRequest) -> (Option<String>, serde_json::Value) {
    match event {
        EventRequest::Acknowledged { comment } => (Some(comment.clone()), json!({})),
        EventRequest::InProgress { comment } => (comment.clone(), json!({})),
        EventRequest::Resolved { response, .. } => (Some(response.clone()), json!({})),
        EventRequest::Rejected { reason } | EventRequest::Reopened { reason } => {
            (Some(reason.clone()), json!({}))
        }
        EventRequest::Duplicate { duplicate_of } => (None, json!({ "duplicate_of": duplicate_of })),
        EventRequest::Reassigned { to_agency_id, reason } => {
            (Some(reason.clone()), json!({ "to_agency_id": to_agency_id }))
        }
        EventRequest::Note { text } => (Some(text.clone()), json!({})),
        EventRequest::Rated { stars, comment } => (comment.clone(), json!({ "stars": stars })),
        EventRequest::Closed => (None, json!({})),
    }
}

pub async fn record(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (body, uploads) = read_body(&req, payload).await?;
    let id = id.into_inner();
    let detail = load(&state, &id).await?;
    let complaint = &detail.complaint;
    let status =
        ComplaintStatus::parse("status", &complaint.status).map_err(|_| ApiError::internal())?;
    let status_since = detail
        .events
        .iter()
        .rev()
        .find(|e| e.status_after.as_deref() == Some(complaint.status.as_str()))
        .map(|e| e.created_at)
        .unwrap_or(complaint.updated_at);
    let current = ComplaintState {
        status,
        status_since: DateTime::from_naive_utc_and_offset(status_since, Utc),
    };
    let who = actor(&caller, complaint.reporter_id.as_deref(), &complaint.agency_id);
    let request = body.into_request(uploads.len() as u32);
    let transition =
        decide(&current, &request, who, Utc::now(), DEFAULT_REPORTER_WINDOW).map_err(refused)?;

    let mut reassign_to = None;
    let mut duplicate_of = None;
    let mut notice_detail = None;
    match &transition.event {
        EventRequest::Duplicate { duplicate_of: original } => {
            let lookup = original.clone();
            let exists = state.db(move |conn| complaints::detail(conn, &lookup)).await?.is_some();
            if !exists || *original == id {
                return Err(ApiError::invalid_field(
                    "duplicate_of",
                    "Không có phản ánh gốc này (hoặc là chính phản ánh này)",
                    "No such original complaint (or it is this one)",
                ));
            }
            duplicate_of = Some(original.clone());
            notice_detail = Some(original.clone());
        }
        EventRequest::Reassigned { to_agency_id, .. } => {
            let lookup = to_agency_id.clone();
            let agency = state
                .db(move |conn| agencies::find_agency(conn, &lookup))
                .await?
                .ok_or_else(|| {
                    ApiError::invalid_field(
                        "to_agency_id",
                        "Không có cơ quan này",
                        "No such agency",
                    )
                })?;
            reassign_to = Some(agency.id);
            notice_detail = Some(agency.name);
        }
        _ => {}
    }
    let (text, data) = words(&transition.event);
    let category_code = complaint.category_code.clone();
    let category = state
        .db(move |conn| places::find_category(conn, &category_code))
        .await?
        .ok_or_else(ApiError::internal)?;
    let notice = transition.notice.map(|kind| {
        let mut notice =
            complaint_notice(kind, &id, &category, notice_detail.as_deref().or(text.as_deref()));
        if let Some(status) = transition.status {
            notice.data.insert("status", status.as_str().to_string());
        }
        notice
    });
    // Refusals are all behind: only now are the photos worth processing and storing.
    let processed = complaint_form::process_photos(&state, uploads).await?;
    let StoredPhotos { rows: after_photos, keys: stored } =
        complaint_form::store_photos(&state, &processed).await?;
    let staff_notice = reassign_to.as_ref().map(|_| {
        complaint_notice(NoticeKind::Assigned, &id, &category, Some(&complaint.description))
    });
    let event = NewEvent {
        event_type: transition.event.kind().as_str().to_string(),
        actor_id: Some(caller.user.id.clone()),
        actor_role: format!("{who:?}").to_lowercase(),
        agency_id: caller.user.agency_id.clone(),
        is_public: transition.public,
        body: text,
        data: data.to_string(),
        status_before: complaint.status.clone(),
        status_after: transition.status.map(|s| s.as_str().to_string()),
        reassign_to,
        duplicate_of,
        rating: match &transition.event {
            EventRequest::Rated { stars, comment } => Some((*stars as i32, comment.clone())),
            _ => None,
        },
        after_photos,
        staff_notice,
    };
    let complaint_id = id.clone();
    let outcome = state
        .db(move |conn| {
            complaints::record_event(
                conn,
                &complaint_id,
                &event,
                notice.as_ref(),
                smartcity_db::now(),
            )
        })
        .await;
    if !matches!(outcome, Ok(EventOutcome::Recorded)) {
        // Nothing half-written: the photos go with the event that was not recorded.
        complaint_form::remove_stored(&state, &stored).await;
    }
    if outcome? == EventOutcome::StatusChanged {
        return Err(ApiError::new(ErrorCode::TransitionNotAllowed).with_detail(
            "Phản ánh vừa được người khác cập nhật; hãy tải lại",
            "The complaint was just updated by someone else; reload it",
        ));
    }
    let detail = load(&state, &id).await?;
    Ok(HttpResponse::Created().json(view(&detail, Audience::Staff)))
}

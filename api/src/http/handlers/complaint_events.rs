//! `POST /v1/complaints/{id}/events`: staff of the assigned agency (and admins) move a
//! complaint along; its reporter rates or reopens it. The body is JSON, or the same fields as a
//! multipart form, which alone can carry photos: those of the fix, on a `resolved` event.

use super::complaint_views::view;
use crate::app::complaints::events::{self, Recorder, Seen};
use crate::app::error::{ApiError, ErrorCode};
use crate::app::state::AppState;
use crate::http::auth::SignedIn;
use crate::http::extract::{parse_json, ApiJson};
use crate::http::multipart;
use actix_multipart::Multipart;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::Value;
use smartcity_domain::complaint::EventRequest;

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
    if !multipart::is_multipart(req) {
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
    let form = multipart::read(Multipart::new(req.headers(), payload), &multipart::EVENT).await?;
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

/// 201 with the complaint as the caller may read it: staff see internal notes, the reporter
/// who rated or reopened does not.
pub async fn record(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: SignedIn,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (body, photos) = read_body(&req, payload).await?;
    let request = body.into_request(photos.len() as u32);
    let recorder = Recorder::Person(&caller.0);
    let complaint = events::record(&state, &id, recorder, request, photos, Seen::Anything).await?;
    Ok(HttpResponse::Created().json(view(&complaint)))
}

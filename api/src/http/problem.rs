//! Every error leaves the server as RFC 9457 Problem Details (`application/problem+json`) with
//! the application's stable machine `code`, and `title`/`detail` in the language the request
//! asked for (Vietnamese unless `Accept-Language` prefers English). The cause of an error of
//! ours goes to the log, never to the caller.

use crate::app::error::{ApiError, ErrorCode};
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use smartcity_domain::Lang;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub instance: String,
    pub code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// The body of the problem, in `lang`.
pub fn problem(error: &ApiError, lang: Lang, instance: &str, request_id: Option<&str>) -> Problem {
    Problem {
        problem_type: format!("https://smartcity.example/problems/{}", error.code.as_str()),
        title: error.code.title(lang).to_string(),
        status: error.code.status(),
        detail: error.detail_in(lang),
        instance: instance.to_string(),
        code: error.code.as_str(),
        field: error.field.clone(),
        request_id: request_id.map(str::to_string),
    }
}

pub fn status_of(error: &ApiError) -> StatusCode {
    StatusCode::from_u16(error.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Writes what the operator needs to know of an error answered: ours in full with cause and
/// place, outages as warnings, the caller's mistakes only at debug.
pub fn log(error: &ApiError) {
    let (code, location) = (error.code.as_str(), error.location);
    let cause = error.cause.as_ref().map(|c| c.to_string());
    match error.code {
        ErrorCode::Internal => tracing::error!(code, %location, ?cause, "request failed"),
        ErrorCode::DatabaseUnavailable | ErrorCode::StorageUnavailable => {
            tracing::warn!(code, %location, ?cause, "request met an outage")
        }
        ErrorCode::ServerBusy => {
            tracing::warn!(code, %location, "request refused: the server is busy")
        }
        _ => tracing::debug!(code, %location, field = ?error.field, "request refused"),
    }
}

pub fn problem_response(
    error: &ApiError,
    lang: Lang,
    instance: &str,
    request_id: Option<&str>,
) -> HttpResponse {
    let mut builder = HttpResponse::build(status_of(error));
    builder.content_type(PROBLEM_JSON).insert_header((header::CONTENT_LANGUAGE, lang.tag()));
    if let Some(secs) = error.retry_after_secs {
        builder.insert_header((header::RETRY_AFTER, secs.to_string()));
    }
    if matches!(error.code, ErrorCode::AuthenticationRequired | ErrorCode::InvalidToken) {
        builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
    }
    builder.json(problem(error, lang, instance, request_id))
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        status_of(self)
    }

    /// A Vietnamese rendering without request context; the problem middleware re-renders it
    /// with the request's language, path and id.
    fn error_response(&self) -> HttpResponse {
        problem_response(self, Lang::Vi, "", None)
    }
}

/// Marks an error response that is not a problem by design (GeoReport's error list, a
/// console page), so the problem layer leaves it as it is.
pub struct OwnErrorFormat;

//! The layers every request passes through, outermost first: `observe` (request id, tracing
//! span, metrics, access log), `render_problems` (every error as problem+json in the request's
//! language), and, around each resource, `catch_panics` (a panicking handler answers 500 and
//! the worker keeps serving).
//!
//! The app-wide layers must not clone the request before routing (the router needs it
//! unshared), so they read everything they need from the response.

use crate::metrics::Metrics;
use crate::problem::{ApiError, ErrorCode};
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse, ResponseError};
use futures_util::FutureExt;
use smartcity_domain::Lang;
use std::panic::AssertUnwindSafe;
use std::time::Instant;
use tracing::Instrument;

pub const REQUEST_ID_HEADER: &str = "x-request-id";
pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Clone)]
pub struct RequestId(pub String);

/// An incoming id is kept when it looks like an id (so a gateway's id carries through);
/// anything else is replaced.
fn request_id_for(req: &ServiceRequest) -> String {
    req.headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let request_id = request_id_for(&req);
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = req.method().to_string();
    let span =
        tracing::info_span!("request", request_id = %request_id, %method, path = %req.path());
    let started = Instant::now();
    let mut res = next.call(req).instrument(span.clone()).await?;
    let elapsed = started.elapsed();
    let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".to_string());
    let status = res.status().as_u16();
    // A write that succeeded may have queued pushes: wake a push worker now rather than at its
    // next poll.
    if method != "GET" && method != "HEAD" && res.status().is_success() {
        if let Some(state) = res.request().app_data::<web::Data<AppState>>() {
            state.push_wakeup.notify_one();
        }
    }
    if let Some(metrics) = metrics {
        metrics.observe_request(&method, &route, status, elapsed);
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    span.in_scope(|| {
        tracing::info!(status, %route, elapsed_ms = elapsed.as_secs_f64() * 1000.0, "request finished")
    });
    Ok(res)
}

pub async fn render_problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let http_req = res.request().clone();
    let lang = Lang::negotiate(
        http_req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
    );
    let request_id = http_req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let api_error = res.response().error().and_then(|e| e.as_error::<ApiError>()).cloned();
    let error = match api_error {
        Some(error) => error,
        None if res.response().extensions().contains::<OwnErrorFormat>() => return Ok(res),
        None if is_unrendered_error(&res) => error_for_status(res.status()),
        None => return Ok(res),
    };
    let (http_req, old) = res.into_parts();
    let mut fresh = problem_response(&error, lang, http_req.path(), request_id.as_deref());
    // Keep what the framework said beside the body (Allow on a 405, for one).
    for (name, value) in old.headers() {
        if !fresh.headers().contains_key(name) && name != header::CONTENT_LENGTH {
            fresh.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(http_req, fresh))
}

/// Marks an error response whose body follows another standard (Open311's error list), so
/// it is left as it is.
pub struct OwnErrorFormat;

fn is_unrendered_error(res: &ServiceResponse<BoxBody>) -> bool {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON));
    (res.status().is_client_error() || res.status().is_server_error()) && !is_problem
}

/// Errors the framework answered by itself, before any handler of ours ran.
fn error_for_status(status: StatusCode) -> ApiError {
    let code = match status {
        StatusCode::NOT_FOUND => ErrorCode::RouteNotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::BodyTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::SERVICE_UNAVAILABLE => ErrorCode::DatabaseUnavailable,
        s if s.is_client_error() => ErrorCode::InvalidQuery,
        _ => ErrorCode::Internal,
    };
    ApiError::new(code)
}

pub fn problem_response(
    error: &ApiError,
    lang: Lang,
    instance: &str,
    request_id: Option<&str>,
) -> HttpResponse {
    let problem = error.to_problem(lang, instance, request_id);
    let mut builder = HttpResponse::build(error.status_code());
    builder.content_type(PROBLEM_JSON).insert_header((header::CONTENT_LANGUAGE, lang.tag()));
    if let Some(secs) = error.retry_after_secs {
        builder.insert_header((header::RETRY_AFTER, secs.to_string()));
    }
    if matches!(error.code, ErrorCode::AuthenticationRequired | ErrorCode::InvalidToken) {
        builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
    }
    builder.json(problem)
}

/// Mounted on each resource (after routing, where holding a copy of the request is safe).
pub async fn catch_panics(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let http_req = req.request().clone();
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(result) => result.map(ServiceResponse::map_into_boxed_body),
        Err(_) => {
            tracing::error!(path = %http_req.path(), "handler panicked");
            Ok(ServiceResponse::from_err(ApiError::internal(), http_req))
        }
    }
}

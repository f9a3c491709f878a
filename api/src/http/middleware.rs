//! The layers every request passes through, outermost first: `observe` (request id, tracing
//! span, metrics, access log), `render_problems` (every error as problem+json in the request's
//! language), `body_memory::bound_body_memory` (every body's bytes taken from the process's
//! budget), `refuse_malformed` (a request whose head is too large or whose text is not UTF-8
//! goes no further), and, around each resource, `catch_panics` (a panicking handler answers 500
//! and the worker keeps serving).
//!
//! The app-wide layers must not clone the request before routing (the router needs it
//! unshared), so they read everything they need from the response.

use crate::adapters::metrics::Metrics;
use crate::app::error::{ApiError, ErrorCode};
use crate::http::extract::{lang_of, undecodable_parameter};
use crate::http::georeport;
use crate::http::problem::{self, problem_response, PROBLEM_JSON};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest};
use futures_util::{FutureExt, Stream, StreamExt};
use smartcity_domain::open311::Format;
use smartcity_domain::photo;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::time::Instant;
use tracing::Instrument;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Longest request target (path and query) read: far above any URL of ours (a full search is
/// under 2 KiB). actix's HTTP/1 parser stops at 128 KiB for the whole head (or 96 headers) and
/// answers that itself with a bare `431`, before any of this runs.
const MAX_URI_BYTES: usize = 8 * 1024;
/// Most bytes of header names and values together (a bearer token is under 1 KiB).
const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Largest form body (`application/x-www-form-urlencoded`, Open311's filing), as actix's
/// default for the handler's `web::Bytes`.
const MAX_FORM_BYTES: usize = 256 * 1024;
/// Largest `multipart/form-data` body: every photo at its limit, and 1 MiB for the text parts
/// and the framing. The multipart parser buffers a part's headers, and anything before the
/// first boundary, until they end; this bounds what that can cost.
const MAX_MULTIPART_BYTES: usize =
    photo::MAX_PHOTOS_PER_COMPLAINT * photo::MAX_PHOTO_BYTES as usize + 1024 * 1024;

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
    let lang = lang_of(&http_req);
    let request_id = http_req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let api_error = res.response().error().and_then(|e| e.as_error::<ApiError>()).cloned();
    let error = match api_error {
        Some(error) => error,
        None if res.response().extensions().contains::<problem::OwnErrorFormat>() => {
            return Ok(res)
        }
        None if is_unrendered_error(&res) => error_for_status(res.status()),
        None => return Ok(res),
    };
    problem::log(&error);
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

/// Refuses, before routing, a request target or headers over their limits and a path, query
/// parameter or form field that is not UTF-8 once percent-decoded (decoders downstream would
/// turn it into U+FFFD silently). Open311's paths are answered with its error list, but for a
/// body too large (a problem there too, as the framework's own refusal always was).
pub async fn refuse_malformed(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let mut refused = head_refusal(&req);
    if refused.is_none() && has_content_type(&req, "application/x-www-form-urlencoded") {
        refused = check_form_body(&mut req).await.err();
    }
    if refused.is_none() && has_content_type(&req, "multipart/form-data") {
        refused = bound_multipart_body(&mut req).err();
    }
    let Some(error) = refused else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    // Nothing was routed: the request is ours alone to answer with.
    let (http_req, _) = req.into_parts();
    Ok(refusal(http_req, error))
}

/// The answer to a request refused outside its handler: Open311's error list on Open311's
/// paths, but for a body too large (a problem there too, as the framework's own refusal always
/// was); a problem everywhere else.
pub fn refusal(http_req: HttpRequest, error: ApiError) -> ServiceResponse<BoxBody> {
    let open311 = http_req.path().strip_prefix("/open311/");
    if let Some(resource) = open311.filter(|_| error.code != ErrorCode::BodyTooLarge) {
        let format = if resource.ends_with(".xml") { Format::Xml } else { Format::Json };
        let lang = lang_of(&http_req);
        let response = georeport::error(&error, format, lang);
        return ServiceResponse::new(http_req, response);
    }
    ServiceResponse::from_err(error, http_req)
}

fn head_refusal(req: &ServiceRequest) -> Option<ApiError> {
    let target = req.uri().path_and_query().map_or(0, |target| target.as_str().len());
    if target > MAX_URI_BYTES {
        let field = if req.query_string().len() > req.path().len() { "query" } else { "path" };
        return Some(ApiError::new(ErrorCode::UriTooLong).with_field(field).with_detail(
            format!("Đường dẫn và tham số tối đa {} KiB", MAX_URI_BYTES / 1024),
            format!("The path and query are limited to {} KiB", MAX_URI_BYTES / 1024),
        ));
    }
    let header_bytes: usize =
        req.headers().iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    if header_bytes > MAX_HEADER_BYTES {
        return Some(ApiError::new(ErrorCode::HeadersTooLarge).with_detail(
            format!("Các header tối đa {} KiB", MAX_HEADER_BYTES / 1024),
            format!("Headers are limited to {} KiB", MAX_HEADER_BYTES / 1024),
        ));
    }
    if percent_encoding::percent_decode(req.uri().path().as_bytes()).decode_utf8().is_err() {
        return Some(not_utf8(ErrorCode::InvalidPath, "path".to_string()));
    }
    let name = undecodable_parameter(req.query_string().as_bytes())?;
    Some(not_utf8(ErrorCode::InvalidQuery, name.unwrap_or_else(|| "query".to_string())))
}

fn not_utf8(code: ErrorCode, field: String) -> ApiError {
    ApiError::new(code)
        .with_detail(
            format!("`{field}` không phải văn bản UTF-8 hợp lệ"),
            format!("`{field}` is not valid UTF-8 text"),
        )
        .with_field(field)
}

fn has_content_type(req: &ServiceRequest, media_type: &str) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(media_type))
}

/// Refuses a multipart body declared over [`MAX_MULTIPART_BYTES`], and cuts one that turns out
/// longer with an IO error of kind `FileTooLarge` (the form reader answers that 413; the
/// parser's own `Overflow` means a part's head or preamble over its buffer, a malformed form).
fn bound_multipart_body(req: &mut ServiceRequest) -> Result<(), ApiError> {
    let too_large = || {
        ApiError::new(ErrorCode::BodyTooLarge).with_field("body").with_detail(
            format!("Biểu mẫu tối đa {} MiB", MAX_MULTIPART_BYTES >> 20),
            format!("Forms are limited to {} MiB", MAX_MULTIPART_BYTES >> 20),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_MULTIPART_BYTES) {
        return Err(too_large());
    }
    let mut seen = 0;
    let bounded = req.take_payload().map(move |chunk| {
        let chunk = chunk?;
        seen += chunk.len();
        if seen > MAX_MULTIPART_BYTES {
            return Err(PayloadError::Io(std::io::Error::from(std::io::ErrorKind::FileTooLarge)));
        }
        Ok(chunk)
    });
    let bounded: Pin<Box<dyn Stream<Item = Result<web::Bytes, PayloadError>>>> = Box::pin(bounded);
    req.set_payload(Payload::from(bounded));
    Ok(())
}

/// Reads a form body (bounded), checks its fields and hands it on to the handler unchanged.
async fn check_form_body(req: &mut ServiceRequest) -> Result<(), ApiError> {
    let unreadable =
        || ApiError::invalid_field("body", "Không đọc được biểu mẫu", "The form does not parse");
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| unreadable())?;
        if body.len() + chunk.len() > MAX_FORM_BYTES {
            return Err(ApiError::new(ErrorCode::BodyTooLarge).with_field("body"));
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let refusal = undecodable_parameter(&body)
        .map(|name| not_utf8(ErrorCode::InvalidField, name.unwrap_or_else(|| "body".to_string())));
    req.set_payload(Payload::from(body));
    refusal.map_or(Ok(()), Err)
}

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

/// Mounted on each resource (after routing, where holding a copy of the request is safe).
pub async fn catch_panics(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let http_req = req.request().clone();
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(result) => result.map(ServiceResponse::map_into_boxed_body),
        Err(_) => {
            let panicked =
                crate::app::error::Bug(format!("handler of {} panicked", http_req.path()));
            Ok(ServiceResponse::from_err(ApiError::internal(panicked), http_req))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bound_on_body_memory_admits_the_largest_form() {
        assert_eq!(crate::config::LARGEST_BODY_MIB << 20, super::MAX_MULTIPART_BYTES);
    }
}

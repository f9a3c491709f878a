//! Cross-origin reads for browsers (CORS). The web pages of the origins listed in
//! `SMARTCITY_CORS_ORIGINS` (a city's portal, a dashboard) may read the public routes, those
//! the route table mounts with `Routes::public_read`, with GET and HEAD and without
//! credentials. Nothing else answers CORS: the signed-in routes serve the app, which is not a
//! browser, and the agency console, which is same-origin, so a page elsewhere has no business
//! calling them with someone's token (a preflight asking for them, or for `Authorization`, is
//! not granted). With no origins configured, no response carries a CORS header at all.

use crate::app::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;

/// What a listed origin's page may do on a public route.
pub const ALLOWED_METHODS: &str = "GET, HEAD";
/// Request headers a page may add beyond the always-allowed ones: the language of the texts,
/// and a request id to follow a call through the logs.
pub const ALLOWED_HEADERS: &str = "Accept-Language, X-Request-Id";
/// Response headers a page may read beyond the always-readable ones.
pub const EXPOSED_HEADERS: &str = "Retry-After, X-Request-Id";
/// How long a browser may keep a preflight's answer (Chromium keeps at most 2 hours).
pub const MAX_AGE_SECS: u32 = 7200;

/// Mounted around each public read route: grants a listed origin's GET and HEAD, and the
/// preflight of either; says `Vary: Origin` on every read of the route once origins are
/// configured, since the answer then depends on it (a cache must not hand one origin's answer
/// to another).
pub async fn public_read(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let Some(state) = state.filter(|state| !state.config.cors_origins.is_empty()) else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .filter(|origin| state.config.cors_origins.iter().any(|listed| *origin == listed.as_str()))
        .cloned();
    let asked = req.headers().get(header::ACCESS_CONTROL_REQUEST_METHOD);
    let preflight = *req.method() == Method::OPTIONS && asked.is_some();
    let read_asked = asked.is_some_and(|m| m == "GET" || m == "HEAD");
    let read = matches!(*req.method(), Method::GET | Method::HEAD);

    let mut res = next.call(req).await?.map_into_boxed_body();
    let headers = res.headers_mut();
    if read || preflight {
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    let Some(origin) = origin else { return Ok(res) };
    if preflight && read_asked {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        grant_preflight(headers);
    } else if read {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
    Ok(res)
}

fn grant_preflight(headers: &mut HeaderMap) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOWED_METHODS));
    headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(ALLOWED_HEADERS));
    headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from(MAX_AGE_SECS));
}

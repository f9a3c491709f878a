//! Liveness, readiness and metrics for the operator.

use crate::app::error::{ApiError, ErrorCode};
use crate::app::health;
use crate::app::state::AppState;
use actix_web::{web, HttpResponse};
use serde_json::json;

/// The process is up and answering.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The database answers within a second; 503 otherwise, so a load balancer stops sending.
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if health::ready(&state).await {
        Ok(HttpResponse::Ok().json(json!({ "status": "ready" })))
    } else {
        Err(ApiError::new(ErrorCode::DatabaseUnavailable).retry_after(5))
    }
}

pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(health::metrics(&state).await)
}

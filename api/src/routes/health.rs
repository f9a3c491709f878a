//! Liveness, readiness and metrics for the operator.

use crate::metrics::PushBacklog;
use crate::problem::{ApiError, ErrorCode};
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use serde_json::json;
use smartcity_db::outbox;
use std::time::Duration;

/// The process is up and answering.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The database answers within a second; 503 otherwise, so a load balancer stops sending.
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let pool = state.pool.clone();
    let ready = web::block(move || {
        let mut conn = pool.get_timeout(Duration::from_secs(1)).ok()?;
        smartcity_db::pool::check_ready(&mut conn).ok()
    })
    .await?;
    match ready {
        Some(()) => Ok(HttpResponse::Ok().json(json!({ "status": "ready" }))),
        None => Err(ApiError::new(ErrorCode::DatabaseUnavailable).retry_after(5)),
    }
}

pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let backlog = state.db(outbox::backlog).await.ok().map(|(depth, oldest)| PushBacklog {
        depth,
        oldest_due_age_secs: oldest
            .map(|due| (smartcity_db::now() - due).num_seconds().max(0))
            .unwrap_or(0),
    });
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&state.pool, backlog))
}

//! What an operator relies on: health, readiness, metrics, request ids, surviving a panic.

use crate::helpers::*;
use actix_web::http::Method;
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn health_and_readiness_answer_when_all_is_well() {
    let app = spawn_app().await;
    let health: Value = app.get("/healthz").await.json().await.unwrap();
    assert_eq!(health["status"], "ok");
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn readiness_is_503_when_the_database_is_gone_while_health_stays_up() {
    let app = spawn_app().await;
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
    match &app.db {
        smartcity_testkit::test_db::TestDb::Postgres { admin_url, name, .. } => {
            use diesel::{Connection, RunQueryDsl};
            let mut admin = diesel::pg::PgConnection::establish(admin_url).unwrap();
            diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
                .execute(&mut admin)
                .unwrap();
        }
        smartcity_testkit::test_db::TestDb::Sqlite { dir, .. } => {
            // The disk under the file goes bad: every page now reads as garbage.
            for file in ["test.db", "test.db-wal", "test.db-shm"] {
                let path = dir.path().join(file);
                if path.exists() {
                    let len = std::fs::metadata(&path).unwrap().len() as usize;
                    std::fs::write(&path, vec![0x5a; len.max(4096)]).unwrap();
                }
            }
        }
    }
    let res = app.get("/readyz").await;
    let retry_after = res.headers().contains_key("retry-after");
    assert_problem(res, StatusCode::SERVICE_UNAVAILABLE, "database_unavailable").await;
    assert!(retry_after);
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_with_latency_and_pool() {
    let app = spawn_app().await;
    app.get("/healthz").await;
    app.get("/v1/procedures/NO-SUCH").await;
    app.get("/v1/procedures/NO-SUCH").await;
    let res = app.client.get(format!("{}/metrics", app.metrics_address)).send().await.unwrap();
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = res.text().await.unwrap();
    assert!(
        text.contains(
            r#"smartcity_http_requests_total{method="GET",route="/healthz",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains(r#"smartcity_http_requests_total{method="GET",route="/v1/procedures/{code}",status="404"} 2"#), "{text}");
    assert!(text.contains("smartcity_http_request_duration_seconds_bucket"), "{text}");
    assert!(text.contains(r#"smartcity_db_pool_connections{state="idle"}"#), "{text}");
    assert!(text.contains(r#"smartcity_db_pool_connections{state="in_use"}"#), "{text}");
}

/// Metrics are the operator's: the API's own address does not serve them (it did before,
/// to anyone), the separate listener does.
#[tokio::test]
async fn metrics_are_served_apart_from_the_api() {
    let app = spawn_app().await;
    let res = app.get("/metrics").await;
    assert_problem(res, StatusCode::NOT_FOUND, "route_not_found").await;
    assert!(app.metrics().await.contains("smartcity_http_requests_total"));
    assert_ne!(app.metrics_address, app.address);
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_problems_repeat_it() {
    let app = spawn_app().await;
    let res = app.get("/healthz").await;
    let generated = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(generated.len(), 36);

    let res = app
        .client
        .get(app.url("/v1/me"))
        .header("x-request-id", "gateway-abc.123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "gateway-abc.123");
    let problem = assert_problem(res, StatusCode::UNAUTHORIZED, "authentication_required").await;
    assert_eq!(problem["request_id"], "gateway-abc.123");

    // Not an id: replaced rather than echoed into logs and headers.
    let res = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "a b<script>")
        .send()
        .await
        .unwrap();
    assert_ne!(res.headers()["x-request-id"], "a b<script>");
}

#[tokio::test]
async fn a_panicking_handler_answers_500_problem_and_the_server_keeps_serving() {
    let app = spawn_app_with(
        |_| {},
        |routes| {
            routes.at(
                "/test/panic",
                vec![(
                    Method::GET,
                    actix_web::web::to(|| async {
                        panic!("deliberate panic in a test handler");
                        #[allow(unreachable_code)]
                        actix_web::HttpResponse::Ok().finish()
                    }),
                )],
            )
        },
    )
    .await;
    // More panics than workers: each worker survives its own.
    for _ in 0..4 {
        let res = app.get("/test/panic").await;
        let problem =
            assert_problem(res, StatusCode::INTERNAL_SERVER_ERROR, "internal_error").await;
        assert!(!problem["detail"].as_str().unwrap().contains("deliberate"), "no internals leak");
    }
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

//! Bad input gets a clear 4xx problem naming the field, in the reader's language.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

async fn post_raw(
    app: &TestApp,
    path: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn malformed_json_and_invalid_utf8_are_400_on_the_body() {
    let app = spawn_app().await;
    for body in [
        b"{\"phone\": ".to_vec(),
        b"not json".to_vec(),
        vec![b'{', b'"', 0xff, 0xfe, b'"', b'}'],
        b"{} trailing".to_vec(),
    ] {
        let res = post_raw(&app, "/v1/auth/login", "application/json", body).await;
        let problem = assert_problem(res, StatusCode::BAD_REQUEST, "malformed_json").await;
        assert_eq!(problem["field"], "body");
    }
}

#[tokio::test]
async fn wrong_types_unknown_and_missing_fields_name_the_field() {
    let app = spawn_app().await;
    let cases = [
        (json!({"phone": 912345678, "password": "x"}), "phone"),
        (json!({"phone": "0912345678"}), "password"),
        (json!({"phone": "0912345678", "password": "x", "remember_me": true}), "remember_me"),
        (json!(["0912345678", "x"]), "body"),
    ];
    for (body, field) in cases {
        let res = app.post_json("/v1/auth/login", &body).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        assert_eq!(problem["field"], field, "{body}");
        assert!(problem["detail"].as_str().unwrap().contains(field), "{problem}");
    }
}

#[tokio::test]
async fn oversize_bodies_and_other_content_types_are_refused_before_parsing() {
    let app = spawn_app().await;
    let huge = format!("{{\"phone\":\"{}\"}}", "9".repeat(200 * 1024));
    let res = post_raw(&app, "/v1/auth/login", "application/json", huge).await;
    assert_problem(res, StatusCode::PAYLOAD_TOO_LARGE, "body_too_large").await;

    let res = post_raw(&app, "/v1/auth/login", "text/plain", "phone=0912345678").await;
    let problem =
        assert_problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
    assert_eq!(problem["field"], "Content-Type");
}

#[tokio::test]
async fn bad_query_strings_name_the_parameter() {
    let app = spawn_app().await;
    for (query, field) in [
        ("per_page=abc", "per_page"),
        ("per_page=1000", "per_page"),
        ("page=0", "page"),
        ("sort=name", "sort"),
        ("page=1&page=2", "page"),
    ] {
        let res = app.get(&format!("/v1/procedures?{query}")).await;
        let problem = assert_problem(res, StatusCode::BAD_REQUEST, "invalid_query").await;
        assert_eq!(problem["field"], field, "{query}");
    }
}

#[tokio::test]
async fn unknown_routes_are_404_and_missing_methods_405_with_allow() {
    let app = spawn_app().await;
    let problem =
        assert_problem(app.get("/v1/nothing-here").await, StatusCode::NOT_FOUND, "route_not_found")
            .await;
    assert_eq!(problem["instance"], "/v1/nothing-here");

    let res = app.client.put(app.url("/v1/me")).send().await.unwrap();
    assert_eq!(res.headers()["allow"], "GET, HEAD, DELETE, OPTIONS");
    assert_problem(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;

    let res = app.get("/v1/auth/login").await;
    assert_eq!(res.headers()["allow"], "POST, OPTIONS");
    assert_problem(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

#[tokio::test]
async fn problems_are_vietnamese_by_default_and_english_on_request() {
    let app = spawn_app().await;
    let vi = assert_problem(
        app.get("/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "authentication_required",
    )
    .await;
    assert_eq!(vi["title"], "Cần đăng nhập");

    let res = app
        .client
        .get(app.url("/v1/me"))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-language"], "en");
    let en = assert_problem(res, StatusCode::UNAUTHORIZED, "authentication_required").await;
    assert_eq!(en["title"], "Authentication required");

    let res = app
        .client
        .post(app.url("/v1/auth/register"))
        .header("accept-language", "en")
        .json(&json!({"phone": "123", "display_name": "An", "password": STRONG_PASSWORD}))
        .send()
        .await
        .unwrap();
    let en = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
    assert!(en["detail"].as_str().unwrap().contains("Vietnamese mobile number"), "{en}");
    let res = app
        .post_json(
            "/v1/auth/register",
            &json!({"phone": "123", "display_name": "An", "password": STRONG_PASSWORD}),
        )
        .await;
    let vi = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
    assert!(vi["detail"].as_str().unwrap().contains("số điện thoại"), "{vi}");
}

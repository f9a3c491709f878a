//! HEAD wherever GET, OPTIONS everywhere, and CORS for the public reads of a listed origin's
//! web pages (none by default; never for signed-in routes).

use crate::helpers::*;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

const PORTAL: &str = "https://portal.danang.gov.vn";

/// The headers of an answer, but those that differ between any two answers.
fn comparable(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut pairs: Vec<_> = headers
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "date" | "x-request-id"))
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or("?").to_string()))
        .collect();
    pairs.sort();
    pairs
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn head_answers_what_get_does_without_the_body() {
    let (app, token) = seeded().await;
    let complaint = file_in_hai_chau(&app, &token, "trees").await;
    let detail = format!("/v1/complaints/{complaint}");
    let reads: [(&str, Option<&str>); 8] = [
        ("/v1/procedures?per_page=5", None),
        ("/v1/categories", None),
        (detail.as_str(), None),
        ("/v1/me", Some(token.as_str())),
        ("/open311/v2/services.xml", None),
        ("/healthz", None),
        ("/v1/complaints/no-such-complaint", None),
        ("/v1/me", None),
    ];
    for (path, token) in reads {
        let get = call(&app, Method::GET, path, token, &[]).await;
        let (status, headers) = (get.status(), comparable(get.headers()));
        let body = get.bytes().await.unwrap();
        let head = call(&app, Method::HEAD, path, token, &[]).await;
        assert_eq!(head.status(), status, "HEAD {path}");
        assert_eq!(comparable(head.headers()), headers, "HEAD {path}");
        assert_eq!(head.headers()["content-length"], body.len().to_string().as_str(), "{path}");
        assert!(head.bytes().await.unwrap().is_empty(), "HEAD {path} has a body");
    }
}

#[tokio::test]
async fn options_answers_the_methods_of_each_route_and_unknown_paths_stay_404() {
    let app = spawn_app().await;
    let expected = [
        ("/v1/me", "GET, HEAD, DELETE, OPTIONS"),
        ("/v1/auth/login", "POST, OPTIONS"),
        ("/v1/complaints", "GET, HEAD, POST, OPTIONS"),
        ("/v1/complaints/any-id", "GET, HEAD, OPTIONS"),
        ("/v1/admin/procedures/T-01", "PUT, DELETE, OPTIONS"),
        ("/open311/v2/requests.json", "GET, HEAD, POST, OPTIONS"),
    ];
    for (path, allow) in expected {
        let res = call(&app, Method::OPTIONS, path, None, &[]).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT, "OPTIONS {path}");
        assert_eq!(res.headers()["allow"], allow, "OPTIONS {path}");
        assert!(res.bytes().await.unwrap().is_empty());
    }
    let res = call(&app, Method::OPTIONS, "/v1/nothing-here", None, &[]).await;
    assert_problem(res, StatusCode::NOT_FOUND, "route_not_found").await;
    // A method a route does not have names the same list.
    let res = call(&app, Method::HEAD, "/v1/auth/login", None, &[]).await;
    assert_eq!(
        (res.status(), &res.headers()["allow"]),
        (StatusCode::METHOD_NOT_ALLOWED, &"POST, OPTIONS".parse().unwrap())
    );
}

fn cors_headers(res: &reqwest::Response) -> Vec<String> {
    let mut names: Vec<_> = res
        .headers()
        .keys()
        .map(|name| name.to_string())
        .filter(|name| name.starts_with("access-control-"))
        .collect();
    names.sort();
    names
}

fn varies_by_origin(res: &reqwest::Response) -> bool {
    res.headers().get_all("vary").iter().any(|v| v.to_str().unwrap().contains("Origin"))
}

async fn preflight(
    app: &TestApp,
    path: &str,
    origin: &str,
    method: &str,
    headers: &str,
) -> reqwest::Response {
    let mut asked = vec![("Origin", origin), ("Access-Control-Request-Method", method)];
    if !headers.is_empty() {
        asked.push(("Access-Control-Request-Headers", headers));
    }
    call(app, Method::OPTIONS, path, None, &asked).await
}

#[tokio::test]
async fn without_listed_origins_no_answer_carries_cors_headers() {
    let app = spawn_app().await;
    let res = call(&app, Method::GET, "/v1/procedures", None, &[("Origin", PORTAL)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(cors_headers(&res), Vec::<String>::new());
    assert!(!varies_by_origin(&res));
    let res = preflight(&app, "/v1/procedures", PORTAL, "GET", "").await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(cors_headers(&res), Vec::<String>::new());
}

#[tokio::test]
async fn a_listed_origin_reads_the_public_routes_and_nothing_else() {
    let app = spawn_app_with(|config| config.cors_origins = vec![PORTAL.to_string()], |_| {}).await;
    app.with_db(|conn| smartcity_api::app::seed::seed(conn).expect("seed")).await;
    let token = app.citizen_token().await;
    let origin = [("Origin", PORTAL)];

    // Simple reads, their errors included (the page reads the problem), on the app's and
    // Open311's public routes.
    for (method, path, status) in [
        (Method::GET, "/v1/categories", StatusCode::OK),
        (Method::HEAD, "/v1/procedures", StatusCode::OK),
        (Method::GET, "/v1/complaints/no-such-complaint", StatusCode::NOT_FOUND),
        (Method::GET, "/open311/v2/services.json", StatusCode::OK),
        (Method::GET, "/v1/stats/complaints", StatusCode::OK),
    ] {
        let res = call(&app, method.clone(), path, None, &origin).await;
        assert_eq!(res.status(), status, "{method} {path}");
        assert_eq!(res.headers()["access-control-allow-origin"], PORTAL, "{method} {path}");
        assert!(varies_by_origin(&res), "{method} {path}");
        let exposed = res.headers()["access-control-expose-headers"].to_str().unwrap();
        assert!(exposed.contains("X-Request-Id") && exposed.contains("Retry-After"), "{exposed}");
        assert!(res.headers().get("access-control-allow-credentials").is_none());
    }

    let res = preflight(&app, "/v1/procedures", PORTAL, "GET", "accept-language").await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(res.headers()["access-control-allow-origin"], PORTAL);
    assert_eq!(res.headers()["access-control-allow-methods"], "GET, HEAD");
    let allowed = res.headers()["access-control-allow-headers"].to_str().unwrap();
    assert!(allowed.contains("Accept-Language") && !allowed.contains("Authorization"));
    assert_eq!(res.headers()["access-control-max-age"], "7200");

    // An origin not listed hears nothing of CORS, though the answer says it depends on it.
    let res =
        call(&app, Method::GET, "/v1/categories", None, &[("Origin", "https://evil.example")])
            .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(cors_headers(&res), Vec::<String>::new());
    assert!(varies_by_origin(&res));
    let res = preflight(&app, "/v1/categories", "https://evil.example", "GET", "").await;
    assert_eq!(cors_headers(&res), Vec::<String>::new());

    // Signed-in routes, and writes on a public route's path, are not for other origins' pages.
    let res = call(&app, Method::GET, "/v1/me", Some(&token), &origin).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(cors_headers(&res), Vec::<String>::new());
    for (path, method, headers) in [
        ("/v1/me", "GET", "authorization"),
        ("/v1/me/complaints", "GET", "authorization"),
        ("/v1/complaints", "POST", "authorization"),
        ("/open311/v2/requests.json", "POST", ""),
    ] {
        let res = preflight(&app, path, PORTAL, method, headers).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT, "{method} {path}");
        assert_eq!(cors_headers(&res), Vec::<String>::new(), "{method} {path}");
    }
}

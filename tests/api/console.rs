//! The console's sessions and guards, seen as a browser's HTTP exchanges: the cookie, where it
//! lives, when it ends, and which forms are refused. (Its pages in a real browser are tested in
//! `api/tests/console.rs`.)

use crate::helpers::{spawn_app_with, TestApp, STRONG_PASSWORD};
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::{RequestBuilder, Response, StatusCode};
use std::time::Duration;

pub(crate) const STAFF: &str = "+84901000077";

/// The value of hidden field `name` in a page.
pub(crate) fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start =
        html.find(&marker).unwrap_or_else(|| panic!("field {name} in {html}")) + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// `name`'s `Set-Cookie` line, if the answer sets it.
fn set_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|line| line.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

fn cookie_value(line: &str) -> String {
    line.split(';').next().unwrap().split_once('=').unwrap().1.to_string()
}

/// A browser's view of one signed-in staff member: the session cookie and its forms' token.
pub(crate) struct Signed {
    pub(crate) cookie: String,
    pub(crate) csrf: String,
}

/// The sign-in form as a browser posts it; returns the answer.
async fn sign_in(app: &TestApp, phone: &str, password: &str) -> Response {
    let page = app.client.get(app.url("/console/login")).send().await.unwrap();
    let form_cookie = cookie_value(&set_cookie(page.headers(), "sc_signin").expect("form cookie"));
    let token = hidden(&page.text().await.unwrap(), "csrf");
    let fields =
        [("csrf", token.as_str()), ("back", "/console/"), ("phone", phone), ("password", password)];
    app.client
        .post(app.url("/console/login"))
        .header("cookie", format!("sc_signin={form_cookie}"))
        .header("sec-fetch-site", "same-origin")
        .form(&fields)
        .send()
        .await
        .unwrap()
}

pub(crate) async fn signed_in(app: &TestApp, phone: &str) -> Signed {
    let res = sign_in(app, phone, STRONG_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{:?}", res.text().await);
    let cookie = cookie_value(&set_cookie(res.headers(), "sc_session").expect("session cookie"));
    let inbox = get(app, "/console/", &cookie).await;
    assert_eq!(inbox.status(), StatusCode::OK);
    let csrf = hidden(&inbox.text().await.unwrap(), "csrf");
    Signed { cookie, csrf }
}

pub(crate) fn with_cookie(request: RequestBuilder, cookie: &str) -> RequestBuilder {
    request.header("cookie", format!("sc_session={cookie}"))
}

pub(crate) async fn get(app: &TestApp, path: &str, cookie: &str) -> Response {
    with_cookie(app.client.get(app.url(path)), cookie).send().await.unwrap()
}

/// Where a request without a live session is sent: to sign in, and back.
fn assert_sent_to_sign_in(res: &Response) {
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()[LOCATION].to_str().unwrap();
    assert!(to.starts_with("/console/login?back="), "{to}");
}

async fn staff(app: &TestApp) {
    let agency = crate::helpers::agency_id(app, "ubnd-phuong-hai-chau").await;
    app.insert_user(STAFF, "staff", Some(agency)).await;
}

pub(crate) async fn seeded_app(adjust: impl FnOnce(&mut smartcity_api::config::Config)) -> TestApp {
    let app = spawn_app_with(adjust, |_| {}).await;
    app.with_db(|conn| smartcity_api::app::seed::seed(conn).expect("seed")).await;
    staff(&app).await;
    app
}

#[tokio::test]
async fn a_sign_in_sets_a_strict_script_proof_cookie_and_pages_forbid_inline_scripts() {
    let app = seeded_app(|_| {}).await;
    let res = sign_in(&app, STAFF, STRONG_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], "/console/");
    let line = set_cookie(res.headers(), "sc_session").unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(line.contains(attribute), "{line}");
    }
    assert!(!line.contains("Secure"), "plain HTTP here: {line}");

    let page = get(&app, "/console/", &cookie_value(&line)).await;
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert!(page.text().await.unwrap().contains("Cán bộ thử nghiệm"));
}

#[tokio::test]
async fn the_cookie_is_secure_over_https_or_when_the_operator_says_so() {
    let app = seeded_app(|_| {}).await;
    // Behind a TLS-terminating proxy that says the request came over HTTPS.
    let page = app.client.get(app.url("/console/login")).header("x-forwarded-proto", "https");
    let res = page.send().await.unwrap();
    assert!(set_cookie(res.headers(), "sc_signin").unwrap().contains("Secure"));

    let always =
        seeded_app(|c| c.secure_cookie = smartcity_api::config::SecureCookie::Always).await;
    let res = always.client.get(always.url("/console/login")).send().await.unwrap();
    assert!(set_cookie(res.headers(), "sc_signin").unwrap().contains("Secure"));
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server_not_only_in_the_browser() {
    let app = seeded_app(|_| {}).await;
    let Signed { cookie, csrf } = signed_in(&app, STAFF).await;
    let out = with_cookie(app.client.post(app.url("/console/logout")), &cookie)
        .header("sec-fetch-site", "same-origin")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(set_cookie(out.headers(), "sc_session").unwrap().contains("Max-Age=0"));
    // A copy of the cookie kept elsewhere is worth nothing now.
    assert_sent_to_sign_in(&get(&app, "/console/", &cookie).await);
}

#[tokio::test]
async fn a_session_unused_for_longer_than_the_idle_limit_has_ended() {
    let app = seeded_app(|c| c.console_idle = Duration::from_secs(2)).await;
    let Signed { cookie, .. } = signed_in(&app, STAFF).await;
    assert_eq!(get(&app, "/console/", &cookie).await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_sent_to_sign_in(&get(&app, "/console/", &cookie).await);

    // The sweep removes what idleness ended, and only that: a fresh sign-in stays.
    let fresh = signed_in(&app, STAFF).await.cookie;
    let ended = smartcity_api::jobs::sweeper::end_idle_console_sessions(&app.state).await.unwrap();
    assert_eq!(ended, 1);
    let rows = app
        .with_db(|conn| {
            use diesel::prelude::*;
            smartcity_db::schema::web_sessions::table.count().get_result::<i64>(conn).unwrap()
        })
        .await;
    assert_eq!(rows, 1);
    assert_eq!(get(&app, "/console/", &fresh).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn disabling_an_account_ends_its_console_sessions_at_once() {
    let app = seeded_app(|_| {}).await;
    let Signed { cookie, .. } = signed_in(&app, STAFF).await;
    app.with_db(|conn| {
        use diesel::prelude::*;
        use smartcity_db::schema::users;
        diesel::update(users::table.filter(users::phone.eq(STAFF)))
            .set(users::disabled.eq(true))
            .execute(conn)
            .unwrap();
    })
    .await;
    assert_sent_to_sign_in(&get(&app, "/console/", &cookie).await);
}

#[tokio::test]
async fn the_inbox_finds_vietnamese_words_whatever_their_letter_case() {
    let app = seeded_app(|_| {}).await;
    let citizen = app.citizen_token().await;
    let (lat, lon) = crate::helpers::HAI_CHAU;
    let form = reqwest::multipart::Form::new()
        .text("category", "trees")
        .text("description", "Ống cống vỡ ở hẻm 45 Ông Ích Khiêm, nước tràn ra đường.")
        .text("lat", lat.to_string())
        .text("lon", lon.to_string());
    let res = crate::helpers::file(&app, &citizen, form, None).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let Signed { cookie, .. } = signed_in(&app, STAFF).await;
    let link = format!("/console/complaints/{id}");
    let search = |words: &'static str| {
        let request = app.client.get(app.url("/console/")).query(&[("q", words)]);
        async { with_cookie(request, &cookie).send().await.unwrap().text().await.unwrap() }
    };

    // Typed as a civil servant types: lower case, capitals, or the description's own.
    for words in ["ống cống vỡ", "ỐNG CỐNG VỠ", "Ống cống", "ông ích khiêm"] {
        assert!(search(words).await.contains(&link), "{words:?} finds the complaint");
    }
    assert!(!search("hẻm 46").await.contains(&link), "another alley does not");
}

/// The demo data, the demo city and the Hải Châu ward's staff member of [`seeded_app`].
async fn demo_city_app() -> TestApp {
    let app = seeded_app(|_| {}).await;
    let state = &app.state;
    smartcity_api::app::seed::demo_city(&app.pool, &state.photos, &state.config.calendar)
        .await
        .expect("the demo city is made");
    app
}

/// The number in the inbox's count `id`.
fn count_in(page: &str, id: &str) -> i64 {
    let marker = format!("<strong id=\"{id}\">");
    let start = page.find(&marker).unwrap_or_else(|| panic!("{id} in {page}")) + marker.len();
    page[start..].split('<').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_inbox_counts_what_is_past_due_and_due_within_a_day_as_the_database_holds_it() {
    let app = demo_city_app().await;
    let Signed { cookie, .. } = signed_in(&app, STAFF).await;
    let agency = crate::helpers::agency_id(&app, "ubnd-phuong-hai-chau").await;
    let page = get(&app, "/console/", &cookie).await.text().await.unwrap();
    let (overdue, due_soon) = app
        .with_db(move |conn| {
            use diesel::prelude::*;
            use smartcity_db::schema::complaints;
            use smartcity_db::words::Stored;
            use smartcity_domain::complaint::ComplaintStatus;
            let now = smartcity_db::now();
            let open = complaints::table
                .filter(complaints::agency_id.eq(agency))
                .filter(complaints::status.eq_any(ComplaintStatus::OPEN.map(Stored)));
            let overdue: i64 =
                open.clone().filter(complaints::due_at.lt(now)).count().get_result(conn).unwrap();
            let soon = now + chrono::Duration::hours(24);
            let due_soon: i64 = open
                .filter(complaints::due_at.ge(now))
                .filter(complaints::due_at.lt(soon))
                .count()
                .get_result(conn)
                .unwrap();
            (overdue, due_soon)
        })
        .await;
    assert!(overdue > 0, "the demo ward has complaints past due");
    assert_eq!(count_in(&page, "count-overdue"), overdue);
    assert_eq!(count_in(&page, "count-due-soon"), due_soon);
}

#[tokio::test]
async fn the_inbox_pages_through_every_complaint_of_the_agency_once_soonest_due_first() {
    let app = demo_city_app().await;
    let Signed { cookie, .. } = signed_in(&app, STAFF).await;
    let agency = crate::helpers::agency_id(&app, "ubnd-phuong-hai-chau").await;
    let expected: Vec<String> = app
        .with_db(move |conn| {
            use diesel::prelude::*;
            use smartcity_db::schema::complaints;
            complaints::table
                .filter(complaints::agency_id.eq(agency))
                .order((complaints::due_at.asc(), complaints::id.asc()))
                .select(complaints::id)
                .load(conn)
                .unwrap()
        })
        .await;
    assert!(expected.len() > 25, "the demo ward has more than a page: {}", expected.len());

    let (mut seen, mut pages, mut next) = (Vec::new(), 0, Some("/console/?status=all".to_string()));
    while let Some(path) = next {
        let page = get(&app, &path, &cookie).await.text().await.unwrap();
        seen.extend(
            page.split("<tr data-id=\"").skip(1).map(|s| s.split('"').next().unwrap().to_string()),
        );
        next = page
            .split_once("<p class=\"more\"><a class=\"button plain\" href=\"")
            .map(|(_, rest)| rest.split('"').next().unwrap().replace("&amp;", "&"));
        pages += 1;
        assert!(pages <= expected.len(), "paging ends");
    }
    assert_eq!(seen, expected, "every complaint once, soonest due first, over {pages} pages");
}

#[tokio::test]
async fn a_session_opened_on_one_instance_is_served_by_another() {
    let app = seeded_app(|_| {}).await;
    let Signed { cookie, .. } = signed_in(&app, STAFF).await;
    let sibling = app.spawn_sibling().await;
    let res =
        with_cookie(app.client.get(format!("{sibling}/console/")), &cookie).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn forms_from_another_site_or_without_the_token_are_refused() {
    let app = seeded_app(|_| {}).await;
    let Signed { cookie, csrf } = signed_in(&app, STAFF).await;
    let logout = |site: &'static str, origin: Option<&'static str>, token: Option<&str>| {
        let mut request = with_cookie(app.client.post(app.url("/console/logout")), &cookie)
            .header("sec-fetch-site", site);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let fields: Vec<(&str, String)> =
            token.map(|t| ("csrf", t.to_string())).into_iter().collect();
        request.form(&fields).send()
    };
    let refused = [
        logout("cross-site", None, Some(&csrf)).await.unwrap(),
        logout("same-origin", Some("https://evil.example"), Some(&csrf)).await.unwrap(),
        logout("same-origin", None, None).await.unwrap(),
        logout("same-origin", None, Some("not-the-token")).await.unwrap(),
    ];
    for res in refused {
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    }
    // None of them signed the session out.
    assert_eq!(get(&app, "/console/", &cookie).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn residents_are_sent_to_the_app_and_wrong_passwords_are_throttled_as_in_the_api() {
    let app = seeded_app(|_| {}).await;
    app.insert_user("+84912000001", "citizen", None).await;
    let res = sign_in(&app, "0912000001", STRONG_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("người dân dùng ứng dụng"));

    let limit = app.config.login_throttle.subject_lock_after;
    for _ in 0..limit {
        let res = sign_in(&app, STAFF, "not the password at all").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert!(res.text().await.unwrap().contains("Số điện thoại hoặc mật khẩu không đúng"));
    }
    let locked = sign_in(&app, STAFF, STRONG_PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers().contains_key("retry-after"));
}

/// A dossier of the Hải Châu ward, put by its staff member through the API.
async fn dossier(app: &TestApp, code: &str) {
    let token = app.access_token(STAFF, STRONG_PASSWORD).await;
    let body = serde_json::json!({
        "procedure_code": "XA-HT-01", "applicant_name": "Trần Văn Bảo",
        "applicant_phone": "0913 222 333", "received_on": "2026-11-02", "due_on": "2026-11-06"
    });
    let res = app
        .client
        .put(app.url(&format!("/v1/agency/dossiers/{code}")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "{:?}", res.text().await);
}

#[tokio::test]
async fn staff_record_a_dossier_step_by_hand_once_however_often_the_form_is_sent() {
    let app = seeded_app(|_| {}).await;
    dossier(&app, "HC-2026-000123").await;
    let Signed { cookie, .. } = signed_in(&app, STAFF).await;
    let list = get(&app, "/console/dossiers?overdue=1", &cookie).await.text().await.unwrap();
    assert!(list.contains("data-code=\"HC-2026-000123\""), "{list}");

    let page = get(&app, "/console/dossiers/HC-2026-000123", &cookie).await.text().await.unwrap();
    let (csrf, event_id) = (hidden(&page, "csrf"), hidden(&page, "event_id"));
    let fields = [
        ("csrf", csrf.as_str()),
        ("event_id", event_id.as_str()),
        ("status", "2"),
        ("occurred_at", "2026-11-02T09:30"),
        ("step", "Tiếp nhận hồ sơ"),
        ("officer", "Cán bộ một cửa"),
    ];
    for _ in 0..2 {
        let sent =
            with_cookie(app.client.post(app.url("/console/dossiers/HC-2026-000123")), &cookie)
                .header("sec-fetch-site", "same-origin")
                .form(&fields)
                .send()
                .await
                .unwrap();
        assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    }
    let page = get(&app, "/console/dossiers/HC-2026-000123", &cookie).await.text().await.unwrap();
    assert_eq!(page.matches("data-status=\"2\"").count(), 1, "{page}");
    assert!(page.contains("Tiếp nhận hồ sơ") && page.contains("2. Được tiếp nhận"));

    // A time that is not one comes back on the page, beside its field.
    let bad =
        [("csrf", csrf.as_str()), ("event_id", "x-2"), ("status", "4"), ("occurred_at", "hôm qua")];
    let refused =
        with_cookie(app.client.post(app.url("/console/dossiers/HC-2026-000123")), &cookie)
            .header("sec-fetch-site", "same-origin")
            .form(&bad)
            .send()
            .await
            .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("Thời điểm không hợp lệ"));

    // Another agency's staff: not found, in the list or by its address.
    let other = crate::helpers::agency_id(&app, "ubnd-xa-hoa-vang").await;
    app.insert_user("+84901000078", "staff", Some(other)).await;
    let Signed { cookie: theirs, .. } = signed_in(&app, "+84901000078").await;
    let list = get(&app, "/console/dossiers", &theirs).await.text().await.unwrap();
    assert!(!list.contains("HC-2026-000123"));
    let page = get(&app, "/console/dossiers/HC-2026-000123", &theirs).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_figures_page_and_its_csv_say_what_the_public_statistics_say() {
    let app = seeded_app(|_| {}).await;
    let citizen = app.citizen_token().await;
    let id = crate::helpers::file_in_hai_chau(&app, &citizen, "street_light").await;
    let staff = app.access_token(STAFF, STRONG_PASSWORD).await;
    for step in [
        serde_json::json!({"type": "acknowledged", "comment": "Đã nhận"}),
        serde_json::json!({"type": "resolved", "response": "Đã thay bóng"}),
    ] {
        let res = app.post_auth(&format!("/v1/complaints/{id}/events"), &staff, &step).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let stats: serde_json::Value = app.get("/v1/stats/complaints").await.json().await.unwrap();
    let published = &stats["items"][0];

    let Signed { cookie, .. } = signed_in(&app, STAFF).await;
    let page = get(&app, "/console/figures", &cookie).await.text().await.unwrap();
    assert!(page.contains("<svg class=\"chart\""), "{page}");
    let csv = get(&app, "/console/figures.csv", &cookie).await;
    assert!(csv.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let csv = csv.text().await.unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("Tháng,Phản ánh tiếp nhận,Phản ánh đã xử lý"), "{csv}");
    let month = lines
        .iter()
        .find(|line| line.starts_with(published["month"].as_str().unwrap()))
        .unwrap_or_else(|| panic!("this month in {csv}"));
    let cells: Vec<&str> = month.split(',').collect();
    assert_eq!(cells[1], published["received"].to_string());
    assert_eq!(cells[2], published["resolved"].to_string());
    assert_eq!(cells[3], published["resolved_within_sla"].to_string());
}

#[tokio::test]
async fn the_inbox_finds_a_pasted_complaint_id_of_the_agency_and_words_of_descriptions() {
    let app = seeded_app(|_| {}).await;
    let citizen = app.citizen_token().await;
    let id = crate::helpers::file_in_hai_chau(&app, &citizen, "street_light").await;
    let Signed { cookie, .. } = signed_in(&app, STAFF).await;
    let rows = |page: &str| page.matches("<tr data-id=").count();

    // Pasted as it was copied: in capitals, with spaces around it.
    let pasted = format!("/console/?status=all&q=%20{}%20", id.to_uppercase());
    let page = get(&app, &pasted, &cookie).await.text().await.unwrap();
    assert!(page.contains(&format!("data-id=\"{id}\"")), "{page}");
    assert_eq!(rows(&page), 1, "{page}");

    // Another agency's complaint is not in this inbox, whatever its id.
    let elsewhere = crate::helpers::file_in_hai_chau(&app, &citizen, "trees").await;
    let other_agency = crate::helpers::agency_id(&app, "ubnd-xa-hoa-vang").await;
    let moved = elsewhere.clone();
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use smartcity_db::schema::complaints;
        diesel::update(complaints::table.find(moved))
            .set(complaints::agency_id.eq(other_agency))
            .execute(conn)
            .unwrap()
    })
    .await;
    let page = get(&app, &format!("/console/?status=all&q={elsewhere}"), &cookie).await;
    assert_eq!(rows(&page.text().await.unwrap()), 0);

    // Words are still looked for in the descriptions.
    let page = get(&app, "/console/?status=all&q=Tr%E1%BA%A7n%20Ph%C3%BA%20kh%C3%B4ng", &cookie);
    let page = page.await.text().await.unwrap();
    assert!(page.contains(&format!("data-id=\"{id}\"")), "{page}");
}

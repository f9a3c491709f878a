//! SMS end to end: codes that prove a number, reset a password and move an account to a new
//! number; dossier updates texted to the applicant, opt-outs, the daily cap, a push that makes a
//! message unneeded; and the two real gateways against local peers that speak their wire
//! formats (an SMSC over SMPP 3.4, a brandname provider's HTTP API), outages included.

use crate::delivery::register as register_device;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use smartcity_api::config::sms::GatewayChoice;
use smartcity_api::config::Config;
use smartcity_db::sms::SmsRow;
use smartcity_sms::{HttpGatewayConfig, SmppConfig};
use smartcity_testkit::fake_google::FakeGoogle;
use smartcity_testkit::fake_sms_http::FakeSmsHttp;
use smartcity_testkit::smsc::FakeSmsc;
use std::time::Duration;

const CITIZEN_E164: &str = "+84912345678";
const DOSSIER: &str = "000.00.07.H47-261207-0001";
const CALLBACK_SECRET: &str = "the-gateways-own-secret";

/// Every message to a number, newest first.
async fn messages_to(app: &TestApp, e164: &str) -> Vec<SmsRow> {
    let phone = e164.to_string();
    app.with_db(move |conn| smartcity_db::sms::recent(conn, Some(&phone), 200).unwrap()).await
}

/// Waits (at most `limit`) until the newest message to `e164` has `status`, and returns it.
async fn newest_becomes(app: &TestApp, e164: &str, status: &str, limit: Duration) -> SmsRow {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let newest = messages_to(app, e164).await.into_iter().next();
        match newest {
            Some(row) if row.status.as_str() == status => return row,
            other if tokio::time::Instant::now() > deadline => {
                panic!("the newest message to {e164} is not {status}: {other:?}")
            }
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

async fn confirm_verification(app: &TestApp, token: &str, code: &str) -> reqwest::Response {
    app.post_auth("/v1/me/phone/verification/confirm", token, &json!({ "code": code })).await
}

/// A dossier following is the first thing an unproven number may not do.
async fn follow_status(app: &TestApp, token: &str) -> StatusCode {
    let body = json!({"code": DOSSIER, "phone": CITIZEN_PHONE});
    app.post_auth("/v1/me/dossiers", token, &body).await.status()
}

#[tokio::test]
async fn registration_texts_a_code_and_an_unproven_number_reads_but_does_not_follow() {
    let app = spawn_app().await;
    let res = app.register(CITIZEN_PHONE, "Nguyễn Văn An", STRONG_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let account: Value = res.json().await.unwrap();
    assert_eq!(account["phone_verified"], false);

    let sent = messages_to(&app, CITIZEN_E164).await;
    assert_eq!(sent.len(), 1, "one code at registration");
    assert_eq!(sent[0].purpose.as_str(), "phone_verification");
    assert_eq!(sent[0].status.as_str(), "queued");
    // Without diacritics by default: GSM-7, one segment.
    assert!(sent[0].body.starts_with("Ma xac thuc SmartCity Da Nang"), "{}", sent[0].body);
    assert_eq!((sent[0].encoding.as_str(), sent[0].segments), ("gsm7", 1));

    let token = app.access_token(CITIZEN_PHONE, STRONG_PASSWORD).await;
    assert_eq!(app.get_auth("/v1/me", &token).await.status(), StatusCode::OK);
    let body = json!({"code": DOSSIER, "phone": CITIZEN_PHONE});
    let res = app.post_auth("/v1/me/dossiers", &token, &body).await;
    assert_problem(res, StatusCode::FORBIDDEN, "phone_not_verified").await;

    let code = app.texted_code(CITIZEN_PHONE).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = confirm_verification(&app, &token, wrong).await;
    let problem =
        assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "code_not_accepted").await;
    assert_eq!(problem["field"], "code");
    let res = confirm_verification(&app, &token, "12345").await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;

    let res = confirm_verification(&app, &token, &code).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["phone_verified"], true);
    // Past the gate: the dossier itself is unknown now.
    assert_eq!(follow_status(&app, &token).await, StatusCode::NOT_FOUND);
    // A code works once.
    let again = confirm_verification(&app, &token, &code).await;
    assert_problem(again, StatusCode::UNPROCESSABLE_ENTITY, "code_not_accepted").await;
    let res = app.post_auth("/v1/me/phone/verification", &token, &json!(null)).await;
    assert_problem(res, StatusCode::CONFLICT, "phone_already_verified").await;
}

#[tokio::test]
async fn five_wrong_guesses_spend_a_code_and_a_new_one_waits_a_minute() {
    let app = spawn_app().await;
    app.register(CITIZEN_PHONE, "Nguyễn Văn An", STRONG_PASSWORD).await;
    let token = app.access_token(CITIZEN_PHONE, STRONG_PASSWORD).await;
    let code = app.texted_code(CITIZEN_PHONE).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let res = confirm_verification(&app, &token, wrong).await;
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "code_not_accepted").await;
    }
    let res = confirm_verification(&app, &token, &code).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "code_not_accepted").await;

    let res = app.post_auth("/v1/me/phone/verification", &token, &json!(null)).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_codes").await;

    // A minute later (the code's send time moved back), a new code comes and works.
    app.with_db(|conn| {
        use diesel::prelude::*;
        use smartcity_db::schema::phone_codes::dsl::*;
        let earlier = smartcity_db::now() - chrono::Duration::seconds(61);
        diesel::update(phone_codes).set(created_at.eq(earlier)).execute(conn).unwrap();
    })
    .await;
    let res = app.post_auth("/v1/me/phone/verification", &token, &json!(null)).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let sent: Value = res.json().await.unwrap();
    assert_eq!(sent, json!({"sent_to": "+84912***678", "expires_in": 300, "resend_after": 60}));
    let fresh = app.texted_code(CITIZEN_PHONE).await;
    assert_eq!(confirm_verification(&app, &token, &fresh).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_a_code_and_every_session_ends() {
    let app = spawn_app().await;
    app.citizen_token().await;
    let old_pair = app.tokens(CITIZEN_PHONE, STRONG_PASSWORD).await;

    // A number without an account is answered alike, and nothing is sent to it.
    let stranger =
        app.post_json("/v1/auth/password-reset", &json!({"phone": "0987 111 222"})).await;
    assert_eq!(stranger.status(), StatusCode::ACCEPTED);
    let stranger: Value = stranger.json().await.unwrap();
    assert_eq!(stranger["expires_in"], 300);
    assert!(messages_to(&app, "+84987111222").await.is_empty());
    // Asked again at once, it is refused as a number with an account would be.
    let again = app.post_json("/v1/auth/password-reset", &json!({"phone": "0987 111 222"})).await;
    assert_problem(again, StatusCode::TOO_MANY_REQUESTS, "too_many_codes").await;
    assert!(messages_to(&app, "+84987111222").await.is_empty());

    let res = app.post_json("/v1/auth/password-reset", &json!({"phone": CITIZEN_PHONE})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let code = app.texted_code(CITIZEN_PHONE).await;
    assert_eq!(messages_to(&app, CITIZEN_E164).await[0].purpose.as_str(), "password_reset");
    let weak_body = json!({"phone": CITIZEN_PHONE, "code": code, "password": "12345678"});
    let weak = app.post_json("/v1/auth/password-reset/confirm", &weak_body).await;
    let problem = assert_problem(weak, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
    assert_eq!(problem["field"], "password");
    // The same answer for a number without an account: the reset tells no one who has one.
    let stranger_body = json!({"phone": "0987 111 222", "code": "abc", "password": "x"});
    let known_body = json!({"phone": CITIZEN_PHONE, "code": "abc", "password": "x"});
    for body in [stranger_body, known_body] {
        let res = app.post_json("/v1/auth/password-reset/confirm", &body).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        assert_eq!(problem["field"], "code");
    }
    let new_password = "mua thu ha noi co gio heo may";
    let body = json!({"phone": CITIZEN_PHONE, "code": code, "password": new_password});
    let res = app.post_json("/v1/auth/password-reset/confirm", &body).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    let refresh = json!({"refresh_token": old_pair["refresh_token"]});
    let res = app.post_json("/v1/auth/refresh", &refresh).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "the old session ended");
    assert_eq!(app.login(CITIZEN_PHONE, STRONG_PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login(CITIZEN_PHONE, new_password).await.status(), StatusCode::OK);
    // The code is spent.
    let res = app.post_json("/v1/auth/password-reset/confirm", &body).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "code_not_accepted").await;
}

#[tokio::test]
async fn a_new_number_is_proven_before_it_replaces_the_old_one() {
    let app = spawn_app().await;
    let token = app.citizen_token().await;
    app.insert_user("+84987654321", "citizen", None).await;
    let change = |phone: &'static str| {
        let body = json!({ "phone": phone });
        let request = app.client.post(app.url("/v1/me/phone/change")).bearer_auth(&token);
        async move { request.json(&body).send().await.unwrap() }
    };
    assert_problem(change("0987 654 321").await, StatusCode::CONFLICT, "phone_taken").await;
    assert_problem(change(CITIZEN_PHONE).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field")
        .await;

    let res = change("0987 222 333").await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_eq!(res.json::<Value>().await.unwrap()["sent_to"], "+84987***333");
    let me: Value = app.get_auth("/v1/me", &token).await.json().await.unwrap();
    assert_eq!(me["phone"], CITIZEN_E164, "nothing changes before the code comes back");

    let code = app.texted_code("0987 222 333").await;
    let res = app.post_auth("/v1/me/phone/change/confirm", &token, &json!({ "code": code })).await;
    assert_eq!(res.status(), StatusCode::OK);
    let me: Value = res.json().await.unwrap();
    assert_eq!(
        (me["phone"].as_str(), me["phone_verified"].as_bool()),
        (Some("+84987222333"), Some(true))
    );
    assert_eq!(app.login("0987 222 333", STRONG_PASSWORD).await.status(), StatusCode::OK);
    assert_eq!(app.login(CITIZEN_PHONE, STRONG_PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
}

fn smpp_to(smsc: &FakeSmsc) -> impl FnOnce(&mut Config) {
    let mut smpp = SmppConfig::new(smsc.host(), smsc.port(), "smartcity", "secret", "DANANG1022");
    smpp.reconnect_max = Duration::from_secs(1);
    move |config: &mut Config| {
        config.sms.gateway = GatewayChoice::Smpp(Box::new(smpp));
        config.sms.workers = 1;
    }
}

#[tokio::test]
async fn codes_reach_the_smsc_without_diacritics_and_are_masked_once_sent() {
    let smsc = FakeSmsc::start("smartcity", "secret").await;
    let app = spawn_app_with(smpp_to(&smsc), |_| {}).await;
    app.register(CITIZEN_PHONE, "Nguyễn Văn An", STRONG_PASSWORD).await;
    let received = smsc.wait_for_messages(1, Duration::from_secs(10)).await;
    let sms = &received[0];
    assert_eq!((sms.destination.as_str(), sms.source.as_str()), ("84912345678", "DANANG1022"));
    assert_eq!((sms.data_coding, sms.registered_delivery), (0, 1), "GSM-7, receipt asked");
    assert!(sms.text.starts_with("Ma xac thuc SmartCity Da Nang cua ban la "), "{}", sms.text);
    let code: String =
        sms.text.split(|c: char| !c.is_ascii_digit()).find(|r| r.len() == 6).unwrap().into();

    // The SMSC's receipt comes back, and the stored text no longer holds the code.
    let row = newest_becomes(&app, CITIZEN_E164, "delivered", Duration::from_secs(10)).await;
    assert_eq!(row.provider_id.as_deref(), Some(sms.message_id.as_str()));
    assert_eq!(row.gateway.as_deref(), Some("smpp"));
    assert!(row.body.contains("******") && !row.body.contains(&code), "{}", row.body);
    let metrics = app.metrics().await;
    assert!(metrics.contains("smartcity_sms_total{outcome=\"sent\"} 1"), "{metrics}");
    assert!(metrics.contains("smartcity_sms_receipts_total{outcome=\"delivered\"} 1"));

    let token = app.access_token(CITIZEN_PHONE, STRONG_PASSWORD).await;
    assert_eq!(confirm_verification(&app, &token, &code).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_smsc_outage_delays_messages_and_loses_or_doubles_none() {
    let smsc = FakeSmsc::start("smartcity", "secret").await;
    let app = spawn_app_with(smpp_to(&smsc), |_| {}).await;
    smsc.wait_for_binds(1, Duration::from_secs(5)).await;
    smsc.stop();
    app.register(CITIZEN_PHONE, "Nguyễn Văn An", STRONG_PASSWORD).await;
    // Tried, refused for want of a link, and back in the queue with the reason.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let retried = loop {
        let row = messages_to(&app, CITIZEN_E164).await.remove(0);
        if row.attempts >= 1 && row.status.as_str() == "queued" {
            break row;
        }
        assert!(tokio::time::Instant::now() < deadline, "never tried: {row:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(retried.last_error.is_some());

    smsc.restart().await;
    // An SMSC that is back but busy: throttled once more, then taken.
    smsc.refuse_next_submits(1, 0x58);
    newest_becomes(&app, CITIZEN_E164, "delivered", Duration::from_secs(30)).await;
    assert_eq!(smsc.messages().len(), 1, "sent once");
    assert_eq!(messages_to(&app, CITIZEN_E164).await.len(), 1);
}

#[tokio::test]
async fn a_brandname_provider_is_called_with_its_own_fields_and_reports_delivery() {
    let provider = FakeSmsHttp::start().await;
    let mut http = HttpGatewayConfig::new(provider.send_url(), "DANANG1022");
    http.auth_header = Some(("apikey".into(), "provider-key".into()));
    let app = spawn_app_with(
        move |config| {
            config.sms.gateway = GatewayChoice::Http(Box::new(http));
            config.sms.workers = 1;
            config.sms.callback_secret = Some(CALLBACK_SECRET.into());
        },
        |_| {},
    )
    .await;
    // The provider fails once (503): the message is tried again, not lost.
    provider.fail_next(1, 503);
    app.register(CITIZEN_PHONE, "Nguyễn Văn An", STRONG_PASSWORD).await;
    let requests = provider.wait_for_requests(2, Duration::from_secs(20)).await;
    let body = &requests[1].body;
    assert_eq!(body["Brandname"], "DANANG1022");
    assert_eq!(body["Phone"], "84912345678");
    assert_eq!(body["SmsType"], "2");
    assert!(body["Content"].as_str().unwrap().starts_with("Ma xac thuc"));
    assert_eq!(requests[1].headers["apikey"], "provider-key");
    let provider_id = requests[1].provider_id.clone().expect("accepted");
    newest_becomes(&app, CITIZEN_E164, "sent", Duration::from_secs(5)).await;

    let reports = app.url(&format!("/v1/sms/gateway/{CALLBACK_SECRET}/reports"));
    let status = provider.post_report(&reports, &provider.report_body(&provider_id, "2")).await;
    assert_eq!(status, 204);
    let row = newest_becomes(&app, CITIZEN_E164, "delivered", Duration::from_secs(5)).await;
    assert_eq!(row.attempts, 2);
    // Another secret is no route at all.
    let forged = app.url("/v1/sms/gateway/someone-elses-guess/reports");
    assert_eq!(provider.post_report(&forged, &provider.report_body(&provider_id, "2")).await, 404);
}

/// An agency with a key, and the demo catalogue, as the dossier tests have it.
async fn agency_app(adjust: impl FnOnce(&mut Config)) -> (TestApp, String) {
    let app = spawn_app_with(adjust, |_| {}).await;
    app.with_db(|conn| smartcity_api::app::seed::seed(conn).expect("seed")).await;
    let admin = app.admin_token().await;
    let agency = agency_id(&app, "ubnd-phuong-hai-chau").await;
    let path = format!("/v1/admin/agencies/{agency}/api-keys");
    let res = app.post_auth(&path, &admin, &json!({"label": "Một cửa"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let key = res.json::<Value>().await.unwrap()["key"].as_str().unwrap().to_string();
    let body = json!({
        "procedure_code": "XA-HT-01",
        "applicant_name": "Nguyễn Văn An",
        "applicant_phone": CITIZEN_PHONE,
        "received_on": "2026-12-07",
        "due_on": "2026-12-10",
    });
    let res = app
        .client
        .put(app.url(&format!("/v1/agency/dossiers/{DOSSIER}")))
        .header("x-api-key", &key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    (app, key)
}

async fn event(app: &TestApp, key: &str, id: &str, status: i32) {
    let body = json!({"event_id": id, "status": status, "occurred_at": "2026-12-07T03:00:00Z"});
    let res = app
        .client
        .post(app.url(&format!("/v1/agency/dossiers/{DOSSIER}/events")))
        .header("x-api-key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn dossier_updates_are_texted_to_the_applicant_who_can_stop_and_restart_them() {
    let (app, key) = agency_app(|config| {
        config.public_url = Some("https://city.example".into());
        config.sms.callback_secret = Some(CALLBACK_SECRET.into());
    })
    .await;
    event(&app, &key, "e1", 2).await;
    let received = messages_to(&app, CITIZEN_E164).await;
    assert_eq!(received.len(), 1);
    let text = &received[0].body;
    assert_eq!(received[0].purpose.as_str(), "dossier_update");
    assert!(text.contains(DOSSIER) && text.contains("da tiep nhan, hen tra 10/12/2026"), "{text}");
    assert!(received[0].segments <= 2, "{text}");
    // Processing is nothing the applicant must act on.
    event(&app, &key, "e2", 4).await;
    assert_eq!(messages_to(&app, CITIZEN_E164).await.len(), 1);

    // The link in the message: opening it asks, the button stops them.
    let link = text.split_whitespace().find(|w| w.starts_with("https://city.example/o/")).unwrap();
    let path = link.trim_start_matches("https://city.example");
    let page = app.get(path).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("+84912***678"));
    event(&app, &key, "e3", 5).await;
    assert_eq!(
        messages_to(&app, CITIZEN_E164).await[0].status.as_str(),
        "queued",
        "a GET stops nothing"
    );
    let res = app.client.post(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    event(&app, &key, "e4", 6).await;
    assert_eq!(messages_to(&app, CITIZEN_E164).await[0].status.as_str(), "opted_out");
    let res = app.get("/o/no-such-link-here").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // A reply DK to the brandname starts them again.
    let replies = format!("/v1/sms/gateway/{CALLBACK_SECRET}/replies");
    let res = app.post_json(&replies, &json!({"from": "84912345678", "text": " dk "})).await;
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"outcome": "opted_in"}));
    event(&app, &key, "e5", 9).await;
    let newest = &messages_to(&app, CITIZEN_E164).await[0];
    assert_eq!(newest.status.as_str(), "queued");
    assert!(newest.body.contains("da co ket qua"), "{}", newest.body);
    let res = app.post_json(&replies, &json!({"from": "84912345678", "text": "TC"})).await;
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"outcome": "opted_out"}));
}

#[tokio::test]
async fn the_daily_cap_stops_a_runaway_before_the_applicant_notices() {
    let (app, key) = agency_app(|config| config.sms.daily_cap = 2).await;
    for (id, status) in [("a", 2), ("b", 5), ("c", 6), ("d", 9)] {
        event(&app, &key, id, status).await;
    }
    let statuses: Vec<String> = messages_to(&app, CITIZEN_E164)
        .await
        .iter()
        .rev()
        .map(|m| m.status.as_str().to_string())
        .collect();
    assert_eq!(statuses, ["queued", "queued", "capped", "capped"]);
}

#[tokio::test]
async fn a_push_that_reached_the_applicants_app_makes_the_message_unneeded() {
    let google = FakeGoogle::start().await;
    let credentials = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(credentials.path(), google.service_account_json()).unwrap();
    let path = credentials.path().to_str().unwrap().to_string();
    let base = google.base_url();
    let (app, key) = agency_app(move |config| {
        config.fcm_credentials = Some(path);
        config.fcm_base_url = base;
        config.push_workers = 1;
        config.sms.workers = 1;
        config.sms.push_grace = Duration::from_millis(500);
        // Ten in the morning, whenever the test runs: at night the news would wait for seven.
        let by = vietnam_today_at(10, 0) - chrono::Utc::now();
        config.sms.clock = smartcity_api::config::sms::Clock::Offset(by);
    })
    .await;
    // The applicant has the app on a phone and follows the dossier there.
    app.insert_user(CITIZEN_E164, "citizen", None).await;
    let token = app.access_token(CITIZEN_PHONE, STRONG_PASSWORD).await;
    register_device(&app, &token, "fMEQ-applicants-phone", "vi").await;
    assert_eq!(follow_status(&app, &token).await, StatusCode::CREATED);

    event(&app, &key, "received", 2).await;
    let row = newest_becomes(&app, CITIZEN_E164, "covered", Duration::from_secs(10)).await;
    assert_eq!(row.purpose.as_str(), "dossier_update");
    assert_eq!(google.sent().len(), 1, "the push went instead");

    // Without the app on a phone, the same news goes by SMS.
    let res = app.delete_auth("/v1/me/devices/fMEQ-applicants-phone", &token).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    event(&app, &key, "done", 9).await;
    let row = newest_becomes(&app, CITIZEN_E164, "sent", Duration::from_secs(10)).await;
    assert!(row.body.contains("da co ket qua"), "{}", row.body);
}

async fn is_opted_out(app: &TestApp) -> bool {
    app.with_db(|conn| smartcity_db::sms::is_opted_out(conn, CITIZEN_E164).unwrap()).await
}

#[tokio::test]
async fn a_reply_through_the_smsc_stops_and_restarts_dossier_messages() {
    let smsc = FakeSmsc::start("smartcity", "secret").await;
    let app = spawn_app_with(smpp_to(&smsc), |_| {}).await;
    smsc.wait_for_binds(1, Duration::from_secs(10)).await;
    assert!(smsc.send_reply("84912345678", "8077", "Tu choi").await);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !is_opted_out(&app).await {
        assert!(tokio::time::Instant::now() < deadline, "the reply was not taken");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(smsc.send_reply("84912345678", "8077", "DK").await);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while is_opted_out(&app).await {
        assert!(tokio::time::Instant::now() < deadline, "the second reply was not taken");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `hh:mm` Vietnam time today (Vietnam's date), in UTC.
fn vietnam_today_at(hour: u32, minute: u32) -> chrono::DateTime<chrono::Utc> {
    let vietnam = chrono::FixedOffset::east_opt(7 * 3600).unwrap();
    let today = chrono::Utc::now().with_timezone(&vietnam).date_naive();
    today.and_hms_opt(hour, minute, 0).unwrap().and_local_timezone(vietnam).unwrap().to_utc()
}

#[tokio::test]
async fn dossier_news_at_night_waits_for_the_morning_and_codes_do_not() {
    use smartcity_api::config::sms::Clock;
    let night = vietnam_today_at(23, 30);
    let (app, key) = agency_app(move |config| {
        config.sms.clock = Clock::Fixed(night);
        config.sms.workers = 1;
    })
    .await;
    event(&app, &key, "received", 2).await;
    let held = messages_to(&app, CITIZEN_E164).await.remove(0);
    let morning = vietnam_today_at(7, 0) + chrono::Duration::days(1);
    assert_eq!(held.due_at.and_utc(), morning, "held until 07:00 the next morning");
    // A code asked for at the same hour goes at once (the worker sends it meanwhile).
    app.register("0987 654 321", "Trần Thị Bình", STRONG_PASSWORD).await;
    newest_becomes(&app, "+84987654321", "sent", Duration::from_secs(10)).await;
    assert_eq!(messages_to(&app, CITIZEN_E164).await[0].status.as_str(), "queued");

    // By day the same news goes after the push's grace only.
    let day = vietnam_today_at(10, 0);
    let (app, key) = agency_app(move |config| config.sms.clock = Clock::Fixed(day)).await;
    event(&app, &key, "received", 2).await;
    let due = messages_to(&app, CITIZEN_E164).await.remove(0).due_at.and_utc();
    assert_eq!(due, day + chrono::Duration::seconds(120));
}

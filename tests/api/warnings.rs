//! Warnings to areas: who may issue them, what residents follow, and every change reaching
//! each subscriber's inbox and phones once.

use crate::delivery::{app_sending_to, register};
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use smartcity_testkit::fake_google::FakeGoogle;
use std::collections::HashMap;
use std::time::Duration;

/// A warning's body, for the demo's wards `areas`, in force for a day from now.
fn warning(title: &str, areas: &[&str]) -> Value {
    let until = chrono::Utc::now() + chrono::Duration::days(1);
    json!({
        "kind": "water_cut",
        "severity": "severe",
        "title_vi": title,
        "body_vi": "Tạm ngừng cấp nước từ 8 giờ đến 17 giờ để sửa đường ống.",
        "title_en": "Water cut",
        "body_en": "No water from 8:00 to 17:00 while a main is repaired.",
        "areas": areas,
        "valid_until": until.to_rfc3339(),
    })
}

async fn citizen(app: &TestApp, phone: &'static str) -> String {
    app.insert_user(phone, "citizen", None).await;
    app.access_token(phone, STRONG_PASSWORD).await
}

async fn follow(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post_auth("/v1/me/areas", token, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "following {body}");
    res.json().await.unwrap()
}

async fn send(request: reqwest::RequestBuilder, token: &str) -> (StatusCode, Value) {
    let res = request.bearer_auth(token).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn warning_titles_in_inbox(app: &TestApp, token: &str) -> Vec<String> {
    let inbox: Value =
        app.get_auth("/v1/me/notifications?limit=50", token).await.json().await.unwrap();
    inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["kind"] == "warning")
        .map(|item| item["title"].as_str().unwrap().to_string())
        .collect()
}

/// Pushes the fake FCM received, by device token.
fn pushes_by_device(google: &FakeGoogle) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for sent in google.sent() {
        let token = sent.message["token"].as_str().unwrap().to_string();
        *counts.entry(token).or_insert(0) += 1;
    }
    counts
}

async fn pushes_settle(google: &FakeGoogle, expected: usize) {
    for _ in 0..200 {
        if google.sent().len() >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Long enough for a push sent twice to show up.
    tokio::time::sleep(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn a_warning_its_update_and_its_cancel_reach_every_subscriber_s_inbox_and_phones_once() {
    let google = FakeGoogle::start().await;
    let (app, _credentials) = app_sending_to(&google, 2).await;
    // An: home and work both in the warning's wards, two phones.
    let an = citizen(&app, "+84905300001").await;
    follow(&app, &an, json!({ "label": "home", "area": "DEMO-02" })).await;
    follow(&app, &an, json!({ "label": "work", "area": "DEMO-01" })).await;
    register(&app, &an, "an-phone", "vi").await;
    register(&app, &an, "an-tablet", "en").await;
    // Bình: follows Hải Châu by a point in it.
    let binh = citizen(&app, "+84905300002").await;
    let followed =
        follow(&app, &binh, json!({ "label": "family", "lat": 16.045, "lon": 108.205 })).await;
    assert_eq!(followed["area"], "DEMO-02");
    register(&app, &binh, "binh-phone", "vi").await;
    // Chi: another ward; Dũng: Hải Châu but warnings' pushes turned off.
    let chi = citizen(&app, "+84905300003").await;
    follow(&app, &chi, json!({ "label": "home", "area": "DEMO-04" })).await;
    register(&app, &chi, "chi-phone", "vi").await;
    let dung = citizen(&app, "+84905300004").await;
    follow(&app, &dung, json!({ "label": "home", "area": "DEMO-02" })).await;
    register(&app, &dung, "dung-phone", "vi").await;
    let muted = app
        .client
        .put(app.url("/v1/me/notification-settings"))
        .bearer_auth(&dung)
        .json(&json!({ "push_off": ["warning"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(muted.status(), StatusCode::OK);

    let staff = staff_token(&app, "+84906300001", "ubnd-phuong-hai-chau").await;
    let (status, issued) = send(
        app.client
            .post(app.url("/v1/warnings"))
            .json(&warning("Mất nước", &["DEMO-01", "DEMO-02"])),
        &staff,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    assert_eq!(
        issued["reached"],
        json!({ "inbox": 3, "pushes": 3, "texts": 0 }),
        "An once, Bình, Dũng; all have the app"
    );
    let id = issued["warning"]["id"].as_str().unwrap().to_string();
    assert_eq!(issued["warning"]["state"], "in_force");
    assert_eq!(issued["warning"]["source"]["kind"], "agency");

    let mut changed = warning("Mất nước kéo dài", &["DEMO-02"]);
    changed["severity"] = json!("extreme");
    let (status, updated) =
        send(app.client.put(app.url(&format!("/v1/warnings/{id}"))).json(&changed), &staff).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["warning"]["version"], 2);
    assert_eq!(updated["reached"], json!({ "inbox": 3, "pushes": 3, "texts": 0 }));

    let (status, cancelled) =
        send(app.client.post(app.url(&format!("/v1/warnings/{id}/cancel"))), &staff).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["warning"]["state"], "cancelled");

    pushes_settle(&google, 9).await;
    let pushes = pushes_by_device(&google);
    let expected: HashMap<String, usize> = [("an-phone", 3), ("an-tablet", 3), ("binh-phone", 3)]
        .into_iter()
        .map(|(token, n)| (token.to_string(), n))
        .collect();
    assert_eq!(pushes, expected, "each phone once per change; none for Chi's ward or Dũng's mute");
    let an_titles = warning_titles_in_inbox(&app, &an).await;
    assert_eq!(
        an_titles,
        ["Đã hủy: Mất nước kéo dài", "Cập nhật: Mất nước kéo dài", "Cảnh báo khẩn: Mất nước"]
    );
    assert_eq!(warning_titles_in_inbox(&app, &dung).await.len(), 3, "the inbox keeps muted kinds");
    assert!(warning_titles_in_inbox(&app, &chi).await.is_empty());

    // Cancelled: no longer listed where it applied, still readable by its link.
    let listed: Value = app.get("/v1/warnings?area=DEMO-02").await.json().await.unwrap();
    assert_eq!(listed["items"], json!([]));
    let shown: Value = app.get(&format!("/v1/warnings/{id}")).await.json().await.unwrap();
    assert_eq!(shown["state"], "cancelled");
    assert_eq!(shown["severity"], "extreme");
}

#[tokio::test]
async fn residents_read_the_warnings_in_force_at_a_point_or_in_an_area() {
    let (app, _citizen) = seeded().await;
    let admin = app.admin_token().await;
    let mut flood = warning("Ngập sâu đường Bạch Đằng", &[]);
    flood["kind"] = json!("flood");
    flood["polygon"] = json!({
        "type": "Polygon",
        "coordinates": [[[108.20, 16.04], [108.21, 16.04], [108.21, 16.05], [108.20, 16.05], [108.20, 16.04]]]
    });
    let res = app.post_auth("/v1/warnings", &admin, &flood).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let issued: Value = res.json().await.unwrap();
    assert_eq!(issued["warning"]["areas"], json!(["DEMO-02"]), "the ward the polygon lies in");
    assert_eq!(issued["warning"]["source"]["kind"], "administrator");
    let ward_wide = app.post_auth("/v1/warnings", &admin, &warning("Mất điện", &["DEMO-02"])).await;
    assert_eq!(ward_wide.status(), StatusCode::CREATED);

    let titles = |body: Value| -> Vec<String> {
        let mut titles: Vec<String> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["title_vi"].as_str().unwrap().to_string())
            .collect();
        titles.sort();
        titles
    };
    let inside: Value = app.get("/v1/warnings?lat=16.045&lon=108.205").await.json().await.unwrap();
    assert_eq!(titles(inside), ["Mất điện", "Ngập sâu đường Bạch Đằng"]);
    let same_ward_outside: Value =
        app.get("/v1/warnings?lat=16.035&lon=108.215").await.json().await.unwrap();
    assert_eq!(titles(same_ward_outside), ["Mất điện"], "the flood is only where its polygon is");
    let ward: Value = app.get("/v1/warnings?area=DEMO-02").await.json().await.unwrap();
    assert_eq!(titles(ward), ["Mất điện", "Ngập sâu đường Bạch Đằng"]);
    let elsewhere: Value = app.get("/v1/warnings?area=DEMO-04").await.json().await.unwrap();
    assert_eq!(elsewhere["items"], json!([]));

    let both = app.get("/v1/warnings?lat=16.045&lon=108.205&area=DEMO-02").await;
    assert_problem(both, StatusCode::BAD_REQUEST, "invalid_query").await;
    let unknown = app.get("/v1/warnings?area=NOWHERE").await;
    assert_eq!(
        assert_problem(unknown, StatusCode::BAD_REQUEST, "invalid_query").await["field"],
        "area"
    );
}

#[tokio::test]
async fn only_staff_and_administrators_issue_and_an_agency_changes_only_its_own() {
    let (app, citizen) = seeded().await;
    let body = warning("Lừa đảo qua điện thoại", &["DEMO-02"]);
    let res = app.post_auth("/v1/warnings", &citizen, &body).await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = app.post_json("/v1/warnings", &body).await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "authentication_required").await;

    let hai_chau = staff_token(&app, "+84906300011", "ubnd-phuong-hai-chau").await;
    let other = staff_token(&app, "+84906300012", "so-xay-dung").await;
    let res = app.post_auth("/v1/warnings", &hai_chau, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["warning"]["id"].as_str().unwrap().to_string();

    let res = app
        .client
        .put(app.url(&format!("/v1/warnings/{id}")))
        .bearer_auth(&other)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;
    let cancel = format!("/v1/warnings/{id}/cancel");
    assert_problem(
        app.post_auth(&cancel, &other, &json!({})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let admin = app.admin_token().await;
    assert_eq!(app.post_auth(&cancel, &admin, &json!({})).await.status(), StatusCode::OK);
    let again = app.post_auth(&cancel, &hai_chau, &json!({})).await;
    assert_problem(again, StatusCode::CONFLICT, "warning_cancelled").await;
    let missing = app.post_auth("/v1/warnings/nope/cancel", &admin, &json!({})).await;
    assert_problem(missing, StatusCode::NOT_FOUND, "not_found").await;
}

/// Spoils one field of a good warning's body.
type Spoil = Box<dyn Fn(&mut Value)>;

#[tokio::test]
async fn a_bad_warning_is_refused_naming_its_field_and_nothing_is_written() {
    let (app, _citizen) = seeded().await;
    let admin = app.admin_token().await;
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let cases: Vec<(&str, Spoil)> = vec![
        ("kind", Box::new(|w| w["kind"] = json!("earthquake_party"))),
        ("severity", Box::new(|w| w["severity"] = json!("catastrophic"))),
        ("title_vi", Box::new(|w| w["title_vi"] = json!("  "))),
        ("body_en", Box::new(|w| w["body_en"] = json!(null))),
        ("areas[1]", Box::new(|w| w["areas"] = json!(["DEMO-02", "DEMO-99"]))),
        ("areas", Box::new(|w| w["areas"] = json!([]))),
        ("valid_until", Box::new(move |w| w["valid_until"] = json!(past.clone()))),
        (
            "polygon",
            Box::new(|w| {
                // A bow tie: its edges cross.
                w["polygon"] = json!({ "type": "Polygon", "coordinates": [[[108.20, 16.04], [108.21, 16.05], [108.21, 16.04], [108.20, 16.05], [108.20, 16.04]]] })
            }),
        ),
        (
            "polygon",
            Box::new(|w| w["polygon"] = json!({ "type": "Point", "coordinates": [108.2, 16.04] })),
        ),
    ];
    for (field, spoil) in cases {
        let mut body = warning("Bão", &["DEMO-02"]);
        spoil(&mut body);
        let res = app.post_auth("/v1/warnings", &admin, &body).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        assert_eq!(problem["field"], field, "{body} gave {problem}");
    }
    let garbled = app.post_auth("/v1/warnings", &admin, &json!({ "kind": "flood" })).await;
    assert!(garbled.status().is_client_error());
    let count = app
        .with_db(|conn| {
            use diesel::prelude::*;
            smartcity_db::schema::warnings::table.count().get_result::<i64>(conn).unwrap()
        })
        .await;
    assert_eq!(count, 0);
}

#[tokio::test]
async fn a_resident_follows_a_bounded_number_of_areas_and_stops_following_them() {
    let (app, citizen) = seeded().await;
    let first = follow(&app, &citizen, json!({ "label": "home", "area": "DEMO-01" })).await;
    let res = app
        .post_auth("/v1/me/areas", &citizen, &json!({ "label": "home", "area": "DEMO-01" }))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "following again is not an error");
    assert_eq!(res.json::<Value>().await.unwrap()["id"], first["id"]);

    let unknown =
        app.post_auth("/v1/me/areas", &citizen, &json!({ "label": "home", "area": "X" })).await;
    assert_eq!(
        assert_problem(unknown, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await["field"],
        "area"
    );
    let label = app
        .post_auth("/v1/me/areas", &citizen, &json!({ "label": "cafe", "area": "DEMO-01" }))
        .await;
    assert_eq!(
        assert_problem(label, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await["field"],
        "label"
    );
    let outside = app
        .post_auth("/v1/me/areas", &citizen, &json!({ "label": "home", "lat": 16.2, "lon": 108.0 }))
        .await;
    assert!(outside.status().is_client_error());

    let codes = ["DEMO-01", "DEMO-02", "DEMO-03", "DEMO-04", "DEMO-05"];
    let labels = ["home", "work", "family", "other"];
    let mut followed = 1;
    'fill: for label in labels {
        for code in codes {
            if followed == 10 {
                break 'fill;
            }
            let res = app
                .post_auth("/v1/me/areas", &citizen, &json!({ "label": label, "area": code }))
                .await;
            if res.status() == StatusCode::CREATED {
                followed += 1;
            }
        }
    }
    let list: Value = app.get_auth("/v1/me/areas", &citizen).await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 10);
    let eleventh = app
        .post_auth("/v1/me/areas", &citizen, &json!({ "label": "other", "area": "DEMO-05" }))
        .await;
    assert_problem(eleventh, StatusCode::CONFLICT, "too_many_areas").await;

    let path = format!("/v1/me/areas/{}", first["id"].as_str().unwrap());
    assert_eq!(app.delete_auth(&path, &citizen).await.status(), StatusCode::NO_CONTENT);
    assert_problem(app.delete_auth(&path, &citizen).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    let list: Value = app.get_auth("/v1/me/areas", &citizen).await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 9);
}

/// Every message to a number, newest first.
async fn texts_to(app: &TestApp, e164: &'static str) -> Vec<smartcity_db::sms::SmsRow> {
    app.with_db(move |conn| smartcity_db::sms::recent(conn, Some(e164), 50).unwrap()).await
}

#[tokio::test]
async fn a_severe_warning_is_texted_to_subscribers_without_the_app_and_a_minor_one_is_not() {
    let (app, _citizen) = seeded().await;
    // Giang follows Hải Châu but has no phone registered for pushes; Hà has the app.
    let giang = citizen(&app, "+84905300011").await;
    follow(&app, &giang, json!({ "label": "home", "area": "DEMO-02" })).await;
    follow(&app, &giang, json!({ "label": "work", "area": "DEMO-02" })).await;
    let ha = citizen(&app, "+84905300012").await;
    follow(&app, &ha, json!({ "label": "home", "area": "DEMO-02" })).await;
    register(&app, &ha, "ha-phone", "vi").await;
    let staff = staff_token(&app, "+84906300011", "ubnd-phuong-hai-chau").await;

    let mut minor = warning("Cắt điện ngắn", &["DEMO-02"]);
    minor["severity"] = json!("minor");
    let (status, issued) =
        send(app.client.post(app.url("/v1/warnings")).json(&minor), &staff).await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    assert_eq!(issued["reached"]["texts"], 0, "a minor warning waits for the app");
    assert!(texts_to(&app, "+84905300011").await.is_empty());

    let (status, issued) = send(
        app.client.post(app.url("/v1/warnings")).json(&warning("Lũ lớn", &["DEMO-02"])),
        &staff,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    assert_eq!(issued["reached"], json!({ "inbox": 2, "pushes": 1, "texts": 1 }));
    let texted = texts_to(&app, "+84905300011").await;
    assert_eq!(texted.len(), 1, "one message, though Giang follows the ward twice: {texted:?}");
    assert_eq!(texted[0].purpose.as_str(), "warning");
    assert_eq!(texted[0].status.as_str(), "queued");
    // Without diacritics by default; the title is there for someone who never opens the app.
    assert!(texted[0].body.contains("Lu lon"), "{}", texted[0].body);
    assert!(texts_to(&app, "+84905300012").await.is_empty(), "Hà hears it by push");
}

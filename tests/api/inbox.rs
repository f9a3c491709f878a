//! Devices, the in-app inbox, notification settings, and the pushes queued with each
//! notification (one per device of the recipient, in the same transaction).

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use smartcity_domain::push::PushStatus;

const PHONE_A: &str = "fMEQbYbZQ0y:APA91bH-phone-a";
const PHONE_B: &str = "dXk3Q9r_TzO:APA91bH-phone-b";

async fn register_device(app: &TestApp, token: &str, device: &str, lang: &str) -> StatusCode {
    let body =
        json!({ "token": device, "platform": "android", "app_version": "2.3.1", "lang": lang });
    app.post_auth("/v1/me/devices", token, &body).await.status()
}

async fn device_owner(app: &TestApp, device: &'static str) -> Option<String> {
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use smartcity_db::schema::devices::dsl::*;
        devices.find(device).select(user_id).first::<String>(conn).optional().unwrap()
    })
    .await
}

async fn inbox(app: &TestApp, token: &str, query: &str, lang: &str) -> Value {
    let res = app
        .client
        .get(app.url(&format!("/v1/me/notifications{query}")))
        .bearer_auth(token)
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn pushes_of(app: &TestApp, notification: String) -> Vec<(String, String)> {
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use smartcity_db::schema::push_outbox::dsl::*;
        push_outbox
            .filter(notification_id.eq(notification))
            .order(created_at.asc())
            .select((device_token, status))
            .load::<(String, PushStatus)>(conn)
            .unwrap()
    })
    .await
    .into_iter()
    .map(|(token, status)| (token, status.as_str().to_string()))
    .collect()
}

#[tokio::test]
async fn a_device_token_belongs_to_whoever_signed_in_last_and_leaves_with_logout() {
    let (app, citizen) = seeded().await;
    assert_eq!(register_device(&app, &citizen, PHONE_A, "vi").await, StatusCode::CREATED);
    assert_eq!(register_device(&app, &citizen, PHONE_A, "en-US").await, StatusCode::OK);
    let citizen_id = device_owner(&app, PHONE_A).await.unwrap();

    for (body, field) in [
        (
            json!({"token": "has space", "platform": "android", "app_version": "1", "lang": "vi"}),
            "token",
        ),
        (
            json!({"token": PHONE_B, "platform": "symbian", "app_version": "1", "lang": "vi"}),
            "platform",
        ),
        (
            json!({"token": PHONE_B, "platform": "ios", "app_version": "", "lang": "vi"}),
            "app_version",
        ),
        (json!({"token": PHONE_B, "platform": "ios", "app_version": "1", "lang": "fr"}), "lang"),
    ] {
        let res = app.post_auth("/v1/me/devices", &citizen, &body).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        assert_eq!(problem["field"], field);
    }

    // Someone else signs in on the same phone: the token moves to them.
    app.insert_user("+84906000001", "citizen", None).await;
    let other = app.tokens("+84906000001", STRONG_PASSWORD).await;
    let other_access = other["access_token"].as_str().unwrap();
    assert_eq!(register_device(&app, other_access, PHONE_A, "vi").await, StatusCode::OK);
    assert_ne!(device_owner(&app, PHONE_A).await.unwrap(), citizen_id);
    let res = app.delete_auth(&format!("/v1/me/devices/{PHONE_A}"), &citizen).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;

    // Logging out of that sign-in takes the phone's token with it.
    assert_eq!(register_device(&app, other_access, PHONE_B, "vi").await, StatusCode::CREATED);
    let res =
        app.post_json("/v1/auth/logout", &json!({ "refresh_token": other["refresh_token"] })).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(device_owner(&app, PHONE_A).await, None);
    assert_eq!(device_owner(&app, PHONE_B).await, None);

    assert_eq!(register_device(&app, &citizen, PHONE_B, "vi").await, StatusCode::CREATED);
    let res = app.delete_auth(&format!("/v1/me/devices/{PHONE_B}"), &citizen).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(device_owner(&app, PHONE_B).await, None);
}

/// Two accounts registering one new token at the same moment (a phone changing hands while
/// the app retries): every registration is answered, exactly one as new, and the token ends
/// with one of them. Twenty new tokens, each sent sixteen times at once.
#[tokio::test]
async fn registrations_of_one_new_token_at_once_are_all_answered() {
    let (app, citizen) = seeded().await;
    app.register("0987 654 321", "Trần Thị Bình", STRONG_PASSWORD).await;
    let other = app.access_token("0987654321", STRONG_PASSWORD).await;
    for round in 0..20 {
        let device = format!("{PHONE_B}-{round}");
        let body = json!({ "token": device, "platform": "android", "app_version": "2.3.1",
                           "lang": "vi" });
        let requests = (0..16)
            .map(|i| {
                let token = if i % 2 == 0 { &citizen } else { &other };
                app.client.post(app.url("/v1/me/devices")).bearer_auth(token).json(&body)
            })
            .collect();
        let answers = statuses_at_once(requests).await;
        let created = answers.iter().filter(|s| **s == StatusCode::CREATED).count();
        let known = answers.iter().filter(|s| **s == StatusCode::OK).count();
        assert_eq!((created, known), (1, 15), "round {round}: {answers:?}");
    }
}

#[tokio::test]
async fn a_staff_step_puts_one_inbox_row_and_one_queued_push_per_device_in_place() {
    let (app, reporter) = seeded().await;
    register_device(&app, &reporter, PHONE_A, "vi").await;
    register_device(&app, &reporter, PHONE_B, "en").await;
    let (complaint, _) = acknowledged(&app, &reporter, "+84905000061").await;

    let page = inbox(&app, &reporter, "", "vi").await;
    assert_eq!(page["unread_count"], 1);
    let item = &page["items"][0];
    assert_eq!(item["kind"], "complaint_acknowledged");
    assert_eq!(item["read"], false);
    assert_eq!(item["data"]["complaint_id"], complaint.as_str());
    assert!(item["body"].as_str().unwrap().contains("Đã nhận, sẽ cắt tỉa"));
    assert!(item["title"].as_str().unwrap().contains("tiếp nhận"), "{item}");
    let english = inbox(&app, &reporter, "", "en").await;
    assert!(english["items"][0]["title"].as_str().unwrap().contains("acknowledged"));

    let notification = item["id"].as_str().unwrap().to_string();
    let mut pushes = pushes_of(&app, notification).await;
    pushes.sort();
    let mut expected = vec![
        (PHONE_A.to_string(), "queued".to_string()),
        (PHONE_B.to_string(), "queued".to_string()),
    ];
    expected.sort();
    assert_eq!(pushes, expected);
}

#[tokio::test]
async fn the_inbox_pages_newest_first_and_is_marked_read_one_by_one_or_all_at_once() {
    let (app, reporter) = seeded().await;
    let (complaint, staff) = acknowledged(&app, &reporter, "+84905000061").await;
    let events = format!("/v1/complaints/{complaint}/events");
    for step in [
        json!({"type": "in_progress", "comment": "Đội cây xanh đang làm"}),
        json!({"type": "resolved", "response": "Đã cắt tỉa xong"}),
    ] {
        assert_eq!(app.post_auth(&events, &staff, &step).await.status(), StatusCode::CREATED);
    }
    let first = inbox(&app, &reporter, "?limit=2", "vi").await;
    let kinds: Vec<&str> =
        first["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["complaint_resolved", "complaint_in_progress"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest = inbox(&app, &reporter, &format!("?limit=2&cursor={cursor}"), "vi").await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["items"][0]["kind"], "complaint_acknowledged");
    assert_eq!(rest["next_cursor"], Value::Null);

    let newest = first["items"][0]["id"].as_str().unwrap();
    let res =
        app.post_auth(&format!("/v1/me/notifications/{newest}/read"), &reporter, &json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let count: Value =
        app.get_auth("/v1/me/notifications/unread-count", &reporter).await.json().await.unwrap();
    assert_eq!(count["unread_count"], 2);

    // Someone else's notification is not found for this caller.
    app.insert_user("+84906000002", "citizen", None).await;
    let other = app.tokens("+84906000002", STRONG_PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let res =
        app.post_auth(&format!("/v1/me/notifications/{newest}/read"), &other, &json!({})).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;

    let res = app.post_auth("/v1/me/notifications/read-all", &reporter, &json!({})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["marked"], 2);
    assert_eq!(inbox(&app, &reporter, "", "vi").await["unread_count"], 0);

    let res = app.get_auth("/v1/me/notifications?limit=0", &reporter).await;
    assert_eq!(
        assert_problem(res, StatusCode::BAD_REQUEST, "invalid_query").await["field"],
        "limit"
    );
    let res = app.get_auth("/v1/me/notifications?cursor=nonsense", &reporter).await;
    assert_eq!(
        assert_problem(res, StatusCode::BAD_REQUEST, "invalid_query").await["field"],
        "cursor"
    );
}

#[tokio::test]
async fn a_kind_turned_off_stays_in_the_inbox_but_queues_no_push() {
    let (app, reporter) = seeded().await;
    register_device(&app, &reporter, PHONE_A, "vi").await;
    let res = app
        .client
        .put(app.url("/v1/me/notification-settings"))
        .bearer_auth(&reporter)
        .json(&json!({ "push_off": ["complaint_acknowledged", "complaint_acknowledged"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let settings: Value =
        app.get_auth("/v1/me/notification-settings", &reporter).await.json().await.unwrap();
    assert_eq!(settings["push_off"], json!(["complaint_acknowledged"]));
    assert!(settings["kinds"].as_array().unwrap().contains(&json!("dossier_status")));

    let (complaint, staff) = acknowledged(&app, &reporter, "+84905000061").await;
    let page = inbox(&app, &reporter, "", "vi").await;
    let acknowledged = page["items"][0]["id"].as_str().unwrap().to_string();
    assert!(pushes_of(&app, acknowledged).await.is_empty(), "turned off: no push");

    let events = format!("/v1/complaints/{complaint}/events");
    let step = json!({"type": "in_progress"});
    assert_eq!(app.post_auth(&events, &staff, &step).await.status(), StatusCode::CREATED);
    let page = inbox(&app, &reporter, "", "vi").await;
    let in_progress = page["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(pushes_of(&app, in_progress).await.len(), 1, "other kinds still push");

    let res = app
        .client
        .put(app.url("/v1/me/notification-settings"))
        .bearer_auth(&reporter)
        .json(&json!({ "push_off": ["dossier_status", "spam"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await["field"],
        "push_off[1]"
    );
}

#[tokio::test]
async fn the_staff_of_the_agency_a_complaint_goes_to_hear_of_it_on_filing_and_on_reassignment() {
    let (app, reporter) = seeded().await;
    let ward = staff_token(&app, "+84905000071", "ubnd-phuong-hai-chau").await;
    let department = staff_token(&app, "+84905000072", "so-xay-dung").await;
    let id = file_in_hai_chau(&app, &reporter, "water_supply").await;

    let assigned = |page: Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "complaint_assigned")
            .map(|n| n["data"]["complaint_id"].as_str().unwrap().to_string())
            .collect()
    };
    let ward_inbox = inbox(&app, &ward, "", "vi").await;
    assert_eq!(assigned(ward_inbox.clone()), std::slice::from_ref(&id));
    assert!(
        ward_inbox["items"][0]["body"].as_str().unwrap().contains("Đèn đường"),
        "the description is quoted"
    );
    assert!(assigned(inbox(&app, &department, "", "vi").await).is_empty());

    let to = agency_id(&app, "so-xay-dung").await;
    let res = app
        .post_auth(
            &format!("/v1/complaints/{id}/events"),
            &ward,
            &json!({"type": "reassigned", "to_agency_id": to, "reason": "Thuộc thẩm quyền Sở"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(assigned(inbox(&app, &department, "", "vi").await), std::slice::from_ref(&id));
    assert_eq!(
        assigned(inbox(&app, &ward, "", "vi").await).len(),
        1,
        "no second notice to the ward"
    );
}

//! Public cameras: administrators keep the registry, the map lists a box's cameras, and
//! snapshots come from the server's cache: however many phones look, a camera is asked at most
//! once every N seconds, and one that does not answer is shown down and left alone.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use smartcity_testkit::fake_camera::{CameraMode, FakeCamera};
use std::time::Duration;

/// In Hội An, 30 km from Hải Châu.
const HOI_AN: (f64, f64) = (15.8801, 108.3380);

fn camera(name: &str, kind: &str, at: (f64, f64), snapshot_url: &str) -> Value {
    json!({
        "name": name,
        "kind": kind,
        "lat": at.0,
        "lon": at.1,
        "snapshot_url": snapshot_url,
        "stream_url": "https://camera.danang.gov.vn/live/12/index.m3u8",
    })
}

/// An administrator's camera; its id.
async fn register(app: &TestApp, admin: &str, body: &Value) -> String {
    let res = app.post_auth("/v1/admin/cameras", admin, body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{body}");
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

/// A server asking cameras at most once every `seconds`, its administrator's token, and a
/// flood camera in Hải Châu served by a fake; the camera's id.
async fn watched(seconds: u64) -> (TestApp, String, FakeCamera, String) {
    let app = spawn_app_with(
        move |config| config.camera_snapshot_every = Duration::from_secs(seconds),
        |_| {},
    )
    .await;
    let admin = app.admin_token().await;
    let fake = FakeCamera::start().await;
    let body = camera("Cầu Rồng – Trần Hưng Đạo", "flood_watch", HAI_CHAU, &fake.snapshot_url());
    let id = register(&app, &admin, &body).await;
    (app, admin, fake, id)
}

async fn snapshot(app: &TestApp, id: &str) -> reqwest::Response {
    app.get(&format!("/v1/cameras/{id}/snapshot")).await
}

fn max_age(res: &reqwest::Response) -> u64 {
    let value = res.headers()["cache-control"].to_str().unwrap().to_string();
    let age = value.split("max-age=").nth(1).expect("max-age in Cache-Control");
    age.trim().parse().unwrap()
}

/// The camera as the public map lists it.
async fn on_the_map(app: &TestApp, id: &str) -> Value {
    let res = app.get(&format!("/v1/cameras/{id}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[tokio::test]
async fn administrators_keep_the_registry_and_no_one_else_may() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let citizen = app.citizen_token().await;
    let upstream = "https://cam.danang.gov.vn/snap/12.jpg?token=s3cret";
    let body = camera("Ngã tư Hàm Nghi", "traffic", HAI_CHAU, upstream);

    let res = app.post_auth("/v1/admin/cameras", &citizen, &body).await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = app.post_json("/v1/admin/cameras", &body).await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "authentication_required").await;

    let res = app.post_auth("/v1/admin/cameras", &admin, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["snapshot_url"], upstream, "the administrator sees the upstream address");
    assert_eq!(created["kind"], "traffic");
    assert_eq!(created["kind_name_vi"], "Camera giao thông");
    assert_eq!(created["kind_name_en"], "Traffic camera");
    assert_eq!(created["working"], true);
    assert_eq!(created["active"], true);

    let public = on_the_map(&app, &id).await;
    assert_eq!(public["name"], "Ngã tư Hàm Nghi");
    assert_eq!(public["snapshot"], format!("/v1/cameras/{id}/snapshot"));
    assert_eq!(public["stream_url"], "https://camera.danang.gov.vn/live/12/index.m3u8");
    assert!(!public.to_string().contains("s3cret"), "the upstream address is private: {public}");

    let mut changed = camera("Ngã tư Hàm Nghi – Hùng Vương", "public_space", HAI_CHAU, upstream);
    changed["stream_url"] = Value::Null;
    let path = format!("/v1/admin/cameras/{id}");
    let res = app.client.put(app.url(&path)).bearer_auth(&citizen).json(&changed).send().await;
    assert_problem(res.unwrap(), StatusCode::FORBIDDEN, "forbidden").await;
    let res = app.client.put(app.url(&path)).bearer_auth(&admin).json(&changed).send().await;
    assert_eq!(res.unwrap().status(), StatusCode::OK);
    let public = on_the_map(&app, &id).await;
    assert_eq!(public["name"], "Ngã tư Hàm Nghi – Hùng Vương");
    assert_eq!(public["kind"], "public_space");
    assert_eq!(public["stream_url"], Value::Null);

    let res = app.client.put(app.url("/v1/admin/cameras/nope")).bearer_auth(&admin).json(&changed);
    assert_problem(res.send().await.unwrap(), StatusCode::NOT_FOUND, "not_found").await;

    assert_problem(app.delete_auth(&path, &citizen).await, StatusCode::FORBIDDEN, "forbidden")
        .await;
    assert_eq!(app.delete_auth(&path, &admin).await.status(), StatusCode::NO_CONTENT);
    let res = app.get(&format!("/v1/cameras/{id}")).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
    assert_problem(snapshot(&app, &id).await, StatusCode::NOT_FOUND, "not_found").await;
    let again = app.delete_auth(&path, &admin).await;
    assert_problem(again, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_camera_that_breaks_a_rule_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let good = camera("Bãi biển Mỹ Khê", "public_space", HAI_CHAU, "http://10.0.0.5/snap.jpg");
    let cases: Vec<(&str, Value)> = vec![
        ("kind", json!("cctv")),
        ("snapshot_url", json!("rtsp://10.0.0.5/stream")),
        ("snapshot_url", json!("javascript:alert(1)")),
        ("snapshot_url", json!(format!("https://a.vn/{}", "x".repeat(2100)))),
        ("stream_url", json!("file:///etc/passwd")),
        ("name", json!("  ")),
        ("name", json!("x".repeat(201))),
        ("lat", json!(48.85)),
        ("lon", json!(2.35)),
    ];
    for (field, value) in cases {
        let mut body = good.clone();
        body[field] = value;
        let res = app.post_auth("/v1/admin/cameras", &admin, &body).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        assert_eq!(problem["field"], field, "{problem}");
    }
    let mut unknown = good.clone();
    unknown["password"] = json!("admin");
    let res = app.post_auth("/v1/admin/cameras", &admin, &unknown).await;
    assert_eq!(res.status().as_u16() / 100, 4, "an unknown field is refused");
    let res = app.get("/v1/cameras?bbox=107.5,15.5,108.9,16.5").await;
    assert_eq!(res.json::<Value>().await.unwrap()["items"], json!([]), "nothing was kept");
}

#[tokio::test]
async fn the_map_lists_the_active_cameras_inside_its_box_only() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let url = "http://127.0.0.1:9/snapshot.jpg";
    let bridge = register(&app, &admin, &camera("Cầu Rồng", "flood_watch", HAI_CHAU, url)).await;
    let near = (HAI_CHAU.0 + 0.004, HAI_CHAU.1 - 0.003);
    let market = register(&app, &admin, &camera("Chợ Hàn", "public_space", near, url)).await;
    let hoi_an = register(&app, &admin, &camera("Phố cổ Hội An", "traffic", HOI_AN, url)).await;
    let retired = register(&app, &admin, &camera("Cũ", "traffic", HAI_CHAU, url)).await;
    let res = app.delete_auth(&format!("/v1/admin/cameras/{retired}"), &admin).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    let res = app.get("/v1/cameras?bbox=108.19,16.03,108.22,16.06").await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: Value = res.json().await.unwrap();
    let ids: std::collections::BTreeSet<&str> =
        list["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [bridge.as_str(), market.as_str()].into(),
        "Hội An and the retired one left out"
    );
    assert_eq!(list["truncated"], false);
    assert_eq!(list["items"][0]["working"], true);
    assert!(list["items"][0].get("snapshot_url").is_none(), "{list}");

    let res = app.get("/v1/cameras?bbox=108.0,15.5,108.5,16.2").await;
    let list: Value = res.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 3, "a wider box holds Hội An too");
    assert!(list.to_string().contains(&hoi_an));

    let exact = format!("/v1/cameras?bbox={},{},{},{}", HOI_AN.1, HOI_AN.0, HOI_AN.1, HOI_AN.0);
    let list: Value = app.get(&exact).await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "the box's edges are inside it");

    for bad in [
        "",
        "?bbox=",
        "?bbox=108.19,16.03,108.22",
        "?bbox=108.22,16.03,108.19,16.06",
        "?bbox=108.19,16.06,108.22,16.03",
        "?bbox=104,10,110,16",
        "?bbox=a,b,c,d",
        "?bbox=108.19,16.03,108.22,NaN",
        "?bbox=108.19,16.03,108.22,16.06,1",
    ] {
        let res = app.get(&format!("/v1/cameras{bad}")).await;
        let problem = assert_problem(res, StatusCode::BAD_REQUEST, "invalid_query").await;
        assert_eq!(problem["field"], "bbox", "{bad}: {problem}");
    }
}

#[tokio::test]
async fn two_hundred_phones_looking_at_one_camera_make_one_request_to_it() {
    let (app, _admin, fake, id) = watched(30).await;
    // The camera is slow, so every request arrives while the one fetch is under way.
    fake.set_delay(Duration::from_millis(400));
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(200));
    let mut phones = tokio::task::JoinSet::new();
    for _ in 0..200 {
        let request = app.client.get(app.url(&format!("/v1/cameras/{id}/snapshot")));
        let barrier = barrier.clone();
        phones.spawn(async move {
            barrier.wait().await;
            let res = request.send().await.expect("an answer");
            let status = res.status();
            let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
            (status, content_type, res.bytes().await.unwrap().to_vec())
        });
    }
    let answers = phones.join_all().await;
    assert_eq!(fake.requests(), 1, "one request reached the camera");
    let first_frame = FakeCamera::frame(1);
    for (status, content_type, body) in &answers {
        assert_eq!(*status, StatusCode::OK);
        assert_eq!(content_type, "image/jpeg");
        assert!(*body == first_frame, "every phone got the camera's one image");
    }
    assert_eq!(answers.len(), 200);

    // Later lookers within the N seconds get the same image, still without asking the camera.
    let res = snapshot(&app, &id).await;
    assert!(max_age(&res) <= 30);
    assert!(res.headers().contains_key("last-modified"));
    assert_eq!(res.bytes().await.unwrap().to_vec(), first_frame);
    assert_eq!(fake.requests(), 1);
    assert_eq!(on_the_map(&app, &id).await["working"], true);
}

#[tokio::test]
async fn after_n_seconds_the_camera_is_asked_again() {
    let (app, _admin, fake, id) = watched(1).await;
    let res = snapshot(&app, &id).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(max_age(&res) <= 1, "kept by phones no longer than the server keeps it");
    assert_eq!(res.bytes().await.unwrap().to_vec(), FakeCamera::frame(1));
    let res = snapshot(&app, &id).await;
    assert_eq!(res.bytes().await.unwrap().to_vec(), FakeCamera::frame(1));
    assert_eq!(fake.requests(), 1);
    let shown = on_the_map(&app, &id).await;
    assert!(shown["last_snapshot_at"].is_string(), "{shown}");

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let res = snapshot(&app, &id).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().to_vec(), FakeCamera::frame(2), "a new image");
    assert_eq!(fake.requests(), 2);
}

#[tokio::test]
async fn a_camera_that_fails_is_shown_down_and_left_alone_until_its_backoff_ends() {
    // N = 1 s: the first backoff is 3 s.
    let (app, _admin, fake, id) = watched(1).await;
    assert_eq!(snapshot(&app, &id).await.status(), StatusCode::OK);
    fake.set_mode(CameraMode::Fail);
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let res = snapshot(&app, &id).await;
    let retry_after: u64 =
        res.headers()["retry-after"].to_str().unwrap().parse().expect("Retry-After in seconds");
    assert!((1..=3).contains(&retry_after), "Retry-After {retry_after}");
    assert_problem(res, StatusCode::SERVICE_UNAVAILABLE, "camera_unavailable").await;
    assert_eq!(fake.requests(), 2);
    let shown = on_the_map(&app, &id).await;
    assert_eq!(shown["working"], false, "{shown}");
    assert!(shown["down_since"].is_string(), "{shown}");
    let list: Value =
        app.get("/v1/cameras?bbox=108.19,16.03,108.22,16.06").await.json().await.unwrap();
    assert_eq!(list["items"][0]["working"], false, "the map shows it down");

    // Everyone asking within the backoff is told at once; the camera is not asked.
    let asked =
        (0..50).map(|_| app.client.get(app.url(&format!("/v1/cameras/{id}/snapshot")))).collect();
    let statuses = statuses_at_once(asked).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::SERVICE_UNAVAILABLE), "{statuses:?}");
    assert_eq!(fake.requests(), 2, "no request to a camera that is down");

    // Back up: after the backoff the next look asks it, and it works again.
    fake.set_mode(CameraMode::Serve);
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let res = snapshot(&app, &id).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().to_vec(), FakeCamera::frame(3));
    let shown = on_the_map(&app, &id).await;
    assert_eq!(shown["working"], true, "{shown}");
    assert_eq!(shown["down_since"], Value::Null);
}

#[tokio::test]
async fn a_camera_that_hangs_or_sends_no_jpeg_is_down_after_one_request() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for mode in [CameraMode::Hang, CameraMode::Html, CameraMode::Huge] {
        let fake = FakeCamera::start().await;
        fake.set_mode(mode);
        let body = camera("Cầu Trần Thị Lý", "flood_watch", HAI_CHAU, &fake.snapshot_url());
        let id = register(&app, &admin, &body).await;
        let asked = (0..20)
            .map(|_| app.client.get(app.url(&format!("/v1/cameras/{id}/snapshot"))))
            .collect();
        let started = std::time::Instant::now();
        let statuses = statuses_at_once(asked).await;
        assert!(
            statuses.iter().all(|s| *s == StatusCode::SERVICE_UNAVAILABLE),
            "{mode:?}: {statuses:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(15), "{mode:?}: the wait is bounded");
        assert_eq!(fake.requests(), 1, "{mode:?}");
        assert_eq!(on_the_map(&app, &id).await["working"], false, "{mode:?}");
        let res = snapshot(&app, &id).await;
        assert_problem(res, StatusCode::SERVICE_UNAVAILABLE, "camera_unavailable").await;
        assert_eq!(fake.requests(), 1, "{mode:?}: left alone");
    }
    let res = snapshot(&app, "no-such-camera").await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

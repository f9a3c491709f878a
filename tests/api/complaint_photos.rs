//! Photos through the real server: EXIF orientation and GPS, decompression bombs, and the
//! agency's "after" photos sent with a resolution.

use crate::helpers::*;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

use smartcity_testkit::photos::{
    assert_clean_jpeg, contains, decode, dms, exif_tiff, jpeg_claiming, photo_like, png_claiming,
    red_left_blue_right, with_exif,
};

/// A landscape `width × height` JPEG, left red and right blue, whose EXIF says to turn it by
/// `orientation` and places it at 16.0544 N, 108.2022 E (in the demo's Phường Hải Châu).
fn phone_photo(orientation: u16, width: u32, height: u32) -> Vec<u8> {
    with_exif(
        &smartcity_testkit::photos::jpeg(&red_left_blue_right(width, height), 90),
        &exif_tiff(orientation),
    )
}

/// Files in the photo store, in any folder.
fn stored_files(app: &TestApp) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .map(|entry| entry.unwrap().path())
                    .map(|path| if path.is_dir() { count(&path) } else { 1 })
                    .sum()
            })
            .unwrap_or(0)
    }
    count(app.photos_dir.path())
}

async fn complaint_count(app: &TestApp) -> i64 {
    app.with_db(|conn| {
        use diesel::prelude::*;
        smartcity_db::schema::complaints::table.count().get_result(conn).unwrap()
    })
    .await
}

pub(crate) async fn fetch(app: &TestApp, url: &Value) -> Vec<u8> {
    let res = app.get(url.as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK, "{url}");
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    res.bytes().await.unwrap().to_vec()
}

async fn post_form(app: &TestApp, path: &str, token: &str, form: Form) -> reqwest::Response {
    app.client.post(app.url(path)).bearer_auth(token).multipart(form).send().await.unwrap()
}

fn photos(form: Form, uploads: impl IntoIterator<Item = Vec<u8>>) -> Form {
    uploads
        .into_iter()
        .fold(form, |form, bytes| form.part("photos", Part::bytes(bytes).file_name("photo.jpg")))
}

#[tokio::test]
async fn a_photo_the_exif_says_to_turn_is_served_upright_and_without_exif() {
    let (app, token) = seeded().await;
    let upload = phone_photo(6, 400, 200);
    assert!(contains(&upload, b"Exif\0\0"));
    let res =
        file(&app, &token, photos(form("street_light", HAI_CHAU.0, HAI_CHAU.1), [upload]), None)
            .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let created: Value = res.json().await.unwrap();
    let photo = &created["photos"][0];
    assert_eq!((photo["width"].as_i64(), photo["height"].as_i64()), (Some(200), Some(400)));

    let display = fetch(&app, &photo["display_url"]).await;
    let upright = decode(&display).to_rgb8();
    assert_eq!(upright.dimensions(), (200, 400), "portrait once turned");
    // Turned 90° clockwise: the left (red) is now the top.
    let top = upright.get_pixel(100, 50).0;
    let bottom = upright.get_pixel(100, 350).0;
    assert!(top[0] > top[2] && bottom[2] > bottom[0], "top {top:?}, bottom {bottom:?}");
    let thumbnail = fetch(&app, &photo["thumbnail_url"]).await;
    assert_eq!(decode(&thumbnail).to_rgb8().dimensions(), (160, 320));
    for served in [&display, &thumbnail] {
        assert!(!contains(served, b"Exif\0\0"), "no EXIF segment in what is served");
        assert_clean_jpeg(served);
    }
}

#[tokio::test]
async fn without_a_pin_the_photo_s_gps_places_and_routes_the_complaint_and_is_not_served() {
    let (app, token) = seeded().await;
    let pinless = Form::new()
        .text("category", "street_light")
        .text("description", "Đèn đường không sáng, vị trí theo ảnh.");
    let res = file(&app, &token, photos(pinless, [phone_photo(1, 640, 480)]), None).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let created: Value = res.json().await.unwrap();
    let (lat, lon) = (created["lat"].as_f64().unwrap(), created["lon"].as_f64().unwrap());
    assert!((lat - 16.0544).abs() < 1e-6 && (lon - 108.2022).abs() < 1e-6, "{lat}, {lon}");
    assert_eq!(created["area"], "DEMO-02");
    assert_eq!(created["agency_id"], agency_id(&app, "ubnd-phuong-hai-chau").await);

    let photo = &created["photos"][0];
    for url in [&photo["display_url"], &photo["thumbnail_url"]] {
        let served = fetch(&app, url).await;
        assert_clean_jpeg(&served);
        assert!(!contains(&served, &dms(16, 3, 1584)), "GPS latitude served");
        assert!(!contains(&served, &dms(108, 12, 792)), "GPS longitude served");
    }
}

#[tokio::test]
async fn a_decompression_bomb_is_refused_and_nothing_is_written_or_stored() {
    let (app, token) = seeded().await;
    let bombs = [
        png_claiming(60_000, 60_000),
        jpeg_claiming(&smartcity_testkit::photos::jpeg(&photo_like(16, 16), 80), 60_000, 60_000),
    ];
    for bomb in bombs {
        assert!(bomb.len() < 4096, "{} bytes", bomb.len());
        // After a good photo: the refusal stores neither.
        let uploads = [jpeg(640, 480), bomb];
        let res =
            file(&app, &token, photos(form("garbage", HAI_CHAU.0, HAI_CHAU.1), uploads), None)
                .await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        assert_eq!(problem["field"], "photos[1]", "{problem}");
        assert!(problem["detail"].as_str().unwrap().ends_with("(photo_too_many_pixels)"));
    }
    assert_eq!(complaint_count(&app).await, 0);
    assert_eq!(stored_files(&app), 0, "no photo left behind");
}

#[tokio::test]
async fn staff_resolve_with_after_photos_shown_apart_from_the_report_s_and_on_the_timeline() {
    let (app, reporter) = seeded().await;
    let filing = photos(form("street_light", HAI_CHAU.0, HAI_CHAU.1), [jpeg(640, 480)]);
    let created: Value = file(&app, &reporter, filing, None).await.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    let events = format!("/v1/complaints/{id}/events");
    let staff = staff_token(&app, "+84905000051", "ubnd-phuong-hai-chau").await;
    let res = app
        .post_auth(&events, &staff, &json!({"type": "acknowledged", "comment": "Đã nhận"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "JSON as before");

    let resolution = Form::new().text("type", "resolved").text("response", "Đã thay bóng đèn");
    let res =
        post_form(&app, &events, &staff, photos(resolution, [jpeg(800, 600), jpeg(300, 400)]))
            .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    assert_eq!(res.json::<Value>().await.unwrap()["status"]["code"], "resolved");

    let detail: Value = app.get(&format!("/v1/complaints/{id}")).await.json().await.unwrap();
    let all = detail["photos"].as_array().unwrap();
    let kinds: Vec<&str> = all.iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["report", "after", "after"]);
    assert_eq!(all[0]["display_url"], created["photos"][0]["display_url"]);
    for (photo, size) in all[1..].iter().zip([(800, 600), (300, 400)]) {
        assert_eq!(
            (photo["width"].as_u64(), photo["height"].as_u64()),
            (Some(size.0), Some(size.1))
        );
        let display = decode(&fetch(&app, &photo["display_url"]).await).to_rgb8();
        assert_eq!(display.dimensions(), (size.0 as u32, size.1 as u32));
        let thumbnail = decode(&fetch(&app, &photo["thumbnail_url"]).await).to_rgb8();
        assert!(thumbnail.width() <= 320 && thumbnail.height() <= 320);
    }
    let timeline = detail["timeline"].as_array().unwrap();
    let resolved = timeline.iter().find(|e| e["type"] == "resolved").unwrap();
    assert_eq!(resolved["photos"].as_array().unwrap()[..], all[1..]);
    assert!(timeline.iter().filter(|e| e["type"] != "resolved").all(|e| e.get("photos").is_none()));
    assert_eq!(stored_files(&app), 6, "three photos, two copies each");

    // The reporter's rating, as a form too: `stars` is a number there as well.
    let rating = Form::new().text("type", "rated").text("stars", "5");
    let res = post_form(&app, &events, &reporter, rating).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    assert_eq!(res.json::<Value>().await.unwrap()["status"]["code"], "closed");
}

#[tokio::test]
async fn photos_go_only_with_a_resolution_and_a_refused_event_leaves_none_behind() {
    let (app, reporter) = seeded().await;
    let created: Value = file(&app, &reporter, form("garbage", HAI_CHAU.0, HAI_CHAU.1), None)
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    let events = format!("/v1/complaints/{id}/events");
    let staff = staff_token(&app, "+84905000061", "ubnd-phuong-hai-chau").await;
    let elsewhere = staff_token(&app, "+84905000062", "ubnd-xa-hoa-vang").await;
    let resolution = || Form::new().text("type", "resolved").text("response", "Đã thu gom");
    let two_photos = || [jpeg(320, 240), jpeg(320, 240)];

    let acknowledgement = Form::new().text("type", "acknowledged").text("comment", "Đã nhận");
    let res = post_form(&app, &events, &staff, photos(acknowledgement, two_photos())).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
    assert_eq!(problem["field"], "photos");
    // Resolving a `new` complaint, and another agency's staff resolving it.
    let res = post_form(&app, &events, &staff, photos(resolution(), two_photos())).await;
    assert_problem(res, StatusCode::CONFLICT, "transition_not_allowed").await;
    let res = post_form(&app, &events, &elsewhere, photos(resolution(), two_photos())).await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(stored_files(&app), 0);

    let res = app
        .post_auth(&events, &staff, &json!({"type": "acknowledged", "comment": "Đã nhận"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let cases: Vec<(Form, StatusCode, &str)> = vec![
        (
            photos(Form::new().text("type", "resolved").text("response", " "), two_photos()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "response",
        ),
        (
            photos(resolution(), (0..6).map(|_| jpeg(8, 8))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "photos",
        ),
        (
            photos(resolution(), [jpeg(320, 240), b"not a photo".to_vec()]),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "photos[1]",
        ),
        (
            photos(resolution(), [png_claiming(60_000, 60_000)]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "photos[0]",
        ),
        (resolution().text("colour", "red"), StatusCode::UNPROCESSABLE_ENTITY, "colour"),
        (Form::new().text("response", "Đã thu gom"), StatusCode::UNPROCESSABLE_ENTITY, "type"),
        (
            Form::new().text("type", "rated").text("stars", "five"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "stars",
        ),
    ];
    for (i, (body, status, field)) in cases.into_iter().enumerate() {
        let res = post_form(&app, &events, &staff, body).await;
        assert_eq!(res.status(), status, "case {i}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["field"], field, "case {i}: {problem}");
    }
    let res = app
        .client
        .post(app.url(&events))
        .bearer_auth(&staff)
        .header("content-type", "text/plain")
        .body("resolved")
        .send()
        .await
        .unwrap();
    let problem =
        assert_problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
    assert_eq!(problem["field"], "Content-Type");
    assert_eq!(stored_files(&app), 0, "no refused event left a photo behind");

    // Two staff resolving at once: one is recorded, the other refused, and only the photos of
    // the one recorded stay, whichever check refused the other.
    let (first, second) = tokio::join!(
        post_form(&app, &events, &staff, photos(resolution(), two_photos())),
        post_form(&app, &events, &staff, photos(resolution(), two_photos())),
    );
    let mut statuses = [first.status(), second.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT]);
    let detail: Value = app.get(&format!("/v1/complaints/{id}")).await.json().await.unwrap();
    assert_eq!(detail["photos"].as_array().unwrap().len(), 2);
    assert_eq!(stored_files(&app), 4);
}

//! The bytes of request bodies the server holds are bounded across all requests: ordinary
//! uploads go through, and an upload that finds no room is told to come back (503
//! `server_busy` with `Retry-After`) rather than the server growing. The bound under many
//! large uploads at once is measured on the binary in `api/tests/hostile.rs`.

use crate::helpers::*;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::Value;
use smartcity_api::config::Config;
use std::io::Write;
use std::net::TcpStream;

const BOUNDARY: &str = "holding-boundary";

async fn seeded_with(adjust: impl FnOnce(&mut Config)) -> (TestApp, String) {
    let app = spawn_app_with(adjust, |_| {}).await;
    app.with_db(|conn| smartcity_api::app::seed::seed(conn).expect("seed")).await;
    let token = app.citizen_token().await;
    (app, token)
}

/// A phone's photo of about `bytes` (a real picture, padded as phones' files often are).
fn camera_photo(bytes: usize) -> Vec<u8> {
    let mut photo = jpeg(1600, 1200);
    photo.resize(bytes.max(photo.len()), 0);
    photo
}

fn with_photos(form: Form, photos: impl IntoIterator<Item = Vec<u8>>) -> Form {
    photos.into_iter().fold(form, |form, bytes| {
        form.part(
            "photos",
            Part::bytes(bytes).file_name("photo.jpg").mime_str("image/jpeg").unwrap(),
        )
    })
}

#[tokio::test]
async fn an_ordinary_filing_with_a_few_photos_goes_through() {
    let (app, token) = seeded_with(|_| {}).await;
    let photos = [3 << 20, 4 << 20, 2 << 20].map(camera_photo);
    let form = with_photos(form("trees", HAI_CHAU.0, HAI_CHAU.1), photos);
    let res = file(&app, &token, form, None).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let complaint: Value = res.json().await.unwrap();
    assert_eq!(complaint["photos"].as_array().map(Vec::len), Some(3), "{complaint}");
}

/// An upload in progress whose client has sent `bytes` of its body and nothing more yet: the
/// server holds what came. Closing the connection ends it.
fn upload_in_progress(app: &TestApp, token: &str, bytes: usize) -> TcpStream {
    let address = app.address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    let head = format!(
        "POST /v1/complaints HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\
         Transfer-Encoding: chunked\r\n\r\n"
    );
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"a.jpg\"\r\n\
         Content-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    body.resize(bytes, b'x');
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(format!("{:x}\r\n", body.len()).as_bytes()).unwrap();
    stream.write_all(&body).unwrap();
    stream.write_all(b"\r\n").unwrap();
    stream
}

#[tokio::test]
async fn an_upload_that_finds_no_room_is_told_to_come_back_and_goes_through_once_there_is() {
    const ROOM: usize = 1 << 20;
    let (app, token) = seeded_with(|config| config.body_memory_bytes = ROOM).await;
    let held = upload_in_progress(&app, &token, ROOM - 16 * 1024);

    // Until the server has taken in that upload's bytes, a form of 60 KiB still finds room
    // (and, lacking a category, files nothing); once it has, it does not.
    let probe = || with_photos(Form::new(), [vec![0xFF; 60 * 1024]]);
    let mut answered = Vec::new();
    while answered.last() != Some(&StatusCode::SERVICE_UNAVAILABLE) && answered.len() < 200 {
        answered.push(file(&app, &token, probe(), None).await.status());
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(answered.last(), Some(&StatusCode::SERVICE_UNAVAILABLE), "{answered:?}");

    let filing = || with_photos(form("trees", HAI_CHAU.0, HAI_CHAU.1), [camera_photo(300 << 10)]);
    let res = file(&app, &token, filing(), Some("one-filing")).await;
    let retry_after = res.headers().get("retry-after").cloned();
    let problem = assert_problem(res, StatusCode::SERVICE_UNAVAILABLE, "server_busy").await;
    assert!(retry_after.is_some_and(|secs| secs.to_str().unwrap().parse::<u64>().is_ok()));
    assert!(problem["detail"].as_str().unwrap().contains("gửi lại"), "{problem}");

    drop(held);
    let res = file(&app, &token, filing(), Some("one-filing")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

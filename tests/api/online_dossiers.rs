//! Online dossiers: a citizen submits from the app (multipart, files per component), the
//! receiving agency pulls them with its key and downloads the files, the citizen withdraws.

use crate::helpers::*;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};
use smartcity_testkit::photos::{exif_tiff, jpeg_markers, with_exif};

const PROCEDURE: &str = "XA-HT-01";
pub(crate) const AGENCY: &str = "ubnd-phuong-hai-chau";
/// The demo's first citizen registered by `seeded()`, as the citizen's own account.
pub(crate) const IDENTITY: &str = "048190001234";

pub(crate) fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n1 0 obj\n<< /Title ({text}) >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
        .into_bytes()
}

fn file_part(bytes: Vec<u8>, name: &str, mime: &str) -> Part {
    Part::bytes(bytes).file_name(name.to_string()).mime_str(mime).unwrap()
}

/// A form's text parts and its file parts, by name.
type Fields = Vec<(&'static str, String)>;
type Files = Vec<(&'static str, Part)>;

/// A complete birth registration, in parts: the fields, then the files.
pub(crate) fn fields() -> Fields {
    vec![
        ("procedure", PROCEDURE.into()),
        ("agency", AGENCY.into()),
        ("applicant_type", "citizen".into()),
        ("applicant_name", "Nguyễn Thị Ánh".into()),
        ("identity_number", IDENTITY.into()),
        ("province", "Đà Nẵng".into()),
        ("ward", "Phường Hải Châu".into()),
        ("street", "12 Bạch Đằng".into()),
        ("return_method", "counter".into()),
        ("form", json!({"ho_ten_tre": "Nguyễn Minh Khang", "ngay_sinh": "2026-11-30"}).to_string()),
    ]
}

pub(crate) fn files() -> Files {
    vec![
        ("files[to-khai]", file_part(pdf("to khai"), "to-khai.pdf", "application/pdf")),
        (
            "files[giay-chung-sinh]",
            file_part(with_exif(&jpeg(400, 300), &exif_tiff(1)), "IMG_0001.jpg", "image/jpeg"),
        ),
    ]
}

pub(crate) fn build(fields: Fields, files: Files) -> Form {
    let form = fields.into_iter().fold(Form::new(), |form, (name, value)| form.text(name, value));
    files.into_iter().fold(form, |form, (name, part)| form.part(name, part))
}

pub(crate) async fn submit(
    app: &TestApp,
    token: &str,
    form: Form,
    key: Option<&str>,
) -> reqwest::Response {
    let mut req = app.client.post(app.url("/v1/dossiers")).bearer_auth(token).multipart(form);
    if let Some(key) = key {
        req = req.header("Idempotency-Key", key);
    }
    req.send().await.unwrap()
}

/// The demo ward's API key, as its one-stop-shop system holds it.
async fn ward_key(app: &TestApp) -> String {
    key_of(app, &app.admin_token().await, AGENCY).await
}

/// A new API key of the demo agency `code`.
pub(crate) async fn key_of(app: &TestApp, admin: &str, code: &'static str) -> String {
    let agency = agency_id(app, code).await;
    let res = app
        .post_auth(
            &format!("/v1/admin/agencies/{agency}/api-keys"),
            admin,
            &json!({"label": "Hệ thống một cửa"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["key"].as_str().unwrap().to_string()
}

async fn agency_get(app: &TestApp, key: &str, path: &str) -> reqwest::Response {
    app.client.get(app.url(path)).header("x-api-key", key).send().await.unwrap()
}

async fn dossier_count(app: &TestApp) -> i64 {
    app.with_db(|conn| smartcity_db::dossiers::count(conn).unwrap()).await
}

/// Files the object store holds for dossiers.
fn stored_files(app: &TestApp) -> usize {
    let dir = app.photos_dir.path().join("dossier-files");
    std::fs::read_dir(dir).map(|entries| entries.count()).unwrap_or(0)
}

#[tokio::test]
async fn a_citizen_submits_a_dossier_that_the_ward_pulls_with_its_files() {
    let (app, token) = seeded().await;
    let res = submit(&app, &token, build(fields(), files()), None).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let dossier: Value = res.json().await.unwrap();
    let code = dossier["code"].as_str().unwrap().to_string();
    let today = (chrono::Utc::now() + chrono::Duration::hours(7)).format("%y%m%d");
    assert_eq!(code, format!("UBND-PHUONG-HAI-CHAU-{today}-0001"));
    assert_eq!(dossier["status"]["code"], 1);
    assert_eq!(dossier["applicant_name"], "Nguyễn T. Á.", "masked as in any citizen view");
    assert_eq!(dossier["timeline"][0]["step"], "Nộp hồ sơ trực tuyến");
    assert!(!dossier.to_string().contains(IDENTITY), "no identity number in the citizen view");

    // The citizen follows it from the start and can open it.
    let mine: Value = app.get_auth("/v1/me/dossiers", &token).await.json().await.unwrap();
    assert_eq!(mine["items"][0]["code"], code.as_str());
    let opened = app.get_auth(&format!("/v1/dossiers/{code}"), &token).await;
    assert_eq!(opened.status(), StatusCode::OK);

    // The ward's staff are told; the ward's system pulls it, then nothing new.
    let staff = app
        .with_db(|conn| smartcity_db::accounts::find_user_by_phone(conn, "+84901000002").unwrap())
        .await
        .expect("the demo ward's staff member");
    let told = app.inbox_rows(staff.id).await;
    assert!(told.iter().any(|n| n.title_vi.contains(&code)), "staff notice");
    let admin = app.admin_token().await;
    let key = key_of(&app, &admin, AGENCY).await;
    let pulled: Value =
        agency_get(&app, &key, "/v1/agency/dossiers?origin=online&status=1&order=arrival")
            .await
            .json()
            .await
            .unwrap();
    let items = pulled["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{pulled}");
    assert_eq!(
        (items[0]["code"].as_str(), items[0]["origin"].as_str()),
        (Some(&code[..]), Some("online"))
    );
    assert_eq!(items[0]["channel"], "online");
    let after = pulled["next_after"].as_str().unwrap().to_string();
    let again: Value =
        agency_get(&app, &key, &format!("/v1/agency/dossiers?origin=online&after={after}"))
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(again["items"], json!([]));
    assert_eq!(again["next_after"], after.as_str(), "the cursor stays where it was");

    // The ward reads what was submitted and downloads the files.
    let full: Value =
        agency_get(&app, &key, &format!("/v1/agency/dossiers/{code}")).await.json().await.unwrap();
    assert_eq!(full["application"]["applicant"]["identity_number"], IDENTITY);
    assert_eq!(full["application"]["form"]["ho_ten_tre"], "Nguyễn Minh Khang");
    let files = full["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    let pdf_file = agency_get(&app, &key, files[0]["url"].as_str().unwrap()).await;
    assert_eq!(pdf_file.headers()["content-type"], "application/pdf");
    assert_eq!(pdf_file.bytes().await.unwrap(), pdf("to khai"), "a PDF is kept as sent");
    let photo = agency_get(&app, &key, files[1]["url"].as_str().unwrap()).await;
    assert_eq!(photo.headers()["content-type"], "image/jpeg");
    let photo = photo.bytes().await.unwrap();
    assert!(!jpeg_markers(&photo).contains(&0xE1), "the photo's EXIF (GPS) is gone");

    // Another agency's key finds nothing of it.
    let other_key = key_of(&app, &admin, "ubnd-xa-hoa-vang").await;
    let res = agency_get(&app, &other_key, &format!("/v1/agency/dossiers/{code}")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = agency_get(&app, &other_key, files[0]["url"].as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_submissions_are_refused_naming_the_field_and_leave_nothing_behind() {
    let (app, token) = seeded().await;
    let before = dossier_count(&app).await;
    let with_field = |name: &'static str, value: &str| {
        let mut f = fields();
        f.retain(|(n, _)| *n != name);
        f.push((name, value.to_string()));
        f
    };
    let without_field = |name: &'static str| {
        let mut f = fields();
        f.retain(|(n, _)| *n != name);
        f
    };
    let not_pdf = file_part(b"%PDF-1.7 but then just text".to_vec(), "x.pdf", "application/pdf");
    let gif = file_part(b"GIF89a\x01\x00\x01\x00".to_vec(), "x.pdf", "application/pdf");
    let too_large = file_part(vec![b'%'; 10 * 1024 * 1024 + 1], "big.pdf", "application/pdf");
    let id_file = || file_part(pdf("cccd"), "cccd.pdf", "application/pdf");
    let mut three_ids = files();
    three_ids.extend([
        ("files[giay-to-tuy-than]", id_file()),
        ("files[giay-to-tuy-than]", id_file()),
        ("files[giay-to-tuy-than]", id_file()),
    ]);
    let cases: Vec<(Fields, Files, StatusCode, &str)> = vec![
        (
            fields(),
            files().into_iter().take(1).collect(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "files[giay-chung-sinh]",
        ),
        (
            fields(),
            vec![("files[to-khai]", not_pdf), files().remove(1)],
            StatusCode::UNPROCESSABLE_ENTITY,
            "files[to-khai]",
        ),
        (
            fields(),
            vec![("files[to-khai]", gif), files().remove(1)],
            StatusCode::UNPROCESSABLE_ENTITY,
            "files[to-khai]",
        ),
        (
            fields(),
            vec![("files[to-khai]", too_large)],
            StatusCode::PAYLOAD_TOO_LARGE,
            "files[to-khai]",
        ),
        (fields(), three_ids, StatusCode::UNPROCESSABLE_ENTITY, "files[giay-to-tuy-than]"),
        (
            fields(),
            {
                let mut f = files();
                f.push(("files[ho-chieu]", id_file()));
                f
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            "files[ho-chieu]",
        ),
        (
            with_field("identity_number", "12345"),
            files(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "identity_number",
        ),
        (
            with_field("identity_number", "201234567"),
            files(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "identity_number",
        ),
        (without_field("ward"), files(), StatusCode::UNPROCESSABLE_ENTITY, "ward"),
        (without_field("agency"), files(), StatusCode::UNPROCESSABLE_ENTITY, "agency"),
        (with_field("agency", "so-xay-dung"), files(), StatusCode::UNPROCESSABLE_ENTITY, "agency"),
        (
            with_field("procedure", "XA-CT-01"),
            files(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "procedure",
        ),
        (
            with_field("return_method", "post"),
            files(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "postal_address",
        ),
        (
            with_field("applicant_type", "enterprise"),
            files(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "applicant_type",
        ),
        (with_field("form", "[1, 2]"), files(), StatusCode::UNPROCESSABLE_ENTITY, "form"),
        (with_field("colour", "blue"), files(), StatusCode::UNPROCESSABLE_ENTITY, "colour"),
    ];
    for (i, (fields, files, status, field)) in cases.into_iter().enumerate() {
        let res = submit(&app, &token, build(fields, files), None).await;
        assert_eq!(res.status(), status, "case {i}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["field"], field, "case {i}: {problem}");
    }
    let res = app
        .client
        .post(app.url("/v1/dossiers"))
        .bearer_auth(&token)
        .json(&json!({"procedure": PROCEDURE}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
    let res = app.client.post(app.url("/v1/dossiers")).multipart(build(fields(), files())).send();
    assert_eq!(res.await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(dossier_count(&app).await, before, "nothing stored");
    assert_eq!(stored_files(&app), 0, "no file left in the store");
}

#[tokio::test]
async fn a_retried_submission_returns_the_first_dossier() {
    let (app, token) = seeded().await;
    let first = submit(&app, &token, build(fields(), files()), Some("nop-1")).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let retry = submit(&app, &token, build(fields(), files()), Some("nop-1")).await;
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(retry.json::<Value>().await.unwrap()["code"], first["code"]);
    let without_form = fields()[..9].to_vec();
    let other = submit(&app, &token, build(without_form, files()), Some("nop-1")).await;
    let problem = assert_problem(other, StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused");
    assert_eq!(problem.await["field"], "Idempotency-Key");
    let mine: Value = app.get_auth("/v1/me/dossiers", &token).await.json().await.unwrap();
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "one dossier, not two");
    assert_eq!(stored_files(&app), 2, "the retry's files were not kept");
}

#[tokio::test]
async fn submissions_at_once_get_codes_in_sequence_each_once() {
    let (app, token) = seeded().await;
    let mut sent = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let request = app
            .client
            .post(app.url("/v1/dossiers"))
            .bearer_auth(&token)
            .multipart(build(fields(), files()));
        sent.spawn(async move { request.send().await.expect("an answer") });
    }
    let mut codes = Vec::new();
    for res in sent.join_all().await {
        assert_eq!(res.status(), StatusCode::CREATED);
        codes.push(res.json::<Value>().await.unwrap()["code"].as_str().unwrap().to_string());
    }
    codes.sort();
    let numbers: Vec<&str> = codes.iter().map(|c| &c[c.len() - 4..]).collect();
    assert_eq!(numbers, ["0001", "0002", "0003", "0004", "0005", "0006"]);
}

#[tokio::test]
async fn the_submitter_withdraws_an_undecided_dossier_and_only_they_can() {
    let (app, token) = seeded().await;
    let res = submit(&app, &token, build(fields(), files()), None).await;
    let code = res.json::<Value>().await.unwrap()["code"].as_str().unwrap().to_string();
    let path = format!("/v1/dossiers/{code}/withdrawal");

    app.register("0987 000 111", "Lê Văn Khác", STRONG_PASSWORD).await;
    let stranger = app.access_token("0987 000 111", STRONG_PASSWORD).await;
    let res = app.client.post(app.url(&path)).bearer_auth(&stranger).send().await.unwrap();
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;

    let reason = json!({"reason": "Nộp nhầm thủ tục"});
    let res = app.post_auth(&path, &token, &reason).await;
    assert_eq!(res.status(), StatusCode::OK);
    let dossier: Value = res.json().await.unwrap();
    assert_eq!(dossier["status"]["code"], 7);
    assert_eq!(dossier["timeline"].as_array().unwrap().last().unwrap()["note"], "Nộp nhầm thủ tục");

    let again = app.client.post(app.url(&path)).bearer_auth(&token).send().await.unwrap();
    assert_problem(again, StatusCode::CONFLICT, "decision_not_allowed").await;

    let key = ward_key(&app).await;
    let withdrawn: Value = agency_get(&app, &key, "/v1/agency/dossiers?origin=online&status=7")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(withdrawn["items"][0]["code"], code.as_str(), "the ward sees the withdrawal");
}

#[tokio::test]
async fn an_online_dossier_no_one_receives_is_never_silent() {
    let (app, token) = seeded().await;
    let res = submit(&app, &token, build(fields(), files()), None).await;
    let dossier: Value = res.json().await.unwrap();
    let code = dossier["code"].as_str().unwrap().to_string();
    assert_eq!(dossier["waiting_working_days"], 0, "the citizen sees how long it has waited");
    let ward_column = |page: &str| crate::public_page::record_cell(page, AGENCY, "unreceived");
    let page = app.get("/").await.text().await.unwrap();
    assert_eq!(ward_column(&page), "0", "not yet late");
    let now = chrono::Utc::now();
    let reminded = smartcity_api::jobs::reminders::remind(&app.state, now).await.unwrap();
    let staff = app
        .with_db(|conn| smartcity_db::accounts::find_user_by_phone(conn, "+84901000002").unwrap())
        .await
        .unwrap();
    let unreceived = |rows: &[smartcity_db::notifications::NotificationRow]| {
        rows.iter().filter(|n| n.title_vi.contains("chưa được tiếp nhận")).count()
    };
    assert_eq!(unreceived(&app.inbox_rows(staff.id.clone()).await), 0, "{reminded}: not yet");

    // As if it came three working days ago and no one received it.
    let calendar = app.state.config.calendar.clone();
    let today = (now + chrono::Duration::hours(7)).date_naive();
    let then = calendar.waited_since(today, 3);
    let moved = code.clone();
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use smartcity_db::schema::dossiers;
        diesel::update(dossiers::table.find(moved))
            .set(dossiers::received_on.eq(then))
            .execute(conn)
            .unwrap()
    })
    .await;
    smartcity_api::jobs::reminders::remind(&app.state, now).await.unwrap();
    smartcity_api::jobs::reminders::remind(&app.state, now).await.unwrap();
    assert_eq!(unreceived(&app.inbox_rows(staff.id).await), 1, "the staff are reminded, once");
    let page = app.get("/").await.text().await.unwrap();
    assert_eq!(ward_column(&page), "1", "the public figures say so");
    let seen: Value =
        app.get_auth(&format!("/v1/dossiers/{code}"), &token).await.json().await.unwrap();
    assert!(seen["waiting_working_days"].as_i64().unwrap() >= 3, "{seen}");
}

//! The console's administration of the city: complaint categories, areas and procedures, as an
//! administrator notices them over HTTP (what the pages list, what a form changes, as the JSON
//! API then tells it, and what a refused form says), and the areas' `PUT /v1/admin/areas`.

use crate::console::{get, seeded_app, signed_in, with_cookie, Signed, STAFF};
use crate::helpers::*;
use reqwest::header::LOCATION;
use reqwest::multipart::{Form, Part};
use reqwest::{Response, StatusCode};
use serde_json::Value;

const ADMIN: &str = "+84900000009";

/// A seeded city, an administrator signed in to the console, and their API token.
async fn admin_in_console() -> (TestApp, Signed, String) {
    let app = seeded_app(|_| {}).await;
    let token = app.admin_token().await;
    let signed = signed_in(&app, ADMIN).await;
    (app, signed, token)
}

/// A form as the browser posts it from one of our pages.
async fn post_form(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> Response {
    with_cookie(app.client.post(app.url(path)), cookie)
        .header("sec-fetch-site", "same-origin")
        .form(fields)
        .send()
        .await
        .unwrap()
}

/// A retire button pressed; the status answered.
async fn retire(app: &TestApp, cookie: &str, csrf: &str, path: &str) -> StatusCode {
    post_form(app, path, cookie, &[("csrf", csrf)]).await.status()
}

async fn admin_categories(app: &TestApp, token: &str) -> Vec<Value> {
    let body: Value = app.get_auth("/v1/admin/categories", token).await.json().await.unwrap();
    body["items"].as_array().unwrap().clone()
}

const QUESTIONS: &str = r#"[{"code": "how_many", "datatype": "number", "required": false,
    "description": {"vi": "Số con", "en": "How many"}}]"#;

fn stray_dogs<'a>(csrf: &'a str, sla: &'a str, questions: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("code", "stray_dogs"),
        ("name.vi", "Chó thả rông"),
        ("name.en", "Stray dogs"),
        ("group.vi", "Trật tự đô thị"),
        ("group.en", "Public order"),
        ("keywords.vi", "chó, chó cắn"),
        ("keywords.en", "dog"),
        ("sla_hours", sla),
        ("icon", "other"),
        ("nearby_radius_m", "250"),
        ("attributes", questions),
    ]
}

#[tokio::test]
async fn an_administrator_adds_edits_and_retires_a_category_in_the_console() {
    let (app, Signed { cookie, csrf }, token) = admin_in_console().await;
    let page = get(&app, "/console/admin/categories", &cookie).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("data-code=\"drainage_flooding\"") && page.contains("Thoát nước, ngập úng")
    );

    let res =
        post_form(&app, "/console/admin/categories", &cookie, &stray_dogs(&csrf, "48", QUESTIONS))
            .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{:?}", res.text().await);
    assert_eq!(res.headers()[LOCATION], "/console/admin/categories/stray_dogs?done=1");
    let listed = admin_categories(&app, &token).await;
    let created = listed.iter().find(|c| c["code"] == "stray_dogs").expect("created");
    assert_eq!(created["sla_hours"], 48);
    assert_eq!(created["attributes"][0]["code"], "how_many");
    assert_eq!(created["name"]["en"], "Stray dogs");

    // Its edit form shows what is stored; a new SLA saved is the API's.
    let form =
        get(&app, "/console/admin/categories/stray_dogs", &cookie).await.text().await.unwrap();
    assert!(form.contains("value=\"Chó thả rông\"") && form.contains("how_many"), "{form}");
    let res = post_form(
        &app,
        "/console/admin/categories/stray_dogs",
        &cookie,
        &stray_dogs(&csrf, "60", QUESTIONS)[..],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{:?}", res.text().await);
    let listed = admin_categories(&app, &token).await;
    assert_eq!(listed.iter().find(|c| c["code"] == "stray_dogs").unwrap()["sla_hours"], 60);

    assert_eq!(
        retire(&app, &cookie, &csrf, "/console/admin/categories/stray_dogs/retire").await,
        StatusCode::SEE_OTHER
    );
    let listed = admin_categories(&app, &token).await;
    assert_eq!(listed.iter().find(|c| c["code"] == "stray_dogs").unwrap()["active"], false);
    let public: Value = app.get("/v1/categories").await.json().await.unwrap();
    assert!(!public["items"].as_array().unwrap().iter().any(|c| c["code"] == "stray_dogs"));
}

#[tokio::test]
async fn a_refused_category_form_keeps_what_was_typed_and_names_the_question_at_fault() {
    let (app, Signed { cookie, csrf }, token) = admin_in_console().await;
    let bad_question = r#"[{"code": "how_many", "datatype": "number", "required": false,
        "description": {"vi": "Số con", "en": "How many"}},
        {"code": "colour", "datatype": "colour", "required": false,
        "description": {"vi": "Màu lông", "en": "Colour"}}]"#;
    let refused = post_form(
        &app,
        "/console/admin/categories",
        &cookie,
        &stray_dogs(&csrf, "48", bad_question),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    assert!(page.contains("Câu hỏi 2 (`colour`)"), "{page}");
    assert!(page.contains("value=\"Chó thả rông\""), "what was typed is kept: {page}");
    assert!(page.contains("<details id=\"new-category\" open"), "{page}");

    let syntax =
        post_form(&app, "/console/admin/categories", &cookie, &stray_dogs(&csrf, "48", "[{")).await;
    assert_eq!(syntax.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(syntax.text().await.unwrap().contains("JSON của các câu hỏi sai cú pháp ở dòng 1"));

    let no_sla =
        post_form(&app, "/console/admin/categories", &cookie, &stray_dogs(&csrf, "0", QUESTIONS))
            .await;
    assert_eq!(no_sla.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_sla.text().await.unwrap().contains("sla_hours"));

    // A code already used is the API's 409, said on the page.
    let mut taken = stray_dogs(&csrf, "48", QUESTIONS);
    taken[1] = ("code", "drainage_flooding");
    let res = post_form(&app, "/console/admin/categories", &cookie, &taken).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("Đã có loại phản ánh `drainage_flooding`"));

    let listed = admin_categories(&app, &token).await;
    assert!(!listed.iter().any(|c| c["code"] == "stray_dogs"), "nothing half-written");
    let flooding = listed.iter().find(|c| c["code"] == "drainage_flooding").unwrap();
    assert_eq!(flooding["name"]["vi"], "Thoát nước, ngập úng", "the taken code kept its category");
}

/// A square of 0.1° with its south-west corner at (16.0, `lon`), named `name`, coded `code`.
fn square(name: &str, code: &str, lon: f64) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{"name":"{name}","code":"{code}"}},"geometry":{{"type":"Polygon",
        "coordinates":[[[{lon},16.0],[{e},16.0],[{e},16.1],[{lon},16.1],[{lon},16.0]]]}}}}"#,
        e = lon + 0.1
    )
}

const OPEN_RING: &str = r#"{"type":"Feature","properties":{"name":"Phường Hở"},"geometry":{"type":"Polygon",
    "coordinates":[[[108.4,16.0],[108.5,16.0],[108.5,16.1],[108.4,16.1]]]}}"#;

fn collection(features: &[String]) -> String {
    format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","))
}

/// The new areas: one holding Hải Châu's test point, one beside it.
fn new_areas() -> String {
    collection(&[square("Phường Mới", "NEW-01", 108.15), square("Phường Bên", "NEW-02", 108.25)])
}

/// The upload form as the page sends it: its token first, then the file.
async fn upload(app: &TestApp, cookie: &str, csrf: Option<&str>, file: String) -> Response {
    let mut form = Form::new();
    if let Some(csrf) = csrf {
        form = form.text("csrf", csrf.to_string());
    }
    let form = form.text("name_property", "name").part(
        "file",
        Part::bytes(file.into_bytes())
            .file_name("areas.geojson")
            .mime_str("application/geo+json")
            .unwrap(),
    );
    with_cookie(app.client.post(app.url("/console/admin/areas")), cookie)
        .header("sec-fetch-site", "same-origin")
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// The status line answered to an upload that declares `length` bytes and sends none of them.
async fn status_of_declared_upload(app: &TestApp, cookie: &str, length: usize) -> String {
    use std::io::{Read, Write};
    let address = app.address.trim_start_matches("http://").to_string();
    let head = format!(
        "POST /console/admin/areas HTTP/1.1\r\nHost: {address}\r\nCookie: sc_session={cookie}\r\n\
         Sec-Fetch-Site: same-origin\r\nContent-Type: multipart/form-data; boundary=b\r\n\
         Content-Length: {length}\r\n\r\n"
    );
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        let mut answer = vec![0; 64];
        let read = stream.read(&mut answer).unwrap();
        String::from_utf8_lossy(&answer[..read]).lines().next().unwrap_or_default().to_string()
    })
    .await
    .unwrap()
}

async fn area_names(app: &TestApp) -> Vec<String> {
    let body: Value = app.get("/v1/areas").await.json().await.unwrap();
    body["items"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().into()).collect()
}

/// Files a complaint at Hải Châu's test point; returns its area.
async fn area_filed_in(app: &TestApp, resident: &str) -> Value {
    let res = file(app, resident, form("street_light", HAI_CHAU.0, HAI_CHAU.1), None).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["area"].clone()
}

#[tokio::test]
async fn uploaded_areas_are_mapped_listed_and_route_the_next_complaint() {
    let (app, Signed { cookie, csrf }, _) = admin_in_console().await;
    let resident = app.citizen_token().await;
    assert_eq!(area_filed_in(&app, &resident).await, "DEMO-02");

    let page = get(&app, "/console/admin/areas", &cookie).await.text().await.unwrap();
    assert!(page.contains("data-code=\"DEMO-02\"") && page.contains("Phường Hải Châu"), "{page}");
    assert!(
        page.contains("data-areas=\"{&quot;type&quot;:&quot;FeatureCollection&quot;"),
        "{page}"
    );

    let res = upload(&app, &cookie, Some(&csrf), new_areas()).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{:?}", res.text().await);
    assert_eq!(res.headers()[LOCATION], "/console/admin/areas?replaced=2");
    let page = get(&app, "/console/admin/areas?replaced=2", &cookie).await.text().await.unwrap();
    assert!(page.contains("data-code=\"NEW-01\"") && !page.contains("DEMO-02"), "{page}");
    assert_eq!(area_names(&app).await, vec!["Phường Bên", "Phường Mới"]);

    // The next complaint is routed by the new areas, here and on another instance.
    assert_eq!(area_filed_in(&app, &resident).await, "NEW-01");
    let sibling = app.spawn_sibling().await;
    let res = app
        .client
        .post(format!("{sibling}/v1/complaints"))
        .bearer_auth(&resident)
        .multipart(form("street_light", HAI_CHAU.0, HAI_CHAU.1))
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["area"], "NEW-01");
}

#[tokio::test]
async fn a_refused_areas_file_names_the_feature_at_fault_and_replaces_nothing() {
    let (app, Signed { cookie, csrf }, _) = admin_in_console().await;
    let before = area_names(&app).await;
    assert_eq!(before.len(), 5);

    let bad = collection(&[square("Phường Ba", "B-03", 108.0), OPEN_RING.to_string()]);
    let res = upload(&app, &cookie, Some(&csrf), bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains(
            "Đối tượng 1 (Phường Hở): vòng 0 của đa giác 0 không kết thúc tại điểm bắt đầu"
        ),
        "{page}"
    );
    assert!(page.contains("data-code=\"DEMO-02\""), "the page still lists the areas: {page}");

    let not_json = upload(&app, &cookie, Some(&csrf), "Phường Một, Phường Hai".into()).await;
    assert_eq!(not_json.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Without the form's token the file is not taken.
    let forged = upload(&app, &cookie, None, new_areas()).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    // Over the limit: refused on its declared length, before a byte of it is read.
    assert!(status_of_declared_upload(&app, &cookie, 9 << 20).await.starts_with("HTTP/1.1 413"));

    assert_eq!(area_names(&app).await, before, "nothing was replaced");
}

#[tokio::test]
async fn put_admin_areas_replaces_them_or_names_the_feature_at_fault() {
    let (app, resident) = seeded().await;
    let admin = app.admin_token().await;
    let put = |token: String, query: &'static str, body: String| {
        app.client
            .put(app.url(&format!("/v1/admin/areas{query}")))
            .bearer_auth(token)
            .header("content-type", "application/geo+json")
            .body(body)
            .send()
    };
    let bad = collection(&[square("Phường Ba", "B-03", 108.0), OPEN_RING.to_string()]);
    let problem = assert_problem(
        put(admin.clone(), "", bad).await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    )
    .await;
    assert_eq!(problem["field"], "features[1]");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("1 (Phường Hở)"), "{problem}");
    assert_eq!(area_names(&app).await.len(), 5, "nothing replaced");

    let refused = put(resident.clone(), "", new_areas()).await.unwrap();
    assert_problem(refused, StatusCode::FORBIDDEN, "forbidden").await;

    // Named by another property, as `?name_property=` says.
    let renamed = new_areas().replace("\"name\"", "\"ten\"");
    let res = put(admin.clone(), "?name_property=ten", renamed).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    let codes: Vec<&str> =
        body["items"].as_array().unwrap().iter().map(|a| a["code"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["NEW-02", "NEW-01"], "by name: Phường Bên, Phường Mới");
    assert_eq!(area_filed_in(&app, &resident).await, "NEW-01");
}

#[tokio::test]
async fn an_administrator_finds_edits_and_retires_a_procedure_in_the_console() {
    let (app, Signed { cookie, csrf }, _) = admin_in_console().await;
    let stored: Value = app.get("/v1/procedures/XA-HT-01").await.json().await.unwrap();
    let name = stored["name"].as_str().unwrap().to_string();
    let search = || {
        let request = app.client.get(app.url("/console/admin/procedures")).query(&[("q", &name)]);
        with_cookie(request, &cookie).send()
    };
    let list = search().await.unwrap().text().await.unwrap();
    assert!(list.contains("data-code=\"XA-HT-01\""), "{list}");

    let form = get(&app, "/console/admin/procedures/XA-HT-01", &cookie).await.text().await.unwrap();
    assert!(form.contains(&format!("value=\"{}\"", stored["agency"].as_str().unwrap())), "{form}");
    let documents: Vec<&str> =
        stored["documents"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
    let documents = documents.join("\n");
    let steps = "Nộp hồ sơ\nNhận kết quả";
    // The online submission is edited as its JSON, shown as stored.
    assert!(form.contains("giay-chung-sinh"), "the submission's components are shown: {form}");
    let submission = serde_json::to_string_pretty(&stored["submission"]).unwrap();
    let fields = |days: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("name", name.clone()),
            ("name_en", stored["name_en"].as_str().unwrap().to_string()),
            ("field", stored["field"].as_str().unwrap().to_string()),
            ("level", stored["level"].as_str().unwrap().to_string()),
            ("agency", stored["agency"].as_str().unwrap().to_string()),
            ("service_level", stored["service_level"].to_string()),
            ("processing_days", days.to_string()),
            ("fee_vnd", "15000".to_string()),
            ("documents", documents.clone()),
            ("result", stored["result"].as_str().unwrap().to_string()),
            ("steps", steps.to_string()),
            ("online_url", String::new()),
            ("submission", submission.clone()),
        ]
    };
    let send = |fields: Vec<(&'static str, String)>| {
        with_cookie(app.client.post(app.url("/console/admin/procedures/XA-HT-01")), &cookie)
            .header("sec-fetch-site", "same-origin")
            .form(&fields)
            .send()
    };
    let res = send(fields("5")).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{:?}", res.text().await);
    let saved: Value = app.get("/v1/procedures/XA-HT-01").await.json().await.unwrap();
    assert_eq!(
        (saved["fee_vnd"].as_i64(), saved["processing_days"].as_i64()),
        (Some(15000), Some(5))
    );
    assert_eq!(saved["steps"], serde_json::json!(["Nộp hồ sơ", "Nhận kết quả"]));
    assert_eq!(saved["submission"], stored["submission"], "kept through the form");

    let mut garbled = fields("5");
    garbled.retain(|(name, _)| *name != "submission");
    garbled.push(("submission", "{\"components\": [".to_string()));
    let refused = send(garbled).await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    assert!(page.contains("`submission` không phải JSON hợp lệ"), "{page}");

    let refused = send(fields("999")).await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    assert!(page.contains("processing_days") && page.contains("between 0 and 365"), "{page}");
    assert!(page.contains("value=\"999\""), "what was typed is kept: {page}");
    let unchanged: Value = app.get("/v1/procedures/XA-HT-01").await.json().await.unwrap();
    assert_eq!(unchanged["processing_days"], 5);

    assert_eq!(
        retire(&app, &cookie, &csrf, "/console/admin/procedures/XA-HT-01/retire").await,
        StatusCode::SEE_OTHER
    );
    let retired: Value = app.get("/v1/procedures/XA-HT-01").await.json().await.unwrap();
    assert_eq!(retired["retired"], true);
    let list = search().await.unwrap().text().await.unwrap();
    assert!(!list.contains("data-code=\"XA-HT-01\""), "retired: out of the search");
}

#[tokio::test]
async fn staff_are_not_shown_the_city_administration() {
    let app = seeded_app(|_| {}).await;
    let Signed { cookie, csrf } = signed_in(&app, STAFF).await;
    let inbox = get(&app, "/console/", &cookie).await.text().await.unwrap();
    assert!(!inbox.contains("/console/admin/areas"), "no link for staff");
    for path in [
        "/console/admin/categories",
        "/console/admin/categories/drainage_flooding",
        "/console/admin/areas",
        "/console/admin/procedures",
        "/console/admin/procedures/XA-HT-01",
    ] {
        assert_eq!(get(&app, path, &cookie).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let res = upload(&app, &cookie, Some(&csrf), new_areas()).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        retire(&app, &cookie, &csrf, "/console/admin/procedures/XA-HT-01/retire").await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(area_names(&app).await.len(), 5);
    let procedure: Value = app.get("/v1/procedures/XA-HT-01").await.json().await.unwrap();
    assert_eq!(procedure["retired"], false);

    // An administrator has the links.
    app.admin_token().await;
    let Signed { cookie, .. } = signed_in(&app, ADMIN).await;
    let index = get(&app, "/console/admin", &cookie).await.text().await.unwrap();
    for link in ["/console/admin/categories", "/console/admin/areas", "/console/admin/procedures"] {
        assert!(index.contains(&format!("href=\"{link}\"")), "{link}");
    }
}

//! Open311 GeoReport v2: every JSON answer is held against the community's JSON Schemas
//! (`tests/open311/`), the XML answers carry the same fields, client apps file with their
//! `api_key`, and errors are the spec's list with 400, 403 or 404.

use crate::helpers::*;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

const SERVICE_SCHEMA: &str = include_str!("../open311/georeport-v2/service.json");
const DEFINITION_SCHEMA: &str = include_str!("../open311/georeport-v2/service-definition.json");
const REQUEST_SCHEMA: &str = include_str!("../open311/georeport-v2/request.json");

/// Every item of a top-level list against the item schema (the list schemas only `$ref` it),
/// formats (`date-time`, `uri`) included.
fn assert_items_match(schema: &str, answer: &Value) {
    let schema: Value = serde_json::from_str(schema).unwrap();
    let validator =
        jsonschema::options().should_validate_formats(true).build(&schema).expect("schema");
    let items = answer.as_array().expect("a top-level list");
    for item in items {
        let errors: Vec<String> = validator.iter_errors(item).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{item}\ndoes not match the schema: {errors:?}");
    }
}

#[test]
fn the_schemas_refuse_what_the_spec_forbids() {
    let schema: Value = serde_json::from_str(REQUEST_SCHEMA).unwrap();
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).unwrap();
    let good = json!({
        "service_request_id": "1", "status": "open", "service_code": "trees",
        "requested_datetime": "2026-11-23T01:00:00Z",
    });
    assert!(validator.is_valid(&good));
    for (field, bad) in [
        ("status", json!("pending")),
        ("requested_datetime", json!("2026-11-23 01:00")),
        ("service_request_id", json!(1)),
        ("media_url", json!("not a uri")),
    ] {
        let mut item = good.clone();
        item[field] = bad;
        assert!(!validator.is_valid(&item), "{field} should be refused");
    }
}

async fn json_answer(res: Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(res.headers()["content-type"], "application/json; charset=utf-8");
    res.json().await.unwrap()
}

async fn xml_answer(res: Response, status: StatusCode) -> String {
    assert_eq!(res.status(), status);
    assert_eq!(res.headers()["content-type"], "text/xml; charset=utf-8");
    res.text().await.unwrap()
}

/// The text of each `<tag>` under the root's items, in document order.
fn xml_texts(xml: &str, tag: &str) -> Vec<String> {
    let document = roxmltree::Document::parse(xml).expect("well-formed XML");
    document
        .descendants()
        .filter(|n| n.has_tag_name(tag))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect()
}

/// A client app's key, and the token of the administrator who issued it.
async fn client_key(app: &TestApp) -> (String, String) {
    let admin = app.admin_token().await;
    let res = app
        .post_auth("/v1/admin/open311-clients", &admin, &json!({ "name": "Góp ý Đà Nẵng" }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    (body["api_key"].as_str().unwrap().to_string(), admin)
}

async fn post_request(app: &TestApp, format: &str, form: &[(&str, &str)]) -> Response {
    app.client
        .post(app.url(&format!("/open311/v2/requests.{format}")))
        .form(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_client_app_s_retry_under_its_idempotency_key_files_once() {
    let app = spawn_app().await;
    app.with_db(|conn| smartcity_api::app::seed::seed(conn).expect("seed")).await;
    let (key, admin) = client_key(&app).await;
    let filing = |api_key: &str, description: &str| -> Vec<(String, String)> {
        [
            ("api_key", api_key),
            ("service_code", "trees"),
            ("lat", LAT),
            ("long", LONG),
            ("description", description),
        ]
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
    };
    let send = |form: Vec<(String, String)>| {
        app.client
            .post(app.url("/open311/v2/requests.json"))
            .header("Idempotency-Key", "retry-7")
            .form(&form)
            .send()
    };
    let fallen = "Cây đổ chắn ngang đường.";
    let first = json_answer(send(filing(&key, fallen)).await.unwrap(), StatusCode::CREATED).await;
    let again = json_answer(send(filing(&key, fallen)).await.unwrap(), StatusCode::CREATED).await;
    assert_eq!(first, again, "the retry is answered as the first sending was");
    assert_eq!(complaint_count(&app).await, 1);

    let res = send(filing(&key, "Một cây khác bị đổ.")).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let errors: Value = res.json().await.unwrap();
    let description = errors[0]["description"].as_str().unwrap();
    assert!(description.contains("Idempotency-Key"), "{errors}");
    assert_eq!(complaint_count(&app).await, 1, "nothing filed under a reused key");

    // Keys are each client's own: another app may use the same one.
    let res = app
        .post_auth("/v1/admin/open311-clients", &admin, &json!({ "name": "Ứng dụng khác" }))
        .await;
    let other_key = res.json::<Value>().await.unwrap()["api_key"].as_str().unwrap().to_string();
    let theirs =
        json_answer(send(filing(&other_key, fallen)).await.unwrap(), StatusCode::CREATED).await;
    assert_ne!(theirs[0]["service_request_id"], first[0]["service_request_id"]);
    assert_eq!(complaint_count(&app).await, 2);
}

async fn complaint_count(app: &TestApp) -> i64 {
    app.with_db(|conn| {
        use diesel::prelude::*;
        smartcity_db::schema::complaints::table.count().get_result::<i64>(conn).unwrap()
    })
    .await
}

const LAT: &str = "16.045";
const LONG: &str = "108.205";

#[tokio::test]
async fn discovery_services_and_definitions_follow_the_spec_in_both_formats() {
    let app = spawn_app().await;
    app.with_db(|conn| smartcity_api::app::seed::seed(conn).expect("seed")).await;

    let discovery = json_answer(app.get("/open311/v2/discovery.json").await, StatusCode::OK).await;
    let endpoint = &discovery["endpoints"][0];
    assert_eq!(endpoint["specification"], "http://wiki.open311.org/GeoReport_v2");
    assert_eq!(endpoint["url"], app.url("/open311/v2"));
    let xml = xml_answer(app.get("/open311/v2/discovery.xml").await, StatusCode::OK).await;
    assert_eq!(xml_texts(&xml, "format"), ["text/xml", "application/json"]);

    let services = json_answer(app.get("/open311/v2/services.json").await, StatusCode::OK).await;
    assert_items_match(SERVICE_SCHEMA, &services);
    let codes: Vec<&str> =
        services.as_array().unwrap().iter().map(|s| s["service_code"].as_str().unwrap()).collect();
    assert_eq!(codes.len(), 11);
    let drainage = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service_code"] == "drainage_flooding")
        .unwrap();
    assert_eq!(drainage["service_name"], "Thoát nước, ngập úng");
    assert_eq!(drainage["metadata"], true);
    assert!(drainage["keywords"].as_str().unwrap().contains("ngập"));
    assert!(drainage["group"].is_string());
    let other = services.as_array().unwrap().iter().find(|s| s["service_code"] == "other").unwrap();
    assert_eq!(other["metadata"], false, "no questions, no definition to fetch");

    let english: Value = app
        .client
        .get(app.url("/open311/v2/services.json"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(english.as_array().unwrap().iter().any(|s| s["service_name"] == "Road damage"));

    let xml = xml_answer(app.get("/open311/v2/services.xml").await, StatusCode::OK).await;
    assert_eq!(xml_texts(&xml, "service_code"), codes, "XML lists the same services in order");

    let definition =
        json_answer(app.get("/open311/v2/services/drainage_flooding.json").await, StatusCode::OK)
            .await;
    assert_items_match(DEFINITION_SCHEMA, &json!([definition.clone()]));
    let depth = &definition["attributes"][0];
    assert_eq!(depth["code"], "depth");
    assert_eq!(depth["datatype"], "singlevaluelist");
    assert_eq!(depth["required"], true);
    assert_eq!(depth["order"], 1);
    assert_eq!(depth["values"][0]["key"], "ankle");
    assert_eq!(definition["attributes"][1]["datatype"], "datetime");
    let xml =
        xml_answer(app.get("/open311/v2/services/drainage_flooding.xml").await, StatusCode::OK)
            .await;
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><service_definition>"));
    assert_eq!(xml_texts(&xml, "code"), ["depth", "since"]);
    assert_eq!(xml_texts(&xml, "key"), ["ankle", "knee", "above_knee"]);
}

#[tokio::test]
async fn a_client_app_files_with_its_key_and_reads_the_request_back_in_both_formats() {
    let app = spawn_app().await;
    app.with_db(|conn| smartcity_api::app::seed::seed(conn).expect("seed")).await;
    let (key, _) = client_key(&app).await;

    let res = post_request(
        &app,
        "json",
        &[
            ("api_key", &key),
            ("jurisdiction_id", "danang"),
            ("service_code", "drainage_flooding"),
            ("lat", LAT),
            ("long", LONG),
            ("address_string", "Kiệt 12 Trần Phú, phường Hải Châu"),
            ("description", "Mưa 30 phút là ngập cả đoạn đường trước chợ."),
            ("attribute[depth]", "knee"),
            ("media_url", "https://photos.example.vn/a/123.jpg"),
            ("email", "not-kept@example.vn"),
            ("first_name", "Không lưu"),
        ],
    )
    .await;
    let created = json_answer(res, StatusCode::CREATED).await;
    let id = created[0]["service_request_id"].as_str().unwrap().to_string();
    let token = created[0]["token"].as_str().unwrap().to_string();
    assert!(created[0]["service_notice"].as_str().unwrap().contains("giờ"));

    let found =
        json_answer(app.get(&format!("/open311/v2/requests/{id}.json")).await, StatusCode::OK)
            .await;
    assert_items_match(REQUEST_SCHEMA, &found);
    let request = &found[0];
    assert_eq!(request["service_request_id"], id.as_str());
    assert_eq!(request["status"], "open");
    assert_eq!(request["service_code"], "drainage_flooding");
    assert_eq!(request["agency_responsible"], "UBND phường Hải Châu", "routed by its area");
    assert_eq!(request["lat"], 16.045);
    assert_eq!(request["long"], 108.205);
    assert_eq!(request["address"], "Kiệt 12 Trần Phú, phường Hải Châu");
    assert_eq!(request["media_url"], "https://photos.example.vn/a/123.jpg");
    assert!(
        request["expected_datetime"].as_str().unwrap()
            > request["requested_datetime"].as_str().unwrap()
    );
    let text = request.to_string();
    assert!(!text.contains("not-kept") && !text.contains("Không lưu"), "no personal data kept");

    // The same complaint is an ordinary one to residents and staff.
    let ours: Value = app.get(&format!("/v1/complaints/{id}")).await.json().await.unwrap();
    assert_eq!(ours["category"], "drainage_flooding");
    assert_eq!(ours["answers"]["depth"], "knee");
    assert_eq!(ours["reporter_name"], Value::Null);

    let xml =
        xml_answer(app.get(&format!("/open311/v2/requests/{id}.xml")).await, StatusCode::OK).await;
    assert_eq!(xml_texts(&xml, "service_request_id"), std::slice::from_ref(&id));
    assert_eq!(xml_texts(&xml, "status"), ["open"]);
    assert_eq!(xml_texts(&xml, "long"), ["108.205"]);
    assert_eq!(xml_texts(&xml, "zipcode"), [""]);

    let by_token =
        json_answer(app.get(&format!("/open311/v2/tokens/{token}.json")).await, StatusCode::OK)
            .await;
    assert_eq!(by_token, json!([{ "service_request_id": id, "token": token }]));
    let xml =
        xml_answer(app.get(&format!("/open311/v2/tokens/{token}.xml")).await, StatusCode::OK).await;
    assert_eq!(xml_texts(&xml, "service_request_id"), std::slice::from_ref(&id));

    // Filing in XML answers in XML.
    let res = post_request(
        &app,
        "xml",
        &[
            ("api_key", &key),
            ("service_code", "other"),
            ("lat", LAT),
            ("long", LONG),
            ("description", "Biển báo bị che khuất."),
        ],
    )
    .await;
    let xml = xml_answer(res, StatusCode::CREATED).await;
    assert_eq!(xml_texts(&xml, "service_request_id").len(), 1);
}

#[tokio::test]
async fn an_address_naming_a_ward_places_the_request_in_it() {
    let app = spawn_app().await;
    app.with_db(|conn| smartcity_api::app::seed::seed(conn).expect("seed")).await;
    let (key, _) = client_key(&app).await;
    let res = post_request(
        &app,
        "json",
        &[
            ("api_key", &key),
            ("service_code", "garbage"),
            ("address_string", "Tổ 5, thôn Phước Thuận, Xã Hòa Vang, TP Đà Nẵng"),
            ("description", "Bãi rác tự phát bên đường."),
            ("attribute[waste_types][]", "household"),
            ("attribute[waste_types][]", "bulky"),
        ],
    )
    .await;
    let created = json_answer(res, StatusCode::CREATED).await;
    let id = created[0]["service_request_id"].as_str().unwrap();
    let found =
        json_answer(app.get(&format!("/open311/v2/requests/{id}.json")).await, StatusCode::OK)
            .await;
    assert_eq!(found[0]["agency_responsible"], "UBND xã Hòa Vang");
    let ours: Value = app.get(&format!("/v1/complaints/{id}")).await.json().await.unwrap();
    assert_eq!(ours["area"], "DEMO-05");
}

type FormChange = &'static [(&'static str, &'static str)];

/// Asserts the spec's error list, in JSON, and returns its description.
async fn json_error(res: Response, status: StatusCode) -> String {
    let body = json_answer(res, status).await;
    assert_eq!(body[0]["code"], status.as_u16(), "{body}");
    assert_eq!(body.as_array().unwrap().len(), 1);
    body[0]["description"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn refusals_are_the_spec_s_error_list_naming_the_field_and_write_nothing() {
    let app = spawn_app().await;
    app.with_db(|conn| smartcity_api::app::seed::seed(conn).expect("seed")).await;
    let (key, admin) = client_key(&app).await;
    let good = |extra: &[(&'static str, &'static str)]| {
        let mut form: Vec<(&str, String)> = vec![
            ("api_key", key.clone()),
            ("service_code", "road_damage".into()),
            ("lat", LAT.into()),
            ("long", LONG.into()),
            ("description", "Ổ gà lớn giữa đường.".into()),
        ];
        for (name, value) in extra {
            form.retain(|(n, _)| n != name);
            if !value.is_empty() {
                form.push((name, value.to_string()));
            }
        }
        form
    };
    let send = |form: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            app.client.post(app.url("/open311/v2/requests.json")).form(&form).send().await.unwrap()
        }
    };

    // (what changes from a good filing, the answer, the field it names)
    let cases: &[(FormChange, StatusCode, &str)] = &[
        (&[("api_key", "")], StatusCode::FORBIDDEN, "api_key"),
        (&[("api_key", "o311_wrong")], StatusCode::FORBIDDEN, "api_key"),
        (&[("service_code", "")], StatusCode::BAD_REQUEST, "service_code"),
        (&[("service_code", "no_such")], StatusCode::NOT_FOUND, "service_code"),
        (&[("description", "")], StatusCode::BAD_REQUEST, "description"),
        (&[("lat", "north")], StatusCode::BAD_REQUEST, "lat"),
        (&[("long", "")], StatusCode::BAD_REQUEST, "long"),
        (&[("long", "-200")], StatusCode::BAD_REQUEST, "long"),
        (&[("lat", ""), ("long", "")], StatusCode::BAD_REQUEST, "lat"),
        (
            &[("attribute[damage_type]", "volcano")],
            StatusCode::BAD_REQUEST,
            "attribute[damage_type]",
        ),
        (&[("attribute[colour]", "red")], StatusCode::BAD_REQUEST, "attribute[colour]"),
        (&[("media_url", "javascript:alert(1)")], StatusCode::BAD_REQUEST, "media_url"),
    ];
    for (change, status, field) in cases {
        let description = json_error(send(good(change)).await, *status).await;
        assert!(description.contains(field), "{change:?}: {description:?} should name {field}");
    }
    let res =
        send(good(&[("lat", ""), ("long", ""), ("address_string", "123 Nguyễn Văn Linh")])).await;
    assert!(json_error(res, StatusCode::BAD_REQUEST).await.contains("address_string"));
    let res = app
        .client
        .post(app.url("/open311/v2/requests.json"))
        .json(&json!({ "api_key": key }))
        .send()
        .await
        .unwrap();
    assert!(json_error(res, StatusCode::BAD_REQUEST).await.contains("Content-Type"));
    assert_eq!(complaint_count(&app).await, 0, "nothing written by a refused filing");

    // A revoked key stops at once.
    let clients: Value =
        app.get_auth("/v1/admin/open311-clients", &admin).await.json().await.unwrap();
    let client_id = clients["items"][0]["id"].as_str().unwrap();
    assert!(!clients.to_string().contains(&key), "the key is shown only once");
    let res = app.delete_auth(&format!("/v1/admin/open311-clients/{client_id}"), &admin).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    json_error(send(good(&[])).await, StatusCode::FORBIDDEN).await;

    // Reading: unknown ids, tokens and services are 404; bad filters 400; XML errors are XML.
    assert!(json_error(app.get("/open311/v2/requests/nope.json").await, StatusCode::NOT_FOUND)
        .await
        .contains("service_request_id"));
    json_error(app.get("/open311/v2/tokens/nope.json").await, StatusCode::NOT_FOUND).await;
    json_error(app.get("/open311/v2/services/nope.json").await, StatusCode::NOT_FOUND).await;
    assert!(json_error(
        app.get("/open311/v2/requests.json?status=pending").await,
        StatusCode::BAD_REQUEST
    )
    .await
    .contains("status"));
    assert!(json_error(
        app.get("/open311/v2/requests.json?start_date=2026-01-01").await,
        StatusCode::BAD_REQUEST
    )
    .await
    .contains("start_date"));
    json_error(app.get("/open311/v2/services.html").await, StatusCode::NOT_FOUND).await;
    let xml =
        xml_answer(app.get("/open311/v2/requests/nope.xml").await, StatusCode::NOT_FOUND).await;
    assert!(xml.contains("<errors><error><code>404</code><description>"), "{xml}");
    let res = app
        .client
        .post(app.url("/open311/v2/requests.xml"))
        .form(&[("api_key", "o311_wrong"), ("service_code", "trees")])
        .send()
        .await
        .unwrap();
    let xml = xml_answer(res, StatusCode::FORBIDDEN).await;
    assert_eq!(xml_texts(&xml, "code"), ["403"]);
    assert!(xml_texts(&xml, "description")[0].contains("api_key"));
    let xml = xml_answer(
        app.get("/open311/v2/requests.xml?end_date=2026-13-01T00:00:00Z").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(xml_texts(&xml, "code"), ["400"]);
    assert!(xml_texts(&xml, "description")[0].contains("end_date"));
    let non_admin = app.citizen_token().await;
    let res = app.post_auth("/v1/admin/open311-clients", &non_admin, &json!({ "name": "x" })).await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn get_requests_filters_by_id_service_status_and_dates_within_ninety_days() {
    let app = spawn_app().await;
    app.with_db(|conn| smartcity_api::app::seed::seed(conn).expect("seed")).await;
    let (key, _) = client_key(&app).await;
    let mut ids = Vec::new();
    for code in ["road_damage", "trees", "road_damage"] {
        let res = post_request(
            &app,
            "json",
            &[
                ("api_key", &key),
                ("service_code", code),
                ("lat", LAT),
                ("long", LONG),
                ("description", "Cần xử lý sớm."),
            ],
        )
        .await;
        let created = json_answer(res, StatusCode::CREATED).await;
        ids.push(created[0]["service_request_id"].as_str().unwrap().to_string());
    }
    // The second was resolved; the third was filed 120 days ago.
    let (resolved, old) = (ids[1].clone(), ids[2].clone());
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use smartcity_db::schema::complaints::dsl::*;
        diesel::update(complaints.find(&resolved))
            .set(status.eq(smartcity_db::words::Stored(
                smartcity_domain::complaint::ComplaintStatus::Resolved,
            )))
            .execute(conn)
            .unwrap();
        let long_ago = chrono::Utc::now().naive_utc() - chrono::Duration::days(120);
        diesel::update(complaints.find(&old)).set(created_at.eq(long_ago)).execute(conn).unwrap();
    })
    .await;
    let listed = |query: String| {
        let app = &app;
        async move {
            let answer = json_answer(
                app.get(&format!("/open311/v2/requests.json{query}")).await,
                StatusCode::OK,
            )
            .await;
            assert_items_match(REQUEST_SCHEMA, &answer);
            answer
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["service_request_id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        listed(String::new()).await,
        [ids[1].clone(), ids[0].clone()],
        "last 90 days, newest first"
    );
    assert_eq!(listed("?status=closed".into()).await, [ids[1].clone()]);
    assert_eq!(listed("?status=open".into()).await, [ids[0].clone()]);
    assert_eq!(listed("?service_code=trees,noise".into()).await, [ids[1].clone()]);
    let long_ago = (chrono::Utc::now() - chrono::Duration::days(150)).to_rfc3339();
    let query = format!("?start_date={}", long_ago.replace('+', "%2B"));
    assert_eq!(listed(query).await, [ids[2].clone()], "a 90-day window from start_date");
    let query = format!("?service_request_id={},{}", ids[2], ids[0]);
    let mut by_id = listed(query).await;
    by_id.sort();
    let mut expected = vec![ids[0].clone(), ids[2].clone()];
    expected.sort();
    assert_eq!(by_id, expected, "ids override the window");
    let xml =
        xml_answer(app.get("/open311/v2/requests.xml?status=closed").await, StatusCode::OK).await;
    assert_eq!(xml_texts(&xml, "service_request_id"), [ids[1].clone()]);
    assert_eq!(xml_texts(&xml, "status"), ["closed"]);
}

/// A request's `updated_datetime` is public: it moves when something public happens to the
/// request, not when staff add an internal note (that would tell everyone a note was added).
#[tokio::test]
async fn updated_datetime_moves_with_public_steps_only() {
    let (app, reporter) = seeded().await;
    let (id, staff) = acknowledged(&app, &reporter, "+84905000091").await;
    let updated = || {
        let app = &app;
        let id = id.clone();
        async move {
            let path = format!("/open311/v2/requests/{id}.json");
            let answer = json_answer(app.get(&path).await, StatusCode::OK).await;
            answer[0]["updated_datetime"].as_str().unwrap().to_string()
        }
    };
    let events = format!("/v1/complaints/{id}/events");
    let acknowledged_at = updated().await;

    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let note = json!({"type": "note", "text": "Đội 3 phụ trách"});
    assert_eq!(app.post_auth(&events, &staff, &note).await.status(), StatusCode::CREATED);
    assert_eq!(updated().await, acknowledged_at, "an internal note is not public");

    let start = json!({"type": "in_progress", "comment": "Đang cắt tỉa"});
    assert_eq!(app.post_auth(&events, &staff, &start).await.status(), StatusCode::CREATED);
    assert!(updated().await > acknowledged_at, "a public step moves it");
}

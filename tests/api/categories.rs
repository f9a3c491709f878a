//! Complaint categories kept by administrators (`/v1/admin/categories`), as an administrator
//! and a resident notice them: what they list, what can be filed, when a complaint is due.

use crate::helpers::*;
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn stray_dogs() -> Value {
    json!({
        "code": "stray_dogs",
        "name": {"vi": "Chó thả rông", "en": "Stray dogs"},
        "group": {"vi": "Trật tự đô thị", "en": "Public order"},
        "keywords": {"vi": "chó, chó cắn", "en": "dog, dog bite"},
        "sla_hours": 48,
        "icon": "other",
        "attributes": [{
            "code": "how_many",
            "datatype": "number",
            "required": false,
            "description": {"vi": "Số con", "en": "How many"}
        }]
    })
}

async fn put_json(app: &TestApp, path: &str, token: &str, body: &Value) -> reqwest::Response {
    app.client.put(app.url(path)).bearer_auth(token).json(body).send().await.unwrap()
}

async fn codes(res: reqwest::Response) -> Vec<String> {
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    let items = if body.is_array() { &body } else { &body["items"] };
    let key = if body.is_array() { "service_code" } else { "code" };
    items.as_array().unwrap().iter().map(|c| c[key].as_str().unwrap().to_string()).collect()
}

fn time(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().unwrap()).unwrap().with_timezone(&Utc)
}

/// Files a complaint of `category` in Hải Châu; returns its body.
async fn filed(app: &TestApp, token: &str, category: &str) -> Value {
    let res = file(app, token, form(category, HAI_CHAU.0, HAI_CHAU.1), None).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

/// How many hours from now the complaint is due, to the nearest hour.
fn due_in_hours(complaint: &Value) -> i64 {
    ((time(&complaint["due_at"]) - Utc::now()).num_minutes() as f64 / 60.0).round() as i64
}

#[tokio::test]
async fn a_category_an_administrator_adds_is_listed_and_fileable_at_once() {
    let (app, resident) = seeded().await;
    let admin = app.admin_token().await;
    let res = app.post_auth("/v1/admin/categories", &admin, &stray_dogs()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["active"], true);
    assert_eq!(created["nearby_radius_m"], 250, "the file's default");

    let listed = codes(app.get_auth("/v1/admin/categories", &admin).await).await;
    assert_eq!(listed.len(), 12);
    assert_eq!(listed.last().unwrap(), "stray_dogs", "a new category goes to the end");
    assert!(codes(app.get("/v1/categories").await).await.contains(&"stray_dogs".into()));
    assert!(codes(app.get("/open311/v2/services.json").await).await.contains(&"stray_dogs".into()));
    // Another instance on the same database sees it too: nothing is kept in one's memory.
    let sibling = app.spawn_sibling().await;
    let res = app.client.get(format!("{sibling}/v1/categories")).send().await.unwrap();
    assert!(codes(res).await.contains(&"stray_dogs".into()));

    let complaint = filed(&app, &resident, "stray_dogs").await;
    assert_eq!(complaint["category"], "stray_dogs");
    assert_eq!(due_in_hours(&complaint), 48);
    let with_answer = form("stray_dogs", HAI_CHAU.0, HAI_CHAU.1).text("attribute[how_many]", "3");
    assert_eq!(file(&app, &resident, with_answer, None).await.status(), StatusCode::CREATED);

    let again = app.post_auth("/v1/admin/categories", &admin, &stray_dogs()).await;
    let problem = assert_problem(again, StatusCode::CONFLICT, "category_exists").await;
    assert_eq!(problem["field"], "code");
}

#[tokio::test]
async fn a_replaced_sla_sets_the_due_time_of_complaints_filed_after_it() {
    let (app, resident) = seeded().await;
    let admin = app.admin_token().await;
    let before = filed(&app, &resident, "road_damage").await;
    assert_eq!(due_in_hours(&before), 72);

    let categories: Value = app.get("/v1/categories").await.json().await.unwrap();
    let mut road = categories["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "road_damage")
        .unwrap()
        .clone();
    road["sla_hours"] = json!(6);
    // The path gives the code: the body may leave it out.
    road.as_object_mut().unwrap().remove("code");
    let res = put_json(&app, "/v1/admin/categories/road_damage", &admin, &road).await;
    assert_eq!(res.status(), StatusCode::OK);
    let replaced: Value = res.json().await.unwrap();
    assert_eq!(
        (replaced["code"].as_str(), replaced["sla_hours"].as_u64()),
        (Some("road_damage"), Some(6))
    );

    let after = filed(&app, &resident, "road_damage").await;
    assert_eq!(due_in_hours(&after), 6);
    let id = before["id"].as_str().unwrap();
    let reread: Value = app.get(&format!("/v1/complaints/{id}")).await.json().await.unwrap();
    assert_eq!(reread["due_at"], before["due_at"], "a complaint filed before keeps its due time");

    road["code"] = json!("garbage");
    let res = put_json(&app, "/v1/admin/categories/road_damage", &admin, &road).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
    assert_eq!(problem["field"], "code");
    road["code"] = json!("potholes");
    let res = put_json(&app, "/v1/admin/categories/potholes", &admin, &road).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_retired_category_leaves_the_lists_and_filing_but_its_complaints_stay() {
    let (app, resident) = seeded().await;
    let admin = app.admin_token().await;
    let complaint = filed(&app, &resident, "trees").await;
    let id = complaint["id"].as_str().unwrap();

    let res = app.delete_auth("/v1/admin/categories/trees", &admin).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(!codes(app.get("/v1/categories").await).await.contains(&"trees".into()));
    assert!(!codes(app.get("/open311/v2/services.json").await).await.contains(&"trees".into()));
    let all: Value = app.get_auth("/v1/admin/categories", &admin).await.json().await.unwrap();
    let trees = all["items"].as_array().unwrap().iter().find(|c| c["code"] == "trees").unwrap();
    assert_eq!(trees["active"], false, "still listed for administrators");

    let res = file(&app, &resident, form("trees", HAI_CHAU.0, HAI_CHAU.1), None).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
    assert_eq!(problem["field"], "category");
    assert!(problem["detail"].as_str().unwrap().contains("ngừng sử dụng"), "{problem}");
    let res = file(&app, &resident, form("no_such", HAI_CHAU.0, HAI_CHAU.1), None).await;
    let unknown = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
    assert_ne!(unknown["detail"], problem["detail"], "retired and unknown are told apart");

    // The complaint filed before is still read and still moved along by its agency.
    let res = app.get(&format!("/v1/complaints/{id}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["category"], "trees");
    let staff = staff_token(&app, "+84906200001", "ubnd-phuong-hai-chau").await;
    let step = json!({"type": "acknowledged", "comment": "Đã nhận, sẽ cắt tỉa trong tuần"});
    let res = app.post_auth(&format!("/v1/complaints/{id}/events"), &staff, &step).await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let again = app.delete_auth("/v1/admin/categories/trees", &admin).await;
    assert_eq!(again.status(), StatusCode::NO_CONTENT, "retiring twice is no error");
    let res = app.delete_auth("/v1/admin/categories/potholes", &admin).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn only_administrators_keep_the_categories() {
    let (app, resident) = seeded().await;
    for res in [
        app.get_auth("/v1/admin/categories", &resident).await,
        app.post_auth("/v1/admin/categories", &resident, &stray_dogs()).await,
        put_json(&app, "/v1/admin/categories/garbage", &resident, &stray_dogs()).await,
        app.delete_auth("/v1/admin/categories/garbage", &resident).await,
    ] {
        assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let res = app.get("/v1/admin/categories").await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "authentication_required").await;
    let res = app.post_json("/v1/admin/categories", &stray_dogs()).await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "authentication_required").await;
    assert!(codes(app.get("/v1/categories").await).await.contains(&"garbage".into()));
}

#[tokio::test]
async fn a_bad_category_is_refused_naming_the_field() {
    let (app, _) = seeded().await;
    let admin = app.admin_token().await;
    let with = |change: fn(&mut Value)| {
        let mut body = stray_dogs();
        change(&mut body);
        body
    };
    let cases: [(Value, &str); 9] = [
        (with(|b| b["sla_hours"] = json!(0)), "sla_hours"),
        (with(|b| b["sla_hours"] = json!(8761)), "sla_hours"),
        (with(|b| b["name"]["vi"] = json!("   ")), "name.vi"),
        (with(|b| b["code"] = json!("Chó thả rông")), "code"),
        (with(|b| b["colour"] = json!("red")), "colour"),
        (with(|b| _ = b.as_object_mut().unwrap().remove("group")), "group"),
        (
            with(|b| b["attributes"][0]["datatype"] = json!("singlevaluelist")),
            "attributes[0].values",
        ),
        (
            with(|b| {
                let question = b["attributes"][0].clone();
                b["attributes"].as_array_mut().unwrap().push(question);
            }),
            "attributes[1].code",
        ),
        (with(|b| b["attributes"][0]["datatype"] = json!("colour")), "attributes[0].datatype"),
    ];
    for (body, field) in cases {
        let res = app.post_auth("/v1/admin/categories", &admin, &body).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        assert_eq!(problem["field"], field, "{problem}");
    }
    let res =
        put_json(&app, "/v1/admin/categories/garbage", &admin, &json!({"sla_hours": 0})).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
    assert_eq!(problem["field"], "name");
    assert!(!codes(app.get("/v1/categories").await).await.contains(&"stray_dogs".into()));
}

#[tokio::test]
async fn seeding_again_keeps_what_administrators_changed() {
    let (app, _) = seeded().await;
    let admin = app.admin_token().await;
    let mut garbage = stray_dogs();
    garbage["code"] = json!("garbage");
    garbage["sla_hours"] = json!(12);
    let res = put_json(&app, "/v1/admin/categories/garbage", &admin, &garbage).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.delete_auth("/v1/admin/categories/noise", &admin).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    app.with_db(|conn| smartcity_api::app::seed::seed(conn).expect("seed")).await;

    let all: Value = app.get_auth("/v1/admin/categories", &admin).await.json().await.unwrap();
    let find = |code: &str| {
        all["items"].as_array().unwrap().iter().find(|c| c["code"] == code).unwrap().clone()
    };
    assert_eq!(
        (find("garbage")["sla_hours"].as_u64(), find("garbage")["name"]["en"].as_str()),
        (Some(12), Some("Stray dogs"))
    );
    assert_eq!(find("noise")["active"], false, "a retired category stays retired");
}

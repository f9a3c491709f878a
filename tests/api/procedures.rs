use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn seeded_app() -> TestApp {
    let app = spawn_app().await;
    app.with_db(|conn| smartcity_api::app::seed::seed(conn).expect("seed")).await;
    app
}

#[tokio::test]
async fn the_seeded_catalogue_is_listed_by_name_in_pages() {
    let app = seeded_app().await;
    let first: Value = app.get("/v1/procedures?per_page=20").await.json().await.unwrap();
    assert_eq!(first["total"], 53);
    assert_eq!(first["items"].as_array().unwrap().len(), 20);
    let last: Value = app.get("/v1/procedures?page=3&per_page=20").await.json().await.unwrap();
    assert_eq!(last["items"].as_array().unwrap().len(), 13);

    let mut all = Vec::new();
    for page in 1..=3 {
        let body: Value =
            app.get(&format!("/v1/procedures?page={page}&per_page=20")).await.json().await.unwrap();
        all.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["code"].as_str().unwrap().to_string()),
        );
    }
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 53, "pages neither overlap nor skip");
}

#[tokio::test]
async fn one_procedure_has_everything_a_citizen_needs() {
    let app = seeded_app().await;
    let res = app.get("/v1/procedures/XA-HT-01").await;
    assert_eq!(res.status(), StatusCode::OK);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["name"], "Đăng ký khai sinh");
    assert_eq!(p["name_en"], "Birth registration");
    assert_eq!(p["level"], "commune");
    assert_eq!(p["service_level"], 4);
    assert_eq!(p["fee_vnd"], 0);
    assert_eq!(p["documents"][1], "Giấy chứng sinh");
    assert_eq!(p["result"], "Giấy khai sinh");
    // Submitted online: the dossier's components, who may submit, and how the result returns.
    let submission = &p["submission"];
    let components: Vec<&str> = submission["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(components[..2], ["to-khai", "giay-chung-sinh"], "{submission}");
    assert_eq!(submission["components"][1]["originals"], 1);
    assert_eq!(submission["components"][0]["file_types"], json!(["pdf", "jpeg", "png"]));
    assert_eq!(submission["applicant_types"], json!(["citizen"]));
    assert_eq!(submission["return_methods"], json!(["counter", "post", "online"]));
    // A level 2 procedure is not submitted online.
    let copies: Value = app.get("/v1/procedures/XA-CT-01").await.json().await.unwrap();
    assert_eq!(copies["service_level"], 2);
    assert!(copies["submission"].is_null(), "{copies}");
    assert_problem(app.get("/v1/procedures/XX-00").await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_procedure_s_online_submission_is_stored_as_given_and_refused_where_its_level_forbids() {
    let app = seeded_app().await;
    let admin = app.admin_token().await;
    let mut spec = new_procedure("TI-CT-10", "Cấp giấy phép sản xuất rượu thủ công");
    spec["submission"] = json!({
        "components": [
            {"code": "don", "name": "Đơn đề nghị", "name_en": "Application", "originals": 1,
             "copies": 0, "file_types": ["pdf"], "max_files": 1},
            {"code": "ban-cam-ket", "name": "Bản cam kết", "name_en": "Undertaking",
             "originals": 1, "copies": 0, "required": false}
        ],
        "applicant_types": ["citizen", "enterprise"],
        "return_methods": ["counter", "online"]
    });
    let res = app.post_auth("/v1/admin/procedures", &admin, &spec).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let stored: Value = app.get("/v1/procedures/TI-CT-10").await.json().await.unwrap();
    assert_eq!(stored["submission"]["components"][0]["file_types"], json!(["pdf"]));
    assert_eq!(stored["submission"]["components"][1]["required"], false);
    assert_eq!(stored["submission"]["components"][1]["max_files"], 5, "the default");
    assert_eq!(stored["submission"]["old_id_accepted"], false);

    for (change, field) in [
        (json!({"service_level": 2}), "submission"),
        (json!({"service_level": 3}), "submission.return_methods[1]"),
    ] {
        let mut refused = spec.clone();
        refused["code"] = json!("TI-CT-11");
        for (key, value) in change.as_object().unwrap() {
            refused[key] = value.clone();
        }
        let res = app.post_auth("/v1/admin/procedures", &admin, &refused).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        assert_eq!(problem["field"], field, "{change}");
    }
    let mut twice = spec.clone();
    twice["code"] = json!("TI-CT-11");
    twice["submission"]["components"][1]["code"] = json!("don");
    let res = app.post_auth("/v1/admin/procedures", &admin, &twice).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
    assert_eq!(problem["field"], "submission.components[1].code");
    assert_eq!(app.get("/v1/procedures/TI-CT-11").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn seeding_twice_changes_nothing_and_shows_no_password_again() {
    let app = spawn_app().await;
    let first = app.with_db(|conn| smartcity_api::app::seed::seed(conn).unwrap()).await;
    assert_eq!(first.accounts.len(), 5, "an admin and four staff");
    assert_eq!(first.procedures.inserted, 53);
    let admin = first.accounts.iter().find(|a| a.role == "admin").unwrap();
    let token = app.tokens(&admin.phone, &admin.password).await;
    assert!(token["access_token"].is_string());

    let second = app.with_db(|conn| smartcity_api::app::seed::seed(conn).unwrap()).await;
    assert!(second.accounts.is_empty());
    assert_eq!(second.procedures.inserted, 0);
    let users = app.with_db(|conn| smartcity_db::accounts::count_users(conn).unwrap()).await;
    assert_eq!(users, 5);
    // The password shown the first time still works.
    assert_eq!(app.login(&admin.phone, &admin.password).await.status(), StatusCode::OK);
}

async fn search(app: &TestApp, query: &str) -> Vec<Value> {
    let res =
        app.client.get(app.url("/v1/procedures")).query(&[("q", query)]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    res.json::<Value>().await.unwrap()["items"].as_array().unwrap().clone()
}

async fn first_code(app: &TestApp, query: &str) -> String {
    search(app, query)
        .await
        .first()
        .map(|p| p["code"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn search_finds_procedures_the_way_citizens_type() {
    let app = seeded_app().await;
    for query in [
        "Đăng ký khai sinh",
        "dang ky khai sinh",
        "DANG KY KHAI SINH",
        "khai sinh dang ky",
        "dnag ky khai sinh",
        "dang ky khai s",
        "làm giấy khai sinh cho con",
    ] {
        assert_eq!(first_code(&app, query).await, "XA-HT-01", "{query}");
    }
    assert_eq!(first_code(&app, "đổi bằng lái").await, "TI-GT-01");
    assert_eq!(first_code(&app, "xin giấy độc thân").await, "XA-HT-04");
    assert_eq!(first_code(&app, "mo ho ca the").await, "XA2-KD-01");
    let land = search(&app, "làm sổ đỏ").await;
    assert_eq!(land[0]["code"], "XA2-DD-01", "{land:?}");
    assert!(search(&app, "qwertyuiop").await.is_empty());
}

/// What phones type that the plain words miss: initials, words run together, English, and
/// family life in its own words. Each must put the procedure within the first three.
#[tokio::test]
async fn search_finds_abbreviations_words_run_together_english_and_family_phrasings() {
    let app = seeded_app().await;
    for (query, code) in [
        ("gplx", "TI-GT-01"),
        ("xin LLTP", "TI-TP-01"),
        ("GPXD nhà ở", "XA2-XD-01"),
        ("dangkykhaisinh", "XA-HT-01"),
        ("giayphepxaydung", "XA2-XD-01"),
        ("birth certificate", "XA-HT-01"),
        ("how to register a marriage", "XA-HT-03"),
        ("criminal record", "TI-TP-01"),
        ("work permit", "TI-LD-01"),
        ("đổi tên cho con", "XA2-HT-01"),
        ("bố nhận con", "XA-HT-05"),
    ] {
        let found = search(&app, query).await;
        let top: Vec<&str> = found.iter().take(3).map(|p| p["code"].as_str().unwrap()).collect();
        assert!(top.contains(&code), "{query}: {top:?}");
    }
}

#[tokio::test]
async fn search_filters_and_refuses_bad_parameters_naming_them() {
    let app = seeded_app().await;
    let province: Value =
        app.get("/v1/procedures?level=province&per_page=100").await.json().await.unwrap();
    let items = province["items"].as_array().unwrap();
    assert!(!items.is_empty() && items.iter().all(|p| p["level"] == "province"));
    assert_eq!(province["total"].as_u64().unwrap() as usize, items.len());

    let res = app
        .client
        .get(app.url("/v1/procedures"))
        .query(&[("q", "giấy phép"), ("service_level", "3")])
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert!(body["items"].as_array().unwrap().iter().all(|p| p["service_level"] == 3), "{body}");

    for (query, field) in [("level=district", "level"), ("service_level=9", "service_level")] {
        let res = app.get(&format!("/v1/procedures?{query}")).await;
        assert_eq!(
            assert_problem(res, StatusCode::BAD_REQUEST, "invalid_query").await["field"],
            field
        );
    }
    let long = "a ".repeat(1000);
    let res = app
        .client
        .get(app.url("/v1/procedures"))
        .query(&[("q", long.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(assert_problem(res, StatusCode::BAD_REQUEST, "invalid_query").await["field"], "q");
}

#[tokio::test]
async fn fields_are_listed_with_counts() {
    let app = seeded_app().await;
    let fields: Value = app.get("/v1/procedure-fields").await.json().await.unwrap();
    let items = fields["items"].as_array().unwrap();
    let total: i64 = items.iter().map(|f| f["count"].as_i64().unwrap()).sum();
    assert_eq!(total, 53);
    assert!(items.iter().any(|f| f["field"] == "Hộ tịch" && f["count"].as_i64().unwrap() >= 4));
}

fn new_procedure(code: &str, name: &str) -> Value {
    json!({"code": code, "name": name, "name_en": "Provincial liquor retail licence", "field": "Công thương", "level": "province",
           "agency": "Sở Công Thương", "service_level": 4, "processing_days": 10, "fee_vnd": 1200000,
           "documents": ["Đơn đề nghị"], "result": "Giấy phép",
           "online_url": "https://dichvucong.gov.vn/p/rượu"})
}

#[tokio::test]
async fn admins_create_change_and_retire_procedures_and_search_follows() {
    let app = seeded_app().await;
    let admin = app.admin_token().await;
    let post = |body: Value, token: String| {
        app.client.post(app.url("/v1/admin/procedures")).bearer_auth(token).json(&body).send()
    };
    let spec = new_procedure("TI-CT-09", "Cấp giấy phép bán lẻ rượu");
    let citizen = app.citizen_token().await;
    assert_problem(post(spec.clone(), citizen).await.unwrap(), StatusCode::FORBIDDEN, "forbidden")
        .await;

    let res = post(spec.clone(), admin.clone()).await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["location"], "/v1/procedures/TI-CT-09");
    assert_eq!(first_code(&app, "ban le ruou").await, "TI-CT-09");
    assert_problem(
        post(spec.clone(), admin.clone()).await.unwrap(),
        StatusCode::CONFLICT,
        "procedure_exists",
    )
    .await;
    assert_eq!(first_code(&app, "provincial liquor").await, "TI-CT-09");
    let mut bad = spec.clone();
    bad["service_level"] = json!(7);
    let res = post(bad, admin.clone()).await.unwrap();
    assert_eq!(
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await["field"],
        "service_level"
    );
    let mut unnamed = spec.clone();
    unnamed.as_object_mut().unwrap().remove("name_en");
    let res = post(unnamed, admin.clone()).await.unwrap();
    assert_eq!(
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await["field"],
        "name_en"
    );

    let put = |code: &str, body: Value| {
        app.client
            .put(app.url(&format!("/v1/admin/procedures/{code}")))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    let renamed = new_procedure("TI-CT-09", "Cấp giấy phép bán buôn thuốc lá");
    assert_eq!(put("TI-CT-09", renamed.clone()).await.unwrap().status(), StatusCode::OK);
    assert_eq!(first_code(&app, "ban buon thuoc la").await, "TI-CT-09");
    assert!(search(&app, "ban le ruou").await.iter().all(|p| p["code"] != "TI-CT-09"));
    let res = put("TI-CT-10", renamed.clone()).await.unwrap();
    assert_eq!(
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await["field"],
        "code"
    );
    assert_problem(
        put("TI-CT-11", new_procedure("TI-CT-11", "Không có")).await.unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    let res = app.delete_auth("/v1/admin/procedures/TI-CT-09", &admin).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(search(&app, "ban buon thuoc la").await.iter().all(|p| p["code"] != "TI-CT-09"));
    let all: Value = app.get("/v1/procedures?per_page=100").await.json().await.unwrap();
    assert_eq!(all["total"], 53);
    let retired: Value = app.get("/v1/procedures/TI-CT-09").await.json().await.unwrap();
    assert_eq!(retired["retired"], true, "old dossiers still show its name");
    assert_eq!(retired["name"], "Cấp giấy phép bán buôn thuốc lá");
}

#[tokio::test]
async fn every_instance_on_the_database_follows_catalogue_changes() {
    let app = seeded_app().await;
    let sibling = app.spawn_sibling().await;
    let sibling_search = |q: &'static str| {
        app.client.get(format!("{sibling}/v1/procedures")).query(&[("q", q)]).send()
    };
    // Warm the sibling's index first, so what follows is a rebuild, not a first build.
    let warm: Value = sibling_search("khai sinh").await.unwrap().json().await.unwrap();
    assert!(!warm["items"].as_array().unwrap().is_empty());

    let admin = app.admin_token().await;
    let res = app
        .post_auth(
            "/v1/admin/procedures",
            &admin,
            &new_procedure("TI-CT-09", "Cấp giấy phép bán lẻ rượu"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let found: Value = sibling_search("ban le ruou").await.unwrap().json().await.unwrap();
    assert_eq!(found["items"][0]["code"], "TI-CT-09", "{found}");
}

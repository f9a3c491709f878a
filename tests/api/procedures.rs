use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

async fn seeded_app() -> TestApp {
    let app = spawn_app().await;
    app.with_db(|conn| smartcity_api::seed::seed(conn).expect("seed")).await;
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
    assert_eq!(p["level"], "commune");
    assert_eq!(p["service_level"], 4);
    assert_eq!(p["fee_vnd"], 0);
    assert_eq!(p["documents"][1], "Giấy chứng sinh");
    assert_eq!(p["result"], "Giấy khai sinh");
    assert_problem(app.get("/v1/procedures/XX-00").await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn seeding_twice_changes_nothing_and_shows_no_password_again() {
    let app = spawn_app().await;
    let first = app.with_db(|conn| smartcity_api::seed::seed(conn).unwrap()).await;
    assert_eq!(first.accounts.len(), 5, "an admin and four staff");
    assert_eq!(first.procedures.inserted, 53);
    let admin = first.accounts.iter().find(|a| a.role == "admin").unwrap();
    let token = app.tokens(&admin.phone, &admin.password).await;
    assert!(token["access_token"].is_string());

    let second = app.with_db(|conn| smartcity_api::seed::seed(conn).unwrap()).await;
    assert!(second.accounts.is_empty());
    assert_eq!(second.procedures.inserted, 0);
    let users = app.with_db(|conn| smartcity_db::accounts::count_users(conn).unwrap()).await;
    assert_eq!(users, 5);
    // The password shown the first time still works.
    assert_eq!(app.login(&admin.phone, &admin.password).await.status(), StatusCode::OK);
}

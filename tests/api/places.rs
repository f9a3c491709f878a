//! Categories and areas, as the app's filing and map screens read them.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

async fn seeded_app() -> TestApp {
    let app = spawn_app().await;
    app.with_db(|conn| smartcity_api::app::seed::seed(conn).expect("seed")).await;
    app
}

#[tokio::test]
async fn categories_are_served_with_names_sla_and_questions() {
    let app = seeded_app().await;
    let res = app.get("/v1/categories").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 11);
    let flooding = items.iter().find(|c| c["code"] == "drainage_flooding").unwrap();
    assert_eq!(flooding["name"]["vi"], "Thoát nước, ngập úng");
    assert!(flooding["sla_hours"].as_u64().unwrap() > 0);
    let depth =
        flooding["attributes"].as_array().unwrap().iter().find(|a| a["code"] == "depth").unwrap();
    assert_eq!(depth["required"], true);
    assert_eq!(depth["datatype"], "singlevaluelist");
    assert!(!depth["values"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn areas_are_listed_with_a_bounding_box_and_a_point_inside() {
    let app = seeded_app().await;
    let body: Value = app.get("/v1/areas").await.json().await.unwrap();
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    for area in items {
        let (bbox, inside) = (&area["bbox"], &area["inside"]);
        let lat = inside["lat"].as_f64().unwrap();
        let lon = inside["lon"].as_f64().unwrap();
        assert!(
            bbox["min_lat"].as_f64().unwrap() <= lat && lat <= bbox["max_lat"].as_f64().unwrap(),
            "{area}"
        );
        assert!(
            bbox["min_lon"].as_f64().unwrap() <= lon && lon <= bbox["max_lon"].as_f64().unwrap(),
            "{area}"
        );
    }
    assert!(items.iter().any(|a| a["name"] == "Xã Hòa Vang" && a["code"] == "DEMO-05"));
}

//! The demo city a first start (or `smartcity seed`) adds on top of the demo data: what a
//! newcomer sees on the map, in an agency's list and dossiers, on a complaint's timeline and
//! in the public figures; and that it is added once.

use crate::helpers::{spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::Value;
use smartcity_api::app::seed::{self, CityReport};
use std::collections::BTreeSet;

/// A server over the demo data and the demo city, and the password of the Hải Châu ward's
/// staff member.
async fn demo_city() -> (TestApp, CityReport, String) {
    let app = spawn_app().await;
    let report = app.with_db(|conn| seed::seed(conn).expect("seed")).await;
    let password = report
        .accounts
        .iter()
        .find(|account| account.agency == Some("UBND phường Hải Châu"))
        .map(|account| account.password.clone())
        .expect("the ward's staff member was made");
    let city = seed::demo_city(&app.pool, &app.state.photos, &app.state.config.calendar)
        .await
        .expect("the demo city is made");
    (app, city, password)
}

async fn json(app: &TestApp, path: &str, token: Option<&str>) -> Value {
    let res = match token {
        Some(token) => app.get_auth(path, token).await,
        None => app.get(path).await,
    };
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.json().await.expect("JSON")
}

fn sum(figures: &Value, field: &str) -> u64 {
    figures["items"].as_array().unwrap().iter().map(|i| i[field].as_u64().unwrap_or(0)).sum()
}

#[tokio::test]
async fn the_map_an_agency_s_lists_and_the_figures_show_the_demo_city() {
    let (app, city, password) = demo_city().await;
    assert_eq!(city.complaints, 300);
    assert!(city.dossiers >= 30, "{city:?}");

    // The city centre on the public map: a full page, and more after it.
    let map = json(
        &app,
        "/v1/complaints?min_lat=16.0&max_lat=16.09&min_lon=108.1&max_lon=108.28&limit=100",
        None,
    )
    .await;
    assert_eq!(map["items"].as_array().unwrap().len(), 100);
    assert!(map["next_cursor"].is_string());

    let staff = app.access_token("+84901000002", &password).await;
    let list = json(&app, "/v1/agency/complaints?per_page=100", Some(&staff)).await;
    assert!(list["total"].as_u64().unwrap() > 40, "{}", list["total"]);
    let statuses: BTreeSet<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["status"]["code"].as_str().unwrap())
        .collect();
    assert!(statuses.len() >= 5, "{statuses:?}");
    let overdue = json(&app, "/v1/agency/complaints?overdue=true", Some(&staff)).await;
    assert!(overdue["total"].as_u64().unwrap() >= 1);
    assert!(overdue["items"].as_array().unwrap().iter().all(|item| item["overdue"] == true));
    let dossiers = json(&app, "/v1/agency/dossiers?per_page=100", Some(&staff)).await;
    assert!(dossiers["total"].as_u64().unwrap() >= 5, "{}", dossiers["total"]);

    let complaints = json(&app, "/v1/stats/complaints", None).await;
    assert!(sum(&complaints, "received") >= 250);
    assert!(sum(&complaints, "resolved") >= 150);
    assert!(sum(&complaints, "resolved_within_sla") > 0);
    assert!(sum(&complaints, "ratings") > 30);
    let dossiers = json(&app, "/v1/stats/dossiers", None).await;
    assert!(sum(&dossiers, "received") >= 30);
    assert!(sum(&dossiers, "finished_on_time") > 0);
    assert!(sum(&dossiers, "finished") > sum(&dossiers, "finished_on_time"), "some are late");
}

#[tokio::test]
async fn a_resolved_complaint_shows_its_steps_and_the_photo_of_the_fix() {
    let (app, _, _) = demo_city().await;
    let closed = json(
        &app,
        "/v1/complaints?min_lat=16.0&max_lat=16.09&min_lon=108.1&max_lon=108.28&status=closed&limit=100",
        None,
    )
    .await;
    let mut found = None;
    for item in closed["items"].as_array().unwrap() {
        let detail =
            json(&app, &format!("/v1/complaints/{}", item["id"].as_str().unwrap()), None).await;
        let fix = detail["timeline"].as_array().unwrap().iter().find(|entry| {
            entry["type"] == "resolved" && entry["photos"].as_array().is_some_and(|p| !p.is_empty())
        });
        if let Some(fix) = fix {
            found = Some((detail.clone(), fix.clone()));
            break;
        }
    }
    let (detail, fix) = found.expect("a closed complaint with a photo of the fix");
    let steps: Vec<&str> = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(steps.first(), Some(&"filed"), "{steps:?}");
    assert!(steps.contains(&"acknowledged"), "{steps:?}");
    assert!(matches!(steps.last(), Some(&"rated" | &"closed")), "{steps:?}");
    assert!(!steps.contains(&"note"), "internal notes stay internal: {steps:?}");
    assert!(fix["text"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(detail["resolved_at"].is_string());
    let times: Vec<&str> =
        detail["timeline"].as_array().unwrap().iter().map(|e| e["at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");

    for url in ["display_url", "thumbnail_url"] {
        let res = app.get(fix["photos"][0][url].as_str().unwrap()).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "image/jpeg");
        let bytes = res.bytes().await.unwrap();
        assert_eq!(&bytes[..3], &[0xFF, 0xD8, 0xFF], "a JPEG");
    }
}

#[tokio::test]
async fn making_the_demo_city_again_adds_nothing() {
    let (app, _, _) = demo_city().await;
    let count = || app.with_db(|conn| smartcity_db::complaints::count(conn).unwrap());
    let before = count().await;
    let again = seed::demo_city(&app.pool, &app.state.photos, &app.state.config.calendar)
        .await
        .expect("a second run answers");
    assert_eq!(again, CityReport::default());
    assert_eq!(count().await, before);
}

//! Air quality: networks push readings item by item, stations answer their VN_AQI as computed
//! by hand, and bad air warns the areas around a station once per episode.

use crate::helpers::*;
use chrono::{DurationRound, NaiveDate, TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// An administrator's network with one automatic station in Hải Châu; its key.
async fn network_with_station(app: &TestApp, admin: &str, code: &str) -> String {
    let res =
        app.post_auth("/v1/admin/air/networks", admin, &json!({ "name": "  Sở TN&MT " })).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["cache-control"], "no-store", "the key is shown once");
    let network: Value = res.json().await.unwrap();
    assert_eq!(network["name"], "Sở TN&MT", "as stored");
    let station = json!({
        "network_id": network["id"],
        "name": "Trạm Hải Châu",
        "operator": "Trung tâm Quan trắc môi trường",
        "kind": "automatic",
        "lat": HAI_CHAU.0,
        "lon": HAI_CHAU.1,
    });
    let res = app
        .client
        .put(app.url(&format!("/v1/admin/air/stations/{code}")))
        .bearer_auth(admin)
        .json(&station)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    network["key"].as_str().unwrap().to_string()
}

fn reading(station: &str, parameter: &str, at: chrono::DateTime<Utc>, result: f64) -> Value {
    json!({
        "station": station,
        "parameter": parameter,
        "phenomenonTime": at.to_rfc3339(),
        "result": result,
        "unit": "µg/m³",
    })
}

async fn push(app: &TestApp, key: &str, observations: Vec<Value>) -> Value {
    let res = app
        .client
        .post(app.url("/v1/air/observations"))
        .header("x-api-key", key)
        .header("accept-language", "en")
        .json(&json!({ "observations": observations }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn this_hour() -> chrono::DateTime<Utc> {
    Utc::now().duration_trunc(TimeDelta::hours(1)).unwrap()
}

#[tokio::test]
async fn a_network_s_batch_is_judged_item_by_item_and_a_repeat_changes_nothing() {
    let (app, _citizen) = seeded().await;
    let admin = app.admin_token().await;
    let key = network_with_station(&app, &admin, "DN-HC").await;
    let other_key = network_with_station(&app, &admin, "DN-OTHER").await;
    let hour = this_hour() - TimeDelta::hours(1);
    let mut co_in_mg = reading("DN-HC", "co", hour, 2.5);
    co_in_mg["unit"] = json!("mg/m3");
    let mut wrong_unit = reading("DN-HC", "no2", hour, 40.0);
    wrong_unit["unit"] = json!("ppm");
    let mut not_a_number = reading("DN-HC", "so2", hour, 1.0);
    not_a_number["result"] = json!("forty");
    let batch = vec![
        reading("DN-HC", "pm25", hour, 35.0),
        reading("DN-HC", "pm25", hour, 35.0),
        reading("DN-HC", "pm25", hour + TimeDelta::minutes(10), 5000.0),
        reading("DN-HC", "pm10", Utc::now() + TimeDelta::hours(2), 20.0),
        reading("DN-OTHER", "pm10", hour, 20.0),
        reading("DN-NOWHERE", "pm10", hour, 20.0),
        co_in_mg,
        wrong_unit,
        not_a_number,
        reading("DN-HC", "radon", hour, 1.0),
    ];
    let taken = push(&app, &key, batch.clone()).await;
    let statuses: Vec<(&str, Option<&str>)> = taken["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| (item["status"].as_str().unwrap(), item["field"].as_str()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("stored", None),
            ("duplicate", None),
            ("refused", Some("observations[2].result")),
            ("refused", Some("observations[3].phenomenonTime")),
            ("refused", Some("observations[4].station")),
            ("refused", Some("observations[5].station")),
            ("stored", None),
            ("refused", Some("observations[7].unit")),
            ("refused", Some("observations[8].result")),
            ("refused", Some("observations[9].parameter")),
        ],
        "{taken}"
    );
    assert_eq!(
        (taken["stored"].clone(), taken["duplicates"].clone(), taken["refused"].clone()),
        (json!(2), json!(1), json!(7))
    );
    assert!(taken["items"][2]["detail"].as_str().unwrap().contains("between"), "{taken}");

    let again = push(&app, &key, batch).await;
    assert_eq!(again["stored"], 0);
    assert_eq!(again["duplicates"], 3);
    let stored = app
        .with_db(|conn| {
            use diesel::prelude::*;
            use smartcity_db::schema::air_observations::dsl::*;
            air_observations
                .select((parameter, value))
                .order(parameter)
                .load::<(smartcity_domain::air::Parameter, f64)>(conn)
                .unwrap()
        })
        .await;
    let stored: Vec<(&str, f64)> = stored.iter().map(|(p, v)| (p.as_str(), *v)).collect();
    assert_eq!(stored, [("co", 2500.0), ("pm25", 35.0)], "CO kept in µg/m³");

    // The other network's station is not this key's to feed, and the other key works for it.
    let theirs = push(&app, &other_key, vec![reading("DN-OTHER", "pm10", hour, 20.0)]).await;
    assert_eq!(theirs["stored"], 1);
    let res = app
        .client
        .post(app.url("/v1/air/observations"))
        .header("x-api-key", "nope")
        .json(&json!({ "observations": [] }))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_api_key").await;
    let res = app.post_json("/v1/air/observations", &json!({ "observations": [] })).await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "authentication_required").await;
}

#[tokio::test]
async fn a_station_answers_its_nowcast_aqi_and_bad_air_warns_the_areas_around_once() {
    let (app, citizen) = seeded().await;
    let admin = app.admin_token().await;
    let key = network_with_station(&app, &admin, "DN-HC").await;
    let res = app
        .post_auth("/v1/me/areas", &citizen, &json!({ "label": "home", "area": "DEMO-02" }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let far = app
        .post_auth("/v1/me/areas", &citizen, &json!({ "label": "family", "area": "DEMO-05" }))
        .await;
    assert_eq!(far.status(), StatusCode::CREATED);

    let h = this_hour();
    let three_hours =
        (0..3).map(|back| reading("DN-HC", "pm25", h - TimeDelta::hours(back), 100.0)).collect();
    push(&app, &key, three_hours).await;

    let list = app.get(&format!("/v1/air/stations?lat={}&lon={}", HAI_CHAU.0, HAI_CHAU.1)).await;
    assert_eq!(list.status(), StatusCode::OK);
    let tag = list.headers()["etag"].to_str().unwrap().to_string();
    let list: Value = list.json().await.unwrap();
    let latest = &list["items"][0]["latest"];
    // NowCast of a constant 100 is 100; PM2.5 80–150 maps to 150–200: 150 + 20 × 50/70.
    assert_eq!(latest["aqi"], 164, "{list}");
    assert_eq!(latest["level"]["code"], "bad");
    assert_eq!(latest["level"]["colour"], "red");
    assert_eq!(latest["level"]["name_vi"], "Xấu");
    assert_eq!(latest["dominant"], "pm25");
    assert_eq!(latest["age_minutes"], 0);
    assert_eq!(list["items"][0]["distance_m"], 0.0);

    let warned: Value = app.get("/v1/warnings?area=DEMO-02").await.json().await.unwrap();
    assert_eq!(warned["items"].as_array().unwrap().len(), 1, "{warned}");
    let warning = &warned["items"][0];
    assert_eq!(warning["kind"], "air_quality");
    assert_eq!(
        warning["source"],
        json!({ "kind": "air_station", "agency_id": null, "station_code": "DN-HC" })
    );
    assert_eq!(warning["title_vi"], "Không khí Xấu tại Trạm Hải Châu (AQI 164)");
    let far_away: Value = app.get("/v1/warnings?area=DEMO-05").await.json().await.unwrap();
    assert_eq!(far_away["items"], json!([]), "Hòa Vang is beyond the radius");

    // Still bad with more readings: the episode's one warning stands, nobody is told twice.
    push(&app, &key, vec![reading("DN-HC", "pm10", h, 300.0)]).await;
    let inbox: Value = app.get_auth("/v1/me/notifications", &citizen).await.json().await.unwrap();
    let warnings: Vec<&Value> =
        inbox["items"].as_array().unwrap().iter().filter(|n| n["kind"] == "warning").collect();
    assert_eq!(warnings.len(), 1, "{inbox}");

    // The hour's mean falls to a third: c1 = 33.3, c2 = c3 = 100, w = ½:
    // (33.3 + 50 + 25) / 1.75 = 61.9 µg/m³, PM2.5 50–80 → 100–150: 100 + 11.9 × 50/30 = 119.8.
    let cleaner = vec![
        reading("DN-HC", "pm25", h + TimeDelta::seconds(1), 0.0),
        reading("DN-HC", "pm25", h + TimeDelta::seconds(2), 0.0),
    ];
    push(&app, &key, cleaner).await;
    // PM10's 300 µg/m³ alone (its NowCast needs two of three hours: it has one) rates nothing.
    let detail: Value = app.get("/v1/air/stations/DN-HC").await.json().await.unwrap();
    assert_eq!(detail["hourly"][0]["aqi"], 120, "{detail}");
    assert_eq!(detail["hourly"][0]["level"]["code"], "poor");
    // The first hour had none before it: a NowCast needs two of its three latest hours.
    assert_eq!(detail["hourly"].as_array().unwrap().len(), 2);
    let ended: Value = app.get("/v1/warnings?area=DEMO-02").await.json().await.unwrap();
    assert_eq!(ended["items"], json!([]), "the episode ended with the bad air");

    let res = app
        .client
        .get(app.url("/v1/air/stations"))
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "new readings, new tag");
    let tag = res.headers()["etag"].to_str().unwrap().to_string();
    let res = app
        .client
        .get(app.url("/v1/air/stations"))
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert_problem(app.get("/v1/air/stations/NOPE").await, StatusCode::NOT_FOUND, "not_found")
        .await;
    // The tag is the air data's: holding it does not make an unknown station exist.
    let res = app
        .client
        .get(app.url("/v1/air/stations/NOPE"))
        .header("if-none-match", "*")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_day_is_rated_from_its_daily_mean_once_it_has_eighteen_hours() {
    let (app, _citizen) = seeded().await;
    let admin = app.admin_token().await;
    let key = network_with_station(&app, &admin, "DN-HC").await;
    // Two whole Vietnam days back: the day before yesterday and yesterday (UTC+7).
    let today = (Utc::now() + TimeDelta::hours(7)).date_naive();
    let start_of =
        |day: NaiveDate| day.and_hms_opt(0, 0, 0).unwrap().and_utc() - TimeDelta::hours(7);
    let yesterday = today - TimeDelta::days(1);
    let before = today - TimeDelta::days(2);
    let mut batch: Vec<Value> = (0..24)
        .map(|h| reading("DN-HC", "pm25", start_of(yesterday) + TimeDelta::hours(h), 40.0))
        .collect();
    batch.extend(
        (0..17).map(|h| reading("DN-HC", "pm25", start_of(before) + TimeDelta::hours(h), 40.0)),
    );
    assert_eq!(push(&app, &key, batch).await["stored"], 41);
    let detail: Value = app.get("/v1/air/stations/DN-HC").await.json().await.unwrap();
    let days: Vec<(String, i64)> = detail["daily"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["at"].as_str().unwrap().to_string(), d["aqi"].as_i64().unwrap()))
        .collect();
    // 40 µg/m³ a day: 50 + 15 × 50/25 = 80. The day before has 17 hours: no figure.
    assert_eq!(days, [(yesterday.to_string(), 80)], "{detail}");
}

//! Land layers: the parcel and planning zone at a point, at parcel borders too, with the
//! layer's date and the notice that the answer is for reference only.

use crate::helpers::*;
use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::Value;
use smartcity_api::app::land::{import_layer, ImportError, LayerFile};
use smartcity_domain::geo::Region;
use smartcity_domain::land::LayerKind;

/// A parcel: a square of 0.001° (about 110 m) whose south-west corner is (`lon`, `lat`).
fn parcel(sheet: u32, number: u32, land_use: &str, lon: f64, lat: f64) -> String {
    let (e, n) = (lon + 0.001, lat + 0.001);
    format!(
        r#"{{"type": "Feature", "id": "{sheet}-{number}", "properties": {{"so_to": {sheet},
            "so_thua": {number}, "dien_tich": 1210.5, "ma_loai_dat": "{land_use}",
            "dia_chi": "Đường Bạch Đằng"}},
            "geometry": {{"type": "Polygon", "coordinates":
            [[[{lon}, {lat}], [{e}, {lat}], [{e}, {n}], [{lon}, {n}], [{lon}, {lat}]]]}}}}"#
    )
}

fn zone(code: &str, function: &str, west: f64, south: f64, east: f64, north: f64) -> String {
    format!(
        r#"{{"type": "Feature", "properties": {{"ma_khu": "{code}", "chuc_nang": "{function}",
            "do_an": "Quy hoạch phân khu Hải Châu", "quyet_dinh": "1234/QĐ-UBND"}},
            "geometry": {{"type": "Polygon", "coordinates": [[[{west}, {south}], [{east}, {south}],
            [{east}, {north}], [{west}, {north}], [{west}, {south}]]]}}}}"#
    )
}

fn collection(features: &[String]) -> String {
    format!(r#"{{"type": "FeatureCollection", "features": [{}]}}"#, features.join(","))
}

/// Two parcels side by side sharing the border lon = 108.201, between lat 16.040 and 16.041:
/// 12/345 (ODT) to the west, 12/346 (CLN) to the east. 12/346 is written first, so that the
/// border's answer, 12/345 (the smaller number), is not merely the first in the file.
fn two_parcels() -> String {
    collection(&[parcel(12, 346, "CLN", 108.201, 16.040), parcel(12, 345, "ODT", 108.200, 16.040)])
}

fn one_zone() -> String {
    collection(&[zone("A1", "Đất ở mới", 108.195, 16.035, 108.210, 16.050)])
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// Imports `text` as the layer `kind` dated `on`, through the operator's use case.
async fn import(
    app: &TestApp,
    kind: LayerKind,
    text: String,
    on: &str,
) -> Result<usize, ImportError> {
    let layer_date = date(on);
    app.with_db(move |conn| {
        let open = || -> std::io::Result<&[u8]> { Ok(text.as_bytes()) };
        let file = LayerFile { kind, open: &open, layer_date, source_file: "test.geojson".into() };
        import_layer(conn, &file, &Region::VIETNAM, &mut |_, _| {})
    })
    .await
}

async fn land_at(app: &TestApp, lat: f64, lon: f64) -> Value {
    let res = app.get(&format!("/v1/land?lat={lat}&lon={lon}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn parcel_number(answer: &Value) -> Option<(u64, u64)> {
    let parcel = &answer["parcel"];
    (!parcel.is_null())
        .then(|| (parcel["sheet"].as_u64().unwrap(), parcel["number"].as_u64().unwrap()))
}

#[tokio::test]
async fn land_lookup_inside_a_parcel_at_parcel_borders_and_outside_every_parcel() {
    let app = spawn_app().await;
    assert_eq!(import(&app, LayerKind::Parcels, two_parcels(), "2026-11-30").await.unwrap(), 2);
    assert_eq!(import(&app, LayerKind::Planning, one_zone(), "2025-06-15").await.unwrap(), 1);

    // Inside 12/345.
    let inside = land_at(&app, 16.0405, 108.2005).await;
    let parcel = &inside["parcel"];
    assert_eq!(parcel_number(&inside), Some((12, 345)), "{inside}");
    assert_eq!(parcel["area_m2"], 1210.5);
    assert_eq!(parcel["land_use"]["code"], "ODT");
    assert_eq!(parcel["land_use"]["name_vi"], "Đất ở tại đô thị");
    assert_eq!(parcel["land_use"]["name_en"], "Urban residential land");
    assert_eq!(parcel["address"], "Đường Bạch Đằng");
    let zone = &inside["zone"];
    assert_eq!(zone["zone"], "A1");
    assert_eq!(zone["function"], "Đất ở mới");
    assert_eq!(zone["plan"], "Quy hoạch phân khu Hải Châu");
    assert_eq!(zone["decision"], "1234/QĐ-UBND");
    assert_eq!(inside["layers"]["parcels_date"], "2026-11-30");
    assert_eq!(inside["layers"]["zones_date"], "2025-06-15");
    assert!(inside["notice"]["vi"].as_str().unwrap().contains("tham khảo"), "{inside}");
    assert!(inside["notice"]["en"].as_str().unwrap().contains("not a legal document"));

    // Inside 12/346, its land use named.
    let east = land_at(&app, 16.0405, 108.2015).await;
    assert_eq!(parcel_number(&east), Some((12, 346)));
    assert_eq!(east["parcel"]["land_use"]["name_vi"], "Đất trồng cây lâu năm");

    // On the border both parcels share, and at a corner they share: the smaller
    // (sheet, number), 12/345, although 12/346 comes first in the file. Every time.
    for (lat, lon) in [(16.0405, 108.201), (16.040, 108.201), (16.041, 108.201)] {
        for _ in 0..3 {
            let border = land_at(&app, lat, lon).await;
            assert_eq!(parcel_number(&border), Some((12, 345)), "({lat}, {lon}): {border}");
        }
    }
    // On an outer border only one parcel has: that one.
    assert_eq!(parcel_number(&land_at(&app, 16.0405, 108.202).await), Some((12, 346)));
    assert_eq!(parcel_number(&land_at(&app, 16.0405, 108.200).await), Some((12, 345)));

    // Just outside every parcel, still in the zone: no parcel, the zone.
    let street = land_at(&app, 16.0405, 108.2025).await;
    assert!(street["parcel"].is_null(), "{street}");
    assert_eq!(street["zone"]["zone"], "A1");
    assert_eq!(street["layers"]["parcels_date"], "2026-11-30");
    // Outside everything, still in the region: nothing, with the dates and the notice.
    let far = land_at(&app, 16.06, 108.24).await;
    assert!(far["parcel"].is_null() && far["zone"].is_null(), "{far}");
    assert!(far["notice"]["vi"].is_string());
}

#[tokio::test]
async fn land_before_any_import_answers_nothing_and_a_new_layer_replaces_the_old() {
    let app = spawn_app().await;
    let empty = land_at(&app, 16.0405, 108.2005).await;
    assert!(empty["parcel"].is_null() && empty["zone"].is_null(), "{empty}");
    assert!(empty["layers"]["parcels_date"].is_null());
    assert!(empty["notice"]["en"].is_string());

    import(&app, LayerKind::Parcels, two_parcels(), "2026-11-30").await.unwrap();
    assert_eq!(parcel_number(&land_at(&app, 16.0405, 108.2005).await), Some((12, 345)));

    // A later layer renumbers the sheet: the served answer follows at once.
    let renumbered = collection(&[parcel(40, 7, "ONT", 108.200, 16.040)]);
    import(&app, LayerKind::Parcels, renumbered, "2026-12-05").await.unwrap();
    let after = land_at(&app, 16.0405, 108.2005).await;
    assert_eq!(parcel_number(&after), Some((40, 7)));
    assert_eq!(after["parcel"]["land_use"]["code"], "ONT");
    assert_eq!(after["layers"]["parcels_date"], "2026-12-05");
    assert!(land_at(&app, 16.0405, 108.2015).await["parcel"].is_null(), "12/346 is gone");
}

#[tokio::test]
async fn land_a_file_with_one_bad_feature_is_refused_whole_naming_it_and_nothing_changes() {
    let app = spawn_app().await;
    import(&app, LayerKind::Parcels, two_parcels(), "2026-11-30").await.unwrap();

    let mut features: Vec<String> =
        (0..700).map(|i| parcel(50, i + 1, "ODT", 108.100 + f64::from(i) * 0.001, 16.0)).collect();
    features[650] = parcel(50, 651, "XYZ", 108.3, 16.0);
    let err =
        import(&app, LayerKind::Parcels, collection(&features), "2026-12-05").await.unwrap_err();
    let said = err.to_string();
    assert!(said.contains("feature 650 (50-651)") && said.contains("XYZ"), "{said}");

    // The earlier layer still answers, with its date.
    let still = land_at(&app, 16.0405, 108.2005).await;
    assert_eq!(parcel_number(&still), Some((12, 345)));
    assert_eq!(still["layers"]["parcels_date"], "2026-11-30");
    assert!(land_at(&app, 16.0005, 108.1005).await["parcel"].is_null());
    let layers = app.with_db(|conn| smartcity_db::land::layers(conn).unwrap()).await;
    assert_eq!(layers.len(), 1);
    assert_eq!(layers[0].feature_count, 2);
}

#[tokio::test]
async fn land_a_bad_point_is_a_400_naming_the_field() {
    let app = spawn_app().await;
    for (query, field) in [
        ("lat=abc&lon=108.2", "lat"),
        ("lat=16.04", "lon"),
        ("lon=108.2", "lat"),
        ("lat=95&lon=108.2", "lat"),
        ("lat=16.04&lon=200", "lon"),
        // Paris: a real place, outside the region served.
        ("lat=48.85&lon=2.35", "lat"),
    ] {
        let res = app.get(&format!("/v1/land?{query}")).await;
        let body = assert_problem(res, StatusCode::BAD_REQUEST, "invalid_query").await;
        assert_eq!(body["field"], field, "{query}: {body}");
    }
}

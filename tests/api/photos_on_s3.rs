//! Photos kept in an S3-compatible store: the server configured for S3 as an operator would
//! (`SMARTCITY_S3_*`), against moto's server speaking S3's real protocol (`testkit/src/s3_server.rs`).

use crate::complaint_photos::fetch;
use crate::helpers::*;
use reqwest::multipart::Part;
use reqwest::StatusCode;
use serde_json::Value;
use smartcity_api::adapters::storage::{display_key, new_photo_key};
use smartcity_testkit::s3_server::S3Server;

const BUCKET: &str = "smartcity-photos";

/// The keys in the bucket, as S3 itself lists them (ListObjectsV2).
async fn keys_in_bucket(s3: &S3Server) -> Vec<String> {
    let listing = s3.get(&format!("{BUCKET}?list-type=2")).await;
    assert_eq!(listing.status(), StatusCode::OK);
    let listing = listing.text().await.unwrap();
    let mut keys: Vec<String> = listing
        .split("<Key>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</Key>").map(|(key, _)| key.to_string()))
        .collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn a_photo_filed_with_a_complaint_is_kept_in_s3_and_served_back() {
    let Some(s3) = S3Server::start() else { return };
    let store = s3_store(s3.bucket(BUCKET).await);
    let (app, token) = seeded_with(|config| config.photo_store = store).await;

    let photo = Part::bytes(jpeg(2400, 1800)).file_name("IMG_0001.jpg");
    let filing = form("street_light", HAI_CHAU.0, HAI_CHAU.1).part("photos", photo);
    let res = file(&app, &token, filing, None).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let created: Value = res.json().await.unwrap();
    let photo = &created["photos"][0];
    let display = image::load_from_memory(&fetch(&app, &photo["display_url"]).await).unwrap();
    assert_eq!((display.width(), display.height()), (1600, 1200));
    let thumbnail = image::load_from_memory(&fetch(&app, &photo["thumbnail_url"]).await).unwrap();
    assert!(thumbnail.width() <= 320);

    // Both copies are in the bucket, nothing in the local photo directory.
    let kept = keys_in_bucket(&s3).await;
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(kept.iter().all(|key| key.starts_with("photos/")), "{kept:?}");
    let local = std::fs::read_dir(app.photos_dir.path()).unwrap().count();
    assert_eq!(local, 0, "no file in the local photo directory");

    // The sweeper lists the bucket: an object no complaint refers to goes, the photo stays.
    let orphan = display_key(&new_photo_key());
    app.state.photos.put(&orphan, vec![1u8, 2, 3]).await.unwrap();
    let removed = smartcity_api::jobs::sweeper::sweep_once(&app.state, std::time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(removed, 1);
    assert_eq!(keys_in_bucket(&s3).await, kept);
    assert_eq!(app.get(photo["display_url"].as_str().unwrap()).await.status(), StatusCode::OK);
}

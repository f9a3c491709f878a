//! The photo store's contract, on both stores the server can keep photos in: a local directory,
//! and an S3-compatible service, here moto's server speaking S3's real protocol (started by the
//! test; see `testkit/src/s3_server.rs`). The local store's own details (files on disk, a full or
//! read-only disk) are the unit tests' in `api/src/adapters/storage.rs`.

use futures_util::TryStreamExt;
use smartcity_api::adapters::storage::{
    display_key, new_photo_key, thumbnail_key, PhotoStore, StoreConfig, StoreError, StoredObject,
};
use smartcity_testkit::s3_server::S3Server;

const BUCKET: &str = "smartcity-photos";

fn local() -> (tempfile::TempDir, PhotoStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = PhotoStore::local(dir.path().join("photos")).unwrap();
    (dir, store)
}

async fn s3(server: &S3Server) -> PhotoStore {
    let bucket = server.bucket(BUCKET).await;
    let config = StoreConfig::S3 {
        endpoint: Some(bucket.endpoint),
        bucket: bucket.bucket,
        region: bucket.region.into(),
        access_key_id: Some(bucket.access_key_id.into()),
        secret_access_key: Some(bucket.secret_access_key.into()),
        allow_http: true,
    };
    PhotoStore::from_config(&config).unwrap()
}

async fn list(store: &PhotoStore, prefix: &str) -> Result<Vec<StoredObject>, StoreError> {
    let mut objects: Vec<StoredObject> = store.list(prefix).try_collect().await?;
    objects.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(objects)
}

/// Put, get, replace, list by folder, delete (twice): returns a photo key left in the store.
async fn keeps_replaces_lists_and_deletes(store: &PhotoStore) -> String {
    let key = new_photo_key();
    store.put(&display_key(&key), b"display bytes".to_vec()).await.unwrap();
    store.put(&thumbnail_key(&key), b"thumb".to_vec()).await.unwrap();
    assert_eq!(store.get(&display_key(&key)).await.unwrap(), &b"display bytes"[..]);
    store.put(&display_key(&key), b"v2".to_vec()).await.unwrap();
    assert_eq!(store.get(&display_key(&key)).await.unwrap(), &b"v2"[..], "replaced");

    let other = new_photo_key();
    store.put(&display_key(&other), vec![7u8; 1000]).await.unwrap();
    let all = list(store, "photos").await.unwrap();
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(all.iter().any(|o| o.key == display_key(&other) && o.size == 1000), "{all:?}");
    let age = chrono::Utc::now() - all[0].last_modified;
    assert!(age.num_seconds().abs() < 60, "last modified {age} ago");
    assert_eq!(list(store, "").await.unwrap().len(), 3);
    assert_eq!(list(store, &format!("{key}/")).await.unwrap().len(), 2);
    assert!(list(store, "photos/nothing").await.unwrap().is_empty());

    store.delete(&display_key(&key)).await.unwrap();
    store.delete(&thumbnail_key(&key)).await.unwrap();
    assert!(matches!(store.get(&display_key(&key)).await, Err(StoreError::NotFound(_))));
    store.delete(&display_key(&key)).await.expect("deleting twice is fine");
    let left = list(store, "photos").await.unwrap();
    assert_eq!(left.iter().map(|o| o.key.as_str()).collect::<Vec<_>>(), [display_key(&other)]);
    other
}

/// Keys not of the server's shape are refused before the store is asked; a missing object is
/// `NotFound` (the photo route's 404), and deleting it succeeds.
async fn refuses_foreign_keys_and_reports_missing_objects(store: &PhotoStore) {
    for bad in ["../secret.txt", "/etc/passwd", "photos//a", "photos/a b", "photos/%2e%2e"] {
        assert!(matches!(store.get(bad).await, Err(StoreError::InvalidKey(_))), "get {bad:?}");
        let put = store.put(bad, b"x".to_vec()).await;
        assert!(matches!(put, Err(StoreError::InvalidKey(_))), "put {bad:?}");
        assert!(
            matches!(store.delete(bad).await, Err(StoreError::InvalidKey(_))),
            "delete {bad:?}"
        );
    }
    assert!(matches!(list(store, "../x").await, Err(StoreError::InvalidKey(_))));
    assert!(list(store, "").await.unwrap().is_empty(), "nothing was written");

    let missing = display_key(&new_photo_key());
    assert!(matches!(store.get(&missing).await, Err(StoreError::NotFound(_))));
    store.delete(&missing).await.expect("deleting what is not there is fine");
}

#[tokio::test]
async fn local_store_keeps_replaces_lists_and_deletes() {
    let (_dir, store) = local();
    keeps_replaces_lists_and_deletes(&store).await;
}

#[tokio::test]
async fn local_store_refuses_foreign_keys_and_reports_missing_objects() {
    let (_dir, store) = local();
    refuses_foreign_keys_and_reports_missing_objects(&store).await;
}

#[tokio::test]
async fn s3_store_keeps_replaces_lists_and_deletes() {
    let Some(server) = S3Server::start() else { return };
    let store = s3(&server).await;
    let kept = keeps_replaces_lists_and_deletes(&store).await;
    // S3 keeps each object's type: the photo is a JPEG also when fetched from the bucket itself.
    let res = server.get(&format!("{BUCKET}/{}", display_key(&kept))).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
}

#[tokio::test]
async fn s3_store_refuses_foreign_keys_and_reports_missing_objects() {
    let Some(server) = S3Server::start() else { return };
    refuses_foreign_keys_and_reports_missing_objects(&s3(&server).await).await;
}

//! Where photo bytes live: a local directory (a ward, a demo, a laptop) or any S3-compatible
//! object store (a province: AWS S3, MinIO, Ceph RGW, Viettel/FPT/CMC object storage …), behind
//! one small [`PhotoStore`] built on the `object_store` crate. No S3 signing is written here.
//!
//! Keys are made by the server ([`new_photo_key`], [`display_key`], [`thumbnail_key`]) and never
//! taken from a client; [`PhotoStore`] also refuses any key that is not of the server's shape.
//!
//!
//! What is kept where comes from `config` (README: `SMARTCITY_PHOTO_DIR`, `SMARTCITY_S3_*`).

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::stream::{BoxStream, StreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{
    Attribute, Attributes, ClientOptions, ObjectStore, ObjectStoreExt, PutOptions, PutPayload,
    RetryConfig,
};

/// Prefix of every photo key.
pub const PHOTO_KEY_PREFIX: &str = "photos";
const MAX_KEY_LEN: usize = 512;

/// A fresh, unguessable key for one photo: `photos/{uuid}`. The photo's objects live under it
/// ([`display_key`], [`thumbnail_key`]); store this key with the complaint.
pub fn new_photo_key() -> String {
    format!("{PHOTO_KEY_PREFIX}/{}", uuid::Uuid::new_v4().simple())
}

/// `photos/{uuid}/display.jpg`
pub fn display_key(photo_key: &str) -> String {
    format!("{photo_key}/display.jpg")
}

/// `photos/{uuid}/thumb.jpg`
pub fn thumbnail_key(photo_key: &str) -> String {
    format!("{photo_key}/thumb.jpg")
}

/// Where the photos are kept.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreConfig {
    /// A directory on this machine (created if missing). Fine for one instance; several
    /// instances need a shared directory or, better, S3.
    Local { dir: PathBuf },
    /// An S3-compatible object store.
    S3 {
        /// `None` for AWS itself; the service's URL otherwise (path-style requests are used).
        endpoint: Option<String>,
        bucket: String,
        region: String,
        /// `None` (with the secret also `None`): credentials from the standard `AWS_*`
        /// environment variables or the instance's role.
        access_key_id: Option<String>,
        secret_access_key: Option<String>,
        /// Allow `http://` endpoints (a MinIO beside the server). Never for a remote service.
        allow_http: bool,
    },
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig::Local { dir: PathBuf::from("photos") }
    }
}

impl std::fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreConfig::Local { dir } => f.debug_struct("Local").field("dir", dir).finish(),
            StoreConfig::S3 {
                endpoint,
                bucket,
                region,
                access_key_id,
                secret_access_key,
                allow_http,
            } => f
                .debug_struct("S3")
                .field("endpoint", endpoint)
                .field("bucket", bucket)
                .field("region", region)
                .field("access_key_id", access_key_id)
                .field("secret_access_key", &secret_access_key.as_ref().map(|_| "<redacted>"))
                .field("allow_http", allow_http)
                .finish(),
        }
    }
}

/// What went wrong with the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no object at {0}")]
    NotFound(String),
    /// Not a key the server makes (keys never come from clients, so this is a server bug).
    #[error("invalid photo key {0:?}")]
    InvalidKey(String),
    #[error("photo store configuration: {0}")]
    Config(String),
    /// The store refuses writes for a reason an operator must fix: a full disk or quota, a
    /// read-only file system, missing permissions, rejected credentials.
    #[error("photo store unavailable: {0}")]
    Unavailable(#[source] object_store::Error),
    #[error("photo store error: {0}")]
    Other(#[source] object_store::Error),
}

/// One object found by [`PhotoStore::list`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    pub key: String,
    pub size: u64,
    pub last_modified: DateTime<Utc>,
}

/// The photo store. Cheap to clone; share one in the application state.
#[derive(Clone)]
pub struct PhotoStore {
    inner: Arc<dyn ObjectStore>,
    /// S3 keeps a `Content-Type` per object; the local file system cannot.
    keeps_content_type: bool,
    description: String,
}

impl std::fmt::Debug for PhotoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhotoStore").field("store", &self.description).finish()
    }
}

impl PhotoStore {
    /// Builds the store `config` describes. Creates the local directory if missing; does not
    /// contact S3 (a wrong bucket or key shows on the first request).
    pub fn from_config(config: &StoreConfig) -> Result<Self, StoreError> {
        match config {
            StoreConfig::Local { dir } => Self::local(dir),
            StoreConfig::S3 {
                endpoint,
                bucket,
                region,
                access_key_id,
                secret_access_key,
                allow_http,
            } => {
                if bucket.is_empty() {
                    return Err(StoreError::Config("the S3 bucket is empty".into()));
                }
                // A request waits for the store; three minutes of retries would be worse
                // than an error.
                let retry = RetryConfig {
                    max_retries: 3,
                    retry_timeout: Duration::from_secs(20),
                    ..RetryConfig::default()
                };
                let mut builder = AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .with_region(region)
                    .with_allow_http(*allow_http)
                    .with_retry(retry)
                    .with_client_options(
                        ClientOptions::new()
                            .with_connect_timeout(Duration::from_secs(5))
                            .with_timeout(Duration::from_secs(30))
                            .with_allow_http(*allow_http),
                    );
                if let Some(endpoint) = endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                if let (Some(id), Some(secret)) = (access_key_id, secret_access_key) {
                    builder = builder.with_access_key_id(id).with_secret_access_key(secret);
                }
                let store = builder.build().map_err(|e| StoreError::Config(e.to_string()))?;
                Ok(PhotoStore {
                    inner: Arc::new(store),
                    keeps_content_type: true,
                    description: format!(
                        "s3://{bucket} at {}",
                        endpoint.as_deref().unwrap_or("AWS")
                    ),
                })
            }
        }
    }

    /// A store in directory `dir`, created if missing.
    pub fn local(dir: impl AsRef<FsPath>) -> Result<Self, StoreError> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Config(format!("cannot create photo directory {}: {e}", dir.display()))
        })?;
        let store = LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| StoreError::Config(e.to_string()))?
            // Deleting a photo's last object removes its now empty folder.
            .with_automatic_cleanup(true);
        Ok(PhotoStore {
            inner: Arc::new(store),
            keeps_content_type: false,
            description: format!("directory {}", dir.display()),
        })
    }

    /// Stores `bytes` at `key`, replacing any object there. Writes are atomic: a reader sees
    /// the old object or the new one, never half of it.
    pub async fn put(&self, key: &str, bytes: impl Into<Bytes>) -> Result<(), StoreError> {
        let path = parse_key(key)?;
        let mut options = PutOptions::default();
        if self.keeps_content_type {
            if let Some(content_type) = content_type(key) {
                let mut attributes = Attributes::new();
                attributes.insert(Attribute::ContentType, content_type.into());
                options.attributes = attributes;
            }
        }
        let payload = PutPayload::from(bytes.into());
        self.inner.put_opts(&path, payload, options).await.map_err(|e| classify(e, key))?;
        Ok(())
    }

    /// The object at `key`; [`StoreError::NotFound`] when there is none.
    pub async fn get(&self, key: &str) -> Result<Bytes, StoreError> {
        let path = parse_key(key)?;
        let result = self.inner.get(&path).await.map_err(|e| classify(e, key))?;
        result.bytes().await.map_err(|e| classify(e, key))
    }

    /// Deletes the object at `key`. Deleting what is not there succeeds (retries and sweeps
    /// are then harmless).
    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let path = parse_key(key)?;
        match self.inner.delete(&path).await.map_err(|e| classify(e, key)) {
            Ok(()) | Err(StoreError::NotFound(_)) => Ok(()),
            Err(other) => Err(other),
        }
    }

    /// Every object whose key starts with the folder `prefix` (`photos`, `photos/{uuid}`; empty
    /// for everything), in no particular order, streamed: for the orphan sweeper, which should
    /// leave alone objects younger than the longest upload (see `last_modified`).
    pub fn list(&self, prefix: &str) -> BoxStream<'static, Result<StoredObject, StoreError>> {
        let prefix = prefix.trim_end_matches('/');
        let path = if prefix.is_empty() {
            None
        } else {
            match parse_key(prefix) {
                Ok(path) => Some(path),
                Err(error) => return futures_util::stream::once(async { Err(error) }).boxed(),
            }
        };
        let owned_prefix = prefix.to_string();
        self.inner
            .list(path.as_ref())
            .map(move |item| {
                item.map(|meta| StoredObject {
                    key: meta.location.to_string(),
                    size: meta.size,
                    last_modified: meta.last_modified,
                })
                .map_err(|e| classify(e, &owned_prefix))
            })
            .boxed()
    }
}

/// The server's key shape: `[A-Za-z0-9._-]` segments separated by `/`, no empty, `.` or `..`
/// segment, no leading or trailing `/`.
fn parse_key(key: &str) -> Result<ObjectPath, StoreError> {
    let invalid = || StoreError::InvalidKey(key.to_string());
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err(invalid());
    }
    for segment in key.split('/') {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if segment.is_empty() || segment == "." || segment == ".." || !segment.chars().all(allowed)
        {
            return Err(invalid());
        }
    }
    ObjectPath::parse(key).map_err(|_| invalid())
}

fn content_type(key: &str) -> Option<&'static str> {
    let extension = key.rsplit_once('.')?.1.to_ascii_lowercase();
    match extension.as_str() {
        "jpg" | "jpeg" => Some("image/jpeg"),
        "png" => Some("image/png"),
        "webp" => Some("image/webp"),
        _ => None,
    }
}

/// Sorts a store error into what the caller can act on.
fn classify(error: object_store::Error, key: &str) -> StoreError {
    match error {
        object_store::Error::NotFound { .. } => StoreError::NotFound(key.to_string()),
        object_store::Error::PermissionDenied { .. }
        | object_store::Error::Unauthenticated { .. } => StoreError::Unavailable(error),
        other if caused_by_operator_fixable_io(&other) => StoreError::Unavailable(other),
        other => StoreError::Other(other),
    }
}

/// A full disk or quota, a read-only file system or missing permissions, anywhere in the chain.
fn caused_by_operator_fixable_io(error: &(dyn std::error::Error + 'static)) -> bool {
    use std::io::ErrorKind;
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                ErrorKind::StorageFull
                    | ErrorKind::QuotaExceeded
                    | ErrorKind::ReadOnlyFilesystem
                    | ErrorKind::PermissionDenied
            ) {
                return true;
            }
        }
        current = error.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::TryStreamExt;

    fn store() -> (tempfile::TempDir, PhotoStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = PhotoStore::local(dir.path().join("photos")).unwrap();
        (dir, store)
    }

    #[test]
    fn storage_keys_are_made_by_the_server() {
        let a = new_photo_key();
        let b = new_photo_key();
        assert_ne!(a, b);
        assert!(a.starts_with("photos/") && a.len() == "photos/".len() + 32, "{a}");
        assert!(parse_key(&a).is_ok());
        assert_eq!(display_key("photos/abc"), "photos/abc/display.jpg");
        assert_eq!(thumbnail_key("photos/abc"), "photos/abc/thumb.jpg");
        assert!(parse_key(&display_key(&a)).is_ok());
        for bad in [
            "",
            "/photos/a",
            "photos/a/",
            "photos//a",
            "photos/../etc/passwd",
            "photos/./a",
            "..",
            "photos/a b",
            "photos/ả",
            "photos\\a",
            "photos/a?x=1",
            "photos/a#b",
            "photos/%2e%2e",
        ] {
            assert!(matches!(parse_key(bad), Err(StoreError::InvalidKey(_))), "{bad:?} accepted");
        }
        assert!(parse_key(&"a".repeat(MAX_KEY_LEN + 1)).is_err());
        assert_eq!(content_type("photos/a/display.jpg"), Some("image/jpeg"));
        assert_eq!(content_type("photos/a/blob"), None);
    }

    #[tokio::test]
    async fn storage_local_put_get_delete_list() {
        let (dir, store) = store();
        assert!(dir.path().join("photos").is_dir(), "directory created");
        let key = new_photo_key();
        store.put(&display_key(&key), b"display bytes".to_vec()).await.unwrap();
        store.put(&thumbnail_key(&key), Bytes::from_static(b"thumb")).await.unwrap();
        assert_eq!(store.get(&display_key(&key)).await.unwrap(), &b"display bytes"[..]);
        // The object is a plain file under the directory.
        let on_disk = dir.path().join("photos").join(display_key(&key));
        assert_eq!(std::fs::read(on_disk).unwrap(), b"display bytes");

        // Replace.
        store.put(&display_key(&key), b"v2".to_vec()).await.unwrap();
        assert_eq!(store.get(&display_key(&key)).await.unwrap(), &b"v2"[..]);

        let other = new_photo_key();
        store.put(&display_key(&other), vec![7u8; 1000]).await.unwrap();

        let mut all: Vec<StoredObject> = store.list("photos").try_collect().await.unwrap();
        all.sort_by(|a, b| a.key.cmp(&b.key));
        assert_eq!(all.len(), 3);
        assert!(all.iter().any(|o| o.key == display_key(&other) && o.size == 1000));
        let age = Utc::now() - all[0].last_modified;
        assert!(age.num_seconds() < 60, "{age}");
        let everything: Vec<StoredObject> = store.list("").try_collect().await.unwrap();
        assert_eq!(everything.len(), 3);
        let one: Vec<StoredObject> = store.list(&format!("{key}/")).try_collect().await.unwrap();
        assert_eq!(one.len(), 2);
        let none: Vec<StoredObject> = store.list("photos/nothing").try_collect().await.unwrap();
        assert!(none.is_empty());
        let bad: Result<Vec<StoredObject>, _> = store.list("../x").try_collect().await;
        assert!(matches!(bad, Err(StoreError::InvalidKey(_))));

        store.delete(&display_key(&key)).await.unwrap();
        store.delete(&thumbnail_key(&key)).await.unwrap();
        assert!(matches!(store.get(&display_key(&key)).await, Err(StoreError::NotFound(_))));
        // Deleting twice is fine; the empty folder went with its last object.
        store.delete(&display_key(&key)).await.unwrap();
        assert!(!dir.path().join("photos").join(&key).exists());
        let left: Vec<StoredObject> = store.list("photos").try_collect().await.unwrap();
        assert_eq!(left.len(), 1);
    }

    #[tokio::test]
    async fn storage_refuses_keys_not_of_the_servers_shape() {
        let (dir, store) = store();
        std::fs::write(dir.path().join("secret.txt"), b"outside").unwrap();
        assert!(matches!(store.get("../secret.txt").await, Err(StoreError::InvalidKey(_))));
        assert!(matches!(store.put("../x", b"x".to_vec()).await, Err(StoreError::InvalidKey(_))));
        assert!(matches!(store.delete("/etc/passwd").await, Err(StoreError::InvalidKey(_))));
        assert_eq!(std::fs::read(dir.path().join("secret.txt")).unwrap(), b"outside");
    }

    #[tokio::test]
    async fn storage_errors_are_sorted_into_what_the_caller_can_act_on() {
        let (_dir, store) = store();
        let missing = store.get("photos/none/display.jpg").await.unwrap_err();
        assert!(matches!(missing, StoreError::NotFound(_)), "{missing:?}");

        // A full disk, as the local store reports it, is for the operator to fix.
        let full = object_store::Error::Generic {
            store: "LocalFileSystem",
            source: Box::new(std::io::Error::from(std::io::ErrorKind::StorageFull)),
        };
        assert!(matches!(classify(full, "photos/a/display.jpg"), StoreError::Unavailable(_)));
        let denied = object_store::Error::PermissionDenied {
            path: "photos/a".into(),
            source: "AccessDenied".into(),
        };
        assert!(matches!(classify(denied, "photos/a"), StoreError::Unavailable(_)));

        // Anything else is a fault.
        let other = object_store::Error::Generic {
            store: "S3",
            source: Box::new(std::io::Error::from(std::io::ErrorKind::ConnectionReset)),
        };
        assert!(matches!(classify(other, "photos/a"), StoreError::Other(_)));
    }

    #[tokio::test]
    async fn storage_other_file_system_errors_are_internal() {
        // A regular file where a folder should be: the write fails on the file system.
        let (dir, store) = store();
        std::fs::write(dir.path().join("photos").join("photos"), b"not a dir").unwrap();
        let error = store.put("photos/x/display.jpg", b"x".to_vec()).await.unwrap_err();
        // Not a full disk nor permissions: an internal error, not a 503.
        assert!(matches!(error, StoreError::Other(_)), "{error:?}");
    }

    #[test]
    fn storage_s3_store_builds_without_contacting_anything() {
        let config = StoreConfig::S3 {
            endpoint: Some("http://127.0.0.1:9".into()),
            bucket: "smartcity-photos".into(),
            region: "us-east-1".into(),
            access_key_id: Some("id".into()),
            secret_access_key: Some("secret".into()),
            allow_http: true,
        };
        let store = PhotoStore::from_config(&config).unwrap();
        assert!(store.keeps_content_type);
        let shown = format!("{store:?}");
        assert!(shown.contains("s3://smartcity-photos") && !shown.contains("secret"), "{shown}");
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("nested/photos");
        let local = PhotoStore::from_config(&StoreConfig::Local { dir: nested.clone() }).unwrap();
        assert!(!local.keeps_content_type && nested.is_dir());
    }
}

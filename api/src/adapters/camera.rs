//! Asking a public camera for its snapshot: one GET, a JPEG back, within a time limit and a
//! size limit, whatever the camera sends.

use bytes::{Bytes, BytesMut};
use smartcity_domain::camera::looks_like_jpeg;
use std::time::Duration;

/// The largest snapshot taken: a 1080p JPEG is 200–600 KB; a camera sending more is sending
/// something else.
pub const MAX_SNAPSHOT_BYTES: usize = 2 << 20;

/// Why a camera gave no snapshot.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("the camera did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the camera could not be reached: {0}")]
    Unreachable(String),
    #[error("the camera answered HTTP {0}")]
    Status(u16),
    #[error("the camera sent more than {MAX_SNAPSHOT_BYTES} bytes")]
    TooLarge,
    #[error("the camera sent something other than a JPEG (content type {0:?})")]
    NotJpeg(String),
}

/// Fetches snapshots over HTTP(S), following at most three redirects.
#[derive(Clone)]
pub struct SnapshotFetcher {
    http: reqwest::Client,
    timeout: Duration,
}

impl SnapshotFetcher {
    /// `timeout` bounds the whole exchange, the body included.
    pub fn new(timeout: Duration) -> Result<SnapshotFetcher, reqwest::Error> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("smartcity/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(timeout.min(Duration::from_secs(3)))
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::limited(3))
            .pool_idle_timeout(Duration::from_secs(30))
            .build()?;
        Ok(SnapshotFetcher { http, timeout })
    }

    /// The camera's JPEG, read no further than [`MAX_SNAPSHOT_BYTES`].
    pub async fn fetch(&self, url: &str) -> Result<Bytes, SnapshotError> {
        let failed = |err: reqwest::Error| {
            if err.is_timeout() {
                SnapshotError::Timeout(self.timeout)
            } else {
                SnapshotError::Unreachable(err.to_string())
            }
        };
        let mut response = self
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, "image/jpeg")
            .send()
            .await
            .map_err(failed)?;
        let status = response.status();
        if !status.is_success() {
            return Err(SnapshotError::Status(status.as_u16()));
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let declared_image = content_type.is_empty()
            || content_type.to_ascii_lowercase().starts_with("image/jpeg")
            || content_type.to_ascii_lowercase().starts_with("image/jpg")
            || content_type.to_ascii_lowercase().starts_with("application/octet-stream");
        if !declared_image {
            return Err(SnapshotError::NotJpeg(content_type));
        }
        if response.content_length().is_some_and(|n| n > MAX_SNAPSHOT_BYTES as u64) {
            return Err(SnapshotError::TooLarge);
        }
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > MAX_SNAPSHOT_BYTES {
                return Err(SnapshotError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        if !looks_like_jpeg(&body) {
            return Err(SnapshotError::NotJpeg(content_type));
        }
        Ok(body.freeze())
    }
}

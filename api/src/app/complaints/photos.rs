//! The photos a filing or a `resolved` event carries: every upload processed off the async
//! workers, a few at a time, and stored before the database row that refers to it; removed
//! again when that row is not written, so nothing half-written stays behind.

use crate::adapters::photos::{self, ProcessedPhoto};
use crate::adapters::storage::{self, PhotoStore, StoreError};
use crate::app::error::ApiError;
use crate::app::state::AppState;
use smartcity_db::complaints::NewPhoto;

/// Checks and converts each upload, a few at a time (`state.photo_permits`) and off the async
/// workers. A refusal names the part (`photos[2]`).
pub async fn process(
    state: &AppState,
    uploads: Vec<Vec<u8>>,
) -> Result<Vec<ProcessedPhoto>, ApiError> {
    let mut processed = Vec::with_capacity(uploads.len());
    for (i, bytes) in uploads.into_iter().enumerate() {
        let _permit = state.photo_permits.acquire().await.map_err(ApiError::internal)?;
        let result = tokio::task::spawn_blocking(move || photos::process(&bytes)).await?;
        processed.push(result.map_err(|e| ApiError::photo(e, format!("photos[{i}]")))?);
    }
    Ok(processed)
}

/// Photos in the store, ahead of the database rows that will refer to them.
pub struct Stored {
    /// The rows to write, in upload order.
    pub rows: Vec<NewPhoto>,
    /// Every object written: [`remove`] them if the rows are not written.
    pub keys: Vec<String>,
}

/// Stores the display copy and thumbnail of each photo; on a failure, removes what it stored.
pub async fn store(store: &PhotoStore, processed: &[ProcessedPhoto]) -> Result<Stored, ApiError> {
    let mut stored = Stored { rows: Vec::new(), keys: Vec::new() };
    for photo in processed {
        let base = storage::new_photo_key();
        let (display_key, thumbnail_key) =
            (storage::display_key(&base), storage::thumbnail_key(&base));
        let put = async {
            store.put(&display_key, photo.display.clone()).await?;
            stored.keys.push(display_key.clone());
            store.put(&thumbnail_key, photo.thumbnail.clone()).await?;
            stored.keys.push(thumbnail_key.clone());
            Ok::<_, StoreError>(())
        };
        if let Err(err) = put.await {
            remove(store, &stored.keys).await;
            return Err(err.into());
        }
        stored.rows.push(NewPhoto {
            display_key,
            thumbnail_key,
            width: photo.display_width as i32,
            height: photo.display_height as i32,
        });
    }
    Ok(stored)
}

/// Removes stored photos whose rows were not written.
pub async fn remove(store: &PhotoStore, keys: &[String]) {
    for key in keys {
        if let Err(err) = store.delete(key).await {
            tracing::warn!(%key, error = %err, "could not remove a photo of a failed write; the sweeper will");
        }
    }
}

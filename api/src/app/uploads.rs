//! Files citizens upload with a dossier or a question: judged by their bytes, whatever they
//! claim to be; images re-encoded so nothing of their metadata (GPS position, camera, owner)
//! is kept; PDFs kept as sent.

use crate::adapters::photos as photo_pipeline;
use crate::app::error::ApiError;
use crate::app::state::AppState;
use bytes::Bytes;
use smartcity_domain::application::sniff_file;
use smartcity_domain::procedure::FileType;

/// What the bytes are; a refusal names `field`.
pub fn sniff(field: &str, bytes: &[u8]) -> Result<FileType, ApiError> {
    sniff_file(bytes).ok_or_else(|| {
        ApiError::invalid_field(
            field,
            "Tệp không phải PDF, JPEG hay PNG (xét theo nội dung tệp)",
            "The file is not a PDF, JPEG or PNG (judged by its content)",
        )
    })
}

/// The file as it will be kept: an image re-encoded (off the async workers, a few at a time,
/// as photos are), a PDF as sent.
pub async fn prepare(
    state: &AppState,
    field: &str,
    kind: FileType,
    bytes: Vec<u8>,
) -> Result<(FileType, Bytes), ApiError> {
    match kind {
        FileType::Pdf => Ok((FileType::Pdf, Bytes::from(bytes))),
        FileType::Jpeg | FileType::Png => {
            let _permit = state.photo_permits.acquire().await.map_err(ApiError::internal)?;
            let processed =
                tokio::task::spawn_blocking(move || photo_pipeline::process(&bytes)).await?;
            let processed = processed.map_err(|e| ApiError::photo(e, field))?;
            Ok((FileType::Jpeg, Bytes::from(processed.display)))
        }
    }
}

//! Reading the multipart form of a new complaint, with every part bounded: uploads are
//! hostile until proven otherwise.

use crate::photos::photo_api_error;
use crate::problem::{ApiError, ErrorCode};
use actix_multipart::Multipart;
use futures_util::StreamExt;
use smartcity_domain::photo;
use std::collections::HashMap;

/// Text parts: a 4,000-character description is at most 16 KB of UTF-8.
const MAX_TEXT_PART: usize = 16 * 1024;
/// Parts of any kind: the fields, a few answers and five photos fit well within it.
const MAX_PARTS: usize = 40;

#[derive(Debug, Default)]
pub struct ComplaintForm {
    pub fields: HashMap<String, String>,
    /// `attribute[CODE]` parts, by code, each with its values (a multi-value list repeats).
    pub attributes: HashMap<String, Vec<String>>,
    pub photos: Vec<Vec<u8>>,
}

const TEXT_FIELDS: &[&str] = &["category", "description", "lat", "lon", "address", "anonymous"];

fn too_large(field: &str, limit: usize) -> ApiError {
    ApiError::new(ErrorCode::BodyTooLarge).with_field(field).with_detail(
        format!("Phần `{field}` vượt quá {} KiB", limit / 1024),
        format!("Part `{field}` is over {} KiB", limit / 1024),
    )
}

fn malformed() -> ApiError {
    ApiError::new(ErrorCode::MalformedJson)
        .with_field("body")
        .with_detail("Nội dung multipart không hợp lệ", "The multipart body is malformed")
}

pub async fn read(mut multipart: Multipart) -> Result<ComplaintForm, ApiError> {
    let mut form = ComplaintForm::default();
    let mut parts = 0;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|_| malformed())?;
        parts += 1;
        if parts > MAX_PARTS {
            return Err(ApiError::invalid_field(
                "body",
                format!("Tối đa {MAX_PARTS} phần trong một biểu mẫu"),
                format!("At most {MAX_PARTS} parts in one form"),
            ));
        }
        let name =
            field.content_disposition().and_then(|cd| cd.get_name()).unwrap_or("").to_string();
        let is_photo = name == "photos" || name == "photos[]";
        let limit = if is_photo { photo::MAX_PHOTO_BYTES as usize } else { MAX_TEXT_PART };
        let field_name =
            if is_photo { format!("photos[{}]", form.photos.len()) } else { name.clone() };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| malformed())?;
            if bytes.len() + chunk.len() > limit {
                return Err(if is_photo {
                    photo_api_error(
                        photo::PhotoError::TooLarge { max_bytes: photo::MAX_PHOTO_BYTES },
                        field_name,
                    )
                } else {
                    too_large(&field_name, limit)
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_photo {
            if form.photos.len() == photo::MAX_PHOTOS_PER_COMPLAINT {
                let too_many =
                    photo::PhotoError::TooManyPhotos { max: photo::MAX_PHOTOS_PER_COMPLAINT };
                return Err(photo_api_error(too_many, "photos"));
            }
            form.photos.push(bytes);
            continue;
        }
        let text = String::from_utf8(bytes).map_err(|_| {
            ApiError::invalid_field(
                &name,
                format!("`{name}` không phải UTF-8"),
                format!("`{name}` is not UTF-8"),
            )
        })?;
        if let Some(code) = name.strip_prefix("attribute[").and_then(|rest| rest.strip_suffix(']'))
        {
            form.attributes.entry(code.to_string()).or_default().push(text);
        } else if TEXT_FIELDS.contains(&name.as_str()) {
            if form.fields.insert(name.clone(), text).is_some() {
                return Err(ApiError::invalid_field(
                    &name,
                    format!("`{name}` được gửi hai lần"),
                    format!("`{name}` was sent twice"),
                ));
            }
        } else {
            return Err(ApiError::invalid_field(
                &name,
                format!("Không có trường `{name}`"),
                format!("Unknown field `{name}`"),
            ));
        }
    }
    Ok(form)
}

//! The multipart forms of complaints (filing one, recording an event on one): every part
//! bounded, photos kept as uploaded bytes for the use case to check. Uploads are hostile until
//! proven otherwise.

use crate::app::error::{ApiError, ErrorCode};
use crate::app::idempotency;
use actix_multipart::{Multipart, MultipartError};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::HttpRequest;
use futures_util::StreamExt;
use smartcity_domain::photo;
use std::collections::HashMap;

/// Text parts: a 4,000-character description is at most 16 KB of UTF-8.
const MAX_TEXT_PART: usize = 16 * 1024;
/// Parts of any kind: the fields, a few answers and five photos fit well within it.
const MAX_PARTS: usize = 40;

/// Which parts a form may have besides its photos (`photos` or `photos[]`, up to
/// [`photo::MAX_PHOTOS_PER_COMPLAINT`]).
pub struct FormShape {
    /// The text parts it may have; `None` leaves the names to the caller.
    text_fields: Option<&'static [&'static str]>,
    /// Whether it answers a category's questions in `attribute[CODE]` parts.
    attributes: bool,
}

/// A new complaint's form.
pub const FILING: FormShape = FormShape {
    text_fields: Some(&["category", "description", "lat", "lon", "address", "anonymous"]),
    attributes: true,
};

/// An event's form: its fields are those of its JSON body, which the same deserialiser checks.
pub const EVENT: FormShape = FormShape { text_fields: None, attributes: false };

#[derive(Debug, Default)]
pub struct ComplaintForm {
    pub fields: HashMap<String, String>,
    /// `attribute[CODE]` parts, by code, each with its values (a multi-value list repeats).
    pub attributes: HashMap<String, Vec<String>>,
    pub photos: Vec<Vec<u8>>,
}

impl ComplaintForm {
    /// A digest of everything the form holds, whatever order the parts came in: two sendings
    /// of one filing have the same, a different filing a different one.
    pub fn fingerprint(&self) -> String {
        let names: Vec<(String, &[u8])> = self
            .fields
            .iter()
            .map(|(name, value)| (name.clone(), value.as_bytes()))
            .chain(self.attributes.iter().flat_map(|(code, values)| {
                let each = values.iter().enumerate();
                each.map(move |(i, value)| (format!("attribute[{code}][{i}]"), value.as_bytes()))
            }))
            .chain(
                self.photos
                    .iter()
                    .enumerate()
                    .map(|(i, photo)| (format!("photos[{i}]"), &photo[..])),
            )
            .collect();
        idempotency::fingerprint(names.iter().map(|(name, value)| (name.as_str(), *value)))
    }
}

/// Whether the request declares a `multipart/form-data` body.
pub fn is_multipart(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"))
}

fn too_large(field: &str, limit: usize) -> ApiError {
    ApiError::new(ErrorCode::BodyTooLarge).with_field(field).with_detail(
        format!("Phần `{field}` vượt quá {} KiB", limit / 1024),
        format!("Part `{field}` is over {} KiB", limit / 1024),
    )
}

fn malformed() -> ApiError {
    ApiError::new(ErrorCode::MalformedForm)
        .with_field("body")
        .with_detail("Nội dung multipart không hợp lệ", "The multipart body is malformed")
}

/// Whether a part names itself more than once (two `Content-Disposition` headers, or `name`
/// twice in one): parsers disagree on which name counts, so such a part is refused, not guessed.
fn names_itself_twice(field: &actix_multipart::Field) -> bool {
    let names: usize = field
        .headers()
        .get_all(header::CONTENT_DISPOSITION)
        .map(|value| {
            let params = value.to_str().unwrap_or_default().split(';').skip(1);
            params
                .filter(|param| {
                    param
                        .split_once('=')
                        .is_some_and(|(key, _)| key.trim().eq_ignore_ascii_case("name"))
                })
                .count()
        })
        .sum();
    names > 1
}

/// A text part's bytes as text, or a refusal naming it.
fn utf8_part(name: &str, bytes: Vec<u8>) -> Result<String, ApiError> {
    String::from_utf8(bytes).map_err(|_| {
        ApiError::invalid_field(
            name,
            format!("`{name}` không phải UTF-8"),
            format!("`{name}` is not UTF-8"),
        )
    })
}

/// A body cut for being over the whole form's limit is too large; anything else is malformed.
fn unreadable(error: MultipartError) -> ApiError {
    match error {
        MultipartError::Payload(PayloadError::Io(cut))
            if cut.kind() == std::io::ErrorKind::FileTooLarge =>
        {
            ApiError::new(ErrorCode::BodyTooLarge).with_field("body")
        }
        _ => malformed(),
    }
}

/// A part's bytes, or `None` as soon as they pass `limit` (the rest is not read).
async fn read_part(
    field: &mut actix_multipart::Field,
    limit: usize,
) -> Result<Option<Vec<u8>>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(unreadable)?;
        if bytes.len() + chunk.len() > limit {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes))
}

/// A part's name, or a refusal of a part that names itself twice.
fn part_name(field: &actix_multipart::Field) -> Result<String, ApiError> {
    if names_itself_twice(field) {
        return Err(malformed());
    }
    Ok(field.content_disposition().and_then(|cd| cd.get_name()).unwrap_or("").to_string())
}

pub async fn read(mut multipart: Multipart, shape: &FormShape) -> Result<ComplaintForm, ApiError> {
    let mut form = ComplaintForm::default();
    let mut parts = 0;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(unreadable)?;
        parts += 1;
        if parts > MAX_PARTS {
            return Err(ApiError::invalid_field(
                "body",
                format!("Tối đa {MAX_PARTS} phần trong một biểu mẫu"),
                format!("At most {MAX_PARTS} parts in one form"),
            ));
        }
        let name = part_name(&field)?;
        let is_photo = name == "photos" || name == "photos[]";
        let limit = if is_photo { photo::MAX_PHOTO_BYTES as usize } else { MAX_TEXT_PART };
        let field_name =
            if is_photo { format!("photos[{}]", form.photos.len()) } else { name.clone() };
        let Some(bytes) = read_part(&mut field, limit).await? else {
            return Err(if is_photo {
                ApiError::photo(
                    photo::PhotoError::TooLarge { max_bytes: photo::MAX_PHOTO_BYTES },
                    field_name,
                )
            } else {
                too_large(&field_name, limit)
            });
        };
        if is_photo {
            if form.photos.len() == photo::MAX_PHOTOS_PER_COMPLAINT {
                let too_many =
                    photo::PhotoError::TooManyPhotos { max: photo::MAX_PHOTOS_PER_COMPLAINT };
                return Err(ApiError::photo(too_many, "photos"));
            }
            form.photos.push(bytes);
            continue;
        }
        let text = utf8_part(&name, bytes)?;
        let attribute = name.strip_prefix("attribute[").and_then(|rest| rest.strip_suffix(']'));
        if let Some(code) = attribute.filter(|_| shape.attributes) {
            form.attributes.entry(code.to_string()).or_default().push(text);
        } else if shape.text_fields.is_some_and(|known| !known.contains(&name.as_str())) {
            return Err(ApiError::invalid_field(
                &name,
                format!("Không có trường `{name}`"),
                format!("Unknown field `{name}`"),
            ));
        } else if form.fields.insert(name.clone(), text).is_some() {
            return Err(ApiError::invalid_field(
                &name,
                format!("`{name}` được gửi hai lần"),
                format!("`{name}` was sent twice"),
            ));
        }
    }
    Ok(form)
}

/// A form of a few short text parts and one file (an administrator's areas upload).
#[derive(Debug, Default)]
pub struct FileForm {
    pub fields: Vec<(String, String)>,
    pub file: Option<Vec<u8>>,
}

/// Reads a form of short text parts and at most one file part, `file_field`, of at most
/// `max_file` bytes: a declared length over it is refused before anything is read, and a file
/// that grows past it as soon as it does. `check` sees the text parts sent before the file and
/// may refuse the form before a byte of the file is held (the console checks its token there);
/// it runs once, at the file or at the end of a form without one.
pub async fn read_file_form(
    req: &HttpRequest,
    payload: actix_web::web::Payload,
    file_field: &str,
    max_file: usize,
    check: impl FnOnce(&[(String, String)]) -> Result<(), ApiError>,
) -> Result<FileForm, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    // The text parts and the framing around the file fit well within one text part's limit.
    if declared.is_some_and(|length| length > max_file + MAX_TEXT_PART) {
        return Err(too_large(file_field, max_file));
    }
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut form = FileForm::default();
    let mut check = Some(check);
    let mut parts = 0;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(unreadable)?;
        parts += 1;
        if parts > MAX_PARTS {
            return Err(malformed());
        }
        let name = part_name(&field)?;
        let is_file = name == file_field;
        if is_file {
            if let Some(check) = check.take() {
                check(&form.fields)?;
            }
            if form.file.is_some() {
                return Err(ApiError::invalid_field(
                    &name,
                    format!("`{name}` được gửi hai lần"),
                    format!("`{name}` was sent twice"),
                ));
            }
        }
        let limit = if is_file { max_file } else { MAX_TEXT_PART };
        let Some(bytes) = read_part(&mut field, limit).await? else {
            return Err(too_large(&name, limit));
        };
        if is_file {
            form.file = Some(bytes);
            continue;
        }
        let text = utf8_part(&name, bytes)?;
        form.fields.push((name, text));
    }
    if let Some(check) = check.take() {
        check(&form.fields)?;
    }
    Ok(form)
}

/// The text parts of an online dossier's form; its files come as `files[COMPONENT]`.
const DOSSIER_FIELDS: [&str; 15] = [
    "procedure",
    "agency",
    "applicant_type",
    "applicant_name",
    "identity_number",
    "province",
    "ward",
    "street",
    "on_behalf",
    "proxy_name",
    "proxy_identity_number",
    "proxy_relation",
    "return_method",
    "postal_address",
    "form",
];
/// The declaration form's JSON: 60 fields of up to 2,000 characters fit.
const MAX_DECLARATION_PART: usize = 128 * 1024;

#[derive(Debug, Default)]
pub struct DossierForm {
    pub fields: HashMap<String, String>,
    /// `(component code, bytes)` in the order sent.
    pub files: Vec<(String, Vec<u8>)>,
}

impl DossierForm {
    /// A digest of everything the form holds, as [`ComplaintForm::fingerprint`].
    pub fn fingerprint(&self) -> String {
        let parts: Vec<(String, &[u8])> = self
            .fields
            .iter()
            .map(|(name, value)| (name.clone(), value.as_bytes()))
            .chain(
                self.files
                    .iter()
                    .enumerate()
                    .map(|(i, (code, bytes))| (format!("files[{code}][{i}]"), &bytes[..])),
            )
            .collect();
        idempotency::fingerprint(parts.iter().map(|(name, value)| (name.as_str(), *value)))
    }
}

/// Reads an online dossier's form: its text parts and at most [`application::MAX_FILES`]
/// files, each at most [`application::MAX_FILE_BYTES`] and all together at most
/// [`application::MAX_TOTAL_BYTES`]; a declared length over that is refused before a byte is
/// read.
pub async fn read_dossier_form(
    req: &HttpRequest,
    payload: actix_web::web::Payload,
) -> Result<DossierForm, ApiError> {
    use smartcity_domain::application::{self, MAX_FILES, MAX_FILE_BYTES, MAX_TOTAL_BYTES};
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_TOTAL_BYTES + MAX_DECLARATION_PART * 2) {
        return Err(too_large("body", MAX_TOTAL_BYTES));
    }
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut form = DossierForm::default();
    let (mut parts, mut file_bytes) = (0, 0);
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(unreadable)?;
        parts += 1;
        if parts > MAX_PARTS {
            return Err(malformed());
        }
        let name = part_name(&field)?;
        let component = name.strip_prefix("files[").and_then(|rest| rest.strip_suffix(']'));
        if let Some(component) = component {
            let field_name = application::files_field(component);
            if form.files.len() == MAX_FILES {
                return Err(ApiError::invalid_field(
                    field_name,
                    format!("Tối đa {MAX_FILES} tệp trong một hồ sơ"),
                    format!("At most {MAX_FILES} files in one dossier"),
                ));
            }
            let limit = MAX_FILE_BYTES.min(MAX_TOTAL_BYTES - file_bytes);
            let Some(bytes) = read_part(&mut field, limit).await? else {
                if limit == MAX_FILE_BYTES {
                    return Err(too_large(&field_name, MAX_FILE_BYTES));
                }
                let mib = MAX_TOTAL_BYTES >> 20;
                return Err(ApiError::new(ErrorCode::BodyTooLarge)
                    .with_field("files")
                    .with_detail(
                        format!("Các tệp cộng lại vượt quá {mib} MiB"),
                        format!("The files together are over {mib} MiB"),
                    ));
            };
            file_bytes += bytes.len();
            form.files.push((component.to_string(), bytes));
            continue;
        }
        if !DOSSIER_FIELDS.contains(&name.as_str()) {
            return Err(ApiError::invalid_field(
                &name,
                format!("Không có trường `{name}`"),
                format!("Unknown field `{name}`"),
            ));
        }
        let limit = if name == "form" { MAX_DECLARATION_PART } else { MAX_TEXT_PART };
        let Some(bytes) = read_part(&mut field, limit).await? else {
            return Err(too_large(&name, limit));
        };
        let text = utf8_part(&name, bytes)?;
        if form.fields.insert(name.clone(), text).is_some() {
            return Err(ApiError::invalid_field(
                &name,
                format!("`{name}` được gửi hai lần"),
                format!("`{name}` was sent twice"),
            ));
        }
    }
    Ok(form)
}

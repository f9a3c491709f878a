//! `POST /v1/complaints` (multipart): category, description, lat/lon, address, anonymous,
//! `attribute[CODE]` answers, 0–5 photos. An `Idempotency-Key` makes a retry return the first
//! complaint instead of filing a second.

use super::complaint_views::view;
use crate::app::complaints::filing::{self, FieldNames, Filer, Filing, Whereabouts};
use crate::app::error::{ApiError, ErrorCode};
use crate::app::idempotency::Idempotency;
use crate::app::places;
use crate::app::state::AppState;
use crate::http::auth::ProvenPhone;
use crate::http::extract::IdempotencyKeyHeader;
use crate::http::multipart::{self, ComplaintForm};
use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

/// A form field's text, `None` when absent or blank.
fn text<'a>(form: &'a ComplaintForm, field: &str) -> Option<&'a str> {
    form.fields.get(field).map(|v| v.trim()).filter(|v| !v.is_empty())
}

fn coordinate(form: &ComplaintForm, field: &str) -> Result<Option<f64>, ApiError> {
    text(form, field)
        .map(|raw| {
            raw.parse::<f64>().map_err(|_| {
                ApiError::invalid_field(
                    field,
                    format!("`{field}` phải là một số"),
                    format!("`{field}` must be a number"),
                )
            })
        })
        .transpose()
}

/// A yes/no part: `true`/`1` or `false`/`0` in any letter case (generated clients send
/// `True`), blank or absent for no.
fn flag(form: &ComplaintForm, field: &str) -> Result<bool, ApiError> {
    match text(form, field).map(str::to_ascii_lowercase).as_deref() {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(_) => Err(ApiError::invalid_field(
            field,
            format!("`{field}` là true hoặc false"),
            format!("`{field}` is true or false"),
        )),
    }
}

pub async fn file(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ProvenPhone,
    key: IdempotencyKeyHeader,
    body: Multipart,
) -> Result<HttpResponse, ApiError> {
    if !multipart::is_multipart(&req) {
        return Err(ApiError::new(ErrorCode::UnsupportedMediaType)
            .with_field("Content-Type")
            .with_detail(
                "Gửi phản ánh dạng multipart/form-data",
                "Send the complaint as multipart/form-data",
            ));
    }
    let mut form = multipart::read(body, &multipart::FILING).await?;
    let idempotency = key.0.map(|key| Idempotency { key, fingerprint: form.fingerprint() });
    let code = text(&form, "category").ok_or_else(|| {
        ApiError::invalid_field("category", "Thiếu `category`", "`category` is missing")
    })?;
    let category = places::fileable_category(&state, code.to_string()).await?;
    let filing = Filing {
        category,
        description: form.fields.get("description").cloned().unwrap_or_default(),
        address: text(&form, "address").map(str::to_string),
        anonymous: flag(&form, "anonymous")?,
        whereabouts: Whereabouts::PinOrPhoto {
            lat: coordinate(&form, "lat")?,
            lon: coordinate(&form, "lon")?,
        },
        answers: std::mem::take(&mut form.attributes),
        photos: std::mem::take(&mut form.photos),
        filer: Filer::Resident { user_id: caller.0.user.id.clone() },
        idempotency,
        names: &FieldNames::APP,
    };
    let filed = filing::file(&state, filing).await?;
    let mut response = HttpResponse::Created();
    response.insert_header((
        header::LOCATION,
        format!("/v1/complaints/{}", filed.complaint.complaint().id),
    ));
    if filed.replayed {
        response.insert_header(("idempotent-replayed", "true"));
    }
    Ok(response.json(view(&filed.complaint)))
}

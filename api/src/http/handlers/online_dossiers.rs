//! Online dossiers: `POST /v1/dossiers` (a citizen submits, multipart), its withdrawal, and the
//! receiving agency reading what was submitted and downloading the files.

use super::dossier_views::{citizen_view, submitted_view};
use crate::app::error::{ApiError, ErrorCode};
use crate::app::idempotency::Idempotency;
use crate::app::online_dossiers::{self, OnlineSubmission, Upload};
use crate::app::state::AppState;
use crate::http::auth::{AgencyCaller, SignedIn};
use crate::http::extract::{json_body_or_empty, IdempotencyKeyHeader};
use crate::http::multipart::{self, DossierForm};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use smartcity_domain::application::ApplicationFields;

/// A text part, `None` when absent.
fn take(form: &mut DossierForm, field: &str) -> Option<String> {
    form.fields.remove(field)
}

/// `on_behalf`: `true`/`1` or `false`/`0`, absent for no.
fn on_behalf(form: &mut DossierForm) -> Result<bool, ApiError> {
    match take(form, "on_behalf").map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(_) => Err(ApiError::invalid_field(
            "on_behalf",
            "`on_behalf` là true hoặc false",
            "`on_behalf` is true or false",
        )),
    }
}

/// `POST /v1/dossiers`: 201 with the new dossier as its submitter sees it.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: SignedIn,
    key: IdempotencyKeyHeader,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    if !multipart::is_multipart(&req) {
        return Err(ApiError::new(ErrorCode::UnsupportedMediaType)
            .with_field("Content-Type")
            .with_detail(
                "Gửi hồ sơ dạng multipart/form-data",
                "Send the dossier as multipart/form-data",
            ));
    }
    let mut form = multipart::read_dossier_form(&req, body).await?;
    let idempotency = key.0.map(|key| Idempotency { key, fingerprint: form.fingerprint() });
    let fields = ApplicationFields {
        on_behalf: on_behalf(&mut form)?,
        applicant_type: take(&mut form, "applicant_type"),
        applicant_name: take(&mut form, "applicant_name"),
        identity_number: take(&mut form, "identity_number"),
        province: take(&mut form, "province"),
        ward: take(&mut form, "ward"),
        street: take(&mut form, "street"),
        proxy_name: take(&mut form, "proxy_name"),
        proxy_identity_number: take(&mut form, "proxy_identity_number"),
        proxy_relation: take(&mut form, "proxy_relation"),
        return_method: take(&mut form, "return_method"),
        postal_address: take(&mut form, "postal_address"),
        form: take(&mut form, "form"),
    };
    let missing = |field: &str| {
        ApiError::invalid_field(field, format!("Thiếu `{field}`"), format!("`{field}` is missing"))
    };
    let submission = OnlineSubmission {
        procedure_code: take(&mut form, "procedure").ok_or_else(|| missing("procedure"))?,
        agency_code: take(&mut form, "agency").ok_or_else(|| missing("agency"))?,
        fields,
        uploads: form
            .files
            .into_iter()
            .map(|(component, bytes)| Upload { component, bytes })
            .collect(),
        idempotency,
    };
    let submitted = online_dossiers::submit(&state, &caller.0, submission).await?;
    let mut response = HttpResponse::Created();
    response
        .insert_header((
            header::LOCATION,
            format!("/v1/dossiers/{}", submitted.detail.dossier.code),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"));
    if submitted.replayed {
        response.insert_header(("idempotent-replayed", "true"));
    }
    Ok(response.json(citizen_view(&state, submitted.detail)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalRequest {
    reason: Option<String>,
}

/// `POST /v1/dossiers/{code}/withdrawal`: the submitter withdraws it (status 7).
pub async fn withdraw(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: SignedIn,
    code: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let WithdrawalRequest { reason } = json_body_or_empty(&req, body).await?;
    let detail = online_dossiers::withdraw(&state, &caller.0, &code, reason).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(citizen_view(&state, detail)))
}

/// `GET /v1/agency/dossiers/{code}`: one of the agency's dossiers with its timeline and, for
/// one submitted online, the application and the files.
pub async fn show_for_agency(
    state: web::Data<AppState>,
    caller: AgencyCaller,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (detail, submitted) =
        online_dossiers::submitted_to(&state, &caller.0, code.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(submitted_view(&state, detail, submitted)))
}

/// `GET /v1/agency/dossiers/{code}/files/{id}`: a file's bytes, as stored.
pub async fn file_for_agency(
    state: web::Data<AppState>,
    caller: AgencyCaller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (code, file_id) = path.into_inner();
    let (row, bytes) = online_dossiers::file_for_agency(&state, &caller.0, code, file_id).await?;
    let extension = row.file_type.as_str();
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, super::dossier_views::media_type(row.file_type)))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}-{}.{extension}\"", row.component_code, row.id),
        ))
        .body(bytes))
}

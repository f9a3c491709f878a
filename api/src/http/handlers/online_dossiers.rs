//! Online dossiers: `POST /v1/dossiers` (a citizen submits, multipart), its withdrawal, and the
//! receiving agency reading what was submitted and downloading the files.

use super::dossier_views::{citizen_view, submitted_view, SubmittedDossier};
use crate::app::dossier_decisions::{self, DecisionRequest};
use crate::app::error::{ApiError, ErrorCode};
use crate::app::idempotency::Idempotency;
use crate::app::online_dossiers::{self, OnlineSubmission, Upload};
use crate::app::state::AppState;
use crate::http::auth::{AgencyCaller, ProvenPhone, SignedIn};
use crate::http::extract::{json_body, json_body_or_empty, ClientAddress, IdempotencyKeyHeader};
use crate::http::multipart::{self, DossierForm};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use smartcity_domain::application::ApplicationFields;
use smartcity_domain::datetime::StrictDate;
use smartcity_domain::decision::DecisionFields;

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
    caller: ProvenPhone,
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

/// A slip as a download.
fn pdf(bytes: bytes::Bytes, code: &str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/pdf"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{code}.pdf\""),
        ))
        .body(bytes)
}

/// `GET /v1/agency/dossiers/{code}/slips/{slip_id}`.
pub async fn slip_for_agency(
    state: web::Data<AppState>,
    caller: AgencyCaller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (code, id) = path.into_inner();
    let bytes = dossier_decisions::slip_for_agency(&state, &caller.0, code.clone(), id).await?;
    Ok(pdf(bytes, &code))
}

/// `GET /v1/dossiers/{code}/slips/{slip_id}`: for the citizen whose phone is the applicant's.
pub async fn slip_for_citizen(
    state: web::Data<AppState>,
    caller: SignedIn,
    client: ClientAddress,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (code, id) = path.into_inner();
    let bytes =
        dossier_decisions::slip_for_citizen(&state, &caller.0, &code, id, &client.0).await?;
    Ok(pdf(bytes, &code))
}

/// `POST /v1/dossiers/{code}/supplements` (multipart, `files[COMPONENT]`): the documents the
/// agency asked for.
pub async fn supplement(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: SignedIn,
    client: ClientAddress,
    code: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    if !multipart::is_multipart(&req) {
        return Err(ApiError::new(ErrorCode::UnsupportedMediaType).with_field("Content-Type"));
    }
    let form = multipart::read_dossier_form(&req, body).await?;
    if let Some(name) = form.fields.keys().next() {
        return Err(ApiError::invalid_field(
            name,
            format!("Chỉ gửi tệp `files[...]`, không gửi `{name}`"),
            format!("Only `files[...]` parts, not `{name}`"),
        ));
    }
    let uploads = form.files.into_iter().map(|(component, bytes)| Upload { component, bytes });
    let detail =
        dossier_decisions::supplement(&state, &caller.0, &code, uploads.collect(), &client.0)
            .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(citizen_view(&state, detail)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    decision: String,
    event_id: Option<String>,
    officer: Option<String>,
    due_on: Option<StrictDate>,
    reason: Option<String>,
    components: Option<Vec<String>>,
    working_days: Option<u32>,
    amount_vnd: Option<i64>,
    purpose: Option<String>,
    reference: Option<String>,
    tracking_code: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DecisionTaken {
    /// False when a decision with this `event_id` was taken before and nothing changed.
    recorded: bool,
    dossier: SubmittedDossier,
}

/// `POST /v1/agency/dossiers/{code}/decisions`: 201 when taken, 200 for a repeat.
pub async fn decide(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: AgencyCaller,
    code: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: DecisionBody = json_body(&req, body).await?;
    let request = DecisionRequest {
        fields: DecisionFields {
            decision: body.decision,
            due_on: body.due_on.map(|d| d.0),
            reason: body.reason,
            components: body.components,
            working_days: body.working_days,
            amount_vnd: body.amount_vnd,
            purpose: body.purpose,
            reference: body.reference,
            tracking_code: body.tracking_code,
        },
        event_id: body.event_id,
        officer: body.officer,
    };
    let (recorded, (detail, submitted)) =
        dossier_decisions::decide(&state, &caller.0, &code, request).await?;
    let mut response = if recorded { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(response
        .json(DecisionTaken { recorded, dossier: submitted_view(&state, detail, submitted) }))
}

/// `PUT /v1/agency/dossiers/{code}/result` (multipart, one `file`, a PDF): the result
/// document, once the dossier is done.
pub async fn attach_result(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: AgencyCaller,
    code: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    if !multipart::is_multipart(&req) {
        return Err(ApiError::new(ErrorCode::UnsupportedMediaType).with_field("Content-Type"));
    }
    let limit = smartcity_domain::application::MAX_FILE_BYTES;
    let form = multipart::read_file_form(&req, body, "file", limit, |_| Ok(())).await?;
    let pdf = form.file.ok_or_else(|| {
        ApiError::invalid_field("file", "Thiếu tệp `file`", "The `file` part is missing")
    })?;
    let (detail, submitted) =
        dossier_decisions::attach_result(&state, &caller.0, &code, pdf).await?;
    Ok(HttpResponse::Ok().json(submitted_view(&state, detail, submitted)))
}

/// `GET /v1/dossiers/{code}/result`: the result document, for the citizen whose phone is the
/// applicant's.
pub async fn result_for_citizen(
    state: web::Data<AppState>,
    caller: SignedIn,
    client: ClientAddress,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let bytes = dossier_decisions::result_for_citizen(&state, &caller.0, &code, &client.0).await?;
    Ok(pdf(bytes, &format!("{code}-ket-qua")))
}

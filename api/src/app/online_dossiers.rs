//! Submitting a dossier online from the app (levels 3 and 4), withdrawing it, and the receiving
//! agency reading what was submitted. A submission is checked whole before anything is kept:
//! the procedure's rules, every file sniffed from its bytes (images re-encoded without their
//! metadata, PDFs kept as sent); then the files go to the object store ahead of the one
//! transaction that writes the dossier, and are removed again if it is not written.

use crate::adapters::storage::{PhotoStore, StoreError};
use crate::app::auth::{ActingAgency, Caller};
use crate::app::error::{ApiError, Bug, ErrorCode};
use crate::app::idempotency::{self, Idempotency};
use crate::app::state::AppState;
use crate::app::uploads;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use smartcity_db::dossiers::{self as dossier_rows, DossierDetail, EventInput, EventOutcome};
use smartcity_db::online_dossiers::{
    self, DossierFileRow, NewDossierFile, NewOnlineDossier, SubmitOutcome, Submitted,
    WithdrawOutcome,
};
use smartcity_db::{agencies, procedures};
use smartcity_domain::application::{
    check_uploads, files_field, Application, ApplicationFields, UploadKind,
};
use smartcity_domain::dossier::parse_dossier_code;
use smartcity_domain::procedure::{FileType, Submission};
use smartcity_domain::validation::clean_text;

/// Prefix of the object store's keys for dossier files (the photo sweeper keeps to `photos/`).
const FILE_KEY_PREFIX: &str = "dossier-files";

/// One uploaded file, as the form named its component (`files[to-khai]`).
pub struct Upload {
    pub component: String,
    pub bytes: Vec<u8>,
}

/// A citizen's online submission, as sent.
pub struct OnlineSubmission {
    pub procedure_code: String,
    /// The receiving agency's code: the citizen's commune or ward for a commune-level
    /// procedure, the department for a province-level one (as the national portal asks).
    pub agency_code: String,
    pub fields: ApplicationFields,
    pub uploads: Vec<Upload>,
    pub idempotency: Option<Idempotency>,
}

pub struct SubmitResult {
    pub detail: DossierDetail,
    /// The first submission under the same idempotency key, answered again.
    pub replayed: bool,
}

fn refused(field: &str, vi: &str, en: &str) -> ApiError {
    ApiError::invalid_field(field, vi.to_string(), en.to_string())
}

/// Submits a dossier for the signed-in citizen, who follows it from then on.
pub async fn submit(
    state: &AppState,
    caller: &Caller,
    submission: OnlineSubmission,
) -> Result<SubmitResult, ApiError> {
    let key = submission
        .idempotency
        .as_ref()
        .map(|i| i.scoped(format!("dossier-submission:{}", caller.user.id)));
    if let Some(key) = &key {
        if let Some(code) = idempotency::replay_of(state, key).await? {
            return Ok(SubmitResult { detail: detail(state, code).await?, replayed: true });
        }
    }
    let procedure_code = submission.procedure_code.clone();
    let agency_code = submission.agency_code.clone();
    let (procedure, agency) = state
        .db(move |conn| {
            Ok((
                procedures::find(conn, &procedure_code)?,
                agencies::find_agency_by_code(conn, &agency_code)?,
            ))
        })
        .await?;
    let procedure = crate::app::procedures::named(procedure)?;
    let rules =
        procedure.submission()?.filter(|_| procedure.service_level >= 3).ok_or_else(|| {
            refused(
                "procedure",
                "Thủ tục này chưa nhận hồ sơ trực tuyến (chỉ mức độ 3, 4)",
                "This procedure does not take dossiers online (service levels 3 and 4 only)",
            )
        })?;
    let agency = crate::app::procedures::handled_by(agency, &procedure)?;
    let application = Application::parse(&submission.fields, &rules)?;
    let stored = check_and_store(state, &rules, submission.uploads, None).await?;
    let today = crate::app::dossiers::today();
    let processing_days = u32::try_from(procedure.processing_days).unwrap_or(0);
    let new = NewOnlineDossier {
        agency_id: agency.id,
        agency_code: agency.code,
        procedure_code: procedure.code,
        applicant_name: application.applicant.name.clone(),
        applicant_phone: caller.user.phone.clone(),
        submitted_by: caller.user.id.clone(),
        application: serde_json::to_string(&application).map_err(ApiError::internal)?,
        received_on: today,
        due_on: state.config.calendar.after_working_days(today, processing_days),
        files: stored.clone(),
        idempotency: key.clone(),
        now: smartcity_db::now(),
    };
    let outcome = state.db(move |conn| online_dossiers::submit(conn, &new)).await;
    let code = match outcome {
        Ok(SubmitOutcome::Created { code }) => code,
        Ok(SubmitOutcome::Replayed(first)) => {
            // Another sending of this submission committed first.
            remove_files(&state.photos, &stored).await;
            let key = key.as_ref().expect("only a submission with a key is replayed");
            let code = idempotency::same_request(&first, key)?;
            return Ok(SubmitResult { detail: detail(state, code).await?, replayed: true });
        }
        Err(err) => {
            remove_files(&state.photos, &stored).await;
            return Err(err);
        }
    };
    state.pushes_queued();
    Ok(SubmitResult { detail: detail(state, code).await?, replayed: false })
}

async fn detail(state: &AppState, code: String) -> Result<DossierDetail, ApiError> {
    state
        .db(move |conn| dossier_rows::detail(conn, &code))
        .await?
        .ok_or_else(|| ApiError::internal(Bug("a submitted dossier is gone".into())))
}

/// Checks uploads against the procedure's components (only those in `only` when it is given,
/// as for a supplement), prepares them and puts them in the store, ahead of the rows that will
/// refer to them: [`remove_files`] them if those rows are not written.
pub async fn check_and_store(
    state: &AppState,
    rules: &Submission,
    uploads: Vec<Upload>,
    only: Option<&[String]>,
) -> Result<Vec<NewDossierFile>, ApiError> {
    let kinds = sniffed(&uploads)?;
    let described: Vec<UploadKind<'_>> = uploads
        .iter()
        .zip(&kinds)
        .map(|(upload, file_type)| UploadKind {
            component: &upload.component,
            file_type: *file_type,
        })
        .collect();
    check_uploads(rules, &described, only)?;
    let prepared = prepare(state, uploads, &kinds).await?;
    store(&state.photos, prepared).await
}

/// What each upload's bytes are; a refusal names the component of the first that is none of
/// the kinds accepted, whatever it claimed to be.
fn sniffed(uploads: &[Upload]) -> Result<Vec<FileType>, ApiError> {
    uploads
        .iter()
        .map(|upload| uploads::sniff(&files_field(&upload.component), &upload.bytes))
        .collect()
}

/// A file as it will be kept: the re-encoded image, or the PDF as sent.
struct Prepared {
    component: String,
    file_type: FileType,
    bytes: Bytes,
}

/// Re-encodes the images (off the async workers, a few at a time, as photos are) so nothing
/// of their metadata (GPS position, camera, owner) is kept; PDFs stay as sent.
async fn prepare(
    state: &AppState,
    uploads: Vec<Upload>,
    kinds: &[FileType],
) -> Result<Vec<Prepared>, ApiError> {
    let mut prepared = Vec::with_capacity(uploads.len());
    for (upload, kind) in uploads.into_iter().zip(kinds) {
        let field = files_field(&upload.component);
        let (file_type, bytes) = uploads::prepare(state, &field, *kind, upload.bytes).await?;
        prepared.push(Prepared { component: upload.component, file_type, bytes });
    }
    Ok(prepared)
}

/// Puts the files in the object store; on a failure, removes those it put.
async fn store(
    store: &PhotoStore,
    prepared: Vec<Prepared>,
) -> Result<Vec<NewDossierFile>, ApiError> {
    let mut stored = Vec::with_capacity(prepared.len());
    for file in prepared {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let storage_key = format!("{FILE_KEY_PREFIX}/{id}");
        let sha256 = Sha256::digest(&file.bytes).iter().map(|b| format!("{b:02x}")).collect();
        let byte_size = file.bytes.len() as i64;
        if let Err(err) = store.put(&storage_key, file.bytes).await {
            remove_files(store, &stored).await;
            return Err(err.into());
        }
        stored.push(NewDossierFile {
            id,
            component_code: file.component,
            file_type: file.file_type,
            storage_key,
            byte_size,
            sha256,
        });
    }
    Ok(stored)
}

/// Removes stored files whose rows were not written.
pub async fn remove_files(store: &PhotoStore, files: &[NewDossierFile]) {
    for file in files {
        if let Err(err) = store.delete(&file.storage_key).await {
            let key = &file.storage_key;
            tracing::warn!(%key, error = %err, "could not remove a file of a refused dossier");
        }
    }
}

/// Withdraws a dossier the caller submitted, while it is not decided (status 7); a second
/// withdrawal is a repeat, answered with the dossier as it stands.
pub async fn withdraw(
    state: &AppState,
    caller: &Caller,
    code: &str,
    reason: Option<String>,
) -> Result<DossierDetail, ApiError> {
    let code = parse_dossier_code("code", code)?;
    let note = reason.map(|r| clean_text("reason", &r, 1, 2000, true)).transpose()?;
    let event = EventInput {
        event_id: "withdrawal".to_string(),
        status: smartcity_domain::dossier::DossierStatus::Withdrawn,
        occurred_at: smartcity_db::now(),
        step: Some("Công dân rút hồ sơ".to_string()),
        department: None,
        officer: None,
        note,
        reopens: false,
    };
    let user_id = caller.user.id.clone();
    let withdrawn_code = code.clone();
    let outcome = state
        .db(move |conn| {
            online_dossiers::withdraw(conn, &user_id, &withdrawn_code, &event, event.occurred_at)
        })
        .await?;
    match outcome {
        WithdrawOutcome::Withdrawn(EventOutcome::Recorded { .. }) => state.pushes_queued(),
        WithdrawOutcome::Withdrawn(_) => {}
        WithdrawOutcome::TooLate(status) => {
            return Err(ApiError::new(ErrorCode::DecisionNotAllowed)
                .with_field("code")
                .with_detail(
                    format!("Hồ sơ đã ở trạng thái \"{}\": không rút được nữa", status.label_vi()),
                    format!(
                        "The dossier is \"{}\": it can no longer be withdrawn",
                        status.label_en()
                    ),
                ))
        }
        WithdrawOutcome::NotTheirs => return Err(ApiError::not_found()),
    }
    detail(state, code).await
}

/// One of an agency's dossiers with what was submitted online with it (`None` for a dossier
/// its own system sent).
pub type AgencyDetail = (DossierDetail, Option<(Application, Vec<DossierFileRow>)>);

/// One of the acting agency's dossiers, with what was submitted online. Another agency's is
/// not found.
pub async fn submitted_to(
    state: &AppState,
    agency: &ActingAgency,
    code: String,
) -> Result<AgencyDetail, ApiError> {
    let detail = crate::app::dossiers::for_agency(state, agency, code.clone()).await?;
    let submitted = state.db(move |conn| online_dossiers::submitted(conn, &code)).await?;
    let submitted = submitted
        .map(|Submitted { application, files, .. }| {
            let application: Application = serde_json::from_str(&application).map_err(|e| {
                ApiError::internal(Bug(format!("a stored application does not parse: {e}")))
            })?;
            Ok::<_, ApiError>((application, files))
        })
        .transpose()?;
    Ok((detail, submitted))
}

/// One file of one of the acting agency's online dossiers, with its bytes.
pub async fn file_for_agency(
    state: &AppState,
    agency: &ActingAgency,
    code: String,
    file_id: String,
) -> Result<(DossierFileRow, Bytes), ApiError> {
    let detail = crate::app::dossiers::for_agency(state, agency, code.clone()).await?;
    let code = detail.dossier.code;
    let row = state
        .db(move |conn| online_dossiers::file(conn, &code, &file_id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let bytes = state.photos.get(&row.storage_key).await.map_err(|err| match err {
        StoreError::NotFound(_) => {
            ApiError::internal(Bug(format!("dossier file {} is not in the store", row.id)))
        }
        other => other.into(),
    })?;
    Ok((row, bytes))
}

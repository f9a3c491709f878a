//! An agency's decisions on a dossier (receive, refuse, ask for documents or payment, confirm
//! payment, reschedule, done, result returned), each with the slip the one-stop-shop regulation
//! asks for; the citizen's supplement answering a request; the stop of a dossier whose
//! request went unanswered; and downloading the slips. The JSON API and the console's pages
//! take decisions through [`decide`].

use crate::app::auth::{ActingAgency, Caller};
use crate::app::dossiers::{for_agency, lookup, today};
use crate::app::error::{ApiError, Bug, ErrorCode};
use crate::app::online_dossiers::{
    check_and_store, remove_files, submitted_to, AgencyDetail, Upload,
};
use crate::app::sms;
use crate::app::state::AppState;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use smartcity_db::dossier_decisions::{
    self, AttachOutcome, DecideOutcome, Deciding, NewSlip, ResultRow, SupplementOutcome,
};
use smartcity_db::dossiers::DossierDetail;
use smartcity_db::procedures::{self, ProcedureRow};
use smartcity_domain::application::sniff_file;
use smartcity_domain::decision::{judge, Decision, DecisionFields, NotAllowed, SlipForm};
use smartcity_domain::dossier::DossierStatus;
use smartcity_domain::procedure::{Component, FileType};
use smartcity_domain::validation::clean_text;
use smartcity_slips::{Slip, SlipComponent, SlipDossier};

/// Prefixes of the object store's keys for slips and result documents.
const SLIP_KEY_PREFIX: &str = "dossier-slips";
const RESULT_KEY_PREFIX: &str = "dossier-results";

/// A decision as the agency's system or its staff send it.
pub struct DecisionRequest {
    pub fields: DecisionFields,
    /// The system's id for this decision: a retry under the same id changes nothing.
    pub event_id: Option<String>,
    pub officer: Option<String>,
}

fn not_allowed(decision: &Decision, refused: NotAllowed) -> ApiError {
    let (field, vi, en) = match refused {
        NotAllowed::FromStatus(status) => (
            "decision",
            format!(
                "Không thể \"{}\" khi hồ sơ đang ở trạng thái \"{}\"",
                decision.step(),
                status.label_vi()
            ),
            format!(
                "`{}` is not allowed while the dossier is \"{}\"",
                decision.name(),
                status.label_en()
            ),
        ),
        NotAllowed::NotLater { due_on } => (
            "due_on",
            format!("Ngày hẹn mới phải sau ngày hẹn hiện tại {}", due_on.format("%d/%m/%Y")),
            format!("The new due date must be after the current one, {due_on}"),
        ),
        NotAllowed::DueBeforeToday => (
            "due_on",
            "Ngày hẹn trả không được trước hôm nay".to_string(),
            "The due date cannot be before today".to_string(),
        ),
    };
    ApiError::new(ErrorCode::DecisionNotAllowed).with_field(field).with_detail(vi, en)
}

fn components_of(procedure: &ProcedureRow) -> Result<Vec<Component>, ApiError> {
    Ok(procedure.submission()?.map(|s| s.components).unwrap_or_default())
}

fn slip_components<'a>(all: impl IntoIterator<Item = &'a Component>) -> Vec<SlipComponent> {
    all.into_iter()
        .map(|c| SlipComponent { name: c.name.clone(), originals: c.originals, copies: c.copies })
        .collect()
}

/// Takes a decision on one of the acting agency's dossiers, and answers the dossier as it
/// stands. `false` when the same `event_id` was taken before (nothing changes).
pub async fn decide(
    state: &AppState,
    agency: &ActingAgency,
    code: &str,
    request: DecisionRequest,
) -> Result<(bool, AgencyDetail), ApiError> {
    let code = smartcity_domain::dossier::parse_dossier_code("code", code)?;
    let event_id = match request.event_id {
        Some(id) => clean_text("event_id", &id, 1, 100, false)?,
        None => uuid::Uuid::new_v4().to_string(),
    };
    let officer = request.officer.map(|o| clean_text("officer", &o, 1, 200, false)).transpose()?;
    let detail = for_agency(state, agency, code.clone()).await?;
    if detail.events.iter().any(|event| event.event_id == event_id) {
        // Taken before: a retry of the same decision is answered as it stands.
        return Ok((false, submitted_to(state, agency, code).await?));
    }
    let procedure_code = detail.dossier.procedure_code.clone();
    let procedure = state
        .db(move |conn| procedures::find(conn, &procedure_code))
        .await?
        .ok_or_else(|| ApiError::internal(Bug("a dossier's procedure is gone".into())))?;
    let components = components_of(&procedure)?;
    let codes: Vec<&str> = components.iter().map(|c| c.code.as_str()).collect();
    let decision = Decision::parse(request.fields, &codes)?;

    let today = today();
    let calendar = &state.config.calendar;
    let processing_days = u32::try_from(procedure.processing_days).unwrap_or(0);
    let due_on = match &decision {
        Decision::Receive { due_on: Some(day) } => *day,
        _ => calendar.after_working_days(today, processing_days),
    };
    let deadline = match &decision {
        Decision::RequestDocuments { working_days, .. } => {
            Some(calendar.after_working_days(today, *working_days))
        }
        _ => None,
    };
    let current = DossierStatus::from_code(detail.dossier.status)
        .ok_or_else(|| ApiError::internal(Bug("a stored dossier status is unknown".into())))?;
    // Judged here too, so no slip is drawn for a decision that cannot be taken.
    judge(&decision, current, detail.dossier.due_on, today)
        .map_err(|refused| not_allowed(&decision, refused))?;

    let slip = match decision.slip() {
        None => None,
        Some(form) => {
            let content = match &decision {
                Decision::Receive { .. } => Slip::Receipt {
                    received_on: today,
                    due_on,
                    components: slip_components(&components),
                },
                Decision::RequestDocuments { components: asked, reason, .. } => {
                    Slip::MoreDocuments {
                        components: slip_components(
                            components.iter().filter(|c| asked.contains(&c.code)),
                        ),
                        reason: reason.clone(),
                        deadline: deadline.unwrap_or(today),
                    }
                }
                Decision::Refuse { reason } => Slip::Refusal { reason: reason.clone() },
                Decision::Reschedule { due_on: new_due_on, reason } => Slip::Apology {
                    first_due_on: detail.dossier.due_on,
                    new_due_on: *new_due_on,
                    reason: reason.clone(),
                },
                _ => {
                    return Err(ApiError::internal(Bug("a slip for a decision without one".into())))
                }
            };
            let about = SlipDossier {
                agency_name: detail.agency_name.clone(),
                dossier_code: code.clone(),
                applicant_name: detail.dossier.applicant_name.clone(),
                procedure_name: detail.procedure_name.clone(),
                place: state.config.city_name.clone(),
                issued_on: today,
                officer: officer.clone(),
            };
            Some(store_slip(state, form, about, content).await?)
        }
    };
    let deciding = Deciding {
        decision: decision.clone(),
        event_id,
        officer,
        today,
        due_on,
        deadline,
        slip: slip.clone(),
        texting: sms::texting(state),
        now: smartcity_db::now(),
    };
    let agency_id = agency.agency_id().to_string();
    let decided_code = code.clone();
    let outcome = state
        .db(move |conn| dossier_decisions::decide(conn, &agency_id, &decided_code, &deciding))
        .await;
    let recorded = match outcome {
        Ok(DecideOutcome::Decided) => true,
        other => {
            if let Some(slip) = &slip {
                remove_slip(state, slip).await;
            }
            match other? {
                DecideOutcome::Decided => unreachable!("handled above"),
                DecideOutcome::Repeat => false,
                DecideOutcome::NotAllowed(refused) => return Err(not_allowed(&decision, refused)),
                DecideOutcome::NoDossier | DecideOutcome::OtherAgency => {
                    return Err(ApiError::not_found())
                }
            }
        }
    };
    if recorded {
        state.pushes_queued();
        state.sms_queued();
    }
    Ok((recorded, submitted_to(state, agency, code).await?))
}

/// Draws a slip (off the async workers: laying out text is CPU work) and puts it in the store.
async fn store_slip(
    state: &AppState,
    form: SlipForm,
    about: SlipDossier,
    content: Slip,
) -> Result<NewSlip, ApiError> {
    let pdf = tokio::task::spawn_blocking(move || smartcity_slips::render(&about, &content))
        .await?
        .map_err(|err| {
            ApiError::invalid_field(
                "reason",
                format!("Không lập được phiếu: {err}"),
                err.to_string(),
            )
        })?;
    let id = uuid::Uuid::new_v4().simple().to_string();
    let storage_key = format!("{SLIP_KEY_PREFIX}/{id}.pdf");
    state.photos.put(&storage_key, Bytes::from(pdf)).await?;
    Ok(NewSlip { id, form, storage_key })
}

async fn remove_slip(state: &AppState, slip: &NewSlip) {
    if let Err(err) = state.photos.delete(&slip.storage_key).await {
        let key = &slip.storage_key;
        tracing::warn!(%key, error = %err, "could not remove the slip of a decision not taken");
    }
}

/// The citizen's supplement: the files the agency asked for, by the deadline. Only the
/// components asked for, each of a kind it accepts; the dossier goes back to processing.
pub async fn supplement(
    state: &AppState,
    caller: &Caller,
    code: &str,
    uploads: Vec<Upload>,
    client: &str,
) -> Result<DossierDetail, ApiError> {
    let detail = lookup(state, code, &caller.user.phone, client).await?;
    let code = detail.dossier.code.clone();
    let asked_code = code.clone();
    let request = state
        .db(move |conn| dossier_decisions::open_request(conn, &asked_code))
        .await?
        .filter(|_| detail.dossier.status == DossierStatus::MoreDocumentsNeeded.code())
        .ok_or_else(|| {
            ApiError::new(ErrorCode::DecisionNotAllowed).with_field("code").with_detail(
                "Cơ quan không yêu cầu bổ sung hồ sơ này",
                "The agency has not asked for more documents for this dossier",
            )
        })?;
    let procedure_code = detail.dossier.procedure_code.clone();
    let procedure = state
        .db(move |conn| procedures::find(conn, &procedure_code))
        .await?
        .ok_or_else(|| ApiError::internal(Bug("a dossier's procedure is gone".into())))?;
    let rules = procedure.submission()?.ok_or_else(|| {
        ApiError::internal(Bug("a request for documents of a procedure without any".into()))
    })?;
    let stored = check_and_store(state, &rules, uploads, Some(&request.components)).await?;
    let (user_id, supplemented_code, files) =
        (caller.user.id.clone(), code.clone(), stored.clone());
    let today = today();
    let outcome = state
        .db(move |conn| {
            dossier_decisions::supplement(
                conn,
                &user_id,
                &supplemented_code,
                &request.event_id,
                &files,
                today,
                smartcity_db::now(),
            )
        })
        .await;
    let refusal = match outcome {
        Ok(SupplementOutcome::Supplemented) => None,
        Ok(SupplementOutcome::NotTheirs) => Some(ApiError::not_found()),
        Ok(SupplementOutcome::NothingAsked | SupplementOutcome::RequestChanged) => {
            Some(ApiError::new(ErrorCode::DecisionNotAllowed).with_field("code").with_detail(
                "Yêu cầu bổ sung đã thay đổi; hãy tải lại hồ sơ",
                "The request for documents changed; reload the dossier",
            ))
        }
        Ok(SupplementOutcome::PastDeadline(deadline)) => {
            Some(ApiError::new(ErrorCode::DecisionNotAllowed).with_field("code").with_detail(
                format!("Đã quá hạn bổ sung ({})", deadline.format("%d/%m/%Y")),
                format!("The deadline to bring the documents has passed ({deadline})"),
            ))
        }
        Err(err) => Some(err),
    };
    if let Some(refusal) = refusal {
        remove_files(&state.photos, &stored).await;
        return Err(refusal);
    }
    state.pushes_queued();
    let reread = code.clone();
    state
        .db(move |conn| smartcity_db::dossiers::detail(conn, &reread))
        .await?
        .ok_or_else(|| ApiError::internal(Bug("a supplemented dossier is gone".into())))
}

/// Stops the dossiers whose request for documents went unanswered past its deadline; how
/// many. Safe on every instance at once: each is judged again with its row held.
pub async fn stop_missed_supplements(state: &AppState) -> Result<usize, ApiError> {
    let today = today();
    let missed = state.db(move |conn| dossier_decisions::missed_requests(conn, today, 500)).await?;
    let mut stopped = 0;
    for (code, event_id) in missed {
        let (now, texting) = (smartcity_db::now(), sms::texting(state));
        let done = state
            .db(move |conn| {
                dossier_decisions::stop_unanswered(conn, &code, &event_id, today, &texting, now)
            })
            .await?;
        stopped += usize::from(done);
    }
    if stopped > 0 {
        state.pushes_queued();
        state.sms_queued();
    }
    Ok(stopped)
}

async fn slip_bytes(state: &AppState, code: String, id: String) -> Result<Bytes, ApiError> {
    let row = state
        .db(move |conn| dossier_decisions::slip(conn, &code, &id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(state.photos.get(&row.storage_key).await?)
}

/// A slip of one of the acting agency's dossiers.
pub async fn slip_for_agency(
    state: &AppState,
    agency: &ActingAgency,
    code: String,
    id: String,
) -> Result<Bytes, ApiError> {
    let detail = for_agency(state, agency, code).await?;
    slip_bytes(state, detail.dossier.code, id).await
}

/// A slip of a dossier the signed-in citizen proves (their phone is the applicant's).
pub async fn slip_for_citizen(
    state: &AppState,
    caller: &Caller,
    code: &str,
    id: String,
    client: &str,
) -> Result<Bytes, ApiError> {
    let detail = lookup(state, code, &caller.user.phone, client).await?;
    slip_bytes(state, detail.dossier.code, id).await
}

/// Attaches the result document (a PDF: the certificate, the licence) to one of the acting
/// agency's dossiers once it is done; the citizen who proves the dossier downloads it.
pub async fn attach_result(
    state: &AppState,
    agency: &ActingAgency,
    code: &str,
    pdf: Vec<u8>,
) -> Result<AgencyDetail, ApiError> {
    let code = smartcity_domain::dossier::parse_dossier_code("code", code)?;
    if sniff_file(&pdf) != Some(FileType::Pdf) {
        return Err(ApiError::invalid_field(
            "file",
            "Kết quả phải là tệp PDF (xét theo nội dung tệp)",
            "The result must be a PDF (judged by its content)",
        ));
    }
    let storage_key = format!("{RESULT_KEY_PREFIX}/{}.pdf", uuid::Uuid::new_v4().simple());
    let result = ResultRow {
        dossier_code: code.clone(),
        storage_key: storage_key.clone(),
        byte_size: pdf.len() as i64,
        sha256: Sha256::digest(&pdf).iter().map(|b| format!("{b:02x}")).collect(),
        attached_at: smartcity_db::now(),
    };
    state.photos.put(&storage_key, Bytes::from(pdf)).await?;
    let agency_id = agency.agency_id().to_string();
    let attached_code = code.clone();
    let outcome = state
        .db(move |conn| dossier_decisions::attach_result(conn, &agency_id, &attached_code, &result))
        .await;
    let stale = match outcome {
        Ok(AttachOutcome::Attached { replaced }) => replaced,
        other => {
            if let Err(err) = state.photos.delete(&storage_key).await {
                tracing::warn!(key = %storage_key, error = %err, "could not remove a refused result");
            }
            return Err(match other? {
                AttachOutcome::NotDone(status) => {
                    ApiError::new(ErrorCode::DecisionNotAllowed).with_field("code").with_detail(
                        format!(
                            "Hồ sơ đang \"{}\": chưa có kết quả để đính kèm",
                            status.label_vi()
                        ),
                        format!("The dossier is \"{}\": it has no result yet", status.label_en()),
                    )
                }
                _ => ApiError::not_found(),
            });
        }
    };
    if let Some(key) = stale {
        if let Err(err) = state.photos.delete(&key).await {
            tracing::warn!(%key, error = %err, "could not remove a replaced result");
        }
    }
    submitted_to(state, agency, code).await
}

/// The result document of a dossier the signed-in citizen proves.
pub async fn result_for_citizen(
    state: &AppState,
    caller: &Caller,
    code: &str,
    client: &str,
) -> Result<Bytes, ApiError> {
    let detail = lookup(state, code, &caller.user.phone, client).await?;
    let code = detail.dossier.code;
    let row = state
        .db(move |conn| dossier_decisions::result_of(conn, &code))
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(state.photos.get(&row.storage_key).await?)
}

//! An agency's decisions on its dossiers, the citizen's supplement that answers a request for
//! more documents, and the stop of a dossier whose deadline passed unanswered. Each is judged
//! against the dossier's status with its row held, and written with its timeline entry (and
//! the followers' notices) in one transaction.

use crate::dossiers::{append_event, followers, DossierRow, EventInput, EventOutcome, SlipRow};
use crate::online_dossiers::{insert_files, NewDossierFile};
use crate::pool::write_transaction;
use crate::schema::{
    dossier_applications, dossier_events, dossier_requests, dossier_results, dossier_slips,
    dossiers, procedures,
};
use crate::sms::Texting;
use crate::{notifications, webhooks, DbConn, DbError};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use smartcity_domain::decision::{judge, Decision, NotAllowed, SlipForm};
use smartcity_domain::dossier::{rescheduled_notice, DossierStatus};
use smartcity_domain::webhook::WebhookEvent;

/// A slip already in the object store, to be listed with its dossier.
#[derive(Debug, Clone)]
pub struct NewSlip {
    pub id: String,
    pub form: SlipForm,
    pub storage_key: String,
}

pub struct Deciding {
    pub decision: Decision,
    /// The agency system's id for the decision, so a retry is recognised.
    pub event_id: String,
    pub officer: Option<String>,
    pub today: NaiveDate,
    /// A receipt's due date (the agency's, or the procedure's days counted from today).
    pub due_on: NaiveDate,
    /// A request for documents' last day.
    pub deadline: Option<NaiveDate>,
    pub slip: Option<NewSlip>,
    /// The applicant hears of the new status by SMS too.
    pub texting: Texting,
    pub now: NaiveDateTime,
}

#[derive(Debug)]
pub enum DecideOutcome {
    Decided,
    /// The same event id was recorded before: nothing changed.
    Repeat,
    NotAllowed(NotAllowed),
    NoDossier,
    OtherAgency,
}

/// Holds the dossier's row for the transaction (an update that changes nothing), so two
/// decisions on one dossier are judged one after the other; a refusal leaves it as it was.
fn hold(conn: &mut DbConn, code: &str) -> Result<Option<DossierRow>, DbError> {
    let touched = diesel::update(dossiers::table.find(code))
        .set(dossiers::updated_at.eq(dossiers::updated_at))
        .execute(conn)?;
    if touched == 0 {
        return Ok(None);
    }
    Ok(Some(dossiers::table.find(code).select(DossierRow::as_select()).first(conn)?))
}

fn status_of(row: &DossierRow) -> Result<DossierStatus, DbError> {
    DossierStatus::from_code(row.status)
        .ok_or_else(|| DbError::Corrupt(format!("dossier status {}", row.status)))
}

fn recorded_before(conn: &mut DbConn, code: &str, event_id: &str) -> Result<bool, DbError> {
    let count: i64 = dossier_events::table
        .filter(dossier_events::dossier_code.eq(code))
        .filter(dossier_events::event_id.eq(event_id))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

/// Takes a decision on one of the agency's dossiers.
pub fn decide(
    conn: &mut DbConn,
    agency_id: &str,
    code: &str,
    deciding: &Deciding,
) -> Result<DecideOutcome, DbError> {
    write_transaction(conn, |conn| {
        let Some(row) = hold(conn, code)? else {
            return Ok(DecideOutcome::NoDossier);
        };
        if row.agency_id != agency_id {
            return Ok(DecideOutcome::OtherAgency);
        }
        if recorded_before(conn, code, &deciding.event_id)? {
            return Ok(DecideOutcome::Repeat);
        }
        let current = status_of(&row)?;
        let decision = &deciding.decision;
        if let Err(refused) = judge(decision, current, row.due_on, deciding.today) {
            return Ok(DecideOutcome::NotAllowed(refused));
        }
        diesel::update(dossiers::table.find(code))
            .set(dossiers::updated_at.eq(deciding.now))
            .execute(conn)?;
        match decision {
            Decision::Receive { .. } => {
                diesel::update(dossiers::table.find(code))
                    .set((
                        dossiers::received_on.eq(deciding.today),
                        dossiers::due_on.eq(deciding.due_on),
                    ))
                    .execute(conn)?;
            }
            Decision::Reschedule { due_on, .. } => {
                diesel::update(dossiers::table.find(code))
                    .set(dossiers::due_on.eq(*due_on))
                    .execute(conn)?;
            }
            Decision::RequestDocuments { components, reason, .. } => {
                let deadline = deciding
                    .deadline
                    .ok_or_else(|| DbError::Corrupt("a request without its deadline".into()))?;
                diesel::insert_into(dossier_requests::table)
                    .values((
                        dossier_requests::dossier_code.eq(code),
                        dossier_requests::event_id.eq(&deciding.event_id),
                        dossier_requests::components.eq(serde_json::to_string(components)
                            .map_err(|e| DbError::Corrupt(e.to_string()))?),
                        dossier_requests::reason.eq(reason),
                        dossier_requests::deadline.eq(deadline),
                        dossier_requests::created_at.eq(deciding.now),
                    ))
                    .execute(conn)?;
            }
            _ => {}
        }
        let event = EventInput {
            event_id: deciding.event_id.clone(),
            status: decision.status_after(current),
            occurred_at: deciding.now,
            step: Some(decision.step()),
            department: None,
            officer: deciding.officer.clone(),
            note: decision.note(),
            reopens: false,
        };
        append_event(conn, code, &event, Some(&deciding.texting), deciding.now)?;
        if let Decision::Reschedule { due_on, .. } = decision {
            // The status stays, so the event itself tells no one: the apology does.
            let procedure_name = procedures::table
                .find(&row.procedure_code)
                .select(procedures::name)
                .first::<String>(conn)?;
            let notice = rescheduled_notice(code, &procedure_name, *due_on);
            for user_id in followers(conn, code)? {
                notifications::insert(conn, &user_id, &notice, deciding.now)?;
            }
        }
        if let Some(slip) = &deciding.slip {
            insert_slip(conn, code, slip, deciding.now)?;
        }
        Ok(DecideOutcome::Decided)
    })
}

fn insert_slip(
    conn: &mut DbConn,
    code: &str,
    slip: &NewSlip,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(dossier_slips::table)
        .values((
            dossier_slips::id.eq(&slip.id),
            dossier_slips::dossier_code.eq(code),
            dossier_slips::form.eq(slip.form.number()),
            dossier_slips::storage_key.eq(&slip.storage_key),
            dossier_slips::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn slip(conn: &mut DbConn, code: &str, id: &str) -> Result<Option<SlipRow>, DbError> {
    Ok(dossier_slips::table
        .filter(dossier_slips::dossier_code.eq(code))
        .filter(dossier_slips::id.eq(id))
        .select(SlipRow::as_select())
        .first(conn)
        .optional()?)
}

/// A request for more documents not answered yet.
#[derive(Debug, Clone)]
pub struct OpenRequest {
    pub event_id: String,
    pub components: Vec<String>,
    pub deadline: NaiveDate,
}

/// The dossier's latest unanswered request, if it is waiting for one.
pub fn open_request(conn: &mut DbConn, code: &str) -> Result<Option<OpenRequest>, DbError> {
    let found = dossier_requests::table
        .filter(dossier_requests::dossier_code.eq(code))
        .filter(dossier_requests::answered_at.is_null())
        .order(dossier_requests::created_at.desc())
        .select((
            dossier_requests::event_id,
            dossier_requests::components,
            dossier_requests::deadline,
        ))
        .first::<(String, String, NaiveDate)>(conn)
        .optional()?;
    found
        .map(|(event_id, components, deadline)| {
            let components = serde_json::from_str(&components)
                .map_err(|e| DbError::Corrupt(format!("a request's components: {e}")))?;
            Ok(OpenRequest { event_id, components, deadline })
        })
        .transpose()
}

#[derive(Debug)]
pub enum SupplementOutcome {
    Supplemented,
    /// Not a dossier this person submitted.
    NotTheirs,
    /// No request is waiting (answered already, or the dossier moved on).
    NothingAsked,
    /// The request answered is no longer the one waiting (another came meanwhile).
    RequestChanged,
    PastDeadline(NaiveDate),
}

/// The citizen's supplement: the files asked for, answering `request_event_id` by its
/// deadline; the dossier goes back to processing (4).
pub fn supplement(
    conn: &mut DbConn,
    user_id: &str,
    code: &str,
    request_event_id: &str,
    files: &[NewDossierFile],
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<SupplementOutcome, DbError> {
    write_transaction(conn, |conn| {
        let theirs = dossier_applications::table
            .filter(dossier_applications::dossier_code.eq(code))
            .filter(dossier_applications::submitted_by.eq(user_id))
            .count()
            .get_result::<i64>(conn)?
            == 1;
        let Some(row) = hold(conn, code)?.filter(|_| theirs) else {
            return Ok(SupplementOutcome::NotTheirs);
        };
        if status_of(&row)? != DossierStatus::MoreDocumentsNeeded {
            return Ok(SupplementOutcome::NothingAsked);
        }
        let Some(request) = open_request(conn, code)? else {
            return Ok(SupplementOutcome::NothingAsked);
        };
        if request.event_id != request_event_id {
            return Ok(SupplementOutcome::RequestChanged);
        }
        if today > request.deadline {
            return Ok(SupplementOutcome::PastDeadline(request.deadline));
        }
        insert_files(conn, code, files, now)?;
        diesel::update(dossiers::table.find(code))
            .set(dossiers::updated_at.eq(now))
            .execute(conn)?;
        diesel::update(dossier_requests::table.find((code, request_event_id)))
            .set(dossier_requests::answered_at.eq(now))
            .execute(conn)?;
        let event = EventInput {
            event_id: format!("supplement-{request_event_id}"),
            status: DossierStatus::Processing,
            occurred_at: now,
            step: Some("Công dân bổ sung hồ sơ".to_string()),
            department: None,
            officer: None,
            note: None,
            reopens: false,
        };
        // Back to processing, which texts no one: the applicant just sent the documents.
        append_event(conn, code, &event, None, now)?;
        webhooks::enqueue(conn, &row.agency_id, WebhookEvent::Supplemented, code, now)?;
        Ok(SupplementOutcome::Supplemented)
    })
}

/// Dossiers still waiting for documents whose deadline is before `today`, oldest first.
pub fn missed_requests(
    conn: &mut DbConn,
    today: NaiveDate,
    limit: i64,
) -> Result<Vec<(String, String)>, DbError> {
    Ok(dossier_requests::table
        .inner_join(dossiers::table)
        .filter(dossier_requests::answered_at.is_null())
        .filter(dossier_requests::deadline.lt(today))
        .filter(dossiers::status.eq(DossierStatus::MoreDocumentsNeeded.code()))
        .order(dossier_requests::deadline.asc())
        .limit(limit)
        .select((dossier_requests::dossier_code, dossier_requests::event_id))
        .load(conn)?)
}

/// Stops (8) a dossier whose request went unanswered past its deadline, if it is still
/// waiting for that request; `false` when something moved it on first.
pub fn stop_unanswered(
    conn: &mut DbConn,
    code: &str,
    request_event_id: &str,
    today: NaiveDate,
    texting: &Texting,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    write_transaction(conn, |conn| {
        let Some(row) = hold(conn, code)? else {
            return Ok(false);
        };
        let waiting = open_request(conn, code)?;
        let still_missed = status_of(&row)? == DossierStatus::MoreDocumentsNeeded
            && waiting.is_some_and(|r| r.event_id == request_event_id && r.deadline < today);
        if !still_missed {
            return Ok(false);
        }
        diesel::update(dossiers::table.find(code))
            .set(dossiers::updated_at.eq(now))
            .execute(conn)?;
        let event = EventInput {
            event_id: format!("supplement-missed-{request_event_id}"),
            status: DossierStatus::Stopped,
            occurred_at: now,
            step: Some("Dừng xử lý: quá hạn bổ sung hồ sơ".to_string()),
            department: None,
            officer: None,
            note: None,
            reopens: false,
        };
        let recorded = append_event(conn, code, &event, Some(texting), now)?;
        Ok(matches!(recorded, EventOutcome::Recorded { .. }))
    })
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = dossier_results)]
pub struct ResultRow {
    pub dossier_code: String,
    pub storage_key: String,
    pub byte_size: i64,
    pub sha256: String,
    pub attached_at: NaiveDateTime,
}

#[derive(Debug)]
pub enum AttachOutcome {
    /// Attached; the key of the document it replaced, to remove from the store.
    Attached {
        replaced: Option<String>,
    },
    /// Only a dossier that is done (9) or whose result was returned (10) has a result.
    NotDone(DossierStatus),
    NoDossier,
    OtherAgency,
}

/// Attaches the result document to one of the agency's dossiers once it is done.
pub fn attach_result(
    conn: &mut DbConn,
    agency_id: &str,
    code: &str,
    result: &ResultRow,
) -> Result<AttachOutcome, DbError> {
    write_transaction(conn, |conn| {
        let Some(row) = hold(conn, code)? else {
            return Ok(AttachOutcome::NoDossier);
        };
        if row.agency_id != agency_id {
            return Ok(AttachOutcome::OtherAgency);
        }
        let status = status_of(&row)?;
        if !status.is_finished() {
            return Ok(AttachOutcome::NotDone(status));
        }
        let replaced = result_of(conn, code)?.map(|before| before.storage_key);
        diesel::delete(dossier_results::table.find(code)).execute(conn)?;
        diesel::insert_into(dossier_results::table)
            .values((
                dossier_results::dossier_code.eq(code),
                dossier_results::storage_key.eq(&result.storage_key),
                dossier_results::byte_size.eq(result.byte_size),
                dossier_results::sha256.eq(&result.sha256),
                dossier_results::attached_at.eq(result.attached_at),
            ))
            .execute(conn)?;
        Ok(AttachOutcome::Attached { replaced })
    })
}

pub fn result_of(conn: &mut DbConn, code: &str) -> Result<Option<ResultRow>, DbError> {
    Ok(crate::row_by_key(dossier_results::table.find(code).select(ResultRow::as_select()), conn)?)
}

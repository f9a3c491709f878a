//! Dossiers citizens submit online: the dossier, what they submitted and their files are written
//! in one transaction with its code's sequence number, the submitter's follow, the first
//! timeline entry and the receiving agency's notice. The submitter may withdraw it.

use crate::dossiers::{append_event, EventInput, EventOutcome};
use crate::idempotency::{self, FirstRequest, IdempotencyKey};
use crate::pool::write_transaction;
use crate::schema::{
    agencies, dossier_applications, dossier_files, dossier_follows, dossier_sequences, dossiers,
    procedures,
};
use crate::words::Stored;
use crate::{notifications, webhooks, DbConn, DbError};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use smartcity_domain::application::online_dossier_code;
use smartcity_domain::dossier::{
    submitted_notice, DossierChannel, DossierOrigin, DossierStatus, Notice,
};
use smartcity_domain::procedure::FileType;
use smartcity_domain::webhook::WebhookEvent;

/// A file of a submission, already in the object store.
#[derive(Debug, Clone)]
pub struct NewDossierFile {
    pub id: String,
    pub component_code: String,
    pub file_type: FileType,
    pub storage_key: String,
    pub byte_size: i64,
    pub sha256: String,
}

pub struct NewOnlineDossier {
    pub agency_id: String,
    /// The agency's code, which opens the dossier's code.
    pub agency_code: String,
    pub procedure_code: String,
    pub applicant_name: String,
    /// The submitter's phone: the proof that looks the dossier up, as for any dossier.
    pub applicant_phone: String,
    pub submitted_by: String,
    /// `Application` as JSON.
    pub application: String,
    /// Vietnam's day of submission, and the due date the procedure's processing days give;
    /// the agency sets its own when it receives the dossier.
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub files: Vec<NewDossierFile>,
    pub idempotency: Option<IdempotencyKey>,
    pub now: NaiveDateTime,
}

#[derive(Debug)]
pub enum SubmitOutcome {
    Created {
        code: String,
    },
    /// The submitter used this idempotency key before: what was submitted under it then.
    Replayed(FirstRequest),
}

/// Writes an online dossier, all or nothing.
pub fn submit(conn: &mut DbConn, new: &NewOnlineDossier) -> Result<SubmitOutcome, DbError> {
    let written = write_transaction(conn, |conn| {
        let code = next_code(conn, &new.agency_id, &new.agency_code, new.received_on)?;
        if let Some(key) = &new.idempotency {
            idempotency::insert(conn, key, &code, new.now)?;
        }
        diesel::insert_into(dossiers::table)
            .values((
                dossiers::code.eq(&code),
                dossiers::agency_id.eq(&new.agency_id),
                dossiers::procedure_code.eq(&new.procedure_code),
                dossiers::applicant_name.eq(&new.applicant_name),
                dossiers::applicant_phone.eq(&new.applicant_phone),
                dossiers::received_on.eq(new.received_on),
                dossiers::due_on.eq(new.due_on),
                dossiers::status.eq(DossierStatus::Submitted.code()),
                dossiers::status_at.eq(new.now),
                dossiers::channel.eq(Stored(DossierChannel::Online)),
                dossiers::origin.eq(Stored(DossierOrigin::Online)),
                dossiers::created_at.eq(new.now),
                dossiers::updated_at.eq(new.now),
            ))
            .execute(conn)?;
        diesel::insert_into(dossier_applications::table)
            .values((
                dossier_applications::dossier_code.eq(&code),
                dossier_applications::submitted_by.eq(&new.submitted_by),
                dossier_applications::application.eq(&new.application),
                dossier_applications::submitted_at.eq(new.now),
            ))
            .execute(conn)?;
        insert_files(conn, &code, &new.files, new.now)?;
        let submitted = EventInput {
            event_id: "online-submission".to_string(),
            status: DossierStatus::Submitted,
            occurred_at: new.now,
            step: Some("Nộp hồ sơ trực tuyến".to_string()),
            department: None,
            officer: None,
            note: None,
            reopens: false,
        };
        // Submitted texts no one: the applicant just did it.
        append_event(conn, &code, &submitted, None, new.now)?;
        diesel::insert_into(dossier_follows::table)
            .values((
                dossier_follows::user_id.eq(&new.submitted_by),
                dossier_follows::dossier_code.eq(&code),
                dossier_follows::created_at.eq(new.now),
            ))
            .execute(conn)?;
        let procedure_name = procedures::table
            .find(&new.procedure_code)
            .select(procedures::name)
            .first::<String>(conn)?;
        let notice: Notice = submitted_notice(&code, &procedure_name);
        notifications::insert_for_agency_staff(conn, &new.agency_id, &notice, new.now)?;
        webhooks::enqueue(conn, &new.agency_id, WebhookEvent::Submitted, &code, new.now)?;
        Ok::<_, DbError>(code)
    });
    match written {
        Ok(code) => Ok(SubmitOutcome::Created { code }),
        Err(DbError::Duplicate(_)) if new.idempotency.is_some() => {
            let key = new.idempotency.as_ref().expect("checked above");
            idempotency::first(conn, &key.scope, &key.key)?
                .map(SubmitOutcome::Replayed)
                .ok_or_else(|| DbError::Corrupt("a duplicate key that is not stored".into()))
        }
        Err(err) => Err(err),
    }
}

/// The next code of the agency's online dossiers of `day`. The agency's row is held first (an
/// update that changes nothing) so two submissions to one agency number one after the other on
/// PostgreSQL; SQLite's write transaction already holds the whole database.
fn next_code(
    conn: &mut DbConn,
    agency_id: &str,
    agency_code: &str,
    day: NaiveDate,
) -> Result<String, DbError> {
    diesel::update(agencies::table.find(agency_id))
        .set(agencies::id.eq(agencies::id))
        .execute(conn)?;
    let row = dossier_sequences::table
        .filter(dossier_sequences::agency_id.eq(agency_id))
        .filter(dossier_sequences::day.eq(day));
    let number = match row.select(dossier_sequences::last_number).first::<i64>(conn).optional()? {
        Some(last) => {
            diesel::update(row).set(dossier_sequences::last_number.eq(last + 1)).execute(conn)?;
            last + 1
        }
        None => {
            diesel::insert_into(dossier_sequences::table)
                .values((
                    dossier_sequences::agency_id.eq(agency_id),
                    dossier_sequences::day.eq(day),
                    dossier_sequences::last_number.eq(1_i64),
                ))
                .execute(conn)?;
            1
        }
    };
    Ok(online_dossier_code(agency_code, day, number))
}

pub(crate) fn insert_files(
    conn: &mut DbConn,
    code: &str,
    files: &[NewDossierFile],
    now: NaiveDateTime,
) -> Result<(), DbError> {
    for (position, file) in (0..).zip(files) {
        diesel::insert_into(dossier_files::table)
            .values((
                dossier_files::id.eq(&file.id),
                dossier_files::dossier_code.eq(code),
                dossier_files::component_code.eq(&file.component_code),
                dossier_files::position.eq(position),
                dossier_files::file_type.eq(Stored(file.file_type)),
                dossier_files::storage_key.eq(&file.storage_key),
                dossier_files::byte_size.eq(file.byte_size),
                dossier_files::sha256.eq(&file.sha256),
                dossier_files::uploaded_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = dossier_files)]
pub struct DossierFileRow {
    pub id: String,
    pub dossier_code: String,
    pub component_code: String,
    pub position: i32,
    pub file_type: FileType,
    pub storage_key: String,
    pub byte_size: i64,
    pub sha256: String,
    pub uploaded_at: NaiveDateTime,
}

/// What was submitted online with a dossier: the application as JSON, who submitted it, and
/// the files in the order they came.
pub struct Submitted {
    /// `None` once the submitter erased their account.
    pub submitted_by: Option<String>,
    pub application: String,
    pub submitted_at: NaiveDateTime,
    pub files: Vec<DossierFileRow>,
}

/// The online submission of a dossier; `None` for one its agency's system sent.
pub fn submitted(conn: &mut DbConn, code: &str) -> Result<Option<Submitted>, DbError> {
    let found = dossier_applications::table
        .find(code)
        .select((
            dossier_applications::submitted_by,
            dossier_applications::application,
            dossier_applications::submitted_at,
        ))
        .first::<(Option<String>, String, NaiveDateTime)>(conn)
        .optional()?;
    let Some((submitted_by, application, submitted_at)) = found else {
        return Ok(None);
    };
    let files = dossier_files::table
        .filter(dossier_files::dossier_code.eq(code))
        .order((dossier_files::uploaded_at.asc(), dossier_files::position.asc()))
        .select(DossierFileRow::as_select())
        .load(conn)?;
    Ok(Some(Submitted { submitted_by, application, submitted_at, files }))
}

/// One file of a dossier.
pub fn file(
    conn: &mut DbConn,
    code: &str,
    file_id: &str,
) -> Result<Option<DossierFileRow>, DbError> {
    Ok(dossier_files::table
        .filter(dossier_files::dossier_code.eq(code))
        .filter(dossier_files::id.eq(file_id))
        .select(DossierFileRow::as_select())
        .first(conn)
        .optional()?)
}

#[derive(Debug)]
pub enum WithdrawOutcome {
    Withdrawn(EventOutcome),
    /// Decided already (or withdrawn before): too late to withdraw.
    TooLate(DossierStatus),
    /// Not a dossier this person submitted.
    NotTheirs,
}

/// Withdraws (status 7) a dossier the person submitted online, while it is not decided.
pub fn withdraw(
    conn: &mut DbConn,
    user_id: &str,
    code: &str,
    event: &EventInput,
    now: NaiveDateTime,
) -> Result<WithdrawOutcome, DbError> {
    write_transaction(conn, |conn| {
        let theirs = dossier_applications::table
            .filter(dossier_applications::dossier_code.eq(code))
            .filter(dossier_applications::submitted_by.eq(user_id))
            .select(dossier_applications::dossier_code);
        // Holds the dossier's row (an update that changes nothing) before judging its status,
        // so a refusal leaves it as it was.
        let touched = diesel::update(dossiers::table.filter(dossiers::code.eq_any(theirs)))
            .set(dossiers::updated_at.eq(dossiers::updated_at))
            .execute(conn)?;
        if touched == 0 {
            return Ok(WithdrawOutcome::NotTheirs);
        }
        let status = dossiers::table.find(code).select(dossiers::status).first::<i32>(conn)?;
        let status = DossierStatus::from_code(status)
            .ok_or_else(|| DbError::Corrupt(format!("dossier status {status}")))?;
        if !status.may_withdraw() {
            return Ok(WithdrawOutcome::TooLate(status));
        }
        diesel::update(dossiers::table.find(code))
            .set(dossiers::updated_at.eq(now))
            .execute(conn)?;
        // Withdrawn texts no one: the applicant asked for it.
        let recorded = append_event(conn, code, event, None, now)?;
        let agency_id =
            dossiers::table.find(code).select(dossiers::agency_id).first::<String>(conn)?;
        webhooks::enqueue(conn, &agency_id, WebhookEvent::Withdrawn, code, now)?;
        Ok(WithdrawOutcome::Withdrawn(recorded))
    })
}

//! Dossiers, their events, and who follows them.

use crate::pool::write_transaction;
use crate::schema::{
    agencies, dossier_events, dossier_follows, dossier_requests, dossier_results, dossier_slips,
    dossiers, procedures, users,
};
use crate::sms::{self, Texting};
use crate::words::Stored;
use crate::{notifications, DbConn, DbError};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use smartcity_domain::dossier::{
    derive_state, judge_event, status_notice, unlinked_notice, DossierChannel, DossierDates,
    DossierOrigin, DossierState, DossierStatus, EventDecision, PastEvent,
};
use smartcity_domain::sms::templates::dossier_sms;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = dossiers)]
pub struct DossierRow {
    pub code: String,
    pub agency_id: String,
    pub procedure_code: String,
    pub applicant_name: String,
    pub applicant_phone: String,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub status: i32,
    pub status_at: NaiveDateTime,
    pub finished_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub channel: DossierChannel,
    pub origin: DossierOrigin,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = dossier_events)]
pub struct EventRow {
    pub dossier_code: String,
    pub event_id: String,
    pub status: i32,
    pub occurred_at: NaiveDateTime,
    pub step: Option<String>,
    pub department: Option<String>,
    pub officer: Option<String>,
    pub note: Option<String>,
    pub reopens: bool,
    pub recorded_at: NaiveDateTime,
}

pub struct DossierInput {
    pub code: String,
    pub procedure_code: String,
    pub applicant_name: String,
    pub applicant_phone: String,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub channel: DossierChannel,
}

#[derive(Debug, PartialEq, Eq)]
pub enum UpsertOutcome {
    Created,
    /// Follows are proofs of the phone on file when they were made: a new phone ends them.
    Updated {
        followers_unlinked: usize,
    },
    /// The code belongs to another agency's dossier.
    OtherAgency,
    UnknownProcedure,
}

pub fn upsert(
    conn: &mut DbConn,
    agency_id: &str,
    input: &DossierInput,
    now: NaiveDateTime,
) -> Result<UpsertOutcome, DbError> {
    write_transaction(conn, |conn| {
        let procedure_exists =
            procedures::table.find(&input.procedure_code).count().get_result::<i64>(conn)? == 1;
        if !procedure_exists {
            return Ok(UpsertOutcome::UnknownProcedure);
        }
        let on_file = dossiers::table
            .find(&input.code)
            .select((dossiers::agency_id, dossiers::applicant_phone))
            .first::<(String, String)>(conn)
            .optional()?;
        let fields = (
            dossiers::procedure_code.eq(&input.procedure_code),
            dossiers::applicant_name.eq(&input.applicant_name),
            dossiers::applicant_phone.eq(&input.applicant_phone),
            dossiers::received_on.eq(input.received_on),
            dossiers::due_on.eq(input.due_on),
            dossiers::channel.eq(Stored(input.channel)),
            dossiers::updated_at.eq(now),
        );
        match on_file {
            Some((owner, _)) if owner != agency_id => Ok(UpsertOutcome::OtherAgency),
            Some((_, phone_on_file)) => {
                diesel::update(dossiers::table.find(&input.code)).set(fields).execute(conn)?;
                let followers_unlinked = if phone_on_file == input.applicant_phone {
                    0
                } else {
                    unlink_followers(conn, &input.code, now)?
                };
                Ok(UpsertOutcome::Updated { followers_unlinked })
            }
            None => {
                // Until the first event, a dossier is newly submitted as of its receipt.
                let received_at = input.received_on.and_hms_opt(0, 0, 0).expect("midnight exists");
                diesel::insert_into(dossiers::table)
                    .values((
                        dossiers::code.eq(&input.code),
                        dossiers::agency_id.eq(agency_id),
                        dossiers::status.eq(DossierStatus::Submitted.code()),
                        dossiers::status_at.eq(received_at),
                        dossiers::created_at.eq(now),
                        fields,
                    ))
                    .execute(conn)?;
                Ok(UpsertOutcome::Created)
            }
        }
    })
}

pub struct EventInput {
    pub event_id: String,
    pub status: DossierStatus,
    pub occurred_at: NaiveDateTime,
    pub step: Option<String>,
    pub department: Option<String>,
    pub officer: Option<String>,
    pub note: Option<String>,
    pub reopens: bool,
}

#[derive(Debug)]
pub enum EventOutcome {
    Recorded { state: DossierState, followers_notified: usize },
    Repeat,
    Closed(DossierStatus),
    NoDossier,
    OtherAgency,
}

/// Records an event, recomputes the dossier's state, and when the current status changed,
/// puts a notification in every follower's inbox: all in one transaction.
pub fn record_event(
    conn: &mut DbConn,
    agency_id: &str,
    code: &str,
    event: &EventInput,
    texting: Option<&Texting>,
    now: NaiveDateTime,
) -> Result<EventOutcome, DbError> {
    write_transaction(conn, |conn| {
        // Write first: it takes the row (PostgreSQL) or database (SQLite) lock before reading
        // the history, so two events for one dossier are judged one after the other.
        let touched = diesel::update(
            dossiers::table
                .filter(dossiers::code.eq(code))
                .filter(dossiers::agency_id.eq(agency_id)),
        )
        .set(dossiers::updated_at.eq(now))
        .execute(conn)?;
        if touched == 0 {
            let exists = dossiers::table.find(code).count().get_result::<i64>(conn)? == 1;
            return Ok(if exists { EventOutcome::OtherAgency } else { EventOutcome::NoDossier });
        }
        append_event(conn, code, event, texting, now)
    })
}

/// Judges an event against the dossier's history and, when it is new, records it, recomputes
/// the dossier's state and tells the followers of a change of status, and the applicant's
/// phone by SMS when `texting` is given and the status is one to text. The caller holds the
/// dossier's row in its transaction.
pub(crate) fn append_event(
    conn: &mut DbConn,
    code: &str,
    event: &EventInput,
    texting: Option<&Texting>,
    now: NaiveDateTime,
) -> Result<EventOutcome, DbError> {
    let dossier = dossiers::table.find(code).select(DossierRow::as_select()).first(conn)?;
    let mut history = past_events(conn, code)?;
    match judge_event(&history, &event.event_id, event.occurred_at, event.reopens) {
        EventDecision::Repeat => return Ok(EventOutcome::Repeat),
        EventDecision::Closed { status } => return Ok(EventOutcome::Closed(status)),
        EventDecision::Record => {}
    }
    diesel::insert_into(dossier_events::table)
        .values((
            dossier_events::dossier_code.eq(code),
            dossier_events::event_id.eq(&event.event_id),
            dossier_events::status.eq(event.status.code()),
            dossier_events::occurred_at.eq(event.occurred_at),
            dossier_events::step.eq(&event.step),
            dossier_events::department.eq(&event.department),
            dossier_events::officer.eq(&event.officer),
            dossier_events::note.eq(&event.note),
            dossier_events::reopens.eq(event.reopens),
            dossier_events::recorded_at.eq(now),
        ))
        .execute(conn)?;
    history.push(PastEvent {
        event_id: event.event_id.clone(),
        status: event.status,
        occurred_at: event.occurred_at,
        reopens: event.reopens,
    });
    let state = derive_state(&history).expect("at least the event just recorded");
    diesel::update(dossiers::table.find(code))
        .set((
            dossiers::status.eq(state.status.code()),
            dossiers::status_at.eq(state.status_at),
            dossiers::finished_on.eq(state.finished_on),
        ))
        .execute(conn)?;
    let mut followers_notified = 0;
    if state.status.code() != dossier.status {
        let procedure_name = procedures::table
            .find(&dossier.procedure_code)
            .select(procedures::name)
            .first::<String>(conn)?;
        let notice = status_notice(code, &procedure_name, state.status);
        let mut applicant_told = None;
        for (user_id, phone) in followers_with_phones(conn, code)? {
            let notification = notifications::insert(conn, &user_id, &notice, now)?;
            if phone == dossier.applicant_phone {
                applicant_told = Some(notification);
            }
            followers_notified += 1;
        }
        if let Some(texting) = texting {
            let date = match state.status {
                DossierStatus::Received => Some(dossier.due_on),
                DossierStatus::MoreDocumentsNeeded => request_deadline(conn, code)?,
                _ => None,
            };
            if let Some(update) = dossier_sms(state.status, date) {
                let phone = &dossier.applicant_phone;
                let covering = applicant_told.as_deref();
                sms::text_applicant(conn, texting, code, phone, update, covering, now)?;
            }
        }
    }
    Ok(EventOutcome::Recorded { state, followers_notified })
}

fn past_events(conn: &mut DbConn, code: &str) -> Result<Vec<PastEvent>, DbError> {
    events(conn, code)?
        .into_iter()
        .map(|row| {
            let status = DossierStatus::from_code(row.status)
                .ok_or_else(|| DbError::Corrupt(format!("dossier status {}", row.status)))?;
            Ok(PastEvent {
                event_id: row.event_id,
                status,
                occurred_at: row.occurred_at,
                reopens: row.reopens,
            })
        })
        .collect()
}

/// The timeline, oldest first (by event time, then by arrival).
pub fn events(conn: &mut DbConn, code: &str) -> Result<Vec<EventRow>, DbError> {
    Ok(dossier_events::table
        .filter(dossier_events::dossier_code.eq(code))
        .order((dossier_events::occurred_at.asc(), dossier_events::recorded_at.asc()))
        .select(EventRow::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut DbConn, code: &str) -> Result<Option<DossierRow>, DbError> {
    Ok(crate::row_by_key(dossiers::table.find(code).select(DossierRow::as_select()), conn)?)
}

/// Followers with the number of their account: the one with the applicant's number is the
/// applicant in the app.
fn followers_with_phones(conn: &mut DbConn, code: &str) -> Result<Vec<(String, String)>, DbError> {
    Ok(dossier_follows::table
        .inner_join(users::table)
        .filter(dossier_follows::dossier_code.eq(code))
        .select((dossier_follows::user_id, users::phone))
        .load(conn)?)
}

/// The deadline of the dossier's newest request for documents.
fn request_deadline(conn: &mut DbConn, code: &str) -> Result<Option<NaiveDate>, DbError> {
    Ok(dossier_requests::table
        .filter(dossier_requests::dossier_code.eq(code))
        .order(dossier_requests::created_at.desc())
        .select(dossier_requests::deadline)
        .first(conn)
        .optional()?)
}

pub(crate) fn followers(conn: &mut DbConn, code: &str) -> Result<Vec<String>, DbError> {
    Ok(dossier_follows::table
        .filter(dossier_follows::dossier_code.eq(code))
        .select(dossier_follows::user_id)
        .load(conn)?)
}

/// Ends every follow of a dossier and tells each former follower only that it is no longer
/// linked to them, in the caller's transaction.
fn unlink_followers(conn: &mut DbConn, code: &str, now: NaiveDateTime) -> Result<usize, DbError> {
    let former = followers(conn, code)?;
    diesel::delete(dossier_follows::table.filter(dossier_follows::dossier_code.eq(code)))
        .execute(conn)?;
    let notice = unlinked_notice(code);
    for user_id in &former {
        notifications::insert(conn, user_id, &notice, now)?;
    }
    Ok(former.len())
}

#[derive(Debug, PartialEq, Eq)]
pub enum FollowOutcome {
    Followed,
    AlreadyFollowed,
    /// The phone on file changed after the caller proved the old one.
    ProofOutdated,
}

/// Follows a dossier whose phone on file is still the one the caller proved.
pub fn follow(
    conn: &mut DbConn,
    user_id: &str,
    code: &str,
    proven_phone: &str,
    now: NaiveDateTime,
) -> Result<FollowOutcome, DbError> {
    write_transaction(conn, |conn| {
        // An update that changes nothing, to hold the dossier's row until commit: a phone
        // change cannot slip between this check and the follow (and then miss ending it).
        let still_proven = diesel::update(
            dossiers::table
                .filter(dossiers::code.eq(code))
                .filter(dossiers::applicant_phone.eq(proven_phone)),
        )
        .set(dossiers::applicant_phone.eq(dossiers::applicant_phone))
        .execute(conn)?
            == 1;
        if !still_proven {
            return Ok(FollowOutcome::ProofOutdated);
        }
        // The row held above also orders two follows of this dossier: check, then insert.
        let following = dossier_follows::table
            .filter(dossier_follows::user_id.eq(user_id))
            .filter(dossier_follows::dossier_code.eq(code))
            .count()
            .get_result::<i64>(conn)?
            > 0;
        if following {
            return Ok(FollowOutcome::AlreadyFollowed);
        }
        diesel::insert_into(dossier_follows::table)
            .values((
                dossier_follows::user_id.eq(user_id),
                dossier_follows::dossier_code.eq(code),
                dossier_follows::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(FollowOutcome::Followed)
    })
}

pub fn unfollow(conn: &mut DbConn, user_id: &str, code: &str) -> Result<bool, DbError> {
    let deleted = diesel::delete(
        dossier_follows::table
            .filter(dossier_follows::user_id.eq(user_id))
            .filter(dossier_follows::dossier_code.eq(code)),
    )
    .execute(conn)?;
    Ok(deleted == 1)
}

/// The dossiers a person follows, most recently followed first, with what a view needs.
pub fn followed_by(conn: &mut DbConn, user_id: &str) -> Result<Vec<DossierDetail>, DbError> {
    let codes: Vec<String> = dossier_follows::table
        .filter(dossier_follows::user_id.eq(user_id))
        .order(dossier_follows::created_at.desc())
        .select(dossier_follows::dossier_code)
        .load(conn)?;
    let mut details = Vec::with_capacity(codes.len());
    for code in codes {
        if let Some(detail) = detail(conn, &code)? {
            details.push(detail);
        }
    }
    Ok(details)
}

pub struct DossierDetail {
    pub dossier: DossierRow,
    pub procedure_name: String,
    pub agency_name: String,
    pub events: Vec<EventRow>,
    pub slips: Vec<SlipRow>,
    /// When the agency attached the result document, if it did.
    pub result_attached_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = dossier_slips)]
pub struct SlipRow {
    pub id: String,
    pub dossier_code: String,
    pub form: i32,
    pub storage_key: String,
    pub created_at: NaiveDateTime,
}

/// A dossier's slips, oldest first.
pub fn slips(conn: &mut DbConn, code: &str) -> Result<Vec<SlipRow>, DbError> {
    Ok(dossier_slips::table
        .filter(dossier_slips::dossier_code.eq(code))
        .order((dossier_slips::created_at.asc(), dossier_slips::id.asc()))
        .select(SlipRow::as_select())
        .load(conn)?)
}

/// A dossier with its procedure's and agency's names and its timeline.
pub fn detail(conn: &mut DbConn, code: &str) -> Result<Option<DossierDetail>, DbError> {
    let query = dossiers::table
        .inner_join(procedures::table)
        .inner_join(agencies::table)
        .left_join(dossier_results::table)
        .filter(dossiers::code.eq(code))
        .select((
            DossierRow::as_select(),
            procedures::name,
            agencies::name,
            dossier_results::attached_at.nullable(),
        ));
    let found =
        crate::row_by_key::<_, (DossierRow, String, String, Option<NaiveDateTime>)>(query, conn)?;
    let Some((dossier, procedure_name, agency_name, result_attached_at)) = found else {
        return Ok(None);
    };
    let events = events(conn, code)?;
    let slips = slips(conn, code)?;
    Ok(Some(DossierDetail {
        dossier,
        procedure_name,
        agency_name,
        events,
        slips,
        result_attached_at,
    }))
}

#[derive(Debug, Default, Clone)]
pub struct AgencyFilter {
    pub status: Option<i32>,
    /// Open (not finished, not closed) and due on or before this day.
    pub open_due_by: Option<NaiveDate>,
    pub procedure_code: Option<String>,
    /// Received on or after the first day and on or before the second.
    pub received_between: (Option<NaiveDate>, Option<NaiveDate>),
    pub origin: Option<DossierOrigin>,
    pub order: AgencyOrder,
}

/// The order of an agency's list.
#[derive(Debug, Default, Clone)]
pub enum AgencyOrder {
    /// Soonest due first: what to work on.
    #[default]
    DueFirst,
    /// In the order they came, after the `(created_at, code)` of the last one seen: how the
    /// agency's system pulls what is new.
    Arrival { after: Option<(NaiveDateTime, String)> },
}

/// An agency's dossiers in the filter's order.
pub fn list_for_agency(
    conn: &mut DbConn,
    agency_id: &str,
    filter: &AgencyFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<DossierRow>, i64), DbError> {
    let query = || {
        let mut q =
            dossiers::table.filter(dossiers::agency_id.eq(agency_id.to_string())).into_boxed();
        if let Some(status) = filter.status {
            q = q.filter(dossiers::status.eq(status));
        }
        if let Some(day) = filter.open_due_by {
            let done: Vec<i32> = DossierStatus::ALL
                .into_iter()
                .filter(|s| s.closes() || s.is_finished())
                .map(DossierStatus::code)
                .collect();
            q = q.filter(dossiers::due_on.le(day)).filter(dossiers::status.ne_all(done));
        }
        if let Some(procedure) = &filter.procedure_code {
            q = q.filter(dossiers::procedure_code.eq(procedure.clone()));
        }
        if let Some(from) = filter.received_between.0 {
            q = q.filter(dossiers::received_on.ge(from));
        }
        if let Some(to) = filter.received_between.1 {
            q = q.filter(dossiers::received_on.le(to));
        }
        if let Some(origin) = filter.origin {
            q = q.filter(dossiers::origin.eq(Stored(origin)));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let rows = match &filter.order {
        AgencyOrder::DueFirst => query()
            .order((dossiers::due_on.asc(), dossiers::code.asc()))
            .offset(offset)
            .limit(limit)
            .select(DossierRow::as_select())
            .load(conn)?,
        AgencyOrder::Arrival { after } => {
            let mut q = query();
            if let Some((at, code)) = after {
                q = q.filter(
                    dossiers::created_at
                        .gt(*at)
                        .or(dossiers::created_at.eq(*at).and(dossiers::code.gt(code.clone()))),
                );
            }
            q.order((dossiers::created_at.asc(), dossiers::code.asc()))
                .limit(limit)
                .select(DossierRow::as_select())
                .load(conn)?
        }
    };
    Ok((rows, total))
}

/// Per agency, its online dossiers still not received (status 1) that came on or before
/// `submitted_by`, for the public figures. No personal data.
pub fn unreceived_counts(
    conn: &mut DbConn,
    submitted_by: NaiveDate,
) -> Result<Vec<(String, i64)>, DbError> {
    Ok(dossiers::table
        .filter(dossiers::origin.eq(Stored(DossierOrigin::Online)))
        .filter(dossiers::status.eq(DossierStatus::Submitted.code()))
        .filter(dossiers::received_on.le(submitted_by))
        .group_by(dossiers::agency_id)
        .select((dossiers::agency_id, diesel::dsl::count_star()))
        .load(conn)?)
}

/// How many dossiers there are.
pub fn count(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(dossiers::table.count().get_result(conn)?)
}

/// Received or finished on or after `since`, for the public statistics. No personal data.
pub fn dates_since(conn: &mut DbConn, since: NaiveDate) -> Result<Vec<DossierDates>, DbError> {
    let rows: Vec<(String, DossierChannel, NaiveDate, NaiveDate, Option<NaiveDate>)> =
        dossiers::table
            .filter(dossiers::received_on.ge(since).or(dossiers::finished_on.ge(since)))
            .select((
                dossiers::agency_id,
                dossiers::channel,
                dossiers::received_on,
                dossiers::due_on,
                dossiers::finished_on,
            ))
            .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(agency_id, channel, received_on, due_on, finished_on)| DossierDates {
            agency_id,
            channel,
            received_on,
            due_on,
            finished_on,
        })
        .collect())
}

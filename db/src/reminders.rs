//! What the reminder job reads and marks. Each reminder is claimed by setting its marker
//! column only where it is still empty, in the transaction that writes the staff's notices, so
//! instances running the job at once never remind twice.

use crate::notifications::insert_for_agency_staff;
use crate::pool::write_transaction;
use crate::schema::{complaints, dossiers, overdue_digests, procedures};
use crate::sms::{self, Texting};
use crate::words::Stored;
use crate::{DbConn, DbError};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use smartcity_domain::complaint::ComplaintStatus;
use smartcity_domain::dossier::{DossierOrigin, DossierStatus, Notice};
use smartcity_domain::reminder::Reminder;

/// Complaint statuses an agency still has to act on.
const OPEN_COMPLAINTS: [Stored<ComplaintStatus>; 3] = [
    Stored(ComplaintStatus::OPEN[0]),
    Stored(ComplaintStatus::OPEN[1]),
    Stored(ComplaintStatus::OPEN[2]),
];
const BATCH: i64 = 500;

pub struct DueComplaint {
    pub id: String,
    pub agency_id: String,
    pub category_code: String,
    pub due_at: NaiveDateTime,
}

/// Open complaints due in `(from, to]` whose `reminder` has not been given yet.
pub fn complaints_due(
    conn: &mut DbConn,
    reminder: Reminder,
    from: Option<NaiveDateTime>,
    to: NaiveDateTime,
) -> Result<Vec<DueComplaint>, DbError> {
    let mut query = complaints::table
        .filter(complaints::status.eq_any(OPEN_COMPLAINTS))
        .filter(complaints::due_at.le(to))
        .order(complaints::due_at.asc())
        .limit(BATCH)
        .select((
            complaints::id,
            complaints::agency_id,
            complaints::category_code,
            complaints::due_at,
        ))
        .into_boxed();
    if let Some(from) = from {
        query = query.filter(complaints::due_at.gt(from));
    }
    query = match reminder {
        Reminder::DueSoon => query.filter(complaints::due_reminded_at.is_null()),
        Reminder::Overdue => query.filter(complaints::overdue_reminded_at.is_null()),
    };
    Ok(query
        .load::<(String, String, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(id, agency_id, category_code, due_at)| DueComplaint {
            id,
            agency_id,
            category_code,
            due_at,
        })
        .collect())
}

/// Marks the complaint reminded and tells its agency's staff; false when another run did first.
pub fn remind_complaint(
    conn: &mut DbConn,
    complaint: &DueComplaint,
    reminder: Reminder,
    notice: &Notice,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    write_transaction(conn, |conn| {
        let row = complaints::table.find(&complaint.id);
        let claimed = match reminder {
            Reminder::DueSoon => diesel::update(row.filter(complaints::due_reminded_at.is_null()))
                .set(complaints::due_reminded_at.eq(now))
                .execute(conn)?,
            Reminder::Overdue => {
                diesel::update(row.filter(complaints::overdue_reminded_at.is_null()))
                    .set(complaints::overdue_reminded_at.eq(now))
                    .execute(conn)?
            }
        };
        if claimed == 1 {
            insert_for_agency_staff(conn, &complaint.agency_id, notice, now)?;
        }
        Ok(claimed == 1)
    })
}

pub struct DueDossier {
    pub code: String,
    pub agency_id: String,
    pub procedure_name: String,
    pub due_on: NaiveDate,
}

fn finished_statuses() -> Vec<i32> {
    DossierStatus::ALL
        .into_iter()
        .filter(|s| s.closes() || s.is_finished())
        .map(DossierStatus::code)
        .collect()
}

/// Dossiers still in hand due in `(after, by]` whose `reminder` has not been given yet.
pub fn dossiers_due(
    conn: &mut DbConn,
    reminder: Reminder,
    after: Option<NaiveDate>,
    by: NaiveDate,
) -> Result<Vec<DueDossier>, DbError> {
    let mut query = dossiers::table
        .inner_join(procedures::table)
        .filter(dossiers::status.ne_all(finished_statuses()))
        .filter(dossiers::due_on.le(by))
        .order(dossiers::due_on.asc())
        .limit(BATCH)
        .select((dossiers::code, dossiers::agency_id, procedures::name, dossiers::due_on))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(dossiers::due_on.gt(after));
    }
    query = match reminder {
        Reminder::DueSoon => query.filter(dossiers::due_reminded_at.is_null()),
        Reminder::Overdue => query.filter(dossiers::overdue_reminded_at.is_null()),
    };
    Ok(query
        .load::<(String, String, String, NaiveDate)>(conn)?
        .into_iter()
        .map(|(code, agency_id, procedure_name, due_on)| DueDossier {
            code,
            agency_id,
            procedure_name,
            due_on,
        })
        .collect())
}

/// Marks the dossier reminded and tells its agency's staff; false when another run did first.
pub fn remind_dossier(
    conn: &mut DbConn,
    dossier: &DueDossier,
    reminder: Reminder,
    notice: &Notice,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    write_transaction(conn, |conn| {
        let row = dossiers::table.find(&dossier.code);
        let claimed = match reminder {
            Reminder::DueSoon => diesel::update(row.filter(dossiers::due_reminded_at.is_null()))
                .set(dossiers::due_reminded_at.eq(now))
                .execute(conn)?,
            Reminder::Overdue => {
                diesel::update(row.filter(dossiers::overdue_reminded_at.is_null()))
                    .set(dossiers::overdue_reminded_at.eq(now))
                    .execute(conn)?
            }
        };
        if claimed == 1 {
            insert_for_agency_staff(conn, &dossier.agency_id, notice, now)?;
        }
        Ok(claimed == 1)
    })
}

/// Per agency, its overdue complaints and dossiers announced before `announced_before` (those
/// announced since had their own notice today).
pub fn overdue_counts(
    conn: &mut DbConn,
    announced_before: NaiveDateTime,
) -> Result<Vec<(String, i64, i64)>, DbError> {
    let complaints: Vec<(String, i64)> = complaints::table
        .filter(complaints::status.eq_any(OPEN_COMPLAINTS))
        .filter(complaints::overdue_reminded_at.lt(announced_before))
        .group_by(complaints::agency_id)
        .select((complaints::agency_id, diesel::dsl::count_star()))
        .load(conn)?;
    let dossiers: Vec<(String, i64)> = dossiers::table
        .filter(dossiers::status.ne_all(finished_statuses()))
        .filter(dossiers::overdue_reminded_at.lt(announced_before))
        .group_by(dossiers::agency_id)
        .select((dossiers::agency_id, diesel::dsl::count_star()))
        .load(conn)?;
    let mut counts: Vec<(String, i64, i64)> =
        complaints.into_iter().map(|(agency, n)| (agency, n, 0)).collect();
    for (agency, n) in dossiers {
        match counts.iter_mut().find(|(a, ..)| *a == agency) {
            Some(entry) => entry.2 = n,
            None => counts.push((agency, 0, n)),
        }
    }
    Ok(counts)
}

/// An agency's daily digest: the notice for its staff's inboxes, and how many items it counts
/// for those who also get it by SMS.
pub struct Digest {
    pub notice: Notice,
    pub overdue: u32,
    pub texting: Texting,
}

/// Sends an agency's digest for `day` unless one went out already (by SMS too where the agency
/// chose it); true when this one did.
pub fn send_digest(
    conn: &mut DbConn,
    agency_id: &str,
    day: NaiveDate,
    digest: &Digest,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let sent = write_transaction(conn, |conn| {
        let already =
            overdue_digests::table.find((agency_id, day)).count().get_result::<i64>(conn)? > 0;
        if already {
            return Ok(false);
        }
        diesel::insert_into(overdue_digests::table)
            .values((
                overdue_digests::agency_id.eq(agency_id),
                overdue_digests::day.eq(day),
                overdue_digests::sent_at.eq(now),
            ))
            .execute(conn)?;
        insert_for_agency_staff(conn, agency_id, &digest.notice, now)?;
        sms::text_staff_overdue(conn, &digest.texting, agency_id, digest.overdue, now)?;
        Ok(true)
    });
    match sent {
        // Another instance sent it between the check and the insert.
        Err(DbError::Duplicate(_)) => Ok(false),
        other => other,
    }
}

/// An online dossier no one has received yet.
pub struct UnreceivedDossier {
    pub code: String,
    pub agency_id: String,
    pub procedure_name: String,
}

/// Online dossiers still newly submitted (1) that came on or before `submitted_by` and whose
/// staff have not been reminded of them yet.
pub fn unreceived(
    conn: &mut DbConn,
    submitted_by: NaiveDate,
) -> Result<Vec<UnreceivedDossier>, DbError> {
    let rows: Vec<(String, String, String)> = dossiers::table
        .inner_join(procedures::table)
        .filter(dossiers::origin.eq(Stored(DossierOrigin::Online)))
        .filter(dossiers::status.eq(DossierStatus::Submitted.code()))
        .filter(dossiers::received_on.le(submitted_by))
        .filter(dossiers::unreceived_reminded_at.is_null())
        .order(dossiers::created_at.asc())
        .limit(BATCH)
        .select((dossiers::code, dossiers::agency_id, procedures::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(code, agency_id, procedure_name)| UnreceivedDossier {
            code,
            agency_id,
            procedure_name,
        })
        .collect())
}

/// Marks the dossier's staff reminded and tells them; false when another run did first.
pub fn remind_unreceived(
    conn: &mut DbConn,
    dossier: &UnreceivedDossier,
    notice: &Notice,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    write_transaction(conn, |conn| {
        let row =
            dossiers::table.find(&dossier.code).filter(dossiers::unreceived_reminded_at.is_null());
        let claimed =
            diesel::update(row).set(dossiers::unreceived_reminded_at.eq(now)).execute(conn)? == 1;
        if claimed {
            insert_for_agency_staff(conn, &dossier.agency_id, notice, now)?;
        }
        Ok(claimed)
    })
}

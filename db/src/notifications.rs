//! The in-app inbox and what people turned off. Rows are written by the repository that makes
//! the change they announce, inside its transaction, together with a push per device of the
//! recipient (the outbox) unless they turned that kind off.

use crate::pool::write_transaction;
use crate::schema::{devices, notification_mutes, notifications, push_outbox, users};
use crate::words::Stored;
use crate::{new_id, DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use smartcity_domain::account::Role;
use smartcity_domain::dossier::Notice;
use smartcity_domain::push::{NotificationKind, PushStatus};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: String,
    pub user_id: String,
    pub kind: NotificationKind,
    pub title_vi: String,
    pub body_vi: String,
    pub title_en: String,
    pub body_en: String,
    pub data: String,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

/// Puts a notice in a person's inbox and queues its pushes; returns the notification's id.
pub fn insert(
    conn: &mut DbConn,
    user_id: &str,
    notice: &Notice,
    now: NaiveDateTime,
) -> Result<String, DbError> {
    let data = serde_json::to_string(&notice.data).expect("a string map serializes");
    let id = new_id();
    diesel::insert_into(notifications::table)
        .values((
            notifications::id.eq(&id),
            notifications::user_id.eq(user_id),
            notifications::kind.eq(Stored(notice.kind)),
            notifications::title_vi.eq(&notice.title_vi),
            notifications::body_vi.eq(&notice.body_vi),
            notifications::title_en.eq(&notice.title_en),
            notifications::body_en.eq(&notice.body_en),
            notifications::data.eq(data),
            notifications::created_at.eq(now),
        ))
        .execute(conn)?;
    let muted = notification_mutes::table
        .filter(notification_mutes::user_id.eq(user_id))
        .filter(notification_mutes::kind.eq(Stored(notice.kind)))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if muted {
        return Ok(id);
    }
    let tokens: Vec<String> =
        devices::table.filter(devices::user_id.eq(user_id)).select(devices::token).load(conn)?;
    for token in tokens {
        diesel::insert_into(push_outbox::table)
            .values((
                push_outbox::id.eq(new_id()),
                push_outbox::notification_id.eq(&id),
                push_outbox::device_token.eq(token),
                push_outbox::status.eq(Stored(PushStatus::Queued)),
                push_outbox::attempts.eq(0),
                push_outbox::due_at.eq(now),
                push_outbox::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

/// Tells every active staff member of an agency, in the caller's transaction.
pub fn insert_for_agency_staff(
    conn: &mut DbConn,
    agency_id: &str,
    notice: &Notice,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let staff: Vec<String> = users::table
        .filter(users::agency_id.eq(agency_id))
        .filter(users::role.eq(Stored(Role::Staff)))
        .filter(users::disabled.eq(false))
        .select(users::id)
        .load(conn)?;
    for user_id in staff {
        insert(conn, &user_id, notice, now)?;
    }
    Ok(())
}

/// A page of a person's inbox, newest first, after the `(created_at, id)` of the last item
/// seen; one more than `limit` tells the caller another page follows.
pub fn page(
    conn: &mut DbConn,
    user_id: &str,
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<NotificationRow>, DbError> {
    let mut query = notifications::table
        .filter(notifications::user_id.eq(user_id))
        .order((notifications::created_at.desc(), notifications::id.desc()))
        .select(NotificationRow::as_select())
        .limit(limit + 1)
        .into_boxed();
    if let Some((at, id)) = before {
        query = query.filter(
            notifications::created_at
                .lt(at)
                .or(notifications::created_at.eq(at).and(notifications::id.lt(id))),
        );
    }
    Ok(query.load(conn)?)
}

pub fn unread_count(conn: &mut DbConn, user_id: &str) -> Result<i64, DbError> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Marks one of this person's notifications read; false when they have no such notification.
pub fn mark_read(
    conn: &mut DbConn,
    user_id: &str,
    id: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let mine = notifications::table
        .filter(notifications::id.eq(id))
        .filter(notifications::user_id.eq(user_id));
    let exists = mine.count().get_result::<i64>(conn)? == 1;
    diesel::update(mine.filter(notifications::read_at.is_null()))
        .set(notifications::read_at.eq(now))
        .execute(conn)?;
    Ok(exists)
}

/// Marks all of a person's notifications read; returns how many were unread.
pub fn mark_all_read(
    conn: &mut DbConn,
    user_id: &str,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    Ok(diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now))
    .execute(conn)?)
}

/// The kinds this person turned off.
pub fn muted_kinds(conn: &mut DbConn, user_id: &str) -> Result<Vec<NotificationKind>, DbError> {
    Ok(notification_mutes::table
        .filter(notification_mutes::user_id.eq(user_id))
        .select(notification_mutes::kind)
        .order(notification_mutes::kind.asc())
        .load(conn)?)
}

/// Replaces the kinds this person turned off.
pub fn set_muted_kinds(
    conn: &mut DbConn,
    user_id: &str,
    kinds: &[NotificationKind],
) -> Result<(), DbError> {
    write_transaction(conn, |conn| {
        diesel::delete(notification_mutes::table.filter(notification_mutes::user_id.eq(user_id)))
            .execute(conn)?;
        for kind in kinds {
            diesel::insert_into(notification_mutes::table)
                .values((
                    notification_mutes::user_id.eq(user_id),
                    notification_mutes::kind.eq(Stored(*kind)),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

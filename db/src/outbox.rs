//! The push outbox: one row per (notification, device), queued in the transaction that wrote
//! the notification. Workers claim due rows under a lease; a row whose worker died is claimed
//! again when its lease runs out, so nothing queued is lost or skipped.

use crate::lease::{self, Claimed, Outbox};
use crate::notifications::NotificationRow;
use crate::pool::write_transaction;
use crate::schema::{devices, notifications, push_outbox, users};
use crate::words::Stored;
use crate::{DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use smartcity_domain::push::{Platform, PushStatus};
use smartcity_domain::{Bilingual, Lang};

/// Claims up to `limit` due pushes until `lease_until`.
pub fn claim(
    conn: &mut DbConn,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Claimed>, DbError> {
    let statuses = (PushStatus::Queued, PushStatus::Sending);
    lease::claim(conn, Outbox::Push, statuses, now, lease_until, limit)
}

/// What a claimed push carries: the notification, and the device it goes to (None when the
/// device was removed since the push was queued).
pub struct Push {
    pub id: String,
    pub attempts: i32,
    pub device_token: String,
    pub notification: NotificationRow,
    /// The device's platform and language; None when it was removed since.
    pub device: Option<(Platform, Lang)>,
    /// The recipient's unread notifications, for the app icon's badge.
    pub unread: i64,
}

/// The claimed rows with what they carry.
pub fn load(conn: &mut DbConn, claimed: &[Claimed]) -> Result<Vec<Push>, DbError> {
    let ids: Vec<&str> = claimed.iter().map(|c| c.id.as_str()).collect();
    let rows: Vec<(String, String, NotificationRow)> = push_outbox::table
        .inner_join(notifications::table)
        .filter(push_outbox::id.eq_any(&ids))
        .select((push_outbox::id, push_outbox::device_token, NotificationRow::as_select()))
        .load(conn)?;
    let users: Vec<&str> = rows.iter().map(|(.., n)| n.user_id.as_str()).collect();
    let unread: Vec<(String, i64)> = notifications::table
        .filter(notifications::user_id.eq_any(&users))
        .filter(notifications::read_at.is_null())
        .group_by(notifications::user_id)
        .select((notifications::user_id, diesel::dsl::count_star()))
        .load(conn)?;
    let tokens: Vec<&str> = rows.iter().map(|(_, token, _)| token.as_str()).collect();
    let device_rows: Vec<(String, Platform, Lang)> = devices::table
        .filter(devices::token.eq_any(&tokens))
        .select((devices::token, devices::platform, devices::lang))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, device_token, notification)| {
            let device = device_rows
                .iter()
                .find(|(token, ..)| *token == device_token)
                .map(|(_, platform, lang)| (*platform, *lang));
            let attempts = claimed.iter().find(|c| c.id == id).map_or(1, |c| c.attempts);
            let unread =
                unread.iter().find(|(u, _)| *u == notification.user_id).map_or(0, |(_, n)| *n);
            Push { id, attempts, device_token, notification, device, unread }
        })
        .collect())
}

/// What became of a claimed push.
pub enum Settlement {
    Sent,
    /// Back in the queue, due then.
    RetryAt(NaiveDateTime, String),
    /// The device token is dead: the device is forgotten and the push dropped.
    DeadToken(String),
    /// Finished without a send (skipped, dropped or dead), and why.
    Finished(PushStatus, String),
}

/// Records a batch of outcomes `(push id, device token, settlement)` in one transaction. Only
/// rows still `sending` are touched: if a lease ran out and another worker took the row, that
/// worker records its outcome.
pub fn settle(
    conn: &mut DbConn,
    outcomes: &[(String, String, Settlement)],
    now: NaiveDateTime,
) -> Result<(), DbError> {
    write_transaction(conn, |conn| {
        for (id, device_token, settlement) in outcomes {
            let row = push_outbox::table
                .find(id)
                .filter(push_outbox::status.eq(Stored(PushStatus::Sending)));
            let (status, error) = match settlement {
                Settlement::RetryAt(due_at, error) => {
                    diesel::update(row)
                        .set((
                            push_outbox::status.eq(Stored(PushStatus::Queued)),
                            push_outbox::due_at.eq(due_at),
                            push_outbox::last_error.eq(error),
                            push_outbox::lease_until.eq(None::<NaiveDateTime>),
                        ))
                        .execute(conn)?;
                    continue;
                }
                Settlement::Sent => (PushStatus::Sent, None),
                Settlement::DeadToken(reason) => {
                    diesel::delete(devices::table.find(device_token)).execute(conn)?;
                    (PushStatus::Dropped, Some(reason))
                }
                Settlement::Finished(status, reason) => (*status, Some(reason)),
            };
            diesel::update(row)
                .set((
                    push_outbox::status.eq(Stored(status)),
                    push_outbox::last_error.eq(error),
                    push_outbox::lease_until.eq(None::<NaiveDateTime>),
                    push_outbox::finished_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = push_outbox)]
pub struct OutboxRow {
    pub id: String,
    pub notification_id: String,
    pub device_token: String,
    pub status: PushStatus,
    pub attempts: i32,
    pub due_at: NaiveDateTime,
    pub lease_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

/// Dead letters, newest first.
pub fn dead_letters(conn: &mut DbConn, limit: i64) -> Result<Vec<OutboxRow>, DbError> {
    Ok(push_outbox::table
        .filter(push_outbox::status.eq(Stored(PushStatus::Dead)))
        .order((push_outbox::finished_at.desc(), push_outbox::id.desc()))
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(conn)?)
}

/// Who each of these notifications was for (their name) and its title in both languages:
/// what a dead letter carried, for the administrator deciding whether to send it again.
pub fn addressees(
    conn: &mut DbConn,
    notification_ids: &[&str],
) -> Result<Vec<(String, String, Bilingual)>, DbError> {
    let rows: Vec<(String, String, String, String)> = notifications::table
        .inner_join(users::table)
        .filter(notifications::id.eq_any(notification_ids))
        .select((
            notifications::id,
            users::display_name,
            notifications::title_vi,
            notifications::title_en,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, name, vi, en)| (id, name, Bilingual { vi, en })).collect())
}

/// Queues a dead letter again, with its attempts reset; false when there is no such dead letter.
pub fn requeue(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> Result<bool, DbError> {
    let updated = diesel::update(
        push_outbox::table.find(id).filter(push_outbox::status.eq(Stored(PushStatus::Dead))),
    )
    .set((
        push_outbox::status.eq(Stored(PushStatus::Queued)),
        push_outbox::attempts.eq(0),
        push_outbox::due_at.eq(now),
        push_outbox::finished_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// How many pushes wait (queued or being sent) and since when the oldest queued one is due.
pub fn backlog(conn: &mut DbConn) -> Result<(i64, Option<NaiveDateTime>), DbError> {
    let waiting = push_outbox::table
        .filter(
            push_outbox::status.eq_any([Stored(PushStatus::Queued), Stored(PushStatus::Sending)]),
        )
        .count()
        .get_result(conn)?;
    let oldest = push_outbox::table
        .filter(push_outbox::status.eq(Stored(PushStatus::Queued)))
        .select(diesel::dsl::min(push_outbox::due_at))
        .first(conn)?;
    Ok((waiting, oldest))
}

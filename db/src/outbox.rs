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
/// worker records its outcome. Rows that end alike are written by one statement, so a batch of
/// pushes that were all sent is one `UPDATE`, not one round trip per push.
pub fn settle(
    conn: &mut DbConn,
    outcomes: &[(String, String, Settlement)],
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let mut finished: Groups<(PushStatus, Option<&str>)> = Vec::new();
    let mut retried: Groups<(NaiveDateTime, &str)> = Vec::new();
    let mut dead_tokens: Vec<&str> = Vec::new();
    for (id, device_token, settlement) in outcomes {
        match settlement {
            Settlement::Sent => add_to_group(&mut finished, (PushStatus::Sent, None), id),
            Settlement::RetryAt(due_at, error) => add_to_group(&mut retried, (*due_at, error), id),
            Settlement::DeadToken(reason) => {
                dead_tokens.push(device_token);
                add_to_group(&mut finished, (PushStatus::Dropped, Some(reason)), id);
            }
            Settlement::Finished(status, reason) => {
                add_to_group(&mut finished, (*status, Some(reason)), id)
            }
        }
    }
    write_transaction(conn, |conn| {
        for tokens in dead_tokens.chunks(IDS_PER_STATEMENT) {
            diesel::delete(devices::table.filter(devices::token.eq_any(tokens))).execute(conn)?;
        }
        for ((status, error), ids) in &finished {
            for ids in ids.chunks(IDS_PER_STATEMENT) {
                diesel::update(still_sending(ids))
                    .set((
                        push_outbox::status.eq(Stored(*status)),
                        push_outbox::last_error.eq(error),
                        push_outbox::lease_until.eq(None::<NaiveDateTime>),
                        push_outbox::finished_at.eq(now),
                    ))
                    .execute(conn)?;
            }
        }
        for ((due_at, error), ids) in &retried {
            for ids in ids.chunks(IDS_PER_STATEMENT) {
                diesel::update(still_sending(ids))
                    .set((
                        push_outbox::status.eq(Stored(PushStatus::Queued)),
                        push_outbox::due_at.eq(due_at),
                        push_outbox::last_error.eq(error),
                        push_outbox::lease_until.eq(None::<NaiveDateTime>),
                    ))
                    .execute(conn)?;
            }
        }
        Ok(())
    })
}

/// At most this many ids are bound to one statement (SQLite allows 32,766 parameters).
const IDS_PER_STATEMENT: usize = 1_000;

/// Adds `id` to the group of `key`. A batch has a few groups (sent, and each kind of failure),
/// so a scan finds them.
fn add_to_group<'a, K: PartialEq>(groups: &mut Groups<'a, K>, key: K, id: &'a str) {
    match groups.iter_mut().find(|(k, _)| *k == key) {
        Some((_, ids)) => ids.push(id),
        None => groups.push((key, vec![id])),
    }
}

/// Push ids grouped by how their pushes ended.
type Groups<'a, K> = Vec<(K, Vec<&'a str>)>;

type ByIds<'a> =
    diesel::dsl::Filter<push_outbox::table, diesel::dsl::EqAny<push_outbox::id, &'a [&'a str]>>;
type StillSending<'a> =
    diesel::dsl::Filter<ByIds<'a>, diesel::dsl::Eq<push_outbox::status, Stored<PushStatus>>>;

/// The rows among `ids` that are still being sent by this worker's claim.
fn still_sending<'a>(ids: &'a [&'a str]) -> StillSending<'a> {
    push_outbox::table
        .filter(push_outbox::id.eq_any(ids))
        .filter(push_outbox::status.eq(Stored(PushStatus::Sending)))
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

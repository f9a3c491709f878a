//! Claiming due rows of an outbox under a lease, shared by the push, webhook and SMS outboxes.
//! Each has `id`, `status`, `attempts`, `due_at` and `lease_until`; a claim marks rows as being
//! sent until the lease runs out, so a row whose worker died is claimed again then and nothing
//! queued is lost or skipped.

use crate::words::{Stored, WordText};
use crate::{DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};
use smartcity_domain::Word;
use std::fmt::Debug;

/// The outboxes, so a table name in SQL is never built from anything but these.
#[derive(Debug, Clone, Copy)]
pub enum Outbox {
    Push,
    Webhook,
    Sms,
}

impl Outbox {
    fn table(self) -> &'static str {
        match self {
            Outbox::Push => "push_outbox",
            Outbox::Webhook => "webhook_outbox",
            Outbox::Sms => "sms_outbox",
        }
    }
}

#[derive(Debug, Clone, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = Text)]
    pub id: String,
    /// Counting this claim: 1 on the first.
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
}

/// Claims up to `limit` of the oldest due rows (`queued` and due by `now`, or `sending` with a
/// lease run out) until `lease_until`. PostgreSQL skips rows another worker holds, so any number
/// of workers in any number of instances share the queue; SQLite has one writer at a time.
pub fn claim<S: Word + Debug + Send + Sync>(
    conn: &mut DbConn,
    outbox: Outbox,
    (queued, sending): (S, S),
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Claimed>, DbError> {
    let table = outbox.table();
    Ok(match conn {
        DbConn::Postgres(c) => diesel::sql_query(format!(
            "UPDATE {table} SET status = $4, lease_until = $1, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM {table} \
             WHERE (status = $5 AND due_at <= $2) OR (status = $4 AND lease_until < $2) \
             ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING id, attempts"
        ))
        .bind::<Timestamp, _>(lease_until)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .bind::<WordText, _>(Stored(sending))
        .bind::<WordText, _>(Stored(queued))
        .load(c)?,
        DbConn::Sqlite(c) => diesel::sql_query(format!(
            "UPDATE {table} SET status = ?4, lease_until = ?1, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM {table} \
             WHERE (status = ?5 AND due_at <= ?2) OR (status = ?4 AND lease_until < ?2) \
             ORDER BY due_at LIMIT ?3) RETURNING id, attempts"
        ))
        .bind::<Timestamp, _>(lease_until)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .bind::<WordText, _>(Stored(sending))
        .bind::<WordText, _>(Stored(queued))
        .load(c)?,
    })
}

//! Attempt counters (wrong passwords, wrong dossier proofs), in the database so that every
//! instance behind the load balancer counts the same attempts.
//!
//! An attempt is counted *before* it is checked, and the count and the decision are one
//! statement: parallel attempts cannot all read the same count and all pass. A success gives
//! its attempt back (`release`) or forgives the key (`clear`). Work that holds the only write
//! lock while it checks (SQLite) may instead `peek`, and count only a failure.

use crate::schema::{throttle, throttle_addresses};
use crate::{DbConn, DbError};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Text, Timestamp};

/// What the counter said of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// The attempt may be checked; it is the `n`th of its window (the lock's limit included).
    Admitted { n: i32 },
    /// The key is locked until then; the attempt must not be checked.
    Locked { until: NaiveDateTime },
}

/// The limits of one key.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Attempts are counted within this window, then forgotten.
    pub window: Duration,
    /// The attempt that reaches this count is still checked, and locks the key.
    pub lock_after: i32,
    pub lock_for: Duration,
}

// What one more attempt makes of a key's row, as SQL expressions over the row (`throttle.…`)
// and the parameters `$2` now, `$3` the lock of a fresh count (under a limit of 1), `$4` the
// window's cutoff, `$5` the limit and `$6` a lock set now. A lock in force keeps counting; a
// lock or a window that has run out starts again at 1; the attempt that reaches the limit sets
// the lock. Counting writes them; peeking only reads them, so both decide alike.
macro_rules! failures_after {
    () => {
        "CASE WHEN throttle.locked_until > $2 THEN throttle.failures + 1 \
         WHEN throttle.locked_until IS NOT NULL OR throttle.window_started_at <= $4 THEN 1 \
         ELSE throttle.failures + 1 END"
    };
}
macro_rules! window_started_after {
    () => {
        "CASE WHEN throttle.locked_until > $2 THEN throttle.window_started_at \
         WHEN throttle.locked_until IS NOT NULL OR throttle.window_started_at <= $4 THEN $2 \
         ELSE throttle.window_started_at END"
    };
}
macro_rules! locked_until_after {
    () => {
        "CASE WHEN throttle.locked_until > $2 THEN throttle.locked_until \
         WHEN throttle.locked_until IS NOT NULL OR throttle.window_started_at <= $4 THEN $3 \
         WHEN throttle.failures + 1 >= $5 THEN $6 \
         ELSE NULL END"
    };
}

// One statement, so the row is locked from the read to the write (PostgreSQL's upsert locks
// the conflicting row; SQLite runs it under its write lock).
const COUNT_SQL: &str = concat!(
    "INSERT INTO throttle (key, failures, window_started_at, locked_until) \
     VALUES ($1, 1, $2, $3) ON CONFLICT (key) DO UPDATE SET failures = ",
    failures_after!(),
    ", window_started_at = ",
    window_started_after!(),
    ", locked_until = ",
    locked_until_after!(),
    " RETURNING failures, locked_until"
);

// What COUNT_SQL would return for a key that has a row, without writing it.
const PEEK_SQL: &str = concat!(
    "SELECT ",
    failures_after!(),
    " AS failures, ",
    locked_until_after!(),
    " AS locked_until FROM throttle WHERE throttle.key = $1"
);

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = Integer)]
    failures: i32,
    #[diesel(sql_type = Nullable<Timestamp>)]
    locked_until: Option<NaiveDateTime>,
}

// COUNT_SQL's and PEEK_SQL's parameters for one attempt at `key`.
macro_rules! bind_attempt {
    ($query:expr, $key:expr, $now:expr, $limits:expr) => {
        $query
            .bind::<Text, _>($key)
            .bind::<Timestamp, _>($now)
            .bind::<Nullable<Timestamp>, _>(first_lock($now, $limits))
            .bind::<Timestamp, _>($now - $limits.window)
            .bind::<Integer, _>($limits.lock_after)
            .bind::<Timestamp, _>($now + $limits.lock_for)
    };
}

/// Counts one attempt for `key` and says whether it may be checked.
pub fn count(
    conn: &mut DbConn,
    key: &str,
    now: NaiveDateTime,
    limits: Limits,
) -> Result<Count, DbError> {
    let query = bind_attempt!(diesel::sql_query(for_backend(conn, COUNT_SQL)), key, now, limits);
    let counted: Counted = match conn {
        DbConn::Postgres(c) => query.get_result(c)?,
        DbConn::Sqlite(c) => query.get_result(c)?,
    };
    Ok(counted.decide(limits))
}

/// What [`count`] would say of one more attempt for `key`, without counting it. Only work that
/// holds the database's only write lock may act on it (see
/// [`crate::pool::short_writes_are_exclusive`]): then nothing can count between the peek and the
/// [`count`] of a failure.
pub fn peek(
    conn: &mut DbConn,
    key: &str,
    now: NaiveDateTime,
    limits: Limits,
) -> Result<Count, DbError> {
    let query = bind_attempt!(diesel::sql_query(for_backend(conn, PEEK_SQL)), key, now, limits);
    let found: Option<Counted> = match conn {
        DbConn::Postgres(c) => query.get_result(c).optional()?,
        DbConn::Sqlite(c) => query.get_result(c).optional()?,
    };
    // A key without a row starts at 1, as COUNT_SQL's insert does.
    let counted = found.unwrap_or(Counted { failures: 1, locked_until: first_lock(now, limits) });
    Ok(counted.decide(limits))
}

/// The lock a fresh count of 1 sets: only under a limit of 1.
fn first_lock(now: NaiveDateTime, limits: Limits) -> Option<NaiveDateTime> {
    (limits.lock_after <= 1).then_some(now + limits.lock_for)
}

impl Counted {
    fn decide(self, limits: Limits) -> Count {
        match self.locked_until {
            Some(until) if self.failures > limits.lock_after => Count::Locked { until },
            _ => Count::Admitted { n: self.failures },
        }
    }
}

const RELEASE_SQL: &str = "UPDATE throttle SET failures = failures - 1, \
     locked_until = CASE WHEN failures <= $2 THEN NULL ELSE locked_until END \
     WHERE key = $1 AND failures > 0";

/// Gives back the attempt a success had counted, and the lock it set if it was the one that
/// reached the limit.
pub fn release(conn: &mut DbConn, key: &str, lock_after: i32) -> Result<(), DbError> {
    let query = diesel::sql_query(for_backend(conn, RELEASE_SQL))
        .bind::<Text, _>(key)
        .bind::<Integer, _>(lock_after);
    match conn {
        DbConn::Postgres(c) => query.execute(c)?,
        DbConn::Sqlite(c) => query.execute(c)?,
    };
    Ok(())
}

/// The statement with SQLite's numbered parameters (`?1`) where PostgreSQL has `$1`.
fn for_backend(conn: &DbConn, sql: &str) -> String {
    match conn {
        DbConn::Postgres(_) => sql.to_string(),
        DbConn::Sqlite(_) => sql.replace('$', "?"),
    }
}

/// Forgets every attempt counted for `key`.
pub fn clear(conn: &mut DbConn, key: &str) -> Result<(), DbError> {
    diesel::delete(throttle::table.find(key)).execute(conn)?;
    diesel::delete(throttle_addresses::table.filter(throttle_addresses::key.eq(key)))
        .execute(conn)?;
    Ok(())
}

const NOTE_ADDRESS_SQL: &str = "INSERT INTO throttle_addresses (key, address, last_failed_at) \
     VALUES ($1, $2, $3) ON CONFLICT (key, address) DO UPDATE SET last_failed_at = $3";

/// Notes that `address` failed against `key`, forgetting the key's addresses older than
/// `since` (its window): a key keeps at most as many as its admitted failures.
pub fn note_failure(
    conn: &mut DbConn,
    key: &str,
    address: &str,
    now: NaiveDateTime,
    since: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::delete(
        throttle_addresses::table
            .filter(throttle_addresses::key.eq(key))
            .filter(throttle_addresses::last_failed_at.lt(since)),
    )
    .execute(conn)?;
    let query = diesel::sql_query(for_backend(conn, NOTE_ADDRESS_SQL))
        .bind::<Text, _>(key)
        .bind::<Text, _>(address)
        .bind::<Timestamp, _>(now);
    match conn {
        DbConn::Postgres(c) => query.execute(c)?,
        DbConn::Sqlite(c) => query.execute(c)?,
    };
    Ok(())
}

/// The addresses that failed against `key` in its window, most recent first.
pub fn failed_from(conn: &mut DbConn, key: &str, limit: i64) -> Result<Vec<String>, DbError> {
    Ok(throttle_addresses::table
        .filter(throttle_addresses::key.eq(key))
        .order(throttle_addresses::last_failed_at.desc())
        .select(throttle_addresses::address)
        .limit(limit)
        .load(conn)?)
}

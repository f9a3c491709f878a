//! Failed-login counters, in the database so that every instance behind the load balancer
//! counts the same attempts.

use crate::schema::throttle;
use crate::{DbConn, DbError};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

/// The latest lock among `keys` that is still in force.
pub fn locked_until(
    conn: &mut DbConn,
    keys: &[String],
    now: NaiveDateTime,
) -> Result<Option<NaiveDateTime>, DbError> {
    let locks: Vec<Option<NaiveDateTime>> = throttle::table
        .filter(throttle::key.eq_any(keys))
        .filter(throttle::locked_until.gt(now))
        .select(throttle::locked_until)
        .load(conn)?;
    Ok(locks.into_iter().flatten().max())
}

/// Failures so far in the current window for `key`.
pub fn failures(
    conn: &mut DbConn,
    key: &str,
    now: NaiveDateTime,
    window: Duration,
) -> Result<i32, DbError> {
    let row = throttle::table
        .find(key)
        .select((throttle::failures, throttle::window_started_at))
        .first::<(i32, NaiveDateTime)>(conn)
        .optional()?;
    Ok(match row {
        Some((count, started)) if started + window > now => count,
        _ => 0,
    })
}

/// Counts one more failure for `key`; at `lock_after` failures the key is locked for
/// `lock_for` and its count starts again. Returns the failures now counted.
pub fn record_failure(
    conn: &mut DbConn,
    key: &str,
    now: NaiveDateTime,
    window: Duration,
    lock_after: i32,
    lock_for: Duration,
) -> Result<i32, DbError> {
    conn.transaction::<_, DbError, _>(|conn| {
        let count = failures(conn, key, now, window)? + 1;
        let (stored_count, window_start, lock) = if count >= lock_after {
            (0, now, Some(now + lock_for))
        } else if count == 1 {
            (1, now, None)
        } else {
            let started = throttle::table
                .find(key)
                .select(throttle::window_started_at)
                .first::<NaiveDateTime>(conn)?;
            (count, started, None)
        };
        let updated = diesel::update(throttle::table.find(key))
            .set((
                throttle::failures.eq(stored_count),
                throttle::window_started_at.eq(window_start),
                throttle::locked_until.eq(lock),
            ))
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(throttle::table)
                .values((
                    throttle::key.eq(key),
                    throttle::failures.eq(stored_count),
                    throttle::window_started_at.eq(window_start),
                    throttle::locked_until.eq(lock),
                ))
                .execute(conn)?;
        }
        Ok(count)
    })
}

pub fn clear(conn: &mut DbConn, key: &str) -> Result<(), DbError> {
    diesel::delete(throttle::table.find(key)).execute(conn)?;
    Ok(())
}

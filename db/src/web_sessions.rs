//! The console's signed-in browsers. Each is a row of `sessions` (so revoking it, erasing or
//! disabling its account ends it as it ends an app's session) with the hash of its cookie, the
//! token its forms carry, and when it was last used.

use crate::accounts::{insert_session, revoke_session, UserRow};
use crate::pool::write_transaction;
use crate::schema::{sessions, users, web_sessions};
use crate::{DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A live browser session: whose it is, its session id and its forms' token.
#[derive(Debug, Clone)]
pub struct WebSession {
    pub user: UserRow,
    pub session_id: String,
    pub csrf_token: String,
}

/// Opens a session for `user_id` reached by a cookie whose hash is `token_hash`.
pub fn open(
    conn: &mut DbConn,
    user_id: &str,
    token_hash: &str,
    csrf_token: &str,
    now: NaiveDateTime,
) -> Result<String, DbError> {
    write_transaction::<_, DbError, _>(conn, |conn| {
        let session_id = insert_session(conn, user_id, now)?;
        diesel::insert_into(web_sessions::table)
            .values((
                web_sessions::token_hash.eq(token_hash),
                web_sessions::session_id.eq(&session_id),
                web_sessions::csrf_token.eq(csrf_token),
                web_sessions::last_seen_at.eq(now),
            ))
            .execute(conn)?;
        Ok(session_id)
    })
}

/// The live session of a cookie: not revoked, its account enabled, used since `idle_since`.
/// A use later than `touched_before` is written back as its last use; more often would make
/// every page view a write.
pub fn find_live(
    conn: &mut DbConn,
    token_hash: &str,
    idle_since: NaiveDateTime,
    touched_before: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<Option<WebSession>, DbError> {
    let found = web_sessions::table
        .inner_join(sessions::table.inner_join(users::table))
        .filter(web_sessions::token_hash.eq(token_hash))
        .filter(web_sessions::last_seen_at.gt(idle_since))
        .filter(sessions::revoked_at.is_null())
        .filter(users::disabled.eq(false))
        .select((
            UserRow::as_select(),
            sessions::id,
            web_sessions::csrf_token,
            web_sessions::last_seen_at,
        ))
        .first::<(UserRow, String, String, NaiveDateTime)>(conn)
        .optional()?;
    let Some((user, session_id, csrf_token, last_seen_at)) = found else { return Ok(None) };
    if last_seen_at < touched_before {
        diesel::update(web_sessions::table.find(token_hash))
            .set(web_sessions::last_seen_at.eq(now))
            .execute(conn)?;
    }
    Ok(Some(WebSession { user, session_id, csrf_token }))
}

/// Sign-out: the cookie's session is revoked. Unknown cookies change nothing.
pub fn end(conn: &mut DbConn, token_hash: &str, now: NaiveDateTime) -> Result<(), DbError> {
    let session_id = web_sessions::table
        .find(token_hash)
        .select(web_sessions::session_id)
        .first::<String>(conn)
        .optional()?;
    match session_id {
        Some(id) => revoke_session(conn, &id, now, "logout"),
        None => Ok(()),
    }
}

/// Ends up to `limit` browser sessions idle since `idle_since`: their sessions are revoked
/// ("idle") and their cookies' rows removed, so the table holds only live sign-ins. Returns
/// how many.
pub fn end_idle(
    conn: &mut DbConn,
    idle_since: NaiveDateTime,
    limit: i64,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    write_transaction::<_, DbError, _>(conn, |conn| {
        let idle: Vec<(String, String)> = web_sessions::table
            .filter(web_sessions::last_seen_at.le(idle_since))
            .select((web_sessions::token_hash, web_sessions::session_id))
            .limit(limit)
            .load(conn)?;
        for (token_hash, session_id) in &idle {
            revoke_session(conn, session_id, now, "idle")?;
            diesel::delete(web_sessions::table.find(token_hash)).execute(conn)?;
        }
        Ok(idle.len())
    })
}

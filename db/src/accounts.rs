//! Users, their sessions (refresh-token families) and refresh tokens.

use crate::pool::write_transaction;
use crate::schema::{refresh_tokens, sessions, users};
use crate::words::Stored;
use crate::{new_id, DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use smartcity_domain::account::Role;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub phone: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: Role,
    pub agency_id: Option<String>,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    /// When the owner last proved the number with a code sent to it; None until they do.
    pub phone_verified_at: Option<NaiveDateTime>,
}

#[derive(Clone, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub id: &'a str,
    pub phone: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    #[diesel(serialize_as = Stored<Role>)]
    pub role: Role,
    pub agency_id: Option<&'a str>,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    /// When the owner last proved the number with a code sent to it; None until they do.
    pub phone_verified_at: Option<NaiveDateTime>,
}

/// Inserts a user; a phone number already registered comes back as `DbError::Duplicate`.
pub fn insert_user(conn: &mut DbConn, user: &NewUser) -> Result<(), DbError> {
    // By value: the role goes in as its word (`serialize_as`), which takes the field by value.
    diesel::insert_into(users::table).values(user.clone()).execute(conn)?;
    Ok(())
}

pub fn find_user_by_phone(conn: &mut DbConn, phone: &str) -> Result<Option<UserRow>, DbError> {
    // One account per phone number (a unique column): read by key.
    Ok(crate::row_by_key(
        users::table.filter(users::phone.eq(phone)).select(UserRow::as_select()),
        conn,
    )?)
}

pub fn find_user(conn: &mut DbConn, id: &str) -> Result<Option<UserRow>, DbError> {
    Ok(crate::row_by_key(users::table.find(id).select(UserRow::as_select()), conn)?)
}

/// The user behind an access token, if the token's session is still open and the account is
/// neither deleted nor disabled.
pub fn user_of_live_session(
    conn: &mut DbConn,
    user_id: &str,
    session_id: &str,
) -> Result<Option<UserRow>, DbError> {
    let query = users::table
        .inner_join(sessions::table)
        .filter(users::id.eq(user_id))
        .filter(sessions::id.eq(session_id))
        .filter(sessions::revoked_at.is_null())
        .filter(users::disabled.eq(false))
        .select(UserRow::as_select());
    Ok(crate::row_by_key(query, conn)?)
}

/// Erases a person: the user row and, by cascade, their sessions and tokens. Rows that must
/// outlive them (complaints) reference users with `ON DELETE SET NULL`.
pub fn delete_user(conn: &mut DbConn, id: &str) -> Result<bool, DbError> {
    let deleted = diesel::delete(users::table.find(id)).execute(conn)?;
    Ok(deleted == 1)
}

/// Erases an administrator unless no other *enabled* administrator would be left (the city
/// would have nobody able to run it; a disabled account cannot sign in). Returns whether the
/// account was erased.
///
/// Two administrators erasing themselves at once must not both go. On PostgreSQL the enabled
/// administrators' rows are locked first, in id order, so a second erasure waits for the first
/// to commit and then counts what it left. On SQLite the delete is the transaction's first
/// statement: it takes the database's write lock (waiting out the busy timeout), so the count
/// after it sees every committed erasure and no other writer runs until this one ends.
pub fn delete_admin_unless_last(conn: &mut DbConn, id: &str) -> Result<bool, DbError> {
    use diesel::result::Error::RollbackTransaction;
    let enabled_admins = || {
        users::table.filter(users::role.eq(Stored(Role::Admin))).filter(users::disabled.eq(false))
    };
    let outcome = write_transaction::<_, DbError, _>(conn, |conn| {
        if let DbConn::Postgres(pg) = conn {
            enabled_admins()
                .select(users::id)
                .order(users::id)
                .for_no_key_update()
                .load::<String>(pg)?;
        }
        if !delete_user(conn, id)? {
            return Ok(false);
        }
        let left: i64 = enabled_admins().count().get_result(conn)?;
        if left == 0 {
            // Undo the delete.
            return Err(DbError::Query(RollbackTransaction));
        }
        Ok(true)
    });
    match outcome {
        Err(DbError::Query(RollbackTransaction)) => Ok(false),
        other => other,
    }
}

/// Opens a session with its first refresh token; returns the session id.
pub fn open_session(
    conn: &mut DbConn,
    user_id: &str,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<String, DbError> {
    write_transaction::<_, DbError, _>(conn, |conn| {
        let session_id = insert_session(conn, user_id, now)?;
        insert_refresh_token(conn, &session_id, token_hash, now, expires_at)?;
        Ok(session_id)
    })
}

/// A new open session of `user_id`; the caller adds what reaches it (a refresh token, a
/// browser's cookie) in the same transaction.
pub(crate) fn insert_session(
    conn: &mut DbConn,
    user_id: &str,
    now: NaiveDateTime,
) -> Result<String, DbError> {
    let session_id = new_id();
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(&session_id),
            sessions::user_id.eq(user_id),
            sessions::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(session_id)
}

fn insert_refresh_token(
    conn: &mut DbConn,
    session_id: &str,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::session_id.eq(session_id),
            refresh_tokens::created_at.eq(now),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug)]
pub enum RefreshOutcome {
    Rotated {
        user: UserRow,
        session_id: String,
    },
    /// A spent token came back: someone holds a copy. The whole session was revoked.
    ReuseDetected,
    /// Unknown, expired, or its session is closed or its user gone or disabled.
    Refused,
}

/// Spends `old_hash` and issues `new_hash` in the same session. Spending is a conditional
/// update, so two concurrent uses of one token cannot both succeed.
pub fn rotate_refresh_token(
    conn: &mut DbConn,
    old_hash: &str,
    new_hash: &str,
    now: NaiveDateTime,
    new_expires_at: NaiveDateTime,
) -> Result<RefreshOutcome, DbError> {
    write_transaction::<_, DbError, _>(conn, |conn| {
        let Some((session_id, expires_at)) = refresh_tokens::table
            .find(old_hash)
            .select((refresh_tokens::session_id, refresh_tokens::expires_at))
            .first::<(String, NaiveDateTime)>(conn)
            .optional()?
        else {
            return Ok(RefreshOutcome::Refused);
        };
        let spent = diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::token_hash.eq(old_hash))
                .filter(refresh_tokens::used_at.is_null()),
        )
        .set(refresh_tokens::used_at.eq(now))
        .execute(conn)?;
        if spent == 0 {
            revoke_session(conn, &session_id, now, "refresh token reused")?;
            return Ok(RefreshOutcome::ReuseDetected);
        }
        if expires_at <= now {
            return Ok(RefreshOutcome::Refused);
        }
        let Some(user) = users::table
            .inner_join(sessions::table)
            .filter(sessions::id.eq(&session_id))
            .filter(sessions::revoked_at.is_null())
            .filter(users::disabled.eq(false))
            .select(UserRow::as_select())
            .first(conn)
            .optional()?
        else {
            return Ok(RefreshOutcome::Refused);
        };
        insert_refresh_token(conn, &session_id, new_hash, now, new_expires_at)?;
        Ok(RefreshOutcome::Rotated { user, session_id })
    })
}

pub fn revoke_session(
    conn: &mut DbConn,
    session_id: &str,
    now: NaiveDateTime,
    reason: &str,
) -> Result<(), DbError> {
    diesel::update(
        sessions::table.filter(sessions::id.eq(session_id)).filter(sessions::revoked_at.is_null()),
    )
    .set((sessions::revoked_at.eq(now), sessions::revoked_reason.eq(reason)))
    .execute(conn)?;
    // A phone signed out (or a stolen session cut off) gets no more pushes.
    crate::devices::remove_for_session(conn, session_id)?;
    Ok(())
}

/// Logout: closes the session a refresh token belongs to. Returns false for an unknown token.
pub fn revoke_session_of_token(
    conn: &mut DbConn,
    token_hash: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let session_id = refresh_tokens::table
        .find(token_hash)
        .select(refresh_tokens::session_id)
        .first::<String>(conn)
        .optional()?;
    match session_id {
        Some(id) => {
            revoke_session(conn, &id, now, "logout")?;
            Ok(true)
        }
        None => Ok(false),
    }
}

pub fn count_users(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(users::table.count().get_result(conn)?)
}

/// Staff and administrators, by name: who may use the console.
pub fn list_staff(conn: &mut DbConn) -> Result<Vec<UserRow>, DbError> {
    Ok(users::table
        .filter(users::role.ne(Stored(Role::Citizen)))
        .order((users::display_name.asc(), users::id.asc()))
        .select(UserRow::as_select())
        .load(conn)?)
}

/// Disables or enables an account; disabling ends every session it has (the app's and the
/// console's), in the same transaction. Returns false for an unknown account.
pub fn set_disabled(
    conn: &mut DbConn,
    user_id: &str,
    disabled: bool,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    write_transaction(conn, |conn| {
        let changed = diesel::update(users::table.find(user_id))
            .set(users::disabled.eq(disabled))
            .execute(conn)?;
        if changed > 0 && disabled {
            revoke_sessions_of_user(conn, user_id, now, "disabled")?;
        }
        Ok(changed > 0)
    })
}

/// Replaces an account's password hash and ends its sessions: whoever knew the old one is out.
pub fn set_password_hash(
    conn: &mut DbConn,
    user_id: &str,
    password_hash: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    write_transaction(conn, |conn| {
        let changed = diesel::update(users::table.find(user_id))
            .set(users::password_hash.eq(password_hash))
            .execute(conn)?;
        if changed > 0 {
            revoke_sessions_of_user(conn, user_id, now, "password reset")?;
        }
        Ok(changed > 0)
    })
}

fn revoke_sessions_of_user(
    conn: &mut DbConn,
    user_id: &str,
    now: NaiveDateTime,
    reason: &str,
) -> Result<(), DbError> {
    let open: Vec<String> = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .select(sessions::id)
        .load(conn)?;
    for session_id in open {
        revoke_session(conn, &session_id, now, reason)?;
    }
    Ok(())
}

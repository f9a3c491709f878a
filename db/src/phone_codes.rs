//! One-time codes sent by SMS, kept as hashes: to verify an account's phone, to reset a
//! password, to prove a new number before it replaces the old. A code is issued together with
//! its message (one transaction), checked with its attempts counted atomically, and used once;
//! what a good code unlocks is written in the transaction that spends it.

use crate::accounts;
use crate::pool::write_transaction;
use crate::schema::{phone_codes, users};
use crate::sms::{self, DailyCap, NewSms};
use crate::words::Stored;
use crate::{new_id, DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use smartcity_domain::sms::code::{CodePurpose, MAX_CODE_ATTEMPTS};

/// The limit as the column counts it.
const MAX_ATTEMPTS: i32 = MAX_CODE_ATTEMPTS as i32;

/// Codes sent to a number for a purpose since a time: how many, and when the last went.
pub struct SentCodes {
    pub count: u32,
    pub last_sent_at: Option<NaiveDateTime>,
}

pub fn sent_since(
    conn: &mut DbConn,
    phone: &str,
    purpose: CodePurpose,
    since: NaiveDateTime,
) -> Result<SentCodes, DbError> {
    let times: Vec<NaiveDateTime> = phone_codes::table
        .filter(phone_codes::phone.eq(phone))
        .filter(phone_codes::purpose.eq(Stored(purpose)))
        .filter(phone_codes::created_at.ge(since))
        .select(phone_codes::created_at)
        .load(conn)?;
    Ok(SentCodes {
        count: u32::try_from(times.len()).unwrap_or(u32::MAX),
        last_sent_at: times.into_iter().max(),
    })
}

/// A code to issue, with the message that carries it (none for a code kept only so its limits
/// count, as a reset for a number without an account is).
pub struct NewCode<'a> {
    pub purpose: CodePurpose,
    pub phone: &'a str,
    pub user_id: Option<&'a str>,
    pub code_hash: &'a str,
    pub expires_at: NaiveDateTime,
    pub message: Option<NewSms<'a>>,
}

/// Stores the code and queues its message in one transaction. Earlier codes of the same number
/// and purpose stop counting: only the newest one sent can be used.
pub fn issue(
    conn: &mut DbConn,
    code: &NewCode,
    cap: &DailyCap,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    write_transaction(conn, |conn| {
        diesel::update(
            phone_codes::table
                .filter(phone_codes::phone.eq(code.phone))
                .filter(phone_codes::purpose.eq(Stored(code.purpose)))
                .filter(phone_codes::used_at.is_null()),
        )
        .set(phone_codes::expires_at.eq(now))
        .execute(conn)?;
        diesel::insert_into(phone_codes::table)
            .values((
                phone_codes::id.eq(new_id()),
                phone_codes::purpose.eq(Stored(code.purpose)),
                phone_codes::phone.eq(code.phone),
                phone_codes::user_id.eq(code.user_id),
                phone_codes::code_hash.eq(code.code_hash),
                phone_codes::attempts.eq(0),
                phone_codes::created_at.eq(now),
                phone_codes::expires_at.eq(code.expires_at),
            ))
            .execute(conn)?;
        if let Some(message) = &code.message {
            sms::enqueue(conn, message, cap, now)?;
        }
        Ok(())
    })
}

/// A live code, taken for one attempt.
#[derive(Debug, Clone, Queryable)]
pub struct Attempt {
    pub id: String,
    pub phone: String,
    pub user_id: Option<String>,
    pub code_hash: String,
}

/// Takes one attempt on the newest live code for this purpose, found by the number it went to
/// or by the account it belongs to. None when there is no live code or its attempts are spent;
/// the attempt is counted before the code is compared, so parallel guesses cannot exceed the
/// limit.
pub fn take_attempt(
    conn: &mut DbConn,
    purpose: CodePurpose,
    owner: &CodeOwner,
    now: NaiveDateTime,
) -> Result<Option<Attempt>, DbError> {
    write_transaction(conn, |conn| {
        let mut query = phone_codes::table
            .filter(phone_codes::purpose.eq(Stored(purpose)))
            .filter(phone_codes::used_at.is_null())
            .filter(phone_codes::expires_at.gt(now))
            .filter(phone_codes::attempts.lt(MAX_ATTEMPTS))
            .into_boxed();
        query = match owner {
            CodeOwner::Phone(phone) => query.filter(phone_codes::phone.eq(phone)),
            CodeOwner::Account(user_id) => query.filter(phone_codes::user_id.eq(user_id)),
        };
        let found: Option<Attempt> = query
            .order(phone_codes::created_at.desc())
            .select((
                phone_codes::id,
                phone_codes::phone,
                phone_codes::user_id,
                phone_codes::code_hash,
            ))
            .first(conn)
            .optional()?;
        let Some(attempt) = found else { return Ok(None) };
        let taken = diesel::update(
            phone_codes::table.find(&attempt.id).filter(phone_codes::attempts.lt(MAX_ATTEMPTS)),
        )
        .set(phone_codes::attempts.eq(phone_codes::attempts + 1))
        .execute(conn)?;
        Ok((taken > 0).then_some(attempt))
    })
}

/// Whose code: the number's (a password reset, before anyone is signed in) or the account's.
pub enum CodeOwner {
    Phone(String),
    Account(String),
}

/// What a good code does.
pub enum Effect {
    /// The account's phone is proven.
    VerifyPhone { user_id: String },
    /// The account's password is replaced and every session it has ends.
    ResetPassword { user_id: String, password_hash: String },
    /// The account's number becomes the code's (proven by the code itself).
    ChangePhone { user_id: String, new_phone: String },
}

/// What became of a good code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spent {
    Done,
    /// Spent meanwhile by a parallel request: nothing was done.
    AlreadySpent,
    /// Another account took the new number meanwhile: nothing was done.
    PhoneTaken,
}

/// Spends the code and does what it unlocks, in one transaction.
pub fn spend(
    conn: &mut DbConn,
    code_id: &str,
    effect: &Effect,
    now: NaiveDateTime,
) -> Result<Spent, DbError> {
    let spent = write_transaction(conn, |conn| {
        let spent =
            diesel::update(phone_codes::table.find(code_id).filter(phone_codes::used_at.is_null()))
                .set(phone_codes::used_at.eq(now))
                .execute(conn)?;
        if spent == 0 {
            return Ok(Spent::AlreadySpent);
        }
        match effect {
            Effect::VerifyPhone { user_id } => {
                diesel::update(users::table.find(user_id))
                    .set(users::phone_verified_at.eq(now))
                    .execute(conn)?;
            }
            Effect::ResetPassword { user_id, password_hash } => {
                accounts::set_password_hash(conn, user_id, password_hash, now)?;
                // The code came to the phone: the number is proven as well.
                diesel::update(users::table.find(user_id))
                    .set(users::phone_verified_at.eq(now))
                    .execute(conn)?;
            }
            Effect::ChangePhone { user_id, new_phone } => {
                diesel::update(users::table.find(user_id))
                    .set((users::phone.eq(new_phone), users::phone_verified_at.eq(now)))
                    .execute(conn)?;
            }
        }
        Ok(Spent::Done)
    });
    match spent {
        Err(DbError::Duplicate(_)) => Ok(Spent::PhoneTaken),
        other => other,
    }
}

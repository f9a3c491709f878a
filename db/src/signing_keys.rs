//! The access-token signing key lives in the database so that every instance sharing it signs
//! and verifies with the same key, with nothing to copy between machines.

use crate::schema::signing_keys;
use crate::{DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;

const ACCESS_TOKEN_KEY: &str = "access-token";

/// Returns the stored key, creating it from `generate` when there is none. Instances racing at
/// first start all end up with the one that was inserted first.
pub fn get_or_create(
    conn: &mut DbConn,
    now: NaiveDateTime,
    generate: impl FnOnce() -> String,
) -> Result<String, DbError> {
    let existing = signing_keys::table
        .find(ACCESS_TOKEN_KEY)
        .select(signing_keys::private_key_pem)
        .first::<String>(conn)
        .optional()?;
    if let Some(pem) = existing {
        return Ok(pem);
    }
    let inserted = diesel::insert_into(signing_keys::table)
        .values((
            signing_keys::id.eq(ACCESS_TOKEN_KEY),
            signing_keys::private_key_pem.eq(generate()),
            signing_keys::created_at.eq(now),
        ))
        .execute(conn)
        .map_err(DbError::from);
    match inserted {
        Ok(_) | Err(DbError::Duplicate(_)) => {}
        Err(other) => return Err(other),
    }
    Ok(signing_keys::table
        .find(ACCESS_TOKEN_KEY)
        .select(signing_keys::private_key_pem)
        .first(conn)?)
}

//! Idempotency keys of every route that takes them: a key is unique within its scope (whose
//! it is: a resident, an Open311 client), and remembers a fingerprint of the request sent under
//! it and what that request created. The creating repository inserts the key in the
//! transaction of what it creates, so a key names a resource exactly when it exists.

use crate::schema::idempotency_keys;
use crate::{DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A key as a request brings it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// Whose key it is, e.g. `complaint-filing:{user id}`.
    pub scope: String,
    pub key: String,
    /// A digest of the request sent under the key.
    pub fingerprint: String,
}

/// What the first request under a key sent and created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstRequest {
    pub fingerprint: String,
    pub resource_id: String,
}

pub fn first(conn: &mut DbConn, scope: &str, key: &str) -> Result<Option<FirstRequest>, DbError> {
    Ok(idempotency_keys::table
        .find((scope, key))
        .select((idempotency_keys::fingerprint, idempotency_keys::resource_id))
        .first::<(String, String)>(conn)
        .optional()?
        .map(|(fingerprint, resource_id)| FirstRequest { fingerprint, resource_id }))
}

/// Records the key for `resource_id`; a key already used comes back as `DbError::Duplicate`
/// (and rolls back the caller's transaction with it).
pub fn insert(
    conn: &mut DbConn,
    key: &IdempotencyKey,
    resource_id: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::scope.eq(&key.scope),
            idempotency_keys::key.eq(&key.key),
            idempotency_keys::fingerprint.eq(&key.fingerprint),
            idempotency_keys::resource_id.eq(resource_id),
            idempotency_keys::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

//! Keys agencies' one-stop-shop systems use to push dossiers. Only hashes are stored.

use crate::schema::agency_api_keys;
use crate::{new_id, DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = agency_api_keys)]
pub struct ApiKeyRow {
    pub id: String,
    pub agency_id: String,
    pub key_hash: String,
    pub prefix: String,
    pub label: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
}

pub fn insert(
    conn: &mut DbConn,
    agency_id: &str,
    key_hash: &str,
    prefix: &str,
    label: &str,
    now: NaiveDateTime,
) -> Result<ApiKeyRow, DbError> {
    let id = new_id();
    diesel::insert_into(agency_api_keys::table)
        .values((
            agency_api_keys::id.eq(&id),
            agency_api_keys::agency_id.eq(agency_id),
            agency_api_keys::key_hash.eq(key_hash),
            agency_api_keys::prefix.eq(prefix),
            agency_api_keys::label.eq(label),
            agency_api_keys::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(agency_api_keys::table.find(&id).select(ApiKeyRow::as_select()).first(conn)?)
}

pub fn list(conn: &mut DbConn, agency_id: &str) -> Result<Vec<ApiKeyRow>, DbError> {
    Ok(agency_api_keys::table
        .filter(agency_api_keys::agency_id.eq(agency_id))
        .order(agency_api_keys::created_at.asc())
        .select(ApiKeyRow::as_select())
        .load(conn)?)
}

/// Revokes a key of this agency; false when the agency has no such key.
pub fn revoke(
    conn: &mut DbConn,
    agency_id: &str,
    key_id: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let exists = agency_api_keys::table
        .filter(agency_api_keys::id.eq(key_id))
        .filter(agency_api_keys::agency_id.eq(agency_id))
        .count()
        .get_result::<i64>(conn)?
        == 1;
    diesel::update(
        agency_api_keys::table
            .filter(agency_api_keys::id.eq(key_id))
            .filter(agency_api_keys::agency_id.eq(agency_id))
            .filter(agency_api_keys::revoked_at.is_null()),
    )
    .set(agency_api_keys::revoked_at.eq(now))
    .execute(conn)?;
    Ok(exists)
}

/// The agency a live key belongs to, noting when the key was last used.
pub fn agency_of_key(
    conn: &mut DbConn,
    key_hash: &str,
    now: NaiveDateTime,
) -> Result<Option<String>, DbError> {
    let agency = agency_api_keys::table
        .filter(agency_api_keys::key_hash.eq(key_hash))
        .filter(agency_api_keys::revoked_at.is_null())
        .select(agency_api_keys::agency_id)
        .first::<String>(conn)
        .optional()?;
    if agency.is_some() {
        // At most one write a minute per key: a busy intake system should not turn every
        // read into a write.
        let stale = now - chrono::Duration::minutes(1);
        diesel::update(
            agency_api_keys::table.filter(agency_api_keys::key_hash.eq(key_hash)).filter(
                agency_api_keys::last_used_at.is_null().or(agency_api_keys::last_used_at.lt(stale)),
            ),
        )
        .set(agency_api_keys::last_used_at.eq(now))
        .execute(conn)?;
    }
    Ok(agency)
}

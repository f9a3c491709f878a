//! Revisions of data that instances keep in memory, bumped in the transaction that changes the
//! data, so every instance sharing the database knows when its copy is stale.

use crate::schema::revisions;
use crate::{DbConn, DbError};
use diesel::prelude::*;

pub const CATALOGUE: &str = "catalogue";
pub const AREAS: &str = "areas";
pub const AIR: &str = "air";
pub const LAND: &str = "land";
pub const QUESTIONS: &str = "questions";

pub fn current(conn: &mut DbConn, name: &str) -> Result<i64, DbError> {
    crate::row_by_key(revisions::table.find(name).select(revisions::revision), conn)?
        .ok_or(DbError::Query(diesel::result::Error::NotFound))
}

/// Two revisions in one read, in the order named.
pub fn current_pair(conn: &mut DbConn, names: [&str; 2]) -> Result<[i64; 2], DbError> {
    let found: Vec<(String, i64)> = revisions::table
        .filter(revisions::name.eq_any(names))
        .select((revisions::name, revisions::revision))
        .load(conn)?;
    let of = |name: &str| {
        found
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, revision)| *revision)
            .ok_or(DbError::Query(diesel::result::Error::NotFound))
    };
    Ok([of(names[0])?, of(names[1])?])
}

pub fn bump(conn: &mut DbConn, name: &str) -> Result<(), DbError> {
    diesel::update(revisions::table.find(name))
        .set(revisions::revision.eq(revisions::revision + 1))
        .execute(conn)?;
    Ok(())
}

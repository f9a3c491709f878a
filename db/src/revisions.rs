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
    Ok(revisions::table.find(name).select(revisions::revision).first(conn)?)
}

pub fn bump(conn: &mut DbConn, name: &str) -> Result<(), DbError> {
    diesel::update(revisions::table.find(name))
        .set(revisions::revision.eq(revisions::revision + 1))
        .execute(conn)?;
    Ok(())
}

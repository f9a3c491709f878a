use crate::schema::agencies;
use crate::words::Stored;
use crate::{new_id, DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use smartcity_domain::agency::GovLevel;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = agencies)]
pub struct AgencyRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub level: GovLevel,
    pub created_at: NaiveDateTime,
}

/// Creates an agency; a code already in use comes back as `DbError::Duplicate`.
pub fn insert_agency(
    conn: &mut DbConn,
    code: &str,
    name: &str,
    level: GovLevel,
    now: NaiveDateTime,
) -> Result<AgencyRow, DbError> {
    let row =
        AgencyRow { id: new_id(), code: code.into(), name: name.into(), level, created_at: now };
    diesel::insert_into(agencies::table)
        .values((
            agencies::id.eq(&row.id),
            agencies::code.eq(&row.code),
            agencies::name.eq(&row.name),
            agencies::level.eq(Stored(row.level)),
            agencies::created_at.eq(row.created_at),
        ))
        .execute(conn)?;
    Ok(row)
}

pub fn find_agency(conn: &mut DbConn, id: &str) -> Result<Option<AgencyRow>, DbError> {
    Ok(agencies::table.find(id).select(AgencyRow::as_select()).first(conn).optional()?)
}

pub fn find_agency_by_code(conn: &mut DbConn, code: &str) -> Result<Option<AgencyRow>, DbError> {
    Ok(agencies::table
        .filter(agencies::code.eq(code))
        .select(AgencyRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list_all(conn: &mut DbConn) -> Result<Vec<AgencyRow>, DbError> {
    Ok(agencies::table.order(agencies::name.asc()).select(AgencyRow::as_select()).load(conn)?)
}

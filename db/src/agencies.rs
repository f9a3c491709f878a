use crate::schema::{agencies, agency_api_keys, users};
use crate::words::Stored;
use crate::{new_id, DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use smartcity_domain::account::Role;
use smartcity_domain::agency::GovLevel;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = agencies)]
pub struct AgencyRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub level: GovLevel,
    pub created_at: NaiveDateTime,
    /// Its staff get the daily overdue digest by SMS as well.
    pub sms_reminders: bool,
    /// Working days it has to answer a citizen's question.
    pub question_answer_days: i32,
}

/// Creates an agency; a code already in use comes back as `DbError::Duplicate`.
pub fn insert_agency(
    conn: &mut DbConn,
    code: &str,
    name: &str,
    level: GovLevel,
    now: NaiveDateTime,
) -> Result<AgencyRow, DbError> {
    let row = AgencyRow {
        id: new_id(),
        code: code.into(),
        name: name.into(),
        level,
        created_at: now,
        sms_reminders: false,
        question_answer_days: smartcity_domain::question::DEFAULT_ANSWER_DAYS,
    };
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

/// Turns the digest by SMS on or off; false for an unknown agency.
pub fn set_sms_reminders(conn: &mut DbConn, id: &str, enabled: bool) -> Result<bool, DbError> {
    let changed = diesel::update(agencies::table.find(id))
        .set(agencies::sms_reminders.eq(enabled))
        .execute(conn)?;
    Ok(changed > 0)
}

/// Sets the working days an agency has to answer a question; false for an unknown agency.
pub fn set_question_answer_days(conn: &mut DbConn, id: &str, days: i32) -> Result<bool, DbError> {
    let changed = diesel::update(agencies::table.find(id))
        .set(agencies::question_answer_days.eq(days))
        .execute(conn)?;
    Ok(changed > 0)
}

pub fn find_agency(conn: &mut DbConn, id: &str) -> Result<Option<AgencyRow>, DbError> {
    Ok(crate::row_by_key(agencies::table.find(id).select(AgencyRow::as_select()), conn)?)
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

/// Every agency by name, with how many staff accounts it has and how many of its API keys
/// still work: what an administrator looks over before issuing or revoking.
pub fn overview(conn: &mut DbConn) -> Result<Vec<(AgencyRow, i64, i64)>, DbError> {
    let staff: Vec<(Option<String>, i64)> = users::table
        .filter(users::role.ne(Stored(Role::Citizen)))
        .filter(users::agency_id.is_not_null())
        .group_by(users::agency_id)
        .select((users::agency_id, diesel::dsl::count_star()))
        .load(conn)?;
    let keys: Vec<(String, i64)> = agency_api_keys::table
        .filter(agency_api_keys::revoked_at.is_null())
        .group_by(agency_api_keys::agency_id)
        .select((agency_api_keys::agency_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(list_all(conn)?
        .into_iter()
        .map(|agency| {
            let staff = staff.iter().find(|(id, _)| id.as_ref() == Some(&agency.id));
            let keys = keys.iter().find(|(id, _)| *id == agency.id);
            (agency, staff.map_or(0, |(_, n)| *n), keys.map_or(0, |(_, n)| *n))
        })
        .collect())
}

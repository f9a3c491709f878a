//! The in-app inbox. Rows are written by the repository that makes the change they announce,
//! inside its transaction.

use crate::schema::notifications;
use crate::{new_id, DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use smartcity_domain::dossier::Notice;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: String,
    pub user_id: String,
    pub kind: String,
    pub title_vi: String,
    pub body_vi: String,
    pub title_en: String,
    pub body_en: String,
    pub data: String,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

pub fn insert(
    conn: &mut DbConn,
    user_id: &str,
    notice: &Notice,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let data = serde_json::to_string(&notice.data).expect("a string map serializes");
    diesel::insert_into(notifications::table)
        .values((
            notifications::id.eq(new_id()),
            notifications::user_id.eq(user_id),
            notifications::kind.eq(notice.kind),
            notifications::title_vi.eq(&notice.title_vi),
            notifications::body_vi.eq(&notice.body_vi),
            notifications::title_en.eq(&notice.title_en),
            notifications::body_en.eq(&notice.body_en),
            notifications::data.eq(data),
            notifications::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// A person's inbox, newest first.
pub fn for_user(conn: &mut DbConn, user_id: &str) -> Result<Vec<NotificationRow>, DbError> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user_id))
        .order((notifications::created_at.desc(), notifications::id.desc()))
        .select(NotificationRow::as_select())
        .load(conn)?)
}

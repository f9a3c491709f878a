//! The procedure catalogue.

use crate::schema::procedures;
use crate::{DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use smartcity_domain::procedure::ProcedureSpec;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = procedures)]
pub struct ProcedureRow {
    pub code: String,
    pub name: String,
    pub field: String,
    pub level: String,
    pub agency: String,
    pub service_level: i32,
    pub processing_days: i32,
    pub fee_vnd: i64,
    /// JSON list of strings.
    pub documents: String,
    pub result: String,
    /// JSON list of strings.
    pub steps: String,
    pub online_url: Option<String>,
    pub retired_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ProcedureRow {
    pub fn documents(&self) -> Result<Vec<String>, DbError> {
        serde_json::from_str(&self.documents).map_err(|e| DbError::Corrupt(e.to_string()))
    }

    pub fn steps(&self) -> Result<Vec<String>, DbError> {
        serde_json::from_str(&self.steps).map_err(|e| DbError::Corrupt(e.to_string()))
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct UpsertCounts {
    pub inserted: usize,
    pub updated: usize,
}

/// Inserts or updates every procedure by code, all or nothing. An import brings a retired
/// procedure back into the catalogue.
pub fn upsert_all(
    conn: &mut DbConn,
    specs: &[ProcedureSpec],
    now: NaiveDateTime,
) -> Result<UpsertCounts, DbError> {
    conn.transaction::<_, DbError, _>(|conn| {
        let existing: std::collections::HashSet<String> =
            procedures::table.select(procedures::code).load::<String>(conn)?.into_iter().collect();
        let mut counts = UpsertCounts::default();
        for spec in specs {
            let documents = serde_json::to_string(&spec.documents).expect("strings serialize");
            let steps = serde_json::to_string(&spec.steps).expect("strings serialize");
            let values = (
                procedures::name.eq(&spec.name),
                procedures::field.eq(&spec.field),
                procedures::level.eq(spec.level.as_str()),
                procedures::agency.eq(&spec.agency),
                procedures::service_level.eq(i32::from(spec.service_level)),
                procedures::processing_days.eq(i32::from(spec.processing_days)),
                procedures::fee_vnd.eq(spec.fee_vnd),
                procedures::documents.eq(&documents),
                procedures::result.eq(&spec.result),
                procedures::steps.eq(&steps),
                procedures::online_url.eq(spec.online_url.as_deref()),
                procedures::retired_at.eq(None::<NaiveDateTime>),
                procedures::updated_at.eq(now),
            );
            if existing.contains(&spec.code) {
                diesel::update(procedures::table.find(&spec.code)).set(values).execute(conn)?;
                counts.updated += 1;
            } else {
                diesel::insert_into(procedures::table)
                    .values((
                        procedures::code.eq(&spec.code),
                        procedures::created_at.eq(now),
                        values,
                    ))
                    .execute(conn)?;
                counts.inserted += 1;
            }
        }
        Ok(counts)
    })
}

/// A page of the live catalogue by name, and how many there are in all.
pub fn list_live(
    conn: &mut DbConn,
    offset: i64,
    limit: i64,
) -> Result<(Vec<ProcedureRow>, i64), DbError> {
    let total =
        procedures::table.filter(procedures::retired_at.is_null()).count().get_result(conn)?;
    let rows = procedures::table
        .filter(procedures::retired_at.is_null())
        .order((procedures::name.asc(), procedures::code.asc()))
        .offset(offset)
        .limit(limit)
        .select(ProcedureRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// One procedure by code, retired ones included (old dossiers still name them).
pub fn find(conn: &mut DbConn, code: &str) -> Result<Option<ProcedureRow>, DbError> {
    Ok(procedures::table.find(code).select(ProcedureRow::as_select()).first(conn).optional()?)
}

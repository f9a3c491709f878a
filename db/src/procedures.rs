//! The procedure catalogue.

use crate::pool::write_transaction;
use crate::revisions;
use crate::schema::procedures;
use crate::words::Stored;
use crate::{DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use smartcity_domain::agency::GovLevel;
use smartcity_domain::procedure::{ProcedureSpec, Submission};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = procedures)]
pub struct ProcedureRow {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub field: String,
    pub level: GovLevel,
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
    /// JSON of a `Submission`, for procedures submitted online.
    pub submission: Option<String>,
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

    pub fn submission(&self) -> Result<Option<Submission>, DbError> {
        self.submission
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| DbError::Corrupt(e.to_string()))
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
    write_transaction::<_, DbError, _>(conn, |conn| {
        let existing: std::collections::HashSet<String> =
            procedures::table.select(procedures::code).load::<String>(conn)?.into_iter().collect();
        let mut counts = UpsertCounts::default();
        for spec in specs {
            let exists = existing.contains(&spec.code);
            write(conn, spec, now, exists)?;
            if exists {
                counts.updated += 1;
            } else {
                counts.inserted += 1;
            }
        }
        Ok(counts)
    })
}

/// Inserts (`exists` false) or replaces a procedure; either way it is live afterwards.
fn write(
    conn: &mut DbConn,
    spec: &ProcedureSpec,
    now: NaiveDateTime,
    exists: bool,
) -> Result<(), DbError> {
    let documents = serde_json::to_string(&spec.documents).expect("strings serialize");
    let steps = serde_json::to_string(&spec.steps).expect("strings serialize");
    let submission = spec
        .submission
        .as_ref()
        .map(|s| serde_json::to_string(s).expect("a submission serializes"));
    let values = (
        procedures::name.eq(&spec.name),
        procedures::name_en.eq(&spec.name_en),
        procedures::field.eq(&spec.field),
        procedures::level.eq(Stored(spec.level)),
        procedures::agency.eq(&spec.agency),
        procedures::service_level.eq(i32::from(spec.service_level)),
        procedures::processing_days.eq(i32::from(spec.processing_days)),
        procedures::fee_vnd.eq(spec.fee_vnd),
        procedures::documents.eq(&documents),
        procedures::result.eq(&spec.result),
        procedures::steps.eq(&steps),
        procedures::online_url.eq(spec.online_url.as_deref()),
        procedures::submission.eq(submission.as_deref()),
        procedures::retired_at.eq(None::<NaiveDateTime>),
        procedures::updated_at.eq(now),
    );
    if exists {
        diesel::update(procedures::table.find(&spec.code)).set(values).execute(conn)?;
    } else {
        diesel::insert_into(procedures::table)
            .values((procedures::code.eq(&spec.code), procedures::created_at.eq(now), values))
            .execute(conn)?;
    }
    bump_revision(conn)
}

/// Adds one procedure; false when the code is taken (live or retired).
pub fn create(
    conn: &mut DbConn,
    spec: &ProcedureSpec,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    match write_transaction(conn, |conn| write(conn, spec, now, false)) {
        Ok(()) => Ok(true),
        Err(DbError::Duplicate(_)) => Ok(false),
        Err(other) => Err(other),
    }
}

/// Replaces an existing procedure (bringing it back if retired); false when there is none.
pub fn replace(
    conn: &mut DbConn,
    spec: &ProcedureSpec,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    write_transaction(conn, |conn| {
        if find(conn, &spec.code)?.is_none() {
            return Ok(false);
        }
        write(conn, spec, now, true)?;
        Ok(true)
    })
}

/// Takes a procedure out of the live catalogue; its row stays for the dossiers that name it.
pub fn retire(conn: &mut DbConn, code: &str, now: NaiveDateTime) -> Result<bool, DbError> {
    write_transaction(conn, |conn| {
        let Some(row) = find(conn, code)? else {
            return Ok(false);
        };
        if row.retired_at.is_none() {
            diesel::update(procedures::table.find(code))
                .set((procedures::retired_at.eq(now), procedures::updated_at.eq(now)))
                .execute(conn)?;
            bump_revision(conn)?;
        }
        Ok(true)
    })
}

/// Fields of the live catalogue with how many procedures each has, by name.
pub fn field_counts(conn: &mut DbConn) -> Result<Vec<(String, i64)>, DbError> {
    Ok(procedures::table
        .filter(procedures::retired_at.is_null())
        .group_by(procedures::field)
        .select((procedures::field, diesel::dsl::count_star()))
        .order(procedures::field.asc())
        .load(conn)?)
}

/// Changes whenever a procedure is added, changed or retired (bumped in the same
/// transaction). Instances compare it to know when to rebuild their search index.
pub fn catalogue_revision(conn: &mut DbConn) -> Result<i64, DbError> {
    revisions::current(conn, revisions::CATALOGUE)
}

fn bump_revision(conn: &mut DbConn) -> Result<(), DbError> {
    revisions::bump(conn, revisions::CATALOGUE)
}

/// Every live procedure with the catalogue revision, for building the search index. The
/// revision is read first: should a change land in between, the rows are newer than their
/// label and the next search rebuilds, rather than the index passing for newer than it is.
pub fn live_with_revision(conn: &mut DbConn) -> Result<(i64, Vec<ProcedureRow>), DbError> {
    let revision = catalogue_revision(conn)?;
    let rows = procedures::table
        .filter(procedures::retired_at.is_null())
        .select(ProcedureRow::as_select())
        .load(conn)?;
    Ok((revision, rows))
}

/// One procedure by code, retired ones included (old dossiers still name them).
pub fn find(conn: &mut DbConn, code: &str) -> Result<Option<ProcedureRow>, DbError> {
    Ok(crate::row_by_key(procedures::table.find(code).select(ProcedureRow::as_select()), conn)?)
}

//! Public cameras: the administrators' registry, the map's box, and each camera's health as
//! the snapshot fetches find it (working, or down since when, after how many failures).

use crate::pool::write_transaction;
use crate::schema::cameras;
use crate::words::Stored;
use crate::{new_id, DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use smartcity_domain::camera::CameraKind;
use smartcity_domain::geo::BoundingBox;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = cameras)]
pub struct CameraRow {
    pub id: String,
    pub name: String,
    pub kind: CameraKind,
    pub lat: f64,
    pub lon: f64,
    pub snapshot_url: String,
    pub stream_url: Option<String>,
    pub active: bool,
    pub working: bool,
    pub down_since: Option<NaiveDateTime>,
    pub failures: i32,
    pub last_failure_at: Option<NaiveDateTime>,
    pub last_snapshot_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A camera as an administrator describes it (already parsed).
#[derive(Debug, Clone)]
pub struct CameraFields {
    pub name: String,
    pub kind: CameraKind,
    pub lat: f64,
    pub lon: f64,
    pub snapshot_url: String,
    pub stream_url: Option<String>,
    pub active: bool,
}

/// Registers a camera; it counts as working until a fetch finds otherwise.
pub fn create(
    conn: &mut DbConn,
    fields: &CameraFields,
    now: NaiveDateTime,
) -> Result<CameraRow, DbError> {
    let id = new_id();
    diesel::insert_into(cameras::table)
        .values((
            cameras::id.eq(&id),
            cameras::name.eq(&fields.name),
            cameras::kind.eq(Stored(fields.kind)),
            cameras::lat.eq(fields.lat),
            cameras::lon.eq(fields.lon),
            cameras::snapshot_url.eq(&fields.snapshot_url),
            cameras::stream_url.eq(&fields.stream_url),
            cameras::active.eq(fields.active),
            cameras::working.eq(true),
            cameras::failures.eq(0),
            cameras::created_at.eq(now),
            cameras::updated_at.eq(now),
        ))
        .execute(conn)?;
    find(conn, &id)?.ok_or_else(|| DbError::Corrupt(format!("camera {id} not read back")))
}

/// Replaces what a camera is (a retired one comes back when `active`). A new snapshot address
/// starts with a clean health: the old one's failures say nothing of it. None when there is no
/// such camera.
pub fn update(
    conn: &mut DbConn,
    id: &str,
    fields: &CameraFields,
    now: NaiveDateTime,
) -> Result<Option<CameraRow>, DbError> {
    write_transaction(conn, |conn| {
        let Some(before) = find(conn, id)? else {
            return Ok(None);
        };
        diesel::update(cameras::table.find(id))
            .set((
                cameras::name.eq(&fields.name),
                cameras::kind.eq(Stored(fields.kind)),
                cameras::lat.eq(fields.lat),
                cameras::lon.eq(fields.lon),
                cameras::snapshot_url.eq(&fields.snapshot_url),
                cameras::stream_url.eq(&fields.stream_url),
                cameras::active.eq(fields.active),
                cameras::updated_at.eq(now),
            ))
            .execute(conn)?;
        if before.snapshot_url != fields.snapshot_url {
            diesel::update(cameras::table.find(id))
                .set((
                    cameras::working.eq(true),
                    cameras::failures.eq(0),
                    cameras::down_since.eq(None::<NaiveDateTime>),
                    cameras::last_failure_at.eq(None::<NaiveDateTime>),
                    cameras::last_snapshot_at.eq(None::<NaiveDateTime>),
                ))
                .execute(conn)?;
        }
        find(conn, id)
    })
}

/// Retires an active camera: it is kept, and shown nowhere. False when there is no such
/// active camera.
pub fn retire(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> Result<bool, DbError> {
    let changed = diesel::update(cameras::table.find(id).filter(cameras::active.eq(true)))
        .set((cameras::active.eq(false), cameras::updated_at.eq(now)))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Any camera, retired ones too.
pub fn find(conn: &mut DbConn, id: &str) -> Result<Option<CameraRow>, DbError> {
    Ok(crate::row_by_key(cameras::table.find(id).select(CameraRow::as_select()), conn)?)
}

/// The active cameras inside a box (bounds included), by name, at most `limit`.
pub fn in_box(
    conn: &mut DbConn,
    bbox: &BoundingBox,
    limit: i64,
) -> Result<Vec<CameraRow>, DbError> {
    Ok(cameras::table
        .filter(cameras::lat.between(bbox.min_lat, bbox.max_lat))
        .filter(cameras::lon.between(bbox.min_lon, bbox.max_lon))
        .filter(cameras::active.eq(true))
        .order((cameras::name.asc(), cameras::id.asc()))
        .limit(limit)
        .select(CameraRow::as_select())
        .load(conn)?)
}

/// A snapshot came: the camera works, and its failures are forgotten.
pub fn mark_up(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> Result<(), DbError> {
    diesel::update(cameras::table.find(id))
        .set((
            cameras::working.eq(true),
            cameras::failures.eq(0),
            cameras::down_since.eq(None::<NaiveDateTime>),
            cameras::last_failure_at.eq(None::<NaiveDateTime>),
            cameras::last_snapshot_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A fetch failed: the camera is down (since the first failure in a row), one failure more.
/// Returns the failures in a row now, or None when there is no such camera.
pub fn mark_down(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> Result<Option<i32>, DbError> {
    write_transaction(conn, |conn| {
        let changed = diesel::update(cameras::table.find(id))
            .set((
                cameras::working.eq(false),
                cameras::failures.eq(cameras::failures + 1),
                cameras::last_failure_at.eq(at),
            ))
            .execute(conn)?;
        if changed == 0 {
            return Ok(None);
        }
        diesel::update(cameras::table.find(id).filter(cameras::down_since.is_null()))
            .set(cameras::down_since.eq(at))
            .execute(conn)?;
        Ok(Some(cameras::table.find(id).select(cameras::failures).first(conn)?))
    })
}

//! The land layers (parcels, planning zones): each replaced whole, in one transaction, by the
//! operator's import, and read back whole to build the in-memory index.
//!
//! An import streams: rows are handed to a [`LayerWriter`] one at a time and written in
//! multi-row inserts of [`BATCH`] rows, so a layer of hundreds of thousands of parcels never
//! sits in memory, only one batch of it.

use crate::pool::write_transaction;
use crate::revisions;
use crate::schema::{land_layers, land_parcels, land_zones};
use crate::words::Stored;
use crate::{DbConn, DbError};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use smartcity_domain::land::{LandUse, LayerKind};

/// Rows per insert statement: 9 columns each, well under SQLite's 32 766 and PostgreSQL's
/// 65 535 bound parameters.
pub const BATCH: usize = 500;

/// What an import says about its layer.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerInfo {
    pub kind: LayerKind,
    /// The date the layer's publisher gives it (the data's date, not the import's).
    pub layer_date: NaiveDate,
    pub imported_at: NaiveDateTime,
    /// The file's name as the operator gave it.
    pub source_file: String,
}

/// A layer as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = land_layers)]
pub struct LayerRow {
    pub kind: LayerKind,
    pub layer_date: NaiveDate,
    pub imported_at: NaiveDateTime,
    pub source_file: String,
    pub feature_count: i64,
}

/// A parcel on its way in: its stored JSON and the fields worth a column.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = land_parcels)]
pub struct NewParcel {
    pub seq: i64,
    pub sheet: i32,
    pub parcel: i32,
    pub land_use: Stored<LandUse>,
    pub feature: String,
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lon: f64,
    pub max_lon: f64,
}

/// A zone on its way in.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = land_zones)]
pub struct NewZone {
    pub seq: i64,
    pub zone: String,
    pub plan: String,
    pub decision: String,
    pub feature: String,
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lon: f64,
    pub max_lon: f64,
}

/// One row of either layer.
#[derive(Debug, Clone)]
pub enum NewFeature {
    Parcel(NewParcel),
    Zone(NewZone),
}

/// Writes one layer's rows inside its import's transaction, a batch at a time.
pub struct LayerWriter<'c> {
    conn: &'c mut DbConn,
    parcels: Vec<NewParcel>,
    zones: Vec<NewZone>,
    written: usize,
}

impl LayerWriter<'_> {
    /// Queues a row, writing the batch when it is full.
    pub fn push(&mut self, feature: NewFeature) -> Result<(), DbError> {
        match feature {
            NewFeature::Parcel(parcel) => self.parcels.push(parcel),
            NewFeature::Zone(zone) => self.zones.push(zone),
        }
        if self.parcels.len() + self.zones.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    /// Rows written so far (queued ones not counted).
    pub fn written(&self) -> usize {
        self.written
    }

    fn flush(&mut self) -> Result<(), DbError> {
        if !self.parcels.is_empty() {
            let insert = diesel::insert_into(land_parcels::table).values(&self.parcels);
            self.written += match &mut *self.conn {
                DbConn::Postgres(c) => insert.execute(c)?,
                DbConn::Sqlite(c) => insert.execute(c)?,
            };
            self.parcels.clear();
        }
        if !self.zones.is_empty() {
            let insert = diesel::insert_into(land_zones::table).values(&self.zones);
            self.written += match &mut *self.conn {
                DbConn::Postgres(c) => insert.execute(c)?,
                DbConn::Sqlite(c) => insert.execute(c)?,
            };
            self.zones.clear();
        }
        Ok(())
    }
}

/// Replaces the layer `info.kind` in one transaction: its old rows go, `fill` hands the new ones
/// to the writer, and the layer's row (date, file, count) and the land revision follow. When
/// `fill` fails, nothing changes. Returns how many rows were written.
pub fn replace_layer<E: From<DbError>>(
    conn: &mut DbConn,
    info: &LayerInfo,
    fill: impl FnOnce(&mut LayerWriter) -> Result<(), E>,
) -> Result<usize, E> {
    let written = write_transaction(conn, |conn| {
        match info.kind {
            LayerKind::Parcels => diesel::delete(land_parcels::table).execute(conn)?,
            LayerKind::Planning => diesel::delete(land_zones::table).execute(conn)?,
        };
        let mut writer =
            LayerWriter { conn: &mut *conn, parcels: Vec::new(), zones: Vec::new(), written: 0 };
        fill(&mut writer).map_err(Failed::Fill)?;
        writer.flush().map_err(Failed::Db)?;
        let count = writer.written;
        diesel::delete(land_layers::table.find(Stored(info.kind))).execute(conn)?;
        diesel::insert_into(land_layers::table)
            .values((
                land_layers::kind.eq(Stored(info.kind)),
                land_layers::layer_date.eq(info.layer_date),
                land_layers::imported_at.eq(info.imported_at),
                land_layers::source_file.eq(&info.source_file),
                land_layers::feature_count.eq(count as i64),
            ))
            .execute(conn)?;
        revisions::bump(conn, revisions::LAND).map_err(Failed::Db)?;
        Ok(count)
    });
    written.map_err(|failed| match failed {
        Failed::Db(err) => E::from(err),
        Failed::Fill(err) => err,
    })
}

/// Why a replacement rolled back: the database, or the caller's `fill`.
enum Failed<E> {
    Db(DbError),
    Fill(E),
}

impl<E> From<diesel::result::Error> for Failed<E> {
    fn from(err: diesel::result::Error) -> Self {
        Failed::Db(err.into())
    }
}

pub fn land_revision(conn: &mut DbConn) -> Result<i64, DbError> {
    revisions::current(conn, revisions::LAND)
}

/// Everything the index is built from, with the revision it is at (read first, as for the
/// areas, so a change meanwhile only makes the next request rebuild again).
#[derive(Debug, Clone, Default)]
pub struct StoredLand {
    pub revision: i64,
    pub layers: Vec<LayerRow>,
    /// Stored JSON, in file order.
    pub parcels: Vec<String>,
    pub zones: Vec<String>,
}

pub fn load_land(conn: &mut DbConn) -> Result<StoredLand, DbError> {
    let revision = land_revision(conn)?;
    let layers = land_layers::table.select(LayerRow::as_select()).load(conn)?;
    let parcels = land_parcels::table
        .order(land_parcels::seq.asc())
        .select(land_parcels::feature)
        .load(conn)?;
    let zones =
        land_zones::table.order(land_zones::seq.asc()).select(land_zones::feature).load(conn)?;
    Ok(StoredLand { revision, layers, parcels, zones })
}

/// The layers imported, without their rows.
pub fn layers(conn: &mut DbConn) -> Result<Vec<LayerRow>, DbError> {
    Ok(land_layers::table.select(LayerRow::as_select()).load(conn)?)
}

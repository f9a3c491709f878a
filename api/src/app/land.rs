//! The land layers: the operator's import (streamed, checked whole, then loaded in one
//! transaction) and "what parcel and planning zone is at this point?" from this instance's
//! in-memory index, rebuilt when the land revision moves (after an import anywhere).

use crate::app::database::Database;
use crate::app::error::{ApiError, Bug};
use crate::app::revision_cache::RevisionCache;
use chrono::NaiveDate;
use smartcity_db::land::{self, LayerInfo, NewFeature, NewParcel, NewZone, StoredLand};
use smartcity_db::words::Stored;
use smartcity_db::{DbConn, DbError};
use smartcity_domain::geo::{LatLon, Region};
use smartcity_domain::land::{
    read_parcels, read_zones, LandError, LandIndex, LandIndexBuilder, LayerKind, Parcel,
    ParcelPropertyNames, PlanningZone, ZonePropertyNames,
};
use std::fmt;
use std::io::Read;
use std::sync::Arc;

/// The notice every answer carries: the layers are for reference, not a legal document.
pub const NOTICE_VI: &str = "Thông tin chỉ mang tính tham khảo, không có giá trị pháp lý. \
    Thông tin chính thức về thửa đất và quy hoạch do cơ quan nhà nước có thẩm quyền cung cấp.";
pub const NOTICE_EN: &str = "For reference only; not a legal document. Official information \
    on a parcel and its planning comes from the competent authority.";

/// The land index of this instance, with the layers' dates.
pub struct LandMap {
    region: Region,
    cache: RevisionCache<LoadedLand>,
}

/// The index as built from the database, and the date of each layer imported.
#[derive(Debug)]
pub struct LoadedLand {
    pub index: LandIndex,
    pub parcels_date: Option<NaiveDate>,
    pub zones_date: Option<NaiveDate>,
}

impl LandMap {
    pub fn new(region: Region) -> LandMap {
        LandMap { region, cache: RevisionCache::default() }
    }

    pub fn region(&self) -> &Region {
        &self.region
    }

    /// The index at the database's current land revision.
    pub async fn loaded(&self, db: &Database) -> Result<Arc<LoadedLand>, ApiError> {
        let revision = db.run(land::land_revision).await?;
        self.cache
            .get(revision, || async {
                let stored = db.run(land::load_land).await?;
                let region = self.region;
                let revision = stored.revision;
                let loaded =
                    tokio::task::spawn_blocking(move || build(stored, &region)).await?.map_err(
                        |err| ApiError::internal(Bug(format!("stored land does not parse: {err}"))),
                    )?;
                Ok((revision, loaded))
            })
            .await
    }
}

/// The index of the rows as stored, each checked again.
pub fn build(stored: StoredLand, region: &Region) -> Result<LoadedLand, LandError> {
    let mut builder = LandIndexBuilder::new();
    for parcel in &stored.parcels {
        builder.push_stored(LayerKind::Parcels, parcel, region)?;
    }
    for zone in &stored.zones {
        builder.push_stored(LayerKind::Planning, zone, region)?;
    }
    let date = |kind| stored.layers.iter().find(|l| l.kind == kind).map(|l| l.layer_date);
    Ok(LoadedLand {
        parcels_date: date(LayerKind::Parcels),
        zones_date: date(LayerKind::Planning),
        index: builder.build(),
    })
}

/// The land at a point: owned copies of what the index holds there.
#[derive(Debug, Clone)]
pub struct LandAt {
    pub parcel: Option<Parcel>,
    pub zone: Option<PlanningZone>,
    pub parcels_date: Option<NaiveDate>,
    pub zones_date: Option<NaiveDate>,
}

/// The parcel and planning zone at `point` (see [`LandIndex::lookup`] for a point on a border).
pub async fn land_at(map: &LandMap, db: &Database, point: LatLon) -> Result<LandAt, ApiError> {
    let loaded = map.loaded(db).await?;
    let answer = loaded.index.lookup(point);
    Ok(LandAt {
        parcel: answer.parcel.cloned(),
        zone: answer.zone.cloned(),
        parcels_date: loaded.parcels_date,
        zones_date: loaded.zones_date,
    })
}

/// Where an import is, for the operator's progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Reading the whole file and checking each feature; nothing written yet.
    Checking,
    /// Reading it again and writing each feature, in one transaction.
    Loading,
}

/// Why an import changed nothing.
#[derive(Debug)]
pub enum ImportError {
    /// The file could not be opened.
    Open(std::io::Error),
    /// A feature (named) or the file is bad.
    Refused(LandError),
    /// The file changed between the check and the load.
    Changed {
        checked: usize,
        loaded: usize,
    },
    Db(DbError),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Open(err) => write!(f, "cannot open the file: {err}"),
            ImportError::Refused(err) => write!(f, "refused, nothing imported: {err}"),
            ImportError::Changed { checked, loaded } => write!(
                f,
                "the file changed while it was imported ({checked} features checked, \
                 {loaded} read again); nothing imported"
            ),
            ImportError::Db(err) => write!(f, "{err}; nothing imported"),
        }
    }
}

impl std::error::Error for ImportError {}

impl From<LandError> for ImportError {
    fn from(err: LandError) -> Self {
        ImportError::Refused(err)
    }
}

impl From<DbError> for ImportError {
    fn from(err: DbError) -> Self {
        ImportError::Db(err)
    }
}

/// A layer file to import: `open` gives a fresh reader each time it is called (the file is
/// read twice, never held whole).
pub struct LayerFile<'a, R> {
    pub kind: LayerKind,
    pub open: &'a dyn Fn() -> std::io::Result<R>,
    pub layer_date: NaiveDate,
    /// The file's name, kept with the layer.
    pub source_file: String,
}

/// Replaces a layer with a GeoJSON file's features, whole or not at all. The file is streamed
/// twice, in bounded memory: first every feature is checked and nothing is written (a bad one
/// refuses the file, named by its index and id); then, in one transaction, the old rows go and
/// the features are written in multi-row batches. `progress` hears each feature of each pass.
/// The write bumps the land revision, so every instance's index follows on its next lookup.
/// Blocking: call it off the async workers. Returns how many features the layer has now.
pub fn import_layer<R: Read>(
    conn: &mut DbConn,
    file: &LayerFile<'_, R>,
    region: &Region,
    progress: &mut dyn FnMut(Pass, usize),
) -> Result<usize, ImportError> {
    let checked = stream(file, region, None, &mut |n| progress(Pass::Checking, n))?;
    let info = LayerInfo {
        kind: file.kind,
        layer_date: file.layer_date,
        imported_at: smartcity_db::now(),
        source_file: file.source_file.clone(),
    };
    let loaded = land::replace_layer(conn, &info, |writer| {
        let mut write = |row: NewFeature| -> Result<(), ImportError> {
            writer.push(row)?;
            Ok(())
        };
        let loaded = stream(file, region, Some(&mut write), &mut |n| progress(Pass::Loading, n))?;
        if loaded != checked {
            return Err(ImportError::Changed { checked, loaded });
        }
        Ok(())
    })?;
    Ok(loaded)
}

/// Reads the file once, handing each feature's row to `on_row` when there is one (the check
/// builds no rows); returns how many features there were.
fn stream<R: Read>(
    file: &LayerFile<'_, R>,
    region: &Region,
    mut on_row: Option<&mut dyn FnMut(NewFeature) -> Result<(), ImportError>>,
    counted: &mut dyn FnMut(usize),
) -> Result<usize, ImportError> {
    let reader = (file.open)().map_err(ImportError::Open)?;
    let mut seq = 0usize;
    let mut next = |row: &dyn Fn(i64) -> NewFeature| {
        if let Some(on_row) = on_row.as_mut() {
            on_row(row(seq as i64))?;
        }
        seq += 1;
        counted(seq);
        Ok::<(), ImportError>(())
    };
    match file.kind {
        LayerKind::Parcels => {
            read_parcels(reader, &ParcelPropertyNames::default(), region, |parcel| {
                next(&|seq| NewFeature::Parcel(parcel_row(seq, &parcel)))
            })
        }
        LayerKind::Planning => read_zones(reader, &ZonePropertyNames::default(), region, |zone| {
            next(&|seq| NewFeature::Zone(zone_row(seq, &zone)))
        }),
    }
}

fn parcel_row(seq: i64, parcel: &Parcel) -> NewParcel {
    let b = parcel.bbox();
    NewParcel {
        seq,
        // Both from 1 to 99 999.
        sheet: parcel.sheet() as i32,
        parcel: parcel.number() as i32,
        land_use: Stored(parcel.land_use()),
        feature: parcel.to_stored_json(),
        min_lat: b.min_lat,
        max_lat: b.max_lat,
        min_lon: b.min_lon,
        max_lon: b.max_lon,
    }
}

fn zone_row(seq: i64, zone: &PlanningZone) -> NewZone {
    let b = zone.bbox();
    NewZone {
        seq,
        zone: zone.zone().to_string(),
        plan: zone.plan().to_string(),
        decision: zone.decision().to_string(),
        feature: zone.to_stored_json(),
        min_lat: b.min_lat,
        max_lat: b.max_lat,
        min_lon: b.min_lon,
        max_lon: b.max_lon,
    }
}

//! The areas' spatial index of this instance, for routing a point to its ward or commune;
//! rebuilt from the database when the areas' revision moves (after an import anywhere), and the
//! one way areas are replaced (an administrator's upload, the operator's `import-areas`).

use crate::app::database::Database;
use crate::app::error::{ApiError, Bug, ErrorCode};
use crate::app::revision_cache::RevisionCache;
use smartcity_db::places::{self, AreaRow, NewArea};
use smartcity_domain::geo::{
    feature_collection, parse_areas, Area, AreaError, AreaId, AreaIndex, LatLon, Region,
};
use smartcity_domain::routing::route;
use std::sync::Arc;

/// Largest areas file accepted, in bytes. A city's wards as GeoJSON are well under 1 MiB
/// (the demo's five are 3 KiB; a province's hundred-odd communes at survey detail a few MiB);
/// parsing holds several times the text in memory, so an upload is cut here, before it is
/// read on, rather than at the 71 MiB a photo form may reach.
pub const MAX_AREAS_BYTES: usize = 8 << 20;

pub struct AreaMap {
    region: Region,
    cache: RevisionCache<AreaIndex>,
}

impl AreaMap {
    pub fn new(region: Region) -> AreaMap {
        AreaMap { region, cache: RevisionCache::default() }
    }

    pub fn region(&self) -> &Region {
        &self.region
    }

    pub async fn index(&self, db: &Database) -> Result<Arc<AreaIndex>, ApiError> {
        let revision = db.run(places::areas_revision).await?;
        self.cache
            .get(revision, || async {
                let (revision, rows) = db.run(places::areas_with_revision).await?;
                let region = self.region;
                let index = tokio::task::spawn_blocking(move || stored_index(rows, &region))
                    .await?
                    .map_err(|err| {
                        ApiError::internal(Bug(format!("stored areas do not parse: {err}")))
                    })?;
                Ok((revision, index))
            })
            .await
    }
}

/// The spatial index of the areas as stored.
pub fn stored_index(rows: Vec<AreaRow>, region: &Region) -> Result<AreaIndex, AreaError> {
    if rows.is_empty() {
        return Ok(AreaIndex::new(Vec::new()));
    }
    let features: Vec<String> = rows.into_iter().map(|r| r.geometry).collect();
    parse_areas(&feature_collection(&features), "name", region).map(AreaIndex::new)
}

/// Areas as they are stored; an area without a code is stored under its name.
pub fn storable(areas: &[Area]) -> Vec<NewArea> {
    areas
        .iter()
        .map(|area| NewArea {
            code: area_code(&area.id),
            name: area.id.name.clone(),
            feature_json: area.to_feature_json(),
            bbox: (area.bbox.min_lat, area.bbox.max_lat, area.bbox.min_lon, area.bbox.max_lon),
            inside: (area.interior_point.lat(), area.interior_point.lon()),
        })
        .collect()
}

/// Replaces every area with those of a GeoJSON FeatureCollection (each feature named by its
/// `name_property`), whole or not at all: a file with a bad feature is refused naming it, and
/// nothing changes. The write bumps the areas' revision, so every instance's index follows on
/// its next complaint. Returns how many areas there are now.
pub async fn import_areas(
    db: &Database,
    region: Region,
    text: String,
    name_property: String,
) -> Result<usize, ApiError> {
    if name_property.trim().is_empty() || name_property.chars().count() > 100 {
        return Err(ApiError::invalid_field(
            "name_property",
            "Tên thuộc tính đặt tên khu vực: 1–100 ký tự",
            "The property naming the areas: 1–100 characters",
        ));
    }
    // Checking polygons of a large file takes a while: off the async workers.
    let parsed =
        tokio::task::spawn_blocking(move || parse_areas(&text, &name_property, &region)).await?;
    let areas = storable(&parsed.map_err(refused_areas)?);
    let count = areas.len();
    db.run(move |conn| places::replace_areas(conn, &areas, smartcity_db::now())).await?;
    Ok(count)
}

/// A refused areas file as a 422 naming the feature at fault (`features[3]`), or the body when
/// the fault is the whole file's.
fn refused_areas(error: AreaError) -> ApiError {
    let field = error.feature.map_or_else(|| "body".to_string(), |i| format!("features[{i}]"));
    let problem = error.problem.vietnamese();
    let vi = match (error.feature, &error.name) {
        (Some(index), Some(name)) => format!("Đối tượng {index} ({name}): {problem}"),
        (Some(index), None) => format!("Đối tượng {index}: {problem}"),
        (None, _) => format!("Tệp GeoJSON: {problem}"),
    };
    ApiError::invalid_field(field, vi, error.to_string())
}

/// The code of the area holding `position`, if any.
pub async fn area_at(
    areas: &AreaMap,
    db: &Database,
    position: LatLon,
) -> Result<Option<String>, ApiError> {
    Ok(areas.index(db).await?.locate(position).map(area_code))
}

/// An area is stored under its code, or its name when it has none.
pub fn area_code(id: &AreaId) -> String {
    id.code.clone().unwrap_or_else(|| id.name.clone())
}

/// The agency a complaint of this category in this area goes to, by the routing rules; 422
/// naming `lat` when no rule (not even a city-wide one) covers it.
pub async fn agency_for(
    db: &Database,
    category_code: &str,
    area_code: Option<&str>,
) -> Result<String, ApiError> {
    let rules = db.run(places::rules).await?;
    route(&rules, category_code, area_code)
        .map(str::to_string)
        .ok_or_else(|| ApiError::new(ErrorCode::OutsideServedArea).with_field("lat"))
}

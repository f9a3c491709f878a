//! Geography without PostGIS: points inside the served region, the box a radius query scans
//! before exact distances, and the areas (wards, communes) a point is routed to.

use crate::validation::{Invalid, Reason};
// `::geo` is the crate; this module shares its name.
use ::geo::{
    BoundingRect, Coord, Distance, Haversine, InteriorPoint, Intersects, LineString, MultiPolygon,
    Point, Polygon, Validation,
};
use geojson::{Feature, GeometryValue, PolygonType};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::RTree;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;

/// A box of latitudes and longitudes, in degrees, bounds included.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundingBox {
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lon: f64,
    pub max_lon: f64,
}

/// The region the city serves: points outside it are refused.
pub type Region = BoundingBox;

/// The map's grid: cells of 0.01° × 0.01° (about 1.1 km here), numbered `lat × 100 000 + lon`
/// in hundredths of a degree. The migration that added the column computes the same number.
pub fn grid_cell(lat: f64, lon: f64) -> i32 {
    hundredths(lat) * 100_000 + hundredths(lon)
}

fn hundredths(degrees: f64) -> i32 {
    (degrees * 100.0).floor() as i32
}

/// The grid cells a box touches, or None when there are more than `max` (a box that large is
/// better read another way).
pub fn cells_covering(bbox: &BoundingBox, max: usize) -> Option<Vec<i32>> {
    let (lat_from, lat_to) = (hundredths(bbox.min_lat), hundredths(bbox.max_lat));
    let (lon_from, lon_to) = (hundredths(bbox.min_lon), hundredths(bbox.max_lon));
    let rows = usize::try_from(lat_to - lat_from + 1).ok()?;
    let columns = usize::try_from(lon_to - lon_from + 1).ok()?;
    if rows.checked_mul(columns)? > max {
        return None;
    }
    Some(
        (lat_from..=lat_to)
            .flat_map(|lat| (lon_from..=lon_to).map(move |lon| lat * 100_000 + lon))
            .collect(),
    )
}

impl BoundingBox {
    /// Vietnam's mainland and its islands, Hoàng Sa and Trường Sa included.
    pub const VIETNAM: Region =
        BoundingBox { min_lat: 6.0, max_lat: 24.0, min_lon: 102.0, max_lon: 118.0 };

    pub fn contains(&self, point: LatLon) -> bool {
        (self.min_lat..=self.max_lat).contains(&point.lat)
            && (self.min_lon..=self.max_lon).contains(&point.lon)
    }
}

/// A point on the map, in degrees: finite, in range, and inside the served region.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatLon {
    lat: f64,
    lon: f64,
}

impl LatLon {
    /// Refusals name `lat` or `lon`.
    pub fn parse(lat: f64, lon: f64, region: &Region) -> Result<LatLon, Invalid> {
        check_coordinate("lat", lat, 90.0, region.min_lat, region.max_lat)?;
        check_coordinate("lon", lon, 180.0, region.min_lon, region.max_lon)?;
        Ok(LatLon { lat, lon })
    }

    pub fn lat(self) -> f64 {
        self.lat
    }

    pub fn lon(self) -> f64 {
        self.lon
    }

    /// Great-circle distance in metres.
    pub fn distance_m(self, other: LatLon) -> f64 {
        Haversine.distance(self.point(), other.point())
    }

    fn point(self) -> Point<f64> {
        Point::new(self.lon, self.lat)
    }
}

fn check_coordinate(
    field: &str,
    value: f64,
    limit: f64,
    min: f64,
    max: f64,
) -> Result<(), Invalid> {
    if !value.is_finite() {
        return Err(Invalid::new(
            field,
            Reason::Format {
                expected_vi: "một số thực hữu hạn", expected_en: "a finite number"
            },
        ));
    }
    if value.abs() > limit {
        let limit = limit as i64;
        return Err(Invalid::new(field, Reason::OutOfRange { min: -limit, max: limit }));
    }
    if !(min..=max).contains(&value) {
        // The message takes whole numbers: the region's bounds, rounded outward.
        let (min, max) = (min.floor() as i64, max.ceil() as i64);
        return Err(Invalid::new(field, Reason::OutOfRange { min, max }));
    }
    Ok(())
}

/// The smallest box holding every point within `radius_m` of `center` on the sphere `geo`'s
/// haversine distance uses: the range an index on (lat, lon) scans before exact distances
/// filter. It spans every longitude when the circle reaches a pole or crosses the antimeridian.
pub fn bounding_box(center: LatLon, radius_m: f64) -> BoundingBox {
    // About 0.1 mm, so float rounding never drops a point lying on the circle.
    const MARGIN_DEG: f64 = 1e-9;
    let angle = radius_m.max(0.0) / Haversine.radius();
    let lat = center.lat.to_radians();
    let (min_lat, max_lat) = (lat - angle, lat + angle);
    let every_lon = (-180.0, 180.0);
    let (min_lon, max_lon) =
        if min_lat <= -std::f64::consts::FRAC_PI_2 || max_lat >= std::f64::consts::FRAC_PI_2 {
            every_lon
        } else {
            // The meridians tangent to the circle (J. P. Matuschek, "Finding points within a
            // distance of a latitude/longitude using bounding coordinates").
            let half_width = (angle.sin() / lat.cos()).asin().to_degrees();
            let (west, east) = (center.lon - half_width, center.lon + half_width);
            if west < -180.0 || east > 180.0 {
                every_lon
            } else {
                (west - MARGIN_DEG, east + MARGIN_DEG)
            }
        };
    BoundingBox {
        min_lat: (min_lat.to_degrees() - MARGIN_DEG).max(-90.0),
        max_lat: (max_lat.to_degrees() + MARGIN_DEG).min(90.0),
        min_lon: min_lon.max(-180.0),
        max_lon: max_lon.min(180.0),
    }
}

/// An area's name, and its administrative code when the file gives one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AreaId {
    pub name: String,
    pub code: Option<String>,
}

/// A ward or commune: a valid (multi)polygon inside the served region.
#[derive(Debug, Clone)]
pub struct Area {
    pub id: AreaId,
    pub shape: MultiPolygon<f64>,
    pub bbox: BoundingBox,
    /// A point guaranteed inside the shape, for a map label or a default pin.
    pub interior_point: LatLon,
}

impl Area {
    /// The area as a GeoJSON Feature (`name` and `code` properties), for storage; a
    /// [`feature_collection`] of these reads back with `parse_areas(text, "name", region)`.
    pub fn to_feature_json(&self) -> String {
        serde_json::json!({
            "type": "Feature",
            "properties": { "name": self.id.name, "code": self.id.code },
            "geometry": multi_polygon_json(&self.shape),
        })
        .to_string()
    }
}

/// A shape as a GeoJSON MultiPolygon geometry, for storage.
pub(crate) fn multi_polygon_json(shape: &MultiPolygon<f64>) -> serde_json::Value {
    let ring = |line: &geo::LineString<f64>| -> Vec<[f64; 2]> {
        line.coords().map(|c| [c.x, c.y]).collect()
    };
    let polygons: Vec<Vec<Vec<[f64; 2]>>> = shape
        .iter()
        .map(|polygon| {
            std::iter::once(polygon.exterior()).chain(polygon.interiors()).map(ring).collect()
        })
        .collect();
    serde_json::json!({ "type": "MultiPolygon", "coordinates": polygons })
}

/// A FeatureCollection of features made by [`Area::to_feature_json`].
pub fn feature_collection(features: &[String]) -> String {
    format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","))
}

/// An areas file that was refused, and the feature at fault when one is (index from 0).
#[derive(Debug, Clone, PartialEq)]
pub struct AreaError {
    pub feature: Option<usize>,
    pub name: Option<String>,
    pub problem: AreaProblem,
}

/// Polygons are numbered from 0 within a feature (a Polygon is polygon 0); ring 0 is the
/// exterior, the others holes; positions are numbered from 0 within their ring.
#[derive(Debug, Clone, PartialEq)]
pub enum AreaProblem {
    Json(String),
    NotAFeatureCollection,
    NoFeatures,
    MissingName {
        property: String,
    },
    /// `code`, when present, must be a non-blank string.
    BadCode,
    NotAPolygon {
        geometry: String,
    },
    EmptyGeometry,
    TooFewPositions {
        polygon: usize,
        ring: usize,
        positions: usize,
    },
    RingNotClosed {
        polygon: usize,
        ring: usize,
    },
    BadPosition {
        polygon: usize,
        ring: usize,
        position: usize,
    },
    OutsideRegion {
        polygon: usize,
        ring: usize,
        position: usize,
    },
    /// Self-intersection, overlapping parts, a hole outside its polygon, … as `geo` finds them.
    InvalidShape(String),
    DuplicateName {
        first_feature: usize,
    },
    DuplicateCode {
        code: String,
        first_feature: usize,
    },
}

impl fmt::Display for AreaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.feature, &self.name) {
            (Some(index), Some(name)) => write!(f, "feature {index} ({name}): ")?,
            (Some(index), None) => write!(f, "feature {index}: ")?,
            (None, _) => {}
        }
        fmt::Display::fmt(&self.problem, f)
    }
}

/// The problem in English; [`AreaProblem::vietnamese`] is the same in Vietnamese.
impl fmt::Display for AreaProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AreaProblem::Json(message) => f.write_str(message),
            AreaProblem::NotAFeatureCollection => f.write_str("not a GeoJSON FeatureCollection"),
            AreaProblem::NoFeatures => f.write_str("the collection has no features"),
            AreaProblem::MissingName { property } => {
                write!(f, "property `{property}` must name the area")
            }
            AreaProblem::BadCode => f.write_str("property `code` must be a non-blank string"),
            AreaProblem::NotAPolygon { geometry } => {
                write!(f, "geometry is {geometry}, not a Polygon or MultiPolygon")
            }
            AreaProblem::EmptyGeometry => f.write_str("geometry has no polygon"),
            AreaProblem::TooFewPositions { polygon, ring, positions } => write!(
                f,
                "ring {ring} of polygon {polygon} has {positions} positions; a ring needs at least 4"
            ),
            AreaProblem::RingNotClosed { polygon, ring } => {
                write!(f, "ring {ring} of polygon {polygon} does not end where it starts")
            }
            AreaProblem::BadPosition { polygon, ring, position } => write!(
                f,
                "position {position} of ring {ring} of polygon {polygon} is not [lon, lat]"
            ),
            AreaProblem::OutsideRegion { polygon, ring, position } => write!(
                f,
                "position {position} of ring {ring} of polygon {polygon} is out of range or \
                 outside the served region (GeoJSON is [lon, lat])"
            ),
            AreaProblem::InvalidShape(message) => write!(f, "invalid shape: {message}"),
            AreaProblem::DuplicateName { first_feature } => {
                write!(f, "the name is already used by feature {first_feature}")
            }
            AreaProblem::DuplicateCode { code, first_feature } => {
                write!(f, "code {code} is already used by feature {first_feature}")
            }
        }
    }
}

impl std::error::Error for AreaError {}

impl AreaProblem {
    /// The problem in Vietnamese, for the console and `Content-Language: vi` answers (the
    /// English is its `Display`). A JSON or shape fault keeps its library's English
    /// after a Vietnamese lead-in.
    pub fn vietnamese(&self) -> String {
        match self {
            AreaProblem::Json(message) => format!("JSON không hợp lệ: {message}"),
            AreaProblem::NotAFeatureCollection => "không phải GeoJSON FeatureCollection".into(),
            AreaProblem::NoFeatures => "tập hợp không có đối tượng nào".into(),
            AreaProblem::MissingName { property } => {
                format!("thuộc tính `{property}` phải là tên khu vực")
            }
            AreaProblem::BadCode => "thuộc tính `code` phải là chuỗi không rỗng".into(),
            AreaProblem::NotAPolygon { geometry } => {
                format!("hình học là {geometry}, không phải Polygon hay MultiPolygon")
            }
            AreaProblem::EmptyGeometry => "hình học không có đa giác nào".into(),
            AreaProblem::TooFewPositions { polygon, ring, positions } => format!(
                "vòng {ring} của đa giác {polygon} có {positions} điểm; một vòng cần ít nhất 4"
            ),
            AreaProblem::RingNotClosed { polygon, ring } => {
                format!("vòng {ring} của đa giác {polygon} không kết thúc tại điểm bắt đầu")
            }
            AreaProblem::BadPosition { polygon, ring, position } => format!(
                "điểm {position} của vòng {ring} của đa giác {polygon} không có dạng [kinh độ, vĩ độ]"
            ),
            AreaProblem::OutsideRegion { polygon, ring, position } => format!(
                "điểm {position} của vòng {ring} của đa giác {polygon} vượt giới hạn hoặc nằm \
                 ngoài vùng phục vụ (GeoJSON ghi [kinh độ, vĩ độ])"
            ),
            AreaProblem::InvalidShape(message) => format!("hình không hợp lệ: {message}"),
            AreaProblem::DuplicateName { first_feature } => {
                format!("tên này đã dùng cho đối tượng {first_feature}")
            }
            AreaProblem::DuplicateCode { code, first_feature } => {
                format!("mã {code} đã dùng cho đối tượng {first_feature}")
            }
        }
    }
}

#[derive(Deserialize)]
struct RawCollection {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    features: Vec<serde_json::Value>,
}

/// Reads a GeoJSON FeatureCollection of Polygon and MultiPolygon features, each named by its
/// `name_property` and optionally coded by `code`. The whole file or nothing.
pub fn parse_areas(
    text: &str,
    name_property: &str,
    region: &Region,
) -> Result<Vec<Area>, AreaError> {
    let whole_file = |problem| AreaError { feature: None, name: None, problem };
    let collection: RawCollection =
        serde_json::from_str(text).map_err(|err| whole_file(AreaProblem::Json(err.to_string())))?;
    if collection.kind != "FeatureCollection" {
        return Err(whole_file(AreaProblem::NotAFeatureCollection));
    }
    if collection.features.is_empty() {
        return Err(whole_file(AreaProblem::NoFeatures));
    }
    let mut areas: Vec<Area> = Vec::with_capacity(collection.features.len());
    let mut names = HashMap::new();
    let mut codes = HashMap::new();
    for (index, raw) in collection.features.into_iter().enumerate() {
        let name = raw
            .get("properties")
            .and_then(|properties| properties.get(name_property))
            .and_then(serde_json::Value::as_str)
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_string);
        let at_fault = |problem| AreaError { feature: Some(index), name: name.clone(), problem };
        let area = parse_area(raw, name.clone(), name_property, region).map_err(at_fault)?;
        if let Some(&first_feature) = names.get(&area.id.name) {
            return Err(at_fault(AreaProblem::DuplicateName { first_feature }));
        }
        names.insert(area.id.name.clone(), index);
        if let Some(code) = &area.id.code {
            if let Some(&first_feature) = codes.get(code) {
                return Err(at_fault(AreaProblem::DuplicateCode {
                    code: code.clone(),
                    first_feature,
                }));
            }
            codes.insert(code.clone(), index);
        }
        areas.push(area);
    }
    Ok(areas)
}

fn parse_area(
    raw: serde_json::Value,
    name: Option<String>,
    name_property: &str,
    region: &Region,
) -> Result<Area, AreaProblem> {
    let feature: Feature =
        serde_json::from_value(raw).map_err(|err| AreaProblem::Json(err.to_string()))?;
    let name = name.ok_or_else(|| AreaProblem::MissingName { property: name_property.into() })?;
    let code = match feature.properties.as_ref().and_then(|properties| properties.get("code")) {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(code)) if !code.trim().is_empty() => {
            Some(code.trim().to_string())
        }
        Some(_) => return Err(AreaProblem::BadCode),
    };
    let Shape { polygons: shape, bbox } = parse_shape(feature.geometry, region)?;
    let Some(inside) = shape.interior_point() else {
        return Err(AreaProblem::EmptyGeometry);
    };
    Ok(Area {
        id: AreaId { name, code },
        bbox,
        // Inside a polygon whose corners all are in the region, hence in it too.
        interior_point: LatLon { lat: inside.y(), lon: inside.x() },
        shape,
    })
}

/// A valid (multi)polygon inside the served region, and its box.
#[derive(Debug, Clone)]
pub struct Shape {
    pub polygons: MultiPolygon<f64>,
    pub bbox: BoundingBox,
}

impl Shape {
    /// Borders included.
    pub fn contains(&self, point: LatLon) -> bool {
        self.bbox.contains(point) && self.polygons.intersects(&point.point())
    }

    /// A box as a shape (the area around a point, say).
    pub fn of_box(bbox: BoundingBox) -> Shape {
        let corners = geo::Rect::new(
            Coord { x: bbox.min_lon, y: bbox.min_lat },
            Coord { x: bbox.max_lon, y: bbox.max_lat },
        );
        Shape { polygons: MultiPolygon::new(vec![corners.to_polygon()]), bbox }
    }

    /// The shape as a GeoJSON MultiPolygon geometry, which [`parse_geometry`] reads back.
    pub fn to_geometry_json(&self) -> serde_json::Value {
        multi_polygon_json(&self.polygons)
    }
}

/// A GeoJSON Polygon or MultiPolygon geometry as JSON, checked as an area's is.
pub fn parse_geometry(raw: serde_json::Value, region: &Region) -> Result<Shape, AreaProblem> {
    let geometry: geojson::Geometry =
        serde_json::from_value(raw).map_err(|err| AreaProblem::Json(err.to_string()))?;
    parse_shape(Some(geometry), region)
}

/// A GeoJSON Polygon or MultiPolygon geometry, checked as an area's is.
fn parse_shape(geometry: Option<geojson::Geometry>, region: &Region) -> Result<Shape, AreaProblem> {
    let shape = valid_shape(geometry.as_ref().map(|geometry| &geometry.value), region)?;
    let Some(rect) = shape.bounding_rect() else {
        return Err(AreaProblem::EmptyGeometry);
    };
    let bbox = BoundingBox {
        min_lat: rect.min().y,
        max_lat: rect.max().y,
        min_lon: rect.min().x,
        max_lon: rect.max().x,
    };
    Ok(Shape { polygons: shape, bbox })
}

/// A Polygon or MultiPolygon geometry as a valid shape inside `region`: closed rings of at
/// least 4 positions, every position in the region, no self-intersection or overlapping parts.
/// The land layers ([`crate::land`]) check their geometries the same way.
pub(crate) fn valid_shape(
    geometry: Option<&GeometryValue>,
    region: &Region,
) -> Result<MultiPolygon<f64>, AreaProblem> {
    let polygons = match geometry {
        Some(GeometryValue::Polygon { coordinates }) => std::slice::from_ref(coordinates),
        Some(GeometryValue::MultiPolygon { coordinates }) => coordinates.as_slice(),
        Some(other) => return Err(AreaProblem::NotAPolygon { geometry: other.type_name().into() }),
        None => return Err(AreaProblem::NotAPolygon { geometry: "null".into() }),
    };
    if polygons.is_empty() {
        return Err(AreaProblem::EmptyGeometry);
    }
    let shape = MultiPolygon::new(
        polygons
            .iter()
            .enumerate()
            .map(|(index, rings)| to_polygon(index, rings, region))
            .collect::<Result<_, _>>()?,
    );
    shape.check_validation().map_err(|err| AreaProblem::InvalidShape(err.to_string()))?;
    Ok(shape)
}

fn to_polygon(
    polygon: usize,
    rings: &PolygonType,
    region: &Region,
) -> Result<Polygon<f64>, AreaProblem> {
    if rings.is_empty() {
        return Err(AreaProblem::EmptyGeometry);
    }
    let mut lines = Vec::with_capacity(rings.len());
    for (ring, positions) in rings.iter().enumerate() {
        if positions.len() < 4 {
            return Err(AreaProblem::TooFewPositions { polygon, ring, positions: positions.len() });
        }
        let mut coords = Vec::with_capacity(positions.len());
        for (position, raw) in positions.iter().enumerate() {
            let &[lon, lat, ..] = raw.as_slice() else {
                return Err(AreaProblem::BadPosition { polygon, ring, position });
            };
            LatLon::parse(lat, lon, region).map_err(|_| AreaProblem::OutsideRegion {
                polygon,
                ring,
                position,
            })?;
            coords.push(Coord { x: lon, y: lat });
        }
        if coords.first() != coords.last() {
            return Err(AreaProblem::RingNotClosed { polygon, ring });
        }
        lines.push(LineString::new(coords));
    }
    let exterior = lines.remove(0);
    Ok(Polygon::new(exterior, lines))
}

/// The areas in an R-tree of their bounding boxes, for routing a point to its area.
pub struct AreaIndex {
    areas: Vec<Area>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
}

impl AreaIndex {
    pub fn new(areas: Vec<Area>) -> AreaIndex {
        let boxes = areas
            .iter()
            .enumerate()
            .map(|(index, area)| {
                let b = area.bbox;
                let rect = Rectangle::from_corners([b.min_lon, b.min_lat], [b.max_lon, b.max_lat]);
                GeomWithData::new(rect, index)
            })
            .collect();
        AreaIndex { areas, tree: RTree::bulk_load(boxes) }
    }

    pub fn areas(&self) -> &[Area] {
        &self.areas
    }

    /// The area holding `point`, borders included. A point on a border that several areas
    /// share goes to the one listed first (lowest index in `areas`, i.e. first in the file).
    pub fn locate(&self, point: LatLon) -> Option<&AreaId> {
        let target = point.point();
        self.tree
            .locate_all_at_point(&[point.lon, point.lat])
            .map(|entry| entry.data)
            .filter(|&index| self.areas[index].shape.intersects(&target))
            .min()
            .map(|index| &self.areas[index].id)
    }

    /// The areas a shape overlaps (touching a border counts), in the file's order.
    pub fn overlapping(&self, shape: &Shape) -> Vec<&AreaId> {
        let b = shape.bbox;
        let envelope = rstar::AABB::from_corners([b.min_lon, b.min_lat], [b.max_lon, b.max_lat]);
        let mut found: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&envelope)
            .map(|entry| entry.data)
            .filter(|&index| self.areas[index].shape.intersects(&shape.polygons))
            .collect();
        found.sort_unstable();
        found.into_iter().map(|index| &self.areas[index].id).collect()
    }

    /// The area an address names, for a report that comes with an address and no position:
    /// the area whose name, without its "phường"/"xã"/"thị trấn" prefix, appears in the
    /// address as whole words (diacritics and case aside). The longest such name wins; two
    /// different areas with names of that length make the address ambiguous (None).
    pub fn named_in(&self, address: &str) -> Option<&Area> {
        let haystack = format!(" {} ", words(address));
        let mut best: Option<(usize, &Area)> = None;
        let mut tie = false;
        for area in &self.areas {
            let name = bare_name(&area.id.name);
            if name.is_empty() || !haystack.contains(&format!(" {name} ")) {
                continue;
            }
            match best {
                Some((len, _)) if len > name.len() => {}
                Some((len, _)) if len == name.len() => tie = true,
                _ => {
                    best = Some((name.len(), area));
                    tie = false;
                }
            }
        }
        best.filter(|_| !tie).map(|(_, area)| area)
    }
}

/// Folded words separated by single spaces: punctuation is a separator.
fn words(text: &str) -> String {
    let folded = crate::text::fold(text);
    let spaced: String =
        folded.chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn bare_name(name: &str) -> String {
    let name = words(name);
    ["phuong ", "xa ", "thi tran "]
        .iter()
        .find_map(|prefix| name.strip_prefix(prefix))
        .map(str::to_string)
        .unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::geo::Destination;

    const SHIPPED: &str = include_str!("../../data/areas.geojson");

    fn at(lat: f64, lon: f64) -> LatLon {
        LatLon::parse(lat, lon, &Region::VIETNAM).unwrap()
    }

    fn shipped_index() -> AreaIndex {
        AreaIndex::new(parse_areas(SHIPPED, "name", &Region::VIETNAM).unwrap())
    }

    fn located(index: &AreaIndex, lat: f64, lon: f64) -> Option<&str> {
        index.locate(at(lat, lon)).map(|id| id.name.as_str())
    }

    #[test]
    fn a_box_is_covered_by_the_grid_cells_of_its_corners_and_between() {
        assert_eq!(grid_cell(16.0544, 108.2022), 1605 * 100_000 + 10820);
        let bbox =
            BoundingBox { min_lat: 16.049, max_lat: 16.061, min_lon: 108.2, max_lon: 108.215 };
        let cells = cells_covering(&bbox, 100).unwrap();
        assert_eq!(cells.len(), 3 * 2);
        for (lat, lon) in [(16.049, 108.2), (16.061, 108.215), (16.055, 108.209)] {
            assert!(cells.contains(&grid_cell(lat, lon)), "{lat},{lon}");
        }
        assert_eq!(cells_covering(&bbox, 5), None, "more cells than allowed");
        let world = BoundingBox { min_lat: -90.0, max_lat: 90.0, min_lon: -180.0, max_lon: 180.0 };
        assert_eq!(cells_covering(&world, 1_000), None);
    }

    #[test]
    fn an_address_names_its_ward_without_prefix_diacritics_or_case() {
        let index = shipped_index();
        let named = |address: &str| index.named_in(address).map(|a| a.id.name.as_str());
        assert_eq!(named("12 Lê Lợi, P. Thạch Thang, Đà Nẵng"), Some("Phường Thạch Thang"));
        assert_eq!(named("kiet 5 duong 2/9, phuong hai chau"), Some("Phường Hải Châu"));
        assert_eq!(named("Thôn 3, xã Hòa Vang"), Some("Xã Hòa Vang"));
        // Whole words: "An Hải Bắc" contains the words "An Hải".
        assert_eq!(named("Tổ 4, An Hải Bắc"), Some("Phường An Hải"));
        assert_eq!(named("Hải Châu, Hòa Vang"), None, "two names of one length: ambiguous");
        assert_eq!(named("Hải Châu, Thanh Khê"), Some("Phường Thanh Khê"), "the longer name wins");
        assert_eq!(named("Thanhkhe"), None);
        assert_eq!(named("123 Nguyễn Văn Linh"), None);
    }

    /// A one-feature collection with the given geometry JSON.
    fn one_feature(geometry: &str) -> String {
        format!(
            r#"{{"type": "FeatureCollection", "features": [
                {{"type": "Feature", "properties": {{"name": "Bad"}}, "geometry": {geometry}}}
            ]}}"#
        )
    }

    fn square(name: &str, code: &str, lon: f64, lat: f64, size: f64) -> String {
        let (e, n) = (lon + size, lat + size);
        format!(
            r#"{{"type": "Feature", "properties": {{"name": "{name}", "code": "{code}"}},
                "geometry": {{"type": "Polygon", "coordinates":
                [[[{lon}, {lat}], [{e}, {lat}], [{e}, {n}], [{lon}, {n}], [{lon}, {lat}]]]}}}}"#
        )
    }

    fn collection(features: &[String]) -> String {
        format!(r#"{{"type": "FeatureCollection", "features": [{}]}}"#, features.join(","))
    }

    fn refusal(text: &str) -> AreaError {
        parse_areas(text, "name", &Region::VIETNAM).unwrap_err()
    }

    #[test]
    fn the_shipped_areas_parse_with_boxes_and_interior_points() {
        let areas = parse_areas(SHIPPED, "name", &Region::VIETNAM).unwrap();
        assert_eq!(areas.len(), 5);
        assert!(areas.iter().all(|a| a.id.code.is_some()));
        assert!(areas.iter().any(|a| a.shape.0.len() > 1), "one area is a MultiPolygon");
        for area in &areas {
            assert!(area.bbox.contains(area.interior_point), "{}", area.id.name);
        }
        let hai_chau = areas.iter().find(|a| a.id.name == "Phường Hải Châu").unwrap();
        assert_eq!(
            hai_chau.bbox,
            BoundingBox { min_lat: 16.03, max_lat: 16.06, min_lon: 108.19, max_lon: 108.22 }
        );
    }

    #[test]
    fn each_area_holds_its_own_interior_point() {
        let index = shipped_index();
        for area in index.areas() {
            assert_eq!(index.locate(area.interior_point), Some(&area.id));
        }
    }

    #[test]
    fn points_route_to_the_area_around_them() {
        let index = shipped_index();
        assert_eq!(located(&index, 16.075, 108.205), Some("Phường Thạch Thang"));
        assert_eq!(located(&index, 16.045, 108.205), Some("Phường Hải Châu"));
        assert_eq!(located(&index, 16.05, 108.17), Some("Phường Thanh Khê"));
        assert_eq!(located(&index, 16.05, 108.24), Some("Phường An Hải"));
        assert_eq!(located(&index, 16.05, 108.13), Some("Xã Hòa Vang"));
        // The second polygon of Hòa Vang's MultiPolygon.
        assert_eq!(located(&index, 16.01, 108.27), Some("Xã Hòa Vang"));
    }

    #[test]
    fn points_outside_every_area_route_nowhere() {
        let index = shipped_index();
        assert_eq!(located(&index, 21.03, 105.85), None); // Hà Nội
        assert_eq!(located(&index, 16.01, 108.24), None); // between Hòa Vang's two parts
        assert_eq!(located(&index, 16.1, 108.2), None); // just north of the grid
    }

    #[test]
    fn a_point_on_a_shared_border_goes_to_the_area_listed_first() {
        let index = shipped_index();
        // Thạch Thang (listed first) and Hải Châu share the parallel 16.06.
        assert_eq!(located(&index, 16.06, 108.205), Some("Phường Thạch Thang"));
        // Thanh Khê (listed third) meets both at their shared corner: Thạch Thang wins.
        assert_eq!(located(&index, 16.06, 108.19), Some("Phường Thạch Thang"));
        // Hải Châu (second) and Thanh Khê (third) share the meridian 108.19.
        assert_eq!(located(&index, 16.04, 108.19), Some("Phường Hải Châu"));

        let west = square("Tây", "W", 108.0, 16.0, 0.1);
        let east = square("Đông", "E", 108.1, 16.0, 0.1);
        let on_border = at(16.05, 108.1);
        for (features, expected) in [([&west, &east], "Tây"), ([&east, &west], "Đông")] {
            let text = collection(&features.map(String::clone));
            let index = AreaIndex::new(parse_areas(&text, "name", &Region::VIETNAM).unwrap());
            assert_eq!(index.locate(on_border).unwrap().name, expected);
        }
    }

    #[test]
    fn a_point_in_a_hole_is_not_in_the_area() {
        let text = one_feature(
            r#"{"type": "Polygon", "coordinates": [
                [[108.0, 16.0], [108.3, 16.0], [108.3, 16.3], [108.0, 16.3], [108.0, 16.0]],
                [[108.1, 16.1], [108.2, 16.1], [108.2, 16.2], [108.1, 16.2], [108.1, 16.1]]]}"#,
        );
        let index = AreaIndex::new(parse_areas(&text, "name", &Region::VIETNAM).unwrap());
        assert_eq!(located(&index, 16.15, 108.15), None);
        assert_eq!(located(&index, 16.05, 108.05), Some("Bad"));
    }

    #[test]
    fn the_name_property_is_chosen_by_the_caller() {
        let text = SHIPPED.replace("\"name\"", "\"ten\"");
        assert!(parse_areas(&text, "ten", &Region::VIETNAM).is_ok());
        let err = parse_areas(&text, "name", &Region::VIETNAM).unwrap_err();
        assert_eq!((err.feature, err.name.as_deref()), (Some(0), None));
        assert_eq!(err.problem, AreaProblem::MissingName { property: "name".into() });
    }

    #[test]
    fn bad_geometries_are_refused_naming_the_feature() {
        let ring = |positions: &str| {
            one_feature(&format!(r#"{{"type": "Polygon", "coordinates": [[{positions}]]}}"#))
        };
        let cases: Vec<(String, AreaProblem)> = vec![
            (
                one_feature(r#"{"type": "Point", "coordinates": [108.2, 16.0]}"#),
                AreaProblem::NotAPolygon { geometry: "Point".into() },
            ),
            (one_feature("null"), AreaProblem::NotAPolygon { geometry: "null".into() }),
            (one_feature(r#"{"type": "Polygon", "coordinates": []}"#), AreaProblem::EmptyGeometry),
            (
                one_feature(r#"{"type": "MultiPolygon", "coordinates": []}"#),
                AreaProblem::EmptyGeometry,
            ),
            (
                ring("[108.0, 16.0], [108.1, 16.0], [108.0, 16.0]"),
                AreaProblem::TooFewPositions { polygon: 0, ring: 0, positions: 3 },
            ),
            (
                ring("[108.0, 16.0], [108.1, 16.0], [108.1, 16.1], [108.0, 16.1]"),
                AreaProblem::RingNotClosed { polygon: 0, ring: 0 },
            ),
            (
                ring("[108.0, 16.0], [108.1], [108.1, 16.1], [108.0, 16.0]"),
                AreaProblem::BadPosition { polygon: 0, ring: 0, position: 1 },
            ),
            // [lat, lon] instead of [lon, lat].
            (
                ring("[16.0, 108.0], [16.1, 108.0], [16.1, 108.1], [16.0, 108.0]"),
                AreaProblem::OutsideRegion { polygon: 0, ring: 0, position: 0 },
            ),
            // Paris: valid coordinates, outside the region.
            (
                ring("[2.3, 48.8], [2.4, 48.8], [2.4, 48.9], [2.3, 48.8]"),
                AreaProblem::OutsideRegion { polygon: 0, ring: 0, position: 0 },
            ),
            (
                one_feature(
                    r#"{"type": "MultiPolygon", "coordinates": [
                    [[[108.0, 16.0], [108.1, 16.0], [108.1, 16.1], [108.0, 16.0]]],
                    [[[108.2, 16.0], [108.3, 16.0], [108.3, 16.1], [108.2, 16.1]]]]}"#,
                ),
                AreaProblem::RingNotClosed { polygon: 1, ring: 0 },
            ),
        ];
        for (text, problem) in cases {
            let err = refusal(&text);
            assert_eq!(err.problem, problem, "{text}");
            assert_eq!((err.feature, err.name.as_deref()), (Some(0), Some("Bad")), "{text}");
        }
    }

    #[test]
    fn self_intersecting_and_overlapping_shapes_are_refused() {
        let bow_tie = one_feature(
            r#"{"type": "Polygon", "coordinates":
            [[[108.0, 16.0], [108.1, 16.1], [108.1, 16.0], [108.0, 16.1], [108.0, 16.0]]]}"#,
        );
        let overlapping_parts = one_feature(
            r#"{"type": "MultiPolygon", "coordinates": [
            [[[108.0, 16.0], [108.2, 16.0], [108.2, 16.2], [108.0, 16.2], [108.0, 16.0]]],
            [[[108.1, 16.1], [108.3, 16.1], [108.3, 16.3], [108.1, 16.3], [108.1, 16.1]]]]}"#,
        );
        for text in [bow_tie, overlapping_parts] {
            let err = refusal(&text);
            assert!(matches!(err.problem, AreaProblem::InvalidShape(_)), "{err}");
            assert_eq!(err.feature, Some(0));
        }
    }

    #[test]
    fn the_feature_at_fault_is_named_past_the_first() {
        let good = square("Tốt", "G", 108.0, 16.0, 0.1);
        let broken = r#"{"type": "Feature", "properties": {"name": "Hỏng"},
            "geometry": {"type": "Polygon", "coordinates": "nope"}}"#;
        let err = refusal(&collection(&[good, broken.to_string()]));
        assert_eq!((err.feature, err.name.as_deref()), (Some(1), Some("Hỏng")));
        assert!(matches!(err.problem, AreaProblem::Json(_)));
        assert!(err.to_string().starts_with("feature 1 (Hỏng): "), "{err}");
    }

    #[test]
    fn files_and_names_are_checked_as_a_whole() {
        let a = square("A", "1", 108.0, 16.0, 0.1);
        let b = square("B", "2", 108.1, 16.0, 0.1);
        let a_again = square("A", "3", 108.2, 16.0, 0.1);
        let code_again = square("C", "1", 108.2, 16.0, 0.1);

        let err = refusal(&collection(&[a.clone(), b.clone(), a_again]));
        assert_eq!(err.feature, Some(2));
        assert_eq!(err.problem, AreaProblem::DuplicateName { first_feature: 0 });
        let err = refusal(&collection(&[a.clone(), b, code_again]));
        assert_eq!(err.name.as_deref(), Some("C"));
        assert_eq!(err.problem, AreaProblem::DuplicateCode { code: "1".into(), first_feature: 0 });

        let numeric_code = a.replace(r#""code": "1""#, r#""code": 1"#);
        assert_eq!(refusal(&collection(&[numeric_code])).problem, AreaProblem::BadCode);
        let uncoded = a.replace(r#", "code": "1""#, "");
        let areas = parse_areas(&collection(&[uncoded]), "name", &Region::VIETNAM).unwrap();
        assert_eq!(areas[0].id, AreaId { name: "A".into(), code: None });

        assert_eq!(refusal(&collection(&[])).problem, AreaProblem::NoFeatures);
        assert_eq!(refusal(&a).problem, AreaProblem::NotAFeatureCollection);
        let err = refusal("{not json");
        assert!(matches!(err.problem, AreaProblem::Json(_)));
        assert_eq!(err.feature, None);
    }

    #[test]
    fn lat_lon_refusals_name_the_coordinate() {
        let vn = Region::VIETNAM;
        let refused = |lat: f64, lon: f64| LatLon::parse(lat, lon, &vn).unwrap_err();
        assert_eq!(refused(f64::NAN, 108.2).field, "lat");
        assert_eq!(refused(16.0, f64::INFINITY).field, "lon");
        assert_eq!(
            refused(91.0, 108.2),
            Invalid::new("lat", Reason::OutOfRange { min: -90, max: 90 })
        );
        assert_eq!(
            refused(16.0, -181.0),
            Invalid::new("lon", Reason::OutOfRange { min: -180, max: 180 })
        );
        // Valid on Earth, outside Vietnam's box.
        assert_eq!(
            refused(48.85, 108.2),
            Invalid::new("lat", Reason::OutOfRange { min: 6, max: 24 })
        );
        assert_eq!(
            refused(16.0, 2.35),
            Invalid::new("lon", Reason::OutOfRange { min: 102, max: 118 })
        );
        let da_nang = LatLon::parse(16.0544, 108.2022, &vn).unwrap();
        assert_eq!((da_nang.lat(), da_nang.lon()), (16.0544, 108.2022));
    }

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let metres = at(16.0, 108.0).distance_m(at(17.0, 108.0));
        assert!((metres - 111_195.0).abs() < 10.0, "{metres}");
        // A degree of longitude shrinks with the cosine of the latitude.
        let metres = at(16.0, 108.0).distance_m(at(16.0, 109.0));
        assert!((metres - 111_195.0 * 16f64.to_radians().cos()).abs() < 10.0, "{metres}");
        assert_eq!(at(16.0, 108.0).distance_m(at(16.0, 108.0)), 0.0);
    }

    #[test]
    fn the_box_of_a_radius_holds_its_circle_tightly() {
        let center = at(16.0544, 108.2022);
        for radius in [1.0, 250.0, 5_000.0] {
            let b = bounding_box(center, radius);
            for bearing in (0..360).map(f64::from) {
                let edge = Haversine.destination(center.point(), bearing, radius);
                let on_circle = LatLon { lat: edge.y(), lon: edge.x() };
                assert!(b.contains(on_circle), "radius {radius}, bearing {bearing}");
            }
            // Tight: the north and south points touch it, and the width is within a metre.
            let north = Haversine.destination(center.point(), 0.0, radius);
            assert!((b.max_lat - north.y()).abs() < 1e-8);
            let east_edge = at(center.lat(), b.max_lon);
            assert!((center.distance_m(east_edge) - radius).abs() < 1.0);
        }
        let b = bounding_box(center, 250.0);
        assert!(b.max_lat - b.min_lat < 0.005 && b.max_lon - b.min_lon < 0.006);
    }

    #[test]
    fn a_box_reaching_a_pole_or_the_antimeridian_spans_every_longitude() {
        let world = Region { min_lat: -90.0, max_lat: 90.0, min_lon: -180.0, max_lon: 180.0 };
        let near_pole = LatLon::parse(89.99, 10.0, &world).unwrap();
        let b = bounding_box(near_pole, 5_000.0);
        assert_eq!((b.min_lon, b.max_lon, b.max_lat), (-180.0, 180.0, 90.0));
        let fiji = LatLon::parse(-17.0, 179.999, &world).unwrap();
        let b = bounding_box(fiji, 5_000.0);
        assert_eq!((b.min_lon, b.max_lon), (-180.0, 180.0));
    }

    #[test]
    fn areas_survive_a_round_trip_through_storage() {
        let areas =
            parse_areas(include_str!("../../data/areas.geojson"), "name", &BoundingBox::VIETNAM)
                .unwrap();
        let stored: Vec<String> = areas.iter().map(Area::to_feature_json).collect();
        let again =
            parse_areas(&feature_collection(&stored), "name", &BoundingBox::VIETNAM).unwrap();
        assert_eq!(areas.len(), again.len());
        for (a, b) in areas.iter().zip(&again) {
            assert_eq!(a.id, b.id);
            assert_eq!(a.shape, b.shape);
        }
    }
}

//! A land feature's geometry: checked as the areas' are, then kept compact.

use super::LandProblem;
use crate::geo::{valid_shape, AreaProblem, BoundingBox, Region};
use ::geo::{Area, BoundingRect, LineString, MultiPolygon, Polygon};
use geojson::GeometryValue;
use serde_json::Value;

/// A feature's geometry as a valid shape in `region` (see [`valid_shape`]) whose every polygon
/// encloses some area, its vectors trimmed to their length.
pub(super) fn land_shape(
    geometry: Option<Value>,
    region: &Region,
) -> Result<MultiPolygon<f64>, LandProblem> {
    let geometry = match geometry {
        Some(value) => Some(
            serde_json::from_value::<geojson::Geometry>(value)
                .map_err(|err| LandProblem::Geometry(AreaProblem::Json(err.to_string())))?
                .value,
        ),
        None => None,
    };
    let mut shape = valid_shape(geometry.as_ref(), region).map_err(|problem| match problem {
        AreaProblem::OutsideRegion { polygon, ring, position }
            if in_metres(geometry.as_ref(), polygon, ring, position) =>
        {
            LandProblem::ProjectedCoordinates { polygon, ring, position }
        }
        problem => LandProblem::Geometry(problem),
    })?;
    if let Some(polygon) = shape.iter().position(|polygon| polygon.unsigned_area() <= 0.0) {
        return Err(LandProblem::ZeroArea { polygon });
    }
    compact(&mut shape);
    Ok(shape)
}

/// Whether the position is beyond any longitude or latitude: metres of a projected system.
fn in_metres(
    geometry: Option<&GeometryValue>,
    polygon: usize,
    ring: usize,
    position: usize,
) -> bool {
    let rings = match geometry {
        Some(GeometryValue::Polygon { coordinates }) if polygon == 0 => coordinates,
        Some(GeometryValue::MultiPolygon { coordinates }) => &coordinates[polygon],
        _ => return false,
    };
    let &[x, y, ..] = rings[ring][position].as_slice() else {
        return false;
    };
    x.abs() > 180.0 || y.abs() > 90.0
}

/// Vectors built by collecting keep spare room: hundreds of thousands of parcels would hold
/// megabytes of it.
fn compact(shape: &mut MultiPolygon<f64>) {
    shape.0.shrink_to_fit();
    for polygon in &mut shape.0 {
        let (mut exterior, mut interiors) =
            std::mem::replace(polygon, Polygon::new(LineString::new(vec![]), vec![])).into_inner();
        exterior.0.shrink_to_fit();
        interiors.shrink_to_fit();
        for interior in &mut interiors {
            interior.0.shrink_to_fit();
        }
        *polygon = Polygon::new(exterior, interiors);
    }
}

/// The box holding the shape, for a row's bounding-box columns and the index's envelope.
pub(super) fn bounding_box(shape: &MultiPolygon<f64>) -> BoundingBox {
    let rect = shape.bounding_rect().expect("a valid land shape has a polygon");
    BoundingBox {
        min_lat: rect.min().y,
        max_lat: rect.max().y,
        min_lon: rect.min().x,
        max_lon: rect.max().x,
    }
}

/// The heap bytes the shape holds.
pub(super) fn heap_bytes(shape: &MultiPolygon<f64>) -> usize {
    let line = |line: &LineString<f64>| line.0.capacity() * size_of::<::geo::Coord<f64>>();
    shape.0.capacity() * size_of::<Polygon<f64>>()
        + shape
            .iter()
            .map(|polygon| {
                line(polygon.exterior())
                    + size_of_val(polygon.interiors())
                    + polygon.interiors().iter().map(line).sum::<usize>()
            })
            .sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shape(geometry: Value) -> Result<MultiPolygon<f64>, LandProblem> {
        land_shape(Some(geometry), &Region::VIETNAM)
    }

    fn polygon(ring: Value) -> Value {
        json!({"type": "Polygon", "coordinates": [ring]})
    }

    #[test]
    fn a_polygon_becomes_a_compact_shape_with_its_box() {
        let square = shape(polygon(json!([
            [108.0, 16.0],
            [108.1, 16.0],
            [108.1, 16.1],
            [108.0, 16.1],
            [108.0, 16.0]
        ])))
        .unwrap();
        assert_eq!(square.0.capacity(), 1);
        assert_eq!(square.0[0].interiors().len(), 0);
        assert_eq!(heap_bytes(&square), size_of::<Polygon<f64>>() + 5 * 16);
        assert_eq!(
            bounding_box(&square),
            BoundingBox { min_lat: 16.0, max_lat: 16.1, min_lon: 108.0, max_lon: 108.1 }
        );
    }

    #[test]
    fn the_areas_checks_apply_and_name_the_position() {
        assert_eq!(
            land_shape(None, &Region::VIETNAM),
            Err(LandProblem::Geometry(AreaProblem::NotAPolygon { geometry: "null".into() }))
        );
        let open = polygon(json!([[108.0, 16.0], [108.1, 16.0], [108.1, 16.1], [108.0, 16.1]]));
        assert_eq!(
            shape(open),
            Err(LandProblem::Geometry(AreaProblem::RingNotClosed { polygon: 0, ring: 0 }))
        );
        let bow_tie = polygon(json!([
            [108.0, 16.0],
            [108.1, 16.1],
            [108.1, 16.0],
            [108.0, 16.1],
            [108.0, 16.0]
        ]));
        assert!(matches!(shape(bow_tie), Err(LandProblem::Geometry(AreaProblem::InvalidShape(_)))));
        let paris = polygon(json!([[2.3, 48.8], [2.4, 48.8], [2.4, 48.9], [2.3, 48.8]]));
        assert_eq!(
            shape(paris),
            Err(LandProblem::Geometry(AreaProblem::OutsideRegion {
                polygon: 0,
                ring: 0,
                position: 0
            }))
        );
        let circle = json!({"type": "Circle", "coordinates": [108.0, 16.0]});
        assert!(matches!(shape(circle), Err(LandProblem::Geometry(AreaProblem::Json(_)))));
    }

    #[test]
    fn metres_are_taken_for_a_projected_file() {
        // VN-2000 / UTM 49N around Đà Nẵng, in the second part of a MultiPolygon.
        let multi = json!({"type": "MultiPolygon", "coordinates": [
            [[[108.0, 16.0], [108.1, 16.0], [108.1, 16.1], [108.0, 16.0]]],
            [[[200000.0, 1770000.0], [200100.0, 1770000.0], [200100.0, 1770100.0],
              [200000.0, 1770000.0]]]]});
        assert_eq!(
            shape(multi),
            Err(LandProblem::ProjectedCoordinates { polygon: 1, ring: 0, position: 0 })
        );
    }

    #[test]
    fn a_polygon_enclosing_nothing_is_refused() {
        let flat = polygon(json!([[108.0, 16.0], [108.1, 16.0], [108.2, 16.0], [108.0, 16.0]]));
        // geo's validation lets a ring along one line through: three distinct points.
        assert_eq!(shape(flat), Err(LandProblem::ZeroArea { polygon: 0 }));
    }
}

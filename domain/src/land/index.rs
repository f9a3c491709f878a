//! The parcels and planning zones in R-trees of their boxes, for "what is at this point?".

use super::shape::bounding_box;
use super::{LandError, LayerKind, Parcel, PlanningZone};
use crate::geo::{LatLon, Region};
use ::geo::{Area, Intersects, MultiPolygon, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, RTreeNode};

/// A feature's box in a tree, with the feature's index in its list.
type Envelope = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// Collects the features, then builds the trees in one bulk load, which packs them tighter and
/// faster than inserting one at a time.
#[derive(Debug, Default)]
pub struct LandIndexBuilder {
    parcels: Vec<Parcel>,
    zones: Vec<PlanningZone>,
}

impl LandIndexBuilder {
    pub fn new() -> LandIndexBuilder {
        LandIndexBuilder::default()
    }

    pub fn push_parcel(&mut self, parcel: Parcel) {
        self.parcels.push(parcel);
    }

    pub fn push_zone(&mut self, zone: PlanningZone) {
        self.zones.push(zone);
    }

    /// A feature from its row (its layer and its stored form), checked again.
    pub fn push_stored(
        &mut self,
        layer: LayerKind,
        stored: &str,
        region: &Region,
    ) -> Result<(), LandError> {
        match layer {
            LayerKind::Parcels => self.push_parcel(Parcel::from_stored_json(stored, region)?),
            LayerKind::Planning => self.push_zone(PlanningZone::from_stored_json(stored, region)?),
        }
        Ok(())
    }

    pub fn build(mut self) -> LandIndex {
        self.parcels.shrink_to_fit();
        self.zones.shrink_to_fit();
        LandIndex {
            parcel_tree: envelopes(self.parcels.iter().map(Parcel::shape)),
            zone_tree: envelopes(self.zones.iter().map(PlanningZone::shape)),
            zone_areas: self.zones.iter().map(|zone| zone.shape().unsigned_area()).collect(),
            parcels: self.parcels,
            zones: self.zones,
        }
    }
}

fn envelopes<'a>(shapes: impl Iterator<Item = &'a MultiPolygon<f64>>) -> RTree<Envelope> {
    let boxes = shapes
        .enumerate()
        .map(|(index, shape)| {
            let b = bounding_box(shape);
            let rect = Rectangle::from_corners([b.min_lon, b.min_lat], [b.max_lon, b.max_lat]);
            GeomWithData::new(rect, index)
        })
        .collect();
    RTree::bulk_load(boxes)
}

/// The indices of the features whose closed shape holds `point`: their boxes hold it, and a
/// shape `Intersects` a point on its border where it would not `Contains` it.
fn holding<'a>(
    tree: &'a RTree<Envelope>,
    point: LatLon,
    shape: impl Fn(usize) -> &'a MultiPolygon<f64> + 'a,
) -> impl Iterator<Item = usize> + 'a {
    let target = Point::new(point.lon(), point.lat());
    tree.locate_all_at_point(&[point.lon(), point.lat()])
        .map(|envelope| envelope.data)
        .filter(move |&index| shape(index).intersects(&target))
}

/// The land at a point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LandAnswer<'a> {
    pub parcel: Option<&'a Parcel>,
    pub zone: Option<&'a PlanningZone>,
}

/// Parcels and planning zones, in the order they were pushed, indexed for point lookups.
#[derive(Debug)]
pub struct LandIndex {
    parcels: Vec<Parcel>,
    zones: Vec<PlanningZone>,
    /// Each zone's area in square degrees: only compared, to prefer the smaller zone.
    zone_areas: Vec<f64>,
    parcel_tree: RTree<Envelope>,
    zone_tree: RTree<Envelope>,
}

impl LandIndex {
    /// The parcel and the zone holding `point`, borders and holes' borders included, a hole's
    /// inside excluded.
    ///
    /// A point several parcels hold (on a border they share, at a corner they meet, or where
    /// the file lets them overlap) goes to the one with the smallest (sheet, parcel number),
    /// then the one pushed first: the same parcel whatever order the trees return them in.
    /// A point several zones hold goes to the smallest zone, the most detailed plan's when
    /// plans overlap, then the one pushed first.
    pub fn lookup(&self, point: LatLon) -> LandAnswer<'_> {
        let parcel = holding(&self.parcel_tree, point, |index| self.parcels[index].shape())
            .min_by_key(|&index| {
                let parcel = &self.parcels[index];
                (parcel.sheet(), parcel.number(), index)
            })
            .map(|index| &self.parcels[index]);
        let zone = holding(&self.zone_tree, point, |index| self.zones[index].shape())
            .min_by(|&a, &b| self.zone_areas[a].total_cmp(&self.zone_areas[b]).then(a.cmp(&b)))
            .map(|index| &self.zones[index]);
        LandAnswer { parcel, zone }
    }

    /// In the order pushed; `parcels().len()` counts them.
    pub fn parcels(&self) -> &[Parcel] {
        &self.parcels
    }

    /// In the order pushed; `zones().len()` counts them.
    pub fn zones(&self) -> &[PlanningZone] {
        &self.zones
    }

    /// About how many bytes the index holds: the features with their shapes and texts, and the
    /// trees (their leaves, and an inner node per five leaves, as nodes hold up to six).
    pub fn bytes_held(&self) -> usize {
        let parcels = self.parcels.capacity() * size_of::<Parcel>()
            + self.parcels.iter().map(Parcel::heap_bytes).sum::<usize>();
        let zones = self.zones.capacity() * size_of::<PlanningZone>()
            + self.zones.iter().map(PlanningZone::heap_bytes).sum::<usize>();
        let tree = |tree: &RTree<Envelope>| {
            (tree.size() + tree.size() / 5) * size_of::<RTreeNode<Envelope>>()
        };
        parcels
            + zones
            + self.zone_areas.capacity() * size_of::<f64>()
            + tree(&self.parcel_tree)
            + tree(&self.zone_tree)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::land::fixtures::{collection, parcel_feature, zone_feature, GeneratedLayer};
    use crate::land::{read_parcels, read_zones, ParcelPropertyNames, ZonePropertyNames};
    use std::time::Instant;

    fn at(lat: f64, lon: f64) -> LatLon {
        LatLon::parse(lat, lon, &Region::VIETNAM).unwrap()
    }

    fn index(parcels: &[String], zones: &[String]) -> LandIndex {
        let mut builder = LandIndexBuilder::new();
        let vietnam = &Region::VIETNAM;
        read_parcels(
            collection(parcels).as_bytes(),
            &ParcelPropertyNames::default(),
            vietnam,
            |p| {
                builder.push_parcel(p);
                Ok::<(), LandError>(())
            },
        )
        .unwrap();
        if !zones.is_empty() {
            read_zones(collection(zones).as_bytes(), &ZonePropertyNames::default(), vietnam, |z| {
                builder.push_zone(z);
                Ok::<(), LandError>(())
            })
            .unwrap();
        }
        builder.build()
    }

    /// The (sheet, parcel) at a point.
    fn parcel_at(index: &LandIndex, lat: f64, lon: f64) -> Option<(u32, u32)> {
        index.lookup(at(lat, lon)).parcel.map(|parcel| (parcel.sheet(), parcel.number()))
    }

    fn zone_at(index: &LandIndex, lat: f64, lon: f64) -> Option<&str> {
        index.lookup(at(lat, lon)).zone.map(PlanningZone::zone)
    }

    // Steps of a power of two in degrees add up exactly, so neighbours share their corners to
    // the last bit and a point computed on a border is on it.
    const STEP: f64 = 1.0 / 1024.0;

    #[test]
    fn a_point_finds_the_parcel_around_it_and_nothing_outside() {
        let index = index(&[parcel_feature(1, 1, 108.0, 16.0, STEP)], &[]);
        assert_eq!(parcel_at(&index, 16.0 + STEP / 2.0, 108.0 + STEP / 2.0), Some((1, 1)));
        assert_eq!(parcel_at(&index, 16.0 + STEP / 2.0, 108.0 + 2.0 * STEP), None);
        assert_eq!(parcel_at(&index, 16.0, 108.0), Some((1, 1)), "a corner is the parcel's");
        assert_eq!(index.lookup(at(16.0, 108.0)).zone, None);
    }

    #[test]
    fn a_point_in_a_hole_is_not_in_the_parcel() {
        let with_hole = r#"{"type": "Feature", "properties": {"so_to": 2, "so_thua": 9,
            "dien_tich": 80, "ma_loai_dat": "CLN"}, "geometry": {"type": "Polygon",
            "coordinates": [
            [[108.0, 16.0], [108.3, 16.0], [108.3, 16.3], [108.0, 16.3], [108.0, 16.0]],
            [[108.1, 16.1], [108.2, 16.1], [108.2, 16.2], [108.1, 16.2], [108.1, 16.1]]]}}"#;
        // A parcel filling the hole, as cadastral maps draw a plot inside another.
        let inner = parcel_feature(1, 1, 108.125, 16.125, 0.05);
        let index = index(&[with_hole.to_string(), inner], &[]);
        assert_eq!(parcel_at(&index, 16.05, 108.05), Some((2, 9)));
        assert_eq!(parcel_at(&index, 16.15, 108.15), Some((1, 1)));
        assert_eq!(parcel_at(&index, 16.11, 108.11), None, "in the hole, beside the inner one");
        assert_eq!(
            parcel_at(&index, 16.1, 108.15),
            Some((2, 9)),
            "the hole's edge is the parcel's"
        );
    }

    #[test]
    fn a_shared_edge_or_corner_goes_to_the_smallest_sheet_and_parcel_in_any_order() {
        let west = parcel_feature(7, 20, 108.0, 16.0, STEP);
        let east = parcel_feature(7, 3, 108.0 + STEP, 16.0, STEP);
        let north = parcel_feature(2, 50, 108.0, 16.0 + STEP, STEP);
        let north_east = parcel_feature(1, 99, 108.0 + STEP, 16.0 + STEP, STEP);
        let parcels = [west, east, north, north_east];
        let mut reversed = parcels.clone();
        reversed.reverse();
        for order in [parcels, reversed] {
            let index = index(&order, &[]);
            let edge = 108.0 + STEP;
            assert_eq!(parcel_at(&index, 16.0 + STEP / 2.0, edge), Some((7, 3)), "west | east");
            let parallel = 16.0 + STEP;
            assert_eq!(parcel_at(&index, parallel, 108.0 + STEP / 2.0), Some((2, 50)));
            assert_eq!(parcel_at(&index, parallel, edge), Some((1, 99)), "all four meet");
        }
    }

    #[test]
    fn the_second_part_of_a_multipolygon_is_the_parcel() {
        let two_parts = r#"{"type": "Feature", "id": "two", "properties": {"so_to": 4,
            "so_thua": 4, "dien_tich": 50, "ma_loai_dat": "ONT"}, "geometry": {"type":
            "MultiPolygon", "coordinates": [
            [[[108.0, 16.0], [108.01, 16.0], [108.01, 16.01], [108.0, 16.01], [108.0, 16.0]]],
            [[[108.05, 16.0], [108.06, 16.0], [108.06, 16.01], [108.05, 16.01], [108.05, 16.0]]]
            ]}}"#;
        let index = index(&[two_parts.to_string()], &[]);
        assert_eq!(parcel_at(&index, 16.005, 108.055), Some((4, 4)));
        assert_eq!(parcel_at(&index, 16.005, 108.03), None, "between the parts");
    }

    fn square(lon: f64, lat: f64, size: f64) -> String {
        let (e, n) = (lon + size, lat + size);
        format!("[[[{lon}, {lat}], [{e}, {lat}], [{e}, {n}], [{lon}, {n}], [{lon}, {lat}]]]")
    }

    #[test]
    fn a_zone_covers_the_parcels_under_it_and_the_smaller_zone_wins() {
        let parcels: Vec<String> = (0..4)
            .map(|i| parcel_feature(1, i + 1, 108.0 + f64::from(i) * STEP, 16.0, STEP))
            .collect();
        let wide = zone_feature("PK-1", &square(108.0, 16.0, 3.0 * STEP));
        let detail = zone_feature("CT-2", &square(108.0, 16.0, STEP));
        let index = index(&parcels, &[wide, detail]);
        let middle = 16.0 + STEP / 2.0;
        for (i, expected) in [(0.5, Some("CT-2")), (1.5, Some("PK-1")), (2.5, Some("PK-1"))] {
            let answer = index.lookup(at(middle, 108.0 + i * STEP));
            assert_eq!(answer.zone.map(PlanningZone::zone), expected, "parcel {i}");
            assert!(answer.parcel.is_some());
        }
        let last = index.lookup(at(middle, 108.0 + 3.5 * STEP));
        assert_eq!((last.parcel.map(Parcel::number), last.zone), (Some(4), None));
        assert_eq!(zone_at(&index, 16.0, 108.0 + STEP), Some("CT-2"), "its border is its own");
        assert_eq!(index.zones()[1].decision(), "1234/QĐ-UBND");
    }

    /// Square parcels of `STEP` in rows from 16.0 north and columns from 108.0 east: sheet =
    /// row + 1, parcel = column + 1.
    fn grid_parcel(row: u32, column: u32) -> String {
        let (lon, lat) = (108.0 + f64::from(column) * STEP, 16.0 + f64::from(row) * STEP);
        parcel_feature(row + 1, column + 1, lon, lat, STEP)
    }

    #[test]
    fn every_cell_of_a_grid_maps_to_its_parcel_and_every_line_to_the_documented_one() {
        const SIDE: u32 = 100;
        let features: Vec<String> = (0..SIDE)
            .flat_map(|row| (0..SIDE).map(move |column| grid_parcel(row, column)))
            .collect();
        let index = index(&features, &[]);
        assert_eq!(index.parcels().len(), 10_000);
        let line = |n: u32| f64::from(n) * STEP;
        let middle = |n: u32| (f64::from(n) + 0.5) * STEP;
        for row in 0..SIDE {
            for column in 0..SIDE {
                let (lat, lon) = (16.0 + middle(row), 108.0 + middle(column));
                assert_eq!(parcel_at(&index, lat, lon), Some((row + 1, column + 1)));
                // The west line is shared with the parcel to the west, which wins (smaller
                // parcel number); the south line with the one to the south (smaller sheet);
                // the south-west corner with the one to the south-west.
                let west = column.saturating_sub(1);
                let south = row.saturating_sub(1);
                let on_west_line = parcel_at(&index, lat, 108.0 + line(column));
                assert_eq!(on_west_line, Some((row + 1, west + 1)), "row {row} column {column}");
                let on_south_line = parcel_at(&index, 16.0 + line(row), lon);
                assert_eq!(
                    on_south_line,
                    Some((south + 1, column + 1)),
                    "row {row} column {column}"
                );
                let corner = parcel_at(&index, 16.0 + line(row), 108.0 + line(column));
                assert_eq!(corner, Some((south + 1, west + 1)), "row {row} column {column}");
            }
        }
        let (east, north) = (108.0 + line(SIDE), 16.0 + line(SIDE));
        assert_eq!(parcel_at(&index, 16.0 + middle(0), east), Some((1, SIDE)));
        assert_eq!(parcel_at(&index, north, east), Some((SIDE, SIDE)));
        assert_eq!(parcel_at(&index, north + STEP / 2.0, east), None);
    }

    #[test]
    fn stored_rows_rebuild_the_same_index() {
        let index = index(
            &[parcel_feature(1, 1, 108.0, 16.0, STEP)],
            &[zone_feature("A", &square(108.0, 16.0, STEP))],
        );
        let mut builder = LandIndexBuilder::new();
        for parcel in index.parcels() {
            builder
                .push_stored(LayerKind::Parcels, &parcel.to_stored_json(), &Region::VIETNAM)
                .unwrap();
        }
        for zone in index.zones() {
            builder
                .push_stored(LayerKind::Planning, &zone.to_stored_json(), &Region::VIETNAM)
                .unwrap();
        }
        let rebuilt = builder.build();
        assert_eq!(rebuilt.parcels(), index.parcels());
        assert_eq!(rebuilt.zones(), index.zones());
        let point = at(16.0 + STEP / 2.0, 108.0 + STEP / 2.0);
        assert_eq!(rebuilt.lookup(point), index.lookup(point));
        let zone_row = index.zones()[0].to_stored_json();
        let err =
            LandIndexBuilder::new().push_stored(LayerKind::Parcels, &zone_row, &Region::VIETNAM);
        assert!(matches!(
            err,
            Err(LandError { problem: crate::land::LandProblem::MissingProperty { .. }, .. })
        ));
    }

    /// 200 000 parcels streamed from a generated file into the index; prints the time and the
    /// index's size (`cargo test … -- --nocapture`).
    #[test]
    fn two_hundred_thousand_parcels_stream_into_the_index() {
        const ROWS: u32 = 400;
        const COLUMNS: u32 = 500;
        // About 13.6 m a side, still a power of two.
        const SMALL: f64 = 1.0 / 8192.0;
        let feature = |i: usize| {
            let (row, column) = (i as u32 / COLUMNS, i as u32 % COLUMNS);
            let (lon, lat) = (108.0 + f64::from(column) * SMALL, 16.0 + f64::from(row) * SMALL);
            parcel_feature(row + 1, column + 1, lon, lat, SMALL)
        };
        let mut layer = GeneratedLayer::new((ROWS * COLUMNS) as usize, feature);
        let started = Instant::now();
        let mut builder = LandIndexBuilder::new();
        let count = read_parcels(
            &mut layer,
            &ParcelPropertyNames::default(),
            &Region::VIETNAM,
            |parcel| -> Result<(), LandError> {
                builder.push_parcel(parcel);
                Ok(())
            },
        )
        .unwrap();
        let streamed = started.elapsed();
        let index = builder.build();
        let built = started.elapsed();
        assert_eq!(count, 200_000);
        assert_eq!(index.parcels().len(), 200_000);
        for (row, column) in [(0, 0), (123, 456), (ROWS - 1, COLUMNS - 1)] {
            let lat = 16.0 + (f64::from(row) + 0.5) * SMALL;
            let lon = 108.0 + (f64::from(column) + 0.5) * SMALL;
            assert_eq!(parcel_at(&index, lat, lon), Some((row + 1, column + 1)));
        }
        let lookups = Instant::now();
        for i in 0..10_000u32 {
            let (row, column) = (i * 7 % ROWS, i * 13 % COLUMNS);
            let lat = 16.0 + (f64::from(row) + 0.5) * SMALL;
            let lon = 108.0 + (f64::from(column) + 0.5) * SMALL;
            assert!(index.lookup(at(lat, lon)).parcel.is_some());
        }
        let bytes = index.bytes_held();
        // Five positions of 16 bytes, a polygon, a parcel and a tree entry each: under 400 B.
        assert!(bytes < 200_000 * 400, "{bytes} bytes");
        eprintln!(
            "{count} parcels, {} MB of GeoJSON: streamed and checked in {streamed:?}, indexed \
             in {:?}; index holds about {:.1} MB; 10 000 lookups in {:?}",
            layer.bytes_read.get() / 1_000_000,
            built - streamed,
            bytes as f64 / 1e6,
            lookups.elapsed(),
        );
    }
}

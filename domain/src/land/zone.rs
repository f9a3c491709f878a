//! Planning zones (khu quy hoạch): the land-use function an approved plan gives an area.

use super::properties::{decision_number, find, names, required, text};
use super::read::{json_problem, read_features};
use super::shape::{bounding_box, heap_bytes, land_shape};
use super::{LandError, LandProblem};
use crate::geo::{multi_polygon_json, BoundingBox, Region};
use ::geo::MultiPolygon;
use serde_json::{Map, Value};
use std::io::Read;

/// A zone of an approved plan: checked, and holding nothing else of its feature.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanningZone {
    zone: Box<str>,
    function: Box<str>,
    plan: Box<str>,
    decision: Box<str>,
    shape: MultiPolygon<f64>,
}

/// The property names each field is read from, the first present winning.
#[derive(Debug, Clone, PartialEq)]
pub struct ZonePropertyNames {
    /// The zone's code or name (mã khu, ký hiệu ô đất).
    pub zone: Vec<String>,
    /// Chức năng sử dụng đất: what the plan allows there.
    pub function: Vec<String>,
    /// Tên đồ án quy hoạch.
    pub plan: Vec<String>,
    /// Số quyết định phê duyệt.
    pub decision: Vec<String>,
}

impl Default for ZonePropertyNames {
    fn default() -> Self {
        ZonePropertyNames {
            zone: names(&["ma_khu", "name"]),
            function: names(&["chuc_nang", "function"]),
            plan: names(&["do_an", "plan"]),
            decision: names(&["quyet_dinh", "decision"]),
        }
    }
}

impl ZonePropertyNames {
    /// The keys of the stored form, and nothing else.
    fn stored() -> Self {
        ZonePropertyNames {
            zone: names(&["zone"]),
            function: names(&["function"]),
            plan: names(&["plan"]),
            decision: names(&["decision"]),
        }
    }

    /// What names a feature in a refusal when it has no `id`: its zone code.
    fn label(&self, properties: &Map<String, Value>) -> Option<String> {
        find(properties, &self.zone).map(|(_, value)| match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
    }
}

/// Reads a planning layer (see [`read_features`]), handing each checked zone to `on_zone`.
/// Every field is required. The first bad feature refuses the file, named by its index and
/// its `id` or, without one, its zone code.
pub fn read_zones<R: Read, E: From<LandError>>(
    reader: R,
    names: &ZonePropertyNames,
    region: &Region,
    mut on_zone: impl FnMut(PlanningZone) -> Result<(), E>,
) -> Result<usize, E> {
    read_features(reader, |index, feature| {
        let id = feature.id.clone().or_else(|| names.label(&feature.properties));
        let zone = PlanningZone::from_parts(&feature.properties, feature.geometry, names, region)
            .map_err(|problem| LandError { feature: Some(index), id, problem })?;
        on_zone(zone)
    })
}

impl PlanningZone {
    fn from_parts(
        properties: &Map<String, Value>,
        geometry: Option<Value>,
        names: &ZonePropertyNames,
        region: &Region,
    ) -> Result<PlanningZone, LandProblem> {
        let text_of = |accepted| {
            let (property, value) = required(properties, accepted)?;
            text(property, value)
        };
        let zone = text_of(&names.zone)?;
        let function = text_of(&names.function)?;
        let plan = text_of(&names.plan)?;
        let (property, value) = required(properties, &names.decision)?;
        let decision = decision_number(property, value)?;
        Ok(PlanningZone { zone, function, plan, decision, shape: land_shape(geometry, region)? })
    }

    /// The zone's code or name in its plan.
    pub fn zone(&self) -> &str {
        &self.zone
    }

    /// The land-use function the plan gives the zone, as the file words it.
    pub fn function(&self) -> &str {
        &self.function
    }

    /// The plan's name (tên đồ án quy hoạch).
    pub fn plan(&self) -> &str {
        &self.plan
    }

    /// The number of the decision approving the plan, e.g. `1234/QĐ-UBND`.
    pub fn decision(&self) -> &str {
        &self.decision
    }

    /// Longitude x, latitude y, in degrees.
    pub fn shape(&self) -> &MultiPolygon<f64> {
        &self.shape
    }

    /// The box holding the zone, for its row.
    pub fn bbox(&self) -> BoundingBox {
        bounding_box(&self.shape)
    }

    /// The zone as one JSON object for its row: `zone`, `function`, `plan`, `decision`, and
    /// `geometry`, a GeoJSON MultiPolygon.
    pub fn to_stored_json(&self) -> String {
        serde_json::json!({
            "zone": &*self.zone,
            "function": &*self.function,
            "plan": &*self.plan,
            "decision": &*self.decision,
            "geometry": multi_polygon_json(&self.shape),
        })
        .to_string()
    }

    /// A zone from its row, checked again as on import.
    pub fn from_stored_json(stored: &str, region: &Region) -> Result<PlanningZone, LandError> {
        let names = ZonePropertyNames::stored();
        let refused = |id, problem| LandError { feature: None, id, problem };
        let mut properties: Map<String, Value> =
            serde_json::from_str(stored).map_err(|err| refused(None, json_problem(&err)))?;
        let geometry = properties.remove("geometry");
        PlanningZone::from_parts(&properties, geometry, &names, region)
            .map_err(|problem| refused(names.label(&properties), problem))
    }

    /// The bytes the zone holds on the heap, beside its own size.
    pub(super) fn heap_bytes(&self) -> usize {
        heap_bytes(&self.shape)
            + [&self.zone, &self.function, &self.plan, &self.decision]
                .iter()
                .map(|text| text.len())
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::land::fixtures::{collection, zone_feature};

    fn zones(text: &str) -> Result<Vec<PlanningZone>, LandError> {
        let mut zones = Vec::new();
        read_zones(
            text.as_bytes(),
            &ZonePropertyNames::default(),
            &Region::VIETNAM,
            |zone| -> Result<(), LandError> {
                zones.push(zone);
                Ok(())
            },
        )?;
        Ok(zones)
    }

    const SQUARE: &str =
        "[[[108.0, 16.0], [108.1, 16.0], [108.1, 16.1], [108.0, 16.1], [108.0, 16.0]]]";

    #[test]
    fn a_zone_keeps_its_plan_and_decision() {
        let zone = &zones(&collection(&[zone_feature("A1", SQUARE)])).unwrap()[0];
        assert_eq!((zone.zone(), zone.function()), ("A1", "Đất ở mới"));
        assert_eq!((zone.plan(), zone.decision()), ("Quy hoạch phân khu Hải Châu", "1234/QĐ-UBND"));
        let english = r#"{"type": "Feature", "properties": {"name": 7, "function": "Park",
            "plan": "Zoning plan", "decision": "45/2020/QD-UBND"}, "geometry": {"type": "Polygon",
            "coordinates": [[[108.0, 16.0], [108.1, 16.0], [108.1, 16.1], [108.0, 16.0]]]}}"#;
        let zone = &zones(&collection(&[english.to_string()])).unwrap()[0];
        assert_eq!((zone.zone(), zone.decision()), ("7", "45/2020/QD-UBND"));
    }

    #[test]
    fn a_zone_without_a_decision_is_refused_by_its_code() {
        let feature = zone_feature("B2", SQUARE)
            .replace(r#""quyet_dinh": "1234/QĐ-UBND""#, r#""quyet_dinh": "sắp phê duyệt""#);
        let err = zones(&collection(&[feature])).unwrap_err();
        assert_eq!((err.feature, err.id.as_deref()), (Some(0), Some("B2")));
        assert!(matches!(err.problem, LandProblem::BadDecision { .. }), "{err}");
        let feature = zone_feature("B2", SQUARE).replace("do_an", "ten_do_an");
        let err = zones(&collection(&[feature])).unwrap_err();
        assert_eq!(
            err.problem,
            LandProblem::MissingProperty { accepted: names(&["do_an", "plan"]) }
        );
    }

    #[test]
    fn zones_survive_a_round_trip_through_storage() {
        let zone = zones(&collection(&[zone_feature("C3", SQUARE)])).unwrap().remove(0);
        let again = PlanningZone::from_stored_json(&zone.to_stored_json(), &Region::VIETNAM);
        assert_eq!(again, Ok(zone.clone()));
        assert_eq!(
            zone.bbox(),
            BoundingBox { min_lat: 16.0, max_lat: 16.1, min_lon: 108.0, max_lon: 108.1 }
        );
        let broken = zone.to_stored_json().replace("1234/QĐ-UBND", "");
        let err = PlanningZone::from_stored_json(&broken, &Region::VIETNAM).unwrap_err();
        assert_eq!((err.feature, err.id.as_deref()), (None, Some("C3")));
    }
}

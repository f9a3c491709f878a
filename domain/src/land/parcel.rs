//! Parcels (thửa đất): a cadastral map sheet's numbered plots.

use super::properties::{
    find, land_use, names, optional_text, required, serial_number, square_metres,
};
use super::read::{json_problem, read_features};
use super::shape::{bounding_box, heap_bytes, land_shape};
use super::{LandError, LandProblem, LandUse};
use crate::geo::{multi_polygon_json, BoundingBox, Region};
use ::geo::MultiPolygon;
use serde_json::{Map, Value};
use std::io::Read;

/// A parcel as the cadastral map gives it: checked, and holding nothing else of its feature.
#[derive(Debug, Clone, PartialEq)]
pub struct Parcel {
    sheet: u32,
    number: u32,
    area_m2: f64,
    land_use: LandUse,
    address: Option<Box<str>>,
    ward: Option<Box<str>>,
    shape: MultiPolygon<f64>,
}

/// The property names each field is read from, the first present winning. The defaults are
/// those of common Vietnamese cadastral exports, then plain English.
#[derive(Debug, Clone, PartialEq)]
pub struct ParcelPropertyNames {
    /// Số tờ bản đồ.
    pub sheet: Vec<String>,
    /// Số thửa.
    pub parcel: Vec<String>,
    /// Diện tích, in m².
    pub area: Vec<String>,
    /// Mã loại đất.
    pub land_use: Vec<String>,
    pub address: Vec<String>,
    pub ward: Vec<String>,
}

impl Default for ParcelPropertyNames {
    fn default() -> Self {
        ParcelPropertyNames {
            sheet: names(&["so_to", "SoHieuToBanDo", "sheet"]),
            parcel: names(&["so_thua", "SoThuTuThua", "parcel"]),
            area: names(&["dien_tich", "DienTich", "area"]),
            land_use: names(&["ma_loai_dat", "LoaiDat", "MaLoaiDat", "land_use"]),
            address: names(&["dia_chi", "DiaChi", "address"]),
            ward: names(&["phuong_xa", "TenPhuongXa", "ward"]),
        }
    }
}

impl ParcelPropertyNames {
    /// The keys of the stored form, and nothing else.
    fn stored() -> Self {
        ParcelPropertyNames {
            sheet: names(&["sheet"]),
            parcel: names(&["parcel"]),
            area: names(&["area"]),
            land_use: names(&["land_use"]),
            address: names(&["address"]),
            ward: names(&["ward"]),
        }
    }

    /// What names a feature in a refusal when it has no `id`: its sheet and parcel numbers as
    /// the file writes them, e.g. `so_to 12, so_thua 345`.
    fn label(&self, properties: &Map<String, Value>) -> Option<String> {
        let shown = |(name, value): (&str, &Value)| match value {
            Value::String(text) => format!("{name} {text}"),
            other => format!("{name} {other}"),
        };
        let sheet = find(properties, &self.sheet).map(shown);
        let parcel = find(properties, &self.parcel).map(shown);
        match (sheet, parcel) {
            (Some(sheet), Some(parcel)) => Some(format!("{sheet}, {parcel}")),
            (one, other) => one.or(other),
        }
    }
}

/// Reads a parcel layer (see [`read_features`]), handing each checked parcel to `on_parcel`.
/// The first bad feature refuses the file, named by its index and its `id` or, without one,
/// its sheet and parcel numbers.
pub fn read_parcels<R: Read, E: From<LandError>>(
    reader: R,
    names: &ParcelPropertyNames,
    region: &Region,
    mut on_parcel: impl FnMut(Parcel) -> Result<(), E>,
) -> Result<usize, E> {
    read_features(reader, |index, feature| {
        let id = feature.id.clone().or_else(|| names.label(&feature.properties));
        let parcel = Parcel::from_parts(&feature.properties, feature.geometry, names, region)
            .map_err(|problem| LandError { feature: Some(index), id, problem })?;
        on_parcel(parcel)
    })
}

impl Parcel {
    fn from_parts(
        properties: &Map<String, Value>,
        geometry: Option<Value>,
        names: &ParcelPropertyNames,
        region: &Region,
    ) -> Result<Parcel, LandProblem> {
        let (property, value) = required(properties, &names.sheet)?;
        let sheet = serial_number(property, value)?;
        let (property, value) = required(properties, &names.parcel)?;
        let number = serial_number(property, value)?;
        let (property, value) = required(properties, &names.area)?;
        let area_m2 = square_metres(property, value)?;
        let (property, value) = required(properties, &names.land_use)?;
        let land_use = land_use(property, value)?;
        Ok(Parcel {
            sheet,
            number,
            area_m2,
            land_use,
            address: optional_text(properties, &names.address)?,
            ward: optional_text(properties, &names.ward)?,
            shape: land_shape(geometry, region)?,
        })
    }

    /// Số tờ bản đồ: the map sheet, from 1.
    pub fn sheet(&self) -> u32 {
        self.sheet
    }

    /// Số thửa: the parcel's number on its sheet, from 1.
    pub fn number(&self) -> u32 {
        self.number
    }

    /// Diện tích as the cadastre records it, in m² (not computed from the shape).
    pub fn area_m2(&self) -> f64 {
        self.area_m2
    }

    pub fn land_use(&self) -> LandUse {
        self.land_use
    }

    pub fn address(&self) -> Option<&str> {
        self.address.as_deref()
    }

    pub fn ward(&self) -> Option<&str> {
        self.ward.as_deref()
    }

    /// Longitude x, latitude y, in degrees.
    pub fn shape(&self) -> &MultiPolygon<f64> {
        &self.shape
    }

    /// The box holding the parcel, for its row.
    pub fn bbox(&self) -> BoundingBox {
        bounding_box(&self.shape)
    }

    /// The parcel as one JSON object for its row: `sheet`, `parcel`, `area` (m²), `land_use`,
    /// `address` and `ward` (absent when unknown), and `geometry`, a GeoJSON MultiPolygon.
    pub fn to_stored_json(&self) -> String {
        let mut stored = serde_json::json!({
            "sheet": self.sheet,
            "parcel": self.number,
            "area": self.area_m2,
            "land_use": self.land_use.as_str(),
        });
        for (key, text) in [("address", &self.address), ("ward", &self.ward)] {
            if let Some(text) = text {
                stored[key] = Value::from(&**text);
            }
        }
        stored["geometry"] = multi_polygon_json(&self.shape);
        stored.to_string()
    }

    /// A parcel from its row, checked again as on import: a row edited by hand, or a region
    /// narrowed since, is refused naming the parcel.
    pub fn from_stored_json(stored: &str, region: &Region) -> Result<Parcel, LandError> {
        let names = ParcelPropertyNames::stored();
        let refused = |id, problem| LandError { feature: None, id, problem };
        let mut properties: Map<String, Value> =
            serde_json::from_str(stored).map_err(|err| refused(None, json_problem(&err)))?;
        let geometry = properties.remove("geometry");
        Parcel::from_parts(&properties, geometry, &names, region)
            .map_err(|problem| refused(names.label(&properties), problem))
    }

    /// The bytes the parcel holds on the heap, beside its own size.
    pub(super) fn heap_bytes(&self) -> usize {
        let text = |text: &Option<Box<str>>| text.as_ref().map_or(0, |text| text.len());
        heap_bytes(&self.shape) + text(&self.address) + text(&self.ward)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::AreaProblem;
    use crate::land::fixtures::{collection, parcel_feature};

    fn parcels(text: &str) -> Result<Vec<Parcel>, LandError> {
        parcels_named(text, &ParcelPropertyNames::default())
    }

    fn parcels_named(text: &str, names: &ParcelPropertyNames) -> Result<Vec<Parcel>, LandError> {
        let mut parcels = Vec::new();
        read_parcels(
            text.as_bytes(),
            names,
            &Region::VIETNAM,
            |parcel| -> Result<(), LandError> {
                parcels.push(parcel);
                Ok(())
            },
        )?;
        Ok(parcels)
    }

    /// One feature with these properties and a valid square.
    fn with_properties(properties: &str) -> String {
        collection(&[format!(
            r#"{{"type": "Feature", "properties": {properties}, "geometry": {{"type": "Polygon",
            "coordinates": [[[108.0, 16.0], [108.001, 16.0], [108.001, 16.001], [108.0, 16.0]]]}}}}"#
        )])
    }

    #[test]
    fn a_parcel_keeps_its_fields_from_numbers_or_strings() {
        let text = with_properties(
            r#"{"SoHieuToBanDo": "12", "SoThuTuThua": 345.0, "DienTich": "120.5",
            "LoaiDat": "odt", "DiaChi": " 12 Lê Lợi ", "TenPhuongXa": "Hải Châu",
            "ChuSuDung": "not kept"}"#,
        );
        let parcel = &parcels(&text).unwrap()[0];
        assert_eq!((parcel.sheet(), parcel.number(), parcel.area_m2()), (12, 345, 120.5));
        assert_eq!(parcel.land_use(), LandUse::Odt);
        assert_eq!((parcel.address(), parcel.ward()), (Some("12 Lê Lợi"), Some("Hải Châu")));
        assert_eq!(
            parcel.bbox(),
            BoundingBox { min_lat: 16.0, max_lat: 16.001, min_lon: 108.0, max_lon: 108.001 }
        );
    }

    #[test]
    fn property_names_are_the_callers_choice() {
        let text = with_properties(r#"{"to": 1, "thua": 2, "dt": 3, "loai": "CLN"}"#);
        let chosen = ParcelPropertyNames {
            sheet: vec!["to".into()],
            parcel: vec!["thua".into()],
            area: vec!["dt".into()],
            land_use: vec!["loai".into()],
            ..ParcelPropertyNames::default()
        };
        let parcel = &parcels_named(&text, &chosen).unwrap()[0];
        assert_eq!((parcel.sheet(), parcel.number(), parcel.land_use()), (1, 2, LandUse::Cln));
        let err = parcels(&text).unwrap_err();
        assert_eq!(
            err.problem,
            LandProblem::MissingProperty { accepted: names(&["so_to", "SoHieuToBanDo", "sheet"]) }
        );
        assert_eq!(
            err.to_string(),
            "feature 0: none of the properties so_to, SoHieuToBanDo, sheet is present"
        );
    }

    #[test]
    fn bad_fields_are_refused_naming_the_feature_by_its_numbers() {
        let refused = |properties: &str| parcels(&with_properties(properties)).unwrap_err();
        let err =
            refused(r#"{"so_to": 12, "so_thua": 345, "dien_tich": 10, "ma_loai_dat": "XYZ"}"#);
        assert_eq!((err.feature, err.id.as_deref()), (Some(0), Some("so_to 12, so_thua 345")));
        assert_eq!(
            err.problem,
            LandProblem::UnknownLandUse { property: "ma_loai_dat".into(), value: "\"XYZ\"".into() }
        );
        assert!(err.vietnamese().starts_with("Đối tượng 0 (so_to 12, so_thua 345): thuộc tính"));
        let err =
            refused(r#"{"so_to": "12a", "so_thua": 1, "dien_tich": 10, "ma_loai_dat": "ODT"}"#);
        assert!(matches!(err.problem, LandProblem::BadSerialNumber { .. }), "{err}");
        let err = refused(r#"{"so_to": 1, "so_thua": 1, "dien_tich": 0, "ma_loai_dat": "ODT"}"#);
        assert!(matches!(err.problem, LandProblem::BadArea { .. }), "{err}");
        let err = refused(r#"{"so_to": 1, "so_thua": 1, "dien_tich": 5, "ma_loai_dat": 3}"#);
        assert!(matches!(err.problem, LandProblem::UnknownLandUse { .. }), "{err}");
        let err = refused(
            r#"{"so_to": 1, "so_thua": 1, "dien_tich": 5, "ma_loai_dat": "ODT", "dia_chi": 4.5e400}"#,
        );
        assert!(matches!(err.problem, LandProblem::Json { .. }), "{err}");
    }

    #[test]
    fn the_feature_at_fault_is_named_by_its_id_past_the_first() {
        let good = parcel_feature(1, 1, 108.0, 16.0, 0.001);
        let crossed = r#"{"type": "Feature", "id": "T-77", "properties": {"so_to": 1,
            "so_thua": 2, "dien_tich": 9, "ma_loai_dat": "ONT"}, "geometry": {"type": "Polygon",
            "coordinates": [[[108.0, 16.0], [108.1, 16.1], [108.1, 16.0], [108.0, 16.1],
            [108.0, 16.0]]]}}"#;
        let err = parcels(&collection(&[good.clone(), crossed.to_string()])).unwrap_err();
        assert_eq!((err.feature, err.id.as_deref()), (Some(1), Some("T-77")));
        assert!(matches!(err.problem, LandProblem::Geometry(AreaProblem::InvalidShape(_))));
        let point = good.replace(r#""type": "Polygon""#, r#""type": "Point""#);
        let err = parcels(&collection(&[point])).unwrap_err();
        assert!(matches!(err.problem, LandProblem::Geometry(_)), "{err}");
        assert_eq!(err.id.as_deref(), Some("so_to 1, so_thua 1"));
    }

    #[test]
    fn parcels_survive_a_round_trip_through_storage() {
        let with_hole = r#"{"type": "Feature", "properties": {"so_to": 3, "so_thua": 4,
            "dien_tich": 1234.56, "ma_loai_dat": "CLN", "dia_chi": "Thôn 2, \"Xóm Bàu\""},
            "geometry": {"type": "MultiPolygon", "coordinates": [
            [[[108.0, 16.0], [108.3, 16.0], [108.3, 16.3], [108.0, 16.3], [108.0, 16.0]],
             [[108.1, 16.1], [108.2, 16.1], [108.2, 16.2], [108.1, 16.2], [108.1, 16.1]]],
            [[[108.4, 16.0], [108.5000000000001, 16.0], [108.5, 16.1], [108.4, 16.0]]]]}}"#;
        let text = collection(&[with_hole.to_string(), parcel_feature(1, 2, 107.1, 15.1, 0.0001)]);
        for parcel in parcels(&text).unwrap() {
            let stored = parcel.to_stored_json();
            let again = Parcel::from_stored_json(&stored, &Region::VIETNAM).unwrap();
            assert_eq!(again, parcel, "{stored}");
        }
        let first = &parcels(&text).unwrap()[0];
        let stored: Value = serde_json::from_str(&first.to_stored_json()).unwrap();
        assert_eq!(stored["land_use"], "CLN");
        assert_eq!(stored["address"], "Thôn 2, \"Xóm Bàu\"");
        assert_eq!(stored.get("ward"), None);
        assert_eq!(stored["geometry"]["type"], "MultiPolygon");
    }

    #[test]
    fn a_stored_parcel_is_checked_again() {
        let parcel = &parcels(&collection(&[parcel_feature(5, 6, 108.0, 16.0, 0.01)])).unwrap()[0];
        let stored = parcel.to_stored_json();
        let hanoi_only = Region { min_lat: 20.0, max_lat: 22.0, min_lon: 105.0, max_lon: 107.0 };
        let err = Parcel::from_stored_json(&stored, &hanoi_only).unwrap_err();
        assert_eq!((err.feature, err.id.as_deref()), (None, Some("sheet 5, parcel 6")));
        assert!(matches!(err.problem, LandProblem::Geometry(AreaProblem::OutsideRegion { .. })));
        let err = Parcel::from_stored_json("{\"sheet\": 1,", &Region::VIETNAM).unwrap_err();
        assert!(matches!(err.problem, LandProblem::Json { line: 1, .. }), "{err}");
        let tampered = stored.replace("\"ODT\"", "\"odt\"");
        assert_eq!(Parcel::from_stored_json(&tampered, &Region::VIETNAM).unwrap(), *parcel);
    }
}

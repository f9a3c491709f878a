//! Streaming a GeoJSON FeatureCollection one feature at a time.

use super::{LandError, LandProblem};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::fmt;
use std::io::{BufReader, Read};

/// One feature of a layer file as read, before its layer's checks.
#[derive(Debug, Clone, PartialEq)]
pub struct RawFeature {
    /// The Feature's `id`, a string or a number, as text.
    pub id: Option<String>,
    /// Empty when the Feature has none.
    pub properties: Map<String, Value>,
    /// None when the Feature's geometry is null or absent.
    pub geometry: Option<Value>,
}

/// The names GDAL and QGIS write for WGS84 longitude/latitude, which GeoJSON assumes when a
/// file names no `crs`. (`EPSG:4326` is latitude first elsewhere, but not in GeoJSON files.)
const WGS84_NAMES: [&str; 4] = [
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326",
];

/// Reads a GeoJSON FeatureCollection from `reader` and hands each feature to `on_feature` with
/// its index from 0, in file order, as soon as it is read: memory holds one feature (and an
/// 8 KiB buffer), never the file. Returns how many features there were.
///
/// Top-level members other than `type`, `features` and `crs` are skipped; `type` must be
/// `FeatureCollection`; a `crs` other than WGS84 is refused. The collection must have a
/// feature. The first refusal ends the read: one of `on_feature`'s errors as it returned it, or
/// a [`LandError`] (converted) naming the feature being read. A `type` or `crs` written after
/// `features` is only checked after them, so `on_feature` may have seen features of a file
/// that is then refused: keep what it was given until this returns `Ok`.
pub fn read_features<R: Read, E: From<LandError>>(
    reader: R,
    mut on_feature: impl FnMut(usize, RawFeature) -> Result<(), E>,
) -> Result<usize, E> {
    let mut stream = Stream { on_feature: &mut on_feature, count: 0, reading: None, refusal: None };
    let mut deserializer = serde_json::Deserializer::from_reader(BufReader::new(reader));
    let read = deserializer
        .deserialize_map(CollectionVisitor(&mut stream))
        .and_then(|()| deserializer.end());
    match read {
        Ok(()) => Ok(stream.count),
        Err(err) => Err(stream.refusal.take().unwrap_or_else(|| {
            LandError { feature: stream.reading, id: None, problem: json_problem(&err) }.into()
        })),
    }
}

/// A serde_json error as a problem: its message without the position, which is kept apart.
pub(super) fn json_problem(err: &serde_json::Error) -> LandProblem {
    if err.is_io() {
        return LandProblem::Unreadable(err.to_string());
    }
    let (line, column) = (err.line(), err.column());
    let message = err.to_string();
    let position = format!(" at line {line} column {column}");
    let message = message.strip_suffix(&position).unwrap_or(&message).to_string();
    LandProblem::Json { message, line, column }
}

/// The read's state, shared by the visitors of the collection and of its features.
struct Stream<'a, F, E> {
    on_feature: &'a mut F,
    count: usize,
    /// The index of the feature being read, while one is: a JSON error inside it names it.
    reading: Option<usize>,
    /// Why the read stopped when a check or `on_feature` stopped it: serde's error carries
    /// only a message, so the refusal itself waits here.
    refusal: Option<E>,
}

impl<F, E: From<LandError>> Stream<'_, F, E> {
    fn stop<Error: de::Error>(&mut self, refusal: E) -> Error {
        self.refusal = Some(refusal);
        Error::custom("refused")
    }

    fn refuse<Error: de::Error>(&mut self, problem: LandProblem) -> Error {
        self.stop(LandError { feature: None, id: None, problem }.into())
    }
}

struct CollectionVisitor<'s, 'a, F, E>(&'s mut Stream<'a, F, E>);

impl<'de, F, E> Visitor<'de> for CollectionVisitor<'_, '_, F, E>
where
    F: FnMut(usize, RawFeature) -> Result<(), E>,
    E: From<LandError>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON FeatureCollection")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut is_collection = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => {
                    is_collection = map.next_value::<String>()? == "FeatureCollection";
                    if !is_collection {
                        return Err(self.0.refuse(LandProblem::NotAFeatureCollection));
                    }
                }
                "crs" => {
                    if let Some(crs) = foreign_crs(&map.next_value::<Value>()?) {
                        return Err(self.0.refuse(LandProblem::NotWgs84 { crs }));
                    }
                }
                "features" => map.next_value_seed(FeaturesSeed(&mut *self.0))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !is_collection {
            return Err(self.0.refuse(LandProblem::NotAFeatureCollection));
        }
        if self.0.count == 0 {
            return Err(self.0.refuse(LandProblem::NoFeatures));
        }
        Ok(())
    }
}

/// The `crs` member's name when it is not WGS84 (null is GeoJSON's default, WGS84).
fn foreign_crs(crs: &Value) -> Option<String> {
    if crs.is_null() {
        return None;
    }
    match crs.pointer("/properties/name").and_then(Value::as_str) {
        Some(name) if WGS84_NAMES.contains(&name) => None,
        Some(name) => Some(name.to_string()),
        None => Some(crs.to_string()),
    }
}

struct FeaturesSeed<'s, 'a, F, E>(&'s mut Stream<'a, F, E>);

impl<'de, F, E> DeserializeSeed<'de> for FeaturesSeed<'_, '_, F, E>
where
    F: FnMut(usize, RawFeature) -> Result<(), E>,
    E: From<LandError>,
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F, E> Visitor<'de> for FeaturesSeed<'_, '_, F, E>
where
    F: FnMut(usize, RawFeature) -> Result<(), E>,
    E: From<LandError>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of GeoJSON Features")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut features: A) -> Result<(), A::Error> {
        let stream = self.0;
        loop {
            let index = stream.count;
            stream.reading = Some(index);
            let Some(feature) = features.next_element::<FeatureJson>()? else {
                break;
            };
            let raw = RawFeature {
                id: feature.id.and_then(id_text),
                properties: feature.properties.unwrap_or_default(),
                geometry: feature.geometry.filter(|geometry| !geometry.is_null()),
            };
            if feature.kind.as_deref() != Some("Feature") {
                let refusal = LandError {
                    feature: Some(index),
                    id: raw.id,
                    problem: LandProblem::NotAFeature,
                };
                return Err(stream.stop(refusal.into()));
            }
            if let Err(refusal) = (stream.on_feature)(index, raw) {
                return Err(stream.stop(refusal));
            }
            stream.count += 1;
        }
        stream.reading = None;
        Ok(())
    }
}

/// A Feature as it is deserialized; other members (`bbox`, foreign members) are skipped.
#[derive(Deserialize)]
struct FeatureJson {
    #[serde(rename = "type")]
    kind: Option<String>,
    id: Option<Value>,
    properties: Option<Map<String, Value>>,
    geometry: Option<Value>,
}

/// GeoJSON ids are strings or numbers; anything else is no id.
fn id_text(id: Value) -> Option<String> {
    match id {
        Value::String(text) => Some(text),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::land::fixtures::GeneratedLayer;
    use std::io;
    use std::rc::Rc;

    /// Reads `text`, collecting the features' ids (their index when they have none).
    fn ids(text: &str) -> Result<Vec<String>, LandError> {
        let mut seen = Vec::new();
        read_features(text.as_bytes(), |index, feature| -> Result<(), LandError> {
            seen.push(feature.id.unwrap_or_else(|| index.to_string()));
            Ok(())
        })?;
        Ok(seen)
    }

    fn problem(text: &str) -> LandProblem {
        ids(text).unwrap_err().problem
    }

    const TWO: &str = r#"{"type": "FeatureCollection", "name": "thua_dat",
        "bbox": [108.0, 16.0, 108.1, 16.1],
        "features": [
            {"type": "Feature", "id": "a", "properties": {"so_to": 1}, "geometry": null},
            {"type": "Feature", "id": 7, "bbox": [1, 2, 3, 4], "geometry": {"type": "Point",
             "coordinates": [108.0, 16.0]}}
        ]}"#;

    #[test]
    fn features_arrive_in_order_with_their_ids_properties_and_geometry() {
        let mut seen = Vec::new();
        let count = read_features(TWO.as_bytes(), |index, feature| -> Result<(), LandError> {
            seen.push((index, feature));
            Ok(())
        })
        .unwrap();
        assert_eq!(count, 2);
        let (first, second) = (&seen[0].1, &seen[1].1);
        assert_eq!((seen[0].0, first.id.as_deref()), (0, Some("a")));
        assert_eq!(first.properties["so_to"], 1);
        assert_eq!(first.geometry, None);
        assert_eq!((seen[1].0, second.id.as_deref()), (1, Some("7")));
        assert!(second.properties.is_empty());
        assert_eq!(second.geometry.as_ref().unwrap()["type"], "Point");
    }

    #[test]
    fn members_may_come_in_any_order_and_wgs84_may_be_named() {
        let crs = |name: &str| format!(r#"{{"type": "name", "properties": {{"name": "{name}"}}}}"#);
        for name in WGS84_NAMES {
            let text = format!(
                r#"{{"features": [{{"type": "Feature"}}], "crs": {}, "type": "FeatureCollection"}}"#,
                crs(name)
            );
            assert_eq!(ids(&text).unwrap(), ["0"], "{name}");
        }
        let text =
            r#"{"type": "FeatureCollection", "crs": null, "features": [{"type": "Feature"}]}"#;
        assert_eq!(ids(text).unwrap(), ["0"]);
    }

    #[test]
    fn a_projected_crs_is_refused_with_the_way_out() {
        let text = r#"{"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3405"}},
            "features": [{"type": "Feature"}]}"#;
        let err = ids(text).unwrap_err();
        assert_eq!(err.feature, None);
        assert_eq!(err.problem, LandProblem::NotWgs84 { crs: "urn:ogc:def:crs:EPSG::3405".into() });
        assert!(err.to_string().contains("VN-2000: reproject to WGS84"), "{err}");
        assert!(err.vietnamese().contains("chuyển sang WGS84"), "{}", err.vietnamese());
        let link = r#"{"type": "FeatureCollection", "crs": {"type": "link"}, "features": []}"#;
        assert!(matches!(problem(link), LandProblem::NotWgs84 { .. }));
    }

    #[test]
    fn only_a_feature_collection_with_features_is_read() {
        let feature = r#"{"type": "Feature", "properties": {}, "geometry": null}"#;
        assert_eq!(problem(feature), LandProblem::NotAFeatureCollection);
        assert_eq!(
            problem(r#"{"features": [{"type": "Feature"}]}"#),
            LandProblem::NotAFeatureCollection
        );
        assert_eq!(
            problem(r#"{"type": "FeatureCollection", "features": []}"#),
            LandProblem::NoFeatures
        );
        assert_eq!(problem(r#"{"type": "FeatureCollection"}"#), LandProblem::NoFeatures);
        let not_a_feature = r#"{"type": "FeatureCollection", "features": [
            {"type": "Feature"}, {"type": "Point", "id": "p", "coordinates": [1, 2]}]}"#;
        let err = ids(not_a_feature).unwrap_err();
        assert_eq!((err.feature, err.id.as_deref()), (Some(1), Some("p")));
        assert_eq!(err.problem, LandProblem::NotAFeature);
    }

    #[test]
    fn malformed_json_is_refused_with_its_line_and_column_and_feature() {
        let text = "{\"type\": \"FeatureCollection\", \"features\": [\n  {\"type\": \"Feature\"},\n  {\"type\": \"Feature\", \"properties\": {\"so_to\": 1,}}\n]}";
        let err = ids(text).unwrap_err();
        assert_eq!(err.feature, Some(1));
        let LandProblem::Json { line, column, message } = &err.problem else {
            panic!("{err:?}");
        };
        assert_eq!((*line, *column), (3, 49), "{message}");
        assert!(!message.contains("at line"), "{message}");
        assert!(err.to_string().starts_with("feature 1: invalid JSON at line 3, column 49: "));

        let err = ids(r#"{"type": "FeatureCollection", "features": [{"type": "Feature"}]} ]"#)
            .unwrap_err();
        assert!(matches!(err.problem, LandProblem::Json { line: 1, .. }), "{err}");
        assert_eq!(err.feature, None, "trailing characters are the file's fault");
        let err =
            ids(r#"{"type": "FeatureCollection", "features": [{"type": "Feature"}"#).unwrap_err();
        assert!(matches!(err.problem, LandProblem::Json { .. }), "{err}");
        assert!(matches!(problem("[]"), LandProblem::Json { .. }));
        assert!(matches!(problem(""), LandProblem::Json { .. }));
    }

    #[test]
    fn the_callbacks_refusal_comes_back_as_it_was() {
        let mut seen = 0;
        let err = read_features(TWO.as_bytes(), |index, _| {
            seen += 1;
            Err(LandError {
                feature: Some(index),
                id: Some("mine".into()),
                problem: LandProblem::NoFeatures,
            })
        })
        .unwrap_err();
        assert_eq!(seen, 1, "the read stops at the first refusal");
        assert_eq!((err.feature, err.id.as_deref()), (Some(0), Some("mine")));
    }

    #[test]
    fn a_failing_reader_is_unreadable_not_malformed() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk gone"))
            }
        }
        let err = read_features(Broken, |_, _| Ok::<(), LandError>(())).unwrap_err();
        assert!(matches!(&err.problem, LandProblem::Unreadable(m) if m.contains("disk gone")));
    }

    #[test]
    fn a_large_layer_streams_one_feature_at_a_time() {
        let feature = |i: usize| {
            format!(
                r#"{{"type": "Feature", "id": {i}, "properties": {{"so_to": 1, "so_thua": {}}},
                "geometry": null}}"#,
                i + 1
            )
        };
        let mut layer = GeneratedLayer::new(200_000, feature);
        let bytes_read = Rc::clone(&layer.bytes_read);
        let mut first_seen_at = None;
        let mut next_index = 0;
        let count = read_features(&mut layer, |index, raw| -> Result<(), LandError> {
            first_seen_at.get_or_insert(bytes_read.get());
            assert_eq!(index, next_index, "in order");
            assert_eq!(raw.properties["so_thua"], index + 1);
            next_index += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(count, 200_000);
        let total = bytes_read.get();
        assert!(total > 20_000_000, "{total} bytes");
        // The first feature is handed over after the first buffer's worth, not the file.
        assert!(first_seen_at.unwrap() <= 16 * 1024, "{first_seen_at:?} of {total}");
        assert!(layer.largest_request <= 8 * 1024, "{}", layer.largest_request);
    }
}

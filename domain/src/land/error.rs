//! Why a land layer file, or a stored feature, was refused.

use crate::geo::AreaProblem;
use std::fmt;

/// A refused layer file, and the feature at fault when one is: its index from 0 in the file's
/// `features`, and its identifier when it has one (the Feature's `id`, else its sheet and
/// parcel numbers or its zone code). A stored feature has no index.
#[derive(Debug, Clone, PartialEq)]
pub struct LandError {
    pub feature: Option<usize>,
    pub id: Option<String>,
    pub problem: LandProblem,
}

/// `property` is the property's name as the file spells it; `value` is the value as JSON,
/// shortened.
#[derive(Debug, Clone, PartialEq)]
pub enum LandProblem {
    /// Malformed JSON, or a value of the wrong JSON type, where the parser found it.
    Json {
        message: String,
        line: usize,
        column: usize,
    },
    /// The file could not be read to its end.
    Unreadable(String),
    NotAFeatureCollection,
    NoFeatures,
    /// The file declares a coordinate system other than WGS84 longitude/latitude.
    NotWgs84 {
        crs: String,
    },
    NotAFeature,
    /// None of the property names accepted for a required field is present.
    MissingProperty {
        accepted: Vec<String>,
    },
    /// A sheet or parcel number that is not a whole number from 1 to 99 999.
    BadSerialNumber {
        property: String,
        value: String,
    },
    /// An area that is not a positive number of square metres.
    BadArea {
        property: String,
        value: String,
    },
    UnknownLandUse {
        property: String,
        value: String,
    },
    /// Blank, too long, or with control characters.
    BadText {
        property: String,
    },
    /// Not a decision number such as `1234/QĐ-UBND`.
    BadDecision {
        property: String,
        value: String,
    },
    /// The geometry's fault, as the areas' import names it (polygon, ring, position).
    Geometry(AreaProblem),
    /// A position far outside any longitude or latitude: a projected file (VN-2000 metres)
    /// without its `crs`.
    ProjectedCoordinates {
        polygon: usize,
        ring: usize,
        position: usize,
    },
    /// A polygon enclosing nothing (all its positions on one line).
    ZeroArea {
        polygon: usize,
    },
}

impl LandError {
    /// The whole refusal in Vietnamese (the English is its `Display`).
    pub fn vietnamese(&self) -> String {
        let problem = self.problem.vietnamese();
        match (self.feature, &self.id) {
            (Some(index), Some(id)) => format!("Đối tượng {index} ({id}): {problem}"),
            (Some(index), None) => format!("Đối tượng {index}: {problem}"),
            (None, Some(id)) => format!("{id}: {problem}"),
            (None, None) => format!("Tệp GeoJSON: {problem}"),
        }
    }
}

impl fmt::Display for LandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.feature, &self.id) {
            (Some(index), Some(id)) => write!(f, "feature {index} ({id}): ")?,
            (Some(index), None) => write!(f, "feature {index}: ")?,
            (None, Some(id)) => write!(f, "{id}: ")?,
            (None, None) => {}
        }
        fmt::Display::fmt(&self.problem, f)
    }
}

impl std::error::Error for LandError {}

/// Vietnamese files often come in VN-2000, projected in metres: the fix is the same however
/// the file gives it away.
const REPROJECT_EN: &str = "Vietnamese files often come in VN-2000: reproject to WGS84 \
    (EPSG:4326) first, e.g. ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson";
const REPROJECT_VI: &str = "tệp của Việt Nam thường ở hệ VN-2000: hãy chuyển sang WGS84 \
    (EPSG:4326) trước, ví dụ ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson";

/// The problem in English.
impl fmt::Display for LandProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LandProblem::Json { message, line, column } => {
                write!(f, "invalid JSON at line {line}, column {column}: {message}")
            }
            LandProblem::Unreadable(message) => write!(f, "the file could not be read: {message}"),
            LandProblem::NotAFeatureCollection => f.write_str("not a GeoJSON FeatureCollection"),
            LandProblem::NoFeatures => f.write_str("the collection has no features"),
            LandProblem::NotWgs84 { crs } => {
                write!(f, "coordinates are in {crs}, not WGS84 longitude/latitude; {REPROJECT_EN}")
            }
            LandProblem::NotAFeature => f.write_str("not a GeoJSON Feature"),
            LandProblem::MissingProperty { accepted } => {
                write!(f, "none of the properties {} is present", accepted.join(", "))
            }
            LandProblem::BadSerialNumber { property, value } => write!(
                f,
                "property `{property}` is {value}; it must be a whole number from 1 to 99999"
            ),
            LandProblem::BadArea { property, value } => write!(
                f,
                "property `{property}` is {value}; it must be a positive number of square \
                 metres, written with a decimal point"
            ),
            LandProblem::UnknownLandUse { property, value } => write!(
                f,
                "property `{property}` is {value}, not a land-use code of Circular 08/2024 or \
                 27/2018 (such as ODT, ONT, CLN, LUC)"
            ),
            LandProblem::BadText { property } => write!(
                f,
                "property `{property}` must be text of 1 to 500 characters without control \
                 characters"
            ),
            LandProblem::BadDecision { property, value } => write!(
                f,
                "property `{property}` is {value}, not a decision number such as 1234/QĐ-UBND"
            ),
            LandProblem::Geometry(problem) => fmt::Display::fmt(problem, f),
            LandProblem::ProjectedCoordinates { polygon, ring, position } => write!(
                f,
                "position {position} of ring {ring} of polygon {polygon} is in metres, not \
                 degrees; {REPROJECT_EN}"
            ),
            LandProblem::ZeroArea { polygon } => write!(f, "polygon {polygon} encloses no area"),
        }
    }
}

impl LandProblem {
    /// The problem in Vietnamese. A JSON or shape fault keeps its library's English after a
    /// Vietnamese lead-in, as the areas' do.
    pub fn vietnamese(&self) -> String {
        match self {
            LandProblem::Json { message, line, column } => {
                format!("JSON không hợp lệ ở dòng {line}, cột {column}: {message}")
            }
            LandProblem::Unreadable(message) => format!("không đọc được tệp: {message}"),
            LandProblem::NotAFeatureCollection => "không phải GeoJSON FeatureCollection".into(),
            LandProblem::NoFeatures => "tập hợp không có đối tượng nào".into(),
            LandProblem::NotWgs84 { crs } => {
                format!("tọa độ ở hệ {crs}, không phải kinh độ/vĩ độ WGS84; {REPROJECT_VI}")
            }
            LandProblem::NotAFeature => "không phải GeoJSON Feature".into(),
            LandProblem::MissingProperty { accepted } => {
                format!("thiếu thuộc tính: không có thuộc tính nào trong {}", accepted.join(", "))
            }
            LandProblem::BadSerialNumber { property, value } => {
                format!("thuộc tính `{property}` là {value}; phải là số nguyên từ 1 đến 99999")
            }
            LandProblem::BadArea { property, value } => format!(
                "thuộc tính `{property}` là {value}; diện tích phải là số mét vuông dương, \
                 dùng dấu chấm thập phân"
            ),
            LandProblem::UnknownLandUse { property, value } => format!(
                "thuộc tính `{property}` là {value}, không phải mã loại đất theo Thông tư \
                 08/2024 hay 27/2018 (như ODT, ONT, CLN, LUC)"
            ),
            LandProblem::BadText { property } => format!(
                "thuộc tính `{property}` phải là văn bản từ 1 đến 500 ký tự, không có ký tự \
                 điều khiển"
            ),
            LandProblem::BadDecision { property, value } => format!(
                "thuộc tính `{property}` là {value}, không phải số quyết định dạng 1234/QĐ-UBND"
            ),
            LandProblem::Geometry(problem) => problem.vietnamese(),
            LandProblem::ProjectedCoordinates { polygon, ring, position } => format!(
                "điểm {position} của vòng {ring} của đa giác {polygon} tính bằng mét, không \
                 phải độ; {REPROJECT_VI}"
            ),
            LandProblem::ZeroArea { polygon } => {
                format!("đa giác {polygon} không có diện tích")
            }
        }
    }
}

//! The categories residents file complaints under (Open311 services), their extra questions
//! (service-definition attributes) and the typed answers to them.

use super::MAX_TEXT;
use crate::datetime::parse_datetime;
use crate::validation::{clean_text, Invalid, Reason};
use crate::{Bilingual, Lang};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

pub const DEFAULT_NEARBY_RADIUS_M: u32 = 250;

/// What residents file a complaint under; an Open311 service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// The Open311 `service_code`.
    pub code: String,
    pub name: Bilingual,
    pub group: Bilingual,
    /// Comma-separated words a resident might use for it (Open311 `keywords`).
    #[serde(default)]
    pub keywords: Bilingual,
    /// Hours from filing to resolution.
    pub sla_hours: u32,
    pub icon: String,
    /// How far to look for similar open complaints before filing a new one.
    #[serde(default = "default_nearby_radius")]
    pub nearby_radius_m: u32,
    #[serde(default)]
    pub attributes: Vec<Attribute>,
}

fn default_nearby_radius() -> u32 {
    DEFAULT_NEARBY_RADIUS_M
}

/// An extra question of a category, as an Open311 service-definition attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    pub code: String,
    pub datatype: Datatype,
    pub required: bool,
    pub description: Bilingual,
    /// The allowed answers of a list; empty for other datatypes.
    #[serde(default)]
    pub values: Vec<AttributeValue>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Datatype {
    String,
    Number,
    DateTime,
    Text,
    SingleValueList,
    MultiValueList,
}

impl Datatype {
    fn is_list(self) -> bool {
        matches!(self, Datatype::SingleValueList | Datatype::MultiValueList)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeValue {
    pub key: String,
    pub name: Bilingual,
}

/// An answer, typed by its attribute's datatype.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    Text(String),
    Number(f64),
    DateTime(DateTime<FixedOffset>),
    Choice(String),
    Choices(Vec<String>),
}

/// Answers by attribute code.
pub type Answers = BTreeMap<String, Answer>;

const MAX_STRING_ANSWER: usize = 200;

impl Category {
    /// Checks a complaint's answers (by attribute code, each with its values as an Open311
    /// form sends `attribute[CODE]`) against the questions. Blank values count as absent;
    /// a refusal names `attribute[CODE]`.
    pub fn check_answers(
        &self,
        answers: &HashMap<String, Vec<String>>,
    ) -> Result<Answers, Invalid> {
        let field = |code: &str| format!("attribute[{code}]");
        let unknown =
            answers.keys().filter(|code| !self.attributes.iter().any(|a| &a.code == *code));
        if let Some(code) = unknown.min() {
            return Err(Invalid::new(
                field(code),
                Reason::Format {
                    expected_vi: "một câu hỏi của loại phản ánh này",
                    expected_en: "a question of this category",
                },
            ));
        }
        let mut checked = Answers::new();
        for attribute in &self.attributes {
            let field = field(&attribute.code);
            let given: Vec<&str> = answers
                .get(&attribute.code)
                .into_iter()
                .flatten()
                .map(|value| value.trim())
                .filter(|value| !value.is_empty())
                .collect();
            let Some(&first) = given.first() else {
                if attribute.required {
                    return Err(Invalid::new(field, Reason::Required));
                }
                continue;
            };
            if given.len() > 1 && attribute.datatype != Datatype::MultiValueList {
                return Err(Invalid::new(
                    field,
                    Reason::Format {
                        expected_vi: "một giá trị duy nhất",
                        expected_en: "a single value",
                    },
                ));
            }
            let answer = match attribute.datatype {
                Datatype::String => {
                    Answer::Text(clean_text(&field, first, 1, MAX_STRING_ANSWER, false)?)
                }
                Datatype::Text => Answer::Text(clean_text(&field, first, 1, MAX_TEXT, true)?),
                Datatype::Number => match first.parse::<f64>() {
                    Ok(number) if number.is_finite() => Answer::Number(number),
                    _ => {
                        return Err(Invalid::new(
                            field,
                            Reason::Format {
                                expected_vi: "một số, dấu chấm thập phân (ví dụ 1.5)",
                                expected_en: "a number with a decimal point (e.g. 1.5)",
                            },
                        ))
                    }
                },
                Datatype::DateTime => Answer::DateTime(parse_datetime(&field, first)?),
                Datatype::SingleValueList => Answer::Choice(attribute.choice(&field, first)?),
                Datatype::MultiValueList => {
                    let mut keys: Vec<String> = Vec::with_capacity(given.len());
                    for value in given {
                        let key = attribute.choice(&field, value)?;
                        if !keys.contains(&key) {
                            keys.push(key);
                        }
                    }
                    Answer::Choices(keys)
                }
            };
            checked.insert(attribute.code.clone(), answer);
        }
        Ok(checked)
    }
}

impl Attribute {
    fn choice(&self, field: &str, key: &str) -> Result<String, Invalid> {
        if self.values.iter().any(|value| value.key == key) {
            Ok(key.to_string())
        } else {
            Err(Invalid::new(
                field,
                Reason::Format {
                    expected_vi: "một trong các lựa chọn của câu hỏi",
                    expected_en: "one of the question's options",
                },
            ))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoriesFile {
    #[serde(default, rename = "note")]
    _note: serde::de::IgnoredAny,
    categories: Vec<Category>,
}

/// Reads a categories file (`data/categories.json`'s shape), or says where it is wrong.
pub fn parse_categories(json: &str) -> Result<Vec<Category>, String> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let file: CategoriesFile = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|err| format!("{}: {}", err.path(), err.inner()))?;
    deserializer.end().map_err(|err| err.to_string())?;
    if file.categories.is_empty() {
        return Err("categories: the list is empty".into());
    }
    let mut codes = HashSet::new();
    for (index, category) in file.categories.iter().enumerate() {
        let at = format!("categories[{index}]");
        category.check().map_err(|invalid| {
            format!("{at}.{}: {}", invalid.field, invalid.reason.message(Lang::En))
        })?;
        if !codes.insert(category.code.as_str()) {
            return Err(format!("{at}.code: {} appears twice", category.code));
        }
    }
    Ok(file.categories)
}

/// Lower-case ASCII letters, digits and underscores, 1–40 of them: codes and keys in URLs and
/// form field names.
fn is_code(code: &str) -> bool {
    (1..=40).contains(&code.len())
        && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn check_code(field: String, code: &str) -> Result<(), Invalid> {
    if is_code(code) {
        return Ok(());
    }
    Err(Invalid::new(
        field,
        Reason::Format {
            expected_vi: "1–40 chữ cái ASCII thường, chữ số hoặc dấu gạch dưới",
            expected_en: "1–40 lower-case ASCII letters, digits or underscores",
        },
    ))
}

fn check_range(field: &str, value: u32, min: u32, max: u32) -> Result<(), Invalid> {
    if (min..=max).contains(&value) {
        return Ok(());
    }
    Err(Invalid::new(field, Reason::OutOfRange { min: min.into(), max: max.into() }))
}

fn check_bilingual(field: &str, text: &Bilingual) -> Result<(), Invalid> {
    check_texts(field, text, 1, 300)
}

fn check_texts(field: &str, text: &Bilingual, min: usize, max: usize) -> Result<(), Invalid> {
    for (lang, value) in [("vi", &text.vi), ("en", &text.en)] {
        clean_text(&format!("{field}.{lang}"), value, min, max, false)?;
    }
    Ok(())
}

/// A code or key given twice where each must be unique.
fn repeated(field: String) -> Invalid {
    Invalid::new(
        field,
        Reason::Format {
            expected_vi: "một mã chưa dùng ở mục khác trong danh sách",
            expected_en: "a code no other entry of the list has",
        },
    )
}

/// Hours a category may give to resolve a complaint: at least one, at most a year.
const SLA_HOURS: (u32, u32) = (1, 8760);

impl Category {
    /// The rules a category keeps wherever it comes from (the file, an administrator): codes
    /// usable in URLs and form fields, names not blank, bounded SLA and radius, and questions
    /// whose codes and values are unique and whose lists have values. A refusal names the
    /// field as a path inside the category (`attributes[1].values[0].key`).
    pub fn check(&self) -> Result<(), Invalid> {
        check_code("code".into(), &self.code)?;
        check_bilingual("name", &self.name)?;
        check_bilingual("group", &self.group)?;
        // Open311 clients show the keywords as given: plain text, none needed.
        check_texts("keywords", &self.keywords, 0, 500)?;
        check_range("sla_hours", self.sla_hours, SLA_HOURS.0, SLA_HOURS.1)?;
        check_code("icon".into(), &self.icon)?;
        check_range("nearby_radius_m", self.nearby_radius_m, 10, 5000)?;
        let mut codes = HashSet::new();
        for (index, attribute) in self.attributes.iter().enumerate() {
            let at = format!("attributes[{index}]");
            check_code(format!("{at}.code"), &attribute.code)?;
            if !codes.insert(attribute.code.as_str()) {
                return Err(repeated(format!("{at}.code")));
            }
            check_bilingual(&format!("{at}.description"), &attribute.description)?;
            let values_rule = match (attribute.datatype.is_list(), attribute.values.is_empty()) {
                (true, true) => Some((
                    "ít nhất một lựa chọn cho câu hỏi dạng danh sách",
                    "at least one value, for a list",
                )),
                (false, false) => Some((
                    "không có lựa chọn: chỉ câu hỏi dạng danh sách mới có",
                    "no values, which only lists have",
                )),
                _ => None,
            };
            if let Some((expected_vi, expected_en)) = values_rule {
                return Err(Invalid::new(
                    format!("{at}.values"),
                    Reason::Format { expected_vi, expected_en },
                ));
            }
            let mut keys = HashSet::new();
            for (index, value) in attribute.values.iter().enumerate() {
                let at = format!("{at}.values[{index}]");
                check_code(format!("{at}.key"), &value.key)?;
                if !keys.insert(value.key.as_str()) {
                    return Err(repeated(format!("{at}.key")));
                }
                check_bilingual(&format!("{at}.name"), &value.name)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn shipped() -> Vec<Category> {
        parse_categories(include_str!("../../../data/categories.json")).unwrap()
    }

    pub(crate) fn category(code: &str) -> Category {
        shipped().into_iter().find(|c| c.code == code).unwrap()
    }

    #[test]
    fn the_shipped_categories_parse() {
        let categories = shipped();
        let codes: Vec<&str> = categories.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "road_damage",
                "street_light",
                "garbage",
                "drainage_flooding",
                "encroachment",
                "trees",
                "illegal_construction",
                "noise",
                "water_supply",
                "food_safety",
                "other",
            ]
        );
        let flooding = category("drainage_flooding");
        assert_eq!(flooding.name.get(Lang::Vi), "Thoát nước, ngập úng");
        let depth = flooding.attributes.iter().find(|a| a.code == "depth").unwrap();
        assert!(depth.required && depth.datatype == Datatype::SingleValueList);
        assert_eq!(category("other").nearby_radius_m, DEFAULT_NEARBY_RADIUS_M);
        let pole = &category("street_light").attributes[0];
        assert_eq!(
            (pole.code.as_str(), pole.datatype, pole.required),
            ("pole_number", Datatype::String, false)
        );
        assert!(categories.iter().all(|c| c.sla_hours <= 240));
    }

    #[test]
    fn bad_category_files_are_refused_naming_the_place() {
        let refused = |json: &str| parse_categories(json).unwrap_err();
        let one = |category: &str| format!(r#"{{"categories": [{category}]}}"#);
        let base = r#""code": "pothole", "name": {"vi": "Ổ gà", "en": "Pothole"},
            "group": {"vi": "Giao thông", "en": "Roads"}, "sla_hours": 72, "icon": "road""#;
        assert!(parse_categories(&one(&format!("{{{base}}}"))).is_ok());
        let with = |extra: &str| one(&format!("{{{base}, {extra}}}"));
        let question = |datatype: &str, values: &str| {
            with(&format!(
                r#""attributes": [{{"code": "q", "datatype": "{datatype}", "required": true,
                "description": {{"vi": "Câu hỏi", "en": "Question"}}{values}}}]"#
            ))
        };
        let cases = [
            (r#"{"categories": []}"#.to_string(), "categories: the list is empty"),
            (
                format!(r#"{{"categories": [{{{base}}}, {{{base}}}]}}"#),
                "categories[1].code: pothole appears twice",
            ),
            (with(r#""colour": "red""#), "categories[0].colour: unknown field `colour`"),
            (
                one(&format!("{{{}}}", base.replace("72", "0"))),
                "categories[0].sla_hours: must be between 1 and 8760",
            ),
            (
                one(&format!("{{{}}}", base.replace("Pothole", " "))),
                "categories[0].name.en: is required",
            ),
            (
                one(&format!("{{{}}}", base.replace("\"pothole\"", "\"Ổ gà\""))),
                "categories[0].code: has the wrong format: 1–40 lower-case",
            ),
            (
                with(r#""nearby_radius_m": 1"#),
                "categories[0].nearby_radius_m: must be between 10 and 5000",
            ),
            (
                question("colour", ""),
                "categories[0].attributes[0].datatype: unknown variant `colour`",
            ),
            (
                question("singlevaluelist", ""),
                "categories[0].attributes[0].values: has the wrong format: at least one value",
            ),
            (
                question("string", r#", "values": [{"key": "a", "name": {"vi": "A", "en": "A"}}]"#),
                "categories[0].attributes[0].values: has the wrong format: no values",
            ),
            (
                question(
                    "multivaluelist",
                    r#", "values": [{"key": "a", "name": {"vi": "A", "en": "A"}},
                                    {"key": "a", "name": {"vi": "B", "en": "B"}}]"#,
                ),
                "categories[0].attributes[0].values[1].key: has the wrong format: a code no other",
            ),
        ];
        for (json, start) in cases {
            let message = refused(&json);
            assert!(message.starts_with(start), "{message}\n  expected: {start}");
        }
    }

    #[test]
    fn a_category_refused_one_by_one_names_the_field_inside_it() {
        let refusal = |change: fn(&mut Category)| {
            let mut changed = category("drainage_flooding");
            change(&mut changed);
            let invalid = changed.check().unwrap_err();
            (invalid.field, invalid.reason.code())
        };
        assert!(category("drainage_flooding").check().is_ok());
        assert_eq!(refusal(|c| c.code = "Ngập".into()), ("code".into(), "format"));
        assert_eq!(refusal(|c| c.name.en = "  ".into()), ("name.en".into(), "required"));
        assert_eq!(
            refusal(|c| c.keywords.vi = "a\u{7}".into()),
            ("keywords.vi".into(), "control_characters")
        );
        assert_eq!(refusal(|c| c.sla_hours = 0), ("sla_hours".into(), "out_of_range"));
        assert_eq!(refusal(|c| c.sla_hours = 8761), ("sla_hours".into(), "out_of_range"));
        assert_eq!(
            refusal(|c| c.attributes[0].values.clear()),
            ("attributes[0].values".into(), "format")
        );
        assert_eq!(
            refusal(|c| c.attributes.push(c.attributes[0].clone())),
            ("attributes[2].code".into(), "format")
        );
    }

    fn answers(pairs: &[(&str, &[&str])]) -> HashMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(code, values)| {
                (code.to_string(), values.iter().map(|v| v.to_string()).collect())
            })
            .collect()
    }

    #[test]
    fn answers_are_checked_and_typed_by_their_questions() {
        let flooding = category("drainage_flooding");
        let checked = flooding
            .check_answers(&answers(&[
                ("depth", &["knee"]),
                ("since", &["2026-11-20T08:30:00+07:00"]),
            ]))
            .unwrap();
        assert_eq!(checked["depth"], Answer::Choice("knee".into()));
        assert_eq!(
            checked["since"],
            Answer::DateTime(DateTime::parse_from_rfc3339("2026-11-20T01:30:00Z").unwrap())
        );
        assert_eq!(serde_json::to_value(&checked["depth"]).unwrap(), "knee");

        let refusal = |category: &Category, given: &[(&str, &[&str])]| {
            let invalid = category.check_answers(&answers(given)).unwrap_err();
            (invalid.field, invalid.reason.code())
        };
        let field = |code: &str| format!("attribute[{code}]");
        assert_eq!(refusal(&flooding, &[]), (field("depth"), "required"));
        assert_eq!(refusal(&flooding, &[("depth", &["  "])]), (field("depth"), "required"));
        assert_eq!(refusal(&flooding, &[("depth", &["neck"])]), (field("depth"), "format"));
        assert_eq!(
            refusal(&flooding, &[("depth", &["knee", "ankle"])]),
            (field("depth"), "format")
        );
        assert_eq!(
            refusal(&flooding, &[("depth", &["knee"]), ("since", &["20/11/2026 08:30"])]),
            (field("since"), "date_format")
        );
        assert_eq!(
            refusal(&flooding, &[("depth", &["knee"]), ("colour", &["red"]), ("boat", &["no"])]),
            (field("boat"), "format")
        );

        let food = category("food_safety");
        let checked = food
            .check_answers(&answers(&[
                ("place_type", &["street_vendor"]),
                ("people_affected", &[" 3 "]),
            ]))
            .unwrap();
        assert_eq!(checked["people_affected"], Answer::Number(3.0));
        for bad in ["ba", "1,5", "NaN", "inf"] {
            assert_eq!(
                refusal(&food, &[("place_type", &["market"]), ("people_affected", &[bad])]),
                (field("people_affected"), "format"),
                "{bad}"
            );
        }

        let garbage = category("garbage");
        let checked = garbage
            .check_answers(&answers(&[("waste_types", &["household", "bulky", "household", ""])]))
            .unwrap();
        assert_eq!(
            checked["waste_types"],
            Answer::Choices(vec!["household".into(), "bulky".into()])
        );
        assert_eq!(
            refusal(&garbage, &[("waste_types", &["household", "gold"])]),
            (field("waste_types"), "format")
        );

        let lights = category("street_light");
        let checked = lights.check_answers(&answers(&[("pole_number", &[" HC-0142 "])])).unwrap();
        assert_eq!(checked["pole_number"], Answer::Text("HC-0142".into()));
        assert!(lights.check_answers(&HashMap::new()).unwrap().is_empty());
        assert_eq!(
            refusal(&lights, &[("pole_number", &["a\u{7}b"])]),
            (field("pole_number"), "control_characters")
        );
    }
}

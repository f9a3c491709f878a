//! The catalogue of administrative procedures (thủ tục hành chính) and its file format.
//!
//! The import file is the shape of `data/procedures.json`: `{ "note": …, "procedures": [ … ] }`.
//! Every field is checked while the file is read, so a bad file is refused whole, naming the
//! line, column and field at fault.

mod submission;

pub use submission::{ApplicantType, Component, FileType, ReturnMethod, Submission};

use crate::agency::GovLevel;
use crate::validation::{clean_text, Invalid, Reason};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;

/// Online public service level (mức độ DVC trực tuyến), 1–4.
pub type ServiceLevel = u8;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcedureSpec {
    #[serde(deserialize_with = "procedure_code")]
    pub code: String,
    #[serde(deserialize_with = "text::<_, 1, 300>")]
    pub name: String,
    /// The name in English, for foreign residents; searched like the name.
    #[serde(deserialize_with = "text::<_, 1, 300>")]
    pub name_en: String,
    #[serde(deserialize_with = "text::<_, 1, 100>")]
    pub field: String,
    pub level: GovLevel,
    #[serde(deserialize_with = "text::<_, 1, 200>")]
    pub agency: String,
    #[serde(deserialize_with = "bounded::<_, u8, 1, 4>")]
    pub service_level: ServiceLevel,
    #[serde(deserialize_with = "bounded::<_, u16, 0, 365>")]
    pub processing_days: u16,
    #[serde(deserialize_with = "bounded::<_, i64, 0, 1_000_000_000>")]
    pub fee_vnd: i64,
    #[serde(deserialize_with = "text_list::<_, 50>")]
    pub documents: Vec<String>,
    #[serde(deserialize_with = "text::<_, 1, 300>")]
    pub result: String,
    #[serde(default, deserialize_with = "text_list::<_, 30>")]
    pub steps: Vec<String>,
    #[serde(default, deserialize_with = "online_url")]
    pub online_url: Option<String>,
    /// What an online dossier consists of; only for service levels 3 and 4.
    #[serde(default)]
    pub submission: Option<Submission>,
}

impl ProcedureSpec {
    /// The rules that look at more than one field, which reading a field alone cannot see:
    /// a submission only at service level 3 or 4, and the submission's own (see
    /// [`Submission::check`]). The file parser runs it on every procedure; whoever builds or
    /// reads a spec elsewhere (the admin API, the console) runs it before storing one. A refusal
    /// names the field as a path inside the procedure (`submission.return_methods[2]`).
    pub fn check(&self) -> Result<(), Invalid> {
        let Some(submission) = &self.submission else {
            return Ok(());
        };
        if self.service_level < 3 {
            return Err(Invalid::new(
                "submission",
                Reason::Format {
                    expected_vi: "không có: chỉ thủ tục mức độ 3 hoặc 4 mới nộp hồ sơ trực tuyến",
                    expected_en: "none: only a procedure of service level 3 or 4 is submitted \
                                  online",
                },
            ));
        }
        submission.check(self.service_level).map_err(|invalid| {
            Invalid::new(format!("submission.{}", invalid.field), invalid.reason)
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueFile {
    #[serde(default)]
    pub note: Option<String>,
    pub procedures: UniqueProcedures,
}

/// The procedures of one file, each code at most once.
#[derive(Debug)]
pub struct UniqueProcedures(pub Vec<ProcedureSpec>);

/// A catalogue file that could not be read: where, which field, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueError {
    pub line: usize,
    pub column: usize,
    pub field: String,
    pub message: String,
}

impl fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}, field `{}`: {}",
            self.line, self.column, self.field, self.message
        )
    }
}

impl std::error::Error for CatalogueError {}

/// Reads a whole catalogue file, or says where it is wrong. Nothing partial comes out.
pub fn parse_catalogue(text: &str) -> Result<Vec<ProcedureSpec>, CatalogueError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let file: CatalogueFile =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
            let field = err.path().to_string();
            let inner = err.into_inner();
            let message = strip_position(&inner.to_string());
            CatalogueError { line: inner.line(), column: inner.column(), field, message }
        })?;
    deserializer.end().map_err(|err| CatalogueError {
        line: err.line(),
        column: err.column(),
        field: ".".into(),
        message: "trailing characters after the catalogue".into(),
    })?;
    for (index, procedure) in file.procedures.0.iter().enumerate() {
        procedure.check().map_err(|invalid| {
            let field = format!("procedures[{index}].{}", invalid.field);
            let (line, column) = locate(text, &field);
            let message = invalid.reason.message(crate::Lang::En);
            CatalogueError { line, column, field, message }
        })?;
    }
    Ok(file.procedures.0)
}

/// Where the value at `path` (`procedures[3].submission.return_methods[2]`) is in `text`, as
/// serde_json counts lines and columns: for a rule checked after the whole file was read, so
/// its refusal points where the others do. `(0, 0)` when the path is not in the text.
fn locate(text: &str, path: &str) -> (usize, usize) {
    let mut steps = Vec::new();
    for segment in path.split('.') {
        let mut parts = segment.split('[');
        steps.push(Step::Key(parts.next().unwrap_or_default()));
        for index in parts {
            match index.trim_end_matches(']').parse() {
                Ok(index) => steps.push(Step::Index(index)),
                Err(_) => return (0, 0),
            }
        }
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    match Locate(&steps).deserialize(&mut deserializer) {
        Err(err) if err.to_string().starts_with(FOUND) => (err.line(), err.column()),
        _ => (0, 0),
    }
}

const FOUND: &str = "found";

enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// Walks the steps, skipping every other value, and stops with the error `FOUND` where the
/// last one begins; serde_json gives that error the position it stopped at.
struct Locate<'s, 'a>(&'s [Step<'a>]);

impl<'de> DeserializeSeed<'de> for Locate<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        match self.0.first() {
            None => Err(de::Error::custom(FOUND)),
            Some(Step::Key(_)) => d.deserialize_map(self),
            Some(Step::Index(_)) => d.deserialize_seq(self),
        }
    }
}

impl<'de> Visitor<'de> for Locate<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the value at a path")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((Step::Key(wanted), rest)) = self.0.split_first() else {
            return Err(de::Error::custom("not an object here"));
        };
        while let Some(key) = map.next_key::<String>()? {
            if key == *wanted {
                return map.next_value_seed(Locate(rest));
            }
            map.next_value::<IgnoredAny>()?;
        }
        Err(de::Error::custom("no such field"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((Step::Index(wanted), rest)) = self.0.split_first() else {
            return Err(de::Error::custom("not a list here"));
        };
        for _ in 0..*wanted {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Err(de::Error::custom("no such entry"));
            }
        }
        seq.next_element_seed(Locate(rest))?.ok_or_else(|| de::Error::custom("no such entry"))
    }
}

/// serde_json appends " at line L column C"; we report those as fields of their own.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

impl<'de> Deserialize<'de> for UniqueProcedures {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct UniqueVisitor;
        impl<'de> Visitor<'de> for UniqueVisitor {
            type Value = UniqueProcedures;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of procedures")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut seen = HashSet::new();
                let mut procedures = Vec::new();
                while let Some(procedure) = seq.next_element::<ProcedureSpec>()? {
                    if !seen.insert(procedure.code.clone()) {
                        return Err(de::Error::custom(format!(
                            "procedure code {} appears twice in the file",
                            procedure.code
                        )));
                    }
                    procedures.push(procedure);
                }
                Ok(UniqueProcedures(procedures))
            }
        }
        deserializer.deserialize_seq(UniqueVisitor)
    }
}

/// Procedure codes as agencies write them (`XA-HT-01`, `1.001234`): 2–40 characters of
/// upper-case ASCII letters, digits, dots, dashes and underscores.
pub fn is_procedure_code(code: &str) -> bool {
    (2..=40).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'))
}

fn procedure_code<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let code = String::deserialize(d)?;
    if is_procedure_code(&code) {
        Ok(code)
    } else {
        Err(de::Error::custom(
            "a procedure code has 2–40 upper-case letters, digits, dots, dashes or underscores",
        ))
    }
}

fn text<'de, D: Deserializer<'de>, const MIN: usize, const MAX: usize>(
    d: D,
) -> Result<String, D::Error> {
    let raw = String::deserialize(d)?;
    clean_text("", &raw, MIN, MAX, false)
        .map_err(|invalid| de::Error::custom(invalid.reason.message(crate::Lang::En)))
}

fn text_list<'de, D: Deserializer<'de>, const MAX_ITEMS: usize>(
    d: D,
) -> Result<Vec<String>, D::Error> {
    let items = Vec::<String>::deserialize(d)?;
    if items.len() > MAX_ITEMS {
        return Err(de::Error::custom(format!("at most {MAX_ITEMS} entries")));
    }
    items.iter().map(|item| clean_text("", item, 1, 500, false)).collect::<Result<_, _>>().map_err(
        |invalid| {
            de::Error::custom(format!("an entry {}", invalid.reason.message(crate::Lang::En)))
        },
    )
}

fn bounded<'de, D, T, const MIN: i64, const MAX: i64>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Into<i64> + Copy,
{
    let value = T::deserialize(d)?;
    if (MIN..=MAX).contains(&value.into()) {
        Ok(value)
    } else {
        Err(de::Error::custom(format!("must be between {MIN} and {MAX}")))
    }
}

/// A link the catalogue gives out: an https:// address of at most 500 bytes, without spaces.
fn is_https_url(url: &str) -> bool {
    url.starts_with("https://") && url.len() <= 500 && !url.contains(char::is_whitespace)
}

fn online_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let url = Option::<String>::deserialize(d)?;
    match url {
        Some(u) if !is_https_url(&u) => {
            Err(de::Error::custom("an online submission link is an https:// address"))
        }
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"{"code":"XA-HT-01","name":"Đăng ký khai sinh","name_en":"Birth",
        "field":"Hộ tịch","level":"commune","agency":"UBND cấp xã","service_level":4,
        "processing_days":1,"fee_vnd":0,"documents":["Tờ khai"],"result":"Giấy khai sinh"}"#;

    #[test]
    fn reads_a_well_formed_catalogue() {
        let text = format!(r#"{{"note":"demo","procedures":[{ONE}]}}"#);
        let procedures = parse_catalogue(&text).unwrap();
        assert_eq!(procedures.len(), 1);
        assert_eq!(procedures[0].level, GovLevel::Commune);
        assert!(procedures[0].steps.is_empty());
    }

    #[test]
    fn names_line_and_field_of_a_bad_value() {
        let bad = ONE.replace(r#""service_level":4"#, r#""service_level":7"#);
        let text = format!("{{\"procedures\":[\n{ONE},\n{bad}]}}");
        let err = parse_catalogue(&text).unwrap_err();
        assert_eq!(err.field, "procedures[1].service_level");
        // ONE spans three lines; the bad one starts on line 5 and has service_level on its second.
        assert_eq!(err.line, 6, "{err}");
        assert!(err.message.contains("between 1 and 4"), "{err}");
    }

    #[test]
    fn refuses_unknown_fields_missing_fields_and_duplicates() {
        let unknown = ONE.replace(r#""fee_vnd":0"#, r#""fee_vnd":0,"fee":1"#);
        let err = parse_catalogue(&format!(r#"{{"procedures":[{unknown}]}}"#)).unwrap_err();
        assert!(err.message.contains("unknown field `fee`"), "{err}");

        let missing = ONE.replace(r#""result":"Giấy khai sinh""#, r#""steps":[]"#);
        let err = parse_catalogue(&format!(r#"{{"procedures":[{missing}]}}"#)).unwrap_err();
        assert!(err.message.contains("missing field `result`"), "{err}");

        let missing = ONE.replace(r#""name_en":"Birth","#, "");
        let err = parse_catalogue(&format!(r#"{{"procedures":[{missing}]}}"#)).unwrap_err();
        assert!(err.message.contains("missing field `name_en`"), "{err}");
        for bad in [r#""""#, r#""   ""#, "null"] {
            let blank = ONE.replace(r#""Birth""#, bad);
            let err = parse_catalogue(&format!(r#"{{"procedures":[{blank}]}}"#)).unwrap_err();
            assert_eq!(err.field, "procedures[0].name_en", "{bad}: {err}");
        }
        let long = ONE.replace("Birth", &"B".repeat(301));
        let err = parse_catalogue(&format!(r#"{{"procedures":[{long}]}}"#)).unwrap_err();
        assert_eq!(err.field, "procedures[0].name_en", "{err}");

        let err = parse_catalogue(&format!(r#"{{"procedures":[{ONE},{ONE}]}}"#)).unwrap_err();
        assert!(err.message.contains("appears twice"), "{err}");
    }

    #[test]
    fn the_shipped_catalogue_is_valid() {
        let text = include_str!("../../data/procedures.json");
        let procedures = parse_catalogue(text).unwrap();
        assert_eq!(procedures.len(), 53);
        // Every procedure has an English name of its own.
        let names: HashSet<&str> = procedures.iter().map(|p| p.name_en.as_str()).collect();
        assert_eq!(names.len(), 53);
        assert!(procedures.iter().all(|p| p.name_en.is_ascii() && p.name_en != p.name));
    }
}

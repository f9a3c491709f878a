//! What an online dossier of a procedure consists of (thành phần hồ sơ nộp trực tuyến): its
//! components, who may submit it, which identity numbers it takes and how its result comes back.
//!
//! Only procedures of online service level 3 and 4 have one. The rules of one field are checked
//! while the field is read (so the file parser names line, column and field); the rules that
//! look at two fields, or at the procedure around the submission, are in
//! [`ProcedureSpec::check`](super::ProcedureSpec::check).

use super::{bounded, is_https_url, text, ServiceLevel};
use crate::validation::{Invalid, Reason};
use crate::word::{impl_word, Word};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A procedure's online submission: the components of its dossier and who may send it how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// 1–30 components, each code once.
    #[serde(deserialize_with = "components")]
    pub components: Vec<Component>,
    /// Who may submit: at least one, none twice.
    #[serde(deserialize_with = "word_set")]
    pub applicant_types: Vec<ApplicantType>,
    /// Whether the old 9-digit identity card number is accepted besides the 12-digit citizen
    /// identity number (số định danh cá nhân / CCCD).
    #[serde(default)]
    pub old_id_accepted: bool,
    /// How the result may come back: at least one, none twice; `online` only at level 4.
    #[serde(deserialize_with = "word_set")]
    pub return_methods: Vec<ReturnMethod>,
}

/// One component of the dossier (thành phần hồ sơ): a paper, as so many originals and copies,
/// uploaded as scans or photos.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// The component's handle within its procedure (`to-khai`): what an upload names.
    #[serde(deserialize_with = "component_code")]
    pub code: String,
    #[serde(deserialize_with = "text::<_, 1, 300>")]
    pub name: String,
    #[serde(deserialize_with = "text::<_, 1, 300>")]
    pub name_en: String,
    /// Originals (bản chính) the law asks for, 0–10.
    #[serde(deserialize_with = "bounded::<_, u8, 0, 10>")]
    pub originals: u8,
    /// Copies (bản sao), 0–10.
    #[serde(deserialize_with = "bounded::<_, u8, 0, 10>")]
    pub copies: u8,
    /// Whether every dossier has it (default) or only some cases do.
    #[serde(default = "yes")]
    pub required: bool,
    /// The kinds of file accepted: at least one, none twice; all of them when omitted.
    #[serde(default = "all_file_types", deserialize_with = "word_set")]
    pub file_types: Vec<FileType>,
    /// At most this many files for the component, 1–10; 5 when omitted.
    #[serde(default = "default_max_files", deserialize_with = "bounded::<_, u8, 1, 10>")]
    pub max_files: u8,
    /// Where the blank form (mẫu tờ khai) can be downloaded, when there is one.
    #[serde(default, deserialize_with = "form_url")]
    pub form_url: Option<String>,
}

pub const DEFAULT_MAX_FILES: u8 = 5;
pub const MAX_COMPONENTS: usize = 30;

fn yes() -> bool {
    true
}

fn default_max_files() -> u8 {
    DEFAULT_MAX_FILES
}

fn all_file_types() -> Vec<FileType> {
    FileType::ALL.to_vec()
}

/// Who submits a dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantType {
    Citizen,
    Enterprise,
    Organisation,
}

impl_word!(ApplicantType {
    Citizen => "citizen",
    Enterprise => "enterprise",
    Organisation => "organisation",
});

/// How the result of a dossier reaches the applicant: at the one-stop-shop counter, by the
/// public postal service (Decision 45/2016/QĐ-TTg), or online (level 4 only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnMethod {
    Counter,
    Post,
    Online,
}

impl_word!(ReturnMethod {
    Counter => "counter",
    Post => "post",
    Online => "online",
});

/// A kind of file a component may be uploaded as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileType {
    Pdf,
    Jpeg,
    Png,
}

impl_word!(FileType {
    Pdf => "pdf",
    Jpeg => "jpeg",
    Png => "png",
});

impl Submission {
    /// The rules that look at more than one field, for a procedure of `service_level`: each
    /// component code once, and `online` return only at level 4. A refusal names the field as a
    /// path inside the submission (`components[1].code`, `return_methods[2]`).
    pub fn check(&self, service_level: ServiceLevel) -> Result<(), Invalid> {
        let mut codes = HashSet::new();
        for (index, component) in self.components.iter().enumerate() {
            if !codes.insert(component.code.as_str()) {
                return Err(Invalid::new(
                    format!("components[{index}].code"),
                    Reason::Format {
                        expected_vi: "một mã chưa dùng cho thành phần khác của thủ tục",
                        expected_en: "a code no other component of the procedure has",
                    },
                ));
            }
        }
        if service_level < 4 {
            if let Some(index) = self.return_methods.iter().position(|m| *m == ReturnMethod::Online)
            {
                return Err(Invalid::new(
                    format!("return_methods[{index}]"),
                    Reason::Format {
                        expected_vi: "counter hoặc post: chỉ thủ tục mức độ 4 mới trả kết quả \
                                      trực tuyến",
                        expected_en: "counter or post: only a procedure of service level 4 \
                                      returns its result online",
                    },
                ));
            }
        }
        Ok(())
    }
}

/// Component codes: 1–40 lower-case ASCII letters, digits and dashes (`to-khai`).
pub fn is_component_code(code: &str) -> bool {
    (1..=40).contains(&code.len())
        && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn component_code<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let code = String::deserialize(d)?;
    if is_component_code(&code) {
        Ok(code)
    } else {
        Err(de::Error::custom(
            "a component code has 1–40 lower-case ASCII letters, digits or dashes",
        ))
    }
}

fn components<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Component>, D::Error> {
    let components = Vec::<Component>::deserialize(d)?;
    if (1..=MAX_COMPONENTS).contains(&components.len()) {
        Ok(components)
    } else {
        Err(de::Error::custom(format!("between 1 and {MAX_COMPONENTS} components")))
    }
}

/// A list of words of one enum: at least one, none twice.
fn word_set<'de, D, W>(d: D) -> Result<Vec<W>, D::Error>
where
    D: Deserializer<'de>,
    W: Word + Deserialize<'de> + PartialEq,
{
    let words = Vec::<W>::deserialize(d)?;
    if words.is_empty() {
        return Err(de::Error::custom(format!("at least one of: {}", W::WORDS.join(", "))));
    }
    for (index, word) in words.iter().enumerate() {
        if words[..index].contains(word) {
            return Err(de::Error::custom(format!("`{}` is listed twice", word.as_str())));
        }
    }
    Ok(words)
}

fn form_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<String>::deserialize(d)? {
        Some(url) if !is_https_url(&url) => {
            Err(de::Error::custom("a blank form's link is an https:// address"))
        }
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse_catalogue, CatalogueError, ProcedureSpec};
    use super::*;

    /// A submission with one component that gives only what it must and one that gives
    /// everything.
    const SUBMISSION: &str = r#"{
        "components": [
            {"code": "to-khai", "name": "Tờ khai đăng ký khai sinh",
             "name_en": "Birth registration form", "originals": 1, "copies": 0},
            {"code": "giay-chung-sinh", "name": "Giấy chứng sinh", "name_en": "Birth certificate",
             "originals": 1, "copies": 2, "required": false, "file_types": ["pdf", "png"],
             "max_files": 2, "form_url": "https://dichvucong.gov.vn/mau/to-khai.docx"}
        ],
        "applicant_types": ["citizen", "enterprise"],
        "return_methods": ["counter", "post", "online"]
    }"#;

    fn procedure(level: u8, submission: &str) -> String {
        format!(
            r#"{{"code":"XA-HT-01","name":"Đăng ký khai sinh","name_en":"Birth",
            "field":"Hộ tịch","level":"commune","agency":"UBND cấp xã","service_level":{level},
            "processing_days":1,"fee_vnd":0,"documents":["Tờ khai"],"result":"Giấy khai sinh",
            "submission":{submission}}}"#
        )
    }

    fn catalogue(level: u8, submission: &str) -> String {
        format!("{{\"procedures\":[\n{}]}}", procedure(level, submission))
    }

    fn parsed(level: u8, submission: &str) -> Submission {
        let mut procedures = parse_catalogue(&catalogue(level, submission)).unwrap();
        procedures.remove(0).submission.unwrap()
    }

    fn refusal(level: u8, submission: &str) -> CatalogueError {
        parse_catalogue(&catalogue(level, submission)).unwrap_err()
    }

    /// SUBMISSION with the first `from` replaced by `to`.
    fn with(from: &str, to: &str) -> String {
        assert!(SUBMISSION.contains(from), "{from}");
        SUBMISSION.replacen(from, to, 1)
    }

    /// Each replacement refused at level 4, naming `field` inside the first procedure.
    fn refused_at(field: &str, cases: &[(&str, &str)]) {
        for (from, to) in cases {
            let err = refusal(4, &with(from, to));
            assert_eq!(err.field, format!("procedures[0].submission.{field}"), "{to}: {err}");
            assert!(err.line > 0 && err.column > 0, "{err}");
        }
    }

    /// The procedures the demo catalogue tells how to submit online, in the file's order.
    const WITH_SUBMISSION: [&str; 12] = [
        "XA-HT-01",
        "XA-HT-02",
        "XA-HT-03",
        "XA-HT-04",
        "XA-CU-01",
        "XA-CU-02",
        "XA2-KD-01",
        "XA2-XD-01",
        "XA2-DD-01",
        "TI-DN-01",
        "TI-TP-01",
        "TI-GT-01",
    ];

    #[test]
    fn the_shipped_catalogue_tells_how_to_submit_the_chosen_procedures() {
        let procedures = parse_catalogue(include_str!("../../../data/procedures.json")).unwrap();
        let with: Vec<&str> =
            procedures.iter().filter(|p| p.submission.is_some()).map(|p| p.code.as_str()).collect();
        assert_eq!(with, WITH_SUBMISSION);
        for procedure in procedures.iter().filter(|p| p.submission.is_some()) {
            let submission = procedure.submission.as_ref().unwrap();
            assert_eq!(procedure.check(), Ok(()), "{}", procedure.code);
            assert!((3..=4).contains(&procedure.service_level), "{}", procedure.code);
            assert_eq!(
                submission.return_methods.contains(&ReturnMethod::Online),
                procedure.service_level == 4,
                "{}: online return exactly at level 4",
                procedure.code
            );
            assert!(
                submission.components.iter().any(|c| c.required && c.originals + c.copies > 0),
                "{}: a required paper",
                procedure.code
            );
            for component in &submission.components {
                // English words, without Vietnamese letters (a form's code such as 04/ĐK keeps its
                // own).
                let vietnamese = |c: char| c.is_lowercase() && !c.is_ascii();
                assert!(!component.name_en.contains(vietnamese), "{}", component.name_en);
                assert_ne!(component.name, component.name_en);
            }
        }
    }

    #[test]
    fn reads_a_submission_and_fills_the_defaults() {
        let submission = parsed(4, SUBMISSION);
        let bare = &submission.components[0];
        assert_eq!(bare.code, "to-khai");
        assert!(bare.required, "required unless said otherwise");
        assert_eq!(bare.file_types, [FileType::Pdf, FileType::Jpeg, FileType::Png]);
        assert_eq!(bare.max_files, DEFAULT_MAX_FILES);
        assert_eq!(bare.max_files, 5);
        assert_eq!(bare.form_url, None);
        assert!(!submission.old_id_accepted, "the old ID only where the procedure says so");
        let full = &submission.components[1];
        assert_eq!(full.code, "giay-chung-sinh");
        assert_eq!((full.originals, full.copies, full.required), (1, 2, false));
        assert_eq!(full.file_types, [FileType::Pdf, FileType::Png]);
        assert_eq!(full.max_files, 2);
        assert_eq!(full.form_url.as_deref(), Some("https://dichvucong.gov.vn/mau/to-khai.docx"));
        assert_eq!(submission.applicant_types, [ApplicantType::Citizen, ApplicantType::Enterprise]);
        let old_id = with(r#""applicant_types""#, r#""old_id_accepted": true, "applicant_types""#);
        assert!(parsed(4, &old_id).old_id_accepted);
    }

    #[test]
    fn a_procedure_without_a_submission_has_none() {
        let procedures = parse_catalogue(&catalogue(4, "null")).unwrap();
        assert_eq!(procedures[0].submission, None);
    }

    #[test]
    fn only_levels_3_and_4_are_submitted_online() {
        let at_3 = with(r#", "online""#, "");
        assert_eq!(parsed(3, &at_3).return_methods, [ReturnMethod::Counter, ReturnMethod::Post]);
        for level in [1, 2] {
            let err = refusal(level, &at_3);
            assert_eq!(err.field, "procedures[0].submission", "{err}");
            assert!(err.message.contains("service level 3 or 4"), "{err}");
            // The submission starts on the procedure's fourth line, the file's fifth.
            assert_eq!(err.line, 5, "{err}");
        }
    }

    #[test]
    fn only_level_4_returns_the_result_online() {
        let err = refusal(3, SUBMISSION);
        assert_eq!(err.field, "procedures[0].submission.return_methods[2]", "{err}");
        assert!(err.message.contains("only a procedure of service level 4"), "{err}");
        let text = catalogue(3, SUBMISSION);
        let online_line = text[..text.find(r#""online""#).unwrap()].lines().count();
        assert_eq!(err.line, online_line, "{err}");

        // The rule holds for a spec however it was read: the admin API runs the same check.
        let mut spec: ProcedureSpec = serde_json::from_str(&procedure(4, SUBMISSION)).unwrap();
        assert_eq!(spec.check(), Ok(()));
        spec.service_level = 3;
        assert_eq!(spec.check().unwrap_err().field, "submission.return_methods[2]");
        spec.service_level = 2;
        assert_eq!(spec.check().unwrap_err().field, "submission");
        spec.submission = None;
        assert_eq!(spec.check(), Ok(()));
    }

    #[test]
    fn has_between_1_and_30_components() {
        let err = refusal(
            4,
            &format!(
                r#"{{"components":[],{}"#,
                &SUBMISSION[SUBMISSION.find(r#""applicant"#).unwrap()..]
            ),
        );
        assert_eq!(err.field, "procedures[0].submission.components", "{err}");
        assert!(err.message.contains("between 1 and 30"), "{err}");

        let component = |i: usize| {
            format!(
                r#"{{"code":"c{i}","name":"Giấy {i}","name_en":"Paper {i}","originals":1,"copies":0}}"#
            )
        };
        let list = |n: usize| (0..n).map(component).collect::<Vec<_>>().join(",");
        let rest = &SUBMISSION[SUBMISSION.find(r#""applicant"#).unwrap()..];
        assert_eq!(
            parsed(4, &format!(r#"{{"components":[{}],{rest}"#, list(30))).components.len(),
            30
        );
        let err = refusal(4, &format!(r#"{{"components":[{}],{rest}"#, list(31)));
        assert_eq!(err.field, "procedures[0].submission.components", "{err}");
    }

    #[test]
    fn component_codes_are_short_lower_case_slugs() {
        let long = format!(r#""code": "{}""#, "a".repeat(41));
        refused_at(
            "components[0].code",
            &[
                (r#""code": "to-khai""#, r#""code": """#),
                (r#""code": "to-khai""#, r#""code": "To-Khai""#),
                (r#""code": "to-khai""#, r#""code": "to khai""#),
                (r#""code": "to-khai""#, r#""code": "to_khai""#),
                (r#""code": "to-khai""#, r#""code": "tờ-khai""#),
                (r#""code": "to-khai""#, r#""code": 1"#),
                (r#""code": "to-khai""#, &long),
            ],
        );
        assert!(is_component_code("a") && is_component_code(&"a-1".repeat(13)));
    }

    #[test]
    fn component_codes_are_unique_within_the_procedure() {
        let err = refusal(4, &with("giay-chung-sinh", "to-khai"));
        assert_eq!(err.field, "procedures[0].submission.components[1].code", "{err}");
        assert!(err.message.contains("no other component"), "{err}");
        let text = catalogue(4, &with("giay-chung-sinh", "to-khai"));
        let second = text.rfind(r#""to-khai""#).unwrap();
        assert_eq!(err.line, text[..second].lines().count(), "{err}");
    }

    #[test]
    fn component_names_are_text_in_both_languages() {
        let long = format!(r#""name": "{}""#, "Giấy ".repeat(61));
        refused_at(
            "components[0].name",
            &[
                (r#""name": "Tờ khai đăng ký khai sinh""#, r#""name": "  ""#),
                (r#""name": "Tờ khai đăng ký khai sinh""#, &long),
                (r#""name": "Tờ khai đăng ký khai sinh""#, r#""name": "Tờ\u0007khai""#),
            ],
        );
        refused_at(
            "components[0].name_en",
            &[
                (r#""name_en": "Birth registration form""#, r#""name_en": """#),
                (r#""name_en": "Birth registration form""#, r#""name_en": null"#),
            ],
        );
        let err = refusal(4, &with(r#""name_en": "Birth registration form","#, ""));
        assert_eq!(err.field, "procedures[0].submission.components[0]", "{err}");
        assert!(err.message.contains("missing field `name_en`"), "{err}");
    }

    #[test]
    fn originals_and_copies_are_0_to_10() {
        refused_at(
            "components[0].originals",
            &[
                (r#""originals": 1"#, r#""originals": 11"#),
                (r#""originals": 1"#, r#""originals": -1"#),
            ],
        );
        refused_at("components[0].copies", &[(r#""copies": 0"#, r#""copies": 11"#)]);
        let most = with(r#""originals": 1, "copies": 0"#, r#""originals": 10, "copies": 10"#);
        assert_eq!(parsed(4, &most).components[0].copies, 10);
    }

    #[test]
    fn required_is_a_yes_or_no() {
        refused_at("components[1].required", &[(r#""required": false"#, r#""required": "no""#)]);
    }

    #[test]
    fn file_types_are_some_of_pdf_jpeg_png_each_once() {
        let field = "components[1].file_types";
        let types = r#""file_types": ["pdf", "png"]"#;
        refused_at(
            field,
            &[(types, r#""file_types": []"#), (types, r#""file_types": ["pdf", "png", "pdf"]"#)],
        );
        refused_at(&format!("{field}[1]"), &[(types, r#""file_types": ["pdf", "docx"]"#)]);
        refused_at(&format!("{field}[0]"), &[(types, r#""file_types": ["PDF"]"#)]);
        assert!(refusal(4, &with(types, r#""file_types": ["png", "png"]"#))
            .message
            .contains("`png` is listed twice"));
    }

    #[test]
    fn at_most_1_to_10_files_a_component() {
        refused_at(
            "components[1].max_files",
            &[
                (r#""max_files": 2"#, r#""max_files": 0"#),
                (r#""max_files": 2"#, r#""max_files": 11"#),
            ],
        );
        assert_eq!(
            parsed(4, &with(r#""max_files": 2"#, r#""max_files": 10"#)).components[1].max_files,
            10
        );
    }

    #[test]
    fn a_blank_form_is_an_https_link() {
        let url = r#""form_url": "https://dichvucong.gov.vn/mau/to-khai.docx""#;
        refused_at(
            "components[1].form_url",
            &[
                (url, r#""form_url": "http://dichvucong.gov.vn/mau.docx""#),
                (url, r#""form_url": "https://dichvucong.gov.vn/mẫu tờ khai.docx""#),
                (url, r#""form_url": "dichvucong.gov.vn""#),
                (url, r#""form_url": """#),
            ],
        );
        assert_eq!(parsed(4, &with(url, r#""form_url": null"#)).components[1].form_url, None);
    }

    #[test]
    fn applicant_types_are_some_of_citizen_enterprise_organisation_each_once() {
        let types = r#""applicant_types": ["citizen", "enterprise"]"#;
        refused_at(
            "applicant_types",
            &[
                (types, r#""applicant_types": []"#),
                (types, r#""applicant_types": ["citizen", "citizen"]"#),
                (types, r#""applicant_types": "citizen""#),
            ],
        );
        refused_at("applicant_types[1]", &[(types, r#""applicant_types": ["citizen", "person"]"#)]);
        let err = refusal(4, &with(&format!("{types},"), ""));
        assert!(err.message.contains("missing field `applicant_types`"), "{err}");
        let all = with(types, r#""applicant_types": ["organisation", "enterprise", "citizen"]"#);
        assert_eq!(parsed(4, &all).applicant_types.len(), 3);
    }

    #[test]
    fn old_id_accepted_is_a_yes_or_no() {
        refused_at(
            "old_id_accepted",
            &[(r#""applicant_types""#, r#""old_id_accepted": 1, "applicant_types""#)],
        );
    }

    #[test]
    fn return_methods_are_some_of_counter_post_online_each_once() {
        let methods = r#""return_methods": ["counter", "post", "online"]"#;
        refused_at(
            "return_methods",
            &[
                (methods, r#""return_methods": []"#),
                (methods, r#""return_methods": ["post", "counter", "post"]"#),
            ],
        );
        refused_at("return_methods[0]", &[(methods, r#""return_methods": ["email"]"#)]);
        let err = refusal(
            4,
            &with(
                r#",
        "return_methods": ["counter", "post", "online"]"#,
                "",
            ),
        );
        assert!(err.message.contains("missing field `return_methods`"), "{err}");
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = refusal(4, &with(r#""applicant_types""#, r#""fee": 0, "applicant_types""#));
        assert_eq!(err.field, "procedures[0].submission.fee", "{err}");
        assert!(err.message.contains("unknown field `fee`"), "{err}");
        let err = refusal(4, &with(r#""copies": 0"#, r#""copies": 0, "pages": 2"#));
        assert_eq!(err.field, "procedures[0].submission.components[0].pages", "{err}");
        assert!(err.message.contains("unknown field `pages`"), "{err}");
    }

    #[test]
    fn a_spec_round_trips_through_its_json() {
        let spec: ProcedureSpec = serde_json::from_str(&procedure(4, SUBMISSION)).unwrap();
        let json = serde_json::to_string(&spec).unwrap();
        let again: ProcedureSpec = serde_json::from_str(&json).unwrap();
        assert_eq!(again, spec);
        assert!(json.contains(r#""file_types":["pdf","jpeg","png"]"#), "{json}");

        // The whole shipped catalogue, echoed and read again, is the same catalogue.
        let shipped = parse_catalogue(include_str!("../../../data/procedures.json")).unwrap();
        let echoed = serde_json::json!({ "procedures": shipped }).to_string();
        assert_eq!(parse_catalogue(&echoed).unwrap(), shipped);
    }

    #[test]
    fn the_json_words_are_the_stored_words() {
        crate::word::assert_words(&[
            (ApplicantType::Citizen, "citizen"),
            (ApplicantType::Enterprise, "enterprise"),
            (ApplicantType::Organisation, "organisation"),
        ]);
        crate::word::assert_words(&[
            (ReturnMethod::Counter, "counter"),
            (ReturnMethod::Post, "post"),
            (ReturnMethod::Online, "online"),
        ]);
        crate::word::assert_words(&[
            (FileType::Pdf, "pdf"),
            (FileType::Jpeg, "jpeg"),
            (FileType::Png, "png"),
        ]);
        // The JSON word is the stored word.
        fn same<W: Word + Serialize>() {
            for value in W::ALL {
                let json = serde_json::to_string(value).unwrap();
                assert_eq!(json, format!("\"{}\"", value.as_str()));
            }
        }
        same::<ApplicantType>();
        same::<ReturnMethod>();
        same::<FileType>();
    }
}

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

impl ApplicantType {
    pub fn label_vi(self) -> &'static str {
        match self {
            ApplicantType::Citizen => "Công dân",
            ApplicantType::Enterprise => "Doanh nghiệp",
            ApplicantType::Organisation => "Tổ chức",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ApplicantType::Citizen => "Citizen",
            ApplicantType::Enterprise => "Enterprise",
            ApplicantType::Organisation => "Organisation",
        }
    }
}

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

impl ReturnMethod {
    pub fn label_vi(self) -> &'static str {
        match self {
            ReturnMethod::Counter => "Nhận tại Bộ phận Một cửa",
            ReturnMethod::Post => "Qua dịch vụ bưu chính công ích",
            ReturnMethod::Online => "Trực tuyến",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ReturnMethod::Counter => "At the one-stop-shop counter",
            ReturnMethod::Post => "By public postal service",
            ReturnMethod::Online => "Online",
        }
    }
}

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

impl FileType {
    pub fn label_vi(self) -> &'static str {
        self.label_en()
    }

    pub fn label_en(self) -> &'static str {
        match self {
            FileType::Pdf => "PDF",
            FileType::Jpeg => "JPEG",
            FileType::Png => "PNG",
        }
    }

    /// The media type a file of this kind is served with.
    pub fn media_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
        }
    }
}

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

    /// The component of this code, if the procedure has one.
    pub fn component(&self, code: &str) -> Option<&Component> {
        self.components.iter().find(|component| component.code == code)
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

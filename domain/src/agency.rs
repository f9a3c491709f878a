//! Agencies: the sở, UBND xã/phường, công an xã… that receive and answer.

use crate::validation::{clean_text, Invalid, Reason};
use crate::word::{impl_word, Word};
use serde::{Deserialize, Serialize};

/// Which tier of the two-tier local government an agency or a procedure belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GovLevel {
    Province,
    Commune,
}

impl_word!(GovLevel {
    Province => "province",
    Commune => "commune",
});

impl GovLevel {
    pub fn parse(field: &str, raw: &str) -> Result<GovLevel, Invalid> {
        Self::parse_word(field, raw)
    }
}

/// A stable handle for an agency, in one of two forms, both safe in URLs and API keys'
/// descriptions: a short slug (`ubnd-hai-chau`: lower-case ASCII letters, digits and dashes,
/// 2–40 characters), or the agency's official electronic identifier (mã định danh điện tử,
/// Decision 20/2020/QĐ-TTg: `000.00.12.H47`), by which one-stop-shop systems know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyCode(String);

impl AgencyCode {
    pub fn parse(field: &str, raw: &str) -> Result<AgencyCode, Invalid> {
        if is_slug(raw) || is_official_identifier(raw) {
            Ok(AgencyCode(raw.to_string()))
        } else {
            Err(Invalid::new(
                field,
                Reason::Format {
                    expected_vi: "2–40 chữ thường không dấu, số hoặc gạch ngang, ví dụ \
                                  ubnd-hai-chau; hoặc mã định danh điện tử như 000.00.12.H47",
                    expected_en: "2–40 lower-case ASCII letters, digits or dashes, e.g. \
                                  ubnd-hai-chau; or an electronic identifier such as 000.00.12.H47",
                },
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_slug(raw: &str) -> bool {
    let ok_chars = raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    (2..=40).contains(&raw.len()) && ok_chars && !raw.starts_with('-') && !raw.ends_with('-')
}

/// Four levels, the lowest first: three digits, two, two, then the top level's letter and two
/// digits (`H47`: Quảng Nam province; `G01`…: the ministries).
fn is_official_identifier(raw: &str) -> bool {
    let digits = |part: &str, n: usize| part.len() == n && part.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = raw.split('.').collect();
    match parts.as_slice() {
        [fourth, third, second, top] => {
            digits(fourth, 3)
                && digits(third, 2)
                && digits(second, 2)
                && top.len() == 3
                && top.as_bytes()[0].is_ascii_uppercase()
                && digits(&top[1..], 2)
        }
        _ => false,
    }
}

/// What an admin gives to create an agency.
pub struct NewAgency {
    pub code: AgencyCode,
    pub name: String,
    pub level: GovLevel,
}

impl NewAgency {
    pub fn parse(code: &str, name: &str, level: &str) -> Result<NewAgency, Invalid> {
        Ok(NewAgency {
            code: AgencyCode::parse("code", code)?,
            name: clean_text("name", name, 1, 200, false)?,
            level: GovLevel::parse("level", level)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_stored_as_these_words() {
        crate::word::assert_words(&[
            (GovLevel::Province, "province"),
            (GovLevel::Commune, "commune"),
        ]);
    }

    #[test]
    fn agency_codes_are_url_safe_slugs_or_official_identifiers() {
        for good in ["ubnd-hai-chau", "000.00.12.H47", "000.20.31.H48", "000.00.00.G01"] {
            assert_eq!(AgencyCode::parse("code", good).unwrap().as_str(), good);
        }
        for bad in [
            "",
            "a",
            "UBND",
            "ubnd hai chau",
            "-x",
            "x-",
            "ủy-ban",
            "000.00.12.h47",
            "000.00.12.H4",
            "00.00.12.H47",
            "000.00.12.H47.1",
            "000..12.H47",
            "000.00.12.Đ47",
            "G01.00.00.000",
            "../../etc",
        ] {
            assert!(AgencyCode::parse("code", bad).is_err(), "{bad}");
        }
    }
}

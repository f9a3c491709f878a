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

/// A short stable handle for an agency (`ubnd-hai-chau`): lower-case ASCII letters, digits and
/// dashes, 2–40 characters, so it can sit in URLs and API keys' descriptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyCode(String);

impl AgencyCode {
    pub fn parse(field: &str, raw: &str) -> Result<AgencyCode, Invalid> {
        let ok_chars =
            raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        let len = raw.len();
        if (2..=40).contains(&len) && ok_chars && !raw.starts_with('-') && !raw.ends_with('-') {
            Ok(AgencyCode(raw.to_string()))
        } else {
            Err(Invalid::new(
                field,
                Reason::Format {
                    expected_vi:
                        "2–40 chữ thường không dấu, số hoặc gạch ngang, ví dụ ubnd-hai-chau",
                    expected_en:
                        "2–40 lower-case ASCII letters, digits or dashes, e.g. ubnd-hai-chau",
                },
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
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
    fn agency_codes_are_url_safe_slugs() {
        assert!(AgencyCode::parse("code", "ubnd-hai-chau").is_ok());
        for bad in ["", "a", "UBND", "ubnd hai chau", "-x", "x-", "ủy-ban"] {
            assert!(AgencyCode::parse("code", bad).is_err(), "{bad}");
        }
    }
}

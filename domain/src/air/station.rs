//! Monitoring stations: how they measure, and the code a logger names its station by.

use crate::validation::{Invalid, Reason};
use crate::word::impl_word;
use crate::Lang;

/// How a station measures. Only an automatic station's hourly means make an hourly AQI;
/// a periodic one's samples are published as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StationKind {
    /// Quan trắc tự động liên tục: a logger sends readings all day.
    Automatic,
    /// Quan trắc định kỳ: samples taken on set days.
    Periodic,
}

impl_word!(StationKind {
    Automatic => "automatic",
    Periodic => "periodic",
});

impl StationKind {
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (StationKind::Automatic, Lang::Vi) => "Quan trắc tự động liên tục",
            (StationKind::Automatic, Lang::En) => "Continuous automatic monitoring",
            (StationKind::Periodic, Lang::Vi) => "Quan trắc định kỳ",
            (StationKind::Periodic, Lang::En) => "Periodic monitoring",
        }
    }
}

/// The code a station is known by to its logger and in URLs (`DN-HAICHAU_01`, `QN.05`):
/// 1–32 ASCII letters, digits, `-`, `_` or `.`, kept as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StationCode(String);

/// Long enough for any network's scheme, short enough for a URL segment and a map label.
const MAX_CODE_LEN: usize = 32;

impl StationCode {
    pub fn parse(field: &str, raw: &str) -> Result<StationCode, Invalid> {
        if raw.is_empty() {
            return Err(Invalid::new(field, Reason::Required));
        }
        if raw.len() > MAX_CODE_LEN {
            return Err(Invalid::new(field, Reason::TooLong { max: MAX_CODE_LEN }));
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        if !raw.chars().all(allowed) {
            return Err(Invalid::new(
                field,
                Reason::Format {
                    expected_vi: "chữ cái không dấu, chữ số, -, _ hoặc ., ví dụ DN-HAICHAU_01",
                    expected_en: "ASCII letters, digits, -, _ or ., e.g. DN-HAICHAU_01",
                },
            ));
        }
        Ok(StationCode(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::word::assert_words;

    #[test]
    fn kinds_are_stored_as_these_words() {
        assert_words(&[(StationKind::Automatic, "automatic"), (StationKind::Periodic, "periodic")]);
        assert_eq!(StationKind::Automatic.name(Lang::Vi), "Quan trắc tự động liên tục");
        assert_eq!(StationKind::Periodic.name(Lang::Vi), "Quan trắc định kỳ");
    }

    #[test]
    fn codes_are_short_and_plain() {
        for code in ["DN-HAICHAU_01", "QN.05", "a", "A1", &"x".repeat(32)] {
            assert_eq!(StationCode::parse("station", code).unwrap().as_str(), code);
        }
        let refused = |raw: &str| StationCode::parse("station", raw).unwrap_err();
        assert_eq!(refused(""), Invalid::new("station", Reason::Required));
        assert_eq!(refused(&"x".repeat(33)), Invalid::new("station", Reason::TooLong { max: 32 }));
        for raw in [" DN01", "DN01 ", "DN 01", "DN/01", "Hải-Châu", "DN01\n", "ĐN01"] {
            let invalid = refused(raw);
            assert_eq!(invalid.field, "station", "{raw:?}");
            assert_eq!(invalid.reason.code(), "format", "{raw:?}");
        }
    }
}

//! Warnings to the people of an area (cảnh báo): storms and floods, water and power cuts, scams,
//! bad air. What one says, how severe it is, when it is in force, and what its subscribers are
//! told when it is issued, changed or called off.

use crate::dossier::Notice;
use crate::push::NotificationKind;
use crate::validation::{clean_text, Invalid, Reason};
use crate::word::impl_word;
use chrono::{Duration, NaiveDateTime};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WarningKind {
    /// Storms, typhoons, landslides: thiên tai.
    Disaster,
    Flood,
    Traffic,
    PowerCut,
    WaterCut,
    Scam,
    /// Issued by the server itself when a station's air turns bad.
    AirQuality,
    Other,
}

impl_word!(WarningKind {
    Disaster => "disaster",
    Flood => "flood",
    Traffic => "traffic",
    PowerCut => "power_cut",
    WaterCut => "water_cut",
    Scam => "scam",
    AirQuality => "air_quality",
    Other => "other",
});

impl WarningKind {
    pub fn label_vi(self) -> &'static str {
        match self {
            WarningKind::Disaster => "Thời tiết, thiên tai",
            WarningKind::Flood => "Ngập lụt",
            WarningKind::Traffic => "Giao thông",
            WarningKind::PowerCut => "Cắt điện",
            WarningKind::WaterCut => "Cắt nước",
            WarningKind::Scam => "Lừa đảo",
            WarningKind::AirQuality => "Chất lượng không khí",
            WarningKind::Other => "Khác",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            WarningKind::Disaster => "Weather and disaster",
            WarningKind::Flood => "Flooding",
            WarningKind::Traffic => "Traffic",
            WarningKind::PowerCut => "Power cut",
            WarningKind::WaterCut => "Water cut",
            WarningKind::Scam => "Scam",
            WarningKind::AirQuality => "Air quality",
            WarningKind::Other => "Other",
        }
    }
}

/// The Common Alerting Protocol's severities (minor to extreme), which warning systems and the
/// people who write warnings already know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Minor,
    Moderate,
    Severe,
    Extreme,
}

impl_word!(Severity {
    Minor => "minor",
    Moderate => "moderate",
    Severe => "severe",
    Extreme => "extreme",
});

impl Severity {
    /// Severe and extreme warnings also go by SMS, to subscribers without the app open.
    pub fn texted(self) -> bool {
        self >= Severity::Severe
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Severity::Minor => "Lưu ý",
            Severity::Moderate => "Cảnh báo",
            Severity::Severe => "Cảnh báo khẩn",
            Severity::Extreme => "Khẩn cấp",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Severity::Minor => "Notice",
            Severity::Moderate => "Warning",
            Severity::Severe => "Urgent warning",
            Severity::Extreme => "Emergency",
        }
    }
}

/// Where a warning stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningState {
    /// Issued ahead of its start (a water cut announced the day before).
    Scheduled,
    InForce,
    Ended,
    Cancelled,
}

impl_word!(WarningState {
    Scheduled => "scheduled",
    InForce => "in_force",
    Ended => "ended",
    Cancelled => "cancelled",
});

impl WarningState {
    pub fn at(
        valid_from: NaiveDateTime,
        valid_until: NaiveDateTime,
        cancelled: bool,
        now: NaiveDateTime,
    ) -> WarningState {
        if cancelled {
            WarningState::Cancelled
        } else if now < valid_from {
            WarningState::Scheduled
        } else if now < valid_until {
            WarningState::InForce
        } else {
            WarningState::Ended
        }
    }
}

/// What happened to a warning, as its subscribers hear of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningChange {
    Issued,
    Updated,
    Cancelled,
}

impl_word!(WarningChange {
    Issued => "issued",
    Updated => "updated",
    Cancelled => "cancelled",
});

pub const TITLE_MAX: usize = 120;
pub const BODY_MAX: usize = 2000;
/// The longest a warning may stay in force; a lasting situation is re-issued, so that what
/// residents see stays current.
pub const LONGEST_VALIDITY_DAYS: i64 = 31;

/// A warning's words: Vietnamese always, English when the author wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct WarningText {
    pub title_vi: String,
    pub body_vi: String,
    pub title_en: Option<String>,
    pub body_en: Option<String>,
}

impl WarningText {
    pub fn parse(
        title_vi: &str,
        body_vi: &str,
        title_en: Option<&str>,
        body_en: Option<&str>,
    ) -> Result<WarningText, Invalid> {
        let optional = |field: &str, raw: Option<&str>, max: usize, multiline: bool| match raw
            .map(str::trim)
            .filter(|text| !text.is_empty())
        {
            Some(text) => clean_text(field, text, 1, max, multiline).map(Some),
            None => Ok(None),
        };
        let text = WarningText {
            title_vi: clean_text("title_vi", title_vi, 1, TITLE_MAX, false)?,
            body_vi: clean_text("body_vi", body_vi, 1, BODY_MAX, true)?,
            title_en: optional("title_en", title_en, TITLE_MAX, false)?,
            body_en: optional("body_en", body_en, BODY_MAX, true)?,
        };
        // Half a translation would show an English title over Vietnamese text.
        match (&text.title_en, &text.body_en) {
            (Some(_), None) => Err(Invalid::new("body_en", Reason::Required)),
            (None, Some(_)) => Err(Invalid::new("title_en", Reason::Required)),
            _ => Ok(text),
        }
    }
}

/// When a warning is in force: from `from` (inclusive) to `until` (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    pub from: NaiveDateTime,
    pub until: NaiveDateTime,
}

impl Validity {
    /// Times in UTC. A new or changed warning must still be in force after `now`.
    pub fn parse(
        from: NaiveDateTime,
        until: NaiveDateTime,
        now: NaiveDateTime,
    ) -> Result<Validity, Invalid> {
        let out_of_range = || {
            Invalid::new("valid_until", Reason::OutOfRange { min: 1, max: LONGEST_VALIDITY_DAYS })
        };
        if until <= from || until <= now {
            return Err(Invalid::new(
                "valid_until",
                Reason::Format {
                    expected_vi: "một thời điểm sau valid_from và sau bây giờ",
                    expected_en: "a time after valid_from and after now",
                },
            ));
        }
        if until - from > Duration::days(LONGEST_VALIDITY_DAYS) {
            return Err(out_of_range());
        }
        Ok(Validity { from, until })
    }
}

/// Why a resident wants to hear about an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AreaLabel {
    Home,
    Work,
    Family,
    Other,
}

impl_word!(AreaLabel {
    Home => "home",
    Work => "work",
    Family => "family",
    Other => "other",
});

/// How many areas one person may follow: enough for home, work and a few relatives, few enough
/// that one person cannot make every warning of the city fan out to them many times.
pub const MAX_AREAS_PER_PERSON: usize = 10;

/// The words a message about a change starts with, in Vietnamese and English: the severity of
/// a new warning, or what became of one.
pub fn change_label(change: WarningChange, severity: Severity) -> (&'static str, &'static str) {
    match change {
        WarningChange::Issued => (severity.label_vi(), severity.label_en()),
        WarningChange::Updated => ("Cập nhật", "Update"),
        WarningChange::Cancelled => ("Đã hủy", "Called off"),
    }
}

/// What a subscriber's inbox and phone show when a warning is issued, changed or called off.
pub fn notice(
    warning_id: &str,
    change: WarningChange,
    kind: WarningKind,
    severity: Severity,
    text: &WarningText,
) -> Notice {
    let (prefix_vi, prefix_en) = change_label(change, severity);
    let title_en = text.title_en.as_deref().unwrap_or(&text.title_vi);
    let body_en = text.body_en.as_deref().unwrap_or(&text.body_vi);
    let (body_vi, body_en) = match change {
        WarningChange::Cancelled => (
            format!("Cảnh báo \"{}\" đã được hủy bỏ.", text.title_vi),
            format!("The warning \"{title_en}\" has been called off."),
        ),
        WarningChange::Issued | WarningChange::Updated => {
            (text.body_vi.clone(), body_en.to_string())
        }
    };
    let data = BTreeMap::from([
        ("warning_id", warning_id.to_string()),
        ("change", change.as_str().to_string()),
        ("warning_kind", kind.as_str().to_string()),
        ("severity", severity.as_str().to_string()),
    ]);
    Notice {
        kind: NotificationKind::Warning,
        title_vi: format!("{prefix_vi}: {}", text.title_vi),
        body_vi,
        title_en: format!("{prefix_en}: {title_en}"),
        body_en,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::word::assert_words;
    use chrono::NaiveDate;

    fn at(hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap().and_hms_opt(hour, 0, 0).unwrap()
    }

    #[test]
    fn words_are_pinned() {
        assert_words(&[
            (WarningKind::Disaster, "disaster"),
            (WarningKind::Flood, "flood"),
            (WarningKind::Traffic, "traffic"),
            (WarningKind::PowerCut, "power_cut"),
            (WarningKind::WaterCut, "water_cut"),
            (WarningKind::Scam, "scam"),
            (WarningKind::AirQuality, "air_quality"),
            (WarningKind::Other, "other"),
        ]);
        assert_words(&[
            (Severity::Minor, "minor"),
            (Severity::Moderate, "moderate"),
            (Severity::Severe, "severe"),
            (Severity::Extreme, "extreme"),
        ]);
        assert_words(&[
            (AreaLabel::Home, "home"),
            (AreaLabel::Work, "work"),
            (AreaLabel::Family, "family"),
            (AreaLabel::Other, "other"),
        ]);
    }

    #[test]
    fn only_severe_and_extreme_warnings_are_texted() {
        let texted: Vec<_> = Severity::ALL.iter().filter(|s| s.texted()).collect();
        assert_eq!(texted, [&Severity::Severe, &Severity::Extreme]);
    }

    #[test]
    fn state_follows_the_clock_and_a_cancel() {
        assert_eq!(WarningState::at(at(8), at(10), false, at(7)), WarningState::Scheduled);
        assert_eq!(WarningState::at(at(8), at(10), false, at(8)), WarningState::InForce);
        assert_eq!(WarningState::at(at(8), at(10), false, at(10)), WarningState::Ended);
        assert_eq!(WarningState::at(at(8), at(10), true, at(9)), WarningState::Cancelled);
    }

    #[test]
    fn validity_must_end_after_it_starts_and_after_now_within_a_month() {
        assert!(Validity::parse(at(8), at(10), at(9)).is_ok());
        assert_eq!(Validity::parse(at(10), at(8), at(7)).unwrap_err().field, "valid_until");
        assert_eq!(Validity::parse(at(1), at(2), at(3)).unwrap_err().field, "valid_until");
        let long = at(8) + Duration::days(LONGEST_VALIDITY_DAYS) + Duration::seconds(1);
        assert!(Validity::parse(at(8), long, at(7)).is_err());
        assert!(Validity::parse(at(8), long - Duration::seconds(1), at(7)).is_ok());
    }

    #[test]
    fn text_needs_vietnamese_and_a_whole_translation_or_none() {
        let text = WarningText::parse(" Mất nước ", "Khu vực A mất nước", None, Some(" ")).unwrap();
        assert_eq!(text.title_vi, "Mất nước");
        assert_eq!(text.body_en, None);
        assert_eq!(WarningText::parse("", "x", None, None).unwrap_err().field, "title_vi");
        let half = WarningText::parse("t", "b", Some("Water cut"), None).unwrap_err();
        assert_eq!(half.field, "body_en");
        let long = "x".repeat(TITLE_MAX + 1);
        assert_eq!(WarningText::parse(&long, "b", None, None).unwrap_err().field, "title_vi");
    }

    #[test]
    fn notices_say_what_changed_and_fall_back_to_vietnamese() {
        let text = WarningText::parse("Bão số 9", "Gió mạnh cấp 12", None, None).unwrap();
        let issued =
            notice("w1", WarningChange::Issued, WarningKind::Disaster, Severity::Extreme, &text);
        assert_eq!(issued.title_vi, "Khẩn cấp: Bão số 9");
        assert_eq!(issued.title_en, "Emergency: Bão số 9");
        assert_eq!(issued.data["warning_id"], "w1");
        assert_eq!(issued.data["change"], "issued");
        let cancelled =
            notice("w1", WarningChange::Cancelled, WarningKind::Disaster, Severity::Extreme, &text);
        assert_eq!(cancelled.title_vi, "Đã hủy: Bão số 9");
        assert!(cancelled.body_vi.contains("đã được hủy bỏ"));
    }
}

//! Bad air as a warning to the residents around a station: how severe, and what it says.

use super::AqiLevel;
use crate::warning::{Severity, WarningText};
use crate::Lang;

impl AqiLevel {
    /// The severity of the warning a station entering this level sends; None below `Bad`.
    pub fn warning_severity(self) -> Option<Severity> {
        match self {
            AqiLevel::Good | AqiLevel::Moderate | AqiLevel::Poor => None,
            AqiLevel::Bad => Some(Severity::Moderate),
            AqiLevel::VeryBad => Some(Severity::Severe),
            AqiLevel::Hazardous => Some(Severity::Extreme),
        }
    }
}

/// The words of an air quality warning: the level and value at the station, and the
/// decision's advice for everyone and for sensitive groups.
pub fn warning_text(station_name: &str, aqi: u16) -> WarningText {
    let level = AqiLevel::of(aqi);
    WarningText {
        title_vi: format!("Không khí {} tại {station_name} (AQI {aqi})", level.name(Lang::Vi)),
        body_vi: format!(
            "Chỉ số chất lượng không khí (VN_AQI) tại trạm quan trắc {station_name} là {aqi}, \
             mức {}. Người bình thường: {}. Nhóm nhạy cảm (trẻ em, người cao tuổi, người có bệnh \
             hô hấp, tim mạch): {}.",
            level.name(Lang::Vi),
            level.advice_for_everyone(Lang::Vi),
            level.advice_for_sensitive(Lang::Vi),
        ),
        title_en: Some(format!("{} air at {station_name} (AQI {aqi})", level.name(Lang::En))),
        body_en: Some(format!(
            "The air quality index (VN_AQI) at the {station_name} monitoring station is {aqi}, \
             level \"{}\". Everyone: {}. Sensitive groups (children, older people, people with \
             respiratory or heart disease): {}.",
            level.name(Lang::En),
            level.advice_for_everyone(Lang::En),
            level.advice_for_sensitive(Lang::En),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_warning_starts_at_bad_and_grows_more_severe() {
        assert_eq!(AqiLevel::of(150).warning_severity(), None);
        assert_eq!(AqiLevel::of(151).warning_severity(), Some(Severity::Moderate));
        assert_eq!(AqiLevel::of(201).warning_severity(), Some(Severity::Severe));
        assert_eq!(AqiLevel::of(301).warning_severity(), Some(Severity::Extreme));
    }

    #[test]
    fn the_text_fits_a_warning_and_carries_the_advice() {
        let text = warning_text("Trạm Hải Châu", 172);
        assert_eq!(text.title_vi, "Không khí Xấu tại Trạm Hải Châu (AQI 172)");
        assert!(text.body_vi.contains(AqiLevel::Bad.advice_for_sensitive(Lang::Vi)));
        let checked = WarningText::parse(
            &text.title_vi,
            &text.body_vi,
            text.title_en.as_deref(),
            text.body_en.as_deref(),
        )
        .unwrap();
        assert_eq!(checked, text, "within the bounds any warning keeps");
    }
}

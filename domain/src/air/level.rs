//! The six levels of the VN_AQI, their colours and the decision's advice.

use crate::word::impl_word;
use crate::Lang;
use std::ops::RangeInclusive;

/// Where an AQI value stands on the scale of Decision 1459/QĐ-TCMT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AqiLevel {
    Good,
    Moderate,
    Poor,
    Bad,
    VeryBad,
    Hazardous,
}

impl_word!(AqiLevel {
    Good => "good",
    Moderate => "moderate",
    Poor => "poor",
    Bad => "bad",
    VeryBad => "very_bad",
    Hazardous => "hazardous",
});

impl AqiLevel {
    /// The level of an AQI value; past 500, where the scale ends, still `Hazardous`.
    pub fn of(aqi: u16) -> AqiLevel {
        AqiLevel::ALL
            .into_iter()
            .find(|level| aqi <= *level.range().end())
            .unwrap_or(AqiLevel::Hazardous)
    }

    /// The AQI values of the level.
    pub fn range(self) -> RangeInclusive<u16> {
        match self {
            AqiLevel::Good => 0..=50,
            AqiLevel::Moderate => 51..=100,
            AqiLevel::Poor => 101..=150,
            AqiLevel::Bad => 151..=200,
            AqiLevel::VeryBad => 201..=300,
            AqiLevel::Hazardous => 301..=500,
        }
    }

    /// Whether residents near a station are warned when it enters the level: from `Bad` up,
    /// where the decision's advice turns to everyone, not only the sensitive.
    pub fn is_warning(self) -> bool {
        self >= AqiLevel::Bad
    }

    /// The colour's name, as a word for styles and legends.
    pub fn colour(self) -> &'static str {
        match self {
            AqiLevel::Good => "green",
            AqiLevel::Moderate => "yellow",
            AqiLevel::Poor => "orange",
            AqiLevel::Bad => "red",
            AqiLevel::VeryBad => "purple",
            AqiLevel::Hazardous => "maroon",
        }
    }

    /// The colour as `#rrggbb`: the decision's RGB values.
    pub fn hex(self) -> &'static str {
        match self {
            AqiLevel::Good => "#00e400",
            AqiLevel::Moderate => "#ffff00",
            AqiLevel::Poor => "#ff7e00",
            AqiLevel::Bad => "#ff0000",
            AqiLevel::VeryBad => "#8f3f97",
            AqiLevel::Hazardous => "#7e0023",
        }
    }

    /// What the decision calls the air at this level.
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (AqiLevel::Good, Lang::Vi) => "Tốt",
            (AqiLevel::Good, Lang::En) => "Good",
            (AqiLevel::Moderate, Lang::Vi) => "Trung bình",
            (AqiLevel::Moderate, Lang::En) => "Moderate",
            (AqiLevel::Poor, Lang::Vi) => "Kém",
            (AqiLevel::Poor, Lang::En) => "Poor",
            (AqiLevel::Bad, Lang::Vi) => "Xấu",
            (AqiLevel::Bad, Lang::En) => "Bad",
            (AqiLevel::VeryBad, Lang::Vi) => "Rất xấu",
            (AqiLevel::VeryBad, Lang::En) => "Very bad",
            (AqiLevel::Hazardous, Lang::Vi) => "Nguy hại",
            (AqiLevel::Hazardous, Lang::En) => "Hazardous",
        }
    }

    /// The decision's advice to everyone (người bình thường).
    pub fn advice_for_everyone(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (AqiLevel::Good | AqiLevel::Moderate, Lang::Vi) => OUTDOORS_FREELY_VI,
            (AqiLevel::Good | AqiLevel::Moderate, Lang::En) => OUTDOORS_FREELY_EN,
            (AqiLevel::Poor, Lang::Vi) => {
                "Những người thấy có triệu chứng đau mắt, ho hoặc đau họng… nên cân nhắc giảm \
                 các hoạt động ngoài trời"
            }
            (AqiLevel::Poor, Lang::En) => {
                "Those who notice symptoms such as sore eyes, a cough or a sore throat… should \
                 consider reducing outdoor activities"
            }
            (AqiLevel::Bad, Lang::Vi) => {
                "Mọi người nên giảm các hoạt động mạnh khi ở ngoài trời, tránh tập thể dục kéo dài \
                 và nghỉ ngơi nhiều hơn trong nhà"
            }
            (AqiLevel::Bad, Lang::En) => {
                "Everyone should reduce strenuous activities outdoors, avoid prolonged exercise \
                 and rest more indoors"
            }
            (AqiLevel::VeryBad, Lang::Vi) => {
                "Mọi người hạn chế tối đa các hoạt động ngoài trời và chuyển tất cả các hoạt động \
                 vào trong nhà. Nếu cần thiết phải ra ngoài, hãy đeo khẩu trang đạt tiêu chuẩn"
            }
            (AqiLevel::VeryBad, Lang::En) => {
                "Everyone should keep outdoor activities to a minimum and move all activities \
                 indoors. If you must go out, wear a mask that meets the standard"
            }
            (AqiLevel::Hazardous, Lang::Vi) => STAY_INDOORS_VI,
            (AqiLevel::Hazardous, Lang::En) => STAY_INDOORS_EN,
        }
    }

    /// The decision's advice to sensitive groups (nhóm nhạy cảm): children, older people and
    /// people with respiratory illness.
    pub fn advice_for_sensitive(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (AqiLevel::Good, Lang::Vi) => OUTDOORS_FREELY_VI,
            (AqiLevel::Good, Lang::En) => OUTDOORS_FREELY_EN,
            (AqiLevel::Moderate, Lang::Vi) => {
                "Nên theo dõi các triệu chứng như ho hoặc khó thở, nhưng vẫn có thể hoạt động bên \
                 ngoài"
            }
            (AqiLevel::Moderate, Lang::En) => {
                "Watch for symptoms such as coughing or shortness of breath, but outdoor \
                 activities may continue"
            }
            (AqiLevel::Poor, Lang::Vi) => {
                "Nên giảm các hoạt động mạnh và giảm thời gian hoạt động ngoài trời. Những người \
                 mắc bệnh hen suyễn có thể cần sử dụng thuốc thường xuyên hơn"
            }
            (AqiLevel::Poor, Lang::En) => {
                "Reduce strenuous activities and time spent outdoors. People with asthma may need \
                 to use their medication more often"
            }
            (AqiLevel::Bad, Lang::Vi) => {
                "Nên ở trong nhà và giảm hoạt động mạnh. Nếu cần thiết phải ra ngoài, hãy đeo \
                 khẩu trang đạt tiêu chuẩn"
            }
            (AqiLevel::Bad, Lang::En) => {
                "Stay indoors and reduce strenuous activities. If you must go out, wear a mask \
                 that meets the standard"
            }
            (AqiLevel::VeryBad, Lang::Vi) => "Tránh tất cả các hoạt động ngoài trời",
            (AqiLevel::VeryBad, Lang::En) => "Avoid all outdoor activities",
            (AqiLevel::Hazardous, Lang::Vi) => STAY_INDOORS_VI,
            (AqiLevel::Hazardous, Lang::En) => STAY_INDOORS_EN,
        }
    }
}

// Advice the decision gives in the same words more than once.
const OUTDOORS_FREELY_VI: &str = "Tự do thực hiện các hoạt động ngoài trời";
const OUTDOORS_FREELY_EN: &str = "Outdoor activities may be carried out freely";
const STAY_INDOORS_VI: &str = "Mọi người nên ở trong nhà, đóng cửa ra vào và cửa sổ. Nếu cần \
                               thiết phải ra ngoài, hãy đeo khẩu trang đạt tiêu chuẩn";
const STAY_INDOORS_EN: &str = "Everyone should stay indoors and keep doors and windows closed. \
                               If you must go out, wear a mask that meets the standard";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::word::assert_words;

    #[test]
    fn levels_are_stored_as_these_words() {
        use AqiLevel as L;
        assert_words(&[
            (L::Good, "good"),
            (L::Moderate, "moderate"),
            (L::Poor, "poor"),
            (L::Bad, "bad"),
            (L::VeryBad, "very_bad"),
            (L::Hazardous, "hazardous"),
        ]);
    }

    #[test]
    fn levels_change_at_the_decisions_edges() {
        use AqiLevel as L;
        for (aqi, level) in [
            (0, L::Good),
            (50, L::Good),
            (51, L::Moderate),
            (100, L::Moderate),
            (101, L::Poor),
            (150, L::Poor),
            (151, L::Bad),
            (200, L::Bad),
            (201, L::VeryBad),
            (300, L::VeryBad),
            (301, L::Hazardous),
            (500, L::Hazardous),
            (u16::MAX, L::Hazardous),
        ] {
            assert_eq!(AqiLevel::of(aqi), level, "{aqi}");
        }
        // The ranges tile 0–500 with neither gap nor overlap.
        let mut next = 0;
        for level in AqiLevel::ALL {
            assert_eq!(*level.range().start(), next, "{level:?}");
            next = level.range().end() + 1;
        }
        assert_eq!(next, 501);
    }

    #[test]
    fn warnings_start_at_bad() {
        let warned: Vec<AqiLevel> = AqiLevel::ALL.into_iter().filter(|l| l.is_warning()).collect();
        assert_eq!(warned, [AqiLevel::Bad, AqiLevel::VeryBad, AqiLevel::Hazardous]);
        assert!(!AqiLevel::of(150).is_warning() && AqiLevel::of(151).is_warning());
    }

    #[test]
    fn colours_names_and_advice() {
        let colours: Vec<(&str, &str)> =
            AqiLevel::ALL.into_iter().map(|level| (level.colour(), level.hex())).collect();
        assert_eq!(
            colours,
            [
                ("green", "#00e400"),
                ("yellow", "#ffff00"),
                ("orange", "#ff7e00"),
                ("red", "#ff0000"),
                ("purple", "#8f3f97"),
                ("maroon", "#7e0023"),
            ]
        );
        let names: Vec<&str> = AqiLevel::ALL.into_iter().map(|l| l.name(Lang::Vi)).collect();
        assert_eq!(names, ["Tốt", "Trung bình", "Kém", "Xấu", "Rất xấu", "Nguy hại"]);
        assert_eq!(AqiLevel::VeryBad.name(Lang::En), "Very bad");
        assert_eq!(
            AqiLevel::Moderate.advice_for_everyone(Lang::Vi),
            AqiLevel::Good.advice_for_sensitive(Lang::Vi)
        );
        assert_eq!(
            AqiLevel::Hazardous.advice_for_everyone(Lang::Vi),
            "Mọi người nên ở trong nhà, đóng cửa ra vào và cửa sổ. Nếu cần thiết phải ra ngoài, \
             hãy đeo khẩu trang đạt tiêu chuẩn"
        );
        assert_eq!(
            AqiLevel::VeryBad.advice_for_sensitive(Lang::Vi),
            "Tránh tất cả các hoạt động ngoài trời"
        );
        for level in AqiLevel::ALL {
            for lang in [Lang::Vi, Lang::En] {
                for advice in [level.advice_for_everyone(lang), level.advice_for_sensitive(lang)] {
                    assert!(!advice.contains("  "), "no stray spaces from a line break: {advice}");
                }
            }
        }
    }
}

//! The two languages people read: Vietnamese first, English second.

use crate::word::impl_word;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl_word!(Lang {
    Vi => "vi",
    En => "en",
});

impl Lang {
    /// The language tag (`Content-Language`, a device's stored language).
    pub fn tag(self) -> &'static str {
        self.as_str()
    }

    /// Picks from an `Accept-Language` header by quality; Vietnamese when absent or when
    /// neither language is named.
    pub fn negotiate(accept_language: Option<&str>) -> Lang {
        let Some(header) = accept_language else {
            return Lang::Vi;
        };
        let mut best: Option<(f32, Lang)> = None;
        for item in header.split(',') {
            let mut parts = item.trim().split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary {
                "vi" => Lang::Vi,
                "en" => Lang::En,
                _ => continue,
            };
            if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang).unwrap_or(Lang::Vi)
    }
}

/// A text in both languages; in JSON `{"vi": …, "en": …}` and nothing else.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bilingual {
    pub vi: String,
    pub en: String,
}

impl Bilingual {
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> Self {
        Bilingual { vi: vi.into(), en: en.into() }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_stored_as_their_tags() {
        crate::word::assert_words(&[(Lang::Vi, "vi"), (Lang::En, "en")]);
    }

    #[test]
    fn negotiates_by_quality_with_vietnamese_default() {
        assert_eq!(Lang::negotiate(None), Lang::Vi);
        assert_eq!(Lang::negotiate(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(Some("fr, en;q=0.5, vi;q=0.8")), Lang::Vi);
        assert_eq!(Lang::negotiate(Some("de")), Lang::Vi);
        assert_eq!(Lang::negotiate(Some("vi;q=0, en")), Lang::En);
    }

    #[test]
    fn bilingual_is_vi_and_en_in_json_and_nothing_else() {
        let text = Bilingual::new("Ổ gà", String::from("Pothole"));
        assert_eq!((text.get(Lang::Vi), text.get(Lang::En)), ("Ổ gà", "Pothole"));
        let json = serde_json::json!({"vi": "Ổ gà", "en": "Pothole"});
        assert_eq!(serde_json::to_value(&text).unwrap(), json);
        assert_eq!(serde_json::from_value::<Bilingual>(json).unwrap(), text);
        let extra = serde_json::json!({"vi": "a", "en": "b", "fr": "c"});
        assert!(serde_json::from_value::<Bilingual>(extra).is_err());
        assert!(serde_json::from_value::<Bilingual>(serde_json::json!({"vi": "a"})).is_err());
    }
}

//! The one shape of "this input breaks a rule": which field, and why, in words a citizen reads.

use crate::Lang;

/// Why a value was refused. Each reason has a stable machine code and a sentence in each language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    Required,
    TooShort { min: usize },
    TooLong { max: usize },
    OutOfRange { min: i64, max: i64 },
    ControlCharacters,
    PhoneFormat,
    WeakPassword { hint_vi: String, hint_en: String },
    OneOf { allowed: &'static [&'static str] },
    Format { expected_vi: &'static str, expected_en: &'static str },
    DateFormat(DateForm),
}

impl Reason {
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Required => "required",
            Reason::TooShort { .. } => "too_short",
            Reason::TooLong { .. } => "too_long",
            Reason::OutOfRange { .. } => "out_of_range",
            Reason::ControlCharacters => "control_characters",
            Reason::PhoneFormat => "phone_format",
            Reason::WeakPassword { .. } => "weak_password",
            Reason::OneOf { .. } => "not_allowed_value",
            Reason::Format { .. } => "format",
            Reason::DateFormat(_) => "date_format",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Reason::Required, Lang::Vi) => "bắt buộc phải có".into(),
            (Reason::Required, Lang::En) => "is required".into(),
            (Reason::TooShort { min }, Lang::Vi) => format!("phải có ít nhất {min} ký tự"),
            (Reason::TooShort { min }, Lang::En) => format!("must have at least {min} characters"),
            (Reason::TooLong { max }, Lang::Vi) => format!("không được quá {max} ký tự"),
            (Reason::TooLong { max }, Lang::En) => format!("must have at most {max} characters"),
            (Reason::OutOfRange { min, max }, Lang::Vi) => format!("phải trong khoảng {min}–{max}"),
            (Reason::OutOfRange { min, max }, Lang::En) => {
                format!("must be between {min} and {max}")
            }
            (Reason::ControlCharacters, Lang::Vi) => "chứa ký tự điều khiển không hợp lệ".into(),
            (Reason::ControlCharacters, Lang::En) => "contains control characters".into(),
            (Reason::PhoneFormat, Lang::Vi) => {
                "không phải số điện thoại di động Việt Nam (ví dụ 0912 345 678)".into()
            }
            (Reason::PhoneFormat, Lang::En) => {
                "is not a Vietnamese mobile number (for example 0912 345 678)".into()
            }
            (Reason::WeakPassword { hint_vi, .. }, Lang::Vi) => {
                format!("mật khẩu quá dễ đoán. {hint_vi}")
            }
            (Reason::WeakPassword { hint_en, .. }, Lang::En) => {
                format!("password is too easy to guess. {hint_en}")
            }
            (Reason::OneOf { allowed }, Lang::Vi) => {
                format!("phải là một trong: {}", allowed.join(", "))
            }
            (Reason::OneOf { allowed }, Lang::En) => {
                format!("must be one of: {}", allowed.join(", "))
            }
            (Reason::Format { expected_vi, .. }, Lang::Vi) => {
                format!("sai định dạng: {expected_vi}")
            }
            (Reason::Format { expected_en, .. }, Lang::En) => {
                format!("has the wrong format: {expected_en}")
            }
            (Reason::DateFormat(form), Lang::Vi) => format!("phải là {}", form.described(lang)),
            (Reason::DateFormat(form), Lang::En) => format!("must be {}", form.described(lang)),
        }
    }
}

/// A refused input: the field (a JSON path such as `procedures[3].fee_vnd`) and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub reason: Reason,
}

impl Invalid {
    pub fn new(field: impl Into<String>, reason: Reason) -> Self {
        Invalid { field: field.into(), reason }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason.message(Lang::En))
    }
}

impl std::error::Error for Invalid {}

/// Characters that change how text around them reads without showing themselves: the
/// direction overrides, embeddings, isolates and marks (U+202E makes a name read backwards, so
/// a citizen's name can pass for an agency's), zero-width spaces and joiners, the word joiner,
/// invisible operators and the byte-order mark. Vietnamese needs none of them.
pub(crate) const INVISIBLE: [char; 22] = [
    '\u{061C}', '\u{180E}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{200E}', '\u{200F}', '\u{202A}',
    '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2060}', '\u{2061}', '\u{2062}', '\u{2063}',
    '\u{2064}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{FEFF}',
];

/// Free text as it is stored: the invisible characters above removed, composed (NFC, so the
/// same words typed on different keyboards are stored one way: "ễ" as one character, not "e"
/// and two marks), trimmed, of bounded length (counted after all that), and without control
/// characters (newlines allowed when `multiline`).
pub fn clean_text(
    field: &str,
    raw: &str,
    min: usize,
    max: usize,
    multiline: bool,
) -> Result<String, Invalid> {
    use unicode_normalization::UnicodeNormalization;
    let visible: String = raw.chars().filter(|c| !INVISIBLE.contains(c)).nfc().collect();
    let text = visible.trim();
    let count = text.chars().count();
    if count == 0 && min > 0 {
        return Err(Invalid::new(field, Reason::Required));
    }
    if count < min {
        return Err(Invalid::new(field, Reason::TooShort { min }));
    }
    if count > max {
        return Err(Invalid::new(field, Reason::TooLong { max }));
    }
    let allowed_control = |c: char| multiline && (c == '\n' || c == '\r' || c == '\t');
    if text.chars().any(|c| c.is_control() && !allowed_control(c)) {
        return Err(Invalid::new(field, Reason::ControlCharacters));
    }
    Ok(text.to_string())
}

/// The form a date was expected in; a refusal names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateForm {
    DateTime,
    Date,
    Month,
}

impl DateForm {
    /// The form with an example, as a noun phrase.
    pub fn described(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (DateForm::DateTime, Lang::Vi) => {
                "ngày giờ RFC 3339 có múi giờ, ví dụ 2026-11-20T08:30:00+07:00"
            }
            (DateForm::DateTime, Lang::En) => {
                "an RFC 3339 date-time with its offset, e.g. 2026-11-20T08:30:00+07:00"
            }
            (DateForm::Date, Lang::Vi) => "ngày dạng YYYY-MM-DD, ví dụ 2026-11-20",
            (DateForm::Date, Lang::En) => "a date, YYYY-MM-DD, e.g. 2026-11-20",
            (DateForm::Month, Lang::Vi) => "tháng dạng YYYY-MM, ví dụ 2026-11",
            (DateForm::Month, Lang::En) => "a month, YYYY-MM, e.g. 2026-11",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_trims_and_bounds() {
        assert_eq!(clean_text("name", "  An  ", 1, 10, false).unwrap(), "An");
        assert_eq!(clean_text("name", "   ", 1, 10, false).unwrap_err().reason, Reason::Required);
        assert_eq!(
            clean_text("name", "Nguyễn Văn An", 1, 5, false).unwrap_err().reason,
            Reason::TooLong { max: 5 }
        );
        assert_eq!(
            clean_text("name", "a\u{0}b", 1, 5, false).unwrap_err().reason,
            Reason::ControlCharacters
        );
        assert!(clean_text("note", "a\nb", 1, 5, true).is_ok());
    }

    #[test]
    fn clean_text_drops_what_reads_differently_than_it_shows_and_composes_the_rest() {
        // "UBND phường" written backwards behind a right-to-left override.
        let spoof = "An \u{202E}gnờưhp DNBU\u{202C}";
        assert_eq!(clean_text("name", spoof, 1, 100, false).unwrap(), "An gnờưhp DNBU");
        assert_eq!(clean_text("name", "\u{FEFF}An\u{200B}h", 1, 10, false).unwrap(), "Anh");
        assert_eq!(
            clean_text("name", "\u{2067}Bình\u{2069}\u{200F}", 1, 10, false).unwrap(),
            "Bình"
        );
        // Decomposed (e, circumflex, tilde) and precomposed "ễ" are stored alike, and counted
        // as one character.
        let decomposed = "Nguye\u{0302}\u{0303}n";
        assert_eq!(clean_text("name", decomposed, 1, 6, false).unwrap(), "Nguyễn");
        assert_eq!(clean_text("name", "Nguyễn", 1, 6, false).unwrap(), "Nguyễn");
        // Nothing visible is nothing.
        assert_eq!(
            clean_text("name", "\u{200B}\u{FEFF} ", 1, 10, false).unwrap_err().reason,
            Reason::Required
        );
    }
}

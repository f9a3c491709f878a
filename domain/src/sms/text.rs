//! What an SMS body costs: its alphabet (GSM 03.38's 7-bit default alphabet or UCS-2) and how
//! many segments it is sent as. Providers bill per segment.

use crate::text::strip_diacritics;
use crate::validation::INVISIBLE;
use crate::word::impl_word;
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmsEncoding {
    /// GSM 03.38 default alphabet: 160 septets in one segment, 153 a part when concatenated.
    Gsm7,
    /// UTF-16 code units: 70 in one segment, 67 a part when concatenated.
    Ucs2,
}

impl_word!(SmsEncoding {
    Gsm7 => "gsm7",
    Ucs2 => "ucs2",
});

/// How the operator has the messages written (configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TextMode {
    /// Vietnamese without diacritics, always GSM-7: more than twice as much text a segment.
    #[default]
    Unaccented,
    /// With diacritics, as UCS-2 (GSM-7 when the text happens to fit that alphabet).
    Unicode,
}

impl_word!(TextMode {
    Unaccented => "unaccented",
    Unicode => "unicode",
});

/// The default alphabet, but for the escape (0x1B) that leads into the extension table.
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                          ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The extension table: each is sent as the escape and itself, two septets.
const GSM7_EXTENSION: &str = "\u{0C}^{}\\[~]|€";

/// Septets `c` takes in GSM-7, or None outside the alphabet.
fn septets(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Whether every character of `text` is in the GSM 03.38 default alphabet or its extension.
pub fn is_gsm7(text: &str) -> bool {
    text.chars().all(|c| septets(c).is_some())
}

/// Septets `text` takes in GSM-7 (extension characters two each), or None if it does not fit.
pub fn gsm7_septets(text: &str) -> Option<usize> {
    text.chars().map(septets).sum()
}

/// `text` in the GSM-7 alphabet: Vietnamese without its diacritics (`đ` → `d`), typographic
/// quotes, dashes, ellipses and spaces as their ASCII kin, invisible characters dropped, and
/// anything else (emoji, other scripts) as `?`.
pub fn unaccented(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    for c in strip_diacritics(text).chars() {
        match c {
            _ if septets(c).is_some() => plain.push(c),
            _ if INVISIBLE.contains(&c) => {}
            '‘' | '’' | '‚' | '‛' | '′' | '`' | '´' => plain.push('\''),
            '“' | '”' | '„' | '‟' | '″' | '«' | '»' => plain.push('"'),
            '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | '•' | '·' => plain.push('-'),
            '…' => plain.push_str("..."),
            '\t' => plain.push(' '),
            _ if c.is_whitespace() => plain.push(' '),
            _ => plain.push('?'),
        }
    }
    plain
}

/// A message body as it will be sent, with its alphabet and the segments it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsText {
    pub body: String,
    pub encoding: SmsEncoding,
    pub segments: u32,
}

/// One segment's room, and a concatenated part's (the rest holds the concatenation header).
const GSM7_SINGLE: usize = 160;
const GSM7_PART: usize = 153;
const UCS2_SINGLE: usize = 70;
const UCS2_PART: usize = 67;

impl SmsText {
    /// `text` written as `mode` has it. Unaccented: without diacritics, GSM-7. Unicode: composed
    /// (NFC, so a decomposed letter does not take two or three units), GSM-7 if that fits the
    /// alphabet, else UCS-2. The empty text counts as one segment, as a gateway bills it; no
    /// template renders one.
    pub fn compose(text: &str, mode: TextMode) -> SmsText {
        let body = match mode {
            TextMode::Unaccented => unaccented(text),
            TextMode::Unicode => text.nfc().collect(),
        };
        let (encoding, segments) = match body.chars().map(septets).collect::<Option<Vec<_>>>() {
            Some(septets) => (SmsEncoding::Gsm7, segments(septets, GSM7_SINGLE, GSM7_PART)),
            None => {
                let units = body.chars().map(char::len_utf16);
                (SmsEncoding::Ucs2, segments(units, UCS2_SINGLE, UCS2_PART))
            }
        };
        SmsText { body, encoding, segments }
    }
}

/// Segments for characters of these sizes: one if all fit `single`, else parts of `part` filled
/// in order, a character never split between two (an extension character's escape stays with
/// it, a surrogate pair together), so a part may end a unit short.
fn segments(sizes: impl IntoIterator<Item = usize>, single: usize, part: usize) -> u32 {
    let sizes: Vec<usize> = sizes.into_iter().collect();
    if sizes.iter().sum::<usize>() <= single {
        return 1;
    }
    let (mut parts, mut filled) = (1, 0);
    for size in sizes {
        if filled + size > part {
            parts += 1;
            filled = 0;
        }
        filled += size;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::word::assert_words;

    #[test]
    fn encodings_and_modes_are_stored_as_these_words() {
        assert_words(&[(SmsEncoding::Gsm7, "gsm7"), (SmsEncoding::Ucs2, "ucs2")]);
        assert_words(&[(TextMode::Unaccented, "unaccented"), (TextMode::Unicode, "unicode")]);
        assert_eq!(TextMode::default(), TextMode::Unaccented);
    }

    #[test]
    fn the_gsm7_alphabet_and_its_extension() {
        assert_eq!(GSM7_BASIC.chars().count(), 127, "128 codes less the escape");
        assert!(is_gsm7("Ho so 000.00.19.H55-261207-0001: @£$¥ èé Ü ß_ ¿¡ §"));
        assert!(is_gsm7(""));
        assert!(!is_gsm7("Hồ sơ") && !is_gsm7("đ") && !is_gsm7("`") && !is_gsm7("\t"));
        assert!(!is_gsm7("😀") && !is_gsm7("\u{1B}"));
        assert_eq!(gsm7_septets("abc"), Some(3));
        assert_eq!(gsm7_septets("^{}\\[~]|€\u{0C}"), Some(20));
        assert_eq!(gsm7_septets("a€"), Some(3));
        assert_eq!(gsm7_septets(""), Some(0));
        assert_eq!(gsm7_septets("aă"), None);
    }

    #[test]
    fn unaccented_is_vietnamese_without_diacritics_and_always_gsm7() {
        assert_eq!(
            unaccented("Hồ sơ của ông/bà ĐÃ ĐƯỢC tiếp nhận, hẹn trả 31/12/2026."),
            "Ho so cua ong/ba DA DUOC tiep nhan, hen tra 31/12/2026."
        );
        assert_eq!(
            unaccented("Quý khách – “đúng hạn” ‘nhé’… OK"),
            "Quy khach - \"dung han\" 'nhe'... OK"
        );
        assert_eq!(unaccented("a\u{00A0}b\tc\u{200B}d\u{FEFF}"), "a b cd");
        assert_eq!(unaccented("👍 中 Ж €5 {x}"), "? ? ? €5 {x}");
        assert_eq!(unaccented("Đa\u{0306}ng ky\u{0301}"), "Dang ky");
        for text in ["Thừa Thiên Huế 😀", "«Ỹ» — ‰ ☎ \u{202E}x"] {
            assert!(is_gsm7(&unaccented(text)), "{text}");
        }
    }

    fn compose(text: &str, mode: TextMode) -> (SmsEncoding, u32) {
        let sms = SmsText::compose(text, mode);
        (sms.encoding, sms.segments)
    }

    #[test]
    fn gsm7_segments_at_their_edges() {
        use SmsEncoding::Gsm7;
        let a = |n: usize| "a".repeat(n);
        for (text, segments) in [
            (String::new(), 1),
            (a(1), 1),
            (a(160), 1),
            (a(161), 2),
            (a(306), 2),
            (a(307), 3),
            (format!("{}€", a(158)), 1),
            (format!("{}€", a(159)), 2),
            // The 153rd septet would be the euro's escape: the euro starts the second part,
            // so 306 septets take three parts, not two.
            (format!("{}€{}", a(152), a(151)), 2),
            (format!("{}€{}", a(152), a(152)), 3),
        ] {
            for mode in [TextMode::Unaccented, TextMode::Unicode] {
                assert_eq!(compose(&text, mode), (Gsm7, segments), "{} chars", text.len());
            }
        }
    }

    #[test]
    fn ucs2_segments_at_their_edges_and_surrogate_pairs_are_not_split() {
        use SmsEncoding::Ucs2;
        let a = |n: usize| "ă".repeat(n);
        for (text, segments) in [
            (a(1), 1),
            (a(70), 1),
            (a(71), 2),
            (a(134), 2),
            (a(135), 3),
            (format!("{}😀", a(68)), 1),
            (format!("{}😀", a(69)), 2),
            (format!("{}😀{}", a(66), a(65)), 2),
            // 134 units, but the emoji cannot straddle the first part's end.
            (format!("{}😀{}", a(66), a(66)), 3),
        ] {
            assert_eq!(compose(&text, TextMode::Unicode), (Ucs2, segments), "{text}");
        }
        // The same texts without diacritics: GSM-7, and far fewer segments.
        assert_eq!(compose(&a(135), TextMode::Unaccented), (SmsEncoding::Gsm7, 1));
    }

    #[test]
    fn compose_writes_the_body_as_the_mode_says() {
        let text = "Mã xác thực: 123456";
        let plain = SmsText::compose(text, TextMode::Unaccented);
        assert_eq!(plain.body, "Ma xac thuc: 123456");
        let unicode = SmsText::compose(text, TextMode::Unicode);
        assert_eq!((unicode.body.as_str(), unicode.encoding), (text, SmsEncoding::Ucs2));
        let ascii = SmsText::compose("Code 123456", TextMode::Unicode);
        assert_eq!(ascii.encoding, SmsEncoding::Gsm7, "plain text needs no UCS-2");
        // Decomposed input is composed: "ễ" is one unit, not three.
        let decomposed = SmsText::compose("Nguye\u{0302}\u{0303}n", TextMode::Unicode);
        assert_eq!(decomposed.body, "Nguyễn");
    }
}

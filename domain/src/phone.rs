//! Vietnamese mobile numbers, stored in E.164 (`+84912345678`).

use crate::validation::{Invalid, Reason};
use serde::{Serialize, Serializer};

/// A Vietnamese mobile number. Accepts the ways people type it (`0912 345 678`, `0912.345.678`,
/// `+84912345678`, `84912345678`) and keeps the E.164 form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

/// Mobile numbers after the trunk `0`: nine digits whose first is 3, 5, 7, 8 or 9
/// (the prefixes in use since the 2018 renumbering).
const MOBILE_FIRST_DIGITS: &[char] = &['3', '5', '7', '8', '9'];

/// The longest a number may be as typed, separators included, in bytes.
const MAX_TYPED_LEN: usize = 32;

impl PhoneNumber {
    pub fn parse(field: &str, raw: &str) -> Result<PhoneNumber, Invalid> {
        let invalid = || Invalid::new(field, Reason::PhoneFormat);
        let trimmed = raw.trim();
        if trimmed.len() > MAX_TYPED_LEN {
            return Err(invalid());
        }
        let (has_plus, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let mut digits = String::with_capacity(12);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '.' | '-' | '(' | ')' => {}
                _ => return Err(invalid()),
            }
        }
        let national = if let Some(n) = digits.strip_prefix("84").filter(|n| n.len() == 9) {
            n
        } else if has_plus {
            return Err(invalid());
        } else if let Some(n) = digits.strip_prefix('0') {
            n
        } else {
            return Err(invalid());
        };
        let valid = national.len() == 9
            && national.starts_with(MOBILE_FIRST_DIGITS)
            && national.chars().all(|c| c.is_ascii_digit());
        if !valid {
            return Err(invalid());
        }
        Ok(PhoneNumber(format!("+84{national}")))
    }

    /// A number read back from storage, where only E.164 is ever written.
    pub fn from_stored(e164: String) -> PhoneNumber {
        PhoneNumber(e164)
    }

    pub fn e164(&self) -> &str {
        &self.0
    }

    /// `+84912***678`: enough for a person to recognise their own number.
    pub fn masked(&self) -> String {
        let s = &self.0;
        if s.len() < 8 {
            return "***".into();
        }
        format!("{}***{}", &s[..6], &s[s.len() - 3..])
    }
}

/// Characters that may stand between the digit groups of one typed number.
const GROUP_SEPARATORS: &[char] = &[' ', '.', '-', '(', ')'];

/// Free text with every Vietnamese mobile number in it masked but for its last three digits
/// (`0912 345 678` → `**** *** 678`), separators kept: the public copy of what a resident
/// typed. Other numbers (house numbers, dates, amounts) are left alone.
pub fn mask_phone_numbers(text: &str) -> std::borrow::Cow<'_, str> {
    let spans = phone_spans(text);
    if spans.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut masked = String::with_capacity(text.len());
    let mut from = 0;
    for (start, end) in spans {
        masked.push_str(&text[from..start]);
        let span = &text[start..end];
        let digits = span.chars().filter(char::is_ascii_digit).count();
        let mut seen = 0;
        for c in span.chars() {
            if c.is_ascii_digit() {
                seen += 1;
                masked.push(if seen + 3 > digits { c } else { '*' });
            } else {
                masked.push(c);
            }
        }
        from = end;
    }
    masked.push_str(&text[from..]);
    std::borrow::Cow::Owned(masked)
}

/// Byte ranges of the mobile numbers in `text`: runs of digit groups joined by at most three
/// separator characters, of which the longest that parses as a number wins from each group on.
/// Only groups within a typed number's length of the first are tried, so any text costs time
/// linear in its length.
fn phone_spans(text: &str) -> Vec<(usize, usize)> {
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut run_start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (c.is_ascii_digit(), run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(start)) => {
                groups.push((start, i));
                run_start = None;
            }
            _ => {}
        }
    }
    let joined = |a: (usize, usize), b: (usize, usize)| {
        let gap = &text[a.1..b.0];
        (1..=3).contains(&gap.len()) && gap.chars().all(|c| GROUP_SEPARATORS.contains(&c))
    };
    let mut spans = Vec::new();
    let mut i = 0;
    while i < groups.len() {
        let start = match text[..groups[i].0].strip_suffix('+') {
            Some(before) => before.len(),
            None => groups[i].0,
        };
        let mut longest = None;
        let mut j = i;
        while groups[j].1 - start <= MAX_TYPED_LEN {
            if PhoneNumber::parse("text", &text[start..groups[j].1]).is_ok() {
                longest = Some(j);
            }
            if j + 1 == groups.len() || !joined(groups[j], groups[j + 1]) {
                break;
            }
            j += 1;
        }
        match longest {
            Some(j) => {
                spans.push((start, groups[j].1));
                i = j + 1;
            }
            None => i += 1,
        }
    }
    spans
}

impl Serialize for PhoneNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_typed_in_text_are_masked_but_for_their_last_three_digits() {
        let cases = [
            ("Gọi 0912 345 678 nhé", "Gọi **** *** 678 nhé"),
            ("sđt:0912345678.", "sđt:*******678."),
            ("(+84) 912-345-678 hoặc 84 987.654.321", "(+**) ***-***-678 hoặc ** ***.***.321"),
            ("+84912345678", "+********678"),
            ("số nhà 12 0987654321", "số nhà 12 *******321"),
            // A long run of joined groups: the number at its end is still found.
            (
                &format!("{}0912 345 678", "1 ".repeat(500)),
                &format!("{}**** *** 678", "1 ".repeat(500)),
            ),
        ];
        for (typed, public) in cases {
            assert_eq!(mask_phone_numbers(typed), public, "{typed}");
        }
    }

    #[test]
    fn other_numbers_are_left_as_typed() {
        for text in [
            "Ổ gà sâu 30 cm trước số 123 Lê Lợi từ 2026-12-03",
            "Phí 1.000.000 đồng, mã 120912345678901",
            "0212345678 và 091234567",
            "",
        ] {
            assert!(matches!(mask_phone_numbers(text), std::borrow::Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn accepts_the_ways_people_type_a_number() {
        for raw in [
            "0912 345 678",
            "0912345678",
            "+84912345678",
            "84912345678",
            "+84 912 345 678",
            "0912.345.678",
            "(0912) 345-678",
        ] {
            assert_eq!(PhoneNumber::parse("phone", raw).unwrap().e164(), "+84912345678", "{raw}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_vietnamese_mobile() {
        for raw in [
            "",
            "912345678",
            "0112345678",
            "091234567",
            "09123456789",
            "+1 912 345 678",
            "+0912345678",
            "0912abc678",
            "０９１２３４５６７８",
            "840912345678",
        ] {
            assert!(PhoneNumber::parse("phone", raw).is_err(), "{raw} should be refused");
        }
    }

    #[test]
    fn masks_the_middle() {
        let phone = PhoneNumber::parse("phone", "0912345678").unwrap();
        assert_eq!(phone.masked(), "+84912***678");
    }
}

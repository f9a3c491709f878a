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

impl PhoneNumber {
    pub fn parse(field: &str, raw: &str) -> Result<PhoneNumber, Invalid> {
        let invalid = || Invalid::new(field, Reason::PhoneFormat);
        let trimmed = raw.trim();
        if trimmed.len() > 32 {
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

impl Serialize for PhoneNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

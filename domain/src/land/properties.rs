//! Reading a feature's properties: each field under one of several accepted names, numbers as
//! JSON numbers or numeric strings, text trimmed.

use super::{LandProblem, LandUse};
use serde_json::{Map, Value};

/// Longest text kept from a property: an address, a plan's name.
const MAX_TEXT_CHARS: usize = 500;

/// Sheets and parcels are numbered from 1, in at most five digits.
const MAX_SERIAL_NUMBER: u32 = 99_999;

/// Property names from a list of literals.
pub(super) fn names(accepted: &[&str]) -> Vec<String> {
    accepted.iter().map(|name| name.to_string()).collect()
}

/// The property's name and value under the first of `accepted` that the feature has and is
/// not null.
pub(super) fn find<'a>(
    properties: &'a Map<String, Value>,
    accepted: &'a [String],
) -> Option<(&'a str, &'a Value)> {
    accepted.iter().find_map(|name| match properties.get(name) {
        None | Some(Value::Null) => None,
        Some(value) => Some((name.as_str(), value)),
    })
}

pub(super) fn required<'a>(
    properties: &'a Map<String, Value>,
    accepted: &'a [String],
) -> Result<(&'a str, &'a Value), LandProblem> {
    find(properties, accepted)
        .ok_or_else(|| LandProblem::MissingProperty { accepted: accepted.to_vec() })
}

/// A sheet or parcel number: 12, 12.0 or "12".
pub(super) fn serial_number(property: &str, value: &Value) -> Result<u32, LandProblem> {
    number(value)
        .filter(|n| n.fract() == 0.0 && (1.0..=f64::from(MAX_SERIAL_NUMBER)).contains(n))
        .map(|n| n as u32)
        .ok_or_else(|| LandProblem::BadSerialNumber {
            property: property.into(),
            value: shortened(value),
        })
}

/// An area in square metres: 120.5 or "120.5".
pub(super) fn square_metres(property: &str, value: &Value) -> Result<f64, LandProblem> {
    number(value)
        .filter(|&n| n > 0.0)
        .ok_or_else(|| LandProblem::BadArea { property: property.into(), value: shortened(value) })
}

/// A finite number, from a JSON number or a string holding one.
fn number(value: &Value) -> Option<f64> {
    let number = match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    };
    number.filter(|n: &f64| n.is_finite())
}

/// Text of 1 to 500 characters without control characters; a number is taken as its digits
/// (zone codes are often numeric).
pub(super) fn text(property: &str, value: &Value) -> Result<Box<str>, LandProblem> {
    let text = match value {
        Value::String(text) => text.trim().to_string(),
        Value::Number(number) => number.to_string(),
        _ => String::new(),
    };
    let chars = text.chars().count();
    if chars == 0 || chars > MAX_TEXT_CHARS || text.chars().any(char::is_control) {
        return Err(LandProblem::BadText { property: property.into() });
    }
    Ok(text.into_boxed_str())
}

/// Text under one of `accepted`, or None when absent, null or blank (exports write "" for
/// nothing).
pub(super) fn optional_text(
    properties: &Map<String, Value>,
    accepted: &[String],
) -> Result<Option<Box<str>>, LandProblem> {
    match find(properties, accepted) {
        Some((_, Value::String(text))) if text.trim().is_empty() => Ok(None),
        Some((property, value)) => text(property, value).map(Some),
        None => Ok(None),
    }
}

pub(super) fn land_use(property: &str, value: &Value) -> Result<LandUse, LandProblem> {
    value.as_str().and_then(LandUse::from_code).ok_or_else(|| LandProblem::UnknownLandUse {
        property: property.into(),
        value: shortened(value),
    })
}

/// A decision's number as written on it: `1234/QĐ-UBND`, `45/2020/QĐ-UBND`, `123/QĐ-TTg`
/// (`QD` without the diacritic too).
pub(super) fn decision_number(property: &str, value: &Value) -> Result<Box<str>, LandProblem> {
    let decision = text(property, value)?;
    let well_formed = decision.split_once('/').is_some_and(|(number, rest)| {
        let rest = rest.to_uppercase();
        !number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit())
            && (rest.contains("QĐ") || rest.contains("QD"))
            && !rest.contains(char::is_whitespace)
    });
    if !well_formed {
        return Err(LandProblem::BadDecision {
            property: property.into(),
            value: shortened(value),
        });
    }
    Ok(decision)
}

/// The value as JSON, cut to 40 characters: enough to find it in the file.
fn shortened(value: &Value) -> String {
    const LIMIT: usize = 40;
    let json = value.to_string();
    match json.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}…", &json[..cut]),
        None => json,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serial_numbers_are_whole_numbers_from_1_to_99999_however_written() {
        for (value, expected) in [(json!(12), 12), (json!(12.0), 12), (json!(" 012 "), 12)] {
            assert_eq!(serial_number("so_to", &value), Ok(expected), "{value}");
        }
        assert_eq!(serial_number("so_to", &json!(99_999)), Ok(99_999));
        for value in [json!(0), json!(-3), json!(100_000), json!(1.5), json!("12a"), json!(true)] {
            assert_eq!(
                serial_number("so_to", &value),
                Err(LandProblem::BadSerialNumber {
                    property: "so_to".into(),
                    value: value.to_string()
                })
            );
        }
    }

    #[test]
    fn areas_are_positive_numbers_with_a_decimal_point() {
        assert_eq!(square_metres("dien_tich", &json!(120.5)), Ok(120.5));
        assert_eq!(square_metres("dien_tich", &json!("120.5")), Ok(120.5));
        for value in
            [json!(0), json!(-1.0), json!("120,5"), json!("NaN"), json!("inf"), json!(null)]
        {
            assert!(square_metres("dien_tich", &value).is_err(), "{value}");
        }
    }

    #[test]
    fn the_first_accepted_name_present_and_not_null_is_read() {
        let names = ["so_to".to_string(), "sheet".to_string()];
        let properties = json!({"so_to": null, "sheet": 4, "other": 1});
        let properties = properties.as_object().unwrap();
        assert_eq!(find(properties, &names), Some(("sheet", &json!(4))));
        assert_eq!(
            required(properties, &names[..1]),
            Err(LandProblem::MissingProperty { accepted: vec!["so_to".into()] })
        );
    }

    #[test]
    fn text_is_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(text("ten", &json!("  Khu A ")).as_deref(), Ok("Khu A"));
        assert_eq!(text("ma_khu", &json!(12)).as_deref(), Ok("12"));
        for value in [json!(""), json!("  "), json!("a\u{7}b"), json!("x".repeat(501)), json!([])] {
            assert_eq!(text("ten", &value), Err(LandProblem::BadText { property: "ten".into() }));
        }
        let properties = json!({"dia_chi": " ", "phuong": "Hải Châu"});
        let properties = properties.as_object().unwrap();
        assert_eq!(optional_text(properties, &["dia_chi".into()]), Ok(None));
        assert_eq!(optional_text(properties, &["none".into()]), Ok(None));
        assert_eq!(optional_text(properties, &["phuong".into()]), Ok(Some("Hải Châu".into())));
    }

    #[test]
    fn decisions_are_numbered_as_issued() {
        for decision in ["1234/QĐ-UBND", "45/2020/QĐ-UBND", "123/QĐ-TTg", "7/qd-ubnd"] {
            assert_eq!(decision_number("qd", &json!(decision)).as_deref(), Ok(decision));
        }
        for decision in ["Quyết định 1234/QĐ-UBND", "1234", "1234/UBND", "/QĐ-UBND", "12/QĐ UBND"]
        {
            assert!(decision_number("qd", &json!(decision)).is_err(), "{decision}");
        }
    }

    #[test]
    fn values_in_refusals_are_shortened() {
        assert_eq!(shortened(&json!("ab")), "\"ab\"");
        let long = shortened(&json!("đ".repeat(100)));
        assert_eq!(long.chars().count(), 41);
        assert!(long.ends_with('…'));
    }
}

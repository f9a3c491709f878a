//! Dates as the API accepts them, and nothing looser: RFC 3339 date-times
//! (`2026-11-20T08:30:00+07:00`), `YYYY-MM-DD` dates and `YYYY-MM` months. chrono's parsers
//! take more (a space for `T`, leap seconds, unpadded numbers), which the contract does not
//! promise and a client should not come to rely on.

use crate::validation::{DateForm, Invalid, Reason};
use crate::Lang;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

/// `date-time` of RFC 3339 section 5.6: `T` or `t`, `Z` or `z` or `±hh:mm`, fractional seconds
/// of any length (nanoseconds kept). Refused besides what the grammar refuses: year 0000 and
/// the leap second `:60`, which chrono cannot hold as written.
pub fn parse_datetime(field: &str, raw: &str) -> Result<DateTime<FixedOffset>, Invalid> {
    datetime(raw.as_bytes()).ok_or_else(|| refused(field, DateForm::DateTime))
}

/// `YYYY-MM-DD`, a day that exists, year 0001 to 9999.
pub fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, Invalid> {
    date(raw.as_bytes())
        .filter(|(_, rest)| rest.is_empty())
        .map(|(day, _)| day)
        .ok_or_else(|| refused(field, DateForm::Date))
}

/// `YYYY-MM`, as the first day of that month.
pub fn parse_month(field: &str, raw: &str) -> Result<NaiveDate, Invalid> {
    year_month(raw.as_bytes())
        .filter(|(.., rest)| rest.is_empty())
        .and_then(|(year, month, _)| NaiveDate::from_ymd_opt(year, month, 1))
        .ok_or_else(|| refused(field, DateForm::Month))
}

fn refused(field: &str, form: DateForm) -> Invalid {
    Invalid::new(field, Reason::DateFormat(form))
}

/// Exactly `n` ASCII digits as a number, and what follows them.
fn number(s: &[u8], n: usize) -> Option<(u32, &[u8])> {
    let (digits, rest) = s.split_at_checked(n)?;
    digits
        .iter()
        .all(u8::is_ascii_digit)
        .then(|| (digits.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0')), rest))
}

/// A number of `n` digits after `separator`.
fn after(s: &[u8], separator: u8, n: usize) -> Option<(u32, &[u8])> {
    number(s.strip_prefix(&[separator])?, n)
}

fn year_month(s: &[u8]) -> Option<(i32, u32, &[u8])> {
    let (year, s) = number(s, 4)?;
    let (month, s) = after(s, b'-', 2)?;
    let year = i32::try_from(year).ok().filter(|year| *year >= 1)?;
    (1..=12).contains(&month).then_some((year, month, s))
}

fn date(s: &[u8]) -> Option<(NaiveDate, &[u8])> {
    let (year, month, s) = year_month(s)?;
    let (day, s) = after(s, b'-', 2)?;
    Some((NaiveDate::from_ymd_opt(year, month, day)?, s))
}

fn time(s: &[u8]) -> Option<(NaiveTime, &[u8])> {
    let (hour, s) = number(s, 2)?;
    let (minute, s) = after(s, b':', 2)?;
    let (second, s) = after(s, b':', 2)?;
    let (nanos, s) = match s.strip_prefix(b".") {
        None => (0, s),
        Some(fraction) => {
            let len = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
            let kept = len.min(9);
            let (nanos, _) = number(&fraction[..kept], kept).filter(|_| len > 0)?;
            (nanos * 10u32.pow((9 - kept) as u32), &fraction[len..])
        }
    };
    // chrono takes no second 60 here (it writes a leap second as nanoseconds past 1e9).
    Some((NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?, s))
}

fn offset(s: &[u8]) -> Option<FixedOffset> {
    let (sign, s) = match s {
        b"Z" | b"z" => return FixedOffset::east_opt(0),
        [b'+', s @ ..] => (1, s),
        [b'-', s @ ..] => (-1, s),
        _ => return None,
    };
    let (hours, s) = number(s, 2)?;
    let (minutes, s) = after(s, b':', 2)?;
    if !s.is_empty() || hours > 23 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * i32::try_from(hours * 3600 + minutes * 60).ok()?)
}

fn datetime(s: &[u8]) -> Option<DateTime<FixedOffset>> {
    let (day, s) = date(s)?;
    let s = s.strip_prefix(b"T").or_else(|| s.strip_prefix(b"t"))?;
    let (time, s) = time(s)?;
    day.and_time(time).and_local_timezone(offset(s)?).single()
}

/// An RFC 3339 date-time in a JSON body or a query string (see [`parse_datetime`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StrictDateTime(pub DateTime<FixedOffset>);

/// A `YYYY-MM-DD` date in a JSON body or a query string (see [`parse_date`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StrictDate(pub NaiveDate);

/// A `YYYY-MM` month, as its first day, in a JSON body or a query string (see [`parse_month`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StrictMonth(pub NaiveDate);

/// Reads a string through one of the parsers; the error says the expected form, and the
/// caller names the field from serde's path.
struct Strict<T> {
    form: DateForm,
    parse: fn(&str, &str) -> Result<T, Invalid>,
}

impl<T> Visitor<'_> for Strict<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.form.described(Lang::En))
    }

    fn visit_str<E: de::Error>(self, raw: &str) -> Result<T, E> {
        (self.parse)("", raw).map_err(|invalid| E::custom(invalid.reason.message(Lang::En)))
    }
}

impl<'de> Deserialize<'de> for StrictDateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let strict = Strict { form: DateForm::DateTime, parse: parse_datetime };
        deserializer.deserialize_str(strict).map(StrictDateTime)
    }
}

impl<'de> Deserialize<'de> for StrictDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_str(Strict { form: DateForm::Date, parse: parse_date })
            .map(StrictDate)
    }
}

impl<'de> Deserialize<'de> for StrictMonth {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let strict = Strict { form: DateForm::Month, parse: parse_month };
        deserializer.deserialize_str(strict).map(StrictMonth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, TimeZone, Timelike, Utc};

    fn at(raw: &str) -> DateTime<FixedOffset> {
        parse_datetime("at", raw).unwrap_or_else(|e| panic!("{raw:?}: {e}"))
    }

    fn refused_datetime(raw: &str) {
        assert_eq!(
            parse_datetime("at", raw),
            Err(Invalid::new("at", Reason::DateFormat(DateForm::DateTime))),
            "{raw:?}"
        );
    }

    #[test]
    fn rfc_3339_date_times_are_accepted_in_all_their_forms() {
        let utc = |h, m, s| Utc.with_ymd_and_hms(2026, 11, 20, h, m, s).unwrap();
        assert_eq!(at("2026-11-20T08:30:00+07:00"), utc(1, 30, 0));
        assert_eq!(at("2026-11-20T08:30:00+07:00").offset().local_minus_utc(), 7 * 3600);
        assert_eq!(at("2026-11-20T01:30:00Z"), utc(1, 30, 0));
        assert_eq!(at("2026-11-20t01:30:00z"), utc(1, 30, 0), "RFC 3339 allows lower case");
        assert_eq!(at("2026-11-20T01:30:00-00:00"), utc(1, 30, 0));
        assert_eq!(at("2026-11-19T21:00:00-04:30"), utc(1, 30, 0));
        assert_eq!(at("2026-11-20T01:30:00.5Z").nanosecond(), 500_000_000);
        assert_eq!(at("2026-11-20T01:30:00.123456789+00:00").nanosecond(), 123_456_789);
        assert_eq!(at("2026-11-20T01:30:00.1234567891234Z").nanosecond(), 123_456_789);
        assert_eq!(at("2026-11-20T23:59:59+23:59").offset().local_minus_utc(), 86_340);
        assert_eq!(at("2028-02-29T00:00:00Z").day(), 29, "a leap day");
        assert_eq!(at("0001-01-01T00:00:00Z").year(), 1);
        assert_eq!(at("9999-12-31T23:59:59Z").year(), 9999);
        // What chrono writes, which the black-box tests send.
        let now = Utc::now().fixed_offset();
        assert_eq!(at(&now.to_rfc3339()), now);
    }

    #[test]
    fn anything_looser_than_rfc_3339_is_refused() {
        for raw in [
            "2026-11-20T23:59:60Z",     // a leap second
            "0000-11-20T08:30:00Z",     // year zero
            "-2026-11-20T08:30:00Z",    // negative year
            "12026-11-20T08:30:00Z",    // five-digit year
            "+2026-11-20T08:30:00Z",    // signed year
            "2026-1-5T07:00:00Z",       // unpadded month and day
            "2026-01-05T7:00:00Z",      // unpadded hour
            "2026-01-05T07:0:00Z",      // unpadded minute
            "2026-01-05T07:00:0Z",      // unpadded second
            "2026-11-20 08:30:00Z",     // a space for T
            "2026-11-20_08:30:00Z",     // another separator
            "2026-11-20T08:30:00+0700", // offset without a colon
            "2026-11-20T08:30:00+07",   // offset without minutes
            "2026-11-20T08:30:00+7:00", // unpadded offset
            "2026-11-20T08:30:00",      // no offset
            "2026-11-20T08:30Z",        // no seconds
            "2026-11-20T08:30:00ZZ",    // trailing garbage
            "2026-11-20T08:30:00+07:00 ",
            " 2026-11-20T08:30:00+07:00",
            "2026-11-20T08:30:00.Z",  // a point without digits
            "2026-11-20T08:30:00,5Z", // a comma for the point
            "2026-02-30T08:30:00Z",   // no such day
            "2026-02-29T08:30:00Z",   // not a leap year
            "2026-13-01T08:30:00Z",   // no such month
            "2026-00-01T08:30:00Z",
            "2026-11-00T08:30:00Z",
            "2026-11-20T24:00:00Z", // no hour 24
            "2026-11-20T08:60:00Z",
            "2026-11-20T08:30:61Z",
            "2026-11-20T08:30:00+24:00", // offsets out of range
            "2026-11-20T08:30:00+07:60",
            "2026-11-20T08:30:00UTC",
            "2026-11-20",
            "20261120T083000Z", // ISO 8601 basic format
            "２０２６-11-20T08:30:00Z",
            "",
        ] {
            refused_datetime(raw);
        }
    }

    #[test]
    fn dates_are_exactly_yyyy_mm_dd() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(parse_date("on", "2026-11-20"), Ok(day(2026, 11, 20)));
        assert_eq!(parse_date("on", "2028-02-29"), Ok(day(2028, 2, 29)));
        assert_eq!(parse_date("on", "0001-01-01"), Ok(day(1, 1, 1)));
        for raw in [
            "2026-1-5",
            "2026-01-5",
            "26-01-05",
            "0000-01-05",
            "-2026-01-05",
            "12026-01-05",
            "2026-02-30",
            "2026-13-01",
            "2026-11-20T00:00:00Z",
            "2026-11-20 ",
            "2026/11/20",
            "20/11/2026",
            "",
        ] {
            assert_eq!(
                parse_date("on", raw),
                Err(Invalid::new("on", Reason::DateFormat(DateForm::Date))),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn months_are_exactly_yyyy_mm_and_mean_their_first_day() {
        let first = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap();
        assert_eq!(parse_month("from", "2026-11"), Ok(first(2026, 11)));
        assert_eq!(parse_month("from", "2026-01"), Ok(first(2026, 1)));
        for raw in ["2026-1", "2026-13", "2026-00", "0000-05", "12026-05", "2026-11-01", "2026", ""]
        {
            assert_eq!(
                parse_month("from", raw),
                Err(Invalid::new("from", Reason::DateFormat(DateForm::Month))),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn refusals_say_the_expected_form_in_both_languages() {
        let reason = Reason::DateFormat(DateForm::Month);
        assert_eq!(reason.code(), "date_format");
        assert_eq!(reason.message(Lang::En), "must be a month, YYYY-MM, e.g. 2026-11");
        assert_eq!(reason.message(Lang::Vi), "phải là tháng dạng YYYY-MM, ví dụ 2026-11");
        let invalid = parse_datetime("since", "yesterday").unwrap_err();
        assert_eq!(
            invalid.to_string(),
            "since: must be an RFC 3339 date-time with its offset, e.g. 2026-11-20T08:30:00+07:00"
        );
        assert!(invalid.reason.message(Lang::Vi).contains("RFC 3339"));
        assert!(Reason::DateFormat(DateForm::Date).message(Lang::Vi).contains("YYYY-MM-DD"));
    }

    #[derive(Debug, Deserialize)]
    struct Query {
        at: Option<StrictDateTime>,
        on: Option<StrictDate>,
        month: Option<StrictMonth>,
    }

    fn query(json: &str) -> Result<Query, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn the_newtypes_read_json_through_the_strict_parsers() {
        let q =
            query(r#"{"at": "2026-11-20T08:30:00+07:00", "on": "2026-11-20", "month": "2026-11"}"#)
                .unwrap();
        assert_eq!(q.at, Some(StrictDateTime(at("2026-11-20T08:30:00+07:00"))));
        assert_eq!(q.on, Some(StrictDate(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap())));
        assert_eq!(q.month, Some(StrictMonth(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap())));
        assert!(query("{}").unwrap().at.is_none());
        // Owned strings (an escape makes serde_json allocate) go the same way.
        let escaped = query(r#"{"on": "2026-11-2\u0030"}"#).unwrap();
        assert_eq!(escaped.on, Some(StrictDate(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap())));
    }

    #[test]
    fn the_newtypes_refuse_saying_the_expected_form() {
        let error = query(r#"{"at": "2026-11-20 08:30:00+07:00"}"#).unwrap_err();
        assert!(
            error.starts_with(
                "must be an RFC 3339 date-time with its offset, e.g. 2026-11-20T08:30:00+07:00"
            ),
            "{error}"
        );
        let error = query(r#"{"on": "2026-1-5"}"#).unwrap_err();
        assert!(error.starts_with("must be a date, YYYY-MM-DD, e.g. 2026-11-20"), "{error}");
        let error = query(r#"{"month": "2026-11-01"}"#).unwrap_err();
        assert!(error.starts_with("must be a month, YYYY-MM, e.g. 2026-11"), "{error}");
        let error = query(r#"{"month": 202611}"#).unwrap_err();
        assert!(error.contains("expected a month, YYYY-MM, e.g. 2026-11"), "{error}");
        // serde names the field, for the api to put in the problem.
        let mut json = serde_json::Deserializer::from_str(r#"{"on": "tomorrow"}"#);
        let error = serde_path_to_error::deserialize::<_, Query>(&mut json).unwrap_err();
        assert_eq!(error.path().to_string(), "on");
    }
}

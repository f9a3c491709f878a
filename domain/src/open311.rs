//! Open311 GeoReport v2 over our vocabulary: the two formats, the open/closed status, the
//! filters and default window of `GET requests`, and the `attribute[CODE]` keys of a filing.

use crate::complaint::ComplaintStatus;
use crate::datetime::parse_datetime;
use crate::validation::{Invalid, Reason};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// The extension of a resource (`services.json`, `requests/ID.xml`).
    pub fn parse(extension: &str) -> Option<Format> {
        match extension {
            "json" => Some(Format::Json),
            "xml" => Some(Format::Xml),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Xml => "text/xml; charset=utf-8",
        }
    }
}

/// GeoReport knows two states. A resolved complaint is closed to an outside client even though
/// its reporter may still reopen it within the week.
pub fn public_status(status: ComplaintStatus) -> &'static str {
    if status.is_open() {
        "open"
    } else {
        "closed"
    }
}

/// Without dates a query covers the last 90 days; a range may not be longer.
pub const WINDOW_DAYS: i64 = 90;
/// At most this many requests in one answer, newest first.
pub const MAX_REQUESTS: usize = 1000;
/// `service_request_id=a,b,c` names at most this many, each at most `MAX_ID_LENGTH` long.
pub const MAX_IDS: usize = 100;
pub const MAX_ID_LENGTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum RequestQuery {
    /// `service_request_id` given: the spec says every other filter is ignored.
    Ids(Vec<String>),
    Window(RequestWindow),
}

#[derive(Debug, Clone, PartialEq)]
pub struct RequestWindow {
    /// Empty means every category.
    pub service_codes: Vec<String>,
    /// Empty means every status.
    pub statuses: Vec<ComplaintStatus>,
    /// Filed at or after.
    pub from: DateTime<Utc>,
    /// Filed at or before.
    pub to: DateTime<Utc>,
}

/// Comma-delimited values, also accepted as the parameter repeated.
fn list<'a>(params: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    params
        .iter()
        .filter(|(key, _)| key == name)
        .flat_map(|(_, value)| value.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect()
}

/// One parameter given at most once; empty counts as absent.
pub fn single_value<'a>(
    params: &'a [(String, String)],
    name: &str,
) -> Result<Option<&'a str>, Invalid> {
    let mut given = params.iter().filter(|(key, _)| key == name).map(|(_, v)| v.trim());
    let first = given.next().filter(|v| !v.is_empty());
    if given.next().is_some() {
        return Err(Invalid::new(
            name,
            Reason::Format {
                expected_vi: "một giá trị duy nhất", expected_en: "a single value"
            },
        ));
    }
    Ok(first)
}

/// A W3C date-time with its offset, as the spec requires (`2026-11-05T08:15:30+07:00`): the
/// RFC 3339 form, strictly.
fn datetime(params: &[(String, String)], name: &str) -> Result<Option<DateTime<Utc>>, Invalid> {
    single_value(params, name)?.map(|raw| Ok(parse_datetime(name, raw)?.to_utc())).transpose()
}

/// The query of `GET requests` from its parameters. Parameters GeoReport does not define
/// (`jurisdiction_id`, `api_key`, a client's own extensions) are ignored, as clients send them.
pub fn parse_request_query(
    params: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<RequestQuery, Invalid> {
    // Counted as sent (before trimming), so the rule reads as one pattern in the contract.
    let pieces: Vec<&str> = params
        .iter()
        .filter(|(key, _)| key == "service_request_id")
        .flat_map(|(_, value)| value.split(','))
        .collect();
    if pieces.iter().any(|id| id.chars().count() > MAX_ID_LENGTH) {
        return Err(Invalid::new("service_request_id", Reason::TooLong { max: MAX_ID_LENGTH }));
    }
    if pieces.len() > MAX_IDS {
        return Err(Invalid::new(
            "service_request_id",
            Reason::OutOfRange { min: 1, max: MAX_IDS as i64 },
        ));
    }
    let ids: Vec<String> =
        pieces.into_iter().map(str::trim).filter(|id| !id.is_empty()).map(String::from).collect();
    let service_codes = list(params, "service_code").into_iter().map(String::from).collect();
    let mut statuses = Vec::new();
    for status in list(params, "status") {
        let matching = match status {
            "open" | "closed" => {
                ComplaintStatus::ALL.into_iter().filter(|s| public_status(*s) == status)
            }
            _ => {
                return Err(Invalid::new("status", Reason::OneOf { allowed: &["open", "closed"] }))
            }
        };
        for status in matching {
            // `status=open&status=open…` binds each status once, however often it is repeated.
            if !statuses.contains(&status) {
                statuses.push(status);
            }
        }
    }
    let window = Duration::days(WINDOW_DAYS);
    let (from, to) = match (datetime(params, "start_date")?, datetime(params, "end_date")?) {
        (None, None) => (now - window, now),
        (Some(from), None) => (from, from + window),
        (None, Some(to)) => (to - window, to),
        (Some(from), Some(to)) => (from, to),
    };
    if from > to {
        return Err(Invalid::new(
            "end_date",
            Reason::Format {
                expected_vi: "không sớm hơn start_date",
                expected_en: "no earlier than start_date",
            },
        ));
    }
    if to - from > window {
        return Err(Invalid::new(
            "end_date",
            Reason::Format {
                expected_vi: "trong vòng 90 ngày kể từ start_date",
                expected_en: "within 90 days of start_date",
            },
        ));
    }
    // The spec has ids override every filter; the filters are still checked, so a client
    // sending a malformed one hears of it.
    if !ids.is_empty() {
        return Ok(RequestQuery::Ids(ids));
    }
    Ok(RequestQuery::Window(RequestWindow { service_codes, statuses, from, to }))
}

/// The answers in a filing's form: `attribute[CODE]=v`, and `attribute[CODE][]=v` repeated for
/// a multi-value list. Other keys are not answers.
pub fn attribute_answers(params: &[(String, String)]) -> HashMap<String, Vec<String>> {
    let mut answers: HashMap<String, Vec<String>> = HashMap::new();
    for (key, value) in params {
        let Some(rest) = key.strip_prefix("attribute[") else { continue };
        let code = rest.strip_suffix("][]").or_else(|| rest.strip_suffix(']'));
        if let Some(code) = code.filter(|c| !c.is_empty() && !c.contains(['[', ']'])) {
            answers.entry(code.to_string()).or_default().push(value.clone());
        }
    }
    answers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z").unwrap().with_timezone(&Utc)
    }

    fn window(pairs: &[(&str, &str)]) -> RequestWindow {
        match parse_request_query(&params(pairs), now()).unwrap() {
            RequestQuery::Window(window) => window,
            other => panic!("expected a window, got {other:?}"),
        }
    }

    fn refused_field(pairs: &[(&str, &str)]) -> String {
        parse_request_query(&params(pairs), now()).unwrap_err().field
    }

    #[test]
    fn working_statuses_are_open_and_finished_ones_closed() {
        let open: Vec<&str> = ComplaintStatus::ALL
            .into_iter()
            .filter(|s| public_status(*s) == "open")
            .map(ComplaintStatus::as_str)
            .collect();
        assert_eq!(open, ["new", "acknowledged", "in_progress"]);
    }

    #[test]
    fn without_dates_the_last_ninety_days_are_asked() {
        let w = window(&[("jurisdiction_id", "anything")]);
        assert_eq!(w.to, now());
        assert_eq!(w.from, now() - Duration::days(90));
        assert!(w.service_codes.is_empty() && w.statuses.is_empty());
    }

    #[test]
    fn one_date_opens_a_ninety_day_window_from_it() {
        let w = window(&[("start_date", "2026-01-01T00:00:00+07:00")]);
        assert_eq!(w.from.to_rfc3339(), "2025-12-31T17:00:00+00:00");
        assert_eq!(w.to - w.from, Duration::days(90));
        let w = window(&[("end_date", "2026-03-01T00:00:00Z")]);
        assert_eq!(w.to - w.from, Duration::days(90));
    }

    #[test]
    fn lists_are_comma_delimited_or_repeated_and_status_names_ours() {
        let w = window(&[
            ("service_code", "garbage,noise"),
            ("service_code", "trees"),
            ("status", "closed"),
            ("status", "closed,closed"),
        ]);
        assert_eq!(w.service_codes, ["garbage", "noise", "trees"]);
        assert_eq!(
            w.statuses,
            [
                ComplaintStatus::Resolved,
                ComplaintStatus::Rejected,
                ComplaintStatus::Duplicate,
                ComplaintStatus::Closed
            ]
        );
    }

    #[test]
    fn ids_override_every_other_filter() {
        let query = parse_request_query(
            &params(&[("service_request_id", "a, b"), ("status", "closed")]),
            now(),
        )
        .unwrap();
        assert_eq!(query, RequestQuery::Ids(vec!["a".into(), "b".into()]));
    }

    #[test]
    fn bad_filters_name_their_parameter() {
        assert_eq!(refused_field(&[("status", "pending")]), "status");
        assert_eq!(refused_field(&[("start_date", "2026-01-01")]), "start_date");
        assert_eq!(refused_field(&[("end_date", "yesterday")]), "end_date");
        assert_eq!(
            refused_field(&[
                ("start_date", "2026-06-01T00:00:00Z"),
                ("end_date", "2026-01-01T00:00:00Z")
            ]),
            "end_date"
        );
        assert_eq!(
            refused_field(&[
                ("start_date", "2026-01-01T00:00:00Z"),
                ("end_date", "2026-06-01T00:00:00Z")
            ]),
            "end_date"
        );
        assert_eq!(
            refused_field(&[
                ("start_date", "2026-01-01T00:00:00Z"),
                ("start_date", "2026-02-01T00:00:00Z")
            ]),
            "start_date"
        );
        let many = vec!["x"; 101].join(",");
        assert_eq!(refused_field(&[("service_request_id", &many)]), "service_request_id");
        let long = "x".repeat(65);
        assert_eq!(refused_field(&[("service_request_id", &long)]), "service_request_id");
        let commas = ",".repeat(100);
        assert_eq!(refused_field(&[("service_request_id", &commas)]), "service_request_id");
        assert_eq!(
            refused_field(&[("service_request_id", "a"), ("end_date", "soon")]),
            "end_date",
            "filters beside ids are still checked"
        );
    }

    #[test]
    fn attribute_keys_give_answers_by_code() {
        let answers = attribute_answers(&params(&[
            ("attribute[damage_type]", "pothole"),
            ("attribute[hours][]", "night"),
            ("attribute[hours][]", "weekend"),
            ("attribute[]", "ignored"),
            ("attribute[a][b]", "ignored"),
            ("description", "not an answer"),
        ]));
        assert_eq!(answers.len(), 2);
        assert_eq!(answers["damage_type"], ["pothole"]);
        assert_eq!(answers["hours"], ["night", "weekend"]);
    }
}

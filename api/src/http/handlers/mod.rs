//! The handlers: each parses its request, calls one use case in `app`, and renders the answer.
//! What several share (time stamps, paging, cursors) is here.

pub mod accounts;
pub mod admin;
pub mod agency;
pub mod air;
pub mod cameras;
pub mod categories;
pub mod complaint_events;
pub mod complaint_filing;
pub mod complaint_views;
pub mod complaints;
pub mod devices;
pub mod dossier_views;
pub mod dossiers;
pub mod health;
pub mod inbox;
pub mod land;
pub mod online_dossiers;
pub mod open311;
pub mod open311_clients;
pub mod phone;
pub mod places;
pub mod procedures;
pub mod push_admin;
pub mod questions;
pub mod sms;
pub mod stats;
pub mod warnings;

use crate::app::error::ApiError;
use chrono::{NaiveDateTime, SecondsFormat};
use serde::Deserialize;

/// Timestamps leave the API as RFC 3339 in UTC.
/// Whether a conditional GET's `If-None-Match` names `tag` (or `*`): the answer is then 304.
pub fn etag_matches(req: &actix_web::HttpRequest, tag: &str) -> bool {
    req.headers()
        .get(actix_web::http::header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').map(str::trim).any(|t| t == tag || t == "*"))
}

pub fn utc(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Keyset cursor of lists newest first: the last item's creation time (microseconds) and id.
pub fn cursor_after(created_at: NaiveDateTime, id: &str) -> String {
    format!("{}_{id}", created_at.and_utc().timestamp_micros())
}

/// The `(created_at, id)` a `cursor` query parameter stands for.
pub fn parse_cursor(raw: &str) -> Result<(NaiveDateTime, String), ApiError> {
    parse_cursor_in("cursor", raw)
}

/// The `(created_at, id)` the cursor in query parameter `field` stands for.
pub fn parse_cursor_in(field: &str, raw: &str) -> Result<(NaiveDateTime, String), ApiError> {
    let bad = || {
        ApiError::invalid_query(
            field,
            format!("`{field}` không hợp lệ"),
            format!("`{field}` is not valid"),
        )
    };
    let (micros, id) = raw.split_once('_').ok_or_else(bad)?;
    let micros: i64 = micros.parse().map_err(|_| bad())?;
    let at = chrono::DateTime::from_timestamp_micros(micros).ok_or_else(bad)?.naive_utc();
    if id.is_empty() || id.chars().count() > 64 {
        return Err(bad());
    }
    Ok((at, id.to_string()))
}

/// `?page=&per_page=`, 1-based, at most 100 a page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paging {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

pub const MAX_PER_PAGE: u32 = 100;

impl Paging {
    /// `(page, per_page, offset)` after bounds checks.
    pub fn resolve(&self) -> Result<(u32, u32, i64), ApiError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(20);
        if page == 0 || page > 100_000 {
            return Err(ApiError::invalid_query(
                "page",
                "`page` phải từ 1 đến 100000",
                "`page` must be between 1 and 100000",
            ));
        }
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(ApiError::invalid_query(
                "per_page",
                format!("`per_page` phải từ 1 đến {MAX_PER_PAGE}"),
                format!("`per_page` must be between 1 and {MAX_PER_PAGE}"),
            ));
        }
        Ok((page, per_page, i64::from(page - 1) * i64::from(per_page)))
    }
}

/// `?limit=` of a cursor list: `default` when absent, else 1 to `max`.
pub fn limit(raw: Option<i64>, default: i64, max: i64) -> Result<i64, ApiError> {
    let limit = raw.unwrap_or(default);
    if !(1..=max).contains(&limit) {
        return Err(ApiError::invalid_query(
            "limit",
            format!("`limit` phải từ 1 đến {max}"),
            format!("`limit` must be between 1 and {max}"),
        ));
    }
    Ok(limit)
}

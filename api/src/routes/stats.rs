//! Public statistics: how fast each agency finishes dossiers. No personal data.

use crate::extract::ApiQuery;
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use smartcity_db::{agencies, complaints, dossiers};
use smartcity_domain::complaint::{monthly_complaint_stats, ComplaintMonth};
use smartcity_domain::dossier::{monthly_stats, MonthStats};
use std::collections::HashMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// First month, `YYYY-MM`; default: eleven months before this one.
    from: Option<String>,
    /// Last month, `YYYY-MM`; default: this month.
    to: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgencyRef {
    id: String,
    code: String,
    name: String,
}

#[derive(Debug, Serialize)]
pub struct AgencyMonth {
    agency: AgencyRef,
    #[serde(flatten)]
    stats: MonthStats,
}

#[derive(Debug, Serialize)]
pub struct DossierStats {
    from: String,
    to: String,
    items: Vec<AgencyMonth>,
}

fn month(field: &str, raw: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| raw.len() == 7)
        .ok_or_else(|| {
            ApiError::invalid_query(
                field,
                format!("`{field}` là một tháng dạng YYYY-MM"),
                format!("`{field}` is a month, YYYY-MM"),
            )
        })
}

/// The months asked for: `from`..=`to`, the last twelve by default.
fn months(query: &StatsQuery) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let this_month = super::dossier_views::today().with_day(1).expect("day 1 exists");
    let to = match &query.to {
        Some(raw) => month("to", raw)?,
        None => this_month,
    };
    let from = match &query.from {
        Some(raw) => month("from", raw)?,
        None => to - Months::new(11),
    };
    if from > to || to - Months::new(120) > from {
        return Err(ApiError::invalid_query(
            "from",
            "`from` phải trước `to` và cách không quá 10 năm",
            "`from` must not be after `to`, nor more than ten years before it",
        ));
    }
    Ok((from, to))
}

fn agency_refs(agencies: Vec<smartcity_db::agencies::AgencyRow>) -> HashMap<String, AgencyRef> {
    agencies
        .into_iter()
        .map(|a| (a.id.clone(), AgencyRef { id: a.id, code: a.code, name: a.name }))
        .collect()
}

pub async fn dossiers(
    state: web::Data<AppState>,
    query: ApiQuery<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let (from, to) = months(&query.0)?;
    let (dates, agencies) = state
        .db(move |conn| Ok((dossiers::dates_since(conn, from)?, agencies::list_all(conn)?)))
        .await?;
    let names = agency_refs(agencies);
    let (first, last) = (from.format("%Y-%m").to_string(), to.format("%Y-%m").to_string());
    let items = monthly_stats(&dates)
        .into_iter()
        .filter(|s| s.month >= first && s.month <= last)
        .filter_map(|stats| {
            let agency = names.get(&stats.agency_id)?;
            let agency = AgencyRef {
                id: agency.id.clone(),
                code: agency.code.clone(),
                name: agency.name.clone(),
            };
            Some(AgencyMonth { agency, stats })
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(DossierStats { from: first, to: last, items }))
}

#[derive(Debug, Serialize)]
pub struct AgencyComplaintMonth {
    agency: AgencyRef,
    #[serde(flatten)]
    stats: ComplaintMonth,
}

#[derive(Debug, Serialize)]
pub struct ComplaintStats {
    from: String,
    to: String,
    items: Vec<AgencyComplaintMonth>,
}

/// `GET /v1/stats/complaints`: per agency and month, received, resolved, resolved within the
/// SLA, median hours to resolve, average rating. No personal data.
pub async fn complaints(
    state: web::Data<AppState>,
    query: ApiQuery<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let (from, to) = months(&query.0)?;
    // A day early: months are Vietnam's, seven hours ahead of the stored UTC.
    let since = (from - chrono::Days::new(1)).and_hms_opt(0, 0, 0).expect("midnight exists");
    let (outcomes, agencies) = state
        .db(move |conn| Ok((complaints::outcomes_since(conn, since)?, agencies::list_all(conn)?)))
        .await?;
    let names = agency_refs(agencies);
    let (first, last) = (from.format("%Y-%m").to_string(), to.format("%Y-%m").to_string());
    let items = monthly_complaint_stats(&outcomes)
        .into_iter()
        .filter(|s| s.month >= first && s.month <= last)
        .filter_map(|stats| {
            Some(AgencyComplaintMonth { agency: names.get(&stats.agency_id)?.clone(), stats })
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(ComplaintStats { from: first, to: last, items }))
}

//! Public statistics: how fast each agency finishes dossiers and resolves complaints, per
//! month (Vietnam's). No personal data.

use crate::app::dossiers::today;
use crate::app::error::ApiError;
use crate::app::state::AppState;
use chrono::{Datelike, NaiveDate};
use smartcity_db::agencies::{self, AgencyRow};
use smartcity_db::{complaints, dossiers};
use smartcity_domain::complaint::{monthly_complaint_stats, ComplaintMonth};
use smartcity_domain::dossier::{monthly_stats, MonthStats};
use std::collections::HashMap;

/// The first days of the first and last months asked for: the last twelve by default, at most
/// ten years.
pub struct MonthRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl MonthRange {
    pub fn new(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<MonthRange, ApiError> {
        let this_month = today().with_day(1).expect("day 1 exists");
        let to = to.unwrap_or(this_month);
        let from = from.unwrap_or(to - chrono::Months::new(11));
        if from > to || to - chrono::Months::new(120) > from {
            return Err(ApiError::invalid_query(
                "from",
                "`from` phải trước `to` và cách không quá 10 năm",
                "`from` must not be after `to`, nor more than ten years before it",
            ));
        }
        Ok(MonthRange { from, to })
    }

    /// `YYYY-MM` of the first and last month.
    pub fn labels(&self) -> (String, String) {
        (self.from.format("%Y-%m").to_string(), self.to.format("%Y-%m").to_string())
    }

    fn holds(&self, month: &str) -> bool {
        let (first, last) = self.labels();
        month >= first.as_str() && month <= last.as_str()
    }
}

fn by_id(agencies: Vec<AgencyRow>) -> HashMap<String, AgencyRow> {
    agencies.into_iter().map(|a| (a.id.clone(), a)).collect()
}

/// Per agency and month: received, finished, finished on time, the on-time rate.
pub async fn dossiers(
    state: &AppState,
    months: &MonthRange,
) -> Result<Vec<(AgencyRow, MonthStats)>, ApiError> {
    let from = months.from;
    let (dates, agencies) = state
        .db(move |conn| Ok((dossiers::dates_since(conn, from)?, agencies::list_all(conn)?)))
        .await?;
    let agencies = by_id(agencies);
    Ok(monthly_stats(&dates)
        .into_iter()
        .filter(|s| months.holds(&s.month))
        .filter_map(|stats| Some((agencies.get(&stats.agency_id)?.clone(), stats)))
        .collect())
}

/// Per agency and month: received, resolved, resolved within the SLA, median hours to
/// resolve, average rating.
pub async fn complaints(
    state: &AppState,
    months: &MonthRange,
) -> Result<Vec<(AgencyRow, ComplaintMonth)>, ApiError> {
    // A day early: months are Vietnam's, seven hours ahead of the stored UTC.
    let since = (months.from - chrono::Days::new(1)).and_hms_opt(0, 0, 0).expect("midnight exists");
    let (outcomes, agencies) = state
        .db(move |conn| Ok((complaints::outcomes_since(conn, since)?, agencies::list_all(conn)?)))
        .await?;
    let agencies = by_id(agencies);
    Ok(monthly_complaint_stats(&outcomes)
        .into_iter()
        .filter(|s| months.holds(&s.month))
        .filter_map(|stats| Some((agencies.get(&stats.agency_id)?.clone(), stats)))
        .collect())
}

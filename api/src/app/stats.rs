//! Public statistics: how fast each agency finishes dossiers and resolves complaints, per
//! month (Vietnam's). No personal data.

use crate::app::dossiers::today;
use crate::app::error::ApiError;
use crate::app::state::AppState;
use chrono::{Datelike, NaiveDate};
use smartcity_db::agencies::{self, AgencyRow};
use smartcity_db::questions::{self, AgencyFigures};
use smartcity_db::{complaints, dossiers};
use smartcity_domain::complaint::{
    complaint_records_since, monthly_complaint_stats, ComplaintMonth, ComplaintRecord,
};
use smartcity_domain::dossier::{monthly_stats, DossierChannel, MonthStats};
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

    /// The first moment after the last month (Vietnam's midnight, in UTC).
    pub fn end(&self) -> chrono::NaiveDateTime {
        let next = self.to + chrono::Months::new(1);
        next.and_hms_opt(0, 0, 0).expect("midnight exists") - chrono::Duration::hours(7)
    }

    /// The first moment of the first month (Vietnam's midnight, in UTC).
    pub fn start(&self) -> chrono::NaiveDateTime {
        self.from.and_hms_opt(0, 0, 0).expect("midnight exists") - chrono::Duration::hours(7)
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

/// One agency's record over a period, complaints and dossiers side by side.
pub struct AgencyRecord {
    pub agency: AgencyRow,
    pub complaints: Option<ComplaintRecord>,
    pub dossiers_received: u64,
    pub dossiers_finished: u64,
    pub dossiers_on_time: u64,
    /// Of those, the ones submitted online.
    pub online_received: u64,
    pub online_finished: u64,
    pub online_on_time: u64,
    /// Online dossiers waiting more than two working days for anyone to receive them, now.
    pub online_unreceived: u64,
    /// Citizens' questions it received over the period, and those open past their time now.
    pub questions: AgencyFigures,
}

impl AgencyRecord {
    pub fn dossier_on_time_rate(&self) -> Option<f64> {
        rate(self.dossiers_on_time, self.dossiers_finished)
    }

    pub fn online_on_time_rate(&self) -> Option<f64> {
        rate(self.online_on_time, self.online_finished)
    }

    pub fn question_on_time_rate(&self) -> Option<f64> {
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        rate(count(self.questions.answered_on_time), count(self.questions.answered))
    }
}

fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Every agency's record over `months` (complaints: from its first month until now), by name; an agency with
/// nothing to show is listed too (an empty row says something in public).
pub async fn records(state: &AppState, months: &MonthRange) -> Result<Vec<AgencyRecord>, ApiError> {
    let from = months.from;
    // Months are Vietnam's: the first one began at 17:00 UTC the day before.
    let since = months.start().and_utc();
    let submitted_by = state.config.calendar.waited_since(crate::app::dossiers::today(), 2);
    let until = months.end();
    let (outcomes, dates, agencies, unreceived, mut questions) = state
        .db(move |conn| {
            Ok((
                complaints::outcomes_since(conn, since.naive_utc())?,
                dossiers::dates_since(conn, from)?,
                agencies::list_all(conn)?,
                dossiers::unreceived_counts(conn, submitted_by)?,
                questions::figures(conn, since.naive_utc(), until, smartcity_db::now())?,
            ))
        })
        .await?;
    let mut by_agency: HashMap<String, ComplaintRecord> = complaint_records_since(&outcomes, since)
        .into_iter()
        .map(|r| (r.agency_id.clone(), r))
        .collect();
    let mut records: Vec<AgencyRecord> = agencies
        .into_iter()
        .map(|agency| AgencyRecord {
            complaints: by_agency.remove(&agency.id),
            online_unreceived: unreceived
                .iter()
                .find(|(id, _)| *id == agency.id)
                .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0)),
            questions: match questions.iter().position(|f| f.agency_id == agency.id) {
                Some(at) => questions.swap_remove(at),
                None => AgencyFigures { agency_id: agency.id.clone(), ..AgencyFigures::default() },
            },
            agency,
            dossiers_received: 0,
            dossiers_finished: 0,
            dossiers_on_time: 0,
            online_received: 0,
            online_finished: 0,
            online_on_time: 0,
        })
        .collect();
    for month in monthly_stats(&dates).into_iter().filter(|s| months.holds(&s.month)) {
        if let Some(record) = records.iter_mut().find(|r| r.agency.id == month.agency_id) {
            record.dossiers_received += month.received;
            record.dossiers_finished += month.finished;
            record.dossiers_on_time += month.finished_on_time;
            for online in month.channels.iter().filter(|c| c.channel == DossierChannel::Online) {
                record.online_received += online.received;
                record.online_finished += online.finished;
                record.online_on_time += online.finished_on_time;
            }
        }
    }
    records.sort_by(|a, b| a.agency.name.cmp(&b.agency.name));
    Ok(records)
}

/// Per agency over the period: questions received, answered, answered in time, and those open
/// past their time now.
pub async fn questions(
    state: &AppState,
    months: &MonthRange,
) -> Result<Vec<(AgencyRow, AgencyFigures)>, ApiError> {
    let (since, until) = (months.start(), months.end());
    let (figures, agencies) = state
        .db(move |conn| {
            let now = smartcity_db::now();
            Ok((questions::figures(conn, since, until, now)?, agencies::list_all(conn)?))
        })
        .await?;
    let agencies = by_id(agencies);
    let mut rows: Vec<(AgencyRow, AgencyFigures)> = figures
        .into_iter()
        .filter_map(|f| Some((agencies.get(&f.agency_id)?.clone(), f)))
        .collect();
    rows.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    Ok(rows)
}

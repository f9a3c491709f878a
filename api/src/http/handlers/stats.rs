//! Public statistics per agency and month. No personal data.

use crate::app::error::ApiError;
use crate::app::state::AppState;
use crate::app::stats::{self, MonthRange};
use crate::http::extract::ApiQuery;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use smartcity_db::agencies::AgencyRow;
use smartcity_domain::datetime::StrictMonth;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// First month, `YYYY-MM`; default: eleven months before the last.
    from: Option<StrictMonth>,
    /// Last month, `YYYY-MM`; default: this month.
    to: Option<StrictMonth>,
}

fn months(query: &StatsQuery) -> Result<MonthRange, ApiError> {
    MonthRange::new(query.from.map(|m| m.0), query.to.map(|m| m.0))
}

#[derive(Debug, Clone, Serialize)]
pub struct AgencyRef {
    id: String,
    code: String,
    name: String,
}

#[derive(Debug, Serialize)]
pub struct AgencyMonth<T: Serialize> {
    agency: AgencyRef,
    #[serde(flatten)]
    stats: T,
}

#[derive(Debug, Serialize)]
pub struct Stats<T: Serialize> {
    from: String,
    to: String,
    items: Vec<AgencyMonth<T>>,
}

fn render<T: Serialize>(months: &MonthRange, rows: Vec<(AgencyRow, T)>) -> HttpResponse {
    let (from, to) = months.labels();
    let items = rows
        .into_iter()
        .map(|(a, stats)| AgencyMonth {
            agency: AgencyRef { id: a.id, code: a.code, name: a.name },
            stats,
        })
        .collect();
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "public, max-age=300")).json(Stats {
        from,
        to,
        items,
    })
}

/// `GET /v1/stats/dossiers`: received, finished, finished on time, the on-time rate.
pub async fn dossiers(
    state: web::Data<AppState>,
    query: ApiQuery<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let months = months(&query.0)?;
    Ok(render(&months, stats::dossiers(&state, &months).await?))
}

/// `GET /v1/stats/complaints`: received, resolved, resolved within the SLA, median hours to
/// resolve, average rating.
pub async fn complaints(
    state: web::Data<AppState>,
    query: ApiQuery<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let months = months(&query.0)?;
    Ok(render(&months, stats::complaints(&state, &months).await?))
}

/// `GET /v1/stats/questions`: per agency over the period, questions received, answered,
/// answered in time, and those open past their time now.
pub async fn questions(
    state: web::Data<AppState>,
    query: ApiQuery<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let months = months(&query.0)?;
    let rows = stats::questions(&state, &months).await?;
    let rows = rows
        .into_iter()
        .map(|(agency, f)| {
            let figures = QuestionFigures {
                received: f.asked,
                answered: f.answered,
                answered_on_time: f.answered_on_time,
                overdue_now: f.overdue,
            };
            (agency, figures)
        })
        .collect();
    Ok(render(&months, rows))
}

#[derive(Debug, Serialize)]
struct QuestionFigures {
    received: i64,
    answered: i64,
    answered_on_time: i64,
    /// Open and past their time at the moment of asking.
    overdue_now: i64,
}

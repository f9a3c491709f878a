//! An agency's figures, per month: complaints received, resolved, within the SLA, median
//! hours, average rating; dossiers received, finished, on time. The same numbers as
//! `/v1/stats/*` (the same use cases), as charts drawn on the server and as a table that
//! downloads as CSV. Staff see their agency's; an administrator chooses one, or all.

use super::layout::{frame, tr, Section};
use super::session::Console;
use crate::app::error::ApiError;
use crate::app::places;
use crate::app::state::AppState;
use crate::app::stats::{self, MonthRange};
use crate::http::extract::ApiQuery;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;
use smartcity_domain::account::Role;
use smartcity_domain::complaint::ComplaintFigures;
use smartcity_domain::dossier::MonthStats;
use smartcity_domain::Lang;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiguresQuery {
    agency: Option<String>,
    /// `YYYY-MM`.
    from: Option<String>,
    to: Option<String>,
}

/// One month of one agency (or of all, summed).
#[derive(Debug, Default, Clone)]
struct Month {
    complaints_received: u64,
    complaints_resolved: u64,
    within_sla: u64,
    median_hours: Option<f64>,
    ratings: u64,
    rating_sum: f64,
    dossiers_received: u64,
    dossiers_finished: u64,
    on_time: u64,
}

impl Month {
    fn average_rating(&self) -> Option<f64> {
        (self.ratings > 0).then(|| self.rating_sum / self.ratings as f64)
    }
}

fn month(field: &str, value: &Option<String>) -> Result<Option<NaiveDate>, ApiError> {
    let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    NaiveDate::parse_from_str(&format!("{value}-01"), "%Y-%m-%d")
        .map(Some)
        .map_err(|_| ApiError::invalid_query(field, "Tháng dạng YYYY-MM", "A month as YYYY-MM"))
}

/// The months asked for, in order, for the agency the reader may see.
async fn figures(
    state: &AppState,
    console: &Console,
    query: &FiguresQuery,
) -> Result<(MonthRange, BTreeMap<String, Month>), ApiError> {
    let months = MonthRange::new(month("from", &query.from)?, month("to", &query.to)?)?;
    let agency = match console.caller.role {
        Role::Admin => query.agency.clone().filter(|a| !a.is_empty()),
        Role::Staff | Role::Citizen => Some(console.caller.staff_agency()?),
    };
    let mine = |id: &str| agency.as_deref().is_none_or(|a| a == id);
    let mut table: BTreeMap<String, Month> = BTreeMap::new();
    for (agency, c) in stats::complaints(state, &months).await? {
        if mine(&agency.id) {
            add_complaints(table.entry(c.month.clone()).or_default(), &c.figures);
        }
    }
    for (agency, d) in stats::dossiers(state, &months).await? {
        if mine(&agency.id) {
            add_dossiers(table.entry(d.month.clone()).or_default(), &d);
        }
    }
    Ok((months, table))
}

fn add_complaints(month: &mut Month, c: &ComplaintFigures) {
    month.complaints_received += c.received;
    month.within_sla += c.resolved_within_sla;
    // Several agencies' median is not known from their medians: for "all agencies" the
    // resolved-weighted mean of their medians stands in for it.
    month.median_hours = match (month.median_hours, c.median_hours_to_resolve) {
        (None, m) => m,
        (Some(a), Some(b)) if month.complaints_resolved + c.resolved > 0 => {
            let (wa, wb) = (month.complaints_resolved as f64, c.resolved as f64);
            Some((a * wa + b * wb) / (wa + wb))
        }
        (m, _) => m,
    };
    month.complaints_resolved += c.resolved;
    month.ratings += c.ratings;
    month.rating_sum += c.average_rating.unwrap_or(0.0) * c.ratings as f64;
}

fn add_dossiers(month: &mut Month, d: &MonthStats) {
    month.dossiers_received += d.received;
    month.dossiers_finished += d.finished;
    month.on_time += d.finished_on_time;
}

/// `GET /console/figures`.
pub async fn page(
    state: web::Data<AppState>,
    console: Console,
    query: ApiQuery<FiguresQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let (months, table) = figures(&state, &console, &query).await?;
    let directory = places::directory(&state).await?;
    let lang = console.lang;
    let t = |vi, en| tr(lang, vi, en);
    let (from, to) = months.labels();
    let csv = format!(
        "/console/figures.csv?from={from}&to={to}{}",
        query.agency.as_deref().map(|a| format!("&agency={a}")).unwrap_or_default()
    );
    let body = html! {
        form.filters method="get" action="/console/figures" {
            @if console.caller.role == Role::Admin {
                label { (t("Cơ quan", "Agency"))
                    select name="agency" {
                        option value="" { (t("Tất cả", "All")) }
                        @for agency in &directory.agencies {
                            option value=(agency.id) selected[query.agency.as_deref() == Some(agency.id.as_str())] { (agency.name) }
                        }
                    }
                }
            }
            label { (t("Từ tháng", "From")) input type="month" name="from" value=(from); }
            label { (t("đến tháng", "to")) input type="month" name="to" value=(to); }
            button type="submit" { (t("Xem", "Show")) }
            a.button.plain #csv href=(csv) download { (t("Tải CSV", "Download CSV")) }
        }
        div.split {
            div.card {
                h2 { (t("Phản ánh: tiếp nhận và đã xử lý", "Complaints: received and resolved")) }
                (bars(lang, &table, |m| (m.complaints_received, m.complaints_resolved), (t("Tiếp nhận", "Received"), t("Đã xử lý", "Resolved"))))
            }
            div.card {
                h2 { (t("Hồ sơ: tiếp nhận và hoàn thành", "Dossiers: received and finished")) }
                (bars(lang, &table, |m| (m.dossiers_received, m.dossiers_finished), (t("Tiếp nhận", "Received"), t("Hoàn thành", "Finished"))))
            }
        }
        h2 { (t("Số liệu theo tháng", "By month")) }
        div.card.scroll {
            table #figures {
                thead { tr { @for heading in headings(lang) { th { (heading) } } } }
                tbody { @for (month, m) in &table { tr data-month=(month) { @for cell in row(month, m) { td { (cell) } } } } }
            }
        }
    };
    let page = frame(
        lang,
        Some(&console),
        Section::Figures,
        t("Số liệu của cơ quan", "The agency's figures"),
        body,
    );
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(page.into_string()))
}

/// `GET /console/figures.csv`: the table, for a spreadsheet.
pub async fn csv(
    state: web::Data<AppState>,
    console: Console,
    query: ApiQuery<FiguresQuery>,
) -> Result<HttpResponse, ApiError> {
    let (months, table) = figures(&state, &console, &query.0).await?;
    let mut out = String::new();
    let line = |cells: Vec<String>| {
        cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(",") + "\r\n"
    };
    out.push_str(&line(headings(console.lang).iter().map(|h| h.to_string()).collect()));
    for (month, m) in &table {
        out.push_str(&line(row(month, m)));
    }
    let (from, to) = months.labels();
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"figures-{from}-{to}.csv\""),
        ))
        // A byte-order mark, so spreadsheet programs read the Vietnamese headings as UTF-8.
        .body(format!("\u{feff}{out}")))
}

/// A cell as RFC 4180 wants it, and never read as a formula by a spreadsheet.
fn csv_cell(cell: &str) -> String {
    let safe =
        if cell.starts_with(['=', '+', '-', '@']) { format!("'{cell}") } else { cell.to_string() };
    if safe.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe
    }
}

fn headings(lang: Lang) -> [&'static str; 10] {
    [
        tr(lang, "Tháng", "Month"),
        tr(lang, "Phản ánh tiếp nhận", "Complaints received"),
        tr(lang, "Phản ánh đã xử lý", "Complaints resolved"),
        tr(lang, "Xử lý đúng hạn", "Resolved within SLA"),
        tr(lang, "Giờ xử lý (trung vị)", "Median hours to resolve"),
        tr(lang, "Đánh giá trung bình", "Average rating"),
        tr(lang, "Hồ sơ tiếp nhận", "Dossiers received"),
        tr(lang, "Hồ sơ hoàn thành", "Dossiers finished"),
        tr(lang, "Hồ sơ đúng hạn", "Dossiers on time"),
        tr(lang, "Tỉ lệ đúng hạn", "On-time rate"),
    ]
}

fn row(month: &str, m: &Month) -> Vec<String> {
    let one = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.1}"));
    let rate =
        (m.dossiers_finished > 0).then(|| 100.0 * m.on_time as f64 / m.dossiers_finished as f64);
    vec![
        month.to_string(),
        m.complaints_received.to_string(),
        m.complaints_resolved.to_string(),
        m.within_sla.to_string(),
        one(m.median_hours),
        one(m.average_rating()),
        m.dossiers_received.to_string(),
        m.dossiers_finished.to_string(),
        m.on_time.to_string(),
        rate.map_or(String::new(), |r| format!("{r:.0}%")),
    ]
}

/// Two bars a month, drawn as SVG on the server: no script needed to read them.
fn bars(
    lang: Lang,
    table: &BTreeMap<String, Month>,
    values: impl Fn(&Month) -> (u64, u64),
    names: (&str, &str),
) -> Markup {
    const WIDTH: f64 = 520.0;
    const HEIGHT: f64 = 200.0;
    const BASE: f64 = 170.0;
    let most = table
        .values()
        .map(|m| {
            let (a, b) = values(m);
            a.max(b)
        })
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let slot = WIDTH / table.len().max(1) as f64;
    let bar = (slot / 2.0 - 4.0).clamp(2.0, 24.0);
    let height = |v: u64| (v as f64 / most) * (BASE - 10.0);
    html! {
        svg.chart viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } role="img" aria-label={ (names.0) " / " (names.1) } {
            @for (i, (month, m)) in table.iter().enumerate() {
                @let (a, b) = values(m);
                @let x = i as f64 * slot + slot / 2.0 - bar;
                rect x=(x) y=(BASE - height(a)) width=(bar) height=(height(a)) fill="#0b5cab" { title { (month) " · " (names.0) ": " (a) } }
                rect x=(x + bar) y=(BASE - height(b)) width=(bar) height=(height(b)) fill="#1e7b34" { title { (month) " · " (names.1) ": " (b) } }
                text x=(x + bar) y=(HEIGHT - 14.0) font-size="10" text-anchor="middle" fill="#5b6877" { (&month[5..]) }
            }
            line x1="0" x2=(WIDTH) y1=(BASE) y2=(BASE) stroke="#d8dee6" {}
        }
        p.muted { span.key.blue { "■" } " " (names.0) "  " span.key.green { "■" } " " (names.1) " · " (tr(lang, "cao nhất", "highest")) " " (most) }
    }
}

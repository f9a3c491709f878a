//! The public page at `/`: each agency's record over the last twelve months (complaints
//! resolved on time, the median time it took, the residents' rating, dossiers finished on
//! time) and a map of the newest complaints, in the spirit of FixMyStreet's dashboard. No
//! sign-in and nothing personal: the rows are the public map's.

use super::inbox::status_label;
use super::layout::{public_frame, tr};
use crate::app::dashboard::{self, CityPage};
use crate::app::error::ApiError;
use crate::app::state::AppState;
use crate::http::extract::ApiQuery;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;
use smartcity_domain::Lang;

#[derive(Debug, Default, Deserialize)]
pub struct PublicQuery {
    lang: Option<String>,
}

/// `GET /`.
pub async fn page(
    state: web::Data<AppState>,
    query: ApiQuery<PublicQuery>,
) -> Result<HttpResponse, ApiError> {
    // Vietnamese unless the reader switched, as in the console (whatever the browser says).
    let lang = match query.0.lang.as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Vi,
    };
    let city = dashboard::city(&state).await?;
    let title = tr(lang, "Chính quyền trả lời người dân", "How the city answers its residents");
    let body = html! { (records(lang, &city)) (map(lang, &city, &state.config.map_tiles)) };
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        // Nothing personal and the same for everyone: a minute's caching spares the database.
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .body(public_frame(lang, title, body).into_string()))
}

fn records(lang: Lang, city: &CityPage) -> Markup {
    let t = |vi, en| tr(lang, vi, en);
    let (from, to) = (city.months.from.format("%m/%Y"), city.months.to.format("%m/%Y"));
    html! {
        p { (t("Mười hai tháng gần nhất", "The last twelve months")) " (" (from) " – " (to) ")." }
        div.scroll { table #records {
            thead {
                tr {
                    th rowspan="2" { (t("Cơ quan", "Agency")) }
                    th colspan="5" { (t("Phản ánh", "Complaints")) }
                    th colspan="5" { (t("Hồ sơ", "Dossiers")) }
                    th colspan="3" { (t("Hỏi đáp", "Questions")) }
                }
                tr {
                    th { (t("Tiếp nhận", "Received")) } th { (t("Đã xử lý", "Resolved")) }
                    th { (t("Đúng hạn", "On time")) } th { (t("Trung vị (giờ)", "Median (hours)")) }
                    th { (t("Đánh giá", "Rating")) }
                    th { (t("Đã giải quyết", "Finished")) } th { (t("Đúng hạn", "On time")) }
                    th { (t("Nộp trực tuyến", "Submitted online")) }
                    th { (t("Trực tuyến đúng hạn", "Online on time")) }
                    th { (t("Chưa tiếp nhận (quá 2 ngày làm việc)", "Not yet received (over 2 working days)")) }
                    th { (t("Tiếp nhận", "Received")) }
                    th { (t("Trả lời đúng hạn", "Answered on time")) }
                    th { (t("Quá hạn chưa trả lời", "Overdue, unanswered")) }
                }
            }
            tbody { @for record in &city.records {
                @let complaints = record.complaints.as_ref().map(|c| &c.figures);
                tr data-agency=(record.agency.code) {
                    td { (record.agency.name) }
                    td.num { (complaints.map_or(0, |c| c.received)) }
                    td.num { (complaints.map_or(0, |c| c.resolved)) }
                    td.num { (percent(complaints.and_then(|c| c.on_time_rate()))) }
                    td.num { (hours(complaints.and_then(|c| c.median_hours_to_resolve))) }
                    td.num {
                        @match complaints.and_then(|c| c.average_rating.map(|r| (r, c.ratings))) {
                            Some((rating, count)) => { (format!("{rating:.1}")) " ★ (" (count) ")" }
                            None => "—",
                        }
                    }
                    td.num { (record.dossiers_finished) }
                    td.num { (percent(record.dossier_on_time_rate())) }
                    td.num { (record.online_received) }
                    td.num { (percent(record.online_on_time_rate())) }
                    td.num.unreceived { (record.online_unreceived) }
                    td.num { (record.questions.asked) }
                    td.num { (percent(record.question_on_time_rate())) }
                    td.num.questions-overdue { (record.questions.overdue) }
                }
            } }
        } }
    }
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or("—".into(), |r| format!("{:.0} %", r * 100.0))
}

fn hours(median: Option<f64>) -> String {
    median.map_or("—".into(), |h| format!("{h:.1}"))
}

/// The newest complaints on a map, and as a list for when the tiles cannot load.
fn map(lang: Lang, city: &CityPage, tiles: &str) -> Markup {
    let t = |vi, en| tr(lang, vi, en);
    let category = |code: &str| {
        city.directory.category(code).map_or(code.to_string(), |c| c.name.get(lang).to_string())
    };
    let area = |code: Option<&str>| {
        code.and_then(|c| city.directory.area(c)).map_or("—", |a| a.name.as_str())
    };
    let points: Vec<serde_json::Value> = city
        .recent
        .iter()
        .map(|row| {
            let label =
                format!("{} · {}", category(&row.category_code), status_label(lang, row.status));
            serde_json::json!({ "lat": row.lat, "lon": row.lon, "label": label })
        })
        .collect();
    html! {
        h2 { (t("Phản ánh mới trong 30 ngày", "Complaints of the last 30 days")) }
        div #city-map.map data-map data-tiles=(tiles) data-attribution="© OpenStreetMap"
            data-lat=(city.centre.0) data-lon=(city.centre.1)
            data-points=(serde_json::Value::from(points).to_string()) {}
        p #city-map-note.map-note hidden {
            (t("Không tải được bản đồ nền; danh sách dưới đây vẫn đủ vị trí và khu vực.",
               "The map tiles could not be loaded; the list below gives every place and area."))
        }
        table #recent {
            thead { tr {
                th { (t("Ngày", "Date")) } th { (t("Loại", "Category")) }
                th { (t("Khu vực", "Area")) } th { (t("Trạng thái", "Status")) }
            } }
            tbody { @for row in city.recent.iter().take(20) {
                tr {
                    td { (super::layout::when(row.created_at)) }
                    td { (category(&row.category_code)) }
                    td { (area(row.area_code.as_deref())) }
                    td { (status_label(lang, row.status)) }
                }
            } }
        }
    }
}

//! The inbox: an agency's complaints (every agency's, for an administrator), counted by state
//! at the top, filtered, soonest due first, on a map, and refreshed every few seconds so new
//! ones appear without reloading.

use super::layout::{frame, tr, when, Section};
use super::session::Console;
use crate::app::complaints::reading::{self, AgencyListing, InboxPage};
use crate::app::error::ApiError;
use crate::app::places::{self, Directory};
use crate::app::state::AppState;
use crate::http::extract::ApiQuery;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDateTime};
use maud::{html, Markup};
use serde::{Deserialize, Serialize};
use smartcity_db::complaints::ComplaintRow;
use smartcity_domain::account::Role;
use smartcity_domain::complaint::ComplaintStatus;
use smartcity_domain::Lang;

const PER_PAGE: i64 = 25;
/// How often an open inbox asks for what is new.
const REFRESH: &str = "every 5s";

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    area: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    agency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    overdue: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    due_soon: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    q: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    after: Option<String>,
}

impl InboxQuery {
    fn listing(&self) -> Result<AgencyListing, ApiError> {
        fn given(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|v| !v.is_empty())
        }
        let status = match given(&self.status) {
            None | Some("open") => None,
            Some("all") => None,
            Some(word) => Some(
                ComplaintStatus::parse("status", word).map_err(|e| ApiError::from(e).in_query())?,
            ),
        };
        Ok(AgencyListing {
            status,
            open_only: matches!(given(&self.status), None | Some("open")),
            category: given(&self.category).map(str::to_string),
            area: given(&self.area).map(str::to_string),
            overdue: given(&self.overdue).is_some(),
            due_soon: given(&self.due_soon).is_some(),
            text: given(&self.q).map(str::to_string),
        })
    }

    /// Where the page starts: `(due_at, id)` of the last complaint of the page before.
    fn after(&self) -> Result<Option<(NaiveDateTime, String)>, ApiError> {
        let Some(cursor) = self.after.as_deref().filter(|c| !c.is_empty()) else { return Ok(None) };
        let parsed = cursor.split_once('.').and_then(|(micros, id)| {
            let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?.naive_utc();
            Some((at, id.to_string()))
        });
        parsed.map(Some).ok_or_else(|| {
            ApiError::invalid_query("after", "Trang tiếp theo không hợp lệ", "Invalid next page")
        })
    }

    /// The same selection, starting somewhere else.
    fn with_after(&self, after: Option<String>) -> String {
        let next = InboxQuery { after, ..self.clone_selection() };
        serde_urlencoded::to_string(&next).unwrap_or_default()
    }

    fn clone_selection(&self) -> InboxQuery {
        InboxQuery {
            status: self.status.clone(),
            category: self.category.clone(),
            area: self.area.clone(),
            agency: self.agency.clone(),
            overdue: self.overdue.clone(),
            due_soon: self.due_soon.clone(),
            q: self.q.clone(),
            after: None,
        }
    }
}

/// `GET /console/`: the whole page, or (asked by htmx) only its live part.
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    console: Console,
    query: ApiQuery<InboxQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let (listing, after) = (query.listing()?, query.after()?);
    let agency = query.agency.clone().filter(|a| !a.is_empty());
    let first_page = after.is_none();
    let inbox = reading::inbox(&state, &console.caller, agency, listing, after, PER_PAGE).await?;
    let directory = places::directory(&state).await?;
    let view = View {
        lang: console.lang,
        query: &query,
        inbox: &inbox,
        directory: &directory,
        first_page,
        admin: console.caller.role == Role::Admin,
    };
    let html = if req.headers().contains_key("hx-request") {
        view.live()
    } else {
        let body = html! {
            (view.filters())
            div.split {
                div { (view.live()) }
                div { (view.map(&state.config.map_tiles)) }
            }
        };
        frame(
            console.lang,
            Some(&console),
            Section::Inbox,
            tr(console.lang, "Hộp thư phản ánh", "Complaints inbox"),
            body,
        )
    };
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(html.into_string()))
}

struct View<'a> {
    lang: Lang,
    query: &'a InboxQuery,
    inbox: &'a InboxPage,
    directory: &'a Directory,
    first_page: bool,
    admin: bool,
}

impl View<'_> {
    fn t(&self, vi: &'static str, en: &'static str) -> &'static str {
        tr(self.lang, vi, en)
    }

    /// The counts and the list; on the first page it asks for itself again every few seconds.
    fn live(&self) -> Markup {
        let counts = &self.inbox.counts;
        let count_of =
            |status| counts.by_status.iter().find(|(s, _)| *s == status).map_or(0, |(_, n)| *n);
        let self_url = format!("/console/?{}", self.query.with_after(None));
        html! {
            // The map beside follows the points each refresh brings (console.js).
            div #live hx-get=[self.first_page.then_some(&self_url)] hx-trigger=[self.first_page.then_some(REFRESH)] hx-swap="outerHTML" data-points=(self.points()) {
                div.counts {
                    a href="/console/?status=new" { strong #count-new { (count_of(ComplaintStatus::New)) } (self.t("Mới", "New")) }
                    a href="/console/?status=acknowledged" { strong #count-acknowledged { (count_of(ComplaintStatus::Acknowledged)) } (self.t("Đã tiếp nhận", "Acknowledged")) }
                    a href="/console/?status=in_progress" { strong #count-in-progress { (count_of(ComplaintStatus::InProgress)) } (self.t("Đang xử lý", "In progress")) }
                    a.overdue href="/console/?overdue=1" { strong #count-overdue { (counts.overdue) } (self.t("Quá hạn", "Overdue")) }
                    a.soon href="/console/?due_soon=1" { strong #count-due-soon { (counts.due_soon) } (self.t("Đến hạn trong 1 ngày", "Due within a day")) }
                }
                @if self.inbox.rows.is_empty() {
                    p.card.muted { (self.t("Không có phản ánh nào phù hợp.", "No complaint matches.")) }
                } @else {
                    table #complaints {
                        thead { tr {
                            th { (self.t("Hạn xử lý", "Due")) }
                            th { (self.t("Phản ánh", "Complaint")) }
                            th { (self.t("Khu vực", "Area")) }
                            th { (self.t("Trạng thái", "Status")) }
                            @if self.admin { th { (self.t("Cơ quan", "Agency")) } }
                        } }
                        tbody { @for row in &self.inbox.rows { (self.row(row)) } }
                    }
                }
                @if let Some((due_at, id)) = &self.inbox.next {
                    p.more {
                        a.button.plain href={ "/console/?" (self.query.with_after(Some(format!("{}.{id}", due_at.and_utc().timestamp_micros())))) } {
                            (self.t("Trang sau", "Next page"))
                        }
                    }
                }
            }
        }
    }

    fn row(&self, row: &ComplaintRow) -> Markup {
        let category = self.directory.category(&row.category_code);
        let area = row.area_code.as_deref().and_then(|code| self.directory.area(code));
        let overdue = reading::overdue(row);
        let soon = !overdue
            && row.status.is_open()
            && row.due_at < smartcity_db::now() + reading::DUE_SOON;
        html! {
            tr data-id=(row.id) {
                td {
                    (when(row.due_at))
                    @if overdue { " " span.badge.overdue { (self.t("Quá hạn", "Overdue")) } }
                    @if soon { " " span.badge.soon { (self.t("Sắp đến hạn", "Due soon")) } }
                }
                td.desc {
                    a href={ "/console/complaints/" (row.id) } {
                        strong { (category.map_or(row.category_code.as_str(), |c| c.name.get(self.lang))) }
                    }
                    br;
                    (excerpt(&row.description))
                }
                td { (area.map_or("—", |a| a.name.as_str())) }
                td { span.badge { (status_label(self.lang, row.status)) } }
                @if self.admin { td { (self.directory.agency(&row.agency_id).map_or("—", |a| a.name.as_str())) } }
            }
        }
    }

    fn filters(&self) -> Markup {
        let q = self.query;
        let selected = |value: &Option<String>, option: &str| value.as_deref() == Some(option);
        html! {
            form.filters method="get" action="/console/" {
                label { (self.t("Trạng thái", "Status"))
                    select name="status" {
                        option value="open" selected[selected(&q.status, "open") || q.status.is_none()] { (self.t("Đang mở", "Open")) }
                        @for status in ComplaintStatus::ALL {
                            option value=(status.as_str()) selected[selected(&q.status, status.as_str())] { (status_label(self.lang, status)) }
                        }
                        option value="all" selected[selected(&q.status, "all")] { (self.t("Tất cả", "All")) }
                    }
                }
                label { (self.t("Lĩnh vực", "Category"))
                    select name="category" {
                        option value="" { "—" }
                        @for category in &self.directory.categories {
                            option value=(category.code) selected[selected(&q.category, &category.code)] { (category.name.get(self.lang)) }
                        }
                    }
                }
                label { (self.t("Khu vực", "Area"))
                    select name="area" {
                        option value="" { "—" }
                        @for area in &self.directory.areas {
                            option value=(area.code) selected[selected(&q.area, &area.code)] { (area.name) }
                        }
                    }
                }
                @if self.admin {
                    label { (self.t("Cơ quan", "Agency"))
                        select name="agency" {
                            option value="" { (self.t("Tất cả", "All")) }
                            @for agency in &self.directory.agencies {
                                option value=(agency.id) selected[selected(&q.agency, &agency.id)] { (agency.name) }
                            }
                        }
                    }
                }
                label { (self.t("Tìm", "Search"))
                    input type="search" name="q" value=[q.q.as_deref()] placeholder=(self.t("nội dung hoặc mã", "words or id"));
                }
                label { span { input type="checkbox" name="overdue" value="1" checked[q.overdue.is_some()]; " " (self.t("Quá hạn", "Overdue")) } }
                label { span { input type="checkbox" name="due_soon" value="1" checked[q.due_soon.is_some()]; " " (self.t("Sắp đến hạn", "Due soon")) } }
                button type="submit" { (self.t("Lọc", "Filter")) }
            }
        }
    }

    /// The page's complaints as the map draws them.
    fn points(&self) -> String {
        let points: Vec<serde_json::Value> = self
            .inbox
            .rows
            .iter()
            .map(|row| {
                serde_json::json!({
                    "id": row.id, "lat": row.lat, "lon": row.lon, "overdue": reading::overdue(row),
                    "href": format!("/console/complaints/{}", row.id),
                    "label": excerpt(&row.description),
                })
            })
            .collect();
        serde_json::Value::from(points).to_string()
    }

    /// The page's complaints on a map, drawn from the list's points and kept as it refreshes;
    /// without tiles, the points and the note remain.
    fn map(&self, tiles: &str) -> Markup {
        html! {
            div #inbox-map.map data-map data-tiles=(tiles) data-attribution="© OpenStreetMap" data-follows="live" {}
            p #inbox-map-note.map-note hidden {
                (self.t("Không tải được bản đồ nền; danh sách bên cạnh vẫn đủ vị trí và khu vực.",
                        "The map tiles could not be loaded; the list beside it gives every place and area."))
            }
        }
    }
}

pub fn status_label(lang: Lang, status: ComplaintStatus) -> &'static str {
    match lang {
        Lang::Vi => status.label_vi(),
        Lang::En => status.label_en(),
    }
}

/// The first words of a description, for a list.
pub fn excerpt(text: &str) -> String {
    const LONGEST: usize = 140;
    match text.char_indices().nth(LONGEST) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

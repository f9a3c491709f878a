//! A complaint as its agency works on it: everything about it, its whole timeline with the
//! internal notes, and a form for each step its status allows. The steps go through the same
//! use case as the API's `POST /v1/complaints/{id}/events`; a refusal comes back on the same
//! page, next to the field at fault, with what was typed kept.

use super::forms::Fields;
use super::html_page;
use super::inbox::status_label;
use super::layout::{field_error, frame, tr, when, Section};
use super::session::{Console, CSRF_FIELD};
use crate::app::complaints::events::{self, Recorder, Seen};
use crate::app::complaints::reading::{self, Nearby, Visible};
use crate::app::error::{ApiError, ErrorCode};
use crate::app::places::{self, Directory};
use crate::app::state::AppState;
use crate::http::multipart;
use actix_multipart::Multipart;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;
use smartcity_domain::account::Role;
use smartcity_domain::complaint::{Actor, EventKind, EventRequest};
use smartcity_domain::geo::{LatLon, Region};
use smartcity_domain::Lang;

/// Everything the page shows, read through the use cases.
struct Screen {
    complaint: Visible,
    directory: Directory,
    /// Open complaints near this one, the originals it may duplicate.
    originals: Vec<Nearby>,
    actor: Actor,
}

async fn screen(state: &AppState, console: &Console, id: &str) -> Result<Screen, ApiError> {
    let complaint = reading::for_staff(state, &console.caller, id).await?;
    let directory = places::directory(state).await?;
    let actor =
        if console.caller.role == Role::Admin { Actor::Admin } else { Actor::AssignedStaff };
    let row = complaint.complaint();
    let originals = if EventKind::Duplicate.open_to(actor, row.status) {
        let center = LatLon::parse(row.lat, row.lon, &Region::VIETNAM).map_err(ApiError::from)?;
        let (_, found) = reading::nearby(state, center, Some(row.category_code.clone())).await?;
        found.into_iter().filter(|n| n.row.id != row.id).collect()
    } else {
        Vec::new()
    };
    Ok(Screen { complaint, directory, originals, actor })
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// `GET /console/complaints/{id}`: 404 for a complaint of another agency.
pub async fn page(
    state: web::Data<AppState>,
    console: Console,
    id: web::Path<String>,
    done: web::Query<Done>,
) -> Result<HttpResponse, ApiError> {
    let screen = screen(&state, &console, &id).await?;
    let done = done.done.as_deref().and_then(|step| EventKind::parse("done", step).ok());
    let view = View { console: &console, screen: &screen, tiles: &state.config.map_tiles };
    Ok(html_page(StatusCode::OK, view.render(Outcome::Shown { done })))
}

/// `POST /console/complaints/{id}`: one step, from one of the page's forms.
pub async fn act(
    req: HttpRequest,
    state: web::Data<AppState>,
    console: Console,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let form = if multipart::is_multipart(&req) {
        multipart::read(Multipart::new(req.headers(), payload), &multipart::EVENT).await?
    } else {
        return Err(ApiError::new(ErrorCode::UnsupportedMediaType));
    };
    let fields = Fields::from_pairs(form.fields);
    console.check_form(&req, fields.get(CSRF_FIELD))?;
    let step =
        EventKind::parse("step", fields.get("step").unwrap_or_default()).map_err(ApiError::from)?;
    let request = step_request(step, &fields, form.photos.len() as u32)?;
    let seen = fields.get("seen").map_or(Seen::Anything, Seen::UpTo);
    let recorder = Recorder::Person(&console.caller);
    match events::record(&state, &id, recorder, request, form.photos, seen).await {
        Ok(_) => Ok(HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("/console/complaints/{id}?done={}", step.as_str()),
            ))
            .finish()),
        Err(refused) if refused.code.status() >= 500 || refused.code == ErrorCode::NotFound => {
            Err(refused)
        }
        Err(refused) => {
            let screen = screen(&state, &console, &id).await?;
            let status =
                StatusCode::from_u16(refused.code.status()).unwrap_or(StatusCode::BAD_REQUEST);
            let view = View { console: &console, screen: &screen, tiles: &state.config.map_tiles };
            Ok(html_page(
                status,
                view.render(Outcome::Refused { step, fields: &fields, error: &refused }),
            ))
        }
    }
}

/// The event a step's form asks for: the same request the API builds from its JSON.
fn step_request(step: EventKind, fields: &Fields, photos: u32) -> Result<EventRequest, ApiError> {
    let text = |name: &str| fields.get(name).unwrap_or_default().to_string();
    if photos > 0 && step != EventKind::Resolved {
        return Err(ApiError::invalid_field(
            "photos",
            "Chỉ khi hoàn thành mới kèm ảnh",
            "Only a resolution carries photos",
        ));
    }
    Ok(match step {
        EventKind::Acknowledged => EventRequest::Acknowledged { comment: text("comment") },
        EventKind::InProgress => EventRequest::InProgress { comment: fields.text("comment") },
        EventKind::Resolved => {
            EventRequest::Resolved { response: text("response"), after_photos: photos }
        }
        EventKind::Rejected => EventRequest::Rejected { reason: text("reason") },
        EventKind::Duplicate => EventRequest::Duplicate { duplicate_of: text("duplicate_of") },
        EventKind::Reassigned => {
            EventRequest::Reassigned { to_agency_id: text("to_agency_id"), reason: text("reason") }
        }
        EventKind::Note => EventRequest::Note { text: text("text") },
        EventKind::Filed | EventKind::Rated | EventKind::Reopened | EventKind::Closed => {
            return Err(ApiError::invalid_field(
                "step",
                "Cán bộ không thực hiện bước này",
                "Staff do not take this step",
            ))
        }
    })
}

/// What the page reports above its forms.
enum Outcome<'a> {
    Shown {
        done: Option<EventKind>,
    },
    /// A step was refused: its form is open again with what was typed and why.
    Refused {
        step: EventKind,
        fields: &'a Fields,
        error: &'a ApiError,
    },
}

struct View<'a> {
    console: &'a Console,
    screen: &'a Screen,
    tiles: &'a str,
}

impl View<'_> {
    fn lang(&self) -> Lang {
        self.console.lang
    }

    fn t(&self, vi: &'static str, en: &'static str) -> &'static str {
        tr(self.lang(), vi, en)
    }

    fn render(&self, outcome: Outcome) -> Markup {
        let complaint = &self.screen.complaint;
        let row = complaint.complaint();
        let category = self.screen.directory.category(&row.category_code);
        let title = format!(
            "{} · {}",
            category.map_or(row.category_code.as_str(), |c| c.name.get(self.lang())),
            &row.id[..8.min(row.id.len())]
        );
        let body = html! {
            @match &outcome {
                Outcome::Shown { done: Some(step) } => p.notice role="status" { (self.t("Đã ghi: ", "Recorded: ")) (step_label(self.lang(), *step)) },
                Outcome::Refused { error, .. } if error.field.is_none() => p.notice.bad role="alert" { (error.detail_in(self.lang())) },
                _ => {}
            }
            div.split {
                div {
                    (self.summary())
                    (self.timeline())
                }
                div {
                    (self.map())
                    h2 { (self.t("Xử lý", "Act on it")) }
                    div.actions { (self.actions(&outcome)) }
                }
            }
        };
        frame(self.lang(), Some(self.console), Section::Inbox, &title, body)
    }

    fn summary(&self) -> Markup {
        let complaint = &self.screen.complaint;
        let row = complaint.complaint();
        let area = row.area_code.as_deref().and_then(|code| self.screen.directory.area(code));
        let agency = self.screen.directory.agency(&row.agency_id);
        let overdue = reading::overdue(row);
        let reports = complaint
            .photos()
            .iter()
            .filter(|p| p.kind == smartcity_domain::photo::PhotoKind::Report);
        html! {
            div.card {
                p {
                    span.badge #status { (status_label(self.lang(), row.status)) }
                    @if overdue { " " span.badge.overdue { (self.t("Quá hạn", "Overdue")) } }
                }
                p #description { (row.description) }
                div.photos { @for photo in reports { (photo_link(&photo.id)) } }
                dl.facts {
                    dt { (self.t("Gửi lúc", "Filed")) } dd { (when(row.created_at)) }
                    dt { (self.t("Hạn xử lý", "Due")) } dd { (when(row.due_at)) }
                    dt { (self.t("Cơ quan", "Agency")) } dd { (agency.map_or("—", |a| a.name.as_str())) }
                    dt { (self.t("Khu vực", "Area")) } dd { (area.map_or("—", |a| a.name.as_str())) }
                    dt { (self.t("Địa chỉ", "Address")) } dd { (row.address.as_deref().unwrap_or("—")) }
                    dt { (self.t("Toạ độ", "Coordinates")) } dd { (format!("{:.6}, {:.6}", row.lat, row.lon)) }
                    dt { (self.t("Người phản ánh", "Reporter")) }
                    dd #reporter {
                        @match (complaint.reporter_name(), row.anonymous) {
                            (_, true) => (self.t("Ẩn danh", "Anonymous")),
                            (Some(name), false) => { (name) @if let Some(phone) = complaint.reporter_phone() { " · " (phone) } },
                            (None, false) => "—",
                        }
                    }
                    dt { (self.t("Theo dõi / Cùng phản ánh", "Followers / Me too")) }
                    dd { (row.follower_count) " / " (row.me_too_count) }
                    @if let Some(stars) = row.rating {
                        dt { (self.t("Đánh giá", "Rating")) }
                        dd { (stars) "/5" @if let Some(comment) = &row.rating_comment { " · " (comment) } }
                    }
                    @for (question, answer) in self.answers() {
                        dt { (question) } dd { (answer) }
                    }
                }
            }
        }
    }

    /// The category's questions with the reporter's answers, in the words of the questions.
    fn answers(&self) -> Vec<(String, String)> {
        let row = self.screen.complaint.complaint();
        let Some(category) = self.screen.directory.category(&row.category_code) else {
            return Vec::new();
        };
        let Ok(serde_json::Value::Object(answers)) = serde_json::from_str(&row.answers) else {
            return Vec::new();
        };
        let lang = self.lang();
        category
            .attributes
            .iter()
            .filter_map(|attribute| {
                let answer = answers.get(&attribute.code)?;
                let name_of = |key: &str| {
                    attribute
                        .values
                        .iter()
                        .find(|v| v.key == key)
                        .map_or(key.to_string(), |v| v.name.get(lang).to_string())
                };
                let shown = match answer {
                    serde_json::Value::String(text) if !attribute.values.is_empty() => {
                        name_of(text)
                    }
                    serde_json::Value::String(text) => text.clone(),
                    serde_json::Value::Array(keys) => keys
                        .iter()
                        .filter_map(|k| k.as_str())
                        .map(name_of)
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => other.to_string(),
                };
                Some((attribute.description.get(lang).to_string(), shown))
            })
            .collect()
    }

    fn timeline(&self) -> Markup {
        let complaint = &self.screen.complaint;
        html! {
            h2 { (self.t("Diễn biến", "Timeline")) }
            ol.timeline #timeline {
                @for event in complaint.events() {
                    li class=[(!event.is_public).then_some("internal")] data-kind=(event.event_type.as_str()) {
                        strong { (step_label(self.lang(), event.event_type)) }
                        @if !event.is_public { " " span.badge.internal { (self.t("Nội bộ", "Internal")) } }
                        " " span.when { (when(event.created_at)) }
                        @if let Some(body) = &event.body { p { (body) } }
                        div.photos { @for photo in complaint.after_photos(event) { (photo_link(&photo.id)) } }
                    }
                }
            }
        }
    }

    fn map(&self) -> Markup {
        let row = self.screen.complaint.complaint();
        let point = serde_json::json!([{ "lat": row.lat, "lon": row.lon, "overdue": reading::overdue(row) }]);
        html! {
            div #complaint-map.map data-map data-tiles=(self.tiles) data-attribution="© OpenStreetMap" data-points=(point.to_string()) {}
            p #complaint-map-note.map-note hidden {
                (self.t("Không tải được bản đồ nền; vị trí theo toạ độ và khu vực ở trên.",
                        "The map tiles could not be loaded; the coordinates and area above give the place."))
            }
        }
    }

    /// A form for each step the complaint's status allows this reader.
    fn actions(&self, outcome: &Outcome) -> Markup {
        let row = self.screen.complaint.complaint();
        let steps: Vec<EventKind> = EventKind::AGENCY_STEPS
            .into_iter()
            .filter(|step| step.open_to(self.screen.actor, row.status))
            .collect();
        let seen = self.screen.complaint.events().last().map(|e| e.id.clone()).unwrap_or_default();
        html! {
            @if steps.is_empty() { p.muted { (self.t("Không còn bước nào cho trạng thái này.", "No step is open in this status.")) } }
            @for step in steps {
                @let (refused, kept) = match outcome {
                    Outcome::Refused { step: at, fields, error } if *at == step => (Some(*error), Some(*fields)),
                    _ => (None, None),
                };
                details #{ "step-" (step.as_str()) } open[refused.is_some()] {
                    summary { (step_label(self.lang(), step)) }
                    form method="post" action={ "/console/complaints/" (row.id) } enctype="multipart/form-data" {
                        input type="hidden" name=(CSRF_FIELD) value=(self.console.csrf);
                        input type="hidden" name="step" value=(step.as_str());
                        input type="hidden" name="seen" value=(seen);
                        @if let Some(error) = refused.filter(|e| e.field.is_none() || e.field.as_deref() == Some("step")) {
                            (field_error(Some(&error.detail_in(self.lang()))))
                        }
                        (self.step_fields(step, refused, kept))
                        button type="submit" { (step_label(self.lang(), step)) }
                    }
                }
            }
        }
    }

    fn step_fields(
        &self,
        step: EventKind,
        refused: Option<&ApiError>,
        kept: Option<&Fields>,
    ) -> Markup {
        let error_at = |field: &str| {
            refused.filter(|e| e.field.as_deref() == Some(field)).map(|e| e.detail_in(self.lang()))
        };
        let typed = |field: &str| kept.and_then(|k| k.get(field)).unwrap_or_default().to_string();
        let text_area = |field: &'static str, label: &'static str, required: bool| {
            html! {
                div.field {
                    label for={ (step.as_str()) "-" (field) } { (label) }
                    textarea id={ (step.as_str()) "-" (field) } name=(field) required[required] { (typed(field)) }
                    (field_error(error_at(field).as_deref()))
                }
            }
        };
        let row = self.screen.complaint.complaint();
        html! {
            @match step {
                EventKind::Acknowledged => (text_area("comment", self.t("Nội dung phản hồi người dân", "Reply to the resident"), true)),
                EventKind::InProgress => (text_area("comment", self.t("Ghi chú (không bắt buộc)", "Comment (optional)"), false)),
                EventKind::Resolved => {
                    (text_area("response", self.t("Kết quả xử lý", "What was done"), true))
                    div.field {
                        label for="resolved-photos" { (self.t("Ảnh sau xử lý (tối đa 5)", "Photos after the fix (up to 5)")) }
                        input #resolved-photos type="file" name="photos" accept="image/jpeg,image/png,image/webp" multiple;
                        (field_error(error_at("photos").as_deref()))
                    }
                }
                EventKind::Rejected => (text_area("reason", self.t("Lý do từ chối", "Why it is rejected"), true)),
                EventKind::Duplicate => {
                    div.field {
                        label for="duplicate-of" { (self.t("Phản ánh gốc (đang mở, gần đây)", "The original (open, nearby)")) }
                        select #duplicate-of name="duplicate_of" required {
                            option value="" { "—" }
                            @for original in &self.screen.originals {
                                option value=(original.row.id) selected[typed("duplicate_of") == original.row.id] {
                                    (format!("{} m · ", original.distance_m.round())) (super::inbox::excerpt(&original.row.description))
                                }
                            }
                        }
                        (field_error(error_at("duplicate_of").as_deref()))
                    }
                }
                EventKind::Reassigned => {
                    div.field {
                        label for="to-agency" { (self.t("Chuyển đến cơ quan", "Send to agency")) }
                        select #to-agency name="to_agency_id" required {
                            option value="" { "—" }
                            @for agency in self.screen.directory.agencies.iter().filter(|a| a.id != row.agency_id) {
                                option value=(agency.id) selected[typed("to_agency_id") == agency.id] { (agency.name) }
                            }
                        }
                        (field_error(error_at("to_agency_id").as_deref()))
                    }
                    (text_area("reason", self.t("Lý do chuyển", "Why"), true))
                }
                EventKind::Note => (text_area("text", self.t("Ghi chú nội bộ (người dân không thấy)", "Internal note (residents do not see it)"), true)),
                _ => {}
            }
        }
    }
}

fn photo_link(id: &str) -> Markup {
    html! {
        a href={ "/v1/photos/" (id) "/display" } target="_blank" rel="noopener" {
            img src={ "/v1/photos/" (id) "/thumbnail" } alt="" loading="lazy";
        }
    }
}

fn step_label(lang: Lang, step: EventKind) -> &'static str {
    match lang {
        Lang::Vi => step.label_vi(),
        Lang::En => step.label_en(),
    }
}

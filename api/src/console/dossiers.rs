//! An agency's dossiers (hồ sơ): the list with its filters, one dossier's timeline, and a
//! status event recorded by hand, for agencies whose one-stop-shop system is not connected.
//! The event goes through the same use case as `POST /v1/agency/dossiers/{code}/events`.
//! An administrator picks the agency they act for.

use super::forms::Fields;
use super::layout::{field_error, frame, tr, when, Section};
use super::session::{Console, CSRF_FIELD};
use crate::app::auth::{ActingAgency, Admin};
use crate::app::dossier_decisions::{self, DecisionRequest};
use crate::app::dossiers::{self, AgencyListing, StatusEvent};
use crate::app::error::ApiError;
use crate::app::online_dossiers::{self, AgencyDetail};
use crate::app::places::{self, Directory};
use crate::app::state::AppState;
use crate::http::extract::ApiQuery;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use maud::{html, Markup};
use serde::{Deserialize, Serialize};
use smartcity_db::dossiers::DossierRow;
use smartcity_db::online_dossiers::DossierFileRow;
use smartcity_domain::application::Application;
use smartcity_domain::decision::{Decision, DecisionFields, SlipForm};
use smartcity_domain::dossier::{DossierOrigin, DossierStatus};
use smartcity_domain::Lang;

const PER_PAGE: i64 = 25;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DossierQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    agency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    procedure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    overdue: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    received_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    received_to: Option<String>,
    /// `online`: only those citizens submitted in the app.
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<u32>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn date(field: &str, value: &Option<String>) -> Result<Option<NaiveDate>, ApiError> {
    given(value)
        .map(|day| {
            NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| {
                ApiError::invalid_query(field, "Ngày dạng YYYY-MM-DD", "A date as YYYY-MM-DD")
            })
        })
        .transpose()
}

impl DossierQuery {
    fn listing(&self) -> Result<AgencyListing, ApiError> {
        let status = given(&self.status).map(|s| s.parse::<i32>()).transpose().map_err(|_| {
            ApiError::invalid_query("status", "`status` từ 1 đến 10", "`status` is 1–10")
        })?;
        Ok(AgencyListing {
            status,
            overdue: given(&self.overdue).is_some(),
            procedure_code: given(&self.procedure).map(str::to_string),
            received_from: date("received_from", &self.received_from)?,
            received_to: date("received_to", &self.received_to)?,
            origin: given(&self.origin).is_some().then_some(DossierOrigin::Online),
            ..AgencyListing::default()
        })
    }
}

/// The agency the reader acts for: a staff member's own; an administrator's choice, if made.
/// The agency the console's caller acts for: a staff member's own, or the one an
/// administrator chose (none yet when they have not).
pub(super) fn acting(
    console: &Console,
    chosen: Option<&str>,
) -> Result<Option<ActingAgency>, ApiError> {
    match Admin::check(console.caller.clone()) {
        Ok(admin) => Ok(chosen.map(|id| ActingAgency::chosen_by(&admin, id.to_string()))),
        Err(_) => ActingAgency::staff(&console.caller).map(Some),
    }
}

/// `GET /console/dossiers`.
pub async fn list(
    state: web::Data<AppState>,
    console: Console,
    query: ApiQuery<DossierQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let listing = query.listing()?;
    let page = query.page.unwrap_or(1).max(1);
    let directory = places::directory(&state).await?;
    let found = match acting(&console, given(&query.agency))? {
        Some(agency) => {
            let offset = i64::from(page - 1) * PER_PAGE;
            Some(dossiers::list_for_agency(&state, &agency, listing, offset, PER_PAGE).await?)
        }
        None => None,
    };
    let lang = console.lang;
    let t = |vi, en| tr(lang, vi, en);
    let body = html! {
        (filters(lang, &query, &directory, console.caller.role == smartcity_domain::account::Role::Admin))
        @match &found {
            None => p.card.muted { (t("Chọn cơ quan để xem hồ sơ của cơ quan đó.", "Choose an agency to see its dossiers.")) },
            Some((rows, _)) if rows.is_empty() => p.card.muted { (t("Không có hồ sơ nào phù hợp.", "No dossier matches.")) },
            Some((rows, total)) => {
                p.muted { (total) " " (t("hồ sơ", "dossiers")) }
                table #dossiers {
                    thead { tr {
                        th { (t("Mã hồ sơ", "Code")) } th { (t("Thủ tục", "Procedure")) } th { (t("Người nộp", "Applicant")) }
                        th { (t("Tiếp nhận", "Received")) } th { (t("Hẹn trả", "Due")) } th { (t("Trạng thái", "Status")) }
                    } }
                    tbody { @for row in rows { (list_row(&state, lang, row, &query)) } }
                }
                @if i64::from(page) * PER_PAGE < *total {
                    p.more { a.button.plain href={ "/console/dossiers?" (serde_urlencoded::to_string(DossierQuery { page: Some(page + 1), ..query.clone() }).unwrap_or_default()) } { (t("Trang sau", "Next page")) } }
                }
            }
        }
    };
    let page = frame(
        lang,
        Some(&console),
        Section::Dossiers,
        t("Hồ sơ thủ tục hành chính", "Dossiers"),
        body,
    );
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(page.into_string()))
}

fn status_label(lang: Lang, code: i32) -> String {
    match DossierStatus::parse("status", code) {
        Ok(status) => format!("{code}. {}", tr(lang, status.label_vi(), status.label_en())),
        Err(_) => code.to_string(),
    }
}

fn overdue_badge(state: &AppState, lang: Lang, row: &DossierRow) -> Markup {
    let deadline = dossiers::deadline_of(state, row);
    html! {
        @if let Some(days) = deadline.working_days_overdue {
            " " span.badge.overdue { (tr(lang, "Quá hạn ", "Overdue ")) (days) (tr(lang, " ngày", " days")) }
        }
    }
}

fn list_row(state: &AppState, lang: Lang, row: &DossierRow, query: &DossierQuery) -> Markup {
    let agency = given(&query.agency).map(|a| format!("?agency={a}")).unwrap_or_default();
    html! {
        tr data-code=(row.code) {
            td { a href={ "/console/dossiers/" (row.code) (agency) } { (row.code) } }
            td { (row.procedure_code) }
            td {
                (row.applicant_name)
                @if row.origin == DossierOrigin::Online { " " span.badge.online { (tr(lang, "Trực tuyến", "Online")) } }
            }
            td { (row.received_on.format("%d/%m/%Y")) }
            td { (row.due_on.format("%d/%m/%Y")) (overdue_badge(state, lang, row)) }
            td { span.badge { (status_label(lang, row.status)) } }
        }
    }
}

fn filters(lang: Lang, q: &DossierQuery, directory: &Directory, admin: bool) -> Markup {
    let t = |vi, en| tr(lang, vi, en);
    html! {
        form.filters method="get" action="/console/dossiers" {
            @if admin {
                label { (t("Cơ quan", "Agency"))
                    select name="agency" {
                        option value="" { "—" }
                        @for agency in &directory.agencies {
                            option value=(agency.id) selected[q.agency.as_deref() == Some(agency.id.as_str())] { (agency.name) }
                        }
                    }
                }
            }
            label { (t("Trạng thái", "Status"))
                select name="status" {
                    option value="" { (t("Tất cả", "All")) }
                    @for status in DossierStatus::ALL {
                        option value=(status.code()) selected[given(&q.status) == Some(status.code().to_string().as_str())] { (status_label(lang, status.code())) }
                    }
                }
            }
            label { (t("Mã thủ tục", "Procedure code")) input name="procedure" value=[given(&q.procedure)]; }
            label { (t("Tiếp nhận từ", "Received from")) input type="date" name="received_from" value=[given(&q.received_from)]; }
            label { (t("đến", "to")) input type="date" name="received_to" value=[given(&q.received_to)]; }
            label { span { input type="checkbox" name="overdue" value="1" checked[q.overdue.is_some()]; " " (t("Quá hạn", "Overdue")) } }
            label { span { input type="checkbox" name="origin" value="online" checked[q.origin.is_some()]; " " (t("Nộp trực tuyến", "Submitted online")) } }
            button type="submit" { (t("Lọc", "Filter")) }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ChosenAgency {
    agency: Option<String>,
}

/// `GET /console/dossiers/{code}`: another agency's dossier is not found.
pub async fn page(
    state: web::Data<AppState>,
    console: Console,
    code: web::Path<String>,
    chosen: web::Query<ChosenAgency>,
) -> Result<HttpResponse, ApiError> {
    let agency = acting(&console, chosen.agency.as_deref())?.ok_or_else(ApiError::not_found)?;
    let detail = online_dossiers::submitted_to(&state, &agency, code.into_inner()).await?;
    let shown = Shown { chosen: chosen.agency.as_deref(), refused: None, decision_refused: None };
    Ok(detail_page(&state, &console, &detail, shown, StatusCode::OK))
}

/// `POST /console/dossiers/{code}/decisions`: a decision, through the same use case as
/// `POST /v1/agency/dossiers/{code}/decisions`.
pub async fn decide(
    req: HttpRequest,
    state: web::Data<AppState>,
    console: Console,
    code: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(&body)?;
    console.check_form(&req, fields.get(CSRF_FIELD))?;
    let chosen = fields.text("agency");
    let agency = acting(&console, chosen.as_deref())?.ok_or_else(ApiError::not_found)?;
    let code = code.into_inner();
    let decided = match decision_request(&fields) {
        Ok(request) => dossier_decisions::decide(&state, &agency, &code, request).await.map(|_| ()),
        Err(refused) => Err(refused),
    };
    let refused = decided.err();
    answer_form(&state, &console, &agency, code, chosen.as_deref(), refused, PageForm::Decision)
        .await
}

/// The forms of a dossier's page.
enum PageForm<'a> {
    /// A status event typed in by hand, with what was typed.
    Step(&'a Fields),
    Decision,
}

/// What a form on the dossier's page is answered: back to the page once done; the page again
/// with the refusal beside its form when the input was refused; the error itself when there
/// is no such dossier or the fault is ours.
async fn answer_form(
    state: &AppState,
    console: &Console,
    agency: &ActingAgency,
    code: String,
    chosen: Option<&str>,
    refused: Option<ApiError>,
    form: PageForm<'_>,
) -> Result<HttpResponse, ApiError> {
    let Some(refused) = refused else {
        return Ok(back_to(&code, chosen));
    };
    if refused.code.status() >= 500 || refused.code.status() == 404 {
        return Err(refused);
    }
    let detail = online_dossiers::submitted_to(state, agency, code).await?;
    let status = StatusCode::from_u16(refused.code.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let shown = match form {
        PageForm::Step(fields) => {
            Shown { chosen, refused: Some((fields, &refused)), decision_refused: None }
        }
        PageForm::Decision => Shown { chosen, refused: None, decision_refused: Some(&refused) },
    };
    Ok(detail_page(state, console, &detail, shown, status))
}

fn back_to(code: &str, chosen: Option<&str>) -> HttpResponse {
    let back = chosen.map(|a| format!("?agency={a}")).unwrap_or_default();
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/console/dossiers/{code}{back}")))
        .finish()
}

/// The decision form's fields as the API's; its id was made when the page was shown, so
/// sending the form twice decides once.
fn decision_request(fields: &Fields) -> Result<DecisionRequest, ApiError> {
    let number = |name: &str| -> Result<Option<i64>, ApiError> {
        fields
            .text(name)
            .map(|v| v.replace(['.', ' '], "").parse::<i64>())
            .transpose()
            .map_err(|_| ApiError::invalid_field(name, "Nhập một số", "Enter a number"))
    };
    let due_on = fields
        .text("due_on")
        .map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d"))
        .transpose()
        .map_err(|_| ApiError::invalid_field("due_on", "Ngày không hợp lệ", "Invalid date"))?;
    let components: Vec<String> =
        fields.pairs().filter(|(n, _)| *n == "components").map(|(_, v)| v.to_string()).collect();
    Ok(DecisionRequest {
        fields: DecisionFields {
            decision: fields.get("decision").unwrap_or_default().to_string(),
            due_on,
            reason: fields.text("reason"),
            components: (!components.is_empty()).then_some(components),
            working_days: number("working_days")?.map(|d| u32::try_from(d).unwrap_or(u32::MAX)),
            amount_vnd: number("amount_vnd")?,
            purpose: fields.text("purpose"),
            reference: fields.text("reference"),
            tracking_code: fields.text("tracking_code"),
        },
        event_id: fields.text("event_id"),
        officer: fields.text("officer"),
    })
}

/// `GET /console/dossiers/{code}/files/{id}` and `…/slips/{id}`: a submitted file or a slip.
pub async fn download(
    state: web::Data<AppState>,
    console: Console,
    path: web::Path<(String, String, String)>,
    chosen: web::Query<ChosenAgency>,
) -> Result<HttpResponse, ApiError> {
    let (code, kind, id) = path.into_inner();
    let agency = acting(&console, chosen.agency.as_deref())?.ok_or_else(ApiError::not_found)?;
    let (media_type, bytes) = match kind.as_str() {
        "files" => {
            let (row, bytes) =
                online_dossiers::file_for_agency(&state, &agency, code.clone(), id).await?;
            (crate::http::handlers::dossier_views::media_type(row.file_type), bytes)
        }
        "slips" => (
            "application/pdf",
            dossier_decisions::slip_for_agency(&state, &agency, code.clone(), id).await?,
        ),
        _ => return Err(ApiError::not_found()),
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, media_type))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header((header::CONTENT_DISPOSITION, "attachment"))
        .body(bytes))
}

/// `POST /console/dossiers/{code}`: a status event typed in by hand.
pub async fn record(
    req: HttpRequest,
    state: web::Data<AppState>,
    console: Console,
    code: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(&body)?;
    console.check_form(&req, fields.get(CSRF_FIELD))?;
    let chosen = fields.text("agency");
    let agency = acting(&console, chosen.as_deref())?.ok_or_else(ApiError::not_found)?;
    let code = code.into_inner();
    let recorded = match status_event(&fields) {
        Ok(event) => dossiers::record_event(&state, &agency, &code, event).await.map(|_| ()),
        Err(refused) => Err(refused),
    };
    let refused = recorded.err();
    let form = PageForm::Step(&fields);
    answer_form(&state, &console, &agency, code, chosen.as_deref(), refused, form).await
}

/// The form's event. Its id was made when the page was shown, so sending the form twice
/// records it once. The time is Vietnam's, as people type it.
fn status_event(fields: &Fields) -> Result<StatusEvent, ApiError> {
    let status = fields
        .get("status")
        .unwrap_or_default()
        .parse::<i32>()
        .map_err(|_| ApiError::invalid_field("status", "Chọn trạng thái", "Choose a status"))?;
    let typed = fields.get("occurred_at").unwrap_or_default();
    let occurred_at = NaiveDateTime::parse_from_str(typed, "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(|at| vietnam().from_local_datetime(&at).single())
        .ok_or_else(|| {
            ApiError::invalid_field("occurred_at", "Thời điểm không hợp lệ", "Invalid time")
        })?;
    Ok(StatusEvent {
        event_id: fields.get("event_id").unwrap_or_default().to_string(),
        status,
        occurred_at,
        step: fields.text("step"),
        department: fields.text("department"),
        officer: fields.text("officer"),
        note: fields.text("note"),
        reopens: fields.get("reopens").is_some(),
    })
}

fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// What the dossier page shows besides the dossier: the agency an administrator chose, and a
/// form refused with what was typed in it.
struct Shown<'a> {
    chosen: Option<&'a str>,
    refused: Option<(&'a Fields, &'a ApiError)>,
    decision_refused: Option<&'a ApiError>,
}

fn detail_page(
    state: &AppState,
    console: &Console,
    (detail, submitted): &AgencyDetail,
    shown: Shown<'_>,
    status: StatusCode,
) -> HttpResponse {
    let Shown { chosen, refused, decision_refused } = shown;
    let lang = console.lang;
    let t = |vi, en| tr(lang, vi, en);
    let row = &detail.dossier;
    let error_at = |field: &str| {
        refused
            .map(|(_, e)| e)
            .filter(|e| e.field.as_deref() == Some(field))
            .map(|e| e.detail_in(lang))
    };
    let typed =
        |field: &str| refused.and_then(|(f, _)| f.get(field)).unwrap_or_default().to_string();
    let now = chrono::Utc::now().with_timezone(&vietnam()).format("%Y-%m-%dT%H:%M").to_string();
    let event_id = refused
        .and_then(|(f, _)| f.get("event_id"))
        .map(str::to_string)
        .unwrap_or_else(|| format!("console-{}", uuid::Uuid::new_v4()));
    let body = html! {
        @if let Some((_, error)) = refused.filter(|(_, e)| e.field.is_none()) { p.notice.bad role="alert" { (error.detail_in(lang)) } }
        div.split {
            div {
                div.card {
                    p { span.badge #status { (status_label(lang, row.status)) } (overdue_badge(state, lang, row)) }
                    dl.facts {
                        dt { (t("Thủ tục", "Procedure")) } dd { (detail.procedure_name) " (" (row.procedure_code) ")" }
                        dt { (t("Cơ quan", "Agency")) } dd { (detail.agency_name) }
                        dt { (t("Người nộp", "Applicant")) } dd { (row.applicant_name) " · " (row.applicant_phone) }
                        dt { (t("Tiếp nhận", "Received")) } dd { (row.received_on.format("%d/%m/%Y")) }
                        dt { (t("Hẹn trả", "Due")) } dd { (row.due_on.format("%d/%m/%Y")) }
                        @if let Some(finished) = row.finished_on { dt { (t("Hoàn thành", "Finished")) } dd { (finished.format("%d/%m/%Y")) } }
                    }
                }
                h2 { (t("Diễn biến", "Timeline")) }
                ol.timeline #timeline {
                    @for event in &detail.events {
                        li data-status=(event.status) {
                            strong { (status_label(lang, event.status)) }
                            " " span.when { (when(event.occurred_at)) }
                            @if let Some(step) = &event.step { p { (step) } }
                            p.muted {
                                @if let Some(department) = &event.department { (department) }
                                @if let Some(officer) = &event.officer { " · " (officer) }
                            }
                            @if let Some(note) = &event.note { p { (note) } }
                        }
                    }
                }
                (submitted_block(lang, row, submitted.as_ref(), chosen))
                @if !detail.slips.is_empty() {
                    h2 { (t("Phiếu", "Slips")) }
                    ul #slips { @for slip in &detail.slips {
                        li { a href={ "/console/dossiers/" (row.code) "/slips/" (slip.id) (agency_query(chosen)) } {
                            (SlipForm::from_number(slip.form).map_or("", SlipForm::title_vi)) } " " span.when { (when(slip.created_at)) } }
                    } }
                }
            }
            div {
                (decision_form(lang, console, row, submitted.as_ref(), chosen, decision_refused))
                h2 { (t("Ghi nhận bước xử lý", "Record a step")) }
                form.card method="post" action={ "/console/dossiers/" (row.code) } {
                    input type="hidden" name=(CSRF_FIELD) value=(console.csrf);
                    input type="hidden" name="event_id" value=(event_id);
                    @if let Some(agency) = chosen { input type="hidden" name="agency" value=(agency); }
                    div.field {
                        label for="event-status" { (t("Trạng thái", "Status")) }
                        select #event-status name="status" required {
                            @for status in DossierStatus::ALL {
                                option value=(status.code()) selected[typed("status") == status.code().to_string()] { (status_label(lang, status.code())) }
                            }
                        }
                        (field_error(error_at("status").as_deref()))
                    }
                    div.field {
                        label for="event-at" { (t("Thời điểm (giờ Việt Nam)", "When (Vietnam time)")) }
                        input #event-at type="datetime-local" name="occurred_at" required value=(if typed("occurred_at").is_empty() { now } else { typed("occurred_at") });
                        (field_error(error_at("occurred_at").as_deref()))
                    }
                    @for (field, vi, en) in [("step", "Bước", "Step"), ("department", "Phòng ban", "Department"), ("officer", "Cán bộ", "Officer")] {
                        div.field {
                            label for={ "event-" (field) } { (t(vi, en)) }
                            input id={ "event-" (field) } name=(field) value=(typed(field));
                            (field_error(error_at(field).as_deref()))
                        }
                    }
                    div.field {
                        label for="event-note" { (t("Ghi chú", "Note")) }
                        textarea #event-note name="note" { (typed("note")) }
                        (field_error(error_at("note").as_deref()))
                    }
                    div.field {
                        label { input type="checkbox" name="reopens" value="1" checked[!typed("reopens").is_empty()]; " " (t("Mở lại hồ sơ đã kết thúc", "Reopens a closed dossier")) }
                        (field_error(error_at("reopens").as_deref()))
                    }
                    button type="submit" { (t("Ghi nhận", "Record")) }
                }
            }
        }
    };
    let title = format!("{} {}", t("Hồ sơ", "Dossier"), row.code);
    let page = frame(lang, Some(console), Section::Dossiers, &title, body);
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(page.into_string())
}

fn agency_query(chosen: Option<&str>) -> String {
    chosen.map(|a| format!("?agency={a}")).unwrap_or_default()
}

/// What the citizen submitted online: the applicant, the return method, the files.
fn submitted_block(
    lang: Lang,
    row: &DossierRow,
    submitted: Option<&(Application, Vec<DossierFileRow>)>,
    chosen: Option<&str>,
) -> Markup {
    let t = |vi, en| tr(lang, vi, en);
    let Some((application, files)) = submitted else {
        return html! {};
    };
    let applicant = &application.applicant;
    html! {
        h2 { (t("Hồ sơ nộp trực tuyến", "Submitted online")) }
        div.card #application {
            dl.facts {
                dt { (t("Người nộp", "Applicant")) } dd { (applicant.name) " · " (applicant.kind.as_str()) }
                dt { (t("Số định danh", "Identity number")) } dd { (applicant.identity_number.as_str()) }
                dt { (t("Địa chỉ", "Address")) } dd { (applicant.address.street) ", " (applicant.address.ward) ", " (applicant.address.province) }
                @if let Some(proxy) = &application.proxy {
                    dt { (t("Người nộp thay", "Submitted by proxy")) } dd { (proxy.name) " (" (proxy.relation) ") · " (proxy.identity_number.as_str()) }
                }
                dt { (t("Nhận kết quả", "Result by")) } dd { (application.return_method.as_str()) @if let Some(address) = &application.postal_address { " · " (address) } }
                @for (name, value) in &application.form { dt { (name) } dd { (value) } }
            }
            ul #files { @for file in files {
                li { a href={ "/console/dossiers/" (row.code) "/files/" (file.id) (agency_query(chosen)) } { (file.component_code) " (" (file.file_type.as_str()) ", " (file.byte_size / 1024) " KiB)" } }
            } }
        }
    }
}

/// The decisions the dossier's status allows now, as one form.
fn decision_form(
    lang: Lang,
    console: &Console,
    row: &DossierRow,
    submitted: Option<&(Application, Vec<DossierFileRow>)>,
    chosen: Option<&str>,
    refused: Option<&ApiError>,
) -> Markup {
    let t = |vi, en| tr(lang, vi, en);
    let Some(current) = DossierStatus::from_code(row.status) else {
        return html! {};
    };
    let choices: Vec<(&str, &str, &str)> = [
        ("receive", "Tiếp nhận (phiếu 01)", "Receive (slip 01)"),
        ("refuse", "Từ chối tiếp nhận (phiếu 03)", "Refuse at intake (slip 03)"),
        ("request_documents", "Yêu cầu bổ sung (phiếu 02)", "Request documents (slip 02)"),
        ("require_payment", "Yêu cầu nộp phí, lệ phí", "Require payment"),
        ("confirm_payment", "Xác nhận đã thanh toán", "Confirm payment"),
        ("reschedule", "Hẹn lại ngày trả (phiếu 04)", "Reschedule (slip 04)"),
        ("done", "Đã có kết quả", "Done"),
        ("return_result", "Đã trả kết quả", "Result returned"),
    ]
    .into_iter()
    .filter(|(name, ..)| {
        Decision::name_allowed_from(name).is_some_and(|from| from.contains(&current))
    })
    .collect();
    if choices.is_empty() {
        return html! {};
    }
    let components: Vec<&str> = submitted
        .map(|(_, files)| files.iter().map(|f| f.component_code.as_str()).collect())
        .unwrap_or_default();
    html! {
        h2 { (t("Quyết định", "Decide")) }
        form.card #decision method="post" action={ "/console/dossiers/" (row.code) "/decisions" } {
            @if let Some(error) = refused { p.notice.bad role="alert" { (error.detail_in(lang)) } }
            input type="hidden" name=(CSRF_FIELD) value=(console.csrf);
            input type="hidden" name="event_id" value={ "console-" (uuid::Uuid::new_v4()) };
            @if let Some(agency) = chosen { input type="hidden" name="agency" value=(agency); }
            div.field {
                label for="decision-kind" { (t("Bước", "Step")) }
                select #decision-kind name="decision" required {
                    @for (name, vi, en) in &choices { option value=(name) { (t(vi, en)) } }
                }
            }
            div.field { label for="decision-due" { (t("Ngày hẹn trả", "Due date")) } input #decision-due type="date" name="due_on"; }
            div.field { label for="decision-reason" { (t("Lý do, nội dung", "Reason")) } textarea #decision-reason name="reason" {} }
            @if !components.is_empty() {
                fieldset.field { legend { (t("Thành phần cần bổ sung", "Components to bring")) }
                    @for code in components.iter().collect::<std::collections::BTreeSet<_>>() {
                        label { input type="checkbox" name="components" value=(code); " " (code) }
                    }
                }
            }
            div.field { label for="decision-days" { (t("Số ngày làm việc để bổ sung", "Working days to bring them")) } input #decision-days type="number" min="1" max="30" name="working_days"; }
            div.field { label for="decision-amount" { (t("Số tiền (đồng)", "Amount (VND)")) } input #decision-amount name="amount_vnd" inputmode="numeric"; }
            div.field { label for="decision-purpose" { (t("Khoản thu", "What it is for")) } input #decision-purpose name="purpose"; }
            div.field { label for="decision-reference" { (t("Mã giao dịch thanh toán", "Payment reference")) } input #decision-reference name="reference"; }
            div.field { label for="decision-tracking" { (t("Mã bưu gửi", "Postal tracking code")) } input #decision-tracking name="tracking_code"; }
            div.field { label for="decision-officer" { (t("Cán bộ", "Officer")) } input #decision-officer name="officer"; }
            button type="submit" { (t("Thực hiện", "Decide")) }
        }
    }
}

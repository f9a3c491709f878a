//! Citizens' questions to the agency (hỏi đáp): the open ones soonest due first, one question
//! with its answer form and the form that passes it to another agency. The forms go through
//! the same use cases as `POST /v1/agency/questions/{id}/answer` and `…/transfer`. An
//! administrator picks the agency they act for, as on the dossiers' pages.

use super::dossiers::acting;
use super::forms::Fields;
use super::layout::{field_error, frame, tr, when, Section};
use super::session::{Console, CSRF_FIELD};
use super::{html_page, status_of};
use crate::app::auth::ActingAgency;
use crate::app::error::ApiError;
use crate::app::questions::{self, AnswerDraft};
use crate::app::state::AppState;
use crate::http::extract::ApiQuery;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;
use smartcity_db::agencies::{self, AgencyRow};
use smartcity_db::questions::QuestionDetail;
use smartcity_domain::question::QuestionStatus;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyChoice {
    agency: Option<String>,
}

fn agency_query(chosen: Option<&str>) -> String {
    chosen.map(|a| format!("?agency={a}")).unwrap_or_default()
}

/// `GET /console/questions`.
pub async fn list(
    state: web::Data<AppState>,
    console: Console,
    query: ApiQuery<AgencyChoice>,
) -> Result<HttpResponse, ApiError> {
    let chosen = query.0.agency;
    let open = match acting(&console, chosen.as_deref())? {
        Some(agency) => Some(questions::for_agency(&state, &agency, QuestionStatus::Asked).await?),
        None => None,
    };
    let lang = console.lang;
    let t = |vi, en| tr(lang, vi, en);
    let back = agency_query(chosen.as_deref());
    let body = html! {
        @match &open {
            None => p #choose-agency { (t("Quản trị viên: thêm ?agency=ID cơ quan vào địa chỉ để xem câu hỏi của cơ quan đó.",
                                          "Administrators: add ?agency=AGENCY_ID to the address to see that agency's questions.")) }
            Some(open) if open.is_empty() => p #no-questions { (t("Không có câu hỏi nào chờ trả lời.", "No question is waiting for an answer.")) }
            Some(open) => table #questions {
                thead { tr {
                    th { (t("Câu hỏi", "Question")) } th { (t("Về", "About")) }
                    th { (t("Hạn trả lời", "Due")) }
                } }
                tbody { @for row in open {
                    tr data-id=(row.id) class=[questions::is_overdue(row).then_some("overdue")] {
                        td { a href={ "/console/questions/" (row.id) (back) } { (row.title) } }
                        td { (row.procedure_code.as_deref().or(row.topic_code.as_deref()).unwrap_or_default()) }
                        td { (when(row.due_at))
                             @if questions::is_overdue(row) { " " strong { (t("quá hạn", "overdue")) } } }
                    }
                } }
            }
        }
    };
    let page = frame(lang, Some(&console), Section::Questions, t("Hỏi đáp", "Questions"), body);
    Ok(html_page(StatusCode::OK, page))
}

/// `GET /console/questions/{id}`.
pub async fn page(
    state: web::Data<AppState>,
    console: Console,
    id: web::Path<String>,
    query: ApiQuery<AgencyChoice>,
) -> Result<HttpResponse, ApiError> {
    let chosen = query.0.agency;
    let agency = acting(&console, chosen.as_deref())?.ok_or_else(ApiError::not_found)?;
    let detail = questions::held_by(&state, &agency, id.into_inner()).await?;
    let others = other_agencies(&state, &agency).await?;
    let shown = Shown { chosen: chosen.as_deref(), refused: None };
    Ok(html_page(StatusCode::OK, detail_page(&console, &detail, &others, shown)))
}

async fn other_agencies(
    state: &AppState,
    agency: &ActingAgency,
) -> Result<Vec<AgencyRow>, ApiError> {
    let all = state.db(agencies::list_all).await?;
    Ok(all.into_iter().filter(|a| a.id != agency.agency_id()).collect())
}

/// What the page shows beside its forms: the agency an administrator chose, and a refusal.
struct Shown<'a> {
    chosen: Option<&'a str>,
    refused: Option<&'a ApiError>,
}

fn detail_page(
    console: &Console,
    detail: &QuestionDetail,
    others: &[AgencyRow],
    shown: Shown<'_>,
) -> Markup {
    let lang = console.lang;
    let t = |vi, en| tr(lang, vi, en);
    let row = &detail.question;
    let error = shown.refused.map(|e| e.detail_in(lang));
    let action = |what: &str| format!("/console/questions/{}/{what}", row.id);
    let hidden = html! {
        input type="hidden" name=(CSRF_FIELD) value=(console.csrf);
        @if let Some(agency) = shown.chosen { input type="hidden" name="agency" value=(agency); }
    };
    let body = html! {
        article #question {
            p.muted { (t("Hạn trả lời", "Due")) ": " (when(row.due_at))
                @if questions::is_overdue(row) { " " strong { (t("quá hạn", "overdue")) } } }
            p.desc { (row.body) }
            @if row.attachment_key.is_some() {
                p { a href={ (action("attachment")) (agency_query(shown.chosen)) } { (t("Tệp đính kèm", "Attachment")) } }
            }
            @for transfer in &detail.transfers {
                p.muted { (t("Được chuyển đến lúc", "Passed on at")) " " (when(transfer.created_at)) ": " (transfer.reason) }
            }
        }
        (field_error(error.as_deref()))
        @if row.status == QuestionStatus::Answered {
            h2 { (t("Câu trả lời", "Answer")) }
            p #answer.desc { (row.answer.as_deref().unwrap_or_default()) }
        } @else {
            h2 { (t("Trả lời", "Answer")) }
            form.card #answer-form method="post" action=(action("answer")) {
                (hidden)
                div.field {
                    label for="answer-text" { (t("Câu trả lời", "Answer")) }
                    textarea #answer-text name="answer" required rows="6" {}
                }
                div.field {
                    label { input type="checkbox" name="publish" value="1";
                        " " (t("Công khai (tên, số điện thoại, email, số giấy tờ của người hỏi được xóa)",
                               "Publish (the asker's name, phone numbers, e-mail and ID numbers are removed)")) }
                }
                div.field {
                    label for="public-title" { (t("Tiêu đề công khai (nếu viết lại)", "Public title (if rewritten)")) }
                    input #public-title name="public_title";
                }
                div.field {
                    label for="public-body" { (t("Câu hỏi công khai (nếu viết lại)", "Public question (if rewritten)")) }
                    textarea #public-body name="public_body" rows="4" {}
                }
                button type="submit" { (t("Gửi câu trả lời", "Send the answer")) }
            }
            h2 { (t("Chuyển cơ quan khác", "Pass to another agency")) }
            form.card #transfer-form method="post" action=(action("transfer")) {
                (hidden)
                div.field {
                    label for="transfer-to" { (t("Cơ quan", "Agency")) }
                    select #transfer-to name="to" required {
                        @for agency in others { option value=(agency.code) { (agency.name) } }
                    }
                }
                div.field {
                    label for="transfer-reason" { (t("Lý do", "Reason")) }
                    input #transfer-reason name="reason" required;
                }
                button type="submit" { (t("Chuyển", "Pass on")) }
            }
        }
    };
    frame(lang, Some(console), Section::Questions, &row.title, body)
}

/// `POST /console/questions/{id}/answer`.
pub async fn answer(
    req: HttpRequest,
    state: web::Data<AppState>,
    console: Console,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(&body)?;
    console.check_form(&req, fields.get(CSRF_FIELD))?;
    let chosen = fields.text("agency");
    let agency = acting(&console, chosen.as_deref())?.ok_or_else(ApiError::not_found)?;
    let draft = AnswerDraft {
        answer: fields.get("answer").unwrap_or_default().to_string(),
        publish: fields.get("publish").is_some(),
        public_title: fields.text("public_title"),
        public_body: fields.text("public_body"),
    };
    let id = id.into_inner();
    let done = questions::answer(&state, &agency, id.clone(), draft).await.map(|_| ());
    answer_form(&state, &console, &agency, id, chosen.as_deref(), done.err()).await
}

/// `POST /console/questions/{id}/transfer`.
pub async fn transfer(
    req: HttpRequest,
    state: web::Data<AppState>,
    console: Console,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(&body)?;
    console.check_form(&req, fields.get(CSRF_FIELD))?;
    let chosen = fields.text("agency");
    let agency = acting(&console, chosen.as_deref())?.ok_or_else(ApiError::not_found)?;
    let to = fields.text("to").unwrap_or_default();
    let reason = fields.get("reason").unwrap_or_default().to_string();
    let id = id.into_inner();
    let done = questions::transfer(&state, &agency, id.clone(), to, reason).await.map(|_| ());
    answer_form(&state, &console, &agency, id, chosen.as_deref(), done.err()).await
}

/// Back to the list once done; the page again with the refusal when the input was refused;
/// the error itself when there is no such question or the fault is ours.
async fn answer_form(
    state: &AppState,
    console: &Console,
    agency: &ActingAgency,
    id: String,
    chosen: Option<&str>,
    refused: Option<ApiError>,
) -> Result<HttpResponse, ApiError> {
    let Some(refused) = refused else {
        return Ok(HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("/console/questions{}", agency_query(chosen)),
            ))
            .finish());
    };
    if refused.code.status() >= 500 || refused.code.status() == 404 {
        return Err(refused);
    }
    let detail = questions::held_by(state, agency, id).await?;
    let others = other_agencies(state, agency).await?;
    let shown = Shown { chosen, refused: Some(&refused) };
    Ok(html_page(status_of(&refused), detail_page(console, &detail, &others, shown)))
}

/// `GET /console/questions/{id}/attachment`.
pub async fn attachment(
    state: web::Data<AppState>,
    console: Console,
    id: web::Path<String>,
    query: ApiQuery<AgencyChoice>,
) -> Result<HttpResponse, ApiError> {
    let agency = acting(&console, query.0.agency.as_deref())?.ok_or_else(ApiError::not_found)?;
    let (row, bytes) = questions::attachment(&state, &agency, id.into_inner()).await?;
    let file_type = row.attachment_type.ok_or_else(ApiError::not_found)?;
    Ok(crate::http::handlers::questions::attachment_response(&row.id, file_type, bytes))
}

//! Questions to agencies: citizens ask (`/v1/questions`, `/v1/me/questions`), agencies answer
//! or pass them on (`/v1/agency/questions`), everyone reads the published answers, and
//! administrators keep the topics and each agency's time to answer.

use super::{utc, Paging};
use crate::app::error::ApiError;
use crate::app::questions::{self, AnswerDraft, QuestionDraft, Subject, TopicDraft};
use crate::app::state::AppState;
use crate::http::auth::{AdminCaller, AgencyCaller, ProvenPhone, SignedIn};
use crate::http::extract::{json_body, ApiQuery};
use crate::http::multipart;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use smartcity_db::questions::{PublishedRow, QuestionDetail, QuestionRow, TransferRow};
use smartcity_domain::application::MAX_FILE_BYTES;
use smartcity_domain::procedure::FileType;
use smartcity_domain::question::QuestionStatus;
use smartcity_domain::word::Word;

/// A question as sent in JSON (without an attachment) or as the text parts of a form.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionRequest {
    title: Option<String>,
    body: Option<String>,
    procedure: Option<String>,
    agency: Option<String>,
    topic: Option<String>,
}

fn missing(field: &str) -> ApiError {
    ApiError::invalid_field(field, format!("Thiếu `{field}`"), format!("`{field}` is missing"))
}

impl QuestionRequest {
    /// The text parts of a form, each once, none unknown.
    fn from_form(fields: Vec<(String, String)>) -> Result<QuestionRequest, ApiError> {
        let mut request = QuestionRequest::default();
        for (name, value) in fields {
            let slot = match name.as_str() {
                "title" => &mut request.title,
                "body" => &mut request.body,
                "procedure" => &mut request.procedure,
                "agency" => &mut request.agency,
                "topic" => &mut request.topic,
                _ => {
                    return Err(ApiError::invalid_field(
                        &name,
                        format!("Biểu mẫu không có trường `{name}`"),
                        format!("The form has no field `{name}`"),
                    ))
                }
            };
            if slot.replace(value).is_some() {
                return Err(ApiError::invalid_field(
                    &name,
                    format!("`{name}` được gửi hai lần"),
                    format!("`{name}` was sent twice"),
                ));
            }
        }
        Ok(request)
    }

    fn draft(self, attachment: Option<Vec<u8>>) -> Result<QuestionDraft, ApiError> {
        let subject = match (self.procedure, self.topic) {
            (Some(code), None) => Subject::Procedure {
                code,
                agency_code: self.agency.ok_or_else(|| missing("agency"))?,
            },
            (None, Some(code)) if self.agency.is_none() => Subject::Topic(code),
            (None, Some(_)) => {
                return Err(ApiError::invalid_field(
                    "agency",
                    "Câu hỏi theo chủ đề đến cơ quan của chủ đề; bỏ `agency`",
                    "A question on a topic goes to the topic's agency; leave out `agency`",
                ))
            }
            _ => {
                return Err(ApiError::invalid_field(
                    "procedure",
                    "Gửi `procedure` (kèm `agency`) hoặc `topic`, một trong hai",
                    "Send either `procedure` (with `agency`) or `topic`",
                ))
            }
        };
        Ok(QuestionDraft {
            subject,
            title: self.title.ok_or_else(|| missing("title"))?,
            body: self.body.ok_or_else(|| missing("body"))?,
            attachment,
        })
    }
}

/// A question as its asker and the agency holding it see it.
#[derive(Debug, Serialize)]
struct QuestionView {
    id: String,
    status: &'static str,
    title: String,
    body: String,
    procedure: Option<String>,
    topic: Option<String>,
    agency_id: String,
    due_at: String,
    overdue: bool,
    attachment: Option<AttachmentView>,
    answer: Option<String>,
    answered_at: Option<String>,
    published: bool,
    public_title: Option<String>,
    public_body: Option<String>,
    transfers: Vec<TransferView>,
    created_at: String,
}

#[derive(Debug, Serialize)]
struct AttachmentView {
    file_type: &'static str,
    bytes: i64,
}

#[derive(Debug, Serialize)]
struct TransferView {
    from_agency_id: String,
    to_agency_id: String,
    reason: String,
    at: String,
}

fn view(row: QuestionRow, transfers: Vec<TransferRow>) -> QuestionView {
    QuestionView {
        status: row.status.as_str(),
        overdue: questions::is_overdue(&row),
        due_at: utc(row.due_at),
        attachment: row.attachment_type.map(|t| AttachmentView {
            file_type: t.as_str(),
            bytes: row.attachment_bytes.unwrap_or(0),
        }),
        answered_at: row.answered_at.map(utc),
        created_at: utc(row.created_at),
        transfers: transfers
            .into_iter()
            .map(|t| TransferView {
                from_agency_id: t.from_agency_id,
                to_agency_id: t.to_agency_id,
                reason: t.reason,
                at: utc(t.created_at),
            })
            .collect(),
        id: row.id,
        title: row.title,
        body: row.body,
        procedure: row.procedure_code,
        topic: row.topic_code,
        agency_id: row.agency_id,
        answer: row.answer,
        published: row.published,
        public_title: row.public_title,
        public_body: row.public_body,
    }
}

fn detail_view(detail: QuestionDetail) -> QuestionView {
    view(detail.question, detail.transfers)
}

fn private(mut response: actix_web::HttpResponseBuilder, body: impl Serialize) -> HttpResponse {
    response.insert_header((header::CACHE_CONTROL, "private, no-store")).json(body)
}

#[derive(Debug, Serialize)]
struct Items<T> {
    items: Vec<T>,
}

/// `POST /v1/questions`: a citizen with a proven number asks (201), in JSON or, with an
/// attachment, as multipart/form-data.
pub async fn ask(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ProvenPhone,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let draft = if multipart::is_multipart(&req) {
        let form =
            multipart::read_file_form(&req, body, "attachment", MAX_FILE_BYTES, |_| Ok(())).await?;
        QuestionRequest::from_form(form.fields)?.draft(form.file)?
    } else {
        json_body::<QuestionRequest>(&req, body).await?.draft(None)?
    };
    let row = questions::ask(&state, &caller.0, draft).await?;
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, format!("/v1/me/questions/{}", row.id)));
    Ok(private(response, view(row, Vec::new())))
}

/// `GET /v1/me/questions`: the caller's questions, newest first.
pub async fn mine(state: web::Data<AppState>, caller: SignedIn) -> Result<HttpResponse, ApiError> {
    let rows = questions::mine(&state, &caller.0).await?;
    let items = rows.into_iter().map(|row| view(row, Vec::new())).collect();
    Ok(private(HttpResponse::Ok(), Items { items }))
}

/// `GET /v1/me/questions/{id}`.
pub async fn own(
    state: web::Data<AppState>,
    caller: SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let detail = questions::own(&state, &caller.0, id.into_inner()).await?;
    Ok(private(HttpResponse::Ok(), detail_view(detail)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyQuery {
    status: Option<String>,
}

/// `GET /v1/agency/questions?status=asked|answered`: the soonest due first.
pub async fn for_agency(
    state: web::Data<AppState>,
    caller: AgencyCaller,
    query: ApiQuery<AgencyQuery>,
) -> Result<HttpResponse, ApiError> {
    let status = match query.0.status {
        Some(raw) => QuestionStatus::from_word(&raw).ok_or_else(|| {
            ApiError::invalid_query(
                "status",
                "`status` là asked hoặc answered",
                "`status` is asked or answered",
            )
        })?,
        None => QuestionStatus::Asked,
    };
    let rows = questions::for_agency(&state, &caller.0, status).await?;
    let items = rows.into_iter().map(|row| view(row, Vec::new())).collect();
    Ok(private(HttpResponse::Ok(), Items { items }))
}

/// `GET /v1/agency/questions/{id}`.
pub async fn held(
    state: web::Data<AppState>,
    caller: AgencyCaller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let detail = questions::held_by(&state, &caller.0, id.into_inner()).await?;
    Ok(private(HttpResponse::Ok(), detail_view(detail)))
}

/// `GET /v1/agency/questions/{id}/attachment`: the file as stored.
pub async fn attachment(
    state: web::Data<AppState>,
    caller: AgencyCaller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (row, bytes) = questions::attachment(&state, &caller.0, id.into_inner()).await?;
    let file_type = row.attachment_type.ok_or_else(ApiError::not_found)?;
    Ok(attachment_response(&row.id, file_type, bytes))
}

/// An attachment as a download, for the API and the console alike.
pub fn attachment_response(id: &str, file_type: FileType, bytes: bytes::Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, super::dossier_views::media_type(file_type)))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"question-{id}.{}\"", file_type.as_str()),
        ))
        .body(bytes)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    answer: String,
    #[serde(default)]
    publish: bool,
    public_title: Option<String>,
    public_body: Option<String>,
}

/// `POST /v1/agency/questions/{id}/answer`.
pub async fn answer(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: AgencyCaller,
    id: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: AnswerRequest = json_body(&req, body).await?;
    let draft = AnswerDraft {
        answer: body.answer,
        publish: body.publish,
        public_title: body.public_title,
        public_body: body.public_body,
    };
    let row = questions::answer(&state, &caller.0, id.into_inner(), draft).await?;
    Ok(private(HttpResponse::Ok(), view(row, Vec::new())))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    agency: String,
    reason: String,
}

/// `POST /v1/agency/questions/{id}/transfer`: to another agency, which answers in its own time.
pub async fn transfer(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: AgencyCaller,
    id: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: TransferRequest = json_body(&req, body).await?;
    let row =
        questions::transfer(&state, &caller.0, id.into_inner(), body.agency, body.reason).await?;
    Ok(private(HttpResponse::Ok(), view(row, Vec::new())))
}

/// A published question and its answer: nothing of the asker.
#[derive(Debug, Serialize)]
struct PublicView {
    id: String,
    title: String,
    question: String,
    answer: String,
    agency: String,
    procedure: Option<String>,
    topic: Option<String>,
    asked_on: String,
    answered_at: String,
}

fn public_view(row: PublishedRow) -> PublicView {
    PublicView {
        asked_on: row.asked_at.date().to_string(),
        answered_at: utc(row.answered_at),
        id: row.id,
        title: row.title,
        question: row.body,
        answer: row.answer,
        agency: row.agency_name,
        procedure: row.procedure_code,
        topic: row.topic_code,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicQuery {
    q: Option<String>,
    procedure: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[derive(Debug, Serialize)]
struct PublicPage {
    items: Vec<PublicView>,
    page: u32,
    per_page: u32,
    total: usize,
}

/// `GET /v1/questions?q=&procedure=`: published answers, searched as procedures are.
pub async fn search(
    state: web::Data<AppState>,
    query: ApiQuery<PublicQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let (page, per_page, offset) = Paging { page: q.page, per_page: q.per_page }.resolve()?;
    let text = q.q.unwrap_or_default();
    let (rows, total) =
        questions::search(&state, &text, q.procedure, offset as usize, per_page as usize).await?;
    let items = rows.into_iter().map(public_view).collect();
    Ok(HttpResponse::Ok().json(PublicPage { items, page, per_page, total }))
}

/// `GET /v1/questions/{id}`: a published answer.
pub async fn published(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let row = questions::published(&state, &id).await?;
    Ok(HttpResponse::Ok().json(public_view(row)))
}

#[derive(Debug, Serialize)]
struct TopicView {
    code: String,
    name_vi: String,
    name_en: String,
    agency: String,
}

/// `GET /v1/question-topics`.
pub async fn topics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let items = questions::topics(&state)
        .await?
        .into_iter()
        .map(|(topic, agency)| TopicView {
            code: topic.code,
            name_vi: topic.name_vi,
            name_en: topic.name_en,
            agency,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Items { items }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicRequest {
    name_vi: String,
    name_en: String,
    agency: String,
}

/// `PUT /v1/admin/question-topics/{code}`: 201 when new, 200 when replaced.
pub async fn save_topic(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: AdminCaller,
    code: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: TopicRequest = json_body(&req, body).await?;
    let draft =
        TopicDraft { name_vi: body.name_vi, name_en: body.name_en, agency_code: body.agency };
    let code = code.into_inner();
    let created = questions::save_topic(&state, &caller.0, code.clone(), draft).await?;
    let mut response = if created { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(response.json(serde_json::json!({ "code": code, "created": created })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsRequest {
    answer_within_working_days: i32,
}

/// `PUT /v1/admin/agencies/{id}/question-settings`.
pub async fn save_settings(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: AdminCaller,
    id: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: SettingsRequest = json_body(&req, body).await?;
    let days = body.answer_within_working_days;
    questions::set_answer_days(&state, &caller.0, id.into_inner(), days).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "answer_within_working_days": days })))
}

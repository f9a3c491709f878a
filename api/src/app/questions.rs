//! Questions to agencies (hỏi đáp): a citizen asks about a procedure (naming the agency, as for
//! an online dossier) or a general topic (which has its agency); the agency's staff, or its
//! one-stop-shop system, answer it or pass it to another agency; the asker is told each time.
//! An answer the agency publishes is read by everyone without the asker's identity, and is
//! searched as procedures are.

use crate::adapters::storage::StoreError;
use crate::app::auth::{ActingAgency, Admin, Caller};
use crate::app::error::{ApiError, Bug, ErrorCode};
use crate::app::search::about_procedure;
use crate::app::state::AppState;
use crate::app::uploads;
use bytes::Bytes;
use chrono::NaiveDateTime;
use smartcity_db::agencies::{self, AgencyRow};
use smartcity_db::questions::{
    self, Answer, Attachment, NewQuestion, Outcome, PublishedRow, QuestionDetail, QuestionRow,
    TopicRow, Transfer,
};
use smartcity_db::{accounts, procedures};
use smartcity_domain::question::{
    self as rules, anonymise, parse_answer, QuestionStatus, QuestionText, ANSWER_DAYS,
};
use smartcity_domain::search::Filters;
use smartcity_domain::validation::clean_text;

/// Prefix of the object store's keys for attachments (the photo sweeper keeps to `photos/`).
const ATTACHMENT_KEY_PREFIX: &str = "question-files";
/// A person's questions and an agency's queue are shown this many at a time.
const LIST_LIMIT: i64 = 200;
const MAX_QUERY_CHARS: usize = 200;

fn refused(field: &str, vi: &str, en: &str) -> ApiError {
    ApiError::invalid_field(field, vi.to_string(), en.to_string())
}

/// What a question is about: one procedure (at the agency the citizen names), or a topic.
pub enum Subject {
    Procedure { code: String, agency_code: String },
    Topic(String),
}

pub struct QuestionDraft {
    pub subject: Subject,
    pub title: String,
    pub body: String,
    pub attachment: Option<Vec<u8>>,
}

/// The end of the agency's last working day to answer, counted from today (Vietnam's dates).
fn due_at(state: &AppState, agency: &AgencyRow) -> NaiveDateTime {
    let days = u32::try_from(agency.question_answer_days).unwrap_or(1);
    let last_day = state.config.calendar.after_working_days(crate::app::dossiers::today(), days);
    // Midnight after that day in Vietnam (UTC+7) is 17:00 UTC on it.
    last_day.and_hms_opt(17, 0, 0).expect("17:00 exists")
}

/// The agency a question goes to, and the procedure or topic it names.
async fn route(state: &AppState, subject: &Subject) -> Result<AgencyRow, ApiError> {
    match subject {
        Subject::Procedure { code, agency_code } => {
            let (code, agency_code) = (code.clone(), agency_code.clone());
            let (procedure, agency) = state
                .db(move |conn| {
                    Ok((
                        procedures::find(conn, &code)?,
                        agencies::find_agency_by_code(conn, &agency_code)?,
                    ))
                })
                .await?;
            let procedure = crate::app::procedures::named(procedure)?;
            crate::app::procedures::handled_by(agency, &procedure)
        }
        Subject::Topic(code) => {
            let code = code.clone();
            state
                .db(move |conn| {
                    let Some(topic) = questions::find_topic(conn, &code)? else {
                        return Ok(None);
                    };
                    agencies::find_agency(conn, &topic.agency_id)
                })
                .await?
                .ok_or_else(|| {
                    refused("topic", "Không có chủ đề với mã này", "No topic has this code")
                })
        }
    }
}

/// Asks a question for the signed-in citizen. Everything is checked before the attachment is
/// kept, and the attachment is removed again if the question is not written.
pub async fn ask(
    state: &AppState,
    caller: &Caller,
    draft: QuestionDraft,
) -> Result<QuestionRow, ApiError> {
    let text = QuestionText::parse(&draft.title, &draft.body)?;
    let agency = route(state, &draft.subject).await?;
    let attachment = match draft.attachment {
        Some(bytes) => Some(keep_attachment(state, bytes).await?),
        None => None,
    };
    let key = attachment.as_ref().map(|a| a.storage_key.clone());
    let (procedure_code, topic_code) = match draft.subject {
        Subject::Procedure { code, .. } => (Some(code), None),
        Subject::Topic(code) => (None, Some(code)),
    };
    let (asker_id, due_at) = (caller.user.id.clone(), due_at(state, &agency));
    let written = state
        .db(move |conn| {
            let question = NewQuestion {
                asker_id: &asker_id,
                agency_id: &agency.id,
                procedure_code: procedure_code.as_deref(),
                topic_code: topic_code.as_deref(),
                title: &text.title,
                body: &text.body,
                due_at,
                attachment,
            };
            let notice = |id: &str| rules::asked_notice(id, &text.title);
            questions::insert(conn, &question, notice, smartcity_db::now())
        })
        .await;
    if written.is_err() {
        if let Some(key) = key {
            if let Err(error) = state.photos.delete(&key).await {
                tracing::warn!(%key, %error, "could not remove the attachment of an unwritten question");
            }
        }
    }
    state.pushes_queued();
    written
}

async fn keep_attachment(state: &AppState, bytes: Vec<u8>) -> Result<Attachment, ApiError> {
    let kind = uploads::sniff("attachment", &bytes)?;
    let (file_type, bytes) = uploads::prepare(state, "attachment", kind, bytes).await?;
    let storage_key = format!("{ATTACHMENT_KEY_PREFIX}/{}", uuid::Uuid::new_v4().simple());
    let size = bytes.len() as i64;
    state.photos.put(&storage_key, bytes).await?;
    Ok(Attachment { storage_key, file_type, bytes: size })
}

/// The caller's own questions, newest first.
pub async fn mine(state: &AppState, caller: &Caller) -> Result<Vec<QuestionRow>, ApiError> {
    let id = caller.user.id.clone();
    state.db(move |conn| questions::of_asker(conn, &id, LIST_LIMIT)).await
}

/// One of the caller's own questions; anyone else's is not found.
pub async fn own(
    state: &AppState,
    caller: &Caller,
    id: String,
) -> Result<QuestionDetail, ApiError> {
    let asker = caller.user.id.clone();
    state
        .db(move |conn| questions::find(conn, &id))
        .await?
        .filter(|detail| detail.question.asker_id.as_deref() == Some(asker.as_str()))
        .ok_or_else(ApiError::not_found)
}

/// The acting agency's questions with a status (open ones by default), the soonest due first.
pub async fn for_agency(
    state: &AppState,
    agency: &ActingAgency,
    status: QuestionStatus,
) -> Result<Vec<QuestionRow>, ApiError> {
    let id = agency.agency_id().to_string();
    state.db(move |conn| questions::of_agency(conn, &id, status, LIST_LIMIT)).await
}

/// One question the acting agency holds; any other is not found.
pub async fn held_by(
    state: &AppState,
    agency: &ActingAgency,
    id: String,
) -> Result<QuestionDetail, ApiError> {
    let holder = agency.agency_id().to_string();
    state
        .db(move |conn| questions::find(conn, &id))
        .await?
        .filter(|detail| detail.question.agency_id == holder)
        .ok_or_else(ApiError::not_found)
}

/// The attachment of a question the acting agency holds.
pub async fn attachment(
    state: &AppState,
    agency: &ActingAgency,
    id: String,
) -> Result<(QuestionRow, Bytes), ApiError> {
    let question = held_by(state, agency, id).await?.question;
    let key = question.attachment_key.clone().ok_or_else(ApiError::not_found)?;
    let bytes = state.photos.get(&key).await.map_err(|err| match err {
        StoreError::NotFound(_) => ApiError::internal(Bug(format!(
            "question {} attachment is not in the store",
            question.id
        ))),
        other => other.into(),
    })?;
    Ok((question, bytes))
}

pub struct AnswerDraft {
    pub answer: String,
    /// Publish it for everyone to read, the asker's identity removed.
    pub publish: bool,
    /// The question as the public reads it, when staff rewrote it; else the asker's words.
    pub public_title: Option<String>,
    pub public_body: Option<String>,
}

/// Answers a question the acting agency holds; a question already answered is a conflict.
pub async fn answer(
    state: &AppState,
    agency: &ActingAgency,
    id: String,
    draft: AnswerDraft,
) -> Result<QuestionRow, ApiError> {
    let text = parse_answer(&draft.answer)?;
    let public_title =
        draft.public_title.map(|t| clean_text("public_title", &t, 5, 200, false)).transpose()?;
    let public_body =
        draft.public_body.map(|b| clean_text("public_body", &b, 10, 4000, true)).transpose()?;
    if !draft.publish && (public_title.is_some() || public_body.is_some()) {
        return Err(refused(
            "publish",
            "Chỉ gửi `public_title`, `public_body` khi công khai câu trả lời",
            "Send `public_title` and `public_body` only when the answer is published",
        ));
    }
    let detail = held_by(state, agency, id.clone()).await?;
    let asker_id = detail.question.asker_id.clone();
    let (holder, by) = (agency.agency_id().to_string(), agency.person_id().map(str::to_string));
    let outcome = state
        .db(move |conn| {
            let asker = match &asker_id {
                Some(id) => accounts::find_user(conn, id)?,
                None => None,
            };
            let name = asker.map(|a| a.display_name).unwrap_or_default();
            let question = &detail.question;
            let publish = draft.publish.then(|| {
                let title = public_title.unwrap_or_else(|| question.title.clone());
                let body = public_body.unwrap_or_else(|| question.body.clone());
                (anonymise(&title, &name), anonymise(&body, &name))
            });
            let agency_name =
                agencies::find_agency(conn, &holder)?.map(|a| a.name).unwrap_or_default();
            let answer = Answer { text: &text, by: by.as_deref(), publish };
            let notice =
                |row: &QuestionRow| rules::answered_notice(&row.id, &row.title, &agency_name);
            questions::answer(conn, &id, &holder, &answer, notice, smartcity_db::now())
        })
        .await?;
    state.pushes_queued();
    settled(outcome)
}

fn settled(outcome: Outcome) -> Result<QuestionRow, ApiError> {
    match outcome {
        Outcome::Done(row) => Ok(*row),
        Outcome::NotFound => Err(ApiError::not_found()),
        Outcome::AlreadyAnswered => Err(ApiError::new(ErrorCode::QuestionAnswered)),
    }
}

/// Passes a question the acting agency holds to another agency, which gets its own time to
/// answer from now.
pub async fn transfer(
    state: &AppState,
    agency: &ActingAgency,
    id: String,
    to_agency_code: String,
    reason: String,
) -> Result<QuestionRow, ApiError> {
    let reason = clean_text("reason", &reason, 5, 1000, true)?;
    // Another agency's question does not exist for this one, whatever the target.
    held_by(state, agency, id.clone()).await?;
    let to = state
        .db(move |conn| agencies::find_agency_by_code(conn, &to_agency_code))
        .await?
        .ok_or_else(|| {
            refused("agency", "Không có cơ quan với mã này", "No agency has this code")
        })?;
    if to.id == agency.agency_id() {
        return Err(refused(
            "agency",
            "Câu hỏi đã ở cơ quan này",
            "The question is with this agency already",
        ));
    }
    let due_at = due_at(state, &to);
    let holder = agency.agency_id().to_string();
    let outcome = state
        .db(move |conn| {
            let transfer = Transfer { to_agency_id: &to.id, reason: &reason, due_at };
            let notices = |row: &QuestionRow| {
                (
                    rules::transferred_notice(&row.id, &row.title, &to.name),
                    rules::asked_notice(&row.id, &row.title),
                )
            };
            questions::transfer(conn, &id, &holder, &transfer, notices, smartcity_db::now())
        })
        .await?;
    state.pushes_queued();
    settled(outcome)
}

/// One page of the published answers matching `text` (all of them, by title, when it is
/// empty), about one procedure when `procedure` is given, and how many match in all.
pub async fn search(
    state: &AppState,
    text: &str,
    procedure: Option<String>,
    offset: usize,
    limit: usize,
) -> Result<(Vec<PublishedRow>, usize), ApiError> {
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::invalid_query(
            "q",
            format!("`q` tối đa {MAX_QUERY_CHARS} ký tự"),
            format!("`q` has at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    let filters =
        Filters { field: procedure.as_deref().map(about_procedure), ..Filters::default() };
    let snapshot = state.answers.snapshot(&state.database).await?;
    let (ids, total) = snapshot.index.search(text, &filters, offset, limit);
    let rows = ids.iter().filter_map(|id| snapshot.rows.get(id).cloned()).collect();
    Ok((rows, total))
}

/// A published answer; an unpublished question is not found, whoever asks.
pub async fn published(state: &AppState, id: &str) -> Result<PublishedRow, ApiError> {
    let snapshot = state.answers.snapshot(&state.database).await?;
    snapshot.rows.get(id).cloned().ok_or_else(ApiError::not_found)
}

pub async fn topics(state: &AppState) -> Result<Vec<(TopicRow, String)>, ApiError> {
    state
        .db(|conn| {
            let agencies = agencies::list_all(conn)?;
            Ok(questions::topics(conn)?
                .into_iter()
                .map(|topic| {
                    let code = agencies
                        .iter()
                        .find(|a| a.id == topic.agency_id)
                        .map_or(String::new(), |a| a.code.clone());
                    (topic, code)
                })
                .collect())
        })
        .await
}

pub struct TopicDraft {
    pub name_vi: String,
    pub name_en: String,
    pub agency_code: String,
}

/// Creates or replaces a topic; returns whether it was new.
pub async fn save_topic(
    state: &AppState,
    _: &Admin,
    code: String,
    draft: TopicDraft,
) -> Result<bool, ApiError> {
    let code_ok = (2..=40).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !code_ok {
        return Err(refused(
            "code",
            "Mã chủ đề gồm 2–40 chữ thường không dấu, chữ số và dấu gạch ngang",
            "A topic code is 2–40 lowercase ASCII letters, digits and hyphens",
        ));
    }
    let name_vi = clean_text("name_vi", &draft.name_vi, 2, 200, false)?;
    let name_en = clean_text("name_en", &draft.name_en, 2, 200, false)?;
    state
        .db(move |conn| {
            let Some(agency) = agencies::find_agency_by_code(conn, &draft.agency_code)? else {
                return Ok(None);
            };
            let topic = TopicRow {
                code,
                name_vi,
                name_en,
                agency_id: agency.id,
                updated_at: smartcity_db::now(),
            };
            questions::save_topic(conn, &topic).map(Some)
        })
        .await?
        .ok_or_else(|| refused("agency", "Không có cơ quan với mã này", "No agency has this code"))
}

/// Sets the working days an agency has to answer; questions it already holds keep theirs.
pub async fn set_answer_days(
    state: &AppState,
    _: &Admin,
    agency_id: String,
    days: i32,
) -> Result<(), ApiError> {
    if !ANSWER_DAYS.contains(&days) {
        return Err(refused(
            "answer_within_working_days",
            "Thời hạn trả lời từ 1 đến 30 ngày làm việc",
            "The time to answer is 1 to 30 working days",
        ));
    }
    let found =
        state.db(move |conn| agencies::set_question_answer_days(conn, &agency_id, days)).await?;
    found.then_some(()).ok_or_else(ApiError::not_found)
}

/// Whether an open question is past its time now.
pub fn is_overdue(row: &QuestionRow) -> bool {
    row.status == QuestionStatus::Asked && row.due_at < smartcity_db::now()
}

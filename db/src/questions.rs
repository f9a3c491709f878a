//! Questions citizens ask agencies, their answers and transfers. Each change and the notices it
//! sends (inbox rows and pushes) are one transaction; publishing an answer bumps the revision
//! the instances' search indexes follow.

use crate::notifications;
use crate::pool::write_transaction;
use crate::revisions;
use crate::schema::{agencies, question_topics, question_transfers, questions};
use crate::words::Stored;
use crate::{new_id, DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use smartcity_domain::dossier::Notice;
use smartcity_domain::procedure::FileType;
use smartcity_domain::question::QuestionStatus;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = question_topics)]
pub struct TopicRow {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub agency_id: String,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = questions)]
pub struct QuestionRow {
    pub id: String,
    /// None once the asker erased their account.
    pub asker_id: Option<String>,
    pub agency_id: String,
    pub procedure_code: Option<String>,
    pub topic_code: Option<String>,
    pub title: String,
    pub body: String,
    pub status: QuestionStatus,
    pub due_at: NaiveDateTime,
    pub attachment_key: Option<String>,
    pub attachment_type: Option<FileType>,
    pub attachment_bytes: Option<i64>,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<NaiveDateTime>,
    pub published: bool,
    pub public_title: Option<String>,
    pub public_body: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A question and the transfers it went through, oldest first.
#[derive(Debug, Clone)]
pub struct QuestionDetail {
    pub question: QuestionRow,
    pub transfers: Vec<TransferRow>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = question_transfers)]
pub struct TransferRow {
    pub from_agency_id: String,
    pub to_agency_id: String,
    pub reason: String,
    pub created_at: NaiveDateTime,
}

pub fn topics(conn: &mut DbConn) -> Result<Vec<TopicRow>, DbError> {
    Ok(question_topics::table
        .order(question_topics::code.asc())
        .select(TopicRow::as_select())
        .load(conn)?)
}

pub fn find_topic(conn: &mut DbConn, code: &str) -> Result<Option<TopicRow>, DbError> {
    Ok(crate::row_by_key(question_topics::table.find(code).select(TopicRow::as_select()), conn)?)
}

/// Creates or replaces a topic; returns whether it was new.
pub fn save_topic(conn: &mut DbConn, topic: &TopicRow) -> Result<bool, DbError> {
    write_transaction(conn, |conn| {
        let changed = diesel::update(question_topics::table.find(&topic.code))
            .set((
                question_topics::name_vi.eq(&topic.name_vi),
                question_topics::name_en.eq(&topic.name_en),
                question_topics::agency_id.eq(&topic.agency_id),
                question_topics::updated_at.eq(topic.updated_at),
            ))
            .execute(conn)?;
        if changed > 0 {
            return Ok(false);
        }
        diesel::insert_into(question_topics::table)
            .values((
                question_topics::code.eq(&topic.code),
                question_topics::name_vi.eq(&topic.name_vi),
                question_topics::name_en.eq(&topic.name_en),
                question_topics::agency_id.eq(&topic.agency_id),
                question_topics::updated_at.eq(topic.updated_at),
            ))
            .execute(conn)?;
        Ok(true)
    })
}

/// A question as it is first written.
pub struct NewQuestion<'a> {
    pub asker_id: &'a str,
    pub agency_id: &'a str,
    pub procedure_code: Option<&'a str>,
    pub topic_code: Option<&'a str>,
    pub title: &'a str,
    pub body: &'a str,
    pub due_at: NaiveDateTime,
    pub attachment: Option<Attachment>,
}

pub struct Attachment {
    pub storage_key: String,
    pub file_type: FileType,
    pub bytes: i64,
}

/// Writes a question and tells its agency's staff, in one transaction.
pub fn insert(
    conn: &mut DbConn,
    question: &NewQuestion<'_>,
    staff_notice: impl FnOnce(&str) -> Notice,
    now: NaiveDateTime,
) -> Result<QuestionRow, DbError> {
    let id = new_id();
    let attachment = question.attachment.as_ref();
    write_transaction(conn, |conn| {
        diesel::insert_into(questions::table)
            .values((
                questions::id.eq(&id),
                questions::asker_id.eq(question.asker_id),
                questions::agency_id.eq(question.agency_id),
                questions::procedure_code.eq(question.procedure_code),
                questions::topic_code.eq(question.topic_code),
                questions::title.eq(question.title),
                questions::body.eq(question.body),
                questions::status.eq(Stored(QuestionStatus::Asked)),
                questions::due_at.eq(question.due_at),
                questions::attachment_key.eq(attachment.map(|a| a.storage_key.as_str())),
                questions::attachment_type.eq(attachment.map(|a| Stored(a.file_type))),
                questions::attachment_bytes.eq(attachment.map(|a| a.bytes)),
                questions::published.eq(false),
                questions::created_at.eq(now),
                questions::updated_at.eq(now),
            ))
            .execute(conn)?;
        notifications::insert_for_agency_staff(conn, question.agency_id, &staff_notice(&id), now)?;
        find_row(conn, &id)?.ok_or_else(|| DbError::Corrupt("the question just written".into()))
    })
}

fn find_row(conn: &mut DbConn, id: &str) -> Result<Option<QuestionRow>, DbError> {
    Ok(crate::row_by_key(questions::table.find(id).select(QuestionRow::as_select()), conn)?)
}

pub fn find(conn: &mut DbConn, id: &str) -> Result<Option<QuestionDetail>, DbError> {
    let Some(question) = find_row(conn, id)? else {
        return Ok(None);
    };
    let transfers = question_transfers::table
        .filter(question_transfers::question_id.eq(id))
        .order((question_transfers::created_at.asc(), question_transfers::id.asc()))
        .select(TransferRow::as_select())
        .load(conn)?;
    Ok(Some(QuestionDetail { question, transfers }))
}

/// A person's questions, newest first.
pub fn of_asker(
    conn: &mut DbConn,
    asker_id: &str,
    limit: i64,
) -> Result<Vec<QuestionRow>, DbError> {
    Ok(questions::table
        .filter(questions::asker_id.eq(asker_id))
        .order((questions::created_at.desc(), questions::id.desc()))
        .limit(limit)
        .select(QuestionRow::as_select())
        .load(conn)?)
}

/// An agency's questions with a status, the soonest due first.
pub fn of_agency(
    conn: &mut DbConn,
    agency_id: &str,
    status: QuestionStatus,
    limit: i64,
) -> Result<Vec<QuestionRow>, DbError> {
    Ok(questions::table
        .filter(questions::agency_id.eq(agency_id))
        .filter(questions::status.eq(Stored(status)))
        .order((questions::due_at.asc(), questions::id.asc()))
        .limit(limit)
        .select(QuestionRow::as_select())
        .load(conn)?)
}

/// An agency's answer.
pub struct Answer<'a> {
    pub text: &'a str,
    pub by: Option<&'a str>,
    /// The question as the public reads it, when the answer is published.
    pub publish: Option<(String, String)>,
}

/// What became of an answer or a transfer.
pub enum Outcome {
    Done(Box<QuestionRow>),
    /// No such question with this agency.
    NotFound,
    AlreadyAnswered,
}

/// Answers a question the agency holds, tells the asker and, when published, bumps the revision
/// of the public answers, in one transaction. Of two answers at once, one wins.
pub fn answer(
    conn: &mut DbConn,
    id: &str,
    agency_id: &str,
    answer: &Answer<'_>,
    asker_notice: impl FnOnce(&QuestionRow) -> Notice,
    now: NaiveDateTime,
) -> Result<Outcome, DbError> {
    write_transaction(conn, |conn| {
        let Some(row) = find_row(conn, id)?.filter(|row| row.agency_id == agency_id) else {
            return Ok(Outcome::NotFound);
        };
        let (public_title, public_body) = answer.publish.clone().unzip();
        let changed = diesel::update(
            questions::table
                .find(id)
                .filter(questions::status.eq(Stored(QuestionStatus::Asked)))
                .filter(questions::agency_id.eq(agency_id)),
        )
        .set((
            questions::status.eq(Stored(QuestionStatus::Answered)),
            questions::answer.eq(answer.text),
            questions::answered_by.eq(answer.by),
            questions::answered_at.eq(now),
            questions::published.eq(answer.publish.is_some()),
            questions::public_title.eq(public_title),
            questions::public_body.eq(public_body),
            questions::updated_at.eq(now),
        ))
        .execute(conn)?;
        if changed == 0 {
            return Ok(Outcome::AlreadyAnswered);
        }
        if let Some(asker) = &row.asker_id {
            notifications::insert(conn, asker, &asker_notice(&row), now)?;
        }
        if answer.publish.is_some() {
            revisions::bump(conn, revisions::QUESTIONS)?;
        }
        let row = find_row(conn, id)?.ok_or_else(|| DbError::Corrupt("answered".into()))?;
        Ok(Outcome::Done(Box::new(row)))
    })
}

pub struct Transfer<'a> {
    pub to_agency_id: &'a str,
    pub reason: &'a str,
    /// The new agency's own time to answer, from now.
    pub due_at: NaiveDateTime,
}

/// Passes an open question the agency holds to another one; tells the asker and the new
/// agency's staff, in one transaction.
pub fn transfer(
    conn: &mut DbConn,
    id: &str,
    agency_id: &str,
    transfer: &Transfer<'_>,
    notices: impl FnOnce(&QuestionRow) -> (Notice, Notice),
    now: NaiveDateTime,
) -> Result<Outcome, DbError> {
    write_transaction(conn, |conn| {
        let Some(row) = find_row(conn, id)?.filter(|row| row.agency_id == agency_id) else {
            return Ok(Outcome::NotFound);
        };
        let changed = diesel::update(
            questions::table
                .find(id)
                .filter(questions::status.eq(Stored(QuestionStatus::Asked)))
                .filter(questions::agency_id.eq(agency_id)),
        )
        .set((
            questions::agency_id.eq(transfer.to_agency_id),
            questions::due_at.eq(transfer.due_at),
            questions::updated_at.eq(now),
        ))
        .execute(conn)?;
        if changed == 0 {
            return Ok(Outcome::AlreadyAnswered);
        }
        diesel::insert_into(question_transfers::table)
            .values((
                question_transfers::id.eq(new_id()),
                question_transfers::question_id.eq(id),
                question_transfers::from_agency_id.eq(agency_id),
                question_transfers::to_agency_id.eq(transfer.to_agency_id),
                question_transfers::reason.eq(transfer.reason),
                question_transfers::created_at.eq(now),
            ))
            .execute(conn)?;
        let (to_asker, to_staff) = notices(&row);
        if let Some(asker) = &row.asker_id {
            notifications::insert(conn, asker, &to_asker, now)?;
        }
        notifications::insert_for_agency_staff(conn, transfer.to_agency_id, &to_staff, now)?;
        let row = find_row(conn, id)?.ok_or_else(|| DbError::Corrupt("transferred".into()))?;
        Ok(Outcome::Done(Box::new(row)))
    })
}

/// A published question and answer, as anyone may read it: nothing of the asker.
#[derive(Debug, Clone, Queryable)]
pub struct PublishedRow {
    pub id: String,
    pub title: String,
    pub body: String,
    pub answer: String,
    pub agency_name: String,
    pub procedure_code: Option<String>,
    pub topic_code: Option<String>,
    pub asked_at: NaiveDateTime,
    pub answered_at: NaiveDateTime,
}

/// A published row as stored, its public parts nullable.
#[derive(Queryable)]
struct StoredAnswer {
    id: String,
    title: Option<String>,
    body: Option<String>,
    answer: Option<String>,
    agency_name: String,
    procedure_code: Option<String>,
    topic_code: Option<String>,
    asked_at: NaiveDateTime,
    answered_at: Option<NaiveDateTime>,
}

/// Every published answer, with the revision it was read at (read first, so a later change
/// only makes the index look stale sooner).
pub fn published_with_revision(conn: &mut DbConn) -> Result<(i64, Vec<PublishedRow>), DbError> {
    let revision = revisions::current(conn, revisions::QUESTIONS)?;
    let rows: Vec<StoredAnswer> = questions::table
        .inner_join(agencies::table)
        .filter(questions::published.eq(true))
        .select((
            questions::id,
            questions::public_title,
            questions::public_body,
            questions::answer,
            agencies::name,
            questions::procedure_code,
            questions::topic_code,
            questions::created_at,
            questions::answered_at,
        ))
        .load(conn)?;
    // A published row has all of these; one without is skipped rather than shown half.
    let rows = rows
        .into_iter()
        .filter_map(|row| {
            Some(PublishedRow {
                title: row.title?,
                body: row.body?,
                answer: row.answer?,
                answered_at: row.answered_at?,
                id: row.id,
                agency_name: row.agency_name,
                procedure_code: row.procedure_code,
                topic_code: row.topic_code,
                asked_at: row.asked_at,
            })
        })
        .collect();
    Ok((revision, rows))
}

/// How one agency answers, for its public figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgencyFigures {
    pub agency_id: String,
    /// Questions that reached it (it holds them now) since the period began.
    pub asked: i64,
    pub answered: i64,
    pub answered_on_time: i64,
    /// Open now and past their due time.
    pub overdue: i64,
}

/// Every agency's figures for questions asked in `[since, until)`, overdue judged at `now`.
pub fn figures(
    conn: &mut DbConn,
    since: NaiveDateTime,
    until: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<Vec<AgencyFigures>, DbError> {
    let rows: Vec<(String, QuestionStatus, NaiveDateTime, Option<NaiveDateTime>)> =
        questions::table
            .filter(questions::created_at.ge(since))
            .filter(questions::created_at.lt(until))
            .select((
                questions::agency_id,
                questions::status,
                questions::due_at,
                questions::answered_at,
            ))
            .load(conn)?;
    let mut figures: Vec<AgencyFigures> = Vec::new();
    for (agency_id, status, due_at, answered_at) in rows {
        let index = match figures.iter().position(|f| f.agency_id == agency_id) {
            Some(index) => index,
            None => {
                figures.push(AgencyFigures { agency_id, ..AgencyFigures::default() });
                figures.len() - 1
            }
        };
        let entry = &mut figures[index];
        entry.asked += 1;
        match (status, answered_at) {
            (QuestionStatus::Answered, Some(at)) => {
                entry.answered += 1;
                entry.answered_on_time += i64::from(at <= due_at);
            }
            (QuestionStatus::Asked, _) if due_at < now => entry.overdue += 1,
            _ => {}
        }
    }
    Ok(figures)
}

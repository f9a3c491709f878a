//! The SMS outbox: one row per text message, written in the transaction of the change that
//! causes it. Workers claim due rows under a lease ([`crate::lease`]), so a message whose worker
//! died is claimed again and none is lost; delivery receipts are matched to rows by the
//! provider's message id. Opt-outs and the per-number daily cap are decided here, in the same
//! transaction, so no bug upstream can text someone a hundred times.

use crate::lease::{self, Outbox};
use crate::pool::write_transaction;
use crate::schema::{agencies, push_outbox, sms_opt_outs, sms_outbox, users};
use crate::words::Stored;
use crate::{new_id, DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use smartcity_domain::account::Role;
use smartcity_domain::push::PushStatus;
use smartcity_domain::sms::templates::{DossierSms, OptOut, SmsTemplate};
use smartcity_domain::sms::{
    within_daily_cap, SmsEncoding, SmsPurpose, SmsStatus, SmsText, TextMode,
};

/// A message to queue.
pub struct NewSms<'a> {
    /// E.164.
    pub phone: &'a str,
    pub purpose: SmsPurpose,
    pub text: &'a SmsText,
    pub dossier_code: Option<&'a str>,
    /// A notification whose push, if sent before this message is due, makes it unneeded.
    pub covering_notification_id: Option<&'a str>,
    /// Quiet hours and the grace for a covering push are the caller's to apply.
    pub due_at: NaiveDateTime,
    /// The link token a dossier message carries to stop such messages.
    pub opt_out_token: Option<&'a str>,
}

/// What the daily cap counts: messages to one number since the start of its day.
pub struct DailyCap {
    pub day_started_at: NaiveDateTime,
    /// The operator's cap (codes may go a few past it: `within_daily_cap`).
    pub per_number: u32,
}

/// Queues a message in the caller's transaction and says what became of it: `Queued`, or
/// recorded without sending as `OptedOut` (dossier messages to a number that opted out) or
/// `Capped` (the number's daily cap is reached).
pub fn enqueue(
    conn: &mut DbConn,
    sms: &NewSms,
    cap: &DailyCap,
    now: NaiveDateTime,
) -> Result<SmsStatus, DbError> {
    let opted_out = sms.purpose.may_opt_out()
        && sms_opt_outs::table.find(sms.phone).count().get_result::<i64>(conn)? > 0;
    let status = if opted_out {
        SmsStatus::OptedOut
    } else if !within_daily_cap(
        sms.purpose,
        sent_since(conn, sms.phone, cap.day_started_at)?,
        cap.per_number,
    ) {
        SmsStatus::Capped
    } else {
        SmsStatus::Queued
    };
    diesel::insert_into(sms_outbox::table)
        .values((
            sms_outbox::id.eq(new_id()),
            sms_outbox::phone.eq(sms.phone),
            sms_outbox::purpose.eq(Stored(sms.purpose)),
            sms_outbox::body.eq(&sms.text.body),
            sms_outbox::encoding.eq(Stored(sms.text.encoding)),
            sms_outbox::segments.eq(i32::try_from(sms.text.segments).unwrap_or(i32::MAX)),
            sms_outbox::dossier_code.eq(sms.dossier_code),
            sms_outbox::covering_notification_id.eq(sms.covering_notification_id),
            sms_outbox::opt_out_token.eq(sms.opt_out_token),
            sms_outbox::status.eq(Stored(status)),
            sms_outbox::attempts.eq(0),
            sms_outbox::due_at.eq(sms.due_at),
            sms_outbox::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(status)
}

/// What storage needs to text a dossier's applicant in the transaction of the dossier's change:
/// the operator's rules, worked out by the caller for this moment.
pub struct Texting {
    pub mode: TextMode,
    /// The city the messages are signed with.
    pub city: String,
    pub cap: DailyCap,
    /// When the message may go: after quiet hours, and after the grace a push to the
    /// applicant's app is given.
    pub due_at: NaiveDateTime,
    pub opt_out: OptOutRoute,
}

/// How a dossier message says to stop them.
pub enum OptOutRoute {
    /// A link: this base (`https://city.example/o/`) and the message's own token.
    Link { base: String },
    /// A reply `TC` to this number.
    Reply { to: String },
}

/// Texts a dossier's applicant that the dossier reached `update`, in the caller's transaction;
/// `covering` is the notification just put in the inbox of a follower whose account has the
/// applicant's number (if its push goes out first, the message is not sent).
pub fn text_applicant(
    conn: &mut DbConn,
    texting: &Texting,
    dossier_code: &str,
    phone: &str,
    update: DossierSms,
    covering: Option<&str>,
    now: NaiveDateTime,
) -> Result<SmsStatus, DbError> {
    let message = Message {
        phone,
        purpose: SmsPurpose::DossierUpdate,
        dossier_code: Some(dossier_code),
        covering,
    };
    let render = |opt_out: OptOut<'_>, city: &str| {
        SmsTemplate::Dossier { dossier_code, update, opt_out }.render(city)
    };
    text_with_opt_out(conn, texting, message, render, now)
}

/// Who a message that may be stopped goes to, and what it is about.
pub struct Message<'a> {
    pub phone: &'a str,
    pub purpose: SmsPurpose,
    pub dossier_code: Option<&'a str>,
    /// A notification whose push, if sent first, makes the message unneeded.
    pub covering: Option<&'a str>,
}

/// Queues a message that says how to stop such messages (a link with the message's own token,
/// or a reply), in the caller's transaction; `render` writes it for the way to stop and the
/// city.
pub fn text_with_opt_out(
    conn: &mut DbConn,
    texting: &Texting,
    message: Message,
    render: impl FnOnce(OptOut<'_>, &str) -> String,
    now: NaiveDateTime,
) -> Result<SmsStatus, DbError> {
    let token = opt_out_token();
    let link;
    let opt_out = match &texting.opt_out {
        OptOutRoute::Link { base } => {
            link = format!("{base}{token}");
            OptOut::Link { url: &link }
        }
        OptOutRoute::Reply { to } => OptOut::Reply { to },
    };
    let text = SmsText::compose(&render(opt_out, &texting.city), texting.mode);
    let sms = NewSms {
        phone: message.phone,
        purpose: message.purpose,
        text: &text,
        dossier_code: message.dossier_code,
        covering_notification_id: message.covering,
        due_at: texting.due_at,
        opt_out_token: Some(&token),
    };
    enqueue(conn, &sms, &texting.cap, now)
}

/// Texts the active staff of an agency that chose it the day's count of overdue items, in the
/// caller's transaction; how many messages were queued.
pub fn text_staff_overdue(
    conn: &mut DbConn,
    texting: &Texting,
    agency_id: &str,
    overdue: u32,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    let agency: Option<(String, bool)> = agencies::table
        .find(agency_id)
        .select((agencies::name, agencies::sms_reminders))
        .first(conn)
        .optional()?;
    let Some((name, true)) = agency else { return Ok(0) };
    let phones: Vec<String> = users::table
        .filter(users::agency_id.eq(agency_id))
        .filter(users::role.eq(Stored(Role::Staff)))
        .filter(users::disabled.eq(false))
        .select(users::phone)
        .load(conn)?;
    let template = SmsTemplate::StaffOverdue { agency: &name, overdue };
    let text = SmsText::compose(&template.render(&texting.city), texting.mode);
    let mut queued = 0;
    for phone in &phones {
        let sms = NewSms {
            phone,
            purpose: SmsPurpose::StaffReminder,
            text: &text,
            dossier_code: None,
            covering_notification_id: None,
            due_at: texting.due_at,
            opt_out_token: None,
        };
        if enqueue(conn, &sms, &texting.cap, now)? == SmsStatus::Queued {
            queued += 1;
        }
    }
    Ok(queued)
}

/// Ten letters and digits, none that reads like another: short enough for a message, too
/// many to guess (57^10).
fn opt_out_token() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let random = uuid::Uuid::new_v4().as_u128();
    (0..10)
        .map(|i| ALPHABET[((random >> (i * 12)) % ALPHABET.len() as u128) as usize] as char)
        .collect()
}

/// Messages queued for or sent to a number since `since`, not counting those never meant to go.
fn sent_since(conn: &mut DbConn, phone: &str, since: NaiveDateTime) -> Result<u32, DbError> {
    let not_sent = [SmsStatus::Capped, SmsStatus::OptedOut, SmsStatus::Covered].map(Stored);
    let count: i64 = sms_outbox::table
        .filter(sms_outbox::phone.eq(phone))
        .filter(sms_outbox::created_at.ge(since))
        .filter(sms_outbox::status.ne_all(not_sent))
        .count()
        .get_result(conn)?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

/// A claimed message.
#[derive(Debug, Clone, Queryable)]
pub struct OutgoingRow {
    pub id: String,
    pub phone: String,
    pub purpose: SmsPurpose,
    pub body: String,
    pub encoding: SmsEncoding,
    pub attempts: i32,
    pub covering_notification_id: Option<String>,
    pub created_at: NaiveDateTime,
}

/// A claimed message, and whether a push that makes it unneeded was sent meanwhile.
pub struct Claimed {
    pub row: OutgoingRow,
    pub covered: bool,
}

/// Claims up to `limit` due messages until `lease_until`.
pub fn claim(
    conn: &mut DbConn,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Claimed>, DbError> {
    let statuses = (SmsStatus::Queued, SmsStatus::Sending);
    let claimed = lease::claim(conn, Outbox::Sms, statuses, now, lease_until, limit)?;
    let ids: Vec<&str> = claimed.iter().map(|c| c.id.as_str()).collect();
    let rows: Vec<OutgoingRow> = sms_outbox::table
        .filter(sms_outbox::id.eq_any(&ids))
        .select((
            sms_outbox::id,
            sms_outbox::phone,
            sms_outbox::purpose,
            sms_outbox::body,
            sms_outbox::encoding,
            sms_outbox::attempts,
            sms_outbox::covering_notification_id,
            sms_outbox::created_at,
        ))
        .load(conn)?;
    let covering: Vec<&str> =
        rows.iter().filter_map(|r| r.covering_notification_id.as_deref()).collect();
    let pushed: Vec<String> = if covering.is_empty() {
        Vec::new()
    } else {
        push_outbox::table
            .filter(push_outbox::notification_id.eq_any(&covering))
            .filter(push_outbox::status.eq(Stored(PushStatus::Sent)))
            .select(push_outbox::notification_id)
            .load(conn)?
    };
    Ok(rows
        .into_iter()
        .map(|row| {
            let covered = row.covering_notification_id.as_ref().is_some_and(|n| pushed.contains(n));
            Claimed { row, covered }
        })
        .collect())
}

/// What became of a claimed message.
pub enum Settlement {
    /// Accepted by the gateway; a delivery receipt may follow. `body` replaces the stored text
    /// when it held a secret (a one-time code) that has no business staying in the database.
    Sent { gateway: &'static str, provider_id: String, body: Option<String> },
    /// Back in the queue, due then, after this error.
    RetryAt(NaiveDateTime, String),
    /// Finished without a send (`Failed`, `Covered`), and why.
    Finished(SmsStatus, String),
}

/// Records a batch of outcomes in one transaction. Only rows still `sending` change: a row
/// whose lease ran out and was claimed again meanwhile is the other worker's.
pub fn settle(
    conn: &mut DbConn,
    outcomes: &[(String, Settlement)],
    now: NaiveDateTime,
) -> Result<(), DbError> {
    write_transaction(conn, |conn| {
        for (id, settlement) in outcomes {
            let row = sms_outbox::table
                .find(id)
                .filter(sms_outbox::status.eq(Stored(SmsStatus::Sending)));
            match settlement {
                Settlement::Sent { gateway, provider_id, body } => {
                    diesel::update(row)
                        .set((
                            sms_outbox::status.eq(Stored(SmsStatus::Sent)),
                            sms_outbox::gateway.eq(*gateway),
                            sms_outbox::provider_id.eq(provider_id),
                            sms_outbox::sent_at.eq(now),
                            sms_outbox::lease_until.eq(None::<NaiveDateTime>),
                            sms_outbox::last_error.eq(None::<String>),
                        ))
                        .execute(conn)?;
                    if let Some(body) = body {
                        diesel::update(sms_outbox::table.find(id))
                            .set(sms_outbox::body.eq(body))
                            .execute(conn)?;
                    }
                }
                Settlement::RetryAt(due, error) => {
                    diesel::update(row)
                        .set((
                            sms_outbox::status.eq(Stored(SmsStatus::Queued)),
                            sms_outbox::due_at.eq(due),
                            sms_outbox::lease_until.eq(None::<NaiveDateTime>),
                            sms_outbox::last_error.eq(error),
                        ))
                        .execute(conn)?;
                }
                Settlement::Finished(status, error) => {
                    diesel::update(row)
                        .set((
                            sms_outbox::status.eq(Stored(*status)),
                            sms_outbox::lease_until.eq(None::<NaiveDateTime>),
                            sms_outbox::last_error.eq(error),
                        ))
                        .execute(conn)?;
                }
            }
        }
        Ok(())
    })
}

/// What a delivery receipt says of one message.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub provider_id: String,
    pub delivered: bool,
    /// The provider's status word (`DELIVRD`, `UNDELIV` …).
    pub detail: String,
}

/// Records a batch of delivery receipts in one transaction, each on the sent message the
/// gateway gave its id; returns the ids that matched no sent message (a receipt for another
/// system, one already recorded, or one that overtook the record of its send).
pub fn record_receipts(
    conn: &mut DbConn,
    gateway: &str,
    receipts: &[Receipt],
    now: NaiveDateTime,
) -> Result<Vec<String>, DbError> {
    write_transaction(conn, |conn| {
        let mut unmatched = Vec::new();
        for receipt in receipts {
            let delivered = receipt.delivered;
            let status = if delivered { SmsStatus::Delivered } else { SmsStatus::Undelivered };
            let changed = diesel::update(
                sms_outbox::table
                    .filter(sms_outbox::gateway.eq(gateway))
                    .filter(sms_outbox::provider_id.eq(&receipt.provider_id))
                    .filter(sms_outbox::status.eq(Stored(SmsStatus::Sent))),
            )
            .set((
                sms_outbox::status.eq(Stored(status)),
                sms_outbox::reported_at.eq(now),
                sms_outbox::last_error.eq((!delivered).then_some(&receipt.detail)),
            ))
            .execute(conn)?;
            if changed == 0 {
                unmatched.push(receipt.provider_id.clone());
            }
        }
        Ok(unmatched)
    })
}

/// The number asked for no more dossier messages. Idempotent.
pub fn opt_out(conn: &mut DbConn, phone: &str, now: NaiveDateTime) -> Result<(), DbError> {
    let exists = sms_opt_outs::table.find(phone).count().get_result::<i64>(conn)? > 0;
    if !exists {
        diesel::insert_into(sms_opt_outs::table)
            .values((sms_opt_outs::phone.eq(phone), sms_opt_outs::created_at.eq(now)))
            .execute(conn)?;
    }
    Ok(())
}

/// The number of the message whose link this is, if any.
pub fn phone_of_token(conn: &mut DbConn, token: &str) -> Result<Option<String>, DbError> {
    Ok(sms_outbox::table
        .filter(sms_outbox::opt_out_token.eq(token))
        .select(sms_outbox::phone)
        .first(conn)
        .optional()?)
}

/// Opts out the number a message's link was sent to; None for an unknown link.
pub fn opt_out_by_token(
    conn: &mut DbConn,
    token: &str,
    now: NaiveDateTime,
) -> Result<Option<String>, DbError> {
    write_transaction(conn, |conn| {
        let Some(phone) = phone_of_token(conn, token)? else { return Ok(None) };
        opt_out(conn, &phone, now)?;
        Ok(Some(phone))
    })
}

/// The number wants dossier messages again.
pub fn opt_in(conn: &mut DbConn, phone: &str) -> Result<(), DbError> {
    diesel::delete(sms_opt_outs::table.find(phone)).execute(conn)?;
    Ok(())
}

pub fn is_opted_out(conn: &mut DbConn, phone: &str) -> Result<bool, DbError> {
    Ok(sms_opt_outs::table.find(phone).count().get_result::<i64>(conn)? > 0)
}

/// A message as the administrators' outbox view shows it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sms_outbox)]
pub struct SmsRow {
    pub id: String,
    pub phone: String,
    pub purpose: SmsPurpose,
    pub body: String,
    pub encoding: SmsEncoding,
    pub segments: i32,
    pub dossier_code: Option<String>,
    pub status: SmsStatus,
    pub attempts: i32,
    pub due_at: NaiveDateTime,
    pub gateway: Option<String>,
    pub provider_id: Option<String>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub reported_at: Option<NaiveDateTime>,
}

/// The newest messages first, optionally to one number, `limit` at most.
pub fn recent(conn: &mut DbConn, phone: Option<&str>, limit: i64) -> Result<Vec<SmsRow>, DbError> {
    let mut query = sms_outbox::table.select(SmsRow::as_select()).into_boxed();
    if let Some(phone) = phone {
        query = query.filter(sms_outbox::phone.eq(phone.to_string()));
    }
    Ok(query
        .order((sms_outbox::created_at.desc(), sms_outbox::id.desc()))
        .limit(limit)
        .load(conn)?)
}

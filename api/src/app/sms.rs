//! SMS, the channel for people without the app: composing a message by the operator's rules
//! (with or without diacritics), when it may go (quiet hours), the daily cap per number, opt-outs,
//! delivery receipts and the administrators' view of the outbox. The outbox itself is
//! `smartcity_db::sms`; the workers that send are `jobs::sms`.

use crate::app::auth::Admin;
use crate::app::error::{ApiError, ErrorCode};
use crate::app::state::AppState;
use chrono::NaiveDateTime;
use smartcity_db::sms::{self as outbox, DailyCap, OptOutRoute, Receipt, SmsRow, Texting};
use smartcity_domain::phone::PhoneNumber;
use smartcity_domain::sms::reply::{is_opt_in_reply, is_opt_out_reply};
use smartcity_domain::sms::templates::SmsTemplate;
use smartcity_domain::sms::{self as rules, SmsPurpose, SmsText};

/// A template as the operator's text mode writes it.
pub fn compose(state: &AppState, template: &SmsTemplate) -> SmsText {
    SmsText::compose(&template.render(&state.config.city_name), state.config.sms.text_mode)
}

/// What the cap counts today (the Vietnam day) for each number.
pub fn daily_cap(state: &AppState, now: NaiveDateTime) -> DailyCap {
    DailyCap {
        day_started_at: rules::vietnam_day_start(now.and_utc()).naive_utc(),
        per_number: state.config.sms.daily_cap,
    }
}

/// What the storage needs to text a dossier's applicant in the transaction of its change.
pub fn texting(state: &AppState) -> Texting {
    let now = state.config.sms.clock.now();
    let purpose = SmsPurpose::DossierUpdate;
    let held_until = rules::earliest_send(now, purpose.urgency());
    let grace = chrono::TimeDelta::from_std(state.config.sms.push_grace).unwrap_or_default();
    Texting {
        mode: state.config.sms.text_mode,
        city: state.config.city_name.clone(),
        cap: daily_cap(state, now.naive_utc()),
        // A push to the applicant's app may make the message unneeded: it waits that long.
        due_at: held_until.naive_utc().max(now.naive_utc() + grace),
        opt_out: opt_out_route(state),
    }
}

/// What the storage needs to text a warning's subscribers: at once, whatever the hour (a storm
/// does not wait for morning), and only to those without the app, so no push grace.
pub fn warning_texting(state: &AppState) -> Texting {
    let now = state.config.sms.clock.now().naive_utc();
    Texting {
        mode: state.config.sms.text_mode,
        city: state.config.city_name.clone(),
        cap: daily_cap(state, now),
        due_at: now,
        opt_out: opt_out_route(state),
    }
}

/// How dossier messages say to stop them: a link when the server has a public URL, else a
/// reply to the configured number, else a link to this server as it listens (the demo).
fn opt_out_route(state: &AppState) -> OptOutRoute {
    let config = &state.config;
    match (&config.public_url, &config.sms.reply_to) {
        (Some(url), _) => OptOutRoute::Link { base: format!("{url}/o/") },
        (None, Some(to)) => OptOutRoute::Reply { to: to.clone() },
        (None, None) => OptOutRoute::Link { base: format!("http://{}/o/", config.bind) },
    }
}

/// Delivery receipts from a gateway, each matched to the message it reports on, in one
/// transaction; returns those that matched no sent message (the caller may try them again: a
/// receipt can overtake the record of its message's send). Interim ones (ENROUTE, ACCEPTD)
/// are passed over: the final receipt will come.
pub async fn record_receipts(
    state: &AppState,
    gateway: &'static str,
    receipts: Vec<Receipt>,
) -> Result<Vec<Receipt>, ApiError> {
    let finals: Vec<Receipt> = receipts
        .into_iter()
        .filter(|r| r.delivered || !rules::is_interim_report(&r.detail))
        .collect();
    if finals.is_empty() {
        return Ok(Vec::new());
    }
    let now = smartcity_db::now();
    let (unmatched, finals) = state
        .db(move |conn| {
            let unmatched = outbox::record_receipts(conn, gateway, &finals, now)?;
            Ok((unmatched, finals))
        })
        .await?;
    let (left, matched): (Vec<Receipt>, Vec<Receipt>) =
        finals.into_iter().partition(|r| unmatched.contains(&r.provider_id));
    for receipt in &matched {
        state.metrics.count_sms_receipt(if receipt.delivered {
            "delivered"
        } else {
            "undelivered"
        });
    }
    Ok(left)
}

/// A person asks, through the link in a message, for no more dossier messages to its number.
/// Unknown links are 404; a second use changes nothing.
pub async fn opt_out_by_link(state: &AppState, token: String) -> Result<String, ApiError> {
    let now = smartcity_db::now();
    let phone = state.db(move |conn| outbox::opt_out_by_token(conn, &token, now)).await?;
    let phone = phone.ok_or_else(ApiError::not_found)?;
    Ok(PhoneNumber::from_stored(phone).masked())
}

/// Whether a link names a message at all (the page asks before it opts out).
pub async fn opt_out_link_exists(state: &AppState, token: String) -> Result<String, ApiError> {
    let phone = state.db(move |conn| outbox::phone_of_token(conn, &token)).await?;
    let phone = phone.ok_or_else(ApiError::not_found)?;
    Ok(PhoneNumber::from_stored(phone).masked())
}

/// A delivery report an HTTP gateway posted, in its provider's shape.
pub async fn gateway_report(
    state: &AppState,
    secret: &str,
    body: &serde_json::Value,
) -> Result<(), ApiError> {
    check_callback_secret(state, secret)?;
    let smartcity_sms::Gateway::Http(gateway) = state.sms.as_ref() else {
        return Err(ApiError::not_found());
    };
    let report = gateway.parse_report(body).ok_or_else(|| {
        ApiError::new(ErrorCode::InvalidField).with_field("body").with_detail(
            "Không đọc được mã tin nhắn và trạng thái trong báo cáo",
            "The report's message id and status cannot be read",
        )
    })?;
    let receipt = Receipt {
        provider_id: report.provider_id,
        delivered: report.delivered,
        detail: report.detail,
    };
    // One the provider sends before its answer to the send is recorded is simply not matched:
    // providers retry reports they were not sure of, and the message stays `sent`.
    record_receipts(state, state.sms.name(), vec![receipt]).await?;
    Ok(())
}

/// The callbacks' secret path segment, compared by hash so the time taken tells nothing;
/// without one configured the callbacks do not exist.
fn check_callback_secret(state: &AppState, secret: &str) -> Result<(), ApiError> {
    use sha2::{Digest, Sha256};
    let expected = state.config.sms.callback_secret.as_deref().ok_or_else(ApiError::not_found)?;
    if Sha256::digest(secret.as_bytes()) == Sha256::digest(expected.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::not_found())
    }
}

/// A reply an HTTP gateway posted (see [`reply`]).
pub async fn gateway_reply(
    state: &AppState,
    secret: &str,
    from: &str,
    text: &str,
) -> Result<ReplyOutcome, ApiError> {
    check_callback_secret(state, secret)?;
    reply(state, from, text).await
}

/// A reply to the brandname: an opt-out or opt-in keyword changes what the number receives;
/// anything else is ignored (this is not a support channel). Says what was done.
pub async fn reply(state: &AppState, from: &str, text: &str) -> Result<ReplyOutcome, ApiError> {
    let phone = PhoneNumber::parse("from", from)?;
    let e164 = phone.e164().to_string();
    let now = smartcity_db::now();
    if is_opt_out_reply(text) {
        state.db(move |conn| outbox::opt_out(conn, &e164, now)).await?;
        Ok(ReplyOutcome::OptedOut)
    } else if is_opt_in_reply(text) {
        state.db(move |conn| outbox::opt_in(conn, &e164)).await?;
        Ok(ReplyOutcome::OptedIn)
    } else {
        Ok(ReplyOutcome::Ignored)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyOutcome {
    OptedOut,
    OptedIn,
    Ignored,
}

impl ReplyOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyOutcome::OptedOut => "opted_out",
            ReplyOutcome::OptedIn => "opted_in",
            ReplyOutcome::Ignored => "ignored",
        }
    }
}

/// The newest messages, for administrators (the demo's only way to read a code it "sent").
pub async fn recent(
    state: &AppState,
    _: &Admin,
    phone: Option<&str>,
    limit: i64,
) -> Result<Vec<SmsRow>, ApiError> {
    let phone = match phone {
        Some(raw) => Some(
            PhoneNumber::parse("phone", raw)
                .map_err(|_| ApiError::new(ErrorCode::InvalidQuery).with_field("phone"))?
                .e164()
                .to_string(),
        ),
        None => None,
    };
    if !(1..=200).contains(&limit) {
        return Err(ApiError::new(ErrorCode::InvalidQuery).with_field("limit"));
    }
    state.db(move |conn| outbox::recent(conn, phone.as_deref(), limit)).await
}

//! One-time codes by SMS: proving an account's phone, resetting a forgotten password, and
//! moving an account to a new number. Each sends a 6-digit code (kept only as an Argon2 hash,
//! so a copy of the database does not hand out live codes) and takes it back once. Wrong,
//! expired, spent and unknown codes are refused alike, so the answer tells a guesser nothing.

use crate::app::error::{ApiError, ErrorCode};
use crate::app::sms;
use crate::app::state::AppState;
use crate::app::throttle::{self, FailureKeys, Purpose};
use rand::Rng;
use smartcity_db::accounts::{self, UserRow};
use smartcity_db::phone_codes::{self, Attempt, CodeOwner, Effect, NewCode, Spent};
use smartcity_db::sms::NewSms;
use smartcity_domain::account::{NewPassword, Role};
use smartcity_domain::phone::PhoneNumber;
use smartcity_domain::sms::code::{
    may_send_code, parse_code, CodePurpose, CodeRefusal, CODE_TTL, RESEND_AFTER,
};
use smartcity_domain::sms::templates::SmsTemplate;
use smartcity_domain::sms::vietnam_day_start;

/// What the caller is told once a code is on its way (or would be: a password reset for a
/// number without an account answers the same).
pub struct CodeSent {
    pub sent_to: String,
    pub expires_in_secs: u64,
    pub resend_after_secs: u64,
}

/// Sends a code proving the caller's own number.
pub async fn request_verification(
    state: &AppState,
    user: &UserRow,
    client: &str,
) -> Result<CodeSent, ApiError> {
    if user.phone_verified_at.is_some() {
        return Err(ApiError::new(ErrorCode::PhoneAlreadyVerified));
    }
    let phone = PhoneNumber::from_stored(user.phone.clone());
    send(state, CodePurpose::Verify, &phone, Some(user.id.clone()), client).await
}

/// Takes the code sent to the caller's number; the account is verified from then on.
pub async fn confirm_verification(
    state: &AppState,
    user: &UserRow,
    code: &str,
) -> Result<UserRow, ApiError> {
    let attempt =
        take(state, CodePurpose::Verify, CodeOwner::Account(user.id.clone()), code).await?;
    spend(state, attempt, Effect::VerifyPhone { user_id: user.id.clone() }).await?;
    reload(state, &user.id).await
}

/// Sends a password reset code to a number, if an account has it. A number without an account
/// is answered the same (without a message), so the reset cannot tell who has an account.
pub async fn request_reset(
    state: &AppState,
    phone: &str,
    client: &str,
) -> Result<CodeSent, ApiError> {
    let phone = PhoneNumber::parse("phone", phone)?;
    let e164 = phone.e164().to_string();
    let user = state.db(move |conn| accounts::find_user_by_phone(conn, &e164)).await?;
    // Without an account the code is kept all the same, unsent: its limits (one a minute, five
    // a day) then answer exactly as they would for a number with one.
    let user_id = user.filter(|user| !user.disabled).map(|user| user.id);
    send(state, CodePurpose::Reset, &phone, user_id, client).await
}

/// Takes a reset code and sets the new password; every session of the account ends.
pub async fn confirm_reset(
    state: &AppState,
    phone: &str,
    code: &str,
    new_password: &str,
) -> Result<(), ApiError> {
    // Everything about the request is judged before the account is looked up, and alike for
    // every number, so no answer tells whether the number has an account.
    let phone = PhoneNumber::parse("phone", phone)?;
    parse_code("code", code)?;
    let password = NewPassword::for_account("password", new_password, &phone, "")?;
    let e164 = phone.e164().to_string();
    let user = state.db(move |conn| accounts::find_user_by_phone(conn, &e164)).await?;
    let Some(user) = user else {
        // As long as a wrong code takes.
        state.passwords.verify(code.to_string(), None).await?;
        return Err(not_accepted());
    };
    let attempt =
        take(state, CodePurpose::Reset, CodeOwner::Phone(phone.e164().to_string()), code).await?;
    if attempt.user_id.as_deref() != Some(user.id.as_str()) {
        return Err(not_accepted());
    }
    let password_hash = state.passwords.hash(NewPassword::expose(&password).to_string()).await?;
    spend(state, attempt, Effect::ResetPassword { user_id: user.id, password_hash }).await
}

/// Sends a code to the number the caller wants instead of theirs; nothing changes until the
/// code comes back. A number another account has is refused at once.
pub async fn request_phone_change(
    state: &AppState,
    user: &UserRow,
    new_phone: &str,
    client: &str,
) -> Result<CodeSent, ApiError> {
    let phone = PhoneNumber::parse("phone", new_phone)?;
    if phone.e164() == user.phone {
        return Err(ApiError::new(ErrorCode::InvalidField)
            .with_field("phone")
            .with_detail("Đây đã là số điện thoại của tài khoản", "This is already your number"));
    }
    let e164 = phone.e164().to_string();
    if state.db(move |conn| accounts::find_user_by_phone(conn, &e164)).await?.is_some() {
        return Err(ApiError::new(ErrorCode::PhoneTaken).with_field("phone"));
    }
    send(state, CodePurpose::PhoneChange, &phone, Some(user.id.clone()), client).await
}

/// Takes the code sent to the new number; the account has that number from then on.
pub async fn confirm_phone_change(
    state: &AppState,
    user: &UserRow,
    code: &str,
) -> Result<UserRow, ApiError> {
    let owner = CodeOwner::Account(user.id.clone());
    let attempt = take(state, CodePurpose::PhoneChange, owner, code).await?;
    let new_phone = attempt.phone.clone();
    spend(state, attempt, Effect::ChangePhone { user_id: user.id.clone(), new_phone }).await?;
    reload(state, &user.id).await
}

/// Citizens file and follow only with a proven number, when the operator asks for it.
pub fn require_verified(state: &AppState, user: &UserRow) -> Result<(), ApiError> {
    let exempt = user.role != Role::Citizen || !state.config.sms.require_verified_phone;
    if exempt || user.phone_verified_at.is_some() {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::PhoneNotVerified))
    }
}

/// Counts the send against the client's address and the number (every send counts, sent or
/// not), then applies the code rules: one a minute, a few a day. A code without an owner (a
/// reset for a number without an account) is kept but not sent.
async fn send(
    state: &AppState,
    purpose: CodePurpose,
    phone: &PhoneNumber,
    user_id: Option<String>,
    client: &str,
) -> Result<CodeSent, ApiError> {
    admit(state, phone, client).await?;
    let now = chrono::Utc::now();
    let (e164, day_start) = (phone.e164().to_string(), vietnam_day_start(now).naive_utc());
    let sent =
        state.db(move |conn| phone_codes::sent_since(conn, &e164, purpose, day_start)).await?;
    let last_sent_at = sent.last_sent_at.map(|at| at.and_utc());
    if let Err(refusal) = may_send_code(last_sent_at, sent.count, now) {
        let retry_after = match refusal {
            CodeRefusal::TooSoon { retry_after_secs } => retry_after_secs,
            CodeRefusal::DailyLimit { retry_after_secs } => retry_after_secs,
        };
        return Err(ApiError::new(ErrorCode::TooManyCodes).retry_after(retry_after));
    }
    let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
    let code_hash = state.passwords.hash(code.clone()).await?;
    let text = sms::compose(state, &SmsTemplate::Code { purpose, code: &code });
    let (e164, now) = (phone.e164().to_string(), now.naive_utc());
    let cap = sms::daily_cap(state, now);
    // At once, on the SMS clock the sending worker reads (tests move it).
    let due_at = state.config.sms.clock.now().naive_utc();
    state
        .db(move |conn| {
            let message = user_id.is_some().then_some(NewSms {
                phone: &e164,
                purpose: purpose.sms_purpose(),
                text: &text,
                dossier_code: None,
                covering_notification_id: None,
                due_at,
                opt_out_token: None,
            });
            let code = NewCode {
                purpose,
                phone: &e164,
                user_id: user_id.as_deref(),
                code_hash: &code_hash,
                expires_at: now + CODE_TTL,
                message,
            };
            phone_codes::issue(conn, &code, &cap, now)
        })
        .await?;
    state.sms_queued();
    Ok(code_sent(phone))
}

/// Every code request counts against the number and the client's address, kept or refused
/// alike (as registrations do), before anything is looked up.
async fn admit(state: &AppState, phone: &PhoneNumber, client: &str) -> Result<(), ApiError> {
    let keys = FailureKeys::new(Purpose::PhoneCode, phone.e164(), phone.masked(), client);
    throttle::admit(state, &state.config.sms.code_throttle, keys).await?.failed(state).await
}

fn code_sent(phone: &PhoneNumber) -> CodeSent {
    CodeSent {
        sent_to: phone.masked(),
        expires_in_secs: CODE_TTL.num_seconds().unsigned_abs(),
        resend_after_secs: RESEND_AFTER.num_seconds().unsigned_abs(),
    }
}

fn not_accepted() -> ApiError {
    ApiError::new(ErrorCode::CodeNotAccepted).with_field("code")
}

/// One attempt at the live code of `owner`, compared with its hash.
async fn take(
    state: &AppState,
    purpose: CodePurpose,
    owner: CodeOwner,
    code: &str,
) -> Result<Attempt, ApiError> {
    let code = parse_code("code", code)?;
    let now = smartcity_db::now();
    let attempt =
        state.db(move |conn| phone_codes::take_attempt(conn, purpose, &owner, now)).await?;
    let stored = attempt.as_ref().map(|a| a.code_hash.clone());
    // Compared even without a live code, so that case takes as long as a wrong code.
    let matches = state.passwords.verify(code, stored).await?;
    attempt.filter(|_| matches).ok_or_else(not_accepted)
}

/// Spends the code and does what it unlocks; a code spent meanwhile is refused like any other.
async fn spend(state: &AppState, attempt: Attempt, effect: Effect) -> Result<(), ApiError> {
    let now = smartcity_db::now();
    let spent = state.db(move |conn| phone_codes::spend(conn, &attempt.id, &effect, now)).await?;
    match spent {
        Spent::Done => Ok(()),
        Spent::AlreadySpent => Err(not_accepted()),
        Spent::PhoneTaken => Err(ApiError::new(ErrorCode::PhoneTaken).with_field("phone")),
    }
}

async fn reload(state: &AppState, user_id: &str) -> Result<UserRow, ApiError> {
    let id = user_id.to_string();
    let user = state.db(move |conn| accounts::find_user(conn, &id)).await?;
    user.ok_or_else(|| ApiError::new(ErrorCode::InvalidToken))
}

//! Failure throttling shared by login and dossier lookup: refuse while a key is locked, count a
//! failure against the subject and the client address, answer it more slowly as they pile up.

use crate::app::error::{ApiError, ErrorCode};
use crate::app::state::AppState;
use chrono::Duration as ChronoDuration;
use smartcity_db::throttle;
use smartcity_domain::throttle::ThrottlePolicy;

pub struct FailureKeys {
    pub subject: String,
    pub address: String,
}

impl FailureKeys {
    /// Keys for `purpose` ("login", "lookup"): one for what is tried, one for who tries (the
    /// client's address).
    pub fn new(purpose: &str, subject: &str, client: &str) -> FailureKeys {
        FailureKeys {
            subject: format!("{purpose}-subject:{subject}"),
            address: format!("{purpose}-address:{client}"),
        }
    }
}

/// A configured duration as chrono's, for date arithmetic.
pub fn chrono(d: std::time::Duration) -> ChronoDuration {
    ChronoDuration::from_std(d).expect("configured durations fit")
}

/// 429 with `Retry-After` while either key is locked.
pub async fn refuse_if_locked(state: &AppState, keys: &FailureKeys) -> Result<(), ApiError> {
    let keys = vec![keys.subject.clone(), keys.address.clone()];
    let now = smartcity_db::now();
    match state.db(move |conn| throttle::locked_until(conn, &keys, now)).await? {
        Some(until) => {
            let secs = (until - now).num_seconds().max(1) as u64;
            Err(ApiError::new(ErrorCode::TooManyAttempts).retry_after(secs))
        }
        None => Ok(()),
    }
}

/// Counts a failure for both keys and holds the answer back as the policy says.
pub async fn record_failure(
    state: &AppState,
    policy: &ThrottlePolicy,
    keys: &FailureKeys,
) -> Result<(), ApiError> {
    let (subject, address) = (keys.subject.clone(), keys.address.clone());
    let p = policy.clone();
    let failures = state
        .db(move |conn| {
            let now = smartcity_db::now();
            let (window, lock_for) = (chrono(p.window), chrono(p.lock_for));
            let by_subject = throttle::record_failure(
                conn,
                &subject,
                now,
                window,
                p.subject_lock_after,
                lock_for,
            )?;
            let by_address = throttle::record_failure(
                conn,
                &address,
                now,
                window,
                p.address_lock_after,
                lock_for,
            )?;
            Ok(by_subject.max(by_address))
        })
        .await?;
    let delay = policy.delay_after(failures);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    Ok(())
}

/// A success forgives the subject's earlier failures (not the address's: one good login must
/// not reset a guesser's count).
pub async fn clear_subject(state: &AppState, keys: &FailureKeys) -> Result<(), ApiError> {
    let subject = keys.subject.clone();
    state.db(move |conn| throttle::clear(conn, &subject)).await
}

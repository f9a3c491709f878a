//! Attempt throttling shared by login, dossier lookup and registration: every attempt is
//! counted against the subject and the client address before it is checked, so parallel
//! attempts cannot slip past the limit; a locked key is refused, failures are answered more
//! slowly as they pile up, and a success gives its attempt back.

use crate::app::error::{ApiError, ErrorCode};
use crate::app::state::AppState;
use chrono::Duration as ChronoDuration;
use smartcity_db::throttle::{self, Count, Limits};
use smartcity_domain::throttle::ThrottlePolicy;

/// What is being attempted; each has its own policy and its own counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Login,
    Lookup,
    Registration,
    PhoneCode,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Login => "login",
            Purpose::Lookup => "lookup",
            Purpose::Registration => "registration",
            Purpose::PhoneCode => "phone-code",
        }
    }
}

pub struct FailureKeys {
    purpose: Purpose,
    /// What is tried (a phone number, a dossier code), as counted.
    subject: String,
    /// The subject as a log may show it (a phone number masked).
    subject_shown: String,
    /// Who tries: the client's address.
    address: String,
}

impl FailureKeys {
    pub fn new(purpose: Purpose, subject: &str, subject_shown: String, client: &str) -> Self {
        FailureKeys {
            purpose,
            subject: subject.to_string(),
            subject_shown,
            address: client.to_string(),
        }
    }

    fn subject_key(&self) -> String {
        format!("{}-subject:{}", self.purpose.as_str(), self.subject)
    }

    fn address_key(&self) -> String {
        format!("{}-address:{}", self.purpose.as_str(), self.address)
    }
}

/// At most this many addresses are logged with a lock.
const LOGGED_ADDRESSES: i64 = 20;

/// A configured duration as chrono's, for date arithmetic.
pub fn chrono(d: std::time::Duration) -> ChronoDuration {
    ChronoDuration::from_std(d).expect("configured durations fit")
}

/// An attempt that was counted and may be checked.
pub struct Attempt {
    keys: FailureKeys,
    policy: ThrottlePolicy,
    /// The attempt's place in its window, the larger of the subject's and the address's.
    n: i32,
    /// The keys this attempt's count reached the limit of: it locks them if it fails.
    locks: Locks,
}

#[derive(Debug, Clone, Copy)]
struct Locks {
    subject: bool,
    address: bool,
}

/// What a success forgives besides its own attempt.
pub enum Forgive {
    /// A signed-in owner forgives their number's earlier failures (not the address's: one
    /// good login must not reset a guesser's count).
    Subject,
    Nothing,
}

/// Counts an attempt against both keys; 429 with `Retry-After` when either is locked, and
/// then the attempt must not be checked.
pub async fn admit(
    state: &AppState,
    policy: &ThrottlePolicy,
    keys: FailureKeys,
) -> Result<Attempt, ApiError> {
    let limits = |lock_after| Limits {
        window: chrono(policy.window),
        lock_after,
        lock_for: chrono(policy.lock_for),
    };
    let (subject_limits, address_limits) =
        (limits(policy.subject_lock_after), limits(policy.address_lock_after));
    let (subject, address) = (keys.subject_key(), keys.address_key());
    let now = smartcity_db::now();
    // The address first: an address that is locked must not add to the count of the number
    // it tries, or a locked-out guesser could still lock the number's owner out. A refused
    // attempt is given back to the key that had admitted it, so it counts nowhere.
    let address_lock_after = policy.address_lock_after;
    let counted = state
        .db(move |conn| {
            let by_address = match throttle::count(conn, &address, now, address_limits)? {
                Count::Admitted { n } => n,
                Count::Locked { until } => return Ok(Err(until)),
            };
            match throttle::count(conn, &subject, now, subject_limits)? {
                Count::Admitted { n: by_subject } => Ok(Ok((by_subject, by_address))),
                Count::Locked { until } => {
                    throttle::release(conn, &address, address_lock_after)?;
                    Ok(Err(until))
                }
            }
        })
        .await?;
    match counted {
        Ok((by_subject, by_address)) => {
            let locks = Locks {
                subject: by_subject == policy.subject_lock_after,
                address: by_address == policy.address_lock_after,
            };
            Ok(Attempt { keys, policy: policy.clone(), n: by_subject.max(by_address), locks })
        }
        Err(until) => {
            let secs = (until - now).num_seconds().max(1) as u64;
            Err(ApiError::new(ErrorCode::TooManyAttempts).retry_after(secs))
        }
    }
}

impl Attempt {
    /// The check failed: the attempt stays counted, its address is noted against the subject,
    /// a lock it sets is counted and logged with the addresses that caused it, and the answer
    /// is held back as the policy says.
    pub async fn failed(self, state: &AppState) -> Result<(), ApiError> {
        let Attempt { keys, policy, n, locks } = self;
        let (subject, address) = (keys.subject_key(), keys.address.clone());
        let now = smartcity_db::now();
        let since = now - chrono(policy.window);
        let failed_from = state
            .db(move |conn| {
                throttle::note_failure(conn, &subject, &address, now, since)?;
                if !locks.subject {
                    return Ok(None);
                }
                throttle::failed_from(conn, &subject, LOGGED_ADDRESSES).map(Some)
            })
            .await?;
        let purpose = keys.purpose.as_str();
        if let Some(addresses) = failed_from {
            state.metrics.count_lock(purpose, "subject");
            tracing::warn!(
                purpose,
                subject = %keys.subject_shown,
                addresses = ?addresses,
                minutes = policy.lock_for.as_secs() / 60,
                "too many failures: the subject is locked"
            );
        }
        if locks.address {
            state.metrics.count_lock(purpose, "address");
            tracing::warn!(
                purpose,
                address = %keys.address,
                minutes = policy.lock_for.as_secs() / 60,
                "too many failures: the address is locked"
            );
        }
        let delay = policy.delay_after(n);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        Ok(())
    }

    /// The attempt was no failure (the check passed, or never ran), so it is given back to
    /// both keys.
    pub async fn give_back(self, state: &AppState, forgive: Forgive) -> Result<(), ApiError> {
        let Attempt { keys, policy, .. } = self;
        let (subject, address) = (keys.subject_key(), keys.address_key());
        state
            .db(move |conn| {
                match forgive {
                    Forgive::Subject => throttle::clear(conn, &subject)?,
                    Forgive::Nothing => {
                        throttle::release(conn, &subject, policy.subject_lock_after)?
                    }
                }
                throttle::release(conn, &address, policy.address_lock_after)
            })
            .await
    }
}

//! Attempt throttling shared by login and dossier lookup: every attempt is counted against the
//! subject and the client address before it is checked, so parallel attempts cannot slip past
//! the limit; a locked key is refused, failures are answered more slowly as they pile up, and
//! a success gives its attempt back.

use crate::app::error::{ApiError, ErrorCode};
use crate::app::state::AppState;
use chrono::Duration as ChronoDuration;
use smartcity_db::throttle::{self, Count, Limits};
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

/// An attempt that was counted and may be checked.
pub struct Attempt {
    keys: FailureKeys,
    policy: ThrottlePolicy,
    /// The attempt's place in its window, the larger of the subject's and the address's.
    n: i32,
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
    let (subject, address) = (keys.subject.clone(), keys.address.clone());
    let now = smartcity_db::now();
    // The address first: an address that is locked must not add to the count of the number
    // it tries, or a locked-out guesser could still lock the number's owner out. A refused
    // attempt is given back to the key that had admitted it, so it counts nowhere.
    let address_lock_after = policy.address_lock_after;
    let counted = state
        .db(move |conn| {
            let by_address = throttle::count(conn, &address, now, address_limits)?;
            let Count::Admitted { n: by_address } = by_address else {
                return Ok(by_address);
            };
            let by_subject = throttle::count(conn, &subject, now, subject_limits)?;
            Ok(match by_subject {
                Count::Admitted { n } => Count::Admitted { n: n.max(by_address) },
                locked => {
                    throttle::release(conn, &address, address_lock_after)?;
                    locked
                }
            })
        })
        .await?;
    match counted {
        Count::Admitted { n } => Ok(Attempt { keys, policy: policy.clone(), n }),
        Count::Locked { until } => {
            let secs = (until - now).num_seconds().max(1) as u64;
            Err(ApiError::new(ErrorCode::TooManyAttempts).retry_after(secs))
        }
    }
}

impl Attempt {
    /// The check failed: the attempt stays counted, and the answer is held back as the policy
    /// says.
    pub async fn failed(self) {
        let delay = self.policy.delay_after(self.n);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    }

    /// The attempt was no failure (the check passed, or never ran), so it is given back to
    /// both keys.
    pub async fn give_back(self, state: &AppState, forgive: Forgive) -> Result<(), ApiError> {
        let Attempt { keys, policy, .. } = self;
        state
            .db(move |conn| {
                match forgive {
                    Forgive::Subject => throttle::clear(conn, &keys.subject)?,
                    Forgive::Nothing => {
                        throttle::release(conn, &keys.subject, policy.subject_lock_after)?
                    }
                }
                throttle::release(conn, &keys.address, policy.address_lock_after)
            })
            .await
    }
}

//! Attempt throttling shared by login, dossier lookup and registration: every attempt is
//! counted against the subject and the client address before it is checked, so parallel
//! attempts cannot slip past the limit; a locked key is refused, failures are answered more
//! slowly as they pile up, and a success gives its attempt back. (A check that runs under the
//! database's only write lock, a dossier lookup on SQLite, needs no such place held: nothing
//! else can count meanwhile, so it reads the counters and counts only a failure.)

use crate::app::error::{ApiError, ErrorCode};
use crate::app::state::AppState;
use chrono::Duration as ChronoDuration;
use chrono::NaiveDateTime;
use smartcity_db::pool::{short_writes, short_writes_are_exclusive};
use smartcity_db::throttle::{self, Count, Limits};
use smartcity_db::{DbConn, DbError};
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
    let counting = Counting::new(policy, &keys);
    let counted = state.db(move |conn| counting.admit(conn, Holding::Counted)).await?;
    counted.map(|(n, locks)| Attempt { keys, policy: policy.clone(), n, locks })
}

/// An attempt whose check is a read of the database (a dossier lookup): admitted, checked, and
/// given back or noted as failed on one connection in one trip to the blocking pool, where
/// [`admit`], the read and [`Attempt::give_back`] would take three. `check` passes the
/// attempt by returning `Some`. Where that work holds the only write lock (SQLite), a success
/// writes nothing: see [`Holding::Peeked`].
pub async fn check_in_database<T, F>(
    state: &AppState,
    policy: &ThrottlePolicy,
    keys: FailureKeys,
    check: F,
) -> Result<Option<T>, ApiError>
where
    F: FnOnce(&mut DbConn) -> Result<Option<T>, DbError> + Send + 'static,
    T: Send + 'static,
{
    let counting = Counting::new(policy, &keys);
    let checked = state
        .db(move |conn| {
            short_writes(conn, |conn| {
                let holding = match short_writes_are_exclusive(conn) {
                    true => Holding::Peeked,
                    false => Holding::Counted,
                };
                let (n, locks) = match counting.admit(conn, holding)? {
                    Ok(admitted) => admitted,
                    Err(refusal) => return Ok(Checked::Refused(refusal)),
                };
                if let Some(found) = check(conn)? {
                    if holding == Holding::Counted {
                        counting.give_back(conn, Forgive::Nothing)?;
                    }
                    return Ok(Checked::Passed(found));
                }
                // Under the same lock, counting the failure finds what peeking found.
                let (n, locks) = match holding {
                    Holding::Peeked => {
                        counting.admit(conn, Holding::Counted)?.unwrap_or((n, locks))
                    }
                    Holding::Counted => (n, locks),
                };
                let failed_from = counting.note_failure(conn, locks)?;
                Ok(Checked::Failed { n, locks, failed_from })
            })
        })
        .await?;
    match checked {
        Checked::Refused(refusal) => Err(refusal),
        Checked::Passed(found) => Ok(Some(found)),
        Checked::Failed { n, locks, failed_from } => {
            after_failure(state, &keys, policy, n, locks, failed_from).await;
            Ok(None)
        }
    }
}

/// How an attempt checked in the database ended.
enum Checked<T> {
    /// A key was locked: the attempt was not checked.
    Refused(ApiError),
    Passed(T),
    /// Counted as failed: its place in the window, the locks it set, and when it locked the
    /// subject, the addresses that failed against it.
    Failed {
        n: i32,
        locks: Locks,
        failed_from: Option<Vec<String>>,
    },
}

/// How an attempt holds its place while it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holding {
    /// Counted before the check, so parallel attempts see it; a success gives it back.
    Counted,
    /// Admitted on what counting would say, without counting: only for work that holds the
    /// database's only write lock until the check is done, so no other attempt is admitted
    /// meanwhile. A failure is then counted; a success writes nothing.
    Peeked,
}

/// The counting of one attempt, as database work that can run inside another's.
struct Counting {
    subject: String,
    address: String,
    /// The client's address as noted against a subject it failed on.
    client: String,
    subject_limits: Limits,
    address_limits: Limits,
    now: NaiveDateTime,
}

impl Counting {
    fn new(policy: &ThrottlePolicy, keys: &FailureKeys) -> Counting {
        let limits = |lock_after| Limits {
            window: chrono(policy.window),
            lock_after,
            lock_for: chrono(policy.lock_for),
        };
        Counting {
            subject: keys.subject_key(),
            address: keys.address_key(),
            client: keys.address.clone(),
            subject_limits: limits(policy.subject_lock_after),
            address_limits: limits(policy.address_lock_after),
            now: smartcity_db::now(),
        }
    }

    /// The attempt's place in its window (the larger of the two keys') and the locks it would
    /// set by failing; or the refusal when a key is locked.
    fn admit(
        &self,
        conn: &mut DbConn,
        holding: Holding,
    ) -> Result<Result<(i32, Locks), ApiError>, DbError> {
        let look = |conn: &mut DbConn, key: &str, limits| match holding {
            Holding::Counted => throttle::count(conn, key, self.now, limits),
            Holding::Peeked => throttle::peek(conn, key, self.now, limits),
        };
        // The address first: an address that is locked must not add to the count of the number
        // it tries, or a locked-out guesser could still lock the number's owner out. A refused
        // attempt is given back to the key that had admitted it, so it counts nowhere.
        let by_address = match look(conn, &self.address, self.address_limits)? {
            Count::Admitted { n } => n,
            Count::Locked { until } => return Ok(Err(self.refusal(until))),
        };
        match look(conn, &self.subject, self.subject_limits)? {
            Count::Admitted { n: by_subject } => {
                let locks = Locks {
                    subject: by_subject == self.subject_limits.lock_after,
                    address: by_address == self.address_limits.lock_after,
                };
                Ok(Ok((by_subject.max(by_address), locks)))
            }
            Count::Locked { until } => {
                if holding == Holding::Counted {
                    throttle::release(conn, &self.address, self.address_limits.lock_after)?;
                }
                Ok(Err(self.refusal(until)))
            }
        }
    }

    fn refusal(&self, until: NaiveDateTime) -> ApiError {
        let secs = (until - self.now).num_seconds().max(1) as u64;
        ApiError::new(ErrorCode::TooManyAttempts).retry_after(secs)
    }

    fn give_back(&self, conn: &mut DbConn, forgive: Forgive) -> Result<(), DbError> {
        match forgive {
            Forgive::Subject => throttle::clear(conn, &self.subject)?,
            Forgive::Nothing => {
                throttle::release(conn, &self.subject, self.subject_limits.lock_after)?
            }
        }
        throttle::release(conn, &self.address, self.address_limits.lock_after)
    }

    /// Notes the failed attempt's address against the subject; when the attempt locks the
    /// subject, the addresses that failed against it, to be logged.
    fn note_failure(
        &self,
        conn: &mut DbConn,
        locks: Locks,
    ) -> Result<Option<Vec<String>>, DbError> {
        let since = self.now - self.subject_limits.window;
        throttle::note_failure(conn, &self.subject, &self.client, self.now, since)?;
        if !locks.subject {
            return Ok(None);
        }
        throttle::failed_from(conn, &self.subject, LOGGED_ADDRESSES).map(Some)
    }
}

/// What follows a failure outside the database: a lock it set is counted and logged with the
/// addresses that caused it, and the answer is held back as the policy says.
async fn after_failure(
    state: &AppState,
    keys: &FailureKeys,
    policy: &ThrottlePolicy,
    n: i32,
    locks: Locks,
    failed_from: Option<Vec<String>>,
) {
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
}

impl Attempt {
    /// The check failed: the attempt stays counted, its address is noted against the subject,
    /// a lock it sets is counted and logged with the addresses that caused it, and the answer
    /// is held back as the policy says.
    pub async fn failed(self, state: &AppState) -> Result<(), ApiError> {
        let Attempt { keys, policy, n, locks } = self;
        let counting = Counting::new(&policy, &keys);
        let failed_from = state.db(move |conn| counting.note_failure(conn, locks)).await?;
        after_failure(state, &keys, &policy, n, locks, failed_from).await;
        Ok(())
    }

    /// The attempt was no failure (the check passed, or never ran), so it is given back to
    /// both keys.
    pub async fn give_back(self, state: &AppState, forgive: Forgive) -> Result<(), ApiError> {
        let counting = Counting::new(&self.policy, &self.keys);
        state.db(move |conn| counting.give_back(conn, forgive)).await
    }
}

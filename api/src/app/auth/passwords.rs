//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes). It is deliberately
//! slow and takes a block of memory per run, so the server runs it on a few threads of its own
//! ([`PasswordHashing`]): a burst of logins waits its turn, or hears that the server is busy,
//! instead of taking a block each.

use crate::app::error::{ApiError, ErrorCode};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::{oneshot, Semaphore};

type Job = Box<dyn FnOnce() + Send>;

/// Threads that do nothing but hash, as many as there are cores. Only they ever hold argon2's
/// blocks, so the memory the allocator keeps of them is bounded by their number.
pub struct PasswordHashing {
    jobs: mpsc::Sender<Job>,
    /// One per thread: a request waits at most `wait` for one, then is answered 503.
    permits: Semaphore,
    wait: Duration,
}

/// How long a login waits for a hashing thread before it is told to come back.
pub const WAIT_FOR_A_THREAD: Duration = Duration::from_secs(3);
const RETRY_AFTER_SECS: u64 = 2;

impl PasswordHashing {
    pub fn new(threads: usize, wait: Duration) -> PasswordHashing {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("password-{i}"))
                .spawn(move || loop {
                    // The lock is held only while waiting for the next job; the threads end
                    // when the server (the sender) is dropped.
                    let next = queue.lock().map_err(|_| ()).and_then(|q| q.recv().map_err(|_| ()));
                    match next {
                        // A panicking job drops its answer (the request hears 500); the thread
                        // goes on.
                        Ok(job) => {
                            drop(std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)))
                        }
                        Err(()) => return,
                    }
                })
                .expect("a password hashing thread starts");
        }
        PasswordHashing { jobs, permits: Semaphore::new(threads), wait }
    }

    /// The hash to store for a new password.
    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        self.run(move || hash(&password)).await
    }

    /// Whether `password` is the one `stored` was made from; against no account (`None`) the
    /// same work is done and the answer is no, so an unknown number cannot be told by timing.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, ApiError> {
        self.run(move || match stored {
            Some(stored) => verify(&password, &stored),
            None => {
                verify_against_nothing(&password);
                false
            }
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let _permit = match tokio::time::timeout(self.wait, self.permits.acquire()).await {
            Ok(permit) => permit.map_err(ApiError::internal)?,
            Err(_) => {
                return Err(ApiError::new(ErrorCode::ServerBusy)
                    .retry_after(RETRY_AFTER_SECS)
                    .with_detail(
                    "Máy chủ đang bận kiểm tra các mật khẩu khác; vui lòng thử lại sau giây lát",
                    "The server is busy checking other passwords; try again in a moment",
                ))
            }
        };
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = answer.send(work());
            }))
            .map_err(|_| ApiError::new(ErrorCode::Internal))?;
        answered.await.map_err(ApiError::internal)
    }
}

/// A password made for someone (a demo account, a reset): 120 random bits, URL-safe.
pub fn generate() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 15];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters hashes any password")
        .to_string()
}

pub fn verify(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// Verifies against a throw-away hash, so an unknown phone number takes as long to refuse as a
/// wrong password (no telling which numbers are registered by timing).
pub fn verify_against_nothing(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("not a real password, only for timing"));
    let _ = verify(password, dummy);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_only_the_right_password() {
        let stored = hash("ca phe sua da");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("ca phe sua da", &stored));
        assert!(!verify("ca phe sua nong", &stored));
        assert!(!verify("anything", "not a hash"));
    }

    #[tokio::test]
    async fn a_check_that_finds_no_free_thread_in_time_is_told_the_server_is_busy() {
        let hashing = PasswordHashing::new(1, Duration::from_millis(50));
        let stored = hash("ca phe sua da");
        let (release, released) = std::sync::mpsc::channel::<()>();
        // The only thread is held until the test lets it go.
        let held = hashing.run(move || released.recv());
        let (held, refused) = tokio::join!(held, async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            let refused = hashing.verify("ca phe sua da".into(), Some(stored.clone())).await;
            release.send(()).unwrap();
            refused
        });
        assert!(held.is_ok());
        let refused = refused.unwrap_err();
        assert_eq!(refused.code, ErrorCode::ServerBusy);
        assert!(refused.retry_after_secs.is_some());
        // Once free, the thread checks again.
        assert!(hashing.verify("ca phe sua da".into(), Some(stored)).await.unwrap());
        assert!(!hashing.verify("ca phe sua nong".into(), None).await.unwrap());
    }
}

//! Camera snapshots, fetched by the server and served from memory: a thousand phones looking
//! at one flood camera make one request to it every `SMARTCITY_CAMERA_SNAPSHOT_SECONDS`.
//!
//! Per camera, at most one fetch is in flight: the request that finds the image stale starts
//! it in a task of its own (so a caller who hangs up does not cancel it for the others) and
//! every request meanwhile awaits the same outcome. A camera that fails is marked down in the
//! database and left alone for the backoff of [`SnapshotPolicy`]; the database's count of
//! failures is read before each fetch, so instances sharing it share the backoff too. Memory is
//! bounded: images of at most
//! [`MAX_SNAPSHOT_BYTES`](crate::adapters::camera::MAX_SNAPSHOT_BYTES), at most [`CACHE_BYTES`] of them in all
//! (the least recently fetched go first), at most [`MAX_ENTRIES`] cameras remembered, and at
//! most [`FETCHES_AT_ONCE`] fetches reading bodies at once.

use crate::adapters::camera::SnapshotFetcher;
use crate::app::database::Database;
use crate::app::error::{ApiError, Bug};
use bytes::Bytes;
use chrono::NaiveDateTime;
use smartcity_db::cameras;
use smartcity_domain::camera::{SnapshotHealth, SnapshotPolicy, SnapshotStep};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, Semaphore};

/// All images held, together.
pub const CACHE_BYTES: usize = 64 << 20;
/// Cameras remembered (with or without an image): more than a city registers.
pub const MAX_ENTRIES: usize = 4096;
/// Fetches reading a camera's answer at once; others wait their turn.
pub const FETCHES_AT_ONCE: usize = 16;
/// How long a camera has to answer.
pub const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(5);

/// A camera's image as fetched.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub jpeg: Bytes,
    pub fetched_at: NaiveDateTime,
    /// Until when it is served without asking the camera again.
    pub fresh_until: NaiveDateTime,
}

/// What a request for a snapshot gets.
#[derive(Debug, Clone)]
pub enum SnapshotAnswer {
    Image(Snapshot),
    /// The camera is down; it is asked again at `retry_at`.
    Down {
        retry_at: NaiveDateTime,
    },
    /// No such active camera.
    NoSuchCamera,
}

type Outcome = Result<SnapshotAnswer, ApiError>;

#[derive(Default)]
struct Entry {
    image: Option<Snapshot>,
    failures: u32,
    failed_at: Option<NaiveDateTime>,
    /// The fetch under way, which every request meanwhile awaits.
    in_flight: Option<watch::Receiver<Option<Outcome>>>,
    /// When this entry was last given an outcome: the least recent is evicted first.
    touched: u64,
}

impl Entry {
    fn health(&self) -> SnapshotHealth {
        SnapshotHealth {
            fetched_at: self.image.as_ref().map(|image| image.fetched_at),
            failures: self.failures,
            failed_at: self.failed_at,
        }
    }
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, Entry>,
    bytes: usize,
    clock: u64,
}

pub struct SnapshotCache {
    policy: SnapshotPolicy,
    fetcher: SnapshotFetcher,
    entries: Mutex<Entries>,
    permits: Semaphore,
    /// Requests made to cameras since start (for tests and the log).
    upstream_requests: std::sync::atomic::AtomicU64,
}

enum Plan {
    Answer(SnapshotAnswer),
    Wait(watch::Receiver<Option<Outcome>>),
    Start(watch::Sender<Option<Outcome>>, watch::Receiver<Option<Outcome>>),
}

impl SnapshotCache {
    pub fn new(every: Duration) -> SnapshotCache {
        SnapshotCache {
            policy: SnapshotPolicy::new(every),
            fetcher: SnapshotFetcher::new(UPSTREAM_TIMEOUT).expect("an HTTP client builds"),
            entries: Mutex::default(),
            permits: Semaphore::new(FETCHES_AT_ONCE),
            upstream_requests: Default::default(),
        }
    }

    pub fn policy(&self) -> SnapshotPolicy {
        self.policy
    }

    /// Requests this instance made to cameras since it started.
    pub fn upstream_requests(&self) -> u64 {
        self.upstream_requests.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The snapshot of camera `id`: the one held while fresh, else the outcome of the one fetch
    /// for it (started here, or already under way).
    pub async fn snapshot(self: &Arc<Self>, database: &Database, id: &str) -> Outcome {
        let plan = self.plan(id, smartcity_db::now());
        let mut receiver = match plan {
            Plan::Answer(answer) => return Ok(answer),
            Plan::Wait(receiver) => receiver,
            Plan::Start(sender, receiver) => {
                let cache = Arc::clone(self);
                let database = database.clone();
                let id = id.to_string();
                tokio::spawn(async move {
                    let outcome = cache.fetch(&database, &id).await;
                    cache.finish(&id, &outcome);
                    // Nobody waiting is no error.
                    let _ = sender.send(Some(outcome));
                });
                receiver
            }
        };
        // The fetch is bounded by its timeout and the database's; this only guards a task that
        // died without a word.
        let limit = UPSTREAM_TIMEOUT + Duration::from_secs(30);
        let waited = tokio::time::timeout(limit, receiver.wait_for(Option::is_some)).await;
        match waited {
            Ok(Ok(outcome)) => outcome.clone().expect("waited for Some"),
            Ok(Err(_)) => Err(ApiError::internal(Bug(format!("camera {id}: fetch task ended")))),
            Err(_) => Err(ApiError::internal(Bug(format!("camera {id}: fetch took too long")))),
        }
    }

    /// Forgets what is held for a camera (its address or retirement changed).
    pub fn forget(&self, id: &str) {
        let mut entries = self.entries.lock().expect("camera cache lock");
        if let Some(entry) = entries.map.remove(id) {
            entries.bytes -= entry.image.map_or(0, |image| image.jpeg.len());
        }
    }

    fn plan(&self, id: &str, now: NaiveDateTime) -> Plan {
        let mut entries = self.entries.lock().expect("camera cache lock");
        if !entries.map.contains_key(id) && entries.map.len() >= MAX_ENTRIES {
            evict(&mut entries, MAX_ENTRIES - 1, CACHE_BYTES);
        }
        let entry = entries.map.entry(id.to_string()).or_default();
        if let Some(receiver) = &entry.in_flight {
            return Plan::Wait(receiver.clone());
        }
        match self.policy.step(&entry.health(), now) {
            SnapshotStep::ServeCached { .. } => {
                let image = entry.image.clone().expect("fresh means held");
                Plan::Answer(SnapshotAnswer::Image(image))
            }
            SnapshotStep::Down { until } => Plan::Answer(SnapshotAnswer::Down { retry_at: until }),
            SnapshotStep::Fetch => {
                let (sender, receiver) = watch::channel(None);
                entry.in_flight = Some(receiver.clone());
                Plan::Start(sender, receiver)
            }
        }
    }

    /// Reads the camera, honours a backoff another instance recorded, asks the camera, and
    /// records what came of it.
    async fn fetch(&self, database: &Database, id: &str) -> Outcome {
        let owned = id.to_string();
        let Some(row) = database.run(move |conn| cameras::find(conn, &owned)).await? else {
            return Ok(SnapshotAnswer::NoSuchCamera);
        };
        if !row.active {
            return Ok(SnapshotAnswer::NoSuchCamera);
        }
        let now = smartcity_db::now();
        let recorded = SnapshotHealth {
            fetched_at: None,
            failures: u32::try_from(row.failures).unwrap_or(0),
            failed_at: row.last_failure_at,
        };
        if let SnapshotStep::Down { until } = self.policy.step(&recorded, now) {
            return Ok(SnapshotAnswer::Down { retry_at: until });
        }
        let fetched = {
            let _permit = self.permits.acquire().await.expect("the semaphore is never closed");
            self.upstream_requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            self.fetcher.fetch(&row.snapshot_url).await
        };
        let now = smartcity_db::now();
        let owned = id.to_string();
        match fetched {
            Ok(jpeg) => {
                let marked = database.run(move |conn| cameras::mark_up(conn, &owned, now));
                if let Err(err) = marked.await {
                    tracing::warn!(camera = id, error = %err, "camera up, not recorded");
                }
                if !row.working {
                    tracing::info!(camera = id, "camera answers again");
                }
                let fresh_until = now + to_delta(self.policy.every);
                Ok(SnapshotAnswer::Image(Snapshot { jpeg, fetched_at: now, fresh_until }))
            }
            Err(err) => {
                tracing::warn!(camera = id, error = %err, "camera snapshot failed");
                let marked = database.run(move |conn| cameras::mark_down(conn, &owned, now)).await;
                let failures = match marked {
                    Ok(Some(failures)) => u32::try_from(failures).unwrap_or(1),
                    Ok(None) => return Ok(SnapshotAnswer::NoSuchCamera),
                    Err(err) => {
                        tracing::warn!(camera = id, error = %err, "camera down, not recorded");
                        u32::try_from(row.failures).unwrap_or(0) + 1
                    }
                };
                let retry_at = now + to_delta(self.policy.down_for(failures));
                Ok(SnapshotAnswer::Down { retry_at })
            }
        }
    }

    /// Records a fetch's outcome for the requests to come, and keeps memory within bounds.
    fn finish(&self, id: &str, outcome: &Outcome) {
        let mut entries = self.entries.lock().expect("camera cache lock");
        entries.clock += 1;
        let clock = entries.clock;
        let Some(entry) = entries.map.get_mut(id) else {
            return; // forgotten meanwhile
        };
        entry.in_flight = None;
        entry.touched = clock;
        let released = entry.image.as_ref().map_or(0, |image| image.jpeg.len());
        let mut added = 0;
        match outcome {
            Ok(SnapshotAnswer::Image(image)) => {
                added = image.jpeg.len();
                entry.image = Some(image.clone());
                entry.failures = 0;
                entry.failed_at = None;
            }
            Ok(SnapshotAnswer::Down { retry_at }) => {
                // What a down camera last showed is not served as if it were now.
                entry.image = None;
                entry.failures = entry.failures.max(1);
                let wait = self.policy.down_for(entry.failures);
                entry.failed_at = Some(*retry_at - to_delta(wait));
            }
            Ok(SnapshotAnswer::NoSuchCamera) => {
                entries.map.remove(id);
            }
            // The database did not answer: the next request tries again.
            Err(_) => {
                entries.map.remove(id);
            }
        }
        entries.bytes = entries.bytes - released + added;
        evict(&mut entries, MAX_ENTRIES, CACHE_BYTES);
    }
}

/// Drops the least recently fetched entries with no fetch under way until at most
/// `max_entries` remain and their images take at most `max_bytes`.
fn evict(entries: &mut Entries, max_entries: usize, max_bytes: usize) {
    while entries.map.len() > max_entries || entries.bytes > max_bytes {
        let oldest = entries
            .map
            .iter()
            .filter(|(_, entry)| entry.in_flight.is_none())
            .min_by_key(|(_, entry)| entry.touched)
            .map(|(id, _)| id.clone());
        let Some(oldest) = oldest else {
            return;
        };
        if let Some(entry) = entries.map.remove(&oldest) {
            entries.bytes -= entry.image.map_or(0, |image| image.jpeg.len());
        }
    }
}

fn to_delta(duration: Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(duration).unwrap_or(chrono::TimeDelta::MAX)
}

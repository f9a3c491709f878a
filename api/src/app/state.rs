use crate::adapters::fcm::FcmClient;
use crate::adapters::metrics::Metrics;
use crate::adapters::storage::PhotoStore;
use crate::app::auth::passwords::{self, PasswordHashing};
use crate::app::auth::tokens::TokenKeys;
use crate::app::camera_cache::SnapshotCache;
use crate::app::database::Database;
use crate::app::error::ApiError;
use crate::app::geography::AreaMap;
use crate::app::land::LandMap;
use crate::app::search::{AnswerSearch, CatalogueSearch};
use crate::config::Config;
use smartcity_db::{DbConn, DbError, Pool};
use std::future::Future;
use std::sync::Arc;

/// The outside services people hear through.
pub struct Channels {
    /// None without credentials.
    pub fcm: Option<FcmClient>,
    pub sms: smartcity_sms::Gateway,
}

/// What every use case shares: the pool, the token keys, the configuration, this instance's
/// caches and the outside services. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub database: Database,
    pub tokens: Arc<TokenKeys>,
    pub config: Arc<Config>,
    pub search: Arc<CatalogueSearch>,
    /// The published answers to citizens' questions, searched as procedures are.
    pub answers: Arc<AnswerSearch>,
    pub areas: Arc<AreaMap>,
    /// The land layers' point index, over the same region as the areas.
    pub land: Arc<LandMap>,
    pub photos: Arc<PhotoStore>,
    /// Photos decoded at once, across all requests: one per core. Each takes up to its decoded
    /// size in memory (about 60 MB for 12 megapixels), so a burst of uploads waits its turn
    /// instead of exhausting memory.
    pub photo_permits: Arc<tokio::sync::Semaphore>,
    /// Password hashing, on its own threads, one per core.
    pub passwords: Arc<PasswordHashing>,
    pub metrics: Arc<Metrics>,
    /// None without credentials: notifications stay in the inbox, pushes are skipped.
    pub fcm: Option<FcmClient>,
    /// Rung by every use case that may have queued pushes, so the push workers send within
    /// milliseconds instead of at their next poll.
    push_queued: Arc<tokio::sync::Notify>,
    /// Where text messages go (the log, an SMSC over SMPP, a provider's HTTP API).
    pub sms: Arc<smartcity_sms::Gateway>,
    /// Rung when a message was queued, as `push_queued` is for pushes.
    sms_queued: Arc<tokio::sync::Notify>,
    /// The cameras' snapshots this instance holds, and the fetches under way.
    pub cameras: Arc<SnapshotCache>,
}

impl AppState {
    pub fn new(
        pool: Pool,
        tokens: TokenKeys,
        config: Config,
        search: CatalogueSearch,
        areas: AreaMap,
        photos: PhotoStore,
        channels: Channels,
    ) -> AppState {
        let Channels { fcm, sms } = channels;
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        AppState {
            database: Database { pool: pool.clone() },
            pool,
            tokens: Arc::new(tokens),
            cameras: Arc::new(SnapshotCache::new(config.camera_snapshot_every)),
            config: Arc::new(config),
            answers: Arc::new(AnswerSearch::new(search.vocabulary().clone())),
            search: Arc::new(search),
            land: Arc::new(LandMap::new(*areas.region())),
            areas: Arc::new(areas),
            photos: Arc::new(photos),
            photo_permits: Arc::new(tokio::sync::Semaphore::new(cores)),
            passwords: Arc::new(PasswordHashing::new(cores, passwords::WAIT_FOR_A_THREAD)),
            metrics: Arc::new(Metrics::new()),
            fcm,
            push_queued: Arc::new(tokio::sync::Notify::new()),
            sms: Arc::new(sms),
            sms_queued: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Runs database work on the blocking thread pool (see [`Database::run`]).
    #[track_caller]
    pub fn db<T, F>(&self, work: F) -> impl Future<Output = Result<T, ApiError>> + use<T, F>
    where
        F: FnOnce(&mut DbConn) -> Result<T, DbError> + Send + 'static,
        T: Send + 'static,
    {
        self.database.run(work)
    }

    /// Tells the push workers that a change just committed may have queued pushes.
    pub fn pushes_queued(&self) {
        self.push_queued.notify_one();
    }

    /// Waits until [`pushes_queued`](Self::pushes_queued) is rung (or returns at once if it
    /// was rung since the last wait).
    pub async fn wait_for_pushes(&self) {
        self.push_queued.notified().await;
    }

    /// Tells the SMS workers that a change just committed may have queued messages.
    pub fn sms_queued(&self) {
        self.sms_queued.notify_one();
    }

    pub async fn wait_for_sms(&self) {
        self.sms_queued.notified().await;
    }
}

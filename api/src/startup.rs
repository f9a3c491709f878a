//! Builds the server: pool, migrations, photo store, demo data on a fresh SQLite file, signing key, the
//! application state, the jobs, routes and middleware, bound to a listener (port 0 in tests).
//! The one place the layers are wired together.

use crate::adapters::fcm::{FcmClient, ServiceAccount};
use crate::adapters::storage::PhotoStore;
use crate::app::auth::tokens::TokenKeys;
use crate::app::geography::AreaMap;
use crate::app::search::CatalogueSearch;
use crate::app::seed;
use crate::app::state::{AppState, Channels};
use crate::config::sms::GatewayChoice;
use crate::config::Config;
use crate::console;
use crate::http::body_memory::{self, BodyMemory};
use crate::http::{middleware, routes};
use crate::jobs::sms::Receipts;
use crate::jobs::{self, Jobs};
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};
use smartcity_db::pool::{build_pool, PoolSettings};
use smartcity_db::{accounts, signing_keys, Backend, DbError, Pool};
use smartcity_domain::geo::Region;
use smartcity_domain::search::SearchVocabulary;
use smartcity_sms::{Gateway, HttpGateway, SmppGateway};
use std::net::TcpListener;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot listen on {0}: {1}")]
    Bind(String, std::io::Error),
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("access-token key: {0}")]
    Key(String),
    #[error("search vocabulary: {0}")]
    Vocabulary(String),
    #[error("photo store: {0}")]
    Photos(String),
    #[error("push credentials: {0}")]
    Push(String),
    #[error("SMS gateway: {0}")]
    Sms(String),
    #[error("demo data: {0}")]
    Seed(String),
}

pub struct Application {
    server: Server,
    port: u16,
    /// The operator's `/metrics` listener and its port, when configured.
    metrics: Option<(Server, u16)>,
    jobs: Jobs,
    pub state: AppState,
}

/// Opens the database named by the configuration and applies pending migrations.
pub async fn open_database(config: &Config) -> Result<(Backend, Pool), StartupError> {
    let backend = Backend::from_url(&config.database_url);
    let pool = build_pool(
        &backend,
        &PoolSettings { max_size: config.pool_size, checkout_timeout: config.db_checkout_timeout },
    );
    let migrations_pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = migrations_pool.get()?;
        smartcity_db::pool::migrate(&mut conn)
    })
    .await
    .expect("migration task does not panic")?;
    Ok((backend, pool))
}

/// The FCM client, when credentials are configured; a credentials file that does not read is
/// an error at start-up rather than pushes failing one by one later.
fn push_client(config: &Config) -> Result<Option<FcmClient>, StartupError> {
    let Some(path) = &config.fcm_credentials else { return Ok(None) };
    let account = ServiceAccount::from_file(path).map_err(|e| StartupError::Push(e.to_string()))?;
    FcmClient::new(account, config.fcm_base_url.clone())
        .map(Some)
        .map_err(|e| StartupError::Push(e.to_string()))
}

/// The configured SMS gateway, and the delivery receipts an SMPP session hands over.
fn sms_gateway(config: &Config) -> Result<(Gateway, Option<Receipts>), StartupError> {
    Ok(match &config.sms.gateway {
        GatewayChoice::Log => (Gateway::Log, None),
        GatewayChoice::Smpp(smpp) => {
            let (gateway, receipts) = SmppGateway::start(smpp.as_ref().clone());
            (Gateway::Smpp(gateway), Some(receipts))
        }
        GatewayChoice::Http(http) => {
            let gateway = HttpGateway::new(http.as_ref().clone())
                .map_err(|e| StartupError::Sms(e.to_string()))?;
            (Gateway::Http(gateway), None)
        }
    })
}

impl Application {
    pub async fn build(config: Config) -> Result<Application, StartupError> {
        Self::build_with(config, |_| {}).await
    }

    /// As `build`, with extra routes mounted beside the real ones (tests use this to mount a
    /// handler that panics).
    pub async fn build_with<F>(config: Config, extra_routes: F) -> Result<Application, StartupError>
    where
        F: Fn(&mut routes::Routes) + Send + Clone + 'static,
    {
        let (backend, pool) = open_database(&config).await?;
        let photos = PhotoStore::from_config(&config.photo_store)
            .map_err(|e| StartupError::Photos(e.to_string()))?;
        let seed_on_empty = config.seed_on_empty && matches!(backend, Backend::Sqlite { .. });
        let key_pool = pool.clone();
        let (seeded, private_pem) = tokio::task::spawn_blocking(move || {
            let mut conn = key_pool.get()?;
            let seeded = if seed_on_empty && accounts::count_users(&mut conn)? == 0 {
                Some(seed::seed(&mut conn)?)
            } else {
                None
            };
            let pem = signing_keys::get_or_create(
                &mut conn,
                smartcity_db::now(),
                TokenKeys::generate_private_pem,
            )?;
            Ok::<_, DbError>((seeded, pem))
        })
        .await
        .expect("start-up task does not panic")?;
        if let Some(report) = seeded {
            let city = seed::demo_city(&pool, &photos, &config.calendar)
                .await
                .map_err(|e| StartupError::Seed(e.to_string()))?;
            println!("First start on an empty database: demo data created.\n{report}{city}");
        }
        let tokens = TokenKeys::from_private_pem(&private_pem).map_err(StartupError::Key)?;
        let vocabulary =
            SearchVocabulary::parse(&config.search_vocabulary).map_err(StartupError::Vocabulary)?;
        let search = CatalogueSearch::new(vocabulary);

        let listener = TcpListener::bind(&config.bind)
            .map_err(|e| StartupError::Bind(config.bind.clone(), e))?;
        let port =
            listener.local_addr().map_err(|e| StartupError::Bind(config.bind.clone(), e))?.port();
        let metrics_listener = match &config.metrics_bind {
            Some(bind) => {
                let listener =
                    TcpListener::bind(bind).map_err(|e| StartupError::Bind(bind.clone(), e))?;
                let port =
                    listener.local_addr().map_err(|e| StartupError::Bind(bind.clone(), e))?.port();
                Some((listener, bind.clone(), port))
            }
            None => None,
        };
        let fcm = push_client(&config)?;
        let areas = AreaMap::new(Region::VIETNAM);
        let (sms, receipts) = sms_gateway(&config)?;
        let channels = Channels { fcm, sms };
        let state = AppState::new(pool, tokens, config, search, areas, photos, channels);
        // The land index is built now rather than on the first lookup (a province's parcels
        // take seconds); a database down at start only delays it to that lookup.
        let warming = state.clone();
        tokio::spawn(async move {
            if let Err(err) = warming.land.loaded(&warming.database).await {
                tracing::warn!(error = %err, "land index not built at start");
            }
        });
        let metrics = web::Data::from(state.metrics.clone());
        let app_state = web::Data::new(state.clone());
        // One budget for the whole process, not one per worker.
        let body_memory = web::Data::new(BodyMemory::new(state.config.body_memory_bytes));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(app_state.clone())
                .app_data(metrics.clone())
                .app_data(body_memory.clone())
                .wrap(from_fn(middleware::refuse_malformed))
                .wrap(from_fn(body_memory::bound_body_memory))
                .wrap(from_fn(middleware::render_problems))
                .wrap(from_fn(middleware::observe))
                .configure(routes::register)
                .configure(console::register)
                .configure(|cfg| routes::register_with(cfg, extra_routes.clone()))
                .default_service(web::to(routes::route_not_found))
        })
        .listen(listener)
        .map_err(|e| StartupError::Bind(state.config.bind.clone(), e))?
        // SIGTERM: stop accepting, let in-flight requests finish (up to 30 s), then exit.
        .shutdown_timeout(30)
        .run();
        let metrics = match metrics_listener {
            Some((listener, bind, port)) => {
                let app_state = web::Data::new(state.clone());
                let server = HttpServer::new(move || {
                    App::new().app_data(app_state.clone()).configure(routes::register_metrics)
                })
                .workers(1)
                // It stops when the API does, not on a signal of its own.
                .disable_signals()
                .listen(listener)
                .map_err(|e| StartupError::Bind(bind, e))?
                .run();
                Some((server, port))
            }
            None => None,
        };
        let jobs = jobs::start(&state, receipts);
        Ok(Application { server, port, metrics, jobs, state })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(_, port)| *port)
    }

    /// Serves until the server is stopped (SIGTERM, SIGINT), then stops the metrics listener
    /// and the jobs.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let metrics = self.metrics.map(|(server, _)| {
            let handle = server.handle();
            tokio::spawn(server);
            handle
        });
        let served = self.server.await;
        if let Some(metrics) = metrics {
            metrics.stop(true).await;
        }
        self.jobs.stop().await;
        served
    }
}

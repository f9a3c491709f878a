//! Configuration from environment variables, with defaults that run out of the box.
//! README's "Configuration" table lists them.

use crate::storage::StoreConfig;
use smartcity_domain::calendar::WorkCalendar;
use smartcity_domain::throttle::ThrottlePolicy;

/// Vietnam's public holidays as shipped; `SMARTCITY_HOLIDAYS` replaces the list.
pub const DEFAULT_HOLIDAYS: &str = include_str!("../../data/holidays.txt");
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: String,
    pub database_url: String,
    pub log_format: LogFormat,
    pub pool_size: u32,
    pub db_checkout_timeout: Duration,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy you run).
    pub trust_proxy: bool,
    /// Seed demo data when the server starts on an empty SQLite database.
    pub seed_on_empty: bool,
    pub login_throttle: ThrottlePolicy,
    pub lookup_throttle: ThrottlePolicy,
    /// Public holidays, which are not working days.
    pub calendar: WorkCalendar,
    /// Stop words and synonyms of the procedure search (JSON, the shape of data/search.json).
    pub search_vocabulary: String,
    /// Where complaint photos are kept: a local directory, or an S3-compatible store.
    pub photo_store: StoreConfig,
    /// How often stored photos that no complaint refers to are looked for and removed.
    pub sweep_interval: Duration,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// Where clients reach this server (`https://api.example.vn`), for the absolute links
    /// Open311 answers carry; without it they are built from the request's Host.
    pub public_url: Option<String>,
    /// The Google service-account JSON pushes are sent with; without it the inbox still
    /// works and pushes are marked skipped.
    pub fcm_credentials: Option<String>,
    pub fcm_base_url: String,
    /// Push workers in this instance (0: none; other instances may still deliver).
    pub push_workers: usize,
    /// How long a claimed push is its worker's before another may take it (a worker that died).
    pub push_lease: Duration,
    /// How long before a complaint's or dossier's due time its agency is reminded.
    pub remind_before: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: "127.0.0.1:8080".into(),
            database_url: "sqlite://smartcity.db".into(),
            log_format: LogFormat::Text,
            pool_size: 10,
            db_checkout_timeout: Duration::from_secs(3),
            trust_proxy: false,
            seed_on_empty: true,
            login_throttle: ThrottlePolicy::login(),
            lookup_throttle: ThrottlePolicy::lookup(),
            calendar: WorkCalendar::parse(DEFAULT_HOLIDAYS)
                .expect("the shipped holiday list parses"),
            search_vocabulary: crate::search::DEFAULT_VOCABULARY.to_string(),
            photo_store: StoreConfig::default(),
            sweep_interval: Duration::from_secs(3600),
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            public_url: None,
            fcm_credentials: None,
            fcm_base_url: crate::push::fcm::DEFAULT_BASE_URL.to_string(),
            push_workers: 1,
            push_lease: Duration::from_secs(60),
            remind_before: Duration::from_secs(24 * 3600),
        }
    }
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let mut config = Config::default();
        if let Some(bind) = get("SMARTCITY_BIND") {
            config.bind = bind;
        }
        if let Some(url) = get("DATABASE_URL") {
            config.database_url = url;
        }
        if let Some(format) = get("SMARTCITY_LOG_FORMAT") {
            config.log_format = match format.as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                other => {
                    return Err(format!("SMARTCITY_LOG_FORMAT must be text or json, not {other:?}"))
                }
            };
        }
        if let Some(size) = get("SMARTCITY_DB_POOL_SIZE") {
            config.pool_size = size
                .parse()
                .ok()
                .filter(|n| (1..=500).contains(n))
                .ok_or_else(|| format!("SMARTCITY_DB_POOL_SIZE must be 1–500, not {size:?}"))?;
        }
        if let Some(secs) = get("SMARTCITY_DB_TIMEOUT_SECS") {
            let secs: u64 =
                secs.parse().ok().filter(|n| (1..=60).contains(n)).ok_or_else(|| {
                    format!("SMARTCITY_DB_TIMEOUT_SECS must be 1–60, not {secs:?}")
                })?;
            config.db_checkout_timeout = Duration::from_secs(secs);
        }
        if let Some(list) = get("SMARTCITY_HOLIDAYS") {
            config.calendar =
                WorkCalendar::parse(&list).map_err(|e| format!("SMARTCITY_HOLIDAYS: {e}"))?;
        }
        if let Some(path) = get("SMARTCITY_SEARCH_VOCABULARY") {
            config.search_vocabulary = std::fs::read_to_string(&path)
                .map_err(|e| format!("SMARTCITY_SEARCH_VOCABULARY {path}: {e}"))?;
        }
        if let Some(secs) = get("SMARTCITY_SWEEP_INTERVAL_SECS") {
            let secs: u64 =
                secs.parse().ok().filter(|n| (60..=86_400).contains(n)).ok_or_else(|| {
                    format!("SMARTCITY_SWEEP_INTERVAL_SECS must be 60–86400, not {secs:?}")
                })?;
            config.sweep_interval = Duration::from_secs(secs);
        }
        config.photo_store = StoreConfig::from_lookup(&get).map_err(|e| e.to_string())?;
        if let Some(url) = get("SMARTCITY_PUBLIC_URL") {
            let url = url.trim_end_matches('/');
            if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(' ') {
                return Err(format!("SMARTCITY_PUBLIC_URL must be an http(s) URL, not {url:?}"));
            }
            config.public_url = Some(url.to_string());
        }
        config.fcm_credentials = get("GOOGLE_APPLICATION_CREDENTIALS").filter(|p| !p.is_empty());
        if let Some(url) = get("SMARTCITY_FCM_BASE_URL") {
            config.fcm_base_url = url.trim_end_matches('/').to_string();
        }
        if let Some(hours) = get("SMARTCITY_REMIND_BEFORE_HOURS") {
            let hours: u64 =
                hours.parse().ok().filter(|h| (1..=720).contains(h)).ok_or_else(|| {
                    format!("SMARTCITY_REMIND_BEFORE_HOURS must be 1–720, not {hours:?}")
                })?;
            config.remind_before = Duration::from_secs(hours * 3600);
        }
        if let Some(secs) = get("SMARTCITY_PUSH_LEASE_SECS") {
            let secs: u64 =
                secs.parse().ok().filter(|s| (1..=3600).contains(s)).ok_or_else(|| {
                    format!("SMARTCITY_PUSH_LEASE_SECS must be 1–3600, not {secs:?}")
                })?;
            config.push_lease = Duration::from_secs(secs);
        }
        if let Some(workers) = get("SMARTCITY_PUSH_WORKERS") {
            config.push_workers =
                workers.parse().ok().filter(|n| *n <= 64).ok_or_else(|| {
                    format!("SMARTCITY_PUSH_WORKERS must be 0–64, not {workers:?}")
                })?;
        }
        config.trust_proxy = flag(&get, "SMARTCITY_TRUST_PROXY", config.trust_proxy)?;
        config.seed_on_empty = flag(&get, "SMARTCITY_SEED_ON_EMPTY", config.seed_on_empty)?;
        Ok(config)
    }
}

fn flag(get: &impl Fn(&str) -> Option<String>, name: &str, default: bool) -> Result<bool, String> {
    match get(name).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes") => Ok(true),
        Some("0" | "false" | "no") => Ok(false),
        Some(other) => Err(format!("{name} must be true or false, not {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn defaults_run_out_of_the_box_and_bad_values_are_named() {
        let config = Config::from_lookup(|_| None).unwrap();
        assert_eq!(config.bind, "127.0.0.1:8080");
        assert_eq!(config.database_url, "sqlite://smartcity.db");

        let env: HashMap<&str, &str> = [("SMARTCITY_DB_POOL_SIZE", "lots")].into();
        let err = Config::from_lookup(|k| env.get(k).map(|v| v.to_string())).unwrap_err();
        assert!(err.contains("SMARTCITY_DB_POOL_SIZE"));
    }
}

//! Configuration from environment variables, with defaults that run out of the box.
//! README's "Configuration" table lists them.

pub mod sms;

use crate::adapters::storage::StoreConfig;
use smartcity_domain::calendar::WorkCalendar;
use smartcity_domain::photo;
use smartcity_domain::throttle::ThrottlePolicy;
use std::path::PathBuf;

use std::time::Duration;

/// Vietnam's public holidays as shipped; `SMARTCITY_HOLIDAYS` replaces the list.
pub const DEFAULT_HOLIDAYS: &str = include_str!("../../data/holidays.txt");
/// The search's stop words and synonyms as shipped in `data/search.json`;
/// `SMARTCITY_SEARCH_VOCABULARY` names a file that replaces them.
pub const DEFAULT_VOCABULARY: &str = include_str!("../../data/search.json");
/// The largest body the API accepts, in MiB: a complaint's form with every photo at its limit
/// and 1 MiB for the rest (`http::middleware`'s bound on multipart bodies). The bound on body
/// memory may not be lower, or such a form could never be received.
pub const LARGEST_BODY_MIB: usize =
    ((photo::MAX_PHOTOS_PER_COMPLAINT * photo::MAX_PHOTO_BYTES as usize) >> 20) + 1;
/// `SMARTCITY_BODY_MEMORY_MIB` by default: one largest form and a little room beside it. Forty
/// 70 MiB uploads at once then peak at 276–322 MiB (api/tests/hostile.rs); at 96 MiB that was
/// up to 385 MiB, since the allocator keeps about as much again as the bodies it held.
pub const DEFAULT_BODY_MEMORY_MIB: usize = 80;

/// Prometheus's customary port, on loopback: metrics are not for the public.
pub const DEFAULT_METRICS_BIND: &str = "127.0.0.1:9464";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: String,
    /// Where `/metrics` is served, apart from the API (loopback by default, for a scraper on
    /// the same host or network namespace); `None` serves it nowhere.
    pub metrics_bind: Option<String>,
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
    pub registration_throttle: ThrottlePolicy,
    /// Public holidays, which are not working days.
    pub calendar: WorkCalendar,
    /// Where the one-stop-shop slips say they were issued ("Đà Nẵng, ngày …").
    pub city_name: String,
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
    /// Most bytes of request bodies held in memory at once, across all requests; past it a
    /// request waits a moment for room, then is answered 503 `server_busy`.
    pub body_memory_bytes: usize,
    /// Web origins (`https://portal.example.vn`) whose pages may read the public routes
    /// across origins (CORS); none by default, and then no response carries a CORS header.
    pub cors_origins: Vec<String>,
    /// How long a console sign-in lasts without use.
    pub console_idle: Duration,
    /// When the console's cookie is marked `Secure`.
    pub secure_cookie: SecureCookie,
    /// The console maps' tile server, a URL template with `{z}`, `{x}` and `{y}`.
    pub map_tiles: String,
    /// The SMS channel: gateway, text rules, caps, who must prove a number.
    pub sms: sms::SmsSettings,
    /// A camera's snapshot is fetched at most once in this time per instance, however many
    /// people look at it; what was fetched is served meanwhile.
    pub camera_snapshot_every: Duration,
}

/// When the console's session cookie carries `Secure` (browsers then send it over HTTPS only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecureCookie {
    /// When the request came over HTTPS (as the proxy says, with `SMARTCITY_TRUST_PROXY`).
    Auto,
    Always,
    Never,
}

/// OpenStreetMap's own tiles; an intranet names its own server.
pub const DEFAULT_MAP_TILES: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: "127.0.0.1:8080".into(),
            metrics_bind: Some(DEFAULT_METRICS_BIND.into()),
            database_url: "sqlite://smartcity.db".into(),
            log_format: LogFormat::Text,
            pool_size: 10,
            db_checkout_timeout: Duration::from_secs(3),
            trust_proxy: false,
            seed_on_empty: true,
            login_throttle: ThrottlePolicy::login(),
            lookup_throttle: ThrottlePolicy::lookup(),
            registration_throttle: ThrottlePolicy::registration(),
            city_name: "Đà Nẵng".into(),
            calendar: WorkCalendar::parse(DEFAULT_HOLIDAYS)
                .expect("the shipped holiday list parses"),
            search_vocabulary: DEFAULT_VOCABULARY.to_string(),
            photo_store: StoreConfig::default(),
            sweep_interval: Duration::from_secs(3600),
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            public_url: None,
            fcm_credentials: None,
            fcm_base_url: crate::adapters::fcm::DEFAULT_BASE_URL.to_string(),
            push_workers: 1,
            push_lease: Duration::from_secs(60),
            remind_before: Duration::from_secs(24 * 3600),
            body_memory_bytes: DEFAULT_BODY_MEMORY_MIB << 20,
            cors_origins: Vec::new(),
            console_idle: Duration::from_secs(30 * 60),
            secure_cookie: SecureCookie::Auto,
            map_tiles: DEFAULT_MAP_TILES.to_string(),
            sms: sms::SmsSettings::default(),
            camera_snapshot_every: Duration::from_secs(10),
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
        if let Some(bind) = get("SMARTCITY_METRICS_BIND") {
            config.metrics_bind = (bind != "off").then_some(bind);
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
        if let Some(name) = get("SMARTCITY_CITY_NAME") {
            config.city_name = name;
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
        config.photo_store = photo_store(&get)?;
        if let Some(secs) = get("SMARTCITY_CAMERA_SNAPSHOT_SECONDS") {
            let secs: u64 =
                secs.trim().parse().ok().filter(|s| (1..=3600).contains(s)).ok_or_else(|| {
                    format!("SMARTCITY_CAMERA_SNAPSHOT_SECONDS must be 1–3600, not {secs:?}")
                })?;
            config.camera_snapshot_every = Duration::from_secs(secs);
        }
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
        if let Some(mib) = get("SMARTCITY_BODY_MEMORY_MIB") {
            let mib: usize = mib
                .trim()
                .parse()
                .ok()
                .filter(|n| (LARGEST_BODY_MIB..=65_536).contains(n))
                .ok_or_else(|| {
                    format!(
                        "SMARTCITY_BODY_MEMORY_MIB must be {LARGEST_BODY_MIB}–65536 (the largest \
                         form is {LARGEST_BODY_MIB} MiB), not {mib:?}"
                    )
                })?;
            config.body_memory_bytes = mib << 20;
        }
        if let Some(list) = get("SMARTCITY_CORS_ORIGINS") {
            config.cors_origins = cors_origins(&list)?;
        }
        if let Some(minutes) = get("SMARTCITY_CONSOLE_IDLE_MINUTES") {
            let minutes: u64 =
                minutes.trim().parse().ok().filter(|m| (1..=1440).contains(m)).ok_or_else(
                    || format!("SMARTCITY_CONSOLE_IDLE_MINUTES must be 1–1440, not {minutes:?}"),
                )?;
            config.console_idle = Duration::from_secs(minutes * 60);
        }
        if let Some(secure) = get("SMARTCITY_SECURE_COOKIE") {
            config.secure_cookie = match secure.trim().to_ascii_lowercase().as_str() {
                "auto" | "" => SecureCookie::Auto,
                "always" => SecureCookie::Always,
                "never" => SecureCookie::Never,
                other => {
                    return Err(format!(
                        "SMARTCITY_SECURE_COOKIE must be auto, always or never, not {other:?}"
                    ))
                }
            };
        }
        if let Some(tiles) = get("SMARTCITY_MAP_TILES").filter(|t| !t.trim().is_empty()) {
            let tiles = tiles.trim();
            let templated = ["{z}", "{x}", "{y}"].iter().all(|part| tiles.contains(part));
            let web = tiles.starts_with("https://") || tiles.starts_with("http://");
            if !templated || !web || tiles.contains(['"', '\'', ' ', '<', '>']) {
                return Err(format!(
                    "SMARTCITY_MAP_TILES must be an http(s) URL with {{z}}, {{x}} and {{y}}, \
                     not {tiles:?}"
                ));
            }
            config.map_tiles = tiles.to_string();
        }
        config.sms = sms::SmsSettings::from_lookup(&get, config.public_url.as_deref())?;
        config.trust_proxy = flag(&get, "SMARTCITY_TRUST_PROXY", config.trust_proxy)?;
        config.seed_on_empty = flag(&get, "SMARTCITY_SEED_ON_EMPTY", config.seed_on_empty)?;
        Ok(config)
    }
}

/// The one reading of a yes/no setting: `true`/`yes`/`on`/`1` or `false`/`no`/`off`/`0`, in
/// any case; unset or empty keeps `default`.
fn flag(get: &impl Fn(&str) -> Option<String>, name: &str, default: bool) -> Result<bool, String> {
    let value = get(name).map(|v| v.trim().to_ascii_lowercase()).filter(|v| !v.is_empty());
    match value.as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(format!("{name} must be true or false, not {other:?}")),
    }
}

/// `SMARTCITY_CORS_ORIGINS`: exact origins separated by commas, each `http(s)://host[:port]`
/// as a browser sends it in `Origin` (a trailing `/` is dropped, case does not matter). `*`
/// and anything with a path are refused: a list of the portals meant is the point.
fn cors_origins(list: &str) -> Result<Vec<String>, String> {
    let mut origins = Vec::new();
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let origin = entry.strip_suffix('/').unwrap_or(entry).to_ascii_lowercase();
        let bad = || {
            format!(
                "SMARTCITY_CORS_ORIGINS: {entry:?} is not an origin like https://portal.example.vn \
                 (scheme, host and port only)"
            )
        };
        let rest = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
            .ok_or_else(bad)?;
        let (host, port) = match rest.rsplit_once(':').filter(|_| !rest.ends_with(']')) {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        };
        let host_ok = !host.is_empty()
            && (host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                || (host.starts_with('[') && host.ends_with(']')));
        let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
        if !host_ok || !port_ok {
            return Err(bad());
        }
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    Ok(origins)
}

/// Where photos are kept: `SMARTCITY_S3_BUCKET` selects an S3-compatible store, else the
/// directory `SMARTCITY_PHOTO_DIR`. Empty values count as unset.
fn photo_store(get: &impl Fn(&str) -> Option<String>) -> Result<StoreConfig, String> {
    let text = |name: &str| get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let Some(bucket) = text("SMARTCITY_S3_BUCKET") else {
        let dir = text("SMARTCITY_PHOTO_DIR").unwrap_or_else(|| "photos".into());
        return Ok(StoreConfig::Local { dir: PathBuf::from(dir) });
    };
    let access_key_id = text("SMARTCITY_S3_ACCESS_KEY_ID");
    let secret_access_key = text("SMARTCITY_S3_SECRET_ACCESS_KEY");
    if access_key_id.is_some() != secret_access_key.is_some() {
        return Err(
            "set both SMARTCITY_S3_ACCESS_KEY_ID and SMARTCITY_S3_SECRET_ACCESS_KEY, or neither"
                .into(),
        );
    }
    Ok(StoreConfig::S3 {
        endpoint: text("SMARTCITY_S3_ENDPOINT"),
        bucket,
        region: text("SMARTCITY_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
        access_key_id,
        secret_access_key,
        allow_http: flag(get, "SMARTCITY_S3_ALLOW_HTTP", false)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn defaults_run_out_of_the_box_and_bad_values_are_named() {
        let config = Config::from_lookup(|_| None).unwrap();
        assert_eq!(config.bind, "127.0.0.1:8080");
        assert_eq!(config.metrics_bind.as_deref(), Some("127.0.0.1:9464"));
        assert_eq!(config.database_url, "sqlite://smartcity.db");
        let off = Config::from_lookup(|k| (k == "SMARTCITY_METRICS_BIND").then(|| "off".into()));
        assert_eq!(off.unwrap().metrics_bind, None);

        let env: HashMap<&str, &str> = [("SMARTCITY_DB_POOL_SIZE", "lots")].into();
        let err = Config::from_lookup(|k| env.get(k).map(|v| v.to_string())).unwrap_err();
        assert!(err.contains("SMARTCITY_DB_POOL_SIZE"));
    }

    #[test]
    fn camera_snapshots_are_fetched_every_ten_seconds_unless_told() {
        let with = |value: &'static str| {
            Config::from_lookup(move |k| {
                (k == "SMARTCITY_CAMERA_SNAPSHOT_SECONDS").then(|| value.into())
            })
        };
        assert_eq!(Config::default().camera_snapshot_every, Duration::from_secs(10));
        assert_eq!(with("2").unwrap().camera_snapshot_every, Duration::from_secs(2));
        assert_eq!(with(" 3600 ").unwrap().camera_snapshot_every, Duration::from_secs(3600));
        for bad in ["0", "3601", "ten", "-1", ""] {
            let err = with(bad).unwrap_err();
            assert!(err.contains("SMARTCITY_CAMERA_SNAPSHOT_SECONDS"), "{err}");
        }
    }

    #[test]
    fn body_memory_is_in_mib_and_never_below_the_largest_form() {
        let with = |value: &'static str| {
            Config::from_lookup(move |k| (k == "SMARTCITY_BODY_MEMORY_MIB").then(|| value.into()))
        };
        assert_eq!(Config::default().body_memory_bytes, 80 << 20);
        assert_eq!(with("256").unwrap().body_memory_bytes, 256 << 20);
        assert_eq!(LARGEST_BODY_MIB, 76);
        assert!(with("76").is_ok());
        for bad in ["75", "0", "lots", "-1", "70000"] {
            let err = with(bad).unwrap_err();
            assert!(err.contains("SMARTCITY_BODY_MEMORY_MIB") && err.contains("76"), "{err}");
        }
    }

    #[test]
    fn cors_origins_are_exact_origins() {
        assert_eq!(Config::default().cors_origins, Vec::<String>::new());
        assert_eq!(
            cors_origins(" https://Portal.DaNang.gov.vn/ , http://localhost:3000,,").unwrap(),
            ["https://portal.danang.gov.vn", "http://localhost:3000"]
        );
        assert_eq!(cors_origins("http://[::1]:8080").unwrap(), ["http://[::1]:8080"]);
        assert_eq!(cors_origins("").unwrap(), Vec::<String>::new());
        for bad in [
            "*",
            "null",
            "portal.example.vn",
            "https://a.vn/path",
            "https://a.vn:x",
            "ftp://a.vn",
            "https://",
        ] {
            let err = cors_origins(bad).unwrap_err();
            assert!(err.contains("SMARTCITY_CORS_ORIGINS"), "{bad}: {err}");
        }
    }

    #[test]
    fn photo_store_from_variables() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        };
        assert_eq!(
            photo_store(&env(&[])).unwrap(),
            StoreConfig::Local { dir: PathBuf::from("photos") }
        );
        assert_eq!(
            photo_store(&env(&[("SMARTCITY_PHOTO_DIR", "/var/lib/smartcity/photos")])).unwrap(),
            StoreConfig::Local { dir: PathBuf::from("/var/lib/smartcity/photos") }
        );
        let s3 = photo_store(&env(&[
            ("SMARTCITY_S3_BUCKET", "smartcity-photos"),
            ("SMARTCITY_S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("SMARTCITY_S3_ACCESS_KEY_ID", "minio"),
            ("SMARTCITY_S3_SECRET_ACCESS_KEY", "minio-secret"),
            ("SMARTCITY_S3_ALLOW_HTTP", "true"),
        ]))
        .unwrap();
        assert_eq!(
            s3,
            StoreConfig::S3 {
                endpoint: Some("http://127.0.0.1:9000".into()),
                bucket: "smartcity-photos".into(),
                region: "us-east-1".into(),
                access_key_id: Some("minio".into()),
                secret_access_key: Some("minio-secret".into()),
                allow_http: true,
            }
        );
        let shown = format!("{s3:?}");
        assert!(!shown.contains("minio-secret") && shown.contains("<redacted>"), "{shown}");
        assert!(photo_store(&env(&[
            ("SMARTCITY_S3_BUCKET", "b"),
            ("SMARTCITY_S3_ACCESS_KEY_ID", "only-the-id"),
        ]))
        .is_err());
        assert!(photo_store(&env(&[
            ("SMARTCITY_S3_BUCKET", "b"),
            ("SMARTCITY_S3_ALLOW_HTTP", "maybe"),
        ]))
        .is_err());
    }

    #[test]
    fn yes_and_no_read_the_same_everywhere() {
        let one = |value: &'static str| move |_: &str| Some(value.to_string());
        for yes in ["1", "true", "TRUE", "yes", "On", " true "] {
            assert_eq!(flag(&one(yes), "X", false), Ok(true), "{yes:?}");
        }
        for no in ["0", "false", "No", "off"] {
            assert_eq!(flag(&one(no), "X", true), Ok(false), "{no:?}");
        }
        assert_eq!(flag(&one(""), "X", true), Ok(true));
        assert!(flag(&one("maybe"), "X", true).unwrap_err().contains("X"));
    }
}

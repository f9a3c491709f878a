//! A client of FCM HTTP v1: one request per device token to
//! `POST {base}/v1/projects/{project}/messages:send`, authorised by an OAuth 2.0 access token that
//! a Google service account obtains by signing an RS256 JWT assertion and exchanging it at its
//! `token_uri`.
//!
//! [`FcmClient::send`] never retries by itself (except once after a 401, with a fresh access
//! token): it answers a [`SendOutcome`] saying what the caller should do with the message —
//! done, try again later, forget the device token, or give up.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use smartcity_api::adapters::fcm::{
//!     FcmClient, PushMessage, SendOutcome, ServiceAccount, DEFAULT_BASE_URL,
//! };
//! let account = ServiceAccount::from_file("/etc/smartcity/firebase.json")?;
//! let client = FcmClient::new(account, DEFAULT_BASE_URL.to_string())?;
//! let message = PushMessage { token: "device registration token".into(), ..Default::default() };
//! match client.send(&message).await {
//!     SendOutcome::Sent { name } => println!("sent as {name}"),
//!     SendOutcome::Retry { after, reason } => println!("again after {after:?}: {reason}"),
//!     SendOutcome::DeadToken { reason } => println!("forget the device: {reason}"),
//!     SendOutcome::Failed { reason } => println!("dead letter: {reason}"),
//! }
//! # Ok(()) }
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::header::{HeaderMap, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{StatusCode, Url};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{Mutex, Semaphore};

/// Where FCM lives in production.
pub const DEFAULT_BASE_URL: &str = "https://fcm.googleapis.com";
/// The OAuth scope that allows sending through FCM.
pub const MESSAGING_SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";
/// FCM's limit on a message; we hold the whole request body to it, which is stricter.
pub const MAX_PAYLOAD_BYTES: usize = 4096;
/// APNs refuses a longer `apns-collapse-id`.
pub const MAX_COLLAPSE_KEY_BYTES: usize = 64;

const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// Google accepts assertions valid for at most an hour.
const ASSERTION_LIFETIME_SECS: u64 = 3600;
/// Refresh this long before the access token expires (or at half its life, if shorter), so a
/// request in flight never carries a token that lapses on the way.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);
/// Google's access tokens last an hour; a longer `expires_in` is not trusted.
const MAX_ACCESS_TOKEN_LIFETIME_SECS: u64 = 3600;
const ELLIPSIS: &str = "…";

/// The fields of a Google service-account key file (JSON) that the client uses.
#[derive(Clone, PartialEq, Eq)]
pub struct ServiceAccount {
    pub project_id: String,
    pub client_email: String,
    /// RSA private key, PEM (PKCS#8 as Google issues it, or PKCS#1).
    pub private_key: String,
    pub token_uri: String,
}

/// Never prints the private key.
impl fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("project_id", &self.project_id)
            .field("client_email", &self.client_email)
            .field("private_key", &"<redacted>")
            .field("token_uri", &self.token_uri)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error("cannot read the service-account file {}: {error}", path.display())]
    Read { path: PathBuf, error: std::io::Error },
    #[error("service-account file {}: {error}", path.display())]
    InFile { path: PathBuf, error: Box<CredentialsError> },
    #[error("the service-account JSON does not parse: {0}")]
    Json(serde_json::Error),
    #[error("the service-account JSON is not an object")]
    NotAnObject,
    #[error("the service-account JSON lacks `{0}` (a non-empty string)")]
    MissingField(&'static str),
    #[error("the credentials are of type {0:?}, not \"service_account\"")]
    NotAServiceAccount(String),
    #[error("the service-account `private_key` is not an RSA private key in PEM: {0}")]
    PrivateKey(jsonwebtoken::errors::Error),
}

impl ServiceAccount {
    /// Reads a service-account key file as the Google console downloads it; fields other than
    /// the four used are ignored.
    pub fn from_json(json: &str) -> Result<Self, CredentialsError> {
        let value: Value = serde_json::from_str(json).map_err(CredentialsError::Json)?;
        let object = value.as_object().ok_or(CredentialsError::NotAnObject)?;
        if let Some(kind) = object.get("type").and_then(Value::as_str) {
            if kind != "service_account" {
                return Err(CredentialsError::NotAServiceAccount(kind.to_string()));
            }
        }
        let field = |name: &'static str| {
            object
                .get(name)
                .and_then(Value::as_str)
                .filter(|text| !text.trim().is_empty())
                .map(str::to_string)
                .ok_or(CredentialsError::MissingField(name))
        };
        let account = ServiceAccount {
            project_id: field("project_id")?,
            client_email: field("client_email")?,
            private_key: field("private_key")?,
            token_uri: field("token_uri")?,
        };
        EncodingKey::from_rsa_pem(account.private_key.as_bytes())
            .map_err(CredentialsError::PrivateKey)?;
        Ok(account)
    }

    /// [`ServiceAccount::from_json`] of a file (`GOOGLE_APPLICATION_CREDENTIALS`); errors name
    /// the file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, CredentialsError> {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path)
            .map_err(|error| CredentialsError::Read { path: path.to_path_buf(), error })?;
        Self::from_json(&json).map_err(|error| CredentialsError::InFile {
            path: path.to_path_buf(),
            error: Box::new(error),
        })
    }
}

/// One notification to one device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushMessage {
    /// The device's FCM registration token.
    pub token: String,
    pub title: String,
    pub body: String,
    /// What the app routes on (kind, complaint or dossier id, new status); FCM takes strings only.
    pub data: BTreeMap<String, String>,
    /// Messages sharing a key replace each other on the device, so a burst of updates on one
    /// complaint shows as one notification (Android `collapse_key`, APNs `apns-collapse-id`; at
    /// most [`MAX_COLLAPSE_KEY_BYTES`]).
    pub collapse_key: Option<String>,
    /// Android notification channel; the app's default channel when `None`.
    pub android_channel: Option<String>,
    /// The iOS app icon's badge number.
    pub badge: Option<u32>,
    /// Deliver now, waking the device (Android `HIGH`, APNs 10); otherwise the platform may
    /// delay delivery to save battery (`NORMAL`, 5).
    pub high_priority: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error(
        "the push message is {bytes} bytes with empty title and body, over FCM's {MAX_PAYLOAD_BYTES}"
    )]
    TooLarge { bytes: usize },
    #[error("the collapse key is {0} bytes, over APNs' {MAX_COLLAPSE_KEY_BYTES}")]
    CollapseKeyTooLong(usize),
}

impl PushMessage {
    /// The `messages:send` request body, at most [`MAX_PAYLOAD_BYTES`] bytes. Text too long is
    /// cut, never refused: the body is shortened on a character boundary and ends in "…"; if
    /// even an empty body is not enough, the body is dropped and the title shortened the same
    /// way. `data` is never cut, since the app routes on it: a message whose data alone does not
    /// fit is refused.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        if let Some(key) = &self.collapse_key {
            if key.len() > MAX_COLLAPSE_KEY_BYTES {
                return Err(EncodeError::CollapseKeyTooLong(key.len()));
            }
        }
        let fits =
            |title: &str, body: &str| self.request_body(title, body).len() <= MAX_PAYLOAD_BYTES;
        if let Some(body) = fit_text(&self.body, |body| fits(&self.title, body)) {
            return Ok(self.request_body(&self.title, &body));
        }
        if let Some(title) = fit_text(&self.title, |title| fits(title, "")) {
            return Ok(self.request_body(&title, ""));
        }
        Err(EncodeError::TooLarge { bytes: self.request_body("", "").len() })
    }

    fn request_body(&self, title: &str, body: &str) -> Vec<u8> {
        let (android_priority, apns_priority) =
            if self.high_priority { ("HIGH", "10") } else { ("NORMAL", "5") };
        let request = SendRequest {
            message: WireMessage {
                token: &self.token,
                notification: WireNotification { title, body },
                data: (!self.data.is_empty()).then_some(&self.data),
                android: AndroidConfig {
                    priority: android_priority,
                    collapse_key: self.collapse_key.as_deref(),
                    notification: self
                        .android_channel
                        .as_deref()
                        .map(|channel_id| AndroidNotification { channel_id }),
                },
                apns: ApnsConfig {
                    headers: ApnsHeaders {
                        priority: apns_priority,
                        collapse_id: self.collapse_key.as_deref(),
                    },
                    payload: self.badge.map(|badge| ApnsPayload { aps: Aps { badge } }),
                },
            },
        };
        serde_json::to_vec(&request).expect("strings and string maps always serialise")
    }
}

/// `text` itself if it `fits`, else its longest prefix (cut on a character boundary, ending in
/// "…") that does; `None` when not even "…" fits.
fn fit_text<'a>(text: &'a str, fits: impl Fn(&str) -> bool) -> Option<Cow<'a, str>> {
    if fits(text) {
        return Some(Cow::Borrowed(text));
    }
    let cuts: Vec<usize> = text.char_indices().map(|(at, _)| at).collect();
    let shortened = |cut: usize| format!("{}{ELLIPSIS}", text[..cut].trim_end());
    if cuts.is_empty() || !fits(&shortened(0)) {
        return None;
    }
    // A longer prefix never encodes shorter, so binary search: cuts[fitting] fits and
    // cuts[too_long] (if it exists) does not.
    let (mut fitting, mut too_long) = (0, cuts.len());
    while too_long - fitting > 1 {
        let middle = (fitting + too_long) / 2;
        if fits(&shortened(cuts[middle])) {
            fitting = middle;
        } else {
            too_long = middle;
        }
    }
    Some(Cow::Owned(shortened(cuts[fitting])))
}

#[derive(Serialize)]
struct SendRequest<'a> {
    message: WireMessage<'a>,
}

#[derive(Serialize)]
struct WireMessage<'a> {
    token: &'a str,
    notification: WireNotification<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a BTreeMap<String, String>>,
    android: AndroidConfig<'a>,
    apns: ApnsConfig<'a>,
}

#[derive(Serialize)]
struct WireNotification<'a> {
    title: &'a str,
    body: &'a str,
}

#[derive(Serialize)]
struct AndroidConfig<'a> {
    priority: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    collapse_key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notification: Option<AndroidNotification<'a>>,
}

#[derive(Serialize)]
struct AndroidNotification<'a> {
    channel_id: &'a str,
}

#[derive(Serialize)]
struct ApnsConfig<'a> {
    headers: ApnsHeaders<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payload: Option<ApnsPayload>,
}

#[derive(Serialize)]
struct ApnsHeaders<'a> {
    #[serde(rename = "apns-priority")]
    priority: &'static str,
    #[serde(rename = "apns-collapse-id", skip_serializing_if = "Option::is_none")]
    collapse_id: Option<&'a str>,
}

#[derive(Serialize)]
struct ApnsPayload {
    aps: Aps,
}

#[derive(Serialize)]
struct Aps {
    badge: u32,
}

/// What became of one send, and so what the caller does with the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// FCM accepted it; `name` is FCM's id for it (`projects/{p}/messages/{id}`).
    Sent { name: String },
    /// Try again later: FCM is overloaded or down, or the network failed. `after` is FCM's
    /// `Retry-After` when it gave one; otherwise back off as you see fit.
    Retry { after: Option<Duration>, reason: String },
    /// The device token is no longer valid (app uninstalled, token expired, another project's
    /// token): delete it and do not send to it again.
    DeadToken { reason: String },
    /// Sending this message will not work however often it is tried (refused message, bad
    /// credentials, no permission); keep the reason.
    Failed { reason: String },
}

#[derive(Debug, Clone)]
pub struct FcmOptions {
    /// Requests to FCM at once across all clones of a client; further sends wait their turn.
    pub max_in_flight: usize,
    pub connect_timeout: Duration,
    /// For a whole request, answer included.
    pub request_timeout: Duration,
}

impl Default for FcmOptions {
    fn default() -> Self {
        FcmOptions {
            max_in_flight: 64,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FcmSetupError {
    #[error("the service-account `private_key` is not an RSA private key in PEM: {0}")]
    PrivateKey(jsonwebtoken::errors::Error),
    #[error("the {what} {url:?} is not an http(s) URL")]
    NotAUrl { what: &'static str, url: String },
    #[error("cannot set up the HTTP client: {0}")]
    Http(reqwest::Error),
}

/// Sends pushes through FCM HTTP v1. Cheap to clone; clones share one HTTP connection pool
/// (HTTP/2 to Google), one cached access token and one in-flight limit.
#[derive(Clone)]
pub struct FcmClient {
    shared: Arc<Shared>,
}

struct Shared {
    http: reqwest::Client,
    client_email: String,
    token_uri: String,
    signing_key: EncodingKey,
    send_url: String,
    tokens: Mutex<TokenCache>,
    /// Counts finished token fetches, so a sender that waited for one knows it happened.
    token_fetches: AtomicU64,
    in_flight: Semaphore,
}

#[derive(Default)]
struct TokenCache {
    token: Option<CachedToken>,
    last_failure: Option<SendOutcome>,
}

struct CachedToken {
    value: String,
    refresh_at: Instant,
}

/// One request to FCM: either settled, or refused for its access token.
enum Attempt {
    Settled(SendOutcome),
    Unauthorized(String),
}

#[derive(Serialize)]
struct AssertionClaims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: u64,
}

#[derive(Deserialize)]
struct SendResponse {
    name: String,
}

impl FcmClient {
    /// `base_url` is [`DEFAULT_BASE_URL`] in production.
    pub fn new(account: ServiceAccount, base_url: String) -> Result<Self, FcmSetupError> {
        Self::with_options(account, base_url, FcmOptions::default())
    }

    pub fn with_options(
        account: ServiceAccount,
        base_url: String,
        options: FcmOptions,
    ) -> Result<Self, FcmSetupError> {
        let signing_key = EncodingKey::from_rsa_pem(account.private_key.as_bytes())
            .map_err(FcmSetupError::PrivateKey)?;
        require_http_url("FCM base URL", &base_url)?;
        require_http_url("token URI", &account.token_uri)?;
        // reqwest's `rustls` feature builds its TLS configuration on aws-lc-rs itself (the
        // provider object_store already compiles), so no process-wide provider is needed.
        let http = reqwest::Client::builder()
            .user_agent(concat!("smartcity/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .build()
            .map_err(FcmSetupError::Http)?;
        let send_url = format!(
            "{}/v1/projects/{}/messages:send",
            base_url.trim_end_matches('/'),
            account.project_id
        );
        Ok(FcmClient {
            shared: Arc::new(Shared {
                http,
                client_email: account.client_email,
                token_uri: account.token_uri,
                signing_key,
                send_url,
                tokens: Mutex::new(TokenCache::default()),
                token_fetches: AtomicU64::new(0),
                in_flight: Semaphore::new(options.max_in_flight.max(1)),
            }),
        })
    }

    /// Sends one message. A 401 from FCM costs one access-token refresh and one more attempt.
    pub async fn send(&self, message: &PushMessage) -> SendOutcome {
        let body = match message.encode() {
            Ok(body) => body,
            Err(refusal) => return SendOutcome::Failed { reason: refusal.to_string() },
        };
        let _permit = self.shared.in_flight.acquire().await.expect("the semaphore is never closed");
        let access_token = match self.access_token().await {
            Ok(token) => token,
            Err(outcome) => return outcome,
        };
        match self.post_message(&access_token, body.clone()).await {
            Attempt::Settled(outcome) => outcome,
            Attempt::Unauthorized(_) => {
                self.forget_access_token(&access_token).await;
                let access_token = match self.access_token().await {
                    Ok(token) => token,
                    Err(outcome) => return outcome,
                };
                match self.post_message(&access_token, body).await {
                    Attempt::Settled(outcome) => outcome,
                    Attempt::Unauthorized(reason) => SendOutcome::Failed {
                        reason: format!("FCM refused a freshly issued access token: {reason}"),
                    },
                }
            }
        }
    }

    /// The cached access token, or a new one. One fetch at a time: senders arriving meanwhile
    /// wait and take its result, a failure included, rather than each asking again.
    async fn access_token(&self) -> Result<String, SendOutcome> {
        let fetches_before_waiting = self.shared.token_fetches.load(Ordering::Acquire);
        let mut cache = self.shared.tokens.lock().await;
        if let Some(token) = &cache.token {
            if Instant::now() < token.refresh_at {
                return Ok(token.value.clone());
            }
        }
        if self.shared.token_fetches.load(Ordering::Acquire) != fetches_before_waiting {
            if let Some(failure) = &cache.last_failure {
                return Err(failure.clone());
            }
        }
        let fetched = self.fetch_access_token().await;
        self.shared.token_fetches.fetch_add(1, Ordering::AcqRel);
        match fetched {
            Ok(token) => {
                let value = token.value.clone();
                *cache = TokenCache { token: Some(token), last_failure: None };
                Ok(value)
            }
            Err(failure) => {
                *cache = TokenCache { token: None, last_failure: Some(failure.clone()) };
                Err(failure)
            }
        }
    }

    async fn forget_access_token(&self, refused: &str) {
        let mut cache = self.shared.tokens.lock().await;
        // Another sender may have replaced it already; that newer token stays.
        if cache.token.as_ref().is_some_and(|token| token.value == refused) {
            cache.token = None;
        }
    }

    async fn fetch_access_token(&self) -> Result<CachedToken, SendOutcome> {
        let shared = &*self.shared;
        let assertion = self.assertion().map_err(|error| SendOutcome::Failed {
            reason: format!("cannot sign the token assertion: {error}"),
        })?;
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", JWT_BEARER_GRANT)
            .append_pair("assertion", &assertion)
            .finish();
        let asked_at = Instant::now();
        let response = shared
            .http
            .post(&shared.token_uri)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .map_err(|error| SendOutcome::Retry {
                after: None,
                reason: format!("token endpoint unreachable: {}", error_chain(&error)),
            })?;
        let status = response.status();
        let after = retry_after(response.headers());
        let body = response.bytes().await.unwrap_or_default();
        if status.is_success() {
            let granted: TokenResponse =
                serde_json::from_slice(&body).map_err(|error| SendOutcome::Retry {
                    after: None,
                    reason: format!("token endpoint answered {status} with no token: {error}"),
                })?;
            let lifetime =
                Duration::from_secs(granted.expires_in.min(MAX_ACCESS_TOKEN_LIFETIME_SECS));
            return Ok(CachedToken {
                value: granted.access_token,
                refresh_at: asked_at + lifetime - REFRESH_MARGIN.min(lifetime / 2),
            });
        }
        let reason = format!("token endpoint answered {status}: {}", oauth_error(&body));
        Err(if is_transient(status) {
            SendOutcome::Retry { after, reason }
        } else {
            SendOutcome::Failed { reason }
        })
    }

    fn assertion(&self) -> jsonwebtoken::errors::Result<String> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        let claims = AssertionClaims {
            iss: &self.shared.client_email,
            scope: MESSAGING_SCOPE,
            aud: &self.shared.token_uri,
            iat: now,
            exp: now + ASSERTION_LIFETIME_SECS,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &self.shared.signing_key)
    }

    async fn post_message(&self, access_token: &str, body: Vec<u8>) -> Attempt {
        let sent = self
            .shared
            .http
            .post(&self.shared.send_url)
            .bearer_auth(access_token)
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(error) => {
                return Attempt::Settled(SendOutcome::Retry {
                    after: None,
                    reason: format!("FCM unreachable: {}", error_chain(&error)),
                })
            }
        };
        let status = response.status();
        let after = retry_after(response.headers());
        // An answer cut short is judged by its status alone.
        let body = response.bytes().await.unwrap_or_default();
        classify(status, after, &body)
    }
}

fn require_http_url(what: &'static str, url: &str) -> Result<(), FcmSetupError> {
    match Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Ok(()),
        _ => Err(FcmSetupError::NotAUrl { what, url: url.to_string() }),
    }
}

fn is_transient(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

fn classify(status: StatusCode, after: Option<Duration>, body: &[u8]) -> Attempt {
    if status.is_success() {
        // FCM took the message; a missing name must not make the caller send it twice.
        let name = serde_json::from_slice::<SendResponse>(body).map(|r| r.name).unwrap_or_default();
        return Attempt::Settled(SendOutcome::Sent { name });
    }
    let error = GoogleError::parse(body);
    let reason = error.describe(status, body);
    let outcome = match error.fcm_error_code() {
        // Only FCM's own code condemns a token: a bare 404 or 403 may as well be a wrong
        // project id, and must not delete every device.
        Some("UNREGISTERED" | "SENDER_ID_MISMATCH") => SendOutcome::DeadToken { reason },
        _ if status == StatusCode::BAD_REQUEST && error.names_registration_token() => {
            SendOutcome::DeadToken { reason }
        }
        // APNs or web-push credentials in the Firebase project, which a new token won't fix.
        Some("THIRD_PARTY_AUTH_ERROR") => SendOutcome::Failed { reason },
        _ if status == StatusCode::UNAUTHORIZED => return Attempt::Unauthorized(reason),
        _ if is_transient(status) => SendOutcome::Retry { after, reason },
        _ => SendOutcome::Failed { reason },
    };
    Attempt::Settled(outcome)
}

/// Google's error body: `{"error": {"code", "message", "status", "details": [...]}}`.
#[derive(Deserialize, Default)]
struct GoogleErrorBody {
    #[serde(default)]
    error: GoogleError,
}

#[derive(Deserialize, Default)]
struct GoogleError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    details: Vec<ErrorDetail>,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(rename = "@type", default)]
    kind: String,
    #[serde(rename = "errorCode")]
    error_code: Option<String>,
    #[serde(rename = "fieldViolations", default)]
    field_violations: Vec<FieldViolation>,
}

#[derive(Deserialize)]
struct FieldViolation {
    #[serde(default)]
    field: String,
}

impl GoogleError {
    fn parse(body: &[u8]) -> GoogleError {
        serde_json::from_slice::<GoogleErrorBody>(body).map(|b| b.error).unwrap_or_default()
    }

    fn fcm_error_code(&self) -> Option<&str> {
        self.details
            .iter()
            .filter(|detail| detail.kind.ends_with("google.firebase.fcm.v1.FcmError"))
            .find_map(|detail| detail.error_code.as_deref())
    }

    fn violated_fields(&self) -> impl Iterator<Item = &str> {
        self.details
            .iter()
            .filter(|detail| detail.kind.ends_with("google.rpc.BadRequest"))
            .flat_map(|detail| &detail.field_violations)
            .map(|violation| violation.field.as_str())
    }

    /// The request was refused for its device token: a field violation names `message.token`,
    /// or (the shape Google's documentation shows for a malformed token) no field is named and
    /// the message says "The registration token is not a valid FCM registration token".
    fn names_registration_token(&self) -> bool {
        self.status == "INVALID_ARGUMENT"
            && (self.violated_fields().any(|field| field == "message.token")
                || (self.violated_fields().next().is_none()
                    && self.message.to_ascii_lowercase().contains("registration token")))
    }

    fn describe(&self, status: StatusCode, body: &[u8]) -> String {
        if self.status.is_empty() && self.message.is_empty() {
            let text = String::from_utf8_lossy(body);
            let excerpt: String = text.chars().take(200).collect();
            return format!("FCM answered {status}: {}", excerpt.trim());
        }
        let mut reason = format!("FCM answered {} {}", status.as_u16(), self.status);
        if let Some(code) = self.fcm_error_code() {
            reason.push_str(&format!(" ({code})"));
        }
        reason.push_str(&format!(": {}", self.message));
        let fields: Vec<&str> = self.violated_fields().collect();
        if !fields.is_empty() {
            reason.push_str(&format!(" [fields: {}]", fields.join(", ")));
        }
        reason
    }
}

/// The OAuth error of a token endpoint's refusal (`{"error", "error_description"}`), or the
/// start of whatever it answered.
fn oauth_error(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct OAuthError {
        error: String,
        #[serde(default)]
        error_description: String,
    }
    match serde_json::from_slice::<OAuthError>(body) {
        Ok(refusal) if refusal.error_description.is_empty() => refusal.error,
        Ok(refusal) => format!("{}: {}", refusal.error, refusal.error_description),
        Err(_) => String::from_utf8_lossy(body).chars().take(200).collect(),
    }
}

/// `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3); a date in the past is
/// no delay.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

/// reqwest's own message ("error sending request") names no cause; its sources do.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

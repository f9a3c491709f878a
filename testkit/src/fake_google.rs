//! A fake of the two Google endpoints a push sender talks to, on 127.0.0.1, speaking their wire
//! format: a service account's OAuth 2.0 token endpoint (JWT-bearer grant; the assertion's RS256
//! signature is verified against the account's public key) and FCM HTTP v1 `messages:send`
//! (bearer token it issued, project id, message shape and size checked; Google's error bodies).
//!
//! ```ignore
//! let google = FakeGoogle::start().await;
//! let account = ServiceAccount::from_json(&google.service_account_json()).unwrap();
//! let client = FcmClient::new(account, google.base_url()).unwrap();
//! // ... send ...
//! assert_eq!(google.sent()[0].message["token"], "device-1");
//! ```
//!
//! FCM's answer is scripted by the device's registration token:
//!
//! | token starts with | answer |
//! |---|---|
//! | `unregistered-` | 404 `NOT_FOUND`, FcmError `UNREGISTERED` |
//! | `invalid-` | 400 `INVALID_ARGUMENT`, BadRequest naming `message.token` |
//! | `malformed-` | 400 `INVALID_ARGUMENT` "The registration token is not a valid FCM registration token" (no field named, as Google's documentation shows it) |
//! | `badfield-` | 400 `INVALID_ARGUMENT`, BadRequest naming `message.apns.headers` |
//! | `mismatch-` | 403 `PERMISSION_DENIED`, FcmError `SENDER_ID_MISMATCH` |
//! | `thirdparty-` | 401 `UNAUTHENTICATED`, FcmError `THIRD_PARTY_AUTH_ERROR` |
//! | `busy-` | 429 `RESOURCE_EXHAUSTED`, FcmError `QUOTA_EXCEEDED`, `Retry-After: 1` |
//! | `backoff-` | 503 `UNAVAILABLE`, `Retry-After` an HTTP-date two minutes ahead |
//! | `down-` | 503 `UNAVAILABLE`, no `Retry-After` |
//! | `internal-` | 500 `INTERNAL` |
//! | `expire-` | the first time: its access token is revoked and 401 `UNAUTHENTICATED`; then success |
//! | `unauthorized-` | always 401 `UNAUTHENTICATED` |
//! | `slow-` | success after 20 ms |
//! | `stall-` | success after 10 s |
//! | anything else | success: `{"name": "projects/{project}/messages/{id}"}` |
//!
//! [`FakeGoogle::fail_sends`] overrides the script for every token: an outage of FCM itself.

use actix_web::http::header::{self, HeaderValue, HttpDate};
use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const PROJECT_ID: &str = "smartcity-test";
pub const CLIENT_EMAIL: &str = "fcm-sender@smartcity-test.iam.gserviceaccount.com";
const MESSAGING_SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";
const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const MAX_MESSAGE_BYTES: usize = 4096;
const NOT_SHORT_LIVED: &str = "Invalid JWT: Token must be a short-lived token (60 minutes) and in \
     a reasonable timeframe.";
const INVALID_CREDENTIALS: &str = "Request had invalid authentication credentials. Expected OAuth \
     2 access token, login cookie or other valid authentication credential.";
/// The service account's key pair: test-only, committed, used nowhere else.
const PRIVATE_KEY_PEM: &str = include_str!("../fixtures/fcm-test-service-account-key.pem");
const PUBLIC_KEY_PEM: &str = include_str!("../fixtures/fcm-test-service-account-key.pub.pem");

/// How FCM answers every send while [`FakeGoogle::fail_sends`] is in force, whatever the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendFailure {
    /// 503 `UNAVAILABLE`, no `Retry-After`.
    Unavailable,
    /// 429 `RESOURCE_EXHAUSTED` (`QUOTA_EXCEEDED`) with `Retry-After` in seconds.
    QuotaExceeded { retry_after_secs: u64 },
}

/// One `messages:send` request that FCM accepted.
#[derive(Debug, Clone)]
pub struct SentMessage {
    /// The bearer token it carried.
    pub access_token: String,
    /// The request's `message` object.
    pub message: Value,
    /// Size of the whole request body.
    pub body_bytes: usize,
}

pub struct FakeGoogle {
    base_url: String,
    state: web::Data<State>,
}

struct State {
    token_uri: String,
    public_key: DecodingKey,
    token_lifetime: Mutex<Duration>,
    token_latency: Mutex<Duration>,
    token_failure: Mutex<Option<StatusCode>>,
    send_failure: Mutex<Option<SendFailure>>,
    /// Access tokens issued and not revoked, with their expiry.
    issued: Mutex<HashMap<String, Instant>>,
    token_requests: AtomicUsize,
    send_attempts: AtomicUsize,
    sent: Mutex<Vec<SentMessage>>,
    expired_once: Mutex<HashSet<String>>,
    sends_in_flight: AtomicUsize,
    max_sends_in_flight: AtomicUsize,
    next_message_id: AtomicU64,
}

impl FakeGoogle {
    pub async fn start() -> FakeGoogle {
        let listener = TcpListener::bind("127.0.0.1:0").expect("fake Google binds");
        let port = listener.local_addr().expect("bound address").port();
        let base_url = format!("http://127.0.0.1:{port}");
        let state = web::Data::new(State {
            token_uri: format!("{base_url}/token"),
            public_key: DecodingKey::from_rsa_pem(PUBLIC_KEY_PEM.as_bytes()).expect("public key"),
            token_lifetime: Mutex::new(Duration::from_secs(3599)),
            token_latency: Mutex::new(Duration::ZERO),
            token_failure: Mutex::new(None),
            send_failure: Mutex::new(None),
            issued: Mutex::default(),
            token_requests: AtomicUsize::new(0),
            send_attempts: AtomicUsize::new(0),
            sent: Mutex::default(),
            expired_once: Mutex::default(),
            sends_in_flight: AtomicUsize::new(0),
            max_sends_in_flight: AtomicUsize::new(0),
            next_message_id: AtomicU64::new(1),
        });
        let app_state = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(app_state.clone())
                .route("/token", web::post().to(token_endpoint))
                .route("/v1/projects/{project}/messages:send", web::post().to(send_endpoint))
        })
        .workers(2)
        .disable_signals()
        .listen(listener)
        .expect("fake Google listens")
        .run();
        tokio::spawn(server);
        FakeGoogle { base_url, state }
    }

    /// FCM's base URL (`https://fcm.googleapis.com` for the real one).
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    pub fn token_uri(&self) -> String {
        self.state.token_uri.clone()
    }

    /// A service-account key file for this fake, with every field Google's has.
    pub fn service_account_json(&self) -> String {
        json!({
            "type": "service_account",
            "project_id": PROJECT_ID,
            "private_key_id": "0123456789abcdef0123456789abcdef01234567",
            "private_key": PRIVATE_KEY_PEM,
            "client_email": CLIENT_EMAIL,
            "client_id": "100000000000000000001",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.state.token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": format!(
                "https://www.googleapis.com/robot/v1/metadata/x509/{}",
                CLIENT_EMAIL.replace('@', "%40")
            ),
            "universe_domain": "googleapis.com"
        })
        .to_string()
    }

    /// Messages FCM accepted, in order.
    pub fn sent(&self) -> Vec<SentMessage> {
        self.state.sent.lock().unwrap().clone()
    }

    /// Every `messages:send` request, refused ones included.
    pub fn send_attempts(&self) -> usize {
        self.state.send_attempts.load(Ordering::SeqCst)
    }

    /// Every request to the token endpoint, refused ones included.
    pub fn token_requests(&self) -> usize {
        self.state.token_requests.load(Ordering::SeqCst)
    }

    /// The most `messages:send` requests that were being answered at once.
    pub fn max_concurrent_sends(&self) -> usize {
        self.state.max_sends_in_flight.load(Ordering::SeqCst)
    }

    /// Access tokens issued from now on last this long (Google's: an hour).
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        *self.state.token_lifetime.lock().unwrap() = lifetime;
    }

    /// The token endpoint answers after this long.
    pub fn set_token_latency(&self, latency: Duration) {
        *self.state.token_latency.lock().unwrap() = latency;
    }

    /// The token endpoint answers every request with this status (`None`: works again).
    pub fn fail_token_requests(&self, status: Option<u16>) {
        *self.state.token_failure.lock().unwrap() =
            status.map(|code| StatusCode::from_u16(code).expect("an HTTP status"));
    }

    /// Every send is answered with `failure`, whatever its token (`None`: the script again).
    pub fn fail_sends(&self, failure: Option<SendFailure>) {
        *self.state.send_failure.lock().unwrap() = failure;
    }

    /// Every access token issued so far stops working, as when Google revokes them.
    pub fn revoke_access_tokens(&self) {
        self.state.issued.lock().unwrap().clear();
    }
}

#[derive(Deserialize)]
struct AssertionClaims {
    scope: String,
    iat: u64,
    exp: u64,
}

fn oauth_error(error: &str, description: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({ "error": error, "error_description": description }))
}

async fn token_endpoint(
    state: web::Data<State>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    state.token_requests.fetch_add(1, Ordering::SeqCst);
    let latency = *state.token_latency.lock().unwrap();
    tokio::time::sleep(latency).await;
    if let Some(status) = *state.token_failure.lock().unwrap() {
        return HttpResponse::build(status)
            .json(json!({ "error": "internal_failure", "error_description": "scripted failure" }));
    }
    if req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok())
        != Some("application/x-www-form-urlencoded")
    {
        return oauth_error("invalid_request", "Content-Type must be form-urlencoded.");
    }
    let form = std::str::from_utf8(&body)
        .ok()
        .and_then(|text| web::Query::<HashMap<String, String>>::from_query(text).ok())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    if form.get("grant_type").map(String::as_str) != Some(JWT_BEARER_GRANT) {
        return oauth_error("unsupported_grant_type", "Invalid grant_type.");
    }
    let Some(assertion) = form.get("assertion") else {
        return oauth_error("invalid_request", "Missing required parameter: assertion");
    };
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[CLIENT_EMAIL]);
    validation.set_audience(&[&state.token_uri]);
    validation.set_required_spec_claims(&["iss", "aud", "exp", "iat"]);
    let claims =
        match jsonwebtoken::decode::<AssertionClaims>(assertion, &state.public_key, &validation) {
            Ok(data) => data.claims,
            Err(error) => {
                use jsonwebtoken::errors::ErrorKind;
                let description = match error.kind() {
                    ErrorKind::InvalidSignature => "Invalid JWT Signature.".to_string(),
                    ErrorKind::ExpiredSignature => NOT_SHORT_LIVED.to_string(),
                    other => format!("Invalid JWT: {other:?}"),
                };
                return oauth_error("invalid_grant", &description);
            }
        };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    if claims.exp.saturating_sub(claims.iat) > 3600 || claims.iat > now + 60 {
        return oauth_error("invalid_grant", NOT_SHORT_LIVED);
    }
    if !claims.scope.split(' ').any(|scope| scope == MESSAGING_SCOPE) {
        return oauth_error("invalid_scope", "Invalid OAuth scope or ID token audience provided.");
    }
    let lifetime = *state.token_lifetime.lock().unwrap();
    let access_token = format!("ya29.fake-{}", uuid::Uuid::new_v4().simple());
    state.issued.lock().unwrap().insert(access_token.clone(), Instant::now() + lifetime);
    HttpResponse::Ok().json(json!({
        "access_token": access_token,
        "expires_in": lifetime.as_secs(),
        "token_type": "Bearer",
    }))
}

/// Keeps the count of requests being answered, and the highest it reached.
struct InFlight<'a>(&'a State);

impl<'a> InFlight<'a> {
    fn enter(state: &'a State) -> Self {
        let now = state.sends_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        state.max_sends_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(state)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.sends_in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

fn google_error(
    status: StatusCode,
    status_name: &str,
    message: &str,
    details: Value,
) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "error": {
            "code": status.as_u16(),
            "message": message,
            "status": status_name,
            "details": details,
        }
    }))
}

fn quota_exceeded(retry_after_secs: u64) -> HttpResponse {
    let mut response = google_error(
        StatusCode::TOO_MANY_REQUESTS,
        "RESOURCE_EXHAUSTED",
        "Quota exceeded for quota metric 'Send requests'.",
        json!([fcm_error("QUOTA_EXCEEDED")]),
    );
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}

fn unavailable() -> HttpResponse {
    google_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "UNAVAILABLE",
        "The service is currently unavailable.",
        json!([fcm_error("UNAVAILABLE")]),
    )
}

fn fcm_error(code: &str) -> Value {
    json!({ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code })
}

fn bad_request(field: &str, description: &str) -> Value {
    json!({
        "@type": "type.googleapis.com/google.rpc.BadRequest",
        "fieldViolations": [{ "field": field, "description": description }]
    })
}

fn invalid_argument(field: &str, description: &str) -> HttpResponse {
    google_error(
        StatusCode::BAD_REQUEST,
        "INVALID_ARGUMENT",
        description,
        json!([bad_request(field, description)]),
    )
}

fn unauthenticated(details: Value) -> HttpResponse {
    google_error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", INVALID_CREDENTIALS, details)
}

async fn send_endpoint(
    state: web::Data<State>,
    req: HttpRequest,
    project: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    state.send_attempts.fetch_add(1, Ordering::SeqCst);
    let _in_flight = InFlight::enter(&state);
    let access_token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string();
    let valid = state
        .issued
        .lock()
        .unwrap()
        .get(&access_token)
        .is_some_and(|expiry| Instant::now() < *expiry);
    if !valid {
        return unauthenticated(json!([]));
    }
    // Copied out so the lock is not held across the match.
    let failure = *state.send_failure.lock().unwrap();
    match failure {
        Some(SendFailure::Unavailable) => return unavailable(),
        Some(SendFailure::QuotaExceeded { retry_after_secs }) => {
            return quota_exceeded(retry_after_secs)
        }
        None => {}
    }
    if project.as_str() != PROJECT_ID {
        return google_error(
            StatusCode::FORBIDDEN,
            "PERMISSION_DENIED",
            &format!(
                "Permission 'cloudmessaging.messages.create' denied on resource \
                 '//cloudresourcemanager.googleapis.com/projects/{project}' (or it may not exist)."
            ),
            json!([]),
        );
    }
    if req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok())
        != Some("application/json")
    {
        return invalid_argument(
            "",
            "Invalid JSON payload: Content-Type must be application/json.",
        );
    }
    if body.len() > MAX_MESSAGE_BYTES {
        return google_error(
            StatusCode::BAD_REQUEST,
            "INVALID_ARGUMENT",
            &format!("Message is too big: {} bytes, the limit is {MAX_MESSAGE_BYTES}.", body.len()),
            json!([fcm_error("INVALID_ARGUMENT")]),
        );
    }
    let message = match serde_json::from_slice::<Value>(&body)
        .map_err(|e| ("", e.to_string()))
        .and_then(|request| check_message_shape(&request).map(|()| request["message"].clone()))
    {
        Ok(message) => message,
        Err((field, description)) => return invalid_argument(field, &description),
    };
    let token = message["token"].as_str().unwrap_or_default().to_string();
    let script = |prefix: &str| token.starts_with(prefix);
    if script("unregistered-") {
        return google_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "Requested entity was not found.",
            json!([fcm_error("UNREGISTERED")]),
        );
    }
    if script("invalid-") {
        return google_error(
            StatusCode::BAD_REQUEST,
            "INVALID_ARGUMENT",
            "Invalid registration token",
            json!([
                fcm_error("INVALID_ARGUMENT"),
                bad_request("message.token", "Invalid registration token")
            ]),
        );
    }
    if script("malformed-") {
        return google_error(
            StatusCode::BAD_REQUEST,
            "INVALID_ARGUMENT",
            "The registration token is not a valid FCM registration token",
            json!([fcm_error("INVALID_ARGUMENT")]),
        );
    }
    if script("badfield-") {
        return invalid_argument(
            "message.apns.headers",
            "Invalid value at 'message.apns.headers'.",
        );
    }
    if script("mismatch-") {
        return google_error(
            StatusCode::FORBIDDEN,
            "PERMISSION_DENIED",
            "SenderId mismatch",
            json!([fcm_error("SENDER_ID_MISMATCH")]),
        );
    }
    if script("thirdparty-") {
        return unauthenticated(json!([fcm_error("THIRD_PARTY_AUTH_ERROR")]));
    }
    if script("busy-") {
        return quota_exceeded(1);
    }
    if script("backoff-") {
        let later = HttpDate::from(SystemTime::now() + Duration::from_secs(120));
        let mut response = google_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "UNAVAILABLE",
            "The service is currently unavailable.",
            json!([fcm_error("UNAVAILABLE")]),
        );
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_str(&later.to_string()).expect("an HTTP-date is a header value"),
        );
        return response;
    }
    if script("down-") {
        return unavailable();
    }
    if script("internal-") {
        return google_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "Internal error encountered.",
            json!([fcm_error("INTERNAL")]),
        );
    }
    if script("expire-") && state.expired_once.lock().unwrap().insert(token.clone()) {
        state.issued.lock().unwrap().remove(&access_token);
        return unauthenticated(json!([]));
    }
    if script("unauthorized-") {
        return unauthenticated(json!([]));
    }
    if script("slow-") {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    if script("stall-") {
        tokio::time::sleep(Duration::from_secs(10)).await;
    }
    let id = state.next_message_id.fetch_add(1, Ordering::SeqCst);
    state.sent.lock().unwrap().push(SentMessage { access_token, message, body_bytes: body.len() });
    HttpResponse::Ok()
        .json(json!({ "name": format!("projects/{PROJECT_ID}/messages/0:{id}%fake") }))
}

type Violation = (&'static str, String);

fn object<'a>(value: &'a Value, field: &'static str) -> Result<&'a Map<String, Value>, Violation> {
    value.as_object().ok_or((field, format!("Invalid value at '{field}': not an object")))
}

/// Google refuses names it does not know ("Cannot find field").
fn known_names(
    value: &Map<String, Value>,
    field: &'static str,
    known: &[&str],
) -> Result<(), Violation> {
    match value.keys().find(|name| !known.contains(&name.as_str())) {
        Some(unknown) => Err((
            field,
            format!(
                "Invalid JSON payload received. Unknown name \"{unknown}\" at '{field}': \
                 Cannot find field."
            ),
        )),
        None => Ok(()),
    }
}

fn strings(value: &Map<String, Value>, field: &'static str) -> Result<(), Violation> {
    match value.iter().find(|(_, v)| !v.is_string()) {
        Some((name, v)) => {
            Err((field, format!("Invalid value at '{field}.{name}' (TYPE_STRING), {v}")))
        }
        None => Ok(()),
    }
}

/// The parts of FCM v1's `Message` that a token send uses, checked as Google does.
fn check_message_shape(request: &Value) -> Result<(), Violation> {
    let request = object(request, "")?;
    known_names(request, "", &["message", "validate_only", "validateOnly"])?;
    let message = object(request.get("message").unwrap_or(&Value::Null), "message")?;
    known_names(
        message,
        "message",
        &[
            "token",
            "topic",
            "condition",
            "name",
            "data",
            "notification",
            "android",
            "apns",
            "webpush",
            "fcm_options",
            "fcmOptions",
        ],
    )?;
    if message.get("token").and_then(Value::as_str).is_none_or(str::is_empty) {
        return Err(("message.token", "The fake sends to registration tokens only".into()));
    }
    if let Some(data) = message.get("data") {
        strings(object(data, "message.data")?, "message.data")?;
    }
    if let Some(notification) = message.get("notification") {
        let notification = object(notification, "message.notification")?;
        known_names(notification, "message.notification", &["title", "body", "image"])?;
        strings(notification, "message.notification")?;
    }
    if let Some(android) = message.get("android") {
        let android = object(android, "message.android")?;
        known_names(
            android,
            "message.android",
            &[
                "collapse_key",
                "collapseKey",
                "priority",
                "ttl",
                "restricted_package_name",
                "data",
                "notification",
                "fcm_options",
                "direct_boot_ok",
            ],
        )?;
        if let Some(priority) = android.get("priority") {
            if !matches!(priority.as_str(), Some("NORMAL" | "HIGH")) {
                let description = format!(
                    "Invalid value at 'message.android.priority' \
                     (type.googleapis.com/google.firebase.fcm.v1.AndroidMessagePriority), {priority}"
                );
                return Err(("message.android.priority", description));
            }
        }
        if android.get("collapse_key").is_some_and(|key| !key.is_string()) {
            return Err((
                "message.android.collapse_key",
                "Invalid value at 'message.android.collapse_key' (TYPE_STRING)".into(),
            ));
        }
        if let Some(notification) = android.get("notification") {
            let notification = object(notification, "message.android.notification")?;
            known_names(
                notification,
                "message.android.notification",
                &[
                    "title",
                    "body",
                    "icon",
                    "color",
                    "sound",
                    "tag",
                    "click_action",
                    "channel_id",
                    "channelId",
                    "image",
                    "notification_priority",
                    "visibility",
                    "notification_count",
                ],
            )?;
        }
    }
    if let Some(apns) = message.get("apns") {
        let apns = object(apns, "message.apns")?;
        known_names(
            apns,
            "message.apns",
            &["headers", "payload", "fcm_options", "live_activity_token"],
        )?;
        if let Some(headers) = apns.get("headers") {
            let headers = object(headers, "message.apns.headers")?;
            strings(headers, "message.apns.headers")?;
            if headers.get("apns-priority").is_some_and(|p| !matches!(p.as_str(), Some("5" | "10")))
            {
                return Err(("message.apns.headers", "apns-priority must be 5 or 10".into()));
            }
            if headers
                .get("apns-collapse-id")
                .and_then(Value::as_str)
                .is_some_and(|id| id.len() > 64)
            {
                return Err((
                    "message.apns.headers",
                    "apns-collapse-id is longer than 64 bytes".into(),
                ));
            }
        }
        if let Some(payload) = apns.get("payload") {
            let payload = object(payload, "message.apns.payload")?;
            if let Some(aps) = payload.get("aps") {
                let aps = object(aps, "message.apns.payload.aps")?;
                if aps.get("badge").is_some_and(|badge| badge.as_u64().is_none()) {
                    return Err((
                        "message.apns.payload.aps",
                        "badge must be a non-negative integer".into(),
                    ));
                }
            }
        }
    }
    Ok(())
}

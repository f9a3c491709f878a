//! A fake brandname SMS provider's HTTP API on 127.0.0.1, and a sink for the delivery reports
//! it posts back.
//!
//! ```ignore
//! let provider = FakeSmsHttp::start().await;
//! let sink = CallbackSink::start().await;
//! let mut config = HttpGatewayConfig::new(provider.send_url(), "SMARTCITY");
//! config.callback_url = Some(sink.url());
//! // ... send ...
//! provider.post_report_for(&accepted.provider_id, "2").await;
//! let report = sink.wait_for(1, Duration::from_secs(5)).await;
//! ```
//!
//! `POST /send` records the request and answers `200 {"CodeResult": "100", "SMSID": "<n>"}`
//! (the shape is [`FakeSmsHttp::set_answer_template`]'s, `{id}` replaced by the id). Reports
//! are `{"SMSID": id, "SendStatus": status, "RequestId": …}` posted to the callback URL the
//! request named in its `CallbackUrl` field ([`FakeSmsHttp::set_callback_field`]).

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;

/// One request to `/send`.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// Header names lowercase.
    pub headers: HashMap<String, String>,
    /// `Value::Null` when the body was not JSON.
    pub body: Value,
    /// The provider id it was given, when accepted.
    pub provider_id: Option<String>,
}

pub struct FakeSmsHttp {
    base_url: String,
    state: web::Data<State>,
}

struct State {
    requests: Mutex<Vec<RecordedRequest>>,
    next_id: Mutex<u64>,
    template: Mutex<Value>,
    /// (left, status) for the next requests.
    fail_status: Mutex<Option<(usize, u16)>>,
    /// (left, body) answered with 200.
    fail_body: Mutex<Option<(usize, Value)>>,
    callback_field: Mutex<String>,
    changed: watch::Sender<u64>,
}

impl FakeSmsHttp {
    pub async fn start() -> FakeSmsHttp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("fake SMS provider binds");
        let port = listener.local_addr().expect("bound address").port();
        let state = web::Data::new(State {
            requests: Mutex::default(),
            next_id: Mutex::new(1),
            template: Mutex::new(json!({ "CodeResult": "100", "SMSID": "{id}" })),
            fail_status: Mutex::new(None),
            fail_body: Mutex::new(None),
            callback_field: Mutex::new("CallbackUrl".into()),
            changed: watch::channel(0).0,
        });
        let app_state = state.clone();
        let server = HttpServer::new(move || {
            App::new().app_data(app_state.clone()).route("/send", web::post().to(send_endpoint))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("fake SMS provider listens")
        .run();
        tokio::spawn(server);
        FakeSmsHttp { base_url: format!("http://127.0.0.1:{port}"), state }
    }

    /// The URL messages are POSTed to.
    pub fn send_url(&self) -> String {
        format!("{}/send", self.base_url)
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.requests.lock().unwrap().clone()
    }

    /// Waits until at least `count` requests arrived; panics after `limit`.
    pub async fn wait_for_requests(&self, count: usize, limit: Duration) -> Vec<RecordedRequest> {
        let mut changed = self.state.changed.subscribe();
        let deadline = tokio::time::Instant::now() + limit;
        while self.state.requests.lock().unwrap().len() < count {
            if tokio::time::timeout_at(deadline, changed.changed()).await.is_err() {
                panic!("fake SMS provider: no {count} requests within {limit:?}");
            }
        }
        self.requests()
    }

    /// The accepted answer's shape; every string `"{id}"` in it becomes the provider id.
    pub fn set_answer_template(&self, template: Value) {
        *self.state.template.lock().unwrap() = template;
    }

    /// The next `count` requests are answered with `status` (e.g. 503) and an error body.
    pub fn fail_next(&self, count: usize, status: u16) {
        *self.state.fail_status.lock().unwrap() = Some((count, status));
    }

    /// The next `count` requests are answered 200 with `body`, e.g.
    /// `{"CodeResult": "104", "ErrorMessage": "Brandname chưa đăng ký"}`.
    pub fn answer_body_next(&self, count: usize, body: Value) {
        *self.state.fail_body.lock().unwrap() = Some((count, body));
    }

    /// The request field holding the callback URL (default `CallbackUrl`).
    pub fn set_callback_field(&self, field: &str) {
        *self.state.callback_field.lock().unwrap() = field.into();
    }

    /// A report body in this provider's shape.
    pub fn report_body(&self, provider_id: &str, status: &str) -> Value {
        let request_id = self
            .requests()
            .into_iter()
            .find(|r| r.provider_id.as_deref() == Some(provider_id))
            .and_then(|r| r.body.get("RequestId").cloned())
            .unwrap_or(Value::Null);
        json!({ "SMSID": provider_id, "SendStatus": status, "RequestId": request_id })
    }

    /// Posts the report for `provider_id` to the callback URL its request named; returns the
    /// callback's HTTP status. Panics if no accepted request with a callback URL has that id.
    pub async fn post_report_for(&self, provider_id: &str, status: &str) -> u16 {
        let field = self.state.callback_field.lock().unwrap().clone();
        let url = self
            .requests()
            .into_iter()
            .find(|r| r.provider_id.as_deref() == Some(provider_id))
            .and_then(|r| r.body.get(&field).and_then(Value::as_str).map(str::to_string))
            .unwrap_or_else(|| panic!("no request for {provider_id} with a {field}"));
        self.post_report(&url, &self.report_body(provider_id, status)).await
    }

    /// Posts `body` to `url` as the provider would; returns the HTTP status.
    pub async fn post_report(&self, url: &str, body: &Value) -> u16 {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("HTTP client");
        let response = client.post(url).json(body).send().await.expect("callback reachable");
        response.status().as_u16()
    }
}

fn countdown<T: Clone>(slot: &Mutex<Option<(usize, T)>>) -> Option<T> {
    let mut slot = slot.lock().unwrap();
    let (left, value) = slot.as_mut()?;
    let value = value.clone();
    *left -= 1;
    if *left == 0 {
        *slot = None;
    }
    Some(value)
}

fn fill(template: &Value, id: &str) -> Value {
    match template {
        Value::String(s) if s == "{id}" => Value::String(id.into()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), fill(v, id))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| fill(v, id)).collect()),
        other => other.clone(),
    }
}

async fn send_endpoint(
    state: web::Data<State>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_ascii_lowercase(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut record = RecordedRequest { headers, body, provider_id: None };
    let response = if let Some(status) = countdown(&state.fail_status) {
        let status = actix_web::http::StatusCode::from_u16(status).expect("an HTTP status");
        HttpResponse::build(status)
            .json(json!({ "CodeResult": "99", "ErrorMessage": "scripted failure" }))
    } else if let Some(body) = countdown(&state.fail_body) {
        HttpResponse::Ok().json(body)
    } else if record.body.is_null() {
        HttpResponse::BadRequest()
            .json(json!({ "CodeResult": "98", "ErrorMessage": "body is not JSON" }))
    } else {
        let id = {
            let mut next = state.next_id.lock().unwrap();
            *next += 1;
            format!("{}", 9_000_000 + *next - 1)
        };
        record.provider_id = Some(id.clone());
        HttpResponse::Ok().json(fill(&state.template.lock().unwrap(), &id))
    };
    state.requests.lock().unwrap().push(record);
    state.changed.send_modify(|n| *n += 1);
    response
}

/// Records JSON bodies POSTed to it, as the API's callback route would receive them.
pub struct CallbackSink {
    url: String,
    state: web::Data<SinkState>,
}

struct SinkState {
    bodies: Mutex<Vec<Value>>,
    changed: watch::Sender<u64>,
}

impl CallbackSink {
    pub async fn start() -> CallbackSink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("callback sink binds");
        let port = listener.local_addr().expect("bound address").port();
        let state =
            web::Data::new(SinkState { bodies: Mutex::default(), changed: watch::channel(0).0 });
        let app_state = state.clone();
        let server = HttpServer::new(move || {
            App::new().app_data(app_state.clone()).default_service(web::to(
                |state: web::Data<SinkState>, body: web::Bytes| async move {
                    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    state.bodies.lock().unwrap().push(body);
                    state.changed.send_modify(|n| *n += 1);
                    HttpResponse::Ok().finish()
                },
            ))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("callback sink listens")
        .run();
        tokio::spawn(server);
        CallbackSink { url: format!("http://127.0.0.1:{port}/sms/report"), state }
    }

    pub fn url(&self) -> String {
        self.url.clone()
    }

    pub fn bodies(&self) -> Vec<Value> {
        self.state.bodies.lock().unwrap().clone()
    }

    /// Waits until at least `count` bodies arrived; panics after `limit`.
    pub async fn wait_for(&self, count: usize, limit: Duration) -> Vec<Value> {
        let mut changed = self.state.changed.subscribe();
        let deadline = tokio::time::Instant::now() + limit;
        while self.state.bodies.lock().unwrap().len() < count {
            if tokio::time::timeout_at(deadline, changed.changed()).await.is_err() {
                panic!("callback sink: no {count} reports within {limit:?}");
            }
        }
        self.bodies()
    }
}

//! `spawn_app()`: the real server on an ephemeral port over a fresh database, and a plain HTTP
//! client to talk to it.

use reqwest::multipart::Form;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use smartcity_api::adapters::storage::StoreConfig;
use smartcity_api::app::auth::passwords;
use smartcity_api::config::Config;
use smartcity_api::http::routes::Routes;
use smartcity_api::startup::Application;
use smartcity_db::accounts::{self, NewUser};
use smartcity_db::notifications::NotificationRow;
use smartcity_db::{DbConn, Pool};
use smartcity_domain::account::Role;
use smartcity_testkit::test_db::TestDb;
use std::time::Duration;

pub const STRONG_PASSWORD: &str = "ca phe sua da luc bay gio";
pub const CITIZEN_PHONE: &str = "0912 345 678";
pub const CITIZEN_E164: &str = "+84912345678";

pub struct TestApp {
    /// Where this server keeps its photos.
    pub photos_dir: tempfile::TempDir,
    pub address: String,
    /// The operator's listener, apart from the API: `/metrics`.
    pub metrics_address: String,
    pub client: reqwest::Client,
    pub pool: Pool,
    pub state: smartcity_api::app::state::AppState,
    pub config: Config,
    pub db: TestDb,
}

/// Login slow-down and lock small enough for a test to reach in a second.
pub fn test_config(database_url: &str) -> Config {
    let mut config = Config {
        bind: "127.0.0.1:0".into(),
        metrics_bind: Some("127.0.0.1:0".into()),
        database_url: database_url.into(),
        ..Config::default()
    };
    config.seed_on_empty = false;
    // Tests that deliver pushes start workers themselves; the rest see the outbox as queued.
    config.push_workers = 0;
    // Likewise for text messages: the rest read their codes from the outbox, still queued.
    config.sms.workers = 0;
    config.db_checkout_timeout = Duration::from_secs(2);
    config.login_throttle.slow_after = 2;
    config.login_throttle.delay_step = Duration::from_millis(150);
    config.login_throttle.max_delay = Duration::from_millis(300);
    config.login_throttle.subject_lock_after = 5;
    config.login_throttle.address_lock_after = 8;
    config.lookup_throttle.slow_after = 2;
    config.lookup_throttle.delay_step = Duration::from_millis(20);
    config.lookup_throttle.max_delay = Duration::from_millis(40);
    config.lookup_throttle.subject_lock_after = 4;
    config.lookup_throttle.address_lock_after = 8;
    config
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}, |_| {}).await
}

pub async fn spawn_app_with(
    adjust: impl FnOnce(&mut Config),
    extra_routes: impl Fn(&mut Routes) + Send + Clone + 'static,
) -> TestApp {
    let db = TestDb::create();
    let photos_dir = tempfile::tempdir().expect("photo directory");
    let mut config = test_config(db.url());
    config.photo_store = StoreConfig::Local { dir: photos_dir.path().to_path_buf() };
    adjust(&mut config);
    let app = Application::build_with(config.clone(), extra_routes).await.expect("server starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let metrics_port = app.metrics_port().expect("tests serve metrics");
    let metrics_address = format!("http://127.0.0.1:{metrics_port}");
    let pool = app.state.pool.clone();
    let state = app.state.clone();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    TestApp { photos_dir, address, metrics_address, client, pool, state, config, db }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Runs storage code directly, for arranging what a test needs and checking what it left.
    pub async fn with_db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut DbConn) -> T + Send + 'static,
    ) -> T {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || work(&mut pool.get().expect("connection")))
            .await
            .expect("db work")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).json(body).send().await.expect("request")
    }

    /// The Prometheus text the operator's listener serves.
    pub async fn metrics(&self) -> String {
        let res = self.client.get(format!("{}/metrics", self.metrics_address)).send().await;
        let res = res.expect("request");
        assert_eq!(res.status(), StatusCode::OK);
        res.text().await.expect("metrics text")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }

    pub async fn get_auth(&self, path: &str, token: &str) -> Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.expect("request")
    }

    pub async fn post_auth(&self, path: &str, token: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn delete_auth(&self, path: &str, token: &str) -> Response {
        self.client.delete(self.url(path)).bearer_auth(token).send().await.expect("request")
    }

    pub async fn register(&self, phone: &str, name: &str, password: &str) -> Response {
        self.post_json(
            "/v1/auth/register",
            &json!({ "phone": phone, "display_name": name, "password": password }),
        )
        .await
    }

    pub async fn login(&self, phone: &str, password: &str) -> Response {
        self.post_json("/v1/auth/login", &json!({ "phone": phone, "password": password })).await
    }

    /// Logs in and returns the token pair, failing the test if that does not work.
    pub async fn tokens(&self, phone: &str, password: &str) -> Value {
        let res = self.login(phone, password).await;
        assert_eq!(res.status(), StatusCode::OK, "login of {phone}");
        res.json().await.expect("token pair")
    }

    /// Logs in and returns the access token alone.
    pub async fn access_token(&self, phone: &str, password: &str) -> String {
        self.tokens(phone, password).await["access_token"].as_str().unwrap().to_string()
    }

    /// A citizen registered through the API, with the number proven by the code it was sent.
    pub async fn citizen_token(&self) -> String {
        let res = self.register(CITIZEN_PHONE, "Nguyễn Văn An", STRONG_PASSWORD).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let token = self.access_token(CITIZEN_PHONE, STRONG_PASSWORD).await;
        self.verify_phone(&token, CITIZEN_PHONE).await;
        token
    }

    /// The newest code texted to a number (as typed), read from the outbox while still queued.
    pub async fn texted_code(&self, phone_typed: &str) -> String {
        let phone_e164 = smartcity_domain::phone::PhoneNumber::parse("phone", phone_typed)
            .expect("a mobile number")
            .e164()
            .to_string();
        let phone = phone_e164.clone();
        let body = self
            .with_db(move |conn| {
                let rows = smartcity_db::sms::recent(conn, Some(&phone), 1).expect("outbox");
                rows.into_iter().next().map(|row| row.body)
            })
            .await
            .unwrap_or_else(|| panic!("no message to {phone_e164}"));
        let digits: String = body
            .split(|c: char| !c.is_ascii_digit())
            .find(|run| run.len() == 6)
            .unwrap_or_else(|| panic!("no code in {body:?}"))
            .to_string();
        digits
    }

    /// Proves the caller's number with the code registration sent it.
    pub async fn verify_phone(&self, token: &str, phone_typed: &str) {
        let code = self.texted_code(phone_typed).await;
        let res = self
            .post_auth("/v1/me/phone/verification/confirm", token, &json!({ "code": code }))
            .await;
        assert_eq!(res.status(), StatusCode::OK, "verification of {phone_typed}");
    }

    /// Puts a user of any role straight into the database (as `create-admin` or an admin would).
    pub async fn insert_user(
        &self,
        phone_e164: &str,
        role: &'static str,
        agency_id: Option<String>,
    ) -> String {
        self.insert_account(phone_e164, role, agency_id, false).await
    }

    /// `insert_user`, also for an account that is disabled (there is no API to disable one).
    pub async fn insert_account(
        &self,
        phone_e164: &str,
        role: &'static str,
        agency_id: Option<String>,
        disabled: bool,
    ) -> String {
        let phone = phone_e164.to_string();
        self.with_db(move |conn| {
            let id = uuid::Uuid::new_v4().to_string();
            accounts::insert_user(
                conn,
                &NewUser {
                    id: &id,
                    phone: &phone,
                    password_hash: &passwords::hash(STRONG_PASSWORD),
                    display_name: "Cán bộ thử nghiệm",
                    role: Role::from_stored(role).expect("a role's word"),
                    agency_id: agency_id.as_deref(),
                    disabled,
                    created_at: smartcity_db::now(),
                    // A settled account: its number was proven long ago.
                    phone_verified_at: Some(smartcity_db::now()),
                },
            )
            .expect("insert user");
            id
        })
        .await
    }

    /// A person's whole inbox as stored, newest first.
    pub async fn inbox_rows(&self, user_id: String) -> Vec<NotificationRow> {
        self.with_db(move |conn| {
            use diesel::prelude::*;
            use smartcity_db::schema::notifications;
            notifications::table
                .filter(notifications::user_id.eq(user_id))
                .order((notifications::created_at.desc(), notifications::id.desc()))
                .select(NotificationRow::as_select())
                .load(conn)
                .expect("inbox rows")
        })
        .await
    }

    pub async fn admin_token(&self) -> String {
        self.insert_user("+84900000009", "admin", None).await;
        self.tokens("+84900000009", STRONG_PASSWORD).await["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// Asserts an RFC 9457 problem with this status and code, and returns its body.
pub async fn assert_problem(res: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(res.status(), status, "status");
    let content_type =
        res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(content_type.starts_with("application/problem+json"), "content type {content_type}");
    let body: Value = res.json().await.expect("problem body is JSON");
    assert_eq!(body["code"], code, "problem {body}");
    assert_eq!(body["status"], status.as_u16(), "problem {body}");
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()), "title in {body}");
    assert!(body["detail"].as_str().is_some_and(|t| !t.is_empty()), "detail in {body}");
    body
}

impl TestApp {
    /// Another server instance on the same database, as behind a load balancer.
    pub async fn spawn_sibling(&self) -> String {
        let app = Application::build(self.config.clone()).await.expect("sibling starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        address
    }
}

// ---- complaints: the fixtures of every module that files or moves one ----------------------

/// Inside the demo's Phường Hải Châu (DEMO-02).
pub const HAI_CHAU: (f64, f64) = (16.045, 108.205);

pub async fn seeded() -> (TestApp, String) {
    seeded_with(|_| {}).await
}

/// `seeded()` with the configuration adjusted first.
pub async fn seeded_with(adjust: impl FnOnce(&mut Config)) -> (TestApp, String) {
    let app = spawn_app_with(adjust, |_| {}).await;
    app.with_db(|conn| smartcity_api::app::seed::seed(conn).expect("seed")).await;
    let token = app.citizen_token().await;
    (app, token)
}

/// The photo store an operator would configure for a bucket of the test S3 server.
pub fn s3_store(bucket: smartcity_testkit::s3_server::S3Bucket) -> StoreConfig {
    StoreConfig::S3 {
        endpoint: Some(bucket.endpoint),
        bucket: bucket.bucket,
        region: bucket.region.into(),
        access_key_id: Some(bucket.access_key_id.into()),
        secret_access_key: Some(bucket.secret_access_key.into()),
        allow_http: true,
    }
}

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image).write_to(&mut bytes, image::ImageFormat::Jpeg).unwrap();
    bytes.into_inner()
}

pub fn form(category: &str, lat: f64, lon: f64) -> Form {
    Form::new()
        .text("category", category.to_string())
        .text("description", "Đèn đường trước số 12 Trần Phú không sáng ba đêm nay.")
        .text("lat", lat.to_string())
        .text("lon", lon.to_string())
}

pub async fn file(app: &TestApp, token: &str, form: Form, key: Option<&str>) -> reqwest::Response {
    let mut request = app.client.post(app.url("/v1/complaints")).bearer_auth(token).multipart(form);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    request.send().await.unwrap()
}

pub async fn agency_id(app: &TestApp, code: &'static str) -> String {
    app.with_db(move |conn| {
        smartcity_db::agencies::find_agency_by_code(conn, code).unwrap().unwrap().id
    })
    .await
}

/// Files a complaint of `category` in Hải Châu; returns its id.
pub async fn file_in_hai_chau(app: &TestApp, token: &str, category: &str) -> String {
    let res = file(app, token, form(category, HAI_CHAU.0, HAI_CHAU.1), None).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

/// The reporter's complaint, acknowledged by a new staff member of Hải Châu's ward (one notice
/// for the reporter); returns its id and that staff member's token.
pub async fn acknowledged(
    app: &TestApp,
    reporter: &str,
    staff_phone: &'static str,
) -> (String, String) {
    let id = file_in_hai_chau(app, reporter, "trees").await;
    let staff = staff_token(app, staff_phone, "ubnd-phuong-hai-chau").await;
    let step =
        serde_json::json!({"type": "acknowledged", "comment": "Đã nhận, sẽ cắt tỉa trong tuần"});
    let res = app.post_auth(&format!("/v1/complaints/{id}/events"), &staff, &step).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    (id, staff)
}

pub async fn staff_token(app: &TestApp, phone: &'static str, agency: &'static str) -> String {
    let id = agency_id(app, agency).await;
    app.insert_user(phone, "staff", Some(id)).await;
    app.access_token(phone, STRONG_PASSWORD).await
}

/// A client whose connections leave from loopback address number `i` (127.0.x.y, all of
/// 127/8 being this machine): to the server, a client at another address.
pub fn client_from_address(i: usize) -> reqwest::Client {
    let ip = std::net::Ipv4Addr::new(127, 0, 1 + (i / 250) as u8, 1 + (i % 250) as u8);
    reqwest::Client::builder().local_address(std::net::IpAddr::V4(ip)).build().unwrap()
}

/// Sends every request at the same moment and returns the statuses.
pub async fn statuses_at_once(requests: Vec<reqwest::RequestBuilder>) -> Vec<StatusCode> {
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(requests.len()));
    let mut sent = tokio::task::JoinSet::new();
    for request in requests {
        let barrier = barrier.clone();
        sent.spawn(async move {
            barrier.wait().await;
            request.send().await.expect("an answer").status()
        });
    }
    sent.join_all().await
}

/// How many of `answers` were `checked` (the status of an attempt looked at) and how many
/// were refused as too many attempts.
pub fn checked_and_refused(answers: &[StatusCode], checked: StatusCode) -> (usize, usize) {
    let count = |status| answers.iter().filter(|s| **s == status).count();
    (count(checked), count(StatusCode::TOO_MANY_REQUESTS))
}

//! Who may do what: every operation of `openapi.yaml` called by every kind of caller, each
//! answer held against what the caller is entitled to. Then the cases that matter most, one by
//! one: another citizen's complaint and dossier, another agency's complaint and dossier, and
//! the administrators' routes.
//!
//! The callers: nobody, citizens A and B, staff of agencies X and Y, an administrator, X's
//! one-stop-shop system with its `X-Api-Key`, an Open311 client app, and an air monitoring
//! network's logger with its `X-Api-Key`. The app's key goes in the `api_key` form field where
//! GeoReport puts it, and as an `X-Api-Key` everywhere else (so it is also shown not to pass for
//! an agency's key); the network's key passes only for its readings, not for an agency's.

use crate::helpers::*;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use smartcity_db::outbox;
use smartcity_domain::push::PushStatus;
use smartcity_testkit::fake_camera::FakeCamera;
use std::collections::BTreeSet;
use std::fmt;

const X_CODE: &str = "ubnd-phuong-hai-chau";
const Y_CODE: &str = "so-xay-dung";
const CITIZEN_B_PHONE: &str = "0987 654 321";
const CITIZEN_B_E164: &str = "+84987654321";
const DOSSIER_X: &str = "000.00.07.H47-261102-0001";
const DOSSIER_Y: &str = "000.00.07.H47-261102-0002";
const DEVICE_A: &str = "fMEQbYbZQ0y:APA91bH-authz-a";
const NEW_PROCEDURE: &str = "TI-CT-09";
const NEW_CATEGORY: &str = "stray_dogs";
const AIR_STATION: &str = "DN-AUTHZ";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Principal {
    Anonymous,
    CitizenA,
    CitizenB,
    StaffX,
    StaffY,
    Admin,
    AgencyKeyX,
    Open311Client,
    AirNetworkKey,
}

use Principal::*;

/// Those refused go first and citizen A (who owns the fixture's private things) last, so a
/// refusal is seen while the thing refused still exists.
const CALL_ORDER: [Principal; 9] = [
    Anonymous,
    AgencyKeyX,
    Open311Client,
    AirNetworkKey,
    CitizenB,
    StaffY,
    StaffX,
    Admin,
    CitizenA,
];

impl Principal {
    fn index(self) -> usize {
        self as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Done: a 2xx answer.
    Done,
    /// Refused (or a 404 hiding what the caller may not know of) with this status.
    Status(u16),
}

use Expect::{Done, Status};

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Done => write!(f, "2xx"),
            Status(s) => write!(f, "{s}"),
        }
    }
}

/// What each caller gets, in `Principal` order.
type Expectations = [Expect; 9];

const PUBLIC: Expectations = [Done; 9];
/// Any signed-in person; a key is not a person.
const SIGNED_IN: Expectations =
    [Status(401), Done, Done, Done, Done, Done, Status(401), Status(401), Status(401)];
const ADMIN_ONLY: Expectations = [
    Status(401),
    Status(403),
    Status(403),
    Status(403),
    Status(403),
    Done,
    Status(401),
    Status(401),
    Status(401),
];
/// Someone acting for an agency: its staff, or its system with the agency's key.
const AGENCY: Expectations = [
    Status(401),
    Status(403),
    Status(403),
    Done,
    Done,
    Status(403),
    Done,
    Status(401),
    Status(401),
];
/// Who writes warnings: staff of an agency and administrators.
const STAFF_OR_ADMIN: Expectations = [
    Status(401),
    Status(403),
    Status(403),
    Done,
    Done,
    Done,
    Status(401),
    Status(401),
    Status(401),
];
/// A monitoring network's logger, by the network's key: nobody else, not even an agency's key.
const AIR_NETWORK_ONLY: Expectations = [
    Status(401),
    Status(401),
    Status(401),
    Status(401),
    Status(401),
    Status(401),
    Status(401),
    Status(401),
    Done,
];
/// Citizen A's own private things: others signed in are told they do not exist.
const A_ONLY_OTHERS_HIDDEN: Expectations = [
    Status(401),
    Done,
    Status(404),
    Status(404),
    Status(404),
    Status(404),
    Status(401),
    Status(401),
    Status(401),
];

/// Signed in, and then refused as `instead` (whatever the role: the refusal is the input's).
const fn signed_in_but(instead: Expect) -> Expectations {
    [
        Status(401),
        instead,
        instead,
        instead,
        instead,
        instead,
        Status(401),
        Status(401),
        Status(401),
    ]
}

fn but(mut expect: Expectations, who: Principal, instead: Expect) -> Expectations {
    expect[who.index()] = instead;
    expect
}

enum Body {
    Empty,
    Json(Value),
    Form(Vec<(String, String)>),
    Multipart(Form),
}

struct Call {
    path: String,
    body: Body,
}

impl Call {
    fn to(path: impl Into<String>) -> Call {
        Call { path: path.into(), body: Body::Empty }
    }

    fn json(mut self, body: Value) -> Call {
        self.body = Body::Json(body);
        self
    }
}

struct Row {
    method: Method,
    template: &'static str,
    expect: Expectations,
    call: fn(&World, Principal) -> Call,
}

fn row(
    method: Method,
    template: &'static str,
    expect: Expectations,
    call: fn(&World, Principal) -> Call,
) -> Row {
    Row { method, template, expect, call }
}

/// One city: agencies X and Y, their staff and keys, citizens A and B, an administrator, a
/// complaint of A's routed to X (with a photo), dossiers of X (A is its applicant) and of Y, and
/// one of each thing the admin routes act on.
pub(crate) struct World {
    app: TestApp,
    citizen_a: String,
    citizen_b: String,
    staff_x: String,
    staff_y: String,
    admin: String,
    agency_x: String,
    agency_y: String,
    agency_key_x: String,
    /// A second key of X, for the revocation row (X's own key keeps working).
    spare_key_id: String,
    open311_key: String,
    spare_open311_client: String,
    open311_request: String,
    open311_token: String,
    complaint: String,
    photo: String,
    /// An online dossier of A's at X: received and done, with a receipt and a result.
    online_x: String,
    online_file: String,
    online_slip: String,
    /// Another of A's, for the withdrawal row.
    online_spare: String,
    notification_a: String,
    dead_letter: String,
    routing_rule: Value,
    /// A flood camera served by `fake_camera`, and another for the retirement row.
    camera: String,
    spare_camera: String,
    fake_camera: FakeCamera,
    /// Refresh tokens of a bystander's sessions: 0–8 for the refresh row, 9–17 for logout.
    spare_refresh: Vec<String>,
    /// A monitoring network's key, and the network (it feeds `AIR_STATION`).
    air_key: String,
    air_network: String,
    /// A warning of X's staff, in force, for the show and change rows.
    warning: String,
    /// Warnings of X's staff for the call-off row: one for X's staff, one for the administrator.
    warning_staff_cancels: String,
    warning_admin_cancels: String,
    /// An area A follows.
    area_a: String,
    /// A's question at X, open, with a photo attached.
    question_a: String,
    /// More of A's open questions at X: to be answered, and to be passed on, once by X's
    /// system and once by X's staff.
    questions_to_answer: [String; 2],
    questions_to_transfer: [String; 2],
    /// A question X answered and published.
    question_published: String,
}

/// A question of A's about the birth registration at X.
fn question_body(title: &str) -> Value {
    json!({
        "procedure": "XA-HT-01",
        "agency": X_CODE,
        "title": title,
        "body": "Đăng ký khai sinh quá hạn có mất lệ phí không?",
    })
}

/// Of a pair of fixtures used once each by X's system and X's staff, the caller's.
fn by_x(pair: &[String; 2], who: Principal) -> &str {
    if who == AgencyKeyX {
        &pair[0]
    } else {
        &pair[1]
    }
}

fn access(pair: &Value) -> String {
    pair["access_token"].as_str().expect("access token").to_string()
}

async fn created(res: reqwest::Response, what: &str) -> Value {
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{what}: {status} {body}");
    body
}

fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}

fn dossier_body(applicant: &str) -> Value {
    json!({
        "procedure_code": "XA-HT-01",
        "applicant_name": applicant,
        "applicant_phone": CITIZEN_PHONE,
        "received_on": today(),
        "due_on": today() + chrono::Duration::days(10),
    })
}

fn new_procedure(code: &str) -> Value {
    json!({"code": code, "name": "Cấp giấy phép bán lẻ rượu",
           "name_en": "Liquor retail licence", "field": "Công thương",
           "level": "province", "agency": "Sở Công Thương", "service_level": 4,
           "processing_days": 10, "fee_vnd": 1200000, "documents": ["Đơn đề nghị"],
           "result": "Giấy phép", "online_url": "https://dichvucong.gov.vn/p/ruou"})
}

fn new_category(code: &str) -> Value {
    json!({
        "code": code,
        "name": {"vi": "Chó thả rông", "en": "Stray dogs"},
        "group": {"vi": "Trật tự đô thị", "en": "Public order"},
        "sla_hours": 48,
        "icon": "other",
    })
}

/// A warning of a water cut in Hải Châu, in force for a day.
fn warning_body(title: &str) -> Value {
    json!({
        "kind": "water_cut",
        "severity": "moderate",
        "title_vi": title,
        "body_vi": "Tạm ngừng cấp nước từ 8 giờ đến 17 giờ để sửa đường ống.",
        "areas": ["DEMO-02"],
        "valid_until": (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339(),
    })
}

fn air_station(network_id: &str) -> Value {
    json!({
        "network_id": network_id,
        "name": "Trạm Hải Châu",
        "operator": "Trung tâm Quan trắc môi trường",
        "kind": "automatic",
        "lat": HAI_CHAU.0,
        "lon": HAI_CHAU.1,
    })
}

fn open311_filing(key: &str) -> Vec<(String, String)> {
    [
        ("api_key", key),
        ("service_code", "trees"),
        ("lat", &HAI_CHAU.0.to_string()),
        ("long", &HAI_CHAU.1.to_string()),
        ("description", "Cây đổ chắn nửa đường Trần Phú."),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// A complete online birth registration at X, as A submits it.
fn online_form() -> Form {
    let pdf = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n%%EOF\n".to_vec();
    let file = |name: &str| Part::bytes(pdf.clone()).file_name(name.to_string());
    [
        ("procedure", "XA-HT-01"),
        ("agency", X_CODE),
        ("applicant_type", "citizen"),
        ("applicant_name", "Nguyễn Thị Ánh"),
        ("identity_number", "048190001234"),
        ("province", "Đà Nẵng"),
        ("ward", "Phường Hải Châu"),
        ("street", "12 Bạch Đằng"),
        ("return_method", "counter"),
    ]
    .into_iter()
    .fold(Form::new(), |form, (name, value)| form.text(name, value))
    .part("files[to-khai]", file("to-khai.pdf"))
    .part("files[giay-chung-sinh]", file("giay-chung-sinh.pdf"))
}

fn result_form() -> Form {
    let pdf = b"%PDF-1.4\n% giay khai sinh\n%%EOF\n".to_vec();
    Form::new().part("file", Part::bytes(pdf).file_name("ket-qua.pdf"))
}

impl World {
    pub(crate) async fn build() -> World {
        // Failed dossier lookups lock a code after a few; this test fails them on purpose.
        let app = spawn_app_with(
            |config| {
                config.lookup_throttle.slow_after = 1000;
                config.lookup_throttle.subject_lock_after = 1000;
                config.lookup_throttle.address_lock_after = 1000;
            },
            |_| {},
        )
        .await;
        app.with_db(|conn| smartcity_api::app::seed::seed(conn).expect("seed")).await;
        let citizen_a = app.citizen_token().await;
        assert_eq!(
            app.register(CITIZEN_B_PHONE, "Trần Thị Bình", STRONG_PASSWORD).await.status(),
            StatusCode::CREATED
        );
        let citizen_b = access(&app.tokens(CITIZEN_B_PHONE, STRONG_PASSWORD).await);
        app.verify_phone(&citizen_b, CITIZEN_B_PHONE).await;
        let staff_x = staff_token(&app, "+84906100001", X_CODE).await;
        let staff_y = staff_token(&app, "+84906100002", Y_CODE).await;
        let admin = app.admin_token().await;
        let agency_x = agency_id(&app, X_CODE).await;
        let agency_y = agency_id(&app, Y_CODE).await;

        let key_path = format!("/v1/admin/agencies/{agency_x}/api-keys");
        let label = json!({"label": "Hệ thống một cửa"});
        let agency_key_x = created(app.post_auth(&key_path, &admin, &label).await, "key").await
            ["key"]
            .as_str()
            .unwrap()
            .to_string();
        let spare_key_id = created(app.post_auth(&key_path, &admin, &label).await, "spare key")
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let clients = "/v1/admin/open311-clients";
        let open311_key =
            created(app.post_auth(clients, &admin, &json!({"name": "Góp ý"})).await, "client")
                .await["api_key"]
                .as_str()
                .unwrap()
                .to_string();
        let spare_open311_client =
            created(app.post_auth(clients, &admin, &json!({"name": "Dự phòng"})).await, "spare")
                .await["id"]
                .as_str()
                .unwrap()
                .to_string();
        let filed = app
            .client
            .post(app.url("/open311/v2/requests.json"))
            .form(&open311_filing(&open311_key))
            .send()
            .await
            .unwrap();
        let filed = created(filed, "open311 filing").await;
        let open311_request = filed[0]["service_request_id"].as_str().unwrap().to_string();
        let open311_token = filed[0]["token"].as_str().unwrap().to_string();

        let photo = Part::bytes(jpeg(320, 240)).file_name("a.jpg");
        let res = app
            .client
            .post(app.url("/v1/complaints"))
            .bearer_auth(&citizen_a)
            .multipart(form("trees", HAI_CHAU.0, HAI_CHAU.1).part("photos", photo))
            .send()
            .await
            .unwrap();
        let complaint_body = created(res, "complaint").await;
        assert_eq!(complaint_body["agency_id"], agency_x.as_str(), "routed to X");
        let complaint = complaint_body["id"].as_str().unwrap().to_string();
        let photo = complaint_body["photos"][0]["display_url"]
            .as_str()
            .unwrap()
            .split('/')
            .nth(3)
            .unwrap()
            .to_string();

        let put = |code: &str| app.client.put(app.url(&format!("/v1/agency/dossiers/{code}")));
        let x =
            put(DOSSIER_X).header("x-api-key", &agency_key_x).json(&dossier_body("Nguyễn Văn An"));
        created(x.send().await.unwrap(), "X's dossier").await;
        let y = put(DOSSIER_Y).bearer_auth(&staff_y).json(&dossier_body("Trần Văn Cư"));
        created(y.send().await.unwrap(), "Y's dossier").await;

        // A notice for A on a phone of A's, whose push is given up on: A's notification and a
        // dead letter.
        let device = json!({"token": DEVICE_A, "platform": "android", "app_version": "2.3.1",
                            "lang": "vi"});
        created(app.post_auth("/v1/me/devices", &citizen_a, &device).await, "device").await;
        let second = created(
            app.client
                .post(app.url("/v1/complaints"))
                .bearer_auth(&citizen_a)
                .multipart(form("trees", HAI_CHAU.0, HAI_CHAU.1))
                .send()
                .await
                .unwrap(),
            "second complaint",
        )
        .await;
        let ack = json!({"type": "acknowledged", "comment": "Đã nhận, sẽ cắt tỉa trong tuần"});
        let events = format!("/v1/complaints/{}/events", second["id"].as_str().unwrap());
        created(app.post_auth(&events, &staff_x, &ack).await, "acknowledged").await;
        let inbox = created(app.get_auth("/v1/me/notifications", &citizen_a).await, "inbox").await;
        let notification_a = inbox["items"][0]["id"].as_str().expect("A's notice").to_string();
        let dead_letter = app
            .with_db(|conn| {
                let now = smartcity_db::now();
                let claimed =
                    outbox::claim(conn, now, now + chrono::Duration::minutes(1), 100).unwrap();
                let given_up: Vec<_> = claimed
                    .into_iter()
                    .map(|c| {
                        let why = "UNREGISTERED (test)".to_string();
                        (c.id, String::new(), outbox::Settlement::Finished(PushStatus::Dead, why))
                    })
                    .collect();
                outbox::settle(conn, &given_up, now).unwrap();
                outbox::dead_letters(conn, 1).unwrap().pop().expect("a dead letter").id
            })
            .await;

        created(
            app.post_auth("/v1/admin/procedures", &admin, &new_procedure(NEW_PROCEDURE)).await,
            "procedure",
        )
        .await;
        created(
            app.post_auth("/v1/admin/categories", &admin, &new_category(NEW_CATEGORY)).await,
            "category",
        )
        .await;
        let rules = created(app.get_auth("/v1/admin/routing-rules", &admin).await, "rules").await;
        let routing_rule = rules["items"][0].clone();

        let submit = || {
            app.client
                .post(app.url("/v1/dossiers"))
                .bearer_auth(&citizen_a)
                .multipart(online_form())
                .send()
        };
        let online_x = created(submit().await.unwrap(), "online dossier").await["code"]
            .as_str()
            .unwrap()
            .to_string();
        let online_spare = created(submit().await.unwrap(), "spare online dossier").await["code"]
            .as_str()
            .unwrap()
            .to_string();
        let decisions = format!("/v1/agency/dossiers/{online_x}/decisions");
        for decision in ["receive", "done"] {
            let decide = app.client.post(app.url(&decisions)).header("x-api-key", &agency_key_x);
            created(decide.json(&json!({"decision": decision})).send().await.unwrap(), decision)
                .await;
        }
        let seen = app.client.get(app.url(&format!("/v1/agency/dossiers/{online_x}")));
        let seen =
            created(seen.header("x-api-key", &agency_key_x).send().await.unwrap(), "x").await;
        let online_file = seen["files"][0]["id"].as_str().unwrap().to_string();
        let online_slip = seen["slips"][0]["id"].as_str().unwrap().to_string();

        let fake_camera = FakeCamera::start().await;
        let mut cameras = Vec::new();
        for name in ["Cầu Rồng", "Cầu Sông Hàn"] {
            let body = new_camera(name, &fake_camera.snapshot_url());
            let res = app.post_auth("/v1/admin/cameras", &admin, &body).await;
            cameras.push(created(res, "camera").await["id"].as_str().unwrap().to_string());
        }
        let (camera, spare_camera) = (cameras[0].clone(), cameras[1].clone());

        app.insert_user("+84906100009", "citizen", None).await;
        let mut spare_refresh = Vec::new();
        for _ in 0..18 {
            let pair = app.tokens("+84906100009", STRONG_PASSWORD).await;
            spare_refresh.push(pair["refresh_token"].as_str().unwrap().to_string());
        }

        let network = json!({"name": "Sở Tài nguyên và Môi trường"});
        let network =
            created(app.post_auth("/v1/admin/air/networks", &admin, &network).await, "network")
                .await;
        let air_key = network["key"].as_str().unwrap().to_string();
        let air_network = network["id"].as_str().unwrap().to_string();
        let station = app
            .client
            .put(app.url(&format!("/v1/admin/air/stations/{AIR_STATION}")))
            .bearer_auth(&admin)
            .json(&air_station(&air_network));
        created(station.send().await.unwrap(), "air station").await;
        let mut warnings = Vec::new();
        for (token, title) in
            [(&staff_x, "Mất nước"), (&staff_x, "Mất điện"), (&staff_x, "Đường ngập")]
        {
            let issued =
                created(app.post_auth("/v1/warnings", token, &warning_body(title)).await, title)
                    .await;
            warnings.push(issued["warning"]["id"].as_str().unwrap().to_string());
        }
        let [warning, warning_staff_cancels, warning_admin_cancels] =
            <[String; 3]>::try_from(warnings).unwrap();
        let area = json!({"label": "family", "area": "DEMO-01"});
        let area_a = created(app.post_auth("/v1/me/areas", &citizen_a, &area).await, "area").await
            ["id"]
            .as_str()
            .unwrap()
            .to_string();

        let form = Form::new()
            .text("topic", "ho-tich-cu-tru")
            .text("title", "Giấy xác nhận cư trú bị nhòe")
            .text("body", "Giấy của tôi bị nhòe như ảnh, có cấp lại được không?")
            .part("attachment", Part::bytes(jpeg(64, 48)).file_name("giay.jpg"));
        let asked = app.client.post(app.url("/v1/questions")).bearer_auth(&citizen_a);
        let question_a = created(asked.multipart(form).send().await.unwrap(), "question").await
            ["id"]
            .as_str()
            .unwrap()
            .to_string();
        let mut questions = Vec::new();
        for title in
            ["Hỏi lệ phí 1", "Hỏi lệ phí 2", "Hỏi lệ phí 3", "Hỏi lệ phí 4", "Hỏi lệ phí 5"]
        {
            let res = app.post_auth("/v1/questions", &citizen_a, &question_body(title)).await;
            questions.push(created(res, title).await["id"].as_str().unwrap().to_string());
        }
        let question_published = questions.pop().unwrap();
        let answer = json!({"answer": "Được miễn lệ phí.", "publish": true});
        let path = format!("/v1/agency/questions/{question_published}/answer");
        created(app.post_auth(&path, &staff_x, &answer).await, "published answer").await;
        let questions_to_transfer = [questions.pop().unwrap(), questions.pop().unwrap()];
        let questions_to_answer = [questions.pop().unwrap(), questions.pop().unwrap()];

        World {
            app,
            citizen_a,
            citizen_b,
            staff_x,
            staff_y,
            admin,
            agency_x,
            agency_y,
            agency_key_x,
            spare_key_id,
            open311_key,
            spare_open311_client,
            open311_request,
            open311_token,
            complaint,
            photo,
            online_x,
            online_file,
            online_slip,
            online_spare,
            notification_a,
            dead_letter,
            routing_rule,
            camera,
            spare_camera,
            fake_camera,
            spare_refresh,
            air_key,
            air_network,
            warning,
            warning_staff_cancels,
            warning_admin_cancels,
            area_a,
            question_a,
            questions_to_answer,
            questions_to_transfer,
            question_published,
        }
    }

    fn token(&self, who: Principal) -> Option<&str> {
        match who {
            CitizenA => Some(&self.citizen_a),
            CitizenB => Some(&self.citizen_b),
            StaffX => Some(&self.staff_x),
            StaffY => Some(&self.staff_y),
            Admin => Some(&self.admin),
            Anonymous | AgencyKeyX | Open311Client | AirNetworkKey => None,
        }
    }

    fn api_key(&self, who: Principal) -> Option<&str> {
        match who {
            AgencyKeyX => Some(&self.agency_key_x),
            Open311Client => Some(&self.open311_key),
            AirNetworkKey => Some(&self.air_key),
            _ => None,
        }
    }

    /// The caller's own phone, or A's (the proof) for callers without one.
    fn phone(&self, who: Principal) -> &'static str {
        match who {
            CitizenB => CITIZEN_B_E164,
            StaffX => "+84906100001",
            StaffY => "+84906100002",
            Admin => "+84900000009",
            _ => CITIZEN_E164,
        }
    }

    async fn send(&self, method: Method, call: Call, who: Principal) -> reqwest::Response {
        let mut request = self.app.client.request(method, self.app.url(&call.path));
        if let Some(token) = self.token(who) {
            request = request.bearer_auth(token);
        }
        if let Some(key) = self.api_key(who) {
            request = request.header("x-api-key", key);
        }
        request = match call.body {
            Body::Empty => request,
            Body::Json(body) => request.json(&body),
            Body::Form(pairs) => request.form(&pairs),
            Body::Multipart(form) => request.multipart(form),
        };
        request.send().await.expect("request")
    }

    async fn get_as(&self, path: &str, who: Principal) -> Value {
        created(self.send(Method::GET, Call::to(path), who).await, path).await
    }
}

fn rows() -> Vec<Row> {
    use Method as M;
    vec![
        row(M::GET, "/healthz", PUBLIC, |_, _| Call::to("/healthz")),
        row(M::GET, "/readyz", PUBLIC, |_, _| Call::to("/readyz")),
        row(M::POST, "/v1/auth/register", PUBLIC, |_, who| {
            Call::to("/v1/auth/register").json(json!({
                "phone": format!("0913 000 00{}", who.index()),
                "display_name": "Người mới",
                "password": STRONG_PASSWORD,
            }))
        }),
        row(M::POST, "/v1/auth/login", PUBLIC, |_, _| {
            Call::to("/v1/auth/login")
                .json(json!({"phone": CITIZEN_PHONE, "password": STRONG_PASSWORD}))
        }),
        row(M::POST, "/v1/auth/refresh", PUBLIC, |w, who| {
            Call::to("/v1/auth/refresh")
                .json(json!({"refresh_token": w.spare_refresh[who.index()]}))
        }),
        row(M::POST, "/v1/auth/logout", PUBLIC, |w, who| {
            Call::to("/v1/auth/logout")
                .json(json!({"refresh_token": w.spare_refresh[9 + who.index()]}))
        }),
        row(M::GET, "/v1/me", SIGNED_IN, |_, _| Call::to("/v1/me")),
        // Answered alike whether the number has an account: nothing to entitle.
        row(M::POST, "/v1/auth/password-reset", PUBLIC, |_, who| {
            Call::to("/v1/auth/password-reset")
                .json(json!({"phone": format!("0913 100 00{}", who.index())}))
        }),
        // No code was sent, so none is accepted, for anyone.
        row(M::POST, "/v1/auth/password-reset/confirm", [Status(422); 9], |_, _| {
            Call::to("/v1/auth/password-reset/confirm").json(json!({
                "phone": CITIZEN_PHONE, "code": "000000", "password": STRONG_PASSWORD,
            }))
        }),
        // Every account of the fixture has proven its number already.
        row(M::POST, "/v1/me/phone/verification", signed_in_but(Status(409)), |_, _| {
            Call::to("/v1/me/phone/verification")
        }),
        row(M::POST, "/v1/me/phone/verification/confirm", signed_in_but(Status(422)), |_, _| {
            Call::to("/v1/me/phone/verification/confirm").json(json!({"code": "000000"}))
        }),
        row(M::POST, "/v1/me/phone/change", SIGNED_IN, |_, who| {
            Call::to("/v1/me/phone/change")
                .json(json!({"phone": format!("0913 200 00{}", who.index())}))
        }),
        row(M::POST, "/v1/me/phone/change/confirm", signed_in_but(Status(422)), |_, _| {
            Call::to("/v1/me/phone/change/confirm").json(json!({"code": "000000"}))
        }),
        row(M::GET, "/v1/admin/sms", ADMIN_ONLY, |_, _| Call::to("/v1/admin/sms")),
        row(M::PUT, "/v1/admin/agencies/{id}/sms-reminders", ADMIN_ONLY, |w, _| {
            Call::to(format!("/v1/admin/agencies/{}/sms-reminders", w.agency_x))
                .json(json!({"enabled": true}))
        }),
        // Without a configured secret the gateway's callbacks do not exist.
        row(M::POST, "/v1/sms/gateway/{secret}/reports", [Status(404); 9], |_, _| {
            Call::to("/v1/sms/gateway/not-the-secret-at-all/reports").json(json!({"SMSID": "1"}))
        }),
        row(M::POST, "/v1/sms/gateway/{secret}/replies", [Status(404); 9], |_, _| {
            Call::to("/v1/sms/gateway/not-the-secret-at-all/replies")
                .json(json!({"from": CITIZEN_PHONE, "text": "TC"}))
        }),
        row(M::GET, "/v1/procedures", PUBLIC, |_, _| Call::to("/v1/procedures")),
        row(M::GET, "/v1/procedures/{code}", PUBLIC, |_, _| Call::to("/v1/procedures/XA-HT-01")),
        row(M::GET, "/v1/procedure-fields", PUBLIC, |_, _| Call::to("/v1/procedure-fields")),
        row(M::POST, "/v1/dossiers/lookup", PUBLIC, |_, _| {
            Call::to("/v1/dossiers/lookup").json(json!({"code": DOSSIER_X, "phone": CITIZEN_PHONE}))
        }),
        row(M::GET, "/v1/dossiers/{code}", A_ONLY_OTHERS_HIDDEN, |_, _| {
            Call::to(format!("/v1/dossiers/{DOSSIER_X}"))
        }),
        row(M::GET, "/v1/me/dossiers", SIGNED_IN, |_, _| Call::to("/v1/me/dossiers")),
        // Each follows with their own phone: only A's is the proof.
        row(M::POST, "/v1/me/dossiers", A_ONLY_OTHERS_HIDDEN, |w, who| {
            Call::to("/v1/me/dossiers").json(json!({"code": DOSSIER_X, "phone": w.phone(who)}))
        }),
        // Only A follows it (the row above).
        row(M::DELETE, "/v1/me/dossiers/{code}", A_ONLY_OTHERS_HIDDEN, |_, _| {
            Call::to(format!("/v1/me/dossiers/{DOSSIER_X}"))
        }),
        row(M::GET, "/v1/stats/dossiers", PUBLIC, |_, _| Call::to("/v1/stats/dossiers")),
        row(M::GET, "/v1/stats/complaints", PUBLIC, |_, _| Call::to("/v1/stats/complaints")),
        row(M::GET, "/v1/agency/dossiers", AGENCY, |_, _| Call::to("/v1/agency/dossiers")),
        row(M::GET, "/v1/agency/complaints", AGENCY, |_, _| Call::to("/v1/agency/complaints")),
        row(M::PUT, "/v1/agency/dossiers/{code}", but(AGENCY, StaffY, Status(403)), |_, _| {
            Call::to(format!("/v1/agency/dossiers/{DOSSIER_X}")).json(dossier_body("Nguyễn Văn An"))
        }),
        row(
            M::POST,
            "/v1/agency/dossiers/{code}/events",
            but(AGENCY, StaffY, Status(403)),
            |_, who| {
                Call::to(format!("/v1/agency/dossiers/{DOSSIER_X}/events")).json(json!({
                    "event_id": format!("authz-{}", who.index()),
                    "status": 4,
                    "occurred_at": chrono::Utc::now().to_rfc3339(),
                }))
            },
        ),
        row(M::POST, "/v1/dossiers", SIGNED_IN, |_, _| Call {
            path: "/v1/dossiers".into(),
            body: Body::Multipart(online_form()),
        }),
        row(M::POST, "/v1/dossiers/{code}/withdrawal", A_ONLY_OTHERS_HIDDEN, |w, _| {
            Call::to(format!("/v1/dossiers/{}/withdrawal", w.online_spare))
        }),
        // Nothing was asked of A: A is told so, everyone else that there is no such dossier.
        row(
            M::POST,
            "/v1/dossiers/{code}/supplements",
            but(A_ONLY_OTHERS_HIDDEN, CitizenA, Status(409)),
            |w, _| Call {
                path: format!("/v1/dossiers/{}/supplements", w.online_x),
                body: Body::Multipart(Form::new().part(
                    "files[giay-chung-sinh]",
                    Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec()).file_name("gcs.pdf"),
                )),
            },
        ),
        row(M::GET, "/v1/dossiers/{code}/slips/{slip_id}", A_ONLY_OTHERS_HIDDEN, |w, _| {
            Call::to(format!("/v1/dossiers/{}/slips/{}", w.online_x, w.online_slip))
        }),
        row(
            M::PUT,
            "/v1/agency/dossiers/{code}/result",
            but(AGENCY, StaffY, Status(404)),
            |w, _| Call {
                path: format!("/v1/agency/dossiers/{}/result", w.online_x),
                body: Body::Multipart(result_form()),
            },
        ),
        row(M::GET, "/v1/dossiers/{code}/result", A_ONLY_OTHERS_HIDDEN, |w, _| {
            Call::to(format!("/v1/dossiers/{}/result", w.online_x))
        }),
        row(M::GET, "/v1/agency/dossiers/{code}", but(AGENCY, StaffY, Status(404)), |w, _| {
            Call::to(format!("/v1/agency/dossiers/{}", w.online_x))
        }),
        row(
            M::GET,
            "/v1/agency/dossiers/{code}/files/{file_id}",
            but(AGENCY, StaffY, Status(404)),
            |w, _| Call::to(format!("/v1/agency/dossiers/{}/files/{}", w.online_x, w.online_file)),
        ),
        row(
            M::GET,
            "/v1/agency/dossiers/{code}/slips/{slip_id}",
            but(AGENCY, StaffY, Status(404)),
            |w, _| Call::to(format!("/v1/agency/dossiers/{}/slips/{}", w.online_x, w.online_slip)),
        ),
        // One id for every caller: the first of X takes the decision, the other repeats it.
        row(
            M::POST,
            "/v1/agency/dossiers/{code}/decisions",
            but(AGENCY, StaffY, Status(404)),
            |w, _| {
                Call::to(format!("/v1/agency/dossiers/{}/decisions", w.online_x))
                    .json(json!({"decision": "return_result", "event_id": "authz-return"}))
            },
        ),
        row(M::PUT, "/v1/agency/webhook", AGENCY, |_, _| {
            Call::to("/v1/agency/webhook").json(json!({"url": "http://127.0.0.1:9/hooks"}))
        }),
        row(M::GET, "/v1/agency/webhook", AGENCY, |_, _| Call::to("/v1/agency/webhook")),
        // X's key removes X's webhook first, so X's staff find none left.
        row(M::DELETE, "/v1/agency/webhook", but(AGENCY, StaffX, Status(404)), |_, _| {
            Call::to("/v1/agency/webhook")
        }),
        row(M::POST, "/v1/admin/agencies", ADMIN_ONLY, |_, who| {
            Call::to("/v1/admin/agencies").json(json!({
                "code": format!("ubnd-thu-{}", who.index()),
                "name": "UBND thử",
                "level": "commune",
            }))
        }),
        row(M::POST, "/v1/admin/staff", ADMIN_ONLY, |w, who| {
            Call::to("/v1/admin/staff").json(json!({
                "phone": format!("+8490720000{}", who.index()),
                "password": STRONG_PASSWORD,
                "display_name": "Cán bộ mới",
                "agency_id": w.agency_x,
            }))
        }),
        row(M::POST, "/v1/admin/agencies/{id}/api-keys", ADMIN_ONLY, |w, _| {
            Call::to(format!("/v1/admin/agencies/{}/api-keys", w.agency_x))
                .json(json!({"label": "Khoá mới"}))
        }),
        row(M::GET, "/v1/admin/agencies/{id}/api-keys", ADMIN_ONLY, |w, _| {
            Call::to(format!("/v1/admin/agencies/{}/api-keys", w.agency_x))
        }),
        row(M::DELETE, "/v1/admin/agencies/{id}/api-keys/{key_id}", ADMIN_ONLY, |w, _| {
            Call::to(format!("/v1/admin/agencies/{}/api-keys/{}", w.agency_x, w.spare_key_id))
        }),
        row(M::POST, "/v1/admin/procedures", ADMIN_ONLY, |_, who| {
            Call::to("/v1/admin/procedures").json(new_procedure(&format!("TI-CT-2{}", who.index())))
        }),
        row(M::PUT, "/v1/admin/procedures/{code}", ADMIN_ONLY, |_, _| {
            Call::to(format!("/v1/admin/procedures/{NEW_PROCEDURE}"))
                .json(new_procedure(NEW_PROCEDURE))
        }),
        row(M::DELETE, "/v1/admin/procedures/{code}", ADMIN_ONLY, |_, _| {
            Call::to(format!("/v1/admin/procedures/{NEW_PROCEDURE}"))
        }),
        row(M::GET, "/v1/admin/categories", ADMIN_ONLY, |_, _| Call::to("/v1/admin/categories")),
        row(M::POST, "/v1/admin/categories", ADMIN_ONLY, |_, who| {
            Call::to("/v1/admin/categories").json(new_category(&format!("ti_cat_{}", who.index())))
        }),
        row(M::PUT, "/v1/admin/categories/{code}", ADMIN_ONLY, |_, _| {
            Call::to(format!("/v1/admin/categories/{NEW_CATEGORY}"))
                .json(new_category(NEW_CATEGORY))
        }),
        row(M::DELETE, "/v1/admin/categories/{code}", ADMIN_ONLY, |_, _| {
            Call::to(format!("/v1/admin/categories/{NEW_CATEGORY}"))
        }),
        row(M::GET, "/v1/cameras", PUBLIC, |_, _| {
            Call::to("/v1/cameras?bbox=108.19,16.03,108.22,16.06")
        }),
        row(M::GET, "/v1/cameras/{id}", PUBLIC, |w, _| {
            Call::to(format!("/v1/cameras/{}", w.camera))
        }),
        row(M::GET, "/v1/cameras/{id}/snapshot", PUBLIC, |w, _| {
            Call::to(format!("/v1/cameras/{}/snapshot", w.camera))
        }),
        row(M::POST, "/v1/admin/cameras", ADMIN_ONLY, |_, who| {
            Call::to("/v1/admin/cameras")
                .json(new_camera(&format!("Camera {}", who.index()), "http://127.0.0.1:9/s.jpg"))
        }),
        row(M::PUT, "/v1/admin/cameras/{id}", ADMIN_ONLY, |w, _| {
            Call::to(format!("/v1/admin/cameras/{}", w.camera))
                .json(new_camera("Cầu Rồng – đầu Trần Hưng Đạo", &w.fake_camera.snapshot_url()))
        }),
        row(M::DELETE, "/v1/admin/cameras/{id}", ADMIN_ONLY, |w, _| {
            Call::to(format!("/v1/admin/cameras/{}", w.spare_camera))
        }),
        // The demo's own areas again: later filings are routed as the fixture expects.
        row(M::PUT, "/v1/admin/areas", ADMIN_ONLY, |_, _| {
            let areas: Value = serde_json::from_str(smartcity_api::app::seed::DEMO_AREAS).unwrap();
            Call::to("/v1/admin/areas").json(areas)
        }),
        row(M::GET, "/v1/admin/routing-rules", ADMIN_ONLY, |_, _| {
            Call::to("/v1/admin/routing-rules")
        }),
        // The rule as it is: later filings still go where the fixture expects.
        row(M::PUT, "/v1/admin/routing-rules", ADMIN_ONLY, |w, _| {
            Call::to("/v1/admin/routing-rules").json(w.routing_rule.clone())
        }),
        row(M::GET, "/v1/categories", PUBLIC, |_, _| Call::to("/v1/categories")),
        row(M::GET, "/v1/areas", PUBLIC, |_, _| Call::to("/v1/areas")),
        row(M::GET, "/v1/land", PUBLIC, |_, _| Call::to("/v1/land?lat=16.045&lon=108.205")),
        row(M::GET, "/v1/complaints", PUBLIC, |_, _| {
            Call::to("/v1/complaints?min_lat=16&max_lat=16.1&min_lon=108.1&max_lon=108.3")
        }),
        row(M::POST, "/v1/complaints", SIGNED_IN, |_, _| Call {
            path: "/v1/complaints".into(),
            body: Body::Multipart(form("trees", HAI_CHAU.0, HAI_CHAU.1)),
        }),
        row(M::GET, "/v1/complaints/nearby", PUBLIC, |_, _| {
            Call::to(format!("/v1/complaints/nearby?lat={}&lon={}", HAI_CHAU.0, HAI_CHAU.1))
        }),
        row(M::GET, "/v1/complaints/{id}", PUBLIC, |w, _| {
            Call::to(format!("/v1/complaints/{}", w.complaint))
        }),
        // An internal note: the assigned agency's staff and administrators only.
        row(
            M::POST,
            "/v1/complaints/{id}/events",
            [
                Status(401),
                Status(403),
                Status(403),
                Done,
                Status(403),
                Done,
                Status(401),
                Status(401),
                Status(401),
            ],
            |w, _| {
                Call::to(format!("/v1/complaints/{}/events", w.complaint))
                    .json(json!({"type": "note", "text": "Đã chuyển tổ cây xanh"}))
            },
        ),
        row(M::POST, "/v1/complaints/{id}/followers", SIGNED_IN, |w, _| {
            Call::to(format!("/v1/complaints/{}/followers", w.complaint))
        }),
        row(M::POST, "/v1/complaints/{id}/me-too", SIGNED_IN, |w, _| {
            Call::to(format!("/v1/complaints/{}/me-too", w.complaint))
        }),
        row(M::GET, "/v1/me/complaints", SIGNED_IN, |_, _| Call::to("/v1/me/complaints")),
        row(M::POST, "/v1/me/devices", SIGNED_IN, |_, who| {
            Call::to("/v1/me/devices").json(json!({
                "token": format!("dXk3Q9r_TzO:APA91bH-authz-{}", who.index()),
                "platform": "android",
                "app_version": "2.3.1",
                "lang": "vi",
            }))
        }),
        row(M::DELETE, "/v1/me/devices/{token}", A_ONLY_OTHERS_HIDDEN, |_, _| {
            Call::to(format!("/v1/me/devices/{DEVICE_A}"))
        }),
        row(M::GET, "/v1/me/notifications", SIGNED_IN, |_, _| Call::to("/v1/me/notifications")),
        row(M::GET, "/v1/me/notifications/unread-count", SIGNED_IN, |_, _| {
            Call::to("/v1/me/notifications/unread-count")
        }),
        row(M::POST, "/v1/me/notifications/{id}/read", A_ONLY_OTHERS_HIDDEN, |w, _| {
            Call::to(format!("/v1/me/notifications/{}/read", w.notification_a))
        }),
        row(M::POST, "/v1/me/notifications/read-all", SIGNED_IN, |_, _| {
            Call::to("/v1/me/notifications/read-all")
        }),
        row(M::GET, "/v1/me/notification-settings", SIGNED_IN, |_, _| {
            Call::to("/v1/me/notification-settings")
        }),
        row(M::PUT, "/v1/me/notification-settings", SIGNED_IN, |_, _| {
            Call::to("/v1/me/notification-settings").json(json!({"push_off": []}))
        }),
        row(M::GET, "/v1/photos/{id}/{variant}", PUBLIC, |w, _| {
            Call::to(format!("/v1/photos/{}/thumbnail", w.photo))
        }),
        row(M::POST, "/v1/admin/open311-clients", ADMIN_ONLY, |_, _| {
            Call::to("/v1/admin/open311-clients").json(json!({"name": "Ứng dụng mới"}))
        }),
        row(M::GET, "/v1/admin/open311-clients", ADMIN_ONLY, |_, _| {
            Call::to("/v1/admin/open311-clients")
        }),
        row(M::DELETE, "/v1/admin/open311-clients/{id}", ADMIN_ONLY, |w, _| {
            Call::to(format!("/v1/admin/open311-clients/{}", w.spare_open311_client))
        }),
        row(M::GET, "/v1/admin/push-dead-letters", ADMIN_ONLY, |_, _| {
            Call::to("/v1/admin/push-dead-letters")
        }),
        row(M::POST, "/v1/admin/push-dead-letters/{id}/requeue", ADMIN_ONLY, |w, _| {
            Call::to(format!("/v1/admin/push-dead-letters/{}/requeue", w.dead_letter))
        }),
        row(M::GET, "/v1/warnings", PUBLIC, |_, _| Call::to("/v1/warnings?area=DEMO-02")),
        row(M::POST, "/v1/warnings", STAFF_OR_ADMIN, |_, who| {
            Call::to("/v1/warnings").json(warning_body(&format!("Cắt điện {}", who.index())))
        }),
        row(M::GET, "/v1/warnings/{id}", PUBLIC, |w, _| {
            Call::to(format!("/v1/warnings/{}", w.warning))
        }),
        // Staff change their own agency's warnings; administrators any.
        row(M::PUT, "/v1/warnings/{id}", but(STAFF_OR_ADMIN, StaffY, Status(403)), |w, _| {
            Call::to(format!("/v1/warnings/{}", w.warning)).json(warning_body("Mất nước kéo dài"))
        }),
        // A warning is called off once: X's staff and the administrator each call off their own.
        row(
            M::POST,
            "/v1/warnings/{id}/cancel",
            but(STAFF_OR_ADMIN, StaffY, Status(403)),
            |w, who| {
                let id =
                    if who == Admin { &w.warning_admin_cancels } else { &w.warning_staff_cancels };
                Call::to(format!("/v1/warnings/{id}/cancel"))
            },
        ),
        row(M::GET, "/v1/questions", PUBLIC, |_, _| Call::to("/v1/questions?q=le%20phi")),
        row(M::POST, "/v1/questions", SIGNED_IN, |_, who| {
            Call::to("/v1/questions").json(question_body(&format!("Câu hỏi {}", who.index())))
        }),
        row(M::GET, "/v1/questions/{id}", PUBLIC, |w, _| {
            Call::to(format!("/v1/questions/{}", w.question_published))
        }),
        row(M::GET, "/v1/question-topics", PUBLIC, |_, _| Call::to("/v1/question-topics")),
        row(M::GET, "/v1/me/questions", SIGNED_IN, |_, _| Call::to("/v1/me/questions")),
        row(M::GET, "/v1/me/questions/{id}", A_ONLY_OTHERS_HIDDEN, |w, _| {
            Call::to(format!("/v1/me/questions/{}", w.question_a))
        }),
        row(M::GET, "/v1/agency/questions", AGENCY, |_, _| Call::to("/v1/agency/questions")),
        // Another agency's question does not exist for Y.
        row(M::GET, "/v1/agency/questions/{id}", but(AGENCY, StaffY, Status(404)), |w, _| {
            Call::to(format!("/v1/agency/questions/{}", w.question_a))
        }),
        row(
            M::GET,
            "/v1/agency/questions/{id}/attachment",
            but(AGENCY, StaffY, Status(404)),
            |w, _| Call::to(format!("/v1/agency/questions/{}/attachment", w.question_a)),
        ),
        row(
            M::POST,
            "/v1/agency/questions/{id}/answer",
            but(AGENCY, StaffY, Status(404)),
            |w, who| {
                let id = by_x(&w.questions_to_answer, who);
                Call::to(format!("/v1/agency/questions/{id}/answer"))
                    .json(json!({"answer": "Được miễn lệ phí."}))
            },
        ),
        row(
            M::POST,
            "/v1/agency/questions/{id}/transfer",
            but(AGENCY, StaffY, Status(404)),
            |w, who| {
                let id = by_x(&w.questions_to_transfer, who);
                Call::to(format!("/v1/agency/questions/{id}/transfer"))
                    .json(json!({"agency": Y_CODE, "reason": "Thuộc thẩm quyền của Sở"}))
            },
        ),
        row(M::PUT, "/v1/admin/question-topics/{code}", ADMIN_ONLY, |_, _| {
            Call::to("/v1/admin/question-topics/moi-truong").json(json!({
                "name_vi": "Môi trường", "name_en": "Environment", "agency": Y_CODE,
            }))
        }),
        row(M::PUT, "/v1/admin/agencies/{id}/question-settings", ADMIN_ONLY, |w, _| {
            Call::to(format!("/v1/admin/agencies/{}/question-settings", w.agency_y))
                .json(json!({"answer_within_working_days": 10}))
        }),
        row(M::GET, "/v1/stats/questions", PUBLIC, |_, _| Call::to("/v1/stats/questions")),
        row(M::GET, "/v1/me/areas", SIGNED_IN, |_, _| Call::to("/v1/me/areas")),
        row(M::POST, "/v1/me/areas", SIGNED_IN, |_, _| {
            Call::to("/v1/me/areas").json(json!({"label": "home", "area": "DEMO-02"}))
        }),
        row(M::DELETE, "/v1/me/areas/{id}", A_ONLY_OTHERS_HIDDEN, |w, _| {
            Call::to(format!("/v1/me/areas/{}", w.area_a))
        }),
        row(M::GET, "/v1/air/stations", PUBLIC, |_, _| {
            Call::to(format!("/v1/air/stations?lat={}&lon={}", HAI_CHAU.0, HAI_CHAU.1))
        }),
        row(M::GET, "/v1/air/stations/{code}", PUBLIC, |_, _| {
            Call::to(format!("/v1/air/stations/{AIR_STATION}"))
        }),
        row(M::POST, "/v1/air/observations", AIR_NETWORK_ONLY, |_, _| {
            let hour_ago = chrono::Utc::now() - chrono::Duration::hours(1);
            Call::to("/v1/air/observations").json(json!({"observations": [{
                "station": AIR_STATION,
                "parameter": "pm25",
                "phenomenonTime": hour_ago.to_rfc3339(),
                "result": 20.0,
                "unit": "µg/m³",
            }]}))
        }),
        row(M::POST, "/v1/admin/air/networks", ADMIN_ONLY, |_, _| {
            Call::to("/v1/admin/air/networks").json(json!({"name": "Quan trắc thành phố"}))
        }),
        // The station as it is: the readings row still feeds it.
        row(M::PUT, "/v1/admin/air/stations/{code}", ADMIN_ONLY, |w, _| {
            Call::to(format!("/v1/admin/air/stations/{AIR_STATION}"))
                .json(air_station(&w.air_network))
        }),
        row(M::GET, "/open311/v2/discovery.{format}", PUBLIC, |_, _| {
            Call::to("/open311/v2/discovery.json")
        }),
        row(M::GET, "/open311/v2/services.{format}", PUBLIC, |_, _| {
            Call::to("/open311/v2/services.json")
        }),
        row(M::GET, "/open311/v2/services/{service_code}.{format}", PUBLIC, |_, _| {
            Call::to("/open311/v2/services/trees.json")
        }),
        row(M::GET, "/open311/v2/requests.{format}", PUBLIC, |_, _| {
            Call::to("/open311/v2/requests.json")
        }),
        // GeoReport answers a missing or unknown `api_key` 403, whoever else the caller is.
        row(
            M::POST,
            "/open311/v2/requests.{format}",
            [
                Status(403),
                Status(403),
                Status(403),
                Status(403),
                Status(403),
                Status(403),
                Status(403),
                Done,
                Status(403),
            ],
            |w, who| {
                let mut filing = open311_filing(&w.open311_key);
                if who != Open311Client {
                    filing.retain(|(name, _)| name != "api_key");
                }
                Call { path: "/open311/v2/requests.json".into(), body: Body::Form(filing) }
            },
        ),
        row(M::GET, "/open311/v2/requests/{service_request_id}.{format}", PUBLIC, |w, _| {
            Call::to(format!("/open311/v2/requests/{}.json", w.open311_request))
        }),
        row(M::GET, "/open311/v2/tokens/{token}.{format}", PUBLIC, |w, _| {
            Call::to(format!("/open311/v2/tokens/{}.json", w.open311_token))
        }),
        // Last: it erases whoever calls it. The seed's administrator remains, so ours may go.
        row(M::DELETE, "/v1/me", SIGNED_IN, |_, _| Call::to("/v1/me")),
    ]
}

fn new_camera(name: &str, snapshot_url: &str) -> Value {
    json!({
        "name": name,
        "kind": "flood_watch",
        "lat": HAI_CHAU.0,
        "lon": HAI_CHAU.1,
        "snapshot_url": snapshot_url,
    })
}

fn documented_operations() -> BTreeSet<(String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml");
    let spec: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(path).expect("openapi.yaml")).unwrap();
    let mut operations = BTreeSet::new();
    for (path, item) in spec["paths"].as_mapping().expect("paths") {
        for (method, _) in item.as_mapping().unwrap() {
            let method = method.as_str().unwrap();
            if ["get", "put", "post", "delete", "patch", "head", "options"].contains(&method) {
                operations.insert((method.to_uppercase(), path.as_str().unwrap().to_string()));
            }
        }
    }
    operations
}

#[test]
fn every_operation_in_the_spec_has_a_row_and_every_row_an_operation() {
    let table = rows();
    let covered: BTreeSet<(String, String)> =
        table.iter().map(|r| (r.method.to_string(), r.template.to_string())).collect();
    let documented = documented_operations();
    let missing: Vec<_> = documented.difference(&covered).collect();
    let extra: Vec<_> = covered.difference(&documented).collect();
    assert!(missing.is_empty(), "operations with no row in the authorization matrix: {missing:?}");
    assert!(extra.is_empty(), "rows for operations not in openapi.yaml: {extra:?}");
    assert_eq!(covered.len(), table.len(), "one row per operation");
}

/// A status and, for a problem, its code: what the mismatch table shows.
async fn outcome(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    let code = body["code"].as_str().or(body[0]["description"].as_str()).unwrap_or("");
    (status, code.to_string())
}

#[tokio::test]
async fn every_operation_answers_every_caller_as_entitled() {
    let world = World::build().await;
    let mut mismatches = Vec::new();
    for row in rows() {
        for who in CALL_ORDER {
            let call = (row.call)(&world, who);
            let (status, code) = outcome(world.send(row.method.clone(), call, who).await).await;
            let expected = row.expect[who.index()];
            let as_expected = match expected {
                Done => (200..300).contains(&status),
                Status(s) => s == status,
            };
            if !as_expected {
                mismatches.push(format!(
                    "{:<7} {:<52} {:<14} {:<9} {status} {code}",
                    row.method.as_str(),
                    row.template,
                    format!("{who:?}"),
                    expected.to_string(),
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} answers not as entitled:\n{:<7} {:<52} {:<14} {:<9} got\n{}",
        mismatches.len(),
        "method",
        "path",
        "principal",
        "expected",
        mismatches.join("\n")
    );
}

/// Whatever part of the text someone must not see.
fn assert_hides_reporter(body: &Value, context: &str) {
    let text = body.to_string();
    for private in ["912345678", "reporter_id", "Nguyễn Văn An", "\"anonymous\""] {
        assert!(!text.contains(private), "{context} shows {private}: {text}");
    }
}

#[tokio::test]
async fn another_citizen_sees_only_the_public_view_of_an_anonymous_complaint() {
    let w = World::build().await;
    let res = w
        .send(
            Method::POST,
            Call {
                path: "/v1/complaints".into(),
                body: Body::Multipart(
                    form("trees", HAI_CHAU.0, HAI_CHAU.1).text("anonymous", "true"),
                ),
            },
            CitizenA,
        )
        .await;
    let own = created(res, "anonymous complaint").await;
    let id = own["id"].as_str().unwrap().to_string();
    assert_eq!(
        (own["anonymous"].clone(), own["reporter_name"].clone()),
        (json!(true), json!("Nguyễn Văn An"))
    );

    let mine = w.get_as("/v1/me/complaints", CitizenA).await;
    let listed = mine["items"].as_array().unwrap().iter().find(|c| c["id"] == id.as_str());
    assert_eq!(listed.expect("A's own list has it")["anonymous"], true);

    for who in [CitizenB, StaffY, Anonymous] {
        let public = w.get_as(&format!("/v1/complaints/{id}"), who).await;
        assert_eq!(public["id"], id.as_str());
        assert_hides_reporter(&public, &format!("{who:?}'s view"));
    }
    let theirs = w.get_as("/v1/me/complaints", CitizenB).await;
    assert!(!theirs.to_string().contains(&id), "B's list holds only B's: {theirs}");
    let other_agency = w.get_as("/v1/agency/complaints", StaffY).await;
    assert!(!other_agency.to_string().contains(&id), "Y's list: {other_agency}");
    let assigned = w.get_as("/v1/agency/complaints", StaffX).await;
    assert!(assigned.to_string().contains(&id), "X's list: {assigned}");

    // Even the staff acting on it are not told who reported anonymously.
    let note = json!({"type": "note", "text": "Kiểm tra hiện trường"});
    let res = w.app.post_auth(&format!("/v1/complaints/{id}/events"), &w.staff_x, &note).await;
    assert_hides_reporter(&created(res, "note").await, "the staff view");
}

#[tokio::test]
async fn nobody_follows_or_reads_a_dossier_without_its_proof() {
    let w = World::build().await;
    let follow = |who: Principal, code: &str, phone: &str| {
        let call = Call::to("/v1/me/dossiers").json(json!({"code": code, "phone": phone}));
        w.send(Method::POST, call, who)
    };
    // B's own phone is no proof for A's dossier, and is answered as an unknown code is.
    let refused = assert_problem(
        follow(CitizenB, DOSSIER_X, CITIZEN_B_PHONE).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let unknown = assert_problem(
        follow(CitizenB, "000.00.07.H47-261102-9999", CITIZEN_B_PHONE).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_eq!(refused["detail"], unknown["detail"]);
    for who in [CitizenB, StaffX, Admin] {
        let res = w.send(Method::GET, Call::to(format!("/v1/dossiers/{DOSSIER_X}")), who).await;
        assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
    }
    assert_eq!(w.get_as("/v1/me/dossiers", CitizenB).await["items"], json!([]));

    let res = follow(CitizenA, DOSSIER_X, CITIZEN_PHONE).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let followed = w.get_as("/v1/me/dossiers", CitizenA).await;
    assert_eq!(followed["items"][0]["code"], DOSSIER_X);
}

#[tokio::test]
async fn staff_of_another_agency_cannot_move_a_complaint_along() {
    let w = World::build().await;
    let path = format!("/v1/complaints/{}/events", w.complaint);
    let before = w.get_as(&format!("/v1/complaints/{}", w.complaint), Admin).await;
    let events = [
        json!({"type": "acknowledged", "comment": "Đã nhận"}),
        json!({"type": "in_progress", "comment": "Đang xử lý"}),
        json!({"type": "resolved", "response": "Đã xử lý xong"}),
        json!({"type": "rejected", "reason": "Không thuộc thẩm quyền"}),
        json!({"type": "duplicate", "duplicate_of": w.complaint}),
        json!({"type": "reassigned", "to_agency_id": w.agency_y, "reason": "Chuyển về Sở"}),
        json!({"type": "note", "text": "Ghi chú nội bộ"}),
    ];
    for event in &events {
        let res = w.app.post_auth(&path, &w.staff_y, event).await;
        let problem = assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;
        assert!(problem["field"].is_null(), "refused for who, not for a field: {problem}");
    }
    let after = w.get_as(&format!("/v1/complaints/{}", w.complaint), Admin).await;
    assert_eq!(before, after, "nothing changed");
    assert!(!w.get_as("/v1/agency/complaints", StaffY).await.to_string().contains(&w.complaint));

    // The same acknowledgement from X's staff is taken.
    let res = w.app.post_auth(&path, &w.staff_x, &events[0]).await;
    assert_eq!(created(res, "X acknowledges").await["status"]["code"], "acknowledged");
}

/// The dossier as its applicant sees it.
async fn lookup(w: &World, code: &str) -> Value {
    let call = Call::to("/v1/dossiers/lookup").json(json!({"code": code, "phone": CITIZEN_PHONE}));
    created(w.send(Method::POST, call, Anonymous).await, code).await
}

#[tokio::test]
async fn an_agency_neither_reads_nor_changes_another_agency_s_dossier() {
    let w = World::build().await;
    let x_before = lookup(&w, DOSSIER_X).await;
    let y_before = lookup(&w, DOSSIER_Y).await;

    let listed = w.get_as("/v1/agency/dossiers", StaffY).await.to_string();
    assert!(listed.contains(DOSSIER_Y) && !listed.contains(DOSSIER_X), "Y's list: {listed}");
    let listed = w.get_as("/v1/agency/dossiers", AgencyKeyX).await.to_string();
    assert!(listed.contains(DOSSIER_X) && !listed.contains(DOSSIER_Y), "X's list: {listed}");

    let event = json!({"event_id": "foreign-1", "status": 9,
                       "occurred_at": chrono::Utc::now().to_rfc3339()});
    for (who, code) in [(StaffY, DOSSIER_X), (AgencyKeyX, DOSSIER_Y), (StaffX, DOSSIER_Y)] {
        let put = Call::to(format!("/v1/agency/dossiers/{code}")).json(dossier_body("Kẻ lạ"));
        let res = w.send(Method::PUT, put, who).await;
        assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;
        let post = Call::to(format!("/v1/agency/dossiers/{code}/events")).json(event.clone());
        let res = w.send(Method::POST, post, who).await;
        assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;
    }
    assert_eq!(lookup(&w, DOSSIER_X).await, x_before, "X's dossier unchanged");
    assert_eq!(lookup(&w, DOSSIER_Y).await, y_before, "Y's dossier unchanged");
}

#[tokio::test]
async fn a_caller_without_the_role_is_refused_whatever_body_they_send() {
    let w = World::build().await;
    let admin_writes = [
        (Method::POST, "/v1/admin/agencies".to_string()),
        (Method::POST, "/v1/admin/staff".to_string()),
        (Method::POST, format!("/v1/admin/agencies/{}/api-keys", w.agency_x)),
        (Method::POST, "/v1/admin/procedures".to_string()),
        (Method::PUT, format!("/v1/admin/procedures/{NEW_PROCEDURE}")),
        (Method::POST, "/v1/admin/categories".to_string()),
        (Method::PUT, format!("/v1/admin/categories/{NEW_CATEGORY}")),
        (Method::PUT, "/v1/admin/routing-rules".to_string()),
        (Method::POST, "/v1/admin/open311-clients".to_string()),
    ];
    let agency_writes = [
        (Method::PUT, format!("/v1/agency/dossiers/{DOSSIER_X}")),
        (Method::POST, format!("/v1/agency/dossiers/{DOSSIER_X}/events")),
    ];
    let refused = admin_writes
        .iter()
        .flat_map(|(m, p)| [CitizenA, StaffX].map(|who| (m, p, who)))
        .chain(agency_writes.iter().flat_map(|(m, p)| [CitizenA, Admin].map(|who| (m, p, who))));
    let mut answered = Vec::new();
    for (method, path, who) in refused {
        // Not even a valid body: the role refuses it before the body is looked at.
        let res = w.send(method.clone(), Call::to(path.clone()).json(json!({})), who).await;
        if res.status() != StatusCode::FORBIDDEN {
            answered.push(format!("{method} {path} by {who:?}: {}", res.status()));
        }
    }
    assert!(answered.is_empty(), "expected 403:\n{}", answered.join("\n"));
}

#[tokio::test]
async fn a_caller_not_signed_in_is_asked_to_sign_in_whatever_body_they_send() {
    let w = World::build().await;
    let signed_in_writes = [
        (Method::POST, "/v1/me/devices"),
        (Method::PUT, "/v1/me/notification-settings"),
        (Method::POST, "/v1/me/dossiers"),
        (Method::POST, "/v1/admin/agencies"),
        (Method::POST, "/v1/admin/categories"),
        (Method::PUT, "/v1/admin/routing-rules"),
    ];
    let mut answered = Vec::new();
    for (method, path) in signed_in_writes {
        // A body that fails validation must not be what a caller without a session hears.
        let res =
            w.send(method.clone(), Call::to(path.to_string()).json(json!({})), Anonymous).await;
        if res.status() != StatusCode::UNAUTHORIZED {
            answered.push(format!("{method} {path}: {}", res.status()));
        }
    }
    assert!(answered.is_empty(), "expected 401:\n{}", answered.join("\n"));
}

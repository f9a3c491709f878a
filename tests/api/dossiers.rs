//! Dossiers: agency intake (API key or staff), events, citizen lookup with proof, following,
//! the agency's list and the public statistics.

use crate::helpers::*;
use chrono::{Duration, NaiveDate};
use reqwest::StatusCode;
use serde_json::{json, Value};
use smartcity_domain::calendar::WorkCalendar;

const APPLICANT_PHONE: &str = "0912 345 678";
const CODE: &str = "000.00.07.H47-261102-0001";

struct Intake {
    app: TestApp,
    admin: String,
    agency_id: String,
    key: String,
}

fn today() -> NaiveDate {
    (chrono::Utc::now() + Duration::hours(7)).date_naive()
}

async fn create_agency(app: &TestApp, admin: &str, code: &str) -> String {
    let res = app
        .post_auth(
            "/v1/admin/agencies",
            admin,
            &json!({"code": code, "name": format!("UBND {code}"), "level": "commune"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

async fn create_key(app: &TestApp, admin: &str, agency_id: &str) -> Value {
    let res = app
        .post_auth(
            &format!("/v1/admin/agencies/{agency_id}/api-keys"),
            admin,
            &json!({"label": "Hệ thống một cửa"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

async fn intake() -> Intake {
    intake_with(|_| {}).await
}

async fn intake_with(adjust: impl FnOnce(&mut smartcity_api::config::Config)) -> Intake {
    let app = spawn_app_with(adjust, |_| {}).await;
    app.with_db(|conn| {
        let catalogue =
            smartcity_domain::procedure::parse_catalogue(smartcity_api::app::seed::DEMO_CATALOGUE)
                .unwrap();
        smartcity_db::procedures::upsert_all(conn, &catalogue, smartcity_db::now()).unwrap()
    })
    .await;
    let admin = app.admin_token().await;
    let agency_id = create_agency(&app, &admin, "ubnd-phuong-a").await;
    let key = create_key(&app, &admin, &agency_id).await["key"].as_str().unwrap().to_string();
    Intake { app, admin, agency_id, key }
}

impl Intake {
    async fn put_dossier(&self, key: &str, code: &str, body: &Value) -> reqwest::Response {
        self.app
            .client
            .put(self.app.url(&format!("/v1/agency/dossiers/{code}")))
            .header("x-api-key", key)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    async fn dossier(&self, code: &str, received: NaiveDate, due: NaiveDate) {
        let res = self.put_dossier(&self.key, code, &dossier_body(received, due)).await;
        assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    }

    async fn event(&self, code: &str, body: Value) -> reqwest::Response {
        self.app
            .client
            .post(self.app.url(&format!("/v1/agency/dossiers/{code}/events")))
            .header("x-api-key", &self.key)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// `token`'s holder follows the dossier `CODE`, proving it with `phone`.
    async fn follow(&self, token: &str, phone: &str) -> reqwest::Response {
        let body = json!({"code": CODE, "phone": phone});
        self.app.post_auth("/v1/me/dossiers", token, &body).await
    }

    async fn lookup(&self, code: &str, phone: &str) -> reqwest::Response {
        self.app.post_json("/v1/dossiers/lookup", &json!({"code": code, "phone": phone})).await
    }
}

fn dossier_body(received: NaiveDate, due: NaiveDate) -> Value {
    json!({
        "procedure_code": "XA-HT-01",
        "applicant_name": "Nguyễn Văn An",
        "applicant_phone": APPLICANT_PHONE,
        "received_on": received,
        "due_on": due,
    })
}

fn event(id: &str, status: i32, at: &str) -> Value {
    json!({"event_id": id, "status": status, "occurred_at": at, "step": "Thụ lý",
           "department": "Bộ phận một cửa", "officer": "Trần Thị Bình"})
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[tokio::test]
async fn api_keys_are_shown_once_stored_hashed_and_revocable() {
    let t = intake().await;
    let app = &t.app;
    let created = create_key(app, &t.admin, &t.agency_id).await;
    let key = created["key"].as_str().unwrap();
    assert!(key.starts_with("sck_") && key.len() > 40);
    assert!(key.starts_with(created["prefix"].as_str().unwrap()));

    let list: Value = app
        .client
        .get(app.url(&format!("/v1/admin/agencies/{}/api-keys", t.agency_id)))
        .bearer_auth(&t.admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert!(!list.to_string().contains(key), "the key is never shown again");
    let stored = app.with_db(|conn| {
        use diesel::prelude::*;
        smartcity_db::schema::agency_api_keys::table
            .select(smartcity_db::schema::agency_api_keys::key_hash)
            .load::<String>(conn)
            .unwrap()
    });
    assert!(!stored.await.iter().any(|h| h == key), "only hashes are stored");

    assert_eq!(
        t.put_dossier(key, CODE, &dossier_body(day("2026-11-02"), day("2026-11-05")))
            .await
            .status(),
        StatusCode::CREATED
    );
    let id = created["id"].as_str().unwrap();
    let revoke = app
        .delete_auth(&format!("/v1/admin/agencies/{}/api-keys/{id}", t.agency_id), &t.admin)
        .await;
    assert_eq!(revoke.status(), StatusCode::NO_CONTENT);
    let refused =
        t.put_dossier(key, CODE, &dossier_body(day("2026-11-02"), day("2026-11-05"))).await;
    assert_problem(refused, StatusCode::UNAUTHORIZED, "invalid_api_key").await;

    let citizen = app.citizen_token().await;
    let res = app
        .post_auth(
            &format!("/v1/admin/agencies/{}/api-keys", t.agency_id),
            &citizen,
            &json!({"label": "x"}),
        )
        .await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = app
        .post_auth("/v1/admin/agencies/no-such-agency/api-keys", &t.admin, &json!({"label": "x"}))
        .await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn intake_is_idempotent_and_the_latest_event_by_time_is_current() {
    let t = intake().await;
    let body = dossier_body(day("2026-11-02"), day("2026-11-06"));
    assert_eq!(t.put_dossier(&t.key, CODE, &body).await.status(), StatusCode::CREATED);
    let mut renamed = body.clone();
    renamed["applicant_name"] = json!("Nguyễn Văn Anh");
    let res = t.put_dossier(&t.key, CODE, &renamed).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["applicant_name"], "Nguyễn Văn Anh");

    let res = t.event(CODE, event("e1", 2, "2026-11-02T08:00:00+07:00")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(
        t.event(CODE, event("e3", 4, "2026-11-04T08:00:00+07:00")).await.status(),
        StatusCode::CREATED
    );
    // Arrives late: joins the timeline without changing the current status.
    let late = t.event(CODE, event("e2", 5, "2026-11-03T08:00:00+07:00")).await;
    assert_eq!(late.status(), StatusCode::CREATED);
    assert_eq!(late.json::<Value>().await.unwrap()["dossier"]["status"]["code"], 4);
    // Sent twice: ignored.
    let again = t.event(CODE, event("e3", 4, "2026-11-04T08:00:00+07:00")).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<Value>().await.unwrap()["recorded"], false);

    let view: Value = t.lookup(CODE, APPLICANT_PHONE).await.json().await.unwrap();
    let statuses: Vec<i64> = view["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"]["code"].as_i64().unwrap())
        .collect();
    assert_eq!(statuses, vec![2, 5, 4]);
    assert_eq!(view["status"]["code"], 4);
    assert_eq!(view["status"]["label"], "Đang xử lý");
}

#[tokio::test]
async fn a_closed_dossier_refuses_later_events_unless_reopened() {
    let t = intake().await;
    t.dossier(CODE, day("2026-11-02"), day("2026-11-06")).await;
    t.event(CODE, event("e1", 9, "2026-11-04T08:00:00+07:00")).await;
    assert_eq!(
        t.event(CODE, event("e2", 10, "2026-11-05T08:00:00+07:00")).await.status(),
        StatusCode::CREATED
    );
    let res = t.event(CODE, event("e3", 4, "2026-11-06T08:00:00+07:00")).await;
    let problem = assert_problem(res, StatusCode::CONFLICT, "dossier_closed").await;
    assert!(problem["detail"].as_str().unwrap().contains("Đã trả kết quả"), "{problem}");

    let mut reopening = event("e3", 4, "2026-11-06T08:00:00+07:00");
    reopening["reopens"] = json!(true);
    let res = t.event(CODE, reopening).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let dossier = &res.json::<Value>().await.unwrap()["dossier"];
    assert_eq!(dossier["status"]["code"], 4);
    assert_eq!(dossier["finished_on"], Value::Null);
}

#[tokio::test]
async fn another_agencys_dossier_is_refused_and_staff_work_by_hand_for_their_own() {
    let t = intake().await;
    let app = &t.app;
    t.dossier(CODE, day("2026-11-02"), day("2026-11-06")).await;
    let other = create_agency(app, &t.admin, "ubnd-phuong-b").await;
    let other_key = create_key(app, &t.admin, &other).await["key"].as_str().unwrap().to_string();
    let res =
        t.put_dossier(&other_key, CODE, &dossier_body(day("2026-11-02"), day("2026-11-06"))).await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = app
        .client
        .post(app.url(&format!("/v1/agency/dossiers/{CODE}/events")))
        .header("x-api-key", &other_key)
        .json(&event("x1", 4, "2026-11-03T08:00:00+07:00"))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;

    // Staff of the owning agency push by hand with their bearer token.
    app.insert_user("+84905000001", "staff", Some(t.agency_id.clone())).await;
    let staff = app.tokens("+84905000001", STRONG_PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .post_auth(
            &format!("/v1/agency/dossiers/{CODE}/events"),
            &staff,
            &event("by-hand", 4, "2026-11-03T08:00:00+07:00"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let citizen = app.citizen_token().await;
    for token in [&citizen, &t.admin] {
        let res =
            app.client.get(app.url("/v1/agency/dossiers")).bearer_auth(token).send().await.unwrap();
        assert_problem(res, StatusCode::FORBIDDEN, "forbidden").await;
    }
    assert_problem(
        app.get("/v1/agency/dossiers").await,
        StatusCode::UNAUTHORIZED,
        "authentication_required",
    )
    .await;
    let res = app
        .client
        .get(app.url("/v1/agency/dossiers"))
        .header("x-api-key", "sck_guess")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_api_key").await;
}

#[tokio::test]
async fn bad_intake_input_is_refused_naming_the_field() {
    let t = intake().await;
    let good = dossier_body(day("2026-11-02"), day("2026-11-06"));
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    for (body, field) in [
        (with("applicant_phone", json!("12345")), "applicant_phone"),
        (with("due_on", json!("2026-11-01")), "due_on"),
        (with("received_on", json!("02/11/2026")), "received_on"),
        (with("procedure_code", json!("NO-SUCH-PROCEDURE")), "procedure_code"),
        (with("applicant_name", json!("")), "applicant_name"),
    ] {
        let res = t.put_dossier(&t.key, CODE, &body).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        assert_eq!(problem["field"], field, "{body}");
    }
    let res = t.put_dossier(&t.key, "not a code", &good).await;
    assert_eq!(
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await["field"],
        "code"
    );

    t.dossier(CODE, day("2026-11-02"), day("2026-11-06")).await;
    let future = (chrono::Utc::now() + Duration::days(2)).to_rfc3339();
    for (body, field) in [
        (event("e1", 11, "2026-11-03T08:00:00+07:00"), "status"),
        (event("e1", 4, "yesterday"), "occurred_at"),
        (event("e1", 4, &future), "occurred_at"),
        (event("", 4, "2026-11-03T08:00:00+07:00"), "event_id"),
    ] {
        let res = t.event(CODE, body.clone()).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        assert_eq!(problem["field"], field, "{body}");
    }
    let res = t.event("000.UNKNOWN-1", event("e1", 4, "2026-11-03T08:00:00+07:00")).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn lookup_with_proof_shows_status_timeline_deadline_and_a_masked_name() {
    let t = intake().await;
    let due = today() + Duration::days(10);
    t.dossier(CODE, today() - Duration::days(3), due).await;
    t.event(CODE, event("e1", 4, &(chrono::Utc::now() - Duration::hours(1)).to_rfc3339())).await;

    let res = t.lookup(CODE, "+84912345678").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["cache-control"].to_str().unwrap().contains("no-store"));
    let view: Value = res.json().await.unwrap();
    assert_eq!(view["applicant_name"], "Nguyễn V. A.");
    assert_eq!(view["procedure"]["name"], "Đăng ký khai sinh");
    assert_eq!(view["agency_name"], "UBND ubnd-phuong-a");
    assert_eq!(view["status"]["label"], "Đang xử lý");
    assert_eq!(view["status"]["label_en"], "Processing");
    assert_eq!(view["timeline"][0]["officer"], "Trần Thị Bình");
    let expected_left = t.app.config.calendar.working_days_between(today(), due);
    assert_eq!(view["working_days_left"], expected_left);
    assert_eq!(view["working_days_overdue"], Value::Null);
    let text = view.to_string();
    assert!(
        !text.contains("912345678") && !text.contains("Văn An"),
        "no phone, no full name: {text}"
    );
}

#[tokio::test]
async fn working_days_left_skip_the_configured_holidays() {
    let start = today();
    // Every day of the next week is a holiday: only weekdays after it count.
    let holidays: Vec<String> = (1..=7).map(|d| (start + Duration::days(d)).to_string()).collect();
    let list = holidays.join(",");
    let t = intake_with(move |c| c.calendar = WorkCalendar::parse(&list).unwrap()).await;
    let due = start + Duration::days(14);
    t.dossier(CODE, start, due).await;
    let view: Value = t.lookup(CODE, APPLICANT_PHONE).await.json().await.unwrap();
    let without_holidays = WorkCalendar::default().working_days_between(start, due);
    let left = view["working_days_left"].as_i64().unwrap();
    assert_eq!(
        left,
        WorkCalendar::parse(&holidays.join(",")).unwrap().working_days_between(start, due)
    );
    assert!(left < without_holidays, "{left} vs {without_holidays}");
}

async fn problem_without_ids(res: reqwest::Response) -> Value {
    let mut body = assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
    body.as_object_mut().unwrap().remove("request_id");
    body.as_object_mut().unwrap().remove("instance");
    body
}

#[tokio::test]
async fn a_wrong_proof_and_an_unknown_code_get_the_same_404() {
    let t = intake().await;
    t.dossier(CODE, day("2026-11-02"), day("2026-11-06")).await;
    let wrong_phone = problem_without_ids(t.lookup(CODE, "0987654321").await).await;
    let unknown =
        problem_without_ids(t.lookup("000.00.07.H47-999999-9999", APPLICANT_PHONE).await).await;
    assert_eq!(wrong_phone, unknown);
}

#[tokio::test]
async fn lookups_are_rate_limited_per_code_and_per_address() {
    let t = intake().await;
    t.dossier(CODE, day("2026-11-02"), day("2026-11-06")).await;
    let policy = t.app.config.lookup_throttle.clone();
    for _ in 0..policy.subject_lock_after {
        assert_eq!(t.lookup(CODE, "0987654321").await.status(), StatusCode::NOT_FOUND);
    }
    // The code is locked, even for its owner, until the lock ends.
    let res = t.lookup(CODE, APPLICANT_PHONE).await;
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;

    // Walking through codes from one address locks the address.
    t.dossier("000.00.07.H47-261102-0002", day("2026-11-02"), day("2026-11-06")).await;
    for i in 0..policy.address_lock_after {
        t.lookup(&format!("000.00.07.H47-261102-9{i:03}"), APPLICANT_PHONE).await;
    }
    let res = t.lookup("000.00.07.H47-261102-0002", APPLICANT_PHONE).await;
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
}

/// A success is no failure: an applicant (or a kiosk looking up many applicants' dossiers)
/// proving a dossier again and again is never locked out, and a success does not wipe out the
/// failures before it.
#[tokio::test]
async fn right_proofs_never_use_up_the_limits() {
    let t = intake().await;
    t.dossier(CODE, day("2026-11-02"), day("2026-11-06")).await;
    let policy = t.app.config.lookup_throttle.clone();
    let enough = policy.subject_lock_after.max(policy.address_lock_after) + 3;
    for _ in 0..enough {
        assert_eq!(t.lookup(CODE, APPLICANT_PHONE).await.status(), StatusCode::OK);
    }
    for _ in 0..policy.subject_lock_after - 1 {
        assert_eq!(t.lookup(CODE, "0987654321").await.status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(t.lookup(CODE, APPLICANT_PHONE).await.status(), StatusCode::OK);
    // The last failure the code allows still counts from the ones before the success.
    assert_eq!(t.lookup(CODE, "0987654321").await.status(), StatusCode::NOT_FOUND);
    let res = t.lookup(CODE, APPLICANT_PHONE).await;
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
}

/// A lock ends: then the owner gets in again, and the code's failures count afresh.
#[tokio::test]
async fn a_locked_code_opens_again_when_its_lock_ends() {
    let t =
        intake_with(|config| config.lookup_throttle.lock_for = std::time::Duration::from_secs(1))
            .await;
    t.dossier(CODE, day("2026-11-02"), day("2026-11-06")).await;
    let limit = t.app.config.lookup_throttle.subject_lock_after;
    for _ in 0..limit {
        assert_eq!(t.lookup(CODE, "0987654321").await.status(), StatusCode::NOT_FOUND);
    }
    let res = t.lookup(CODE, APPLICANT_PHONE).await;
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;

    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    assert_eq!(t.lookup(CODE, APPLICANT_PHONE).await.status(), StatusCode::OK);
    for _ in 0..limit {
        assert_eq!(t.lookup(CODE, "0987654321").await.status(), StatusCode::NOT_FOUND);
    }
    let res = t.lookup(CODE, APPLICANT_PHONE).await;
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
}

/// Wrong proofs for one code sent at once from many addresses: the code's limit holds.
#[tokio::test]
async fn parallel_wrong_proofs_for_one_code_are_checked_only_up_to_its_limit() {
    let t = intake().await;
    t.dossier(CODE, day("2026-11-02"), day("2026-11-06")).await;
    let limit = t.app.config.lookup_throttle.subject_lock_after as usize;
    let guesses = 6 * limit;
    let requests = (0..guesses)
        .map(|i| {
            client_from_address(i)
                .post(t.app.url("/v1/dossiers/lookup"))
                .json(&json!({"code": CODE, "phone": format!("09876543{i:02}")}))
        })
        .collect();
    let answers = statuses_at_once(requests).await;
    let tally = checked_and_refused(&answers, StatusCode::NOT_FOUND);
    assert_eq!(tally, (limit, guesses - limit), "{answers:?}");
}

#[tokio::test]
async fn a_signed_in_citizen_sees_only_dossiers_filed_under_their_phone() {
    let t = intake().await;
    t.dossier(CODE, day("2026-11-02"), day("2026-11-06")).await;
    let owner = t.app.citizen_token().await;
    let res = t.app.get_auth(&format!("/v1/dossiers/{CODE}"), &owner).await;
    assert_eq!(res.status(), StatusCode::OK);
    t.app.register("0987 654 321", "Trần Thị Bình", STRONG_PASSWORD).await;
    let other = t.app.access_token("0987654321", STRONG_PASSWORD).await;
    let res = t.app.get_auth(&format!("/v1/dossiers/{CODE}"), &other).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn followers_get_an_inbox_entry_for_each_status_change_and_only_then() {
    let t = intake().await;
    let app = &t.app;
    t.dossier(CODE, day("2026-11-02"), day("2026-11-09")).await;
    let citizen = app.citizen_token().await;
    let res = t.follow(&citizen, "0987654321").await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(t.follow(&citizen, APPLICANT_PHONE).await.status(), StatusCode::CREATED);
    assert_eq!(t.follow(&citizen, APPLICANT_PHONE).await.status(), StatusCode::OK);
    let mine: Value = app.get_auth("/v1/me/dossiers", &citizen).await.json().await.unwrap();
    assert_eq!(mine["items"][0]["code"], CODE);

    t.event(CODE, event("e1", 2, "2026-11-02T08:00:00+07:00")).await;
    t.event(CODE, event("e1", 2, "2026-11-02T08:00:00+07:00")).await; // a repeat
    t.event(CODE, event("e0", 1, "2026-11-01T08:00:00+07:00")).await; // late, no change
    t.event(CODE, event("e2", 4, "2026-11-03T08:00:00+07:00")).await;
    let user_id = app.get_auth("/v1/me", &citizen).await.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let inbox = app.inbox_rows(user_id).await;
    assert_eq!(inbox.len(), 2, "one per change: {inbox:?}");
    assert!(inbox[0].title_vi.contains("Đang xử lý"), "{:?}", inbox[0]);
    assert!(inbox[0].title_en.contains("Processing"));
    let data: Value = serde_json::from_str(&inbox[0].data).unwrap();
    assert_eq!(data, json!({"kind": "dossier_status", "dossier_code": CODE, "status": "4"}));

    let res = app.delete_auth(&format!("/v1/me/dossiers/{CODE}"), &citizen).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.delete_auth(&format!("/v1/me/dossiers/{CODE}"), &citizen).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_new_phone_on_file_ends_follows_made_with_the_old_one() {
    // Failed before: the former follower kept the timeline, the new applicant's masked name
    // and every status notice after the agency corrected the phone.
    let t = intake().await;
    let app = &t.app;
    t.dossier(CODE, day("2026-11-02"), day("2026-11-09")).await;
    let citizen = app.citizen_token().await;
    let followed = |token: String| async move {
        let mine: Value = app.get_auth("/v1/me/dossiers", &token).await.json().await.unwrap();
        mine["items"].as_array().unwrap().len()
    };
    assert_eq!(t.follow(&citizen, APPLICANT_PHONE).await.status(), StatusCode::CREATED);

    // The same phone spelt another way, and a corrected name: the follow stands.
    let mut same_phone = dossier_body(day("2026-11-02"), day("2026-11-09"));
    same_phone["applicant_phone"] = json!("+84912345678");
    same_phone["applicant_name"] = json!("Nguyễn Văn Ân");
    assert_eq!(t.put_dossier(&t.key, CODE, &same_phone).await.status(), StatusCode::OK);
    assert_eq!(followed(citizen.clone()).await, 1);

    let mut new_phone = same_phone.clone();
    new_phone["applicant_phone"] = json!("0987 654 321");
    new_phone["applicant_name"] = json!("Lê Thị Cúc");
    assert_eq!(t.put_dossier(&t.key, CODE, &new_phone).await.status(), StatusCode::OK);
    assert_eq!(followed(citizen.clone()).await, 0, "the follow ended with the old phone");

    let inbox = |token: String| async move {
        let res = app
            .client
            .get(app.url("/v1/me/notifications"))
            .bearer_auth(&token)
            .header("accept-language", "vi")
            .send()
            .await
            .unwrap();
        res.json::<Value>().await.unwrap()["items"].as_array().unwrap().clone()
    };
    let told = inbox(citizen.clone()).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["kind"], "dossier_unlinked");
    assert_eq!(told[0]["body"], format!("Hồ sơ {CODE} không còn liên kết với bạn."));
    assert_eq!(told[0]["data"], json!({"kind": "dossier_unlinked", "dossier_code": CODE}));

    // Later changes reach the former follower by no route.
    let res = t.event(CODE, event("e1", 2, "2026-11-02T08:00:00+07:00")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(inbox(citizen.clone()).await.len(), 1);
    let res = t.follow(&citizen, APPLICANT_PHONE).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = app.delete_auth(&format!("/v1/me/dossiers/{CODE}"), &citizen).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = app.get_auth(&format!("/v1/dossiers/{CODE}"), &citizen).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;

    // The phone now on file proves the dossier to whoever holds it.
    app.register("0987 654 321", "Lê Thị Cúc", STRONG_PASSWORD).await;
    let owner = app.access_token("0987654321", STRONG_PASSWORD).await;
    app.verify_phone(&owner, "0987654321").await;
    assert_eq!(t.follow(&owner, "0987654321").await.status(), StatusCode::CREATED);
    assert_eq!(followed(owner).await, 1);
}

#[tokio::test]
async fn staff_list_their_agencys_dossiers_with_filters() {
    let t = intake().await;
    let now = today();
    t.dossier("D-OVERDUE", now - Duration::days(20), now - Duration::days(10)).await;
    t.dossier("D-THIS-WEEK", now - Duration::days(1), now + Duration::days(3)).await;
    t.dossier("D-LATER", now, now + Duration::days(30)).await;
    t.dossier("D-DONE-LATE", now - Duration::days(20), now - Duration::days(12)).await;
    t.event(
        "D-DONE-LATE",
        event("done", 9, &(chrono::Utc::now() - Duration::hours(2)).to_rfc3339()),
    )
    .await;
    t.event("D-LATER", event("p", 4, &(chrono::Utc::now() - Duration::hours(2)).to_rfc3339()))
        .await;
    let other = create_agency(&t.app, &t.admin, "ubnd-phuong-b").await;
    let other_key = create_key(&t.app, &t.admin, &other).await["key"].as_str().unwrap().to_string();
    t.put_dossier(&other_key, "D-OTHER", &dossier_body(now, now + Duration::days(1))).await;

    let list = |query: &'static str| {
        t.app
            .client
            .get(t.app.url(&format!("/v1/agency/dossiers{query}")))
            .header("x-api-key", &t.key)
            .send()
    };
    let codes = |body: Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect()
    };
    let all: Value = list("").await.unwrap().json().await.unwrap();
    assert_eq!(all["total"], 4);
    assert_eq!(codes(all)[0], "D-DONE-LATE", "soonest due first");
    let overdue: Value = list("?overdue=true").await.unwrap().json().await.unwrap();
    assert_eq!(codes(overdue.clone()), vec!["D-OVERDUE"]);
    assert!(overdue["items"][0]["working_days_overdue"].as_i64().unwrap() >= 1, "{overdue}");
    let week: Value = list("?due_within_days=7").await.unwrap().json().await.unwrap();
    assert_eq!(codes(week), vec!["D-OVERDUE", "D-THIS-WEEK"]);
    let processing: Value = list("?status=4").await.unwrap().json().await.unwrap();
    assert_eq!(codes(processing), vec!["D-LATER"]);
    let res = list("?status=12").await.unwrap();
    assert_eq!(
        assert_problem(res, StatusCode::BAD_REQUEST, "invalid_query").await["field"],
        "status"
    );
}

#[tokio::test]
async fn public_statistics_count_received_finished_and_on_time_per_agency_and_month() {
    let t = intake().await;
    // October: received one; November: received two, finished two (one on time, one late).
    // ST-02 came online, the others at the counter.
    t.dossier("ST-01", day("2026-10-20"), day("2026-11-03")).await;
    t.event("ST-01", event("s1", 9, "2026-11-02T10:00:00+07:00")).await;
    let mut online = dossier_body(day("2026-11-02"), day("2026-11-05"));
    online["channel"] = json!("online");
    let res = t.put_dossier(&t.key, "ST-02", &online).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.json::<Value>().await.unwrap()["channel"], "online");
    let mut kiosk = online.clone();
    kiosk["channel"] = json!("kiosk");
    let res = t.put_dossier(&t.key, "ST-09", &kiosk).await;
    assert_eq!(
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await["field"],
        "channel"
    );
    t.event("ST-02", event("s2", 9, "2026-11-09T10:00:00+07:00")).await;
    t.event("ST-02", event("s2b", 10, "2026-11-10T10:00:00+07:00")).await;
    t.dossier("ST-03", day("2026-11-03"), day("2026-11-20")).await;

    let res = t.app.get("/v1/stats/dossiers?from=2026-10&to=2026-11").await;
    assert_eq!(res.status(), StatusCode::OK);
    let stats: Value = res.json().await.unwrap();
    let items = stats["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{stats}");
    let october = &items[0];
    assert_eq!(
        (october["month"].as_str(), october["received"].as_i64(), october["finished"].as_i64()),
        (Some("2026-10"), Some(1), Some(0))
    );
    assert_eq!(october["on_time_rate"], Value::Null);
    let november = &items[1];
    assert_eq!(november["agency"]["code"], "ubnd-phuong-a");
    assert_eq!(
        (
            november["received"].as_i64(),
            november["finished"].as_i64(),
            november["finished_on_time"].as_i64()
        ),
        (Some(2), Some(2), Some(1))
    );
    assert_eq!(november["on_time_rate"], 0.5);
    // By channel: the counter's finished on time, the online one late.
    let channel = |name: &str| {
        let found = november["channels"].as_array().unwrap().iter().find(|c| c["channel"] == name);
        found.cloned().unwrap_or_else(|| panic!("{name} in {november}"))
    };
    let (counter, online) = (channel("counter"), channel("online"));
    assert_eq!((counter["received"].as_i64(), counter["finished"].as_i64()), (Some(1), Some(1)));
    assert_eq!(counter["on_time_rate"], 1.0);
    assert_eq!((online["received"].as_i64(), online["finished"].as_i64()), (Some(1), Some(1)));
    assert_eq!(online["on_time_rate"], 0.0);
    assert_eq!(october["channels"][1]["channel"], "online");
    assert_eq!(october["channels"][1]["received"], 0);
    // The public page says the same of the last twelve months: finished, on time, submitted
    // online, online on time.
    let page = t.app.get("/").await.text().await.unwrap();
    let start = page.find("data-agency=\"ubnd-phuong-a\"").expect("the agency's row");
    let row = &page[start..start + page[start..].find("</tr>").unwrap()];
    let cells: Vec<&str> = row
        .split("<td class=\"num\">")
        .skip(1)
        .map(|cell| &cell[..cell.find("</td>").unwrap()])
        .collect();
    // After the five of complaints.
    assert_eq!(cells[5..9], ["2", "50 %", "1", "0 %"], "{row}");
    let text = stats.to_string();
    assert!(!text.contains("Nguyễn") && !text.contains("912345678"), "no personal data");

    let res = t.app.get("/v1/stats/dossiers?from=2026-13").await;
    assert_eq!(
        assert_problem(res, StatusCode::BAD_REQUEST, "invalid_query").await["field"],
        "from"
    );
}

#[tokio::test]
async fn dates_and_times_are_exactly_rfc_3339_or_yyyy_mm_dd_else_the_field_is_named() {
    let t = intake().await;
    let (received, due) = (today() - Duration::days(3), today() + Duration::days(5));
    for bad in
        ["2026-1-5", "2026-02-30", "0000-01-01", "+2026-01-05", "20260105", "2026-01-05T00:00:00Z"]
    {
        let mut body = dossier_body(received, due);
        body["received_on"] = json!(bad);
        let res = t.put_dossier(&t.key, CODE, &body).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        assert_eq!(problem["field"], "received_on", "{bad}");
    }
    t.dossier(CODE, received, due).await;

    let yesterday = (today() - Duration::days(1)).format("%Y-%m-%d").to_string();
    for (i, bad) in [
        format!("{yesterday} 07:00:00+07:00"),
        format!("{yesterday}T07:00:60+07:00"),
        format!("{yesterday}T07:00:00+0700"),
        format!("{yesterday}T7:00:00+07:00"),
        format!("{yesterday}T07:00:00"),
        yesterday.clone(),
    ]
    .iter()
    .enumerate()
    {
        let res = t.event(CODE, event(&format!("bad-{i}"), 2, bad)).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        assert_eq!(problem["field"], "occurred_at", "{bad}");
    }
    for (i, good) in [format!("{yesterday}T07:00:00+07:00"), format!("{yesterday}t08:30:00.125z")]
        .iter()
        .enumerate()
    {
        let res = t.event(CODE, event(&format!("good-{i}"), 2 + 2 * i as i32, good)).await;
        assert_eq!(res.status(), StatusCode::CREATED, "{good}: {}", res.text().await.unwrap());
    }

    for (query, field) in [
        ("from=2026-1", "from"),
        ("from=2026-13", "from"),
        ("to=2026-11-01", "to"),
        ("from=0000-01", "from"),
    ] {
        let res = t.app.get(&format!("/v1/stats/dossiers?{query}")).await;
        let problem = assert_problem(res, StatusCode::BAD_REQUEST, "invalid_query").await;
        assert_eq!(problem["field"], field, "{query}");
    }
    let box_ = "min_lat=16&max_lat=16.1&min_lon=108.1&max_lon=108.3";
    for since in ["2026-11-01", "2026-11-01%2007:00:00Z", "2026-11-01T07:00:00%2B0700"] {
        let res = t.app.get(&format!("/v1/complaints?{box_}&since={since}")).await;
        let problem = assert_problem(res, StatusCode::BAD_REQUEST, "invalid_query").await;
        assert_eq!(problem["field"], "since", "{since}");
    }
    let res = t.app.get(&format!("/v1/complaints?{box_}&since=2026-11-01T07:00:00%2B07:00")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = t.app.get("/open311/v2/requests.json?start_date=2026-11-01%2007:00:00Z").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let errors: Value = res.json().await.unwrap();
    assert!(errors[0]["description"].as_str().unwrap().contains("start_date"), "{errors}");
}

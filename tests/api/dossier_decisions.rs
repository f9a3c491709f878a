//! An agency's decisions on an online dossier, the slips they produce (read back as text), the
//! citizen's supplement, and the stop of a dossier whose documents did not come in time.

use crate::helpers::*;
use crate::online_dossiers::{build, fields, files, key_of, pdf, submit, AGENCY, IDENTITY};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

struct Flow {
    app: TestApp,
    citizen: String,
    key: String,
    code: String,
}

async fn submitted() -> Flow {
    let (app, citizen) = seeded().await;
    let res = submit(&app, &citizen, build(fields(), files()), None).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let code = res.json::<Value>().await.unwrap()["code"].as_str().unwrap().to_string();
    let admin = app.admin_token().await;
    let key = key_of(&app, &admin, AGENCY).await;
    Flow { app, citizen, key, code }
}

impl Flow {
    async fn decide(&self, body: Value) -> reqwest::Response {
        let path = format!("/v1/agency/dossiers/{}/decisions", self.code);
        let req = self.app.client.post(self.app.url(&path)).header("x-api-key", &self.key);
        req.json(&body).send().await.unwrap()
    }

    /// Takes a decision that must be taken; the dossier as the agency sees it after.
    async fn decided(&self, body: Value) -> Value {
        let res = self.decide(body.clone()).await;
        assert_eq!(res.status(), StatusCode::CREATED, "{body}");
        let answer: Value = res.json().await.unwrap();
        assert_eq!(answer["recorded"], true);
        answer["dossier"].clone()
    }

    async fn refused(&self, body: Value, status: StatusCode, code: &str, field: &str) {
        let problem = assert_problem(self.decide(body.clone()).await, status, code).await;
        assert_eq!(problem["field"], field, "{body}: {problem}");
    }

    async fn citizen_view(&self) -> Value {
        let res = self.app.get_auth(&format!("/v1/dossiers/{}", self.code), &self.citizen).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    /// The text of the citizen's slip of form `form`, as a reader would copy it.
    async fn slip_text(&self, form: i64) -> String {
        let view = self.citizen_view().await;
        let slip = view["slips"].as_array().unwrap().iter().find(|s| s["form"] == form);
        let url =
            slip.unwrap_or_else(|| panic!("no slip {form} in {view}"))["url"].as_str().unwrap();
        let res = self.app.get_auth(url, &self.citizen).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        let bytes = res.bytes().await.unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        let text = pdf_extract::extract_text_from_mem(&bytes).expect("the slip reads as a PDF");
        text.split_whitespace().collect::<String>()
    }

    async fn attach_result(&self, bytes: Vec<u8>) -> reqwest::Response {
        let path = format!("/v1/agency/dossiers/{}/result", self.code);
        let part = Part::bytes(bytes).file_name("ket-qua.pdf").mime_str("application/pdf").unwrap();
        let req = self.app.client.put(self.app.url(&path)).header("x-api-key", &self.key);
        req.multipart(Form::new().part("file", part)).send().await.unwrap()
    }

    async fn supplement(&self, form: Form) -> reqwest::Response {
        let path = format!("/v1/dossiers/{}/supplements", self.code);
        let req = self.app.client.post(self.app.url(&path)).bearer_auth(&self.citizen);
        req.multipart(form).send().await.unwrap()
    }
}

/// `text` without its spaces, as [`Flow::slip_text`] compares (where a line wraps is layout).
fn squeezed(text: &str) -> String {
    text.split_whitespace().collect()
}

fn birth_certificate() -> Form {
    Form::new().part(
        "files[giay-chung-sinh]",
        Part::bytes(pdf("giay chung sinh ro"))
            .file_name("gcs.pdf")
            .mime_str("application/pdf")
            .unwrap(),
    )
}

#[tokio::test]
async fn a_dossier_goes_from_receipt_to_result_with_its_slips_and_the_citizen_told() {
    let flow = submitted().await;
    flow.refused(
        json!({"decision": "done"}),
        StatusCode::CONFLICT,
        "decision_not_allowed",
        "decision",
    )
    .await;

    let received = flow.decided(json!({"decision": "receive", "officer": "Trần Thị Bích"})).await;
    assert_eq!(received["dossier"]["status"]["code"], 2);
    let today = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
    let due = flow.app.state.config.calendar.after_working_days(today, 1);
    assert_eq!(received["dossier"]["due_on"], due.to_string(), "one working day for a birth");
    let receipt = flow.slip_text(1).await;
    for expected in
        [&flow.code[..], "GIẤYTIẾPNHẬNHỒSƠVÀHẸNTRẢKẾTQUẢ", "NguyễnThịÁnh", "TrầnThịBích"]
    {
        assert!(receipt.contains(expected), "{expected} in the receipt: {receipt}");
    }
    assert!(receipt.contains(&squeezed("Tờ khai đăng ký khai sinh")), "its components");
    assert!(receipt.contains(&due.format("%d/%m/%Y").to_string()), "the appointment");
    flow.refused(
        json!({"decision": "receive"}),
        StatusCode::CONFLICT,
        "decision_not_allowed",
        "decision",
    )
    .await;

    // More documents: only the component asked for, then back to processing.
    flow.refused(
        json!({"decision": "request_documents", "components": ["ho-chieu"], "reason": "x", "working_days": 3}),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
        "components[0]",
    )
    .await;
    let reason = "Giấy chứng sinh bị mờ, không đọc được số";
    let asked = flow
        .decided(json!({"decision": "request_documents", "components": ["giay-chung-sinh"],
                        "reason": reason, "working_days": 3}))
        .await;
    assert_eq!(asked["dossier"]["status"]["code"], 5);
    let request = flow.slip_text(2).await;
    assert!(request.contains(&squeezed(reason)) && request.contains("Giấychứngsinh"), "{request}");
    let wrong = Form::new().part(
        "files[to-khai]",
        Part::bytes(pdf("to khai moi")).file_name("tk.pdf").mime_str("application/pdf").unwrap(),
    );
    let problem = assert_problem(
        flow.supplement(wrong).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    );
    assert_eq!(problem.await["field"], "files[to-khai]", "not a component asked for");
    let res = flow.supplement(birth_certificate()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["status"]["code"], 4);
    let again = flow.supplement(birth_certificate()).await;
    assert_problem(again, StatusCode::CONFLICT, "decision_not_allowed").await;

    // Payment, a later appointment with an apology, the result by post.
    let pay = flow
        .decided(json!({"decision": "require_payment", "amount_vnd": 8000, "purpose": "Lệ phí"}))
        .await;
    assert_eq!(pay["dossier"]["status"]["code"], 6);
    flow.decided(json!({"decision": "confirm_payment", "reference": "VNPAY-20261207-42"})).await;
    let later = due + chrono::Duration::days(7);
    flow.refused(
        json!({"decision": "reschedule", "due_on": due.to_string(), "reason": "x"}),
        StatusCode::CONFLICT,
        "decision_not_allowed",
        "due_on",
    )
    .await;
    let moved = flow
        .decided(json!({"decision": "reschedule", "due_on": later.to_string(), "reason": "Chờ xác minh nơi sinh"}))
        .await;
    assert_eq!(moved["dossier"]["due_on"], later.to_string());
    let apology = flow.slip_text(4).await;
    assert!(apology.contains(&later.format("%d/%m/%Y").to_string()), "{apology}");
    assert!(apology.contains(&due.format("%d/%m/%Y").to_string()), "the first date too");
    let early = flow.attach_result(pdf("giay khai sinh")).await;
    assert_problem(early, StatusCode::CONFLICT, "decision_not_allowed").await;
    flow.decided(json!({"decision": "done"})).await;
    let not_pdf = flow.attach_result(b"GIF89a not a certificate".to_vec()).await;
    assert_eq!(
        assert_problem(not_pdf, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await["field"],
        "file"
    );
    assert_eq!(flow.attach_result(pdf("giay khai sinh")).await.status(), StatusCode::OK);
    let result_url = flow.citizen_view().await["result_url"].as_str().unwrap().to_string();
    let result = flow.app.get_auth(&result_url, &flow.citizen).await;
    assert_eq!(result.headers()["content-type"], "application/pdf");
    assert_eq!(result.bytes().await.unwrap(), pdf("giay khai sinh"), "the result, as attached");
    let returned =
        flow.decided(json!({"decision": "return_result", "tracking_code": "EB123456789VN"})).await;
    assert_eq!(returned["dossier"]["status"]["code"], 10);

    // The citizen saw every step, and was told of each change.
    let view = flow.citizen_view().await;
    let steps: Vec<i64> = view["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"]["code"].as_i64().unwrap())
        .collect();
    assert_eq!(steps, [1, 2, 5, 4, 6, 4, 4, 9, 10]);
    assert!(view["timeline"].to_string().contains("EB123456789VN"));
    let user = flow
        .app
        .with_db(|conn| smartcity_db::accounts::find_user_by_phone(conn, "+84912345678").unwrap())
        .await
        .unwrap();
    let told = flow.app.inbox_rows(user.id).await;
    assert!(told.iter().any(|n| n.title_vi.contains("hẹn lại ngày trả kết quả")), "the apology");
    assert!(
        told.iter().filter(|n| n.title_vi.contains(&flow.code)).count() >= 7,
        "a notice per change"
    );
    // And by SMS, of each status to act on or be told of (received, documents, payment, done,
    // returned): the app on no phone, so no push made them unneeded.
    let texted = flow
        .app
        .with_db(|conn| smartcity_db::sms::recent(conn, Some("+84912345678"), 50).unwrap())
        .await;
    let news: Vec<&str> = texted
        .iter()
        .rev()
        .filter(|m| m.purpose.as_str() == "dossier_update")
        .map(|m| m.body.as_str())
        .collect();
    assert_eq!(news.len(), 5, "{news:#?}");
    assert!(news.iter().all(|text| text.contains(&flow.code)), "{news:#?}");
    assert!(news[0].contains("da tiep nhan, hen tra") && news[4].contains("da tra ket qua"));
    flow.refused(
        json!({"decision": "refuse", "reason": "x"}),
        StatusCode::CONFLICT,
        "decision_not_allowed",
        "decision",
    )
    .await;
}

#[tokio::test]
async fn a_refusal_at_intake_says_why_and_a_repeated_decision_changes_nothing() {
    let flow = submitted().await;
    flow.refused(
        json!({"decision": "refuse"}),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
        "reason",
    )
    .await;
    flow.refused(
        json!({"decision": "sign"}),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
        "decision",
    )
    .await;
    let reason = "Thủ tục thuộc thẩm quyền của UBND xã Hòa Vang";
    let body = json!({"decision": "refuse", "reason": reason, "event_id": "mc-991"});
    let refused = flow.decided(body.clone()).await;
    assert_eq!(refused["dossier"]["status"]["code"], 3);
    let repeat = flow.decide(body).await;
    assert_eq!(repeat.status(), StatusCode::OK);
    let repeat: Value = repeat.json().await.unwrap();
    assert_eq!(repeat["recorded"], false);
    assert_eq!(repeat["dossier"]["slips"].as_array().unwrap().len(), 1, "one slip, not two");
    let slip = flow.slip_text(3).await;
    assert!(slip.contains(&squeezed(reason)) && slip.contains(&flow.code), "{slip}");
    let path = format!("/v1/dossiers/{}/withdrawal", flow.code);
    let res =
        flow.app.client.post(flow.app.url(&path)).bearer_auth(&flow.citizen).send().await.unwrap();
    assert_problem(res, StatusCode::CONFLICT, "decision_not_allowed").await;

    // Nothing of the applicant reaches the public.
    for public in ["/v1/stats/dossiers", "/"] {
        let text = flow.app.get(public).await.text().await.unwrap();
        assert!(!text.contains(IDENTITY) && !text.contains("Nguyễn Thị Ánh"), "{public}");
    }
}

#[tokio::test]
async fn a_dossier_whose_documents_do_not_come_in_time_is_stopped() {
    let flow = submitted().await;
    flow.decided(json!({"decision": "receive"})).await;
    flow.decided(json!({"decision": "request_documents", "components": ["giay-chung-sinh"],
                        "reason": "Thiếu giấy chứng sinh", "working_days": 1}))
        .await;
    let stopped = smartcity_api::app::dossier_decisions::stop_missed_supplements(&flow.app.state);
    assert_eq!(stopped.await.unwrap(), 0, "not before the deadline");
    let code = flow.code.clone();
    flow.app
        .with_db(move |conn| {
            use diesel::prelude::*;
            use smartcity_db::schema::dossier_requests;
            let past = chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
            diesel::update(dossier_requests::table.filter(dossier_requests::dossier_code.eq(code)))
                .set(dossier_requests::deadline.eq(past))
                .execute(conn)
                .unwrap()
        })
        .await;
    let stopped = smartcity_api::app::dossier_decisions::stop_missed_supplements(&flow.app.state);
    assert_eq!(stopped.await.unwrap(), 1);
    let again = smartcity_api::app::dossier_decisions::stop_missed_supplements(&flow.app.state);
    assert_eq!(again.await.unwrap(), 0, "once");
    let view = flow.citizen_view().await;
    assert_eq!(view["status"]["code"], 8);
    let late = flow.supplement(birth_certificate()).await;
    assert_problem(late, StatusCode::CONFLICT, "decision_not_allowed").await;
}

#[tokio::test]
async fn the_wards_staff_receive_an_online_dossier_in_the_console() {
    use crate::console::{get, hidden, signed_in, with_cookie};
    let flow = submitted().await;
    let ward = agency_id(&flow.app, AGENCY).await;
    flow.app.insert_user("+84909990001", "staff", Some(ward)).await;
    let staff = signed_in(&flow.app, "+84909990001").await;

    let list = get(&flow.app, "/console/dossiers?origin=online", &staff.cookie).await;
    let list = list.text().await.unwrap();
    assert!(list.contains(&flow.code) && list.contains("Trực tuyến"), "{list}");
    let path = format!("/console/dossiers/{}", flow.code);
    let page = get(&flow.app, &path, &staff.cookie).await.text().await.unwrap();
    assert!(page.contains(IDENTITY), "the application, for the agency");
    assert!(page.contains("giay-chung-sinh"), "the files");
    assert!(!page.contains("value=\"done\""), "only what the status allows is offered");
    let csrf = hidden(&page, "csrf");

    let post = |fields: Vec<(&'static str, String)>| {
        let request = flow.app.client.post(flow.app.url(&format!("{path}/decisions")));
        with_cookie(request, &staff.cookie)
            .header("sec-fetch-site", "same-origin")
            .form(&fields)
            .send()
    };
    let refused = post(vec![("csrf", csrf.clone()), ("decision", "refuse".into())]).await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("role=\"alert\""));
    let event_id = hidden(&page, "event_id");
    let received = post(vec![
        ("csrf", csrf.clone()),
        ("event_id", event_id),
        ("decision", "receive".into()),
        ("officer", "Trần Thị Bích".into()),
    ])
    .await
    .unwrap();
    assert_eq!(received.status(), StatusCode::SEE_OTHER);
    let page = get(&flow.app, &path, &staff.cookie).await.text().await.unwrap();
    assert!(page.contains("2. Được tiếp nhận"), "{page}");
    let slip_at = page.find("/slips/").expect("the receipt is listed");
    let start = page[..slip_at].rfind('"').unwrap() + 1;
    let href = &page[start..slip_at + page[slip_at..].find('"').unwrap()];
    let slip = get(&flow.app, href, &staff.cookie).await;
    assert_eq!(slip.headers()["content-type"], "application/pdf");
    assert!(slip.bytes().await.unwrap().starts_with(b"%PDF-"));
    assert_eq!(flow.citizen_view().await["status"]["code"], 2, "the citizen sees it received");
}

//! Questions to agencies: routed by procedure or topic, answered or passed on, the asker told
//! each time; published answers searched as procedures are, with nothing of the asker; due
//! times and overdue questions in the agency's public figures.

use crate::helpers::*;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

const HAI_CHAU: &str = "ubnd-phuong-hai-chau";
const BUILDING: &str = "so-xay-dung";

/// A question about the birth registration (a commune procedure) at Hải Châu's ward, written
/// the way people write: their name and number in it.
fn about_birth_registration() -> Value {
    json!({
        "procedure": "XA-HT-01",
        "agency": HAI_CHAU,
        "title": "Lệ phí đăng ký khai sinh quá hạn",
        "body": "Tôi là Nguyễn Văn An, số điện thoại 0912 345 678. Con tôi sinh đã 3 tháng, \
                 đăng ký khai sinh muộn có mất lệ phí không?",
    })
}

async fn ask(app: &TestApp, token: &str, body: &Value) -> Value {
    let res = app.post_auth("/v1/questions", token, body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "asking {body}");
    res.json().await.unwrap()
}

async fn json_of(res: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status);
    res.json().await.unwrap()
}

/// The kinds of the notifications in a person's inbox, newest first.
async fn inbox_kinds(app: &TestApp, token: &str) -> Vec<String> {
    let inbox =
        json_of(app.get_auth("/v1/me/notifications?limit=50", token).await, StatusCode::OK).await;
    inbox["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap().into()).collect()
}

fn answer(text: &str, publish: bool) -> Value {
    json!({ "answer": text, "publish": publish })
}

#[tokio::test]
async fn a_question_reaches_the_procedures_agency_and_its_answer_reaches_the_asker() {
    let (app, citizen) = seeded().await;
    let ward = staff_token(&app, "+84911000001", HAI_CHAU).await;
    let building = staff_token(&app, "+84911000002", BUILDING).await;
    let asked = ask(&app, &citizen, &about_birth_registration()).await;
    let id = asked["id"].as_str().unwrap();
    assert_eq!(asked["status"], "asked");
    assert_eq!(asked["overdue"], false);
    // Due at the end (midnight in Vietnam) of the seventh working day: a week or more away,
    // more across Tết's holidays.
    let due = chrono::DateTime::parse_from_rfc3339(asked["due_at"].as_str().unwrap()).unwrap();
    let days = (due.to_utc() - chrono::Utc::now()).num_days();
    assert!((6..=30).contains(&days), "due in {days} days");
    assert_eq!(due.to_utc().format("%H:%M").to_string(), "17:00");

    // The ward's staff are told and see it in their queue; another agency sees nothing.
    assert_eq!(inbox_kinds(&app, &ward).await, ["question_asked"]);
    let queue = json_of(app.get_auth("/v1/agency/questions", &ward).await, StatusCode::OK).await;
    assert_eq!(queue["items"][0]["id"], id);
    let elsewhere = json_of(app.get_auth("/v1/agency/questions", &building).await, StatusCode::OK);
    assert_eq!(elsewhere.await["items"], json!([]));
    let path = format!("/v1/agency/questions/{id}");
    assert_eq!(app.get_auth(&path, &building).await.status(), StatusCode::NOT_FOUND);
    let refused =
        app.post_auth(&format!("{path}/answer"), &building, &answer("Không", false)).await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);

    let reply = "Đăng ký khai sinh đúng hạn hay quá hạn đều được miễn lệ phí.";
    let res = app.post_auth(&format!("{path}/answer"), &ward, &answer(reply, false)).await;
    let answered = json_of(res, StatusCode::OK).await;
    assert_eq!(answered["status"], "answered");
    assert_eq!(inbox_kinds(&app, &citizen).await, ["question_answered"]);
    let mine =
        json_of(app.get_auth(&format!("/v1/me/questions/{id}"), &citizen).await, StatusCode::OK)
            .await;
    assert_eq!(mine["answer"], reply);
    assert_eq!(mine["published"], false);

    // A second answer is a conflict; the first stands.
    let again = app.post_auth(&format!("{path}/answer"), &ward, &answer("Khác", false)).await;
    assert_problem(again, StatusCode::CONFLICT, "question_answered").await;
    let open = json_of(app.get_auth("/v1/agency/questions", &ward).await, StatusCode::OK).await;
    assert_eq!(open["items"], json!([]), "nothing left to answer");
    let done = app.get_auth("/v1/agency/questions?status=answered", &ward).await;
    assert_eq!(json_of(done, StatusCode::OK).await["items"][0]["answer"], reply);

    // Nobody else reads the asker's question, and an unpublished answer is not public.
    app.insert_user("+84933000001", "citizen", None).await;
    let stranger = app.access_token("+84933000001", STRONG_PASSWORD).await;
    let res = app.get_auth(&format!("/v1/me/questions/{id}"), &stranger).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/v1/questions/{id}")).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_published_answer_is_found_without_diacritics_and_shows_nothing_of_the_asker() {
    let (app, citizen) = seeded().await;
    let ward = staff_token(&app, "+84911000001", HAI_CHAU).await;
    let asked = ask(&app, &citizen, &about_birth_registration()).await;
    let id = asked["id"].as_str().unwrap();
    // Another question, answered but not published, must stay out of the search.
    let private = ask(&app, &citizen, &about_birth_registration()).await;
    let private_id = private["id"].as_str().unwrap();
    let reply = "Đăng ký khai sinh quá hạn được miễn lệ phí theo Luật Hộ tịch.";
    for (question, publish) in [(id, true), (private_id, false)] {
        let path = format!("/v1/agency/questions/{question}/answer");
        let res = app.post_auth(&path, &ward, &answer(reply, publish)).await;
        assert_eq!(res.status(), StatusCode::OK);
    }

    let found =
        json_of(app.get("/v1/questions?q=le%20phi%20khai%20sinh").await, StatusCode::OK).await;
    assert_eq!(found["total"], 1, "{found}");
    let item = &found["items"][0];
    assert_eq!(item["id"], id);
    assert_eq!(item["answer"], reply);
    assert_eq!(item["agency"], "UBND phường Hải Châu");
    assert_eq!(item["procedure"], "XA-HT-01");
    // A typo and English-free colloquial words find it too, as for procedures.
    let typo = json_of(app.get("/v1/questions?q=khai%20sihn").await, StatusCode::OK).await;
    assert_eq!(typo["items"][0]["id"], id);

    let shown = json_of(app.get(&format!("/v1/questions/{id}")).await, StatusCode::OK).await;
    let asker_id = app
        .with_db(|conn| {
            smartcity_db::accounts::find_user_by_phone(conn, "+84912345678").unwrap().unwrap().id
        })
        .await;
    for public in [found.to_string(), shown.to_string()] {
        for private in ["Nguyễn Văn An", "0912", "345 678", "+8491", asker_id.as_str()] {
            assert!(!public.contains(private), "{private:?} is public: {public}");
        }
    }
    assert!(shown["question"].as_str().unwrap().contains("Con tôi sinh đã 3 tháng"));
    assert_eq!(
        app.get(&format!("/v1/questions/{private_id}")).await.status(),
        StatusCode::NOT_FOUND
    );

    // The procedure's page links to its published answers.
    let procedure = json_of(app.get("/v1/procedures/XA-HT-01").await, StatusCode::OK).await;
    assert_eq!(procedure["questions"]["published"], 1);
    let url = procedure["questions"]["url"].as_str().unwrap();
    let listed = json_of(app.get(url).await, StatusCode::OK).await;
    assert_eq!(listed["items"][0]["id"], id);
    let unrelated =
        json_of(app.get("/v1/questions?procedure=XA-HT-02").await, StatusCode::OK).await;
    assert_eq!(unrelated["total"], 0);

    // The asker erases the account: the published answer stays for everyone.
    assert_eq!(app.delete_auth("/v1/me", &citizen).await.status(), StatusCode::NO_CONTENT);
    let after = json_of(app.get(&format!("/v1/questions/{id}")).await, StatusCode::OK).await;
    assert_eq!(after, shown);
}

#[tokio::test]
async fn staff_may_rewrite_the_question_they_publish() {
    let (app, citizen) = seeded().await;
    let ward = staff_token(&app, "+84911000001", HAI_CHAU).await;
    let id =
        ask(&app, &citizen, &about_birth_registration()).await["id"].as_str().unwrap().to_string();
    let body = json!({
        "answer": "Được miễn lệ phí.",
        "publish": true,
        "public_title": "Đăng ký khai sinh muộn có mất phí?",
        "public_body": "Đăng ký khai sinh quá hạn có phải nộp lệ phí không? Gọi 0912345678.",
    });
    let res = app.post_auth(&format!("/v1/agency/questions/{id}/answer"), &ward, &body).await;
    assert_eq!(res.status(), StatusCode::OK);
    let shown = json_of(app.get(&format!("/v1/questions/{id}")).await, StatusCode::OK).await;
    assert_eq!(shown["title"], "Đăng ký khai sinh muộn có mất phí?");
    // Even what staff wrote loses a number they missed.
    assert_eq!(shown["question"], "Đăng ký khai sinh quá hạn có phải nộp lệ phí không? Gọi […].");
}

#[tokio::test]
async fn a_question_passed_to_another_agency_is_theirs_to_answer_and_the_asker_is_told() {
    let (app, citizen) = seeded().await;
    let ward = staff_token(&app, "+84911000001", HAI_CHAU).await;
    let building = staff_token(&app, "+84911000002", BUILDING).await;
    let topics = json_of(app.get("/v1/question-topics").await, StatusCode::OK).await;
    let topic = topics["items"].as_array().unwrap().iter().find(|t| t["agency"] == BUILDING);
    let topic = topic.expect("a topic of the building department")["code"].as_str().unwrap();
    let question = json!({
        "topic": topic,
        "title": "Tạm trú cho người thuê nhà",
        "body": "Chủ nhà có phải khai báo tạm trú cho người thuê không?",
    });
    let id = ask(&app, &citizen, &question).await["id"].as_str().unwrap().to_string();
    assert_eq!(inbox_kinds(&app, &building).await, ["question_asked"]);

    let transfer = json!({ "agency": HAI_CHAU, "reason": "Cư trú do phường giải quyết" });
    let path = format!("/v1/agency/questions/{id}");
    let res = app.post_auth(&format!("{path}/transfer"), &building, &transfer).await;
    assert_eq!(json_of(res, StatusCode::OK).await["agency_id"], agency_id(&app, HAI_CHAU).await);
    assert_eq!(inbox_kinds(&app, &citizen).await, ["question_transferred"]);
    assert_eq!(inbox_kinds(&app, &ward).await, ["question_asked"]);
    // It is no longer the department's.
    let late = app.post_auth(&format!("{path}/answer"), &building, &answer("Có", false)).await;
    assert_eq!(late.status(), StatusCode::NOT_FOUND);
    let res =
        app.post_auth(&format!("{path}/answer"), &ward, &answer("Có, trong 3 ngày.", false)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(inbox_kinds(&app, &citizen).await, ["question_answered", "question_transferred"]);
    let mine =
        json_of(app.get_auth(&format!("/v1/me/questions/{id}"), &citizen).await, StatusCode::OK)
            .await;
    assert_eq!(mine["transfers"][0]["reason"], "Cư trú do phường giải quyết");
    assert_eq!(mine["transfers"][0]["from_agency_id"], agency_id(&app, BUILDING).await);
}

async fn my_question_count(app: &TestApp, token: &str) -> usize {
    let mine = json_of(app.get_auth("/v1/me/questions", token).await, StatusCode::OK).await;
    mine["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn bad_questions_are_refused_naming_the_field_and_nothing_is_written() {
    let (app, citizen) = seeded().await;
    let cases: Vec<(&str, Value)> = vec![
        ("title", json!({ "topic": "ho-tich-cu-tru", "body": "Nội dung câu hỏi đủ dài" })),
        ("body", json!({ "topic": "ho-tich-cu-tru", "title": "Hỏi về cư trú", "body": "ngắn" })),
        (
            "topic",
            json!({ "topic": "khong-co", "title": "Hỏi về cư trú", "body": "Nội dung đủ dài" }),
        ),
        ("procedure", json!({ "title": "Hỏi về cư trú", "body": "Nội dung đủ dài" })),
        (
            "agency",
            json!({ "procedure": "XA-HT-01", "title": "Khai sinh", "body": "Nội dung đủ dài" }),
        ),
        // A commune procedure is not the province department's.
        (
            "agency",
            json!({ "procedure": "XA-HT-01", "agency": BUILDING, "title": "Khai sinh", "body": "Nội dung đủ dài" }),
        ),
        (
            "procedure",
            json!({ "procedure": "KHONG-CO", "agency": HAI_CHAU, "title": "Khai sinh", "body": "Nội dung đủ dài" }),
        ),
    ];
    for (field, body) in cases {
        let res = app.post_auth("/v1/questions", &citizen, &body).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        assert_eq!(problem["field"], field, "{body} gave {problem}");
    }
    // An attachment that is no PDF, JPEG or PNG, whatever it is called.
    let form = Form::new()
        .text("topic", "ho-tich-cu-tru")
        .text("title", "Hỏi về cư trú")
        .text("body", "Nội dung câu hỏi đủ dài")
        .part("attachment", Part::bytes(b"MZ\x90\x00 not a picture".to_vec()).file_name("a.jpg"));
    let res = app.client.post(app.url("/v1/questions")).bearer_auth(&citizen).multipart(form);
    let problem = assert_problem(
        res.send().await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    )
    .await;
    assert_eq!(problem["field"], "attachment");
    assert_eq!(my_question_count(&app, &citizen).await, 0);
    let stored = app
        .with_db(|conn| {
            use diesel::prelude::*;
            smartcity_db::schema::questions::table.count().get_result::<i64>(conn).unwrap()
        })
        .await;
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn a_photo_attached_reaches_the_agency_and_no_one_else() {
    let (app, citizen) = seeded().await;
    let ward = staff_token(&app, "+84911000001", HAI_CHAU).await;
    let form = Form::new()
        .text("topic", "ho-tich-cu-tru")
        .text("title", "Giấy tờ cư trú bị nhòe")
        .text("body", "Giấy xác nhận cư trú của tôi bị nhòe như ảnh, có cấp lại được không?")
        .part("attachment", Part::bytes(jpeg(640, 480)).file_name("giay.jpg"));
    let res = app.client.post(app.url("/v1/questions")).bearer_auth(&citizen).multipart(form);
    let asked = json_of(res.send().await.unwrap(), StatusCode::CREATED).await;
    assert_eq!(asked["attachment"]["file_type"], "jpeg");
    let id = asked["id"].as_str().unwrap();
    let path = format!("/v1/agency/questions/{id}/attachment");
    let res = app.get_auth(&path, &ward).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    let bytes = res.bytes().await.unwrap();
    let image = image::load_from_memory(&bytes).expect("a picture");
    assert_eq!((image.width(), image.height()), (640, 480));
    // The asker may not fetch it through the agency's route.
    assert_eq!(app.get_auth(&path, &citizen).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn overdue_questions_count_in_the_agencys_public_figures() {
    let (app, citizen) = seeded().await;
    let admin = app.admin_token().await;
    let ward = staff_token(&app, "+84911000001", HAI_CHAU).await;
    let settings = json!({ "answer_within_working_days": 1 });
    let path = format!("/v1/admin/agencies/{}/question-settings", agency_id(&app, HAI_CHAU).await);
    let res = app.client.put(app.url(&path)).bearer_auth(&admin).json(&settings).send().await;
    assert_eq!(res.unwrap().status(), StatusCode::OK);
    let too_long = json!({ "answer_within_working_days": 90 });
    let res = app.client.put(app.url(&path)).bearer_auth(&admin).json(&too_long).send().await;
    let problem = assert_problem(res.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(problem.await["field"], "answer_within_working_days");

    let first = ask(&app, &citizen, &about_birth_registration()).await;
    let due = chrono::DateTime::parse_from_rfc3339(first["due_at"].as_str().unwrap()).unwrap();
    assert!((due.to_utc() - chrono::Utc::now()).num_days() <= 4, "one working day: {due}");
    let second = ask(&app, &citizen, &about_birth_registration()).await;
    let late = ask(&app, &citizen, &about_birth_registration()).await;
    // Time passes for two of them: their due time is behind us.
    let past = smartcity_db::now() - chrono::Duration::hours(1);
    for id in [second["id"].as_str().unwrap().to_string(), late["id"].as_str().unwrap().to_string()]
    {
        app.with_db(move |conn| {
            use diesel::prelude::*;
            use smartcity_db::schema::questions;
            diesel::update(questions::table.find(id))
                .set(questions::due_at.eq(past))
                .execute(conn)
                .unwrap()
        })
        .await;
    }
    for (question, text) in [(&first, "Đúng hạn."), (&second, "Trễ hạn.")] {
        let path = format!("/v1/agency/questions/{}/answer", question["id"].as_str().unwrap());
        let res = app.post_auth(&path, &ward, &answer(text, false)).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let queue = json_of(app.get_auth("/v1/agency/questions", &ward).await, StatusCode::OK).await;
    assert_eq!(queue["items"][0]["overdue"], true);

    let stats = json_of(app.get("/v1/stats/questions").await, StatusCode::OK).await;
    let ward_row =
        stats["items"].as_array().unwrap().iter().find(|i| i["agency"]["code"] == HAI_CHAU);
    let ward_row = ward_row.expect("the ward's figures");
    assert_eq!(ward_row["received"], 3);
    assert_eq!(ward_row["answered"], 2);
    assert_eq!(ward_row["answered_on_time"], 1);
    assert_eq!(ward_row["overdue_now"], 1);
    // The city's public page shows the same.
    let page = app.get("/").await.text().await.unwrap();
    assert_eq!(crate::public_page::record_cell(&page, HAI_CHAU, "questions-overdue"), "1");
    let row = crate::public_page::record_row(&page, HAI_CHAU);
    assert_eq!(row[row.len() - 3..], ["3", "50 %", "1"], "{row:?}");
}

#[tokio::test]
async fn staff_answer_in_the_console_through_the_same_rules() {
    use crate::console::{get, hidden, seeded_app, signed_in, with_cookie, Signed, STAFF};
    let app = seeded_app(|_| {}).await;
    let citizen = app.citizen_token().await;
    let id =
        ask(&app, &citizen, &about_birth_registration()).await["id"].as_str().unwrap().to_string();
    let Signed { cookie, .. } = signed_in(&app, STAFF).await;
    let list = get(&app, "/console/questions", &cookie).await.text().await.unwrap();
    assert!(list.contains(&format!("data-id=\"{id}\"")), "{list}");
    let page = get(&app, &format!("/console/questions/{id}"), &cookie).await.text().await.unwrap();
    assert!(page.contains("Con tôi sinh đã 3 tháng"), "{page}");
    let csrf = hidden(&page, "csrf");
    let post = |fields: Vec<(&'static str, String)>| {
        with_cookie(app.client.post(app.url(&format!("/console/questions/{id}/answer"))), &cookie)
            .header("sec-fetch-site", "same-origin")
            .form(&fields)
            .send()
    };
    // An answer too short comes back on the page with the reason, and nothing is answered.
    let refused = post(vec![("csrf", csrf.clone()), ("answer", "x".into())]).await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("role=\"alert\""));
    let fields = vec![
        ("csrf", csrf.clone()),
        ("answer", "Được miễn lệ phí.".into()),
        ("publish", "1".into()),
    ];
    let done = post(fields).await.unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let public = json_of(app.get(&format!("/v1/questions/{id}")).await, StatusCode::OK).await;
    assert_eq!(public["answer"], "Được miễn lệ phí.");
    assert!(!public.to_string().contains("Nguyễn Văn An"));
    assert_eq!(inbox_kinds(&app, &citizen).await, ["question_answered"]);
    let list = get(&app, "/console/questions", &cookie).await.text().await.unwrap();
    assert!(!list.contains(&format!("data-id=\"{id}\"")), "answered, off the list");
}

//! Reminders for agencies: due soon and overdue once per complaint or dossier, then one digest
//! a day of what is still overdue.

use crate::helpers::*;
use chrono::{Duration, NaiveDate, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use smartcity_api::jobs::reminders::remind;

async fn file_due_in(app: &TestApp, reporter: &str, hours: i64) -> String {
    let id = file_in_hai_chau(app, reporter, "trees").await;
    let target = id.clone();
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use smartcity_db::schema::complaints::dsl::*;
        let due = Utc::now().naive_utc() + Duration::hours(hours);
        diesel::update(complaints.find(&target)).set(due_at.eq(due)).execute(conn).unwrap();
    })
    .await;
    id
}

async fn insert_dossier(app: &TestApp, agency: String, dossier_code: &'static str, due: NaiveDate) {
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use smartcity_db::schema::{dossiers, procedures};
        let procedure: String = procedures::table.select(procedures::code).first(conn).unwrap();
        let now = smartcity_db::now();
        diesel::insert_into(dossiers::table)
            .values((
                dossiers::code.eq(dossier_code),
                dossiers::agency_id.eq(agency),
                dossiers::procedure_code.eq(procedure),
                dossiers::applicant_name.eq("Trần Văn Bình"),
                dossiers::applicant_phone.eq("+84912000111"),
                dossiers::received_on.eq(due - chrono::Days::new(10)),
                dossiers::due_on.eq(due),
                dossiers::status.eq(4),
                dossiers::status_at.eq(now),
                dossiers::created_at.eq(now),
                dossiers::updated_at.eq(now),
            ))
            .execute(conn)
            .unwrap();
    })
    .await;
}

/// `(kind, the complaint id or dossier code)` of the staff member's notifications, oldest first.
async fn reminders_of(app: &TestApp, token: &str) -> Vec<(String, String)> {
    let page: Value =
        app.get_auth("/v1/me/notifications?limit=100", token).await.json().await.unwrap();
    let mut items: Vec<(String, String)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] != "complaint_assigned")
        .map(|n| {
            let subject = n["data"]["complaint_id"]
                .as_str()
                .or(n["data"]["dossier_code"].as_str())
                .or(n["data"]["complaints"].as_str())
                .unwrap_or_default();
            (n["kind"].as_str().unwrap().to_string(), subject.to_string())
        })
        .collect();
    items.reverse();
    items
}

#[tokio::test]
async fn agencies_hear_once_of_what_is_due_soon_or_overdue_then_get_one_digest_a_day() {
    let (app, reporter) = seeded().await;
    let staff = staff_token(&app, "+84905000101", "ubnd-phuong-hai-chau").await;
    let elsewhere = staff_token(&app, "+84905000102", "ubnd-xa-hoa-vang").await;
    let soon = file_due_in(&app, &reporter, 10).await;
    let late = file_due_in(&app, &reporter, -2).await;
    let _later = file_due_in(&app, &reporter, 72).await;
    let agency = agency_id(&app, "ubnd-phuong-hai-chau").await;
    let today = smartcity_domain::reminder::vietnam_date(Utc::now());
    insert_dossier(&app, agency.clone(), "HS-DUE-TOMORROW", today + chrono::Days::new(1)).await;
    insert_dossier(&app, agency.clone(), "HS-DUE-YESTERDAY", today - chrono::Days::new(1)).await;

    let now = Utc::now();
    assert_eq!(remind(&app.state, now).await.unwrap(), 4);
    let mut got = reminders_of(&app, &staff).await;
    got.sort();
    let mut expected = vec![
        ("complaint_due_soon".to_string(), soon.clone()),
        ("complaint_overdue".to_string(), late.clone()),
        ("dossier_due_soon".to_string(), "HS-DUE-TOMORROW".to_string()),
        ("dossier_overdue".to_string(), "HS-DUE-YESTERDAY".to_string()),
    ];
    expected.sort();
    assert_eq!(got, expected, "each once; nothing for the one due in three days");
    assert!(reminders_of(&app, &elsewhere).await.is_empty(), "only the agency's own staff");
    assert_eq!(remind(&app.state, now).await.unwrap(), 0, "a second run repeats nothing");

    // A day later the overdue ones come back together, once, as the day's digest.
    let target = late.clone();
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use smartcity_db::schema::{complaints, dossiers};
        let yesterday = Utc::now().naive_utc() - Duration::days(1);
        diesel::update(complaints::table.find(&target))
            .set(complaints::overdue_reminded_at.eq(yesterday))
            .execute(conn)
            .unwrap();
        diesel::update(dossiers::table.find("HS-DUE-YESTERDAY"))
            .set(dossiers::overdue_reminded_at.eq(yesterday))
            .execute(conn)
            .unwrap();
    })
    .await;
    // This agency wants the digest by SMS as well.
    let admin = app.admin_token().await;
    let path = format!("/v1/admin/agencies/{agency}/sms-reminders");
    let res = app
        .client
        .put(app.url(&path))
        .bearer_auth(&admin)
        .json(&json!({"enabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(remind(&app.state, now).await.unwrap(), 1);
    assert_eq!(remind(&app.state, now).await.unwrap(), 0, "one digest a day");
    let texted = |phone: &'static str| {
        app.with_db(move |conn| smartcity_db::sms::recent(conn, Some(phone), 10).unwrap())
    };
    let staff_sms = texted("+84905000101").await;
    assert_eq!(staff_sms.len(), 1, "one message with the digest");
    assert_eq!(staff_sms[0].purpose.as_str(), "staff_reminder");
    assert!(staff_sms[0].body.contains(" 2 "), "two items overdue: {}", staff_sms[0].body);
    assert!(texted("+84905000102").await.is_empty(), "the other agency did not ask for it");
    let page: Value = app.get_auth("/v1/me/notifications", &staff).await.json().await.unwrap();
    let digests: Vec<&Value> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "overdue_digest")
        .collect();
    assert_eq!(digests.len(), 1);
    let digest = digests[0];
    assert_eq!(digest["kind"], "overdue_digest");
    assert_eq!(digest["data"]["complaints"], "1");
    assert_eq!(digest["data"]["dossiers"], "1");
    assert!(digest["body"].as_str().unwrap().contains("1 phản ánh và 1 hồ sơ quá hạn"));
}

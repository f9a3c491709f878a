//! The console's administration of agencies, keys and push dead letters, as an administrator's
//! browser exchanges it: what each page lists, what its forms change (checked through the API a
//! key unlocks), a key shown once, a refused form saying why, and staff kept out.

use crate::console::{get, seeded_app, signed_in, with_cookie, Signed, STAFF};
use crate::helpers::{agency_id, TestApp, CITIZEN_PHONE, STRONG_PASSWORD};
use reqwest::{Response, StatusCode};

const ADMIN: &str = "+84900000031";
/// A device token the fake FCM always answers 503 (`down-`), so its push dies.
const DOWN_PHONE: &str = "down-phone-7a3f9c";

async fn admin_signed_in(app: &TestApp) -> Signed {
    app.insert_user(ADMIN, "admin", None).await;
    signed_in(app, ADMIN).await
}

/// A form posted from a page of ours.
async fn post(app: &TestApp, path: &str, who: &Signed, fields: &[(&str, &str)]) -> Response {
    let mut form = vec![("csrf", who.csrf.as_str())];
    form.extend_from_slice(fields);
    with_cookie(app.client.post(app.url(path)), &who.cookie)
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap()
}

async fn page(app: &TestApp, path: &str, who: &Signed) -> String {
    let res = get(app, path, &who.cookie).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.unwrap()
}

/// The key a page shows once.
fn shown_key(html: &str) -> String {
    let marker = "id=\"key\">";
    let start = html.find(marker).unwrap_or_else(|| panic!("a key shown in {html}")) + marker.len();
    html[start..].split('<').next().unwrap().to_string()
}

fn assert_redirected_to(res: &Response, to: &str) {
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], to);
}

async fn count(app: &TestApp, table: &'static str) -> i64 {
    app.with_db(move |conn| {
        use diesel::prelude::*;
        use smartcity_db::schema::{agencies, agency_api_keys, open311_clients};
        match table {
            "agencies" => agencies::table.count().get_result(conn),
            "agency_api_keys" => agency_api_keys::table.count().get_result(conn),
            _ => open311_clients::table.count().get_result(conn),
        }
        .unwrap()
    })
    .await
}

#[tokio::test]
async fn an_administrator_adds_an_agency_and_a_refused_one_says_why_beside_its_field() {
    let app = seeded_app(|_| {}).await;
    let admin = admin_signed_in(&app).await;
    let list = page(&app, "/console/admin/agencies", &admin).await;
    // The seeded ward, with its staff counted (the seed's and the fixture's).
    let hai_chau = agency_id(&app, "ubnd-phuong-hai-chau").await;
    let staff = app
        .with_db(move |conn| {
            use diesel::prelude::*;
            use smartcity_db::schema::users;
            users::table.filter(users::agency_id.eq(hai_chau)).count().get_result::<i64>(conn)
        })
        .await
        .unwrap();
    assert!(staff >= 2, "the seed's staff and the fixture's");
    let row = list.split("data-code=\"ubnd-phuong-hai-chau\"").nth(1).expect("Hải Châu listed");
    let row = row.split("</tr>").next().unwrap();
    assert!(row.contains(&format!("<td>{staff}</td><td>0</td>")), "staff, then live keys: {row}");

    let agency = [("code", "ubnd-phuong-thach-thang"), ("name", "UBND phường Thạch Thang")];
    let res = post(
        &app,
        "/console/admin/agencies",
        &admin,
        &[agency[0], agency[1], ("level", "commune")],
    )
    .await;
    assert_redirected_to(&res, "/console/admin/agencies");
    let list = page(&app, "/console/admin/agencies", &admin).await;
    assert!(list.contains("data-code=\"ubnd-phuong-thach-thang\""), "{list}");
    assert!(list.contains("UBND phường Thạch Thang"));
    let agencies = count(&app, "agencies").await;

    // The same code again: 409, the reason beside the code, what was typed kept.
    let again = post(
        &app,
        "/console/admin/agencies",
        &admin,
        &[agency[0], ("name", "Tên khác"), ("level", "commune")],
    )
    .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let html = again.text().await.unwrap();
    assert!(html.contains("Mã cơ quan này đã được dùng"), "{html}");
    assert!(html.contains("value=\"Tên khác\""), "what was typed is kept");
    // A code that is not one: 422, saying what a code looks like.
    let bad = post(
        &app,
        "/console/admin/agencies",
        &admin,
        &[("code", "UBND Mới"), ("name", "UBND"), ("level", "commune")],
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("ubnd-hai-chau"), "the expected form is said");
    assert_eq!(count(&app, "agencies").await, agencies, "nothing written by a refused form");
}

#[tokio::test]
async fn an_agency_key_is_shown_once_opens_the_agency_api_and_stops_when_revoked() {
    let app = seeded_app(|_| {}).await;
    let admin = admin_signed_in(&app).await;
    let agency = agency_id(&app, "ubnd-phuong-hai-chau").await;
    let keys_page = format!("/console/admin/agencies/{agency}");
    let list = page(&app, "/console/admin/agencies", &admin).await;
    assert!(list.contains(&format!("href=\"{keys_page}\"")), "the agency links to its keys");

    let res = post(&app, &keys_page, &admin, &[("label", "Hệ thống một cửa điện tử")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    let key = shown_key(&html);
    assert!(key.starts_with("sck_") && key.len() > 40, "{key}");
    assert!(html.contains("chỉ hiện một lần"), "the page says to copy it now");

    let dossiers = |key: String| {
        app.client.get(app.url("/v1/agency/dossiers")).header("x-api-key", key).send()
    };
    assert_eq!(dossiers(key.clone()).await.unwrap().status(), StatusCode::OK);

    // Afterwards the page lists it by its prefix, never in full.
    let listed = page(&app, &keys_page, &admin).await;
    assert!(!listed.contains(&key), "the key is not shown again");
    assert!(listed.contains(&key[..12]) && listed.contains("Hệ thống một cửa điện tử"));

    let key_id = listed.split("data-key=\"").nth(1).unwrap().split('"').next().unwrap();
    let revoke = format!("{keys_page}/keys/{key_id}/revoke");
    assert_redirected_to(&post(&app, &revoke, &admin, &[]).await, &keys_page);
    assert_eq!(dossiers(key).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert!(page(&app, &keys_page, &admin).await.contains("Đã thu hồi"));

    // A key for nothing in particular is refused beside its field, and none is made.
    let keys = count(&app, "agency_api_keys").await;
    let res = post(&app, &keys_page, &admin, &[("label", "  ")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("class=\"error\"") && !html.contains("id=\"key\""), "{html}");
    assert_eq!(count(&app, "agency_api_keys").await, keys);
    // An agency that does not exist has no page.
    let res = get(&app, "/console/admin/agencies/no-such-agency", &admin.cookie).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_open311_client_key_is_shown_once_files_and_is_refused_once_revoked() {
    let app = seeded_app(|_| {}).await;
    let admin = admin_signed_in(&app).await;
    let res =
        post(&app, "/console/admin/open311-clients", &admin, &[("name", "Góp ý Đà Nẵng")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let key = shown_key(&res.text().await.unwrap());
    let file = |key: String| {
        let form = [
            ("api_key", key),
            ("service_code", "trees".to_string()),
            ("lat", "16.045".to_string()),
            ("long", "108.205".to_string()),
            ("description", "Cây đổ chắn ngang đường.".to_string()),
        ];
        app.client.post(app.url("/open311/v2/requests.json")).form(&form).send()
    };
    assert_eq!(file(key.clone()).await.unwrap().status(), StatusCode::CREATED);

    let listed = page(&app, "/console/admin/open311-clients", &admin).await;
    assert!(listed.contains("Góp ý Đà Nẵng") && !listed.contains(&key), "{listed}");
    let id = listed.split("data-client=\"").nth(1).unwrap().split('"').next().unwrap();
    let res = post(&app, &format!("/console/admin/open311-clients/{id}/revoke"), &admin, &[]).await;
    assert_redirected_to(&res, "/console/admin/open311-clients");
    assert_eq!(file(key).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert!(page(&app, "/console/admin/open311-clients", &admin).await.contains("Đã thu hồi"));

    let clients = count(&app, "open311_clients").await;
    let res = post(&app, "/console/admin/open311-clients", &admin, &[("name", "")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&app, "open311_clients").await, clients, "no client made");
}

async fn push_status(app: &TestApp) -> String {
    app.with_db(|conn| {
        use diesel::prelude::*;
        use smartcity_db::schema::push_outbox::dsl::*;
        let found: smartcity_domain::push::PushStatus =
            push_outbox.filter(device_token.eq(DOWN_PHONE)).select(status).first(conn).unwrap();
        found.as_str().to_string()
    })
    .await
}

#[tokio::test]
async fn a_dead_letter_is_listed_without_its_device_token_and_requeued() {
    let google = smartcity_testkit::fake_google::FakeGoogle::start().await;
    let (app, _credentials) = crate::delivery::app_sending_to(&google, 0).await;
    let reporter = app.citizen_token().await;
    crate::delivery::register(&app, &reporter, DOWN_PHONE, "vi").await;
    crate::helpers::acknowledged(&app, &reporter, "+84905000091").await;
    // Seven attempts already spent: the eighth failure is the last (as in `delivery.rs`).
    app.with_db(|conn| {
        use diesel::prelude::*;
        use smartcity_db::schema::push_outbox::dsl::*;
        diesel::update(push_outbox).set(attempts.eq(7)).execute(conn).unwrap();
    })
    .await;
    smartcity_api::jobs::push::deliver_batch(&app.state, smartcity_db::now()).await.unwrap();
    assert_eq!(push_status(&app).await, "dead");

    let admin = admin_signed_in(&app).await;
    let list = page(&app, "/console/admin/push", &admin).await;
    assert!(list.contains("…7a3f9c"), "the end of the token: {list}");
    assert!(!list.contains(DOWN_PHONE), "never the whole token");
    assert!(list.contains("Nguyễn Văn An"), "the recipient");
    assert!(list.contains("gave up after 8 attempts") && list.contains("<td>8</td>"));
    let id = list.split("<tr data-id=\"").nth(1).unwrap().split('"').next().unwrap();

    let res = post(&app, &format!("/console/admin/push/{id}/requeue"), &admin, &[]).await;
    assert_redirected_to(&res, "/console/admin/push?requeued=1");
    assert_eq!(push_status(&app).await, "queued");
    let list = page(&app, "/console/admin/push?requeued=1", &admin).await;
    assert!(!list.contains(id) && list.contains("id=\"no-dead-letters\""), "{list}");
    // Requeued already: there is no such dead letter any more.
    let res = post(&app, &format!("/console/admin/push/{id}/requeue"), &admin, &[]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn staff_neither_see_nor_reach_the_administration() {
    let app = seeded_app(|_| {}).await;
    let staff = signed_in(&app, STAFF).await;
    let inbox = page(&app, "/console/", &staff).await;
    assert!(!inbox.contains("href=\"/console/admin\""), "no link to the administration");
    let agency = agency_id(&app, "ubnd-phuong-hai-chau").await;
    for path in [
        "/console/admin",
        "/console/admin/agencies",
        "/console/admin/open311-clients",
        "/console/admin/push",
        "/console/admin/sms",
    ] {
        assert_eq!(get(&app, path, &staff.cookie).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let keys = count(&app, "agency_api_keys").await;
    let res =
        post(&app, &format!("/console/admin/agencies/{agency}"), &staff, &[("label", "x")]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = post(
        &app,
        "/console/admin/agencies",
        &staff,
        &[("code", "ubnd-x"), ("name", "X"), ("level", "commune")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(count(&app, "agency_api_keys").await, keys, "nothing issued");

    // An administrator reaches every page from the one link.
    let admin = admin_signed_in(&app).await;
    let index = page(&app, "/console/admin", &admin).await;
    for path in [
        "/console/admin/staff",
        "/console/admin/routing",
        "/console/admin/agencies",
        "/console/admin/open311-clients",
        "/console/admin/push",
        "/console/admin/sms",
    ] {
        assert!(index.contains(&format!("href=\"{path}\"")), "{path}");
        page(&app, path, &admin).await;
    }
    // A form without its token changes nothing.
    let res =
        with_cookie(app.client.post(app.url("/console/admin/open311-clients")), &admin.cookie)
            .header("sec-fetch-site", "same-origin")
            .form(&[("name", "Không có mã biểu mẫu")])
            .send()
            .await
            .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(count(&app, "open311_clients").await, 0);
}

#[tokio::test]
async fn an_administrator_reads_the_code_a_laptop_demo_sent() {
    let app = seeded_app(|_| {}).await;
    app.register(CITIZEN_PHONE, "Nguyễn Văn An", STRONG_PASSWORD).await;
    let code = app.texted_code(CITIZEN_PHONE).await;
    let admin = admin_signed_in(&app).await;
    let list = page(&app, "/console/admin/sms", &admin).await;
    assert!(list.contains("+84912345678") && list.contains(&code), "{list}");
    assert!(list.contains("phone_verification") && list.contains("queued"));
}

//! The agency console in a real browser: headless Chromium, driven over WebDriver by
//! chromedriver (Debian's `chromium` and `chromium-driver`), against the `smartcity` binary on
//! the backend CI chose, seeded with the demo city by `smartcity seed`.
//!
//! Without Chromium these tests say so and pass, unless `SMARTCITY_REQUIRE_BROWSER=1` (CI sets
//! it), which turns the skip into a failure. Screenshots of each page are kept under
//! `target/console-screenshots/`.

// Shared with the binary's other tests; these use only the server itself.
#[allow(dead_code)]
mod support;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use smartcity_testkit::photos;
use smartcity_testkit::test_db::TestDb;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::Server;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const HAI_CHAU: (f64, f64) = (16.045, 108.205);
const HAI_CHAU_STAFF: &str = "+84901000002";
const HOA_VANG_STAFF: &str = "+84901000003";

/// A citizen's password in these tests.
const PASSWORD: &str = "ca phe sua da luc bay gio";

/// The browser, or why there is none.
fn browser_available() -> bool {
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present {
        assert!(
            std::env::var("SMARTCITY_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "SMARTCITY_REQUIRE_BROWSER=1 but {CHROMIUM} or {CHROMEDRIVER} is missing \
             (apt-get install chromium chromium-driver)"
        );
        eprintln!(
            "skipped: the console's browser tests need {CHROMIUM} and {CHROMEDRIVER} \
             (apt-get install chromium chromium-driver)"
        );
    }
    present
}

/// The demo city on a fresh database, served by the real binary, with the demo staff's
/// passwords as `smartcity seed` printed them.
struct City {
    server: Server,
    staff_passwords: Vec<(String, String)>,
    _db: TestDb,
    _photos: tempfile::TempDir,
}

impl City {
    fn start() -> City {
        let db = TestDb::create();
        let photos = tempfile::tempdir().unwrap();
        let seeded = Command::new(env!("CARGO_BIN_EXE_smartcity"))
            .arg("seed")
            .env("DATABASE_URL", db.url())
            .env("SMARTCITY_PHOTO_DIR", photos.path())
            .output()
            .expect("smartcity seed runs");
        assert!(seeded.status.success(), "seed: {}", String::from_utf8_lossy(&seeded.stderr));
        let printed = String::from_utf8_lossy(&seeded.stdout).to_string();
        let staff_passwords = printed
            .lines()
            .filter_map(|line| {
                let words: Vec<&str> = line.split_whitespace().collect();
                match words.as_slice() {
                    [_, phone, "password", password, ..] => {
                        Some((phone.to_string(), password.to_string()))
                    }
                    _ => None,
                }
            })
            .collect();
        // Tiles from a port nobody listens on: the maps must do without them.
        let server = Server::start(
            db.url(),
            photos.path(),
            &[("SMARTCITY_MAP_TILES", "http://127.0.0.1:9/{z}/{x}/{y}.png")],
        );
        City { server, staff_passwords, _db: db, _photos: photos }
    }

    fn password_of(&self, phone: &str) -> String {
        let found = self.staff_passwords.iter().find(|(p, _)| p == phone);
        found.unwrap_or_else(|| panic!("seed printed a password for {phone}")).1.clone()
    }

    /// A new citizen's access token.
    async fn citizen(&self, phone: &str) -> String {
        let http = reqwest::Client::new();
        let account =
            json!({"phone": phone, "display_name": "Nguyễn Văn An", "password": PASSWORD});
        let res =
            http.post(self.server.url("/v1/auth/register")).json(&account).send().await.unwrap();
        assert_eq!(res.status(), 201);
        let login = json!({"phone": phone, "password": PASSWORD});
        let res = http.post(self.server.url("/v1/auth/login")).json(&login).send().await.unwrap();
        res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
    }

    /// Files a street-light complaint in Hải Châu (routed to its ward) with one photo.
    async fn file(&self, token: &str, description: &str) -> String {
        let photo = photos::jpeg(&photos::photo_like(640, 480), 85);
        let form = reqwest::multipart::Form::new()
            .text("category", "street_light")
            .text("description", description.to_string())
            .text("lat", HAI_CHAU.0.to_string())
            .text("lon", HAI_CHAU.1.to_string())
            .part(
                "photos",
                reqwest::multipart::Part::bytes(photo)
                    .file_name("a.jpg")
                    .mime_str("image/jpeg")
                    .unwrap(),
            );
        let res = reqwest::Client::new()
            .post(self.server.url("/v1/complaints"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
    }

    async fn reporter_view(&self, token: &str, id: &str) -> Value {
        let res = reqwest::Client::new()
            .get(self.server.url("/v1/me/complaints"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let mine = res.json::<Value>().await.unwrap();
        let items = mine["items"].as_array().expect("items").clone();
        items.into_iter().find(|c| c["id"] == id).expect("the reporter sees their complaint")
    }
}

/// chromedriver with one headless Chromium session, both gone when dropped.
struct Browser {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn open() -> Browser {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver runs");
        let profile = tempfile::tempdir().unwrap();
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1366,768",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            let connected = ClientBuilder::rustls()
                .expect("TLS roots")
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await;
            match connected {
                Ok(client) => break client,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await
                }
                Err(e) => panic!("chromedriver session: {e}"),
            }
        };
        Browser { client, driver, _profile: profile }
    }

    async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    async fn sign_in(&self, city: &City, phone: &str) {
        self.goto(&city.server.url("/console/login")).await;
        self.client.find(Locator::Css("#phone")).await.unwrap().send_keys(phone).await.unwrap();
        let password = city.password_of(phone);
        self.client
            .find(Locator::Css("#password"))
            .await
            .unwrap()
            .send_keys(&password)
            .await
            .unwrap();
        self.click("form.login button[type=submit]").await;
        self.wait_for("#live").await;
    }

    async fn click(&self, css: &str) {
        self.client.find(Locator::Css(css)).await.unwrap().click().await.unwrap();
    }

    async fn text(&self, css: &str) -> String {
        self.client.find(Locator::Css(css)).await.unwrap().text().await.unwrap()
    }

    async fn wait_for(&self, css: &str) {
        self.client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} did not appear: {e}"));
    }

    async fn script(&self, code: &str) -> Value {
        self.client.execute(code, vec![]).await.unwrap()
    }

    async fn page_text(&self) -> String {
        self.text("body").await
    }

    /// Keeps a picture of the page under `target/console-screenshots/`.
    async fn screenshot(&self, name: &str) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/console-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_see_a_new_complaint_arrive_and_answer_it_to_resolution() {
    if !browser_available() {
        return;
    }
    let city = City::start();
    let citizen = city.citizen("0912345678").await;
    let browser = Browser::open().await;
    browser.sign_in(&city, HAI_CHAU_STAFF).await;
    browser.screenshot("inbox").await;
    // The map draws the list's complaints from the start.
    let first =
        browser.script("return document.querySelector('#complaints tr[data-id]').dataset.id").await;
    browser.wait_for(&format!("#inbox-map path.point-{}", first.as_str().unwrap())).await;
    // Marks this page: a reload would lose it.
    browser.script("window.stillThisPage = true").await;
    let before: i64 = browser.text("#count-new").await.parse().unwrap();

    let id = city.file(&citizen, "Đèn đường trước số 12 Trần Phú tắt ba đêm nay").await;
    browser.wait_for(&format!("tr[data-id='{id}']")).await;
    assert_eq!(browser.script("return window.stillThisPage === true").await, json!(true));
    assert_eq!(browser.text("#count-new").await.parse::<i64>().unwrap(), before + 1);
    // The map beside the list takes the new point too, and without tiles it says so while the
    // list still names the place.
    browser.wait_for(&format!("#inbox-map path.point-{id}")).await;
    browser.wait_for("#inbox-map-note:not([hidden])").await;
    assert!(browser.text(&format!("tr[data-id='{id}']")).await.contains("Phường Hải Châu"));

    browser.click(&format!("tr[data-id='{id}'] a")).await;
    browser.wait_for("#description").await;
    assert_eq!(browser.text("#description").await, "Đèn đường trước số 12 Trần Phú tắt ba đêm nay");
    assert!(browser.text("#reporter").await.contains("+84912345678"));
    browser.screenshot("complaint").await;

    browser.click("#step-acknowledged summary").await;
    let comment = browser.client.find(Locator::Css("#acknowledged-comment")).await.unwrap();
    comment.send_keys("Đã tiếp nhận, đội điện chiếu sáng sẽ kiểm tra").await.unwrap();
    browser.click("#step-acknowledged button[type=submit]").await;
    browser.wait_for("p.notice").await;
    assert_eq!(browser.text("#status").await, "Đã tiếp nhận");

    browser.click("#step-resolved summary").await;
    let response = browser.client.find(Locator::Css("#resolved-response")).await.unwrap();
    response.send_keys("Đã thay bóng đèn mới").await.unwrap();
    let after = tempfile::Builder::new().suffix(".jpg").tempfile().unwrap();
    std::fs::write(after.path(), photos::jpeg(&photos::red_left_blue_right(800, 600), 90)).unwrap();
    let upload = browser.client.find(Locator::Css("#resolved-photos")).await.unwrap();
    upload.send_keys(&after.path().display().to_string()).await.unwrap();
    browser.click("#step-resolved button[type=submit]").await;
    browser.wait_for("p.notice").await;
    assert_eq!(browser.text("#status").await, "Đã xử lý xong");
    assert_eq!(
        browser
            .script(
                "return document.querySelectorAll('#timeline li[data-kind=resolved] img').length"
            )
            .await,
        json!(1)
    );

    // The resident's app sees each step and the photo of the fix.
    let seen = city.reporter_view(&citizen, &id).await;
    assert_eq!(seen["status"]["code"], "resolved", "{seen}");
    let timeline = seen["timeline"].as_array().expect("a timeline");
    let kinds: Vec<&str> = timeline.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(kinds, ["filed", "acknowledged", "resolved"]);
    let resolution = timeline.last().unwrap();
    let photo_url = resolution["photos"][0]["display_url"].as_str().expect("an after photo");
    let photo = reqwest::get(city.server.url(photo_url)).await.unwrap();
    assert_eq!(photo.status(), 200);
    assert_eq!(photo.headers()["content-type"], "image/jpeg");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_of_another_agency_neither_list_nor_open_the_complaint() {
    if !browser_available() {
        return;
    }
    let city = City::start();
    let citizen = city.citizen("0912345679").await;
    let id = city.file(&citizen, "Cột đèn nghiêng sắp đổ ở kiệt 45").await;
    let browser = Browser::open().await;
    browser.sign_in(&city, HOA_VANG_STAFF).await;
    browser
        .goto(&city.server.url("/console/?status=all&q=c%E1%BB%99t%20%C4%91%C3%A8n%20nghi%C3%AAng"))
        .await;
    assert!(browser.client.find(Locator::Css(&format!("tr[data-id='{id}']"))).await.is_err());
    assert!(browser.page_text().await.contains("Không có phản ánh nào phù hợp."));

    browser.goto(&city.server.url(&format!("/console/complaints/{id}"))).await;
    let text = browser.page_text().await;
    assert!(text.contains("Không tìm thấy"), "{text}");
    assert!(!text.contains("Cột đèn nghiêng"), "{text}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_show_their_reason_forms_need_their_token_and_scripts_stay_text() {
    if !browser_available() {
        return;
    }
    let city = City::start();
    let citizen = city.citizen("0912345670").await;
    let hostile = "<script>window.injected = 1; alert('x')</script><img src=x onerror=\"window.injected = 2\">";
    let id = city.file(&citizen, hostile).await;
    let browser = Browser::open().await;
    browser.sign_in(&city, HAI_CHAU_STAFF).await;
    browser.goto(&city.server.url(&format!("/console/complaints/{id}"))).await;
    browser.wait_for("#description").await;

    // The description is shown as the text it is; nothing in it ran or became an element.
    assert_eq!(browser.text("#description").await, hostile);
    assert!(browser.client.get_alert_text().await.is_err(), "a dialog opened");
    assert_eq!(browser.script("return typeof window.injected").await, json!("undefined"));
    assert_eq!(
        browser.script("return document.querySelectorAll('#description *').length").await,
        json!(0)
    );

    // Spaces satisfy the browser's `required`, not the rule: the reason shows by the field.
    browser.click("#step-acknowledged summary").await;
    let comment = browser.client.find(Locator::Css("#acknowledged-comment")).await.unwrap();
    comment.send_keys("   ").await.unwrap();
    browser.click("#step-acknowledged button[type=submit]").await;
    browser.wait_for("#step-acknowledged p.error").await;
    let reason = browser.text("#step-acknowledged p.error").await;
    assert!(reason.contains("comment"), "{reason}");
    assert_eq!(browser.text("#status").await, "Mới");
    browser.screenshot("refused-step").await;

    // The same form without its token is refused, and nothing is recorded.
    browser.click("#step-note summary").await;
    let note = browser.client.find(Locator::Css("#note-text")).await.unwrap();
    note.send_keys("Ghi chú thử").await.unwrap();
    browser.script("document.querySelector('#step-note input[name=csrf]').remove()").await;
    browser.click("#step-note button[type=submit]").await;
    browser.wait_for("main .card").await;
    let text = browser.page_text().await;
    assert!(text.contains("Biểu mẫu đã hết hạn"), "{text}");
    browser.goto(&city.server.url(&format!("/console/complaints/{id}"))).await;
    assert_eq!(
        browser
            .script("return document.querySelectorAll('#timeline li[data-kind=note]').length")
            .await,
        json!(0)
    );
    browser.close().await;
}

const ADMIN: &str = "+84900000001";

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_creates_a_staff_account_that_signs_in_until_it_is_disabled() {
    if !browser_available() {
        return;
    }
    let city = City::start();
    let admin = Browser::open().await;
    admin.sign_in(&city, ADMIN).await;
    // The top bar has one link to the administration, whose index lists its pages.
    admin.click("nav a[href='/console/admin']").await;
    admin.wait_for("ul.admin-pages a[href='/console/admin/staff']").await;
    admin.click("ul.admin-pages a[href='/console/admin/staff']").await;
    admin.wait_for("#new-name").await;
    admin
        .client
        .find(Locator::Css("#new-name"))
        .await
        .unwrap()
        .send_keys("Đỗ Thị Hoa")
        .await
        .unwrap();
    admin
        .client
        .find(Locator::Css("#new-phone"))
        .await
        .unwrap()
        .send_keys("0905 111 222")
        .await
        .unwrap();
    admin.script("const s = document.querySelector('#new-agency'); s.value = [...s.options].find(o => o.text === 'UBND phường Hải Châu').value").await;
    admin.click("form[action='/console/admin/staff'] button[type=submit]").await;
    admin.wait_for("#password").await;
    let password = admin.text("#password").await;
    admin.screenshot("staff-accounts").await;

    let staff = Browser::open().await;
    staff.goto(&city.server.url("/console/login")).await;
    staff.client.find(Locator::Css("#phone")).await.unwrap().send_keys("0905111222").await.unwrap();
    staff.client.find(Locator::Css("#password")).await.unwrap().send_keys(&password).await.unwrap();
    staff.click("form.login button[type=submit]").await;
    staff.wait_for("#live").await;
    assert!(staff.text("header.bar").await.contains("Đỗ Thị Hoa"));

    admin.goto(&city.server.url("/console/admin/staff")).await;
    admin.click("tr[data-phone='+84905111222'] form:first-of-type button").await;
    admin.wait_for("tr[data-phone='+84905111222'] .badge.overdue").await;
    // Signed out on the next request, whatever the page it asks for.
    staff.goto(&city.server.url("/console/")).await;
    staff.wait_for("form.login").await;
    assert!(staff.client.current_url().await.unwrap().path().ends_with("/console/login"));
    staff.close().await;
    admin.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_routing_rule_set_in_the_matrix_routes_the_next_filing() {
    if !browser_available() {
        return;
    }
    let city = City::start();
    let admin = Browser::open().await;
    admin.sign_in(&city, ADMIN).await;
    admin.goto(&city.server.url("/console/admin/routing")).await;
    let cell = "select[name='rule:street_light:DEMO-02']";
    admin.wait_for(cell).await;
    let department = admin
        .script(&format!("const s = document.querySelector(\"{cell}\"); s.value = [...s.options].find(o => o.text === 'Sở Xây dựng').value; return s.value"))
        .await;
    admin.screenshot("routing").await;
    admin.click("#save-routing").await;
    admin.wait_for(cell).await;
    assert_eq!(
        admin.script(&format!("return document.querySelector(\"{cell}\").value")).await,
        department
    );

    let citizen = city.citizen("0912345671").await;
    let id = city.file(&citizen, "Đèn đường ở Hải Châu không sáng").await;
    let filed = city.reporter_view(&citizen, &id).await;
    assert_eq!(filed["agency_id"], department);
    admin.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn anyone_reads_the_city_record_and_sees_the_newest_complaints_on_the_map() {
    if !browser_available() {
        return;
    }
    let city = City::start();
    let browser = Browser::open().await;
    browser.goto(&city.server.url("/")).await;
    browser.wait_for("#city-map .leaflet-interactive").await;
    // The demo city's complaints are drawn, and without tiles the page says so and lists them.
    let markers = browser
        .script("return document.querySelectorAll('#city-map .leaflet-interactive').length")
        .await;
    assert!(markers.as_u64().unwrap() > 10, "{markers} markers");
    browser.wait_for("#city-map-note:not([hidden])").await;
    let resolved: u64 =
        browser.text("#records tbody tr:first-child td:nth-child(3)").await.parse().unwrap();
    assert!(resolved > 0, "the demo city's first agency resolved something");
    assert!(browser.page_text().await.contains("Chính quyền trả lời người dân"));
    browser.screenshot("public").await;
    browser.click("a[hreflang=en]").await;
    browser.wait_for("html[lang=en]").await;
    assert!(browser.page_text().await.contains("How the city answers its residents"));
    browser.close().await;
}

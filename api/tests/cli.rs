//! The `smartcity` binary as an operator runs it: commands, their output and exit codes, first
//! start on an empty SQLite file, graceful shutdown on SIGTERM, and a server killed while it
//! sends pushes losing none of them.

use serde_json::Value;
use smartcity_db::words::Stored;
use smartcity_db::{accounts, procedures, DbConn};
use smartcity_domain::account::Role;
use smartcity_domain::push::{Platform, PushStatus};
use smartcity_domain::Lang;
use smartcity_testkit::fake_google;
use smartcity_testkit::test_db::TestDb;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_smartcity");
const STRONG_PASSWORD: &str = "ca phe sua da luc bay gio";

fn smartcity(db: &TestDb, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", db.url())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("smartcity runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn connect(db: &TestDb) -> DbConn {
    use smartcity_db::pool::{build_pool, PoolSettings};
    let pool = build_pool(
        &smartcity_db::Backend::from_url(db.url()),
        &PoolSettings { max_size: 1, checkout_timeout: Duration::from_secs(5) },
    );
    let mut conn = pool.get().expect("connect");
    smartcity_db::pool::migrate(&mut conn).expect("migrate");
    // Hand back the bare connection; the pool would keep it open otherwise.
    std::mem::replace(
        &mut *conn,
        DbConn::Sqlite(diesel::Connection::establish(":memory:").unwrap()),
    )
}

#[test]
fn help_explains_each_command() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = text(&out.stdout);
    for command in [
        "serve",
        "migrate",
        "seed",
        "create-admin",
        "import-procedures",
        "import-categories",
        "import-land",
    ] {
        assert!(help.contains(command), "{command} in {help}");
    }
    let out = Command::new(BIN).args(["create-admin", "--help"]).output().unwrap();
    assert!(text(&out.stdout).contains("standard input"));
}

#[test]
fn create_admin_reads_the_password_from_standard_input() {
    let db = TestDb::create();
    let out = smartcity(
        &db,
        &["create-admin", "--phone", "0912 345 678"],
        &format!("{STRONG_PASSWORD}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("+84912345678"));

    let mut conn = connect(&db);
    let admin =
        accounts::find_user_by_phone(&mut conn, "+84912345678").unwrap().expect("admin stored");
    assert_eq!(admin.role.as_str(), "admin");
    assert!(smartcity_api::app::auth::passwords::verify(STRONG_PASSWORD, &admin.password_hash));

    let again = smartcity(
        &db,
        &["create-admin", "--phone", "+84912345678"],
        &format!("{STRONG_PASSWORD}\n"),
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("already registered"));

    let weak = smartcity(&db, &["create-admin", "--phone", "0987654321"], "12345678\n");
    assert_eq!(weak.status.code(), Some(1));
    assert!(text(&weak.stderr).contains("password"), "{}", text(&weak.stderr));
    assert!(accounts::find_user_by_phone(&mut conn, "+84987654321").unwrap().is_none());
}

fn procedure(code: &str, fee: &str) -> String {
    format!(
        r#"    {{"code": "{code}", "name": "Thủ tục {code}", "name_en": "Procedure {code}", "field": "Hộ tịch", "level": "commune",
     "agency": "UBND cấp xã", "service_level": 3, "processing_days": 2, "fee_vnd": {fee},
     "documents": ["Tờ khai"], "result": "Kết quả"}}"#
    )
}

#[test]
fn import_procedures_upserts_and_refuses_a_bad_file_whole_naming_line_and_field() {
    let db = TestDb::create();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(
        &good,
        format!(
            "{{\"procedures\": [\n{},\n{}\n]}}",
            procedure("T-01", "0"),
            procedure("T-02", "50000")
        ),
    )
    .unwrap();
    let out = smartcity(&db, &["import-procedures", good.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("2 procedures added, 0 updated"), "{}", text(&out.stdout));
    let out = smartcity(&db, &["import-procedures", good.to_str().unwrap()], "");
    assert!(text(&out.stdout).contains("0 procedures added, 2 updated"), "{}", text(&out.stdout));

    // A new procedure, then one with a negative fee on the file's line 6: neither lands.
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        format!(
            "{{\"procedures\": [\n{},\n{}\n]}}",
            procedure("T-03", "0"),
            procedure("T-04", "-5")
        ),
    )
    .unwrap();
    let out = smartcity(&db, &["import-procedures", bad.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("line 6"), "{err}");
    assert!(err.contains("procedures[1].fee_vnd"), "{err}");
    let mut conn = connect(&db);
    assert!(procedures::find(&mut conn, "T-03").unwrap().is_none(), "nothing half-written");
    assert_eq!(procedures::live_with_revision(&mut conn).unwrap().1.len(), 2);
}

fn category(code: &str, sla_hours: u32) -> String {
    format!(
        r#"{{"code": "{code}", "name": {{"vi": "Loại {code}", "en": "Kind {code}"}},
          "group": {{"vi": "Môi trường", "en": "Environment"}}, "sla_hours": {sla_hours},
          "icon": "other"}}"#
    )
}

#[test]
fn import_categories_upserts_by_code_and_refuses_a_bad_file_whole_naming_the_field() {
    let db = TestDb::create();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, categories: &[String]| {
        let path = dir.path().join(name);
        std::fs::write(&path, format!(r#"{{"categories": [{}]}}"#, categories.join(","))).unwrap();
        path
    };
    let import =
        |path: &std::path::Path| smartcity(&db, &["import-categories", path.to_str().unwrap()], "");
    let first = write("first.json", &[category("stray_dogs", 48)]);
    let out = import(&first);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("1 categories added, 0 updated"), "{}", text(&out.stdout));

    let second = write("second.json", &[category("stray_dogs", 24), category("graffiti", 96)]);
    let out = import(&second);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("1 categories added, 1 updated"), "{}", text(&out.stdout));
    let mut conn = connect(&db);
    let stored = smartcity_db::places::find_category(&mut conn, "stray_dogs").unwrap().unwrap();
    assert_eq!(stored.sla_hours, 24);

    // A change to a known category, then a new one with an SLA of zero: neither lands.
    let bad = write("bad.json", &[category("stray_dogs", 12), category("beggars", 0)]);
    let out = import(&bad);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("categories[1].sla_hours"), "{err}");
    let mut conn = connect(&db);
    assert_eq!(
        smartcity_db::places::find_category(&mut conn, "stray_dogs").unwrap().unwrap().sla_hours,
        24,
        "nothing half-written"
    );
    assert!(smartcity_db::places::find_category(&mut conn, "beggars").unwrap().is_none());
}

#[test]
fn a_configuration_mistake_is_named_and_stops_the_command() {
    let db = TestDb::create();
    let out = Command::new(BIN)
        .arg("migrate")
        .env("DATABASE_URL", db.url())
        .env("SMARTCITY_LOG_FORMAT", "xml")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("SMARTCITY_LOG_FORMAT"));
}

/// The embedded default: an empty SQLite file is migrated and seeded at first start, and
/// SIGTERM lets a request in flight finish before the process exits.
#[tokio::test]
async fn first_start_seeds_an_empty_sqlite_file_and_sigterm_finishes_requests_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .arg("serve")
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env("SMARTCITY_BIND", "127.0.0.1:0")
        .env("SMARTCITY_METRICS_BIND", "127.0.0.1:0")
        .env("SMARTCITY_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut admin_password = None;
    let mut city = None;
    let mut port = None;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(60);
    while port.is_none() && Instant::now() < deadline {
        let line = lines.next().expect("server output").unwrap();
        if line.trim_start().starts_with("admin") {
            admin_password = line.split("password ").nth(1).map(|p| p.trim().to_string());
        }
        if line.starts_with("demo complaints") {
            city = Some(line.clone());
        }
        if let Ok(event) = serde_json::from_str::<Value>(&line) {
            if event["fields"]["message"] == "smartcity serving" {
                port = event["fields"]["port"].as_u64();
            }
        }
    }
    // Keep draining the server's output so it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let port = port.expect("server announced its port");
    println!("first start, demo city included: {:?}", started.elapsed());
    let admin_password = admin_password.expect("first start printed the admin's password");
    // How many dossiers depends on the hour: one received today is sent from 8 o'clock on.
    let city = city.expect("first start printed what the demo city added");
    assert!(city.starts_with("demo complaints: 300 added, demo dossiers: "), "{city}");
    assert!(dir.path().join("smartcity.db").exists(), "smartcity.db in the working directory");

    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let login = |phone: &str, password: &str| {
        client
            .post(format!("{base}/v1/auth/login"))
            .json(&serde_json::json!({"phone": phone, "password": password}))
            .send()
    };
    assert_eq!(login("+84900000001", &admin_password).await.unwrap().status(), 200);
    let procedures: Value =
        client.get(format!("{base}/v1/procedures")).send().await.unwrap().json().await.unwrap();
    assert_eq!(procedures["total"], 53);
    let map: Value = client
        .get(format!("{base}/v1/complaints?min_lat=16&max_lat=16.1&min_lon=108.1&max_lon=108.3"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!map["items"].as_array().unwrap().is_empty(), "the demo city is on the map");

    // Failed logins past the threshold are answered slowly: one such request is in flight
    // when SIGTERM arrives.
    for _ in 0..4 {
        login("+84900000001", "wrong password").await.unwrap();
    }
    let in_flight = tokio::spawn(login("+84900000001", "wrong password"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let res = in_flight.await.unwrap().expect("the request in flight was answered");
    assert_eq!(res.status(), 401);

    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "server did not exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status}");
}

/// `smartcity seed` on either backend: the demo city comes with the first run, its photos in
/// the configured store, and a second run adds nothing.
#[test]
fn seed_adds_the_demo_city_once() {
    let db = TestDb::create();
    let photos = tempfile::tempdir().unwrap();
    let seed = || {
        Command::new(BIN)
            .arg("seed")
            .env("DATABASE_URL", db.url())
            .env("SMARTCITY_PHOTO_DIR", photos.path())
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let first = seed();
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(text(&first.stdout).contains("demo complaints: 300 added"), "{}", text(&first.stdout));
    let stored = std::fs::read_dir(photos.path().join("photos")).unwrap().count();
    assert!(stored >= 11, "{stored} photos stored");

    let again = seed();
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(
        text(&again.stdout).contains("demo complaints and dossiers: none added"),
        "{}",
        text(&again.stdout)
    );
    let mut conn = connect(&db);
    assert_eq!(smartcity_db::complaints::count(&mut conn).unwrap(), 300);
    assert_eq!(std::fs::read_dir(photos.path().join("photos")).unwrap().count(), stored);
}

#[test]
fn import_areas_replaces_the_areas_and_refuses_bad_geometry_naming_the_feature() {
    let db = TestDb::create();
    let dir = tempfile::tempdir().unwrap();
    let square = |name: &str, lon: f64| {
        format!(
            r#"{{"type":"Feature","properties":{{"name":"{name}"}},"geometry":{{"type":"Polygon",
            "coordinates":[[[{lon},16.0],[{},16.0],[{},16.1],[{lon},16.1],[{lon},16.0]]]}}}}"#,
            lon + 0.1,
            lon + 0.1
        )
    };
    let good = dir.path().join("good.geojson");
    std::fs::write(
        &good,
        format!(
            r#"{{"type":"FeatureCollection","features":[{},{}]}}"#,
            square("Phường Một", 108.0),
            square("Phường Hai", 108.1)
        ),
    )
    .unwrap();
    let out = smartcity(&db, &["import-areas", good.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("2 areas imported"));

    let open_ring = r#"{"type":"Feature","properties":{"name":"Phường Hở"},"geometry":{"type":"Polygon",
        "coordinates":[[[108.2,16.0],[108.3,16.0],[108.3,16.1],[108.2,16.1]]]}}"#;
    let bad = dir.path().join("bad.geojson");
    std::fs::write(
        &bad,
        format!(
            r#"{{"type":"FeatureCollection","features":[{},{open_ring}]}}"#,
            square("Phường Ba", 108.0)
        ),
    )
    .unwrap();
    let out = smartcity(&db, &["import-areas", bad.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("feature 1") && err.contains("Phường Hở"), "{err}");

    let mut conn = connect(&db);
    let (_, areas) = smartcity_db::places::areas_with_revision(&mut conn).unwrap();
    let names: Vec<&str> = areas.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, vec!["Phường Hai", "Phường Một"], "the bad file changed nothing");
}

/// Starts `smartcity serve` on `db` sending pushes to `google`; returns the child.
fn serve_with_pushes(
    db: &TestDb,
    google: &fake_google::FakeGoogle,
    credentials: &str,
) -> std::process::Child {
    Command::new(BIN)
        .arg("serve")
        .env("DATABASE_URL", db.url())
        .env("SMARTCITY_BIND", "127.0.0.1:0")
        .env("SMARTCITY_METRICS_BIND", "127.0.0.1:0")
        .env("GOOGLE_APPLICATION_CREDENTIALS", credentials)
        .env("SMARTCITY_FCM_BASE_URL", google.base_url())
        .env("SMARTCITY_PUSH_LEASE_SECS", "2")
        .env("SMARTCITY_PUSH_WORKERS", "2")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("smartcity runs")
}

fn outbox_statuses(db: &TestDb) -> Vec<(String, String)> {
    use diesel::prelude::*;
    use smartcity_db::schema::push_outbox::dsl::*;
    let mut conn = connect(db);
    let rows: Vec<(String, PushStatus)> =
        push_outbox.select((device_token, status)).load(&mut conn).unwrap();
    rows.into_iter().map(|(token, state)| (token, state.as_str().to_string())).collect()
}

/// SIGKILL while pushes are going out: after a restart every queued push is sent (some that
/// were in flight may go twice; none is lost).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_queue_loses_no_push_after_restart() {
    use diesel::prelude::*;
    let db = TestDb::create();
    let google = fake_google::FakeGoogle::start().await;
    let credentials = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(credentials.path(), google.service_account_json()).unwrap();
    let credentials = credentials.path().to_str().unwrap().to_string();
    {
        // One citizen with 600 phones, and one notice: 600 pushes queued in its transaction.
        let mut conn = connect(&db);
        let user_id = "citizen-1";
        accounts::insert_user(
            &mut conn,
            &accounts::NewUser {
                id: user_id,
                phone: "+84912345678",
                password_hash: "not used",
                display_name: "Nguyễn Văn An",
                role: Role::Citizen,
                agency_id: None,
                disabled: false,
                created_at: smartcity_db::now(),
                phone_verified_at: None,
            },
        )
        .unwrap();
        let now = smartcity_db::now();
        for i in 0..600 {
            use smartcity_db::schema::devices::dsl::*;
            diesel::insert_into(devices)
                .values((
                    token.eq(format!("slow-phone-{i:03}")),
                    user_id.eq("citizen-1"),
                    platform.eq(Stored(Platform::Android)),
                    app_version.eq("3.0.0"),
                    lang.eq(Stored(Lang::Vi)),
                    created_at.eq(now),
                    updated_at.eq(now),
                ))
                .execute(&mut conn)
                .unwrap();
        }
        let notice = smartcity_domain::dossier::status_notice(
            "HS-1",
            "Đăng ký khai sinh",
            smartcity_domain::dossier::DossierStatus::ALL[3],
        );
        smartcity_db::notifications::insert(&mut conn, user_id, &notice, now).unwrap();
    }

    let mut first = serve_with_pushes(&db, &google, &credentials);
    let deadline = Instant::now() + Duration::from_secs(30);
    while google.sent().len() < 100 {
        assert!(Instant::now() < deadline, "the first server never got going");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.kill().unwrap(); // SIGKILL: no chance to finish anything
    first.wait().unwrap();
    let at_kill = google.sent().len();
    assert!(at_kill < 600, "killed mid-queue ({at_kill} of 600 sent)");
    assert!(
        outbox_statuses(&db).iter().any(|(_, status)| status != "sent"),
        "some pushes were left unsent"
    );

    let mut second = serve_with_pushes(&db, &google, &credentials);
    let deadline = Instant::now() + Duration::from_secs(60);
    while outbox_statuses(&db).iter().any(|(_, status)| status != "sent") {
        assert!(Instant::now() < deadline, "the restarted server did not finish the queue");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    second.kill().unwrap();
    second.wait().unwrap();
    let delivered: std::collections::HashSet<String> =
        google.sent().iter().map(|s| s.message["token"].as_str().unwrap().to_string()).collect();
    assert_eq!(delivered.len(), 600, "every phone got its push");
}

/// A real city's first seed: the agencies, catalogue and the rest, and no demo complaints.
#[test]
fn seed_without_the_demo_city_adds_no_complaint() {
    let db = TestDb::create();
    let photos = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["seed", "--without-demo-city"])
        .env("DATABASE_URL", db.url())
        .env("SMARTCITY_PHOTO_DIR", photos.path())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("procedures: 53 added"), "{}", text(&out.stdout));
    let mut conn = connect(&db);
    assert_eq!(smartcity_db::complaints::count(&mut conn).unwrap(), 0);
}

/// A parcel feature: a square of 0.001° whose south-west corner is (`lon`, 16.04).
fn land_parcel(number: u32, land_use: &str, lon: f64) -> String {
    let e = lon + 0.001;
    format!(
        r#"{{"type":"Feature","id":"p{number}","properties":{{"so_to":12,"so_thua":{number},
        "dien_tich":250.0,"ma_loai_dat":"{land_use}"}},"geometry":{{"type":"Polygon",
        "coordinates":[[[{lon},16.04],[{e},16.04],[{e},16.041],[{lon},16.041],[{lon},16.04]]]}}}}"#
    )
}

#[test]
fn import_land_loads_a_layer_and_refuses_a_file_with_one_bad_feature_whole_naming_it() {
    let db = TestDb::create();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("thua_dat.geojson");
    let features: Vec<String> =
        (0..1200).map(|i| land_parcel(i + 1, "ODT", 108.0 + f64::from(i) * 0.001)).collect();
    std::fs::write(
        &good,
        format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(",")),
    )
    .unwrap();
    let out = smartcity(
        &db,
        &["import-land", "parcels", good.to_str().unwrap(), "--date", "2026-11-30"],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("1200 features imported"), "{}", text(&out.stdout));
    assert!(!text(&out.stderr).contains('\r'), "no progress counter when not on a terminal");

    let mut bad_features = features.clone();
    bad_features[1000] = land_parcel(1001, "ZZZ", 108.5);
    bad_features.truncate(1100);
    let bad = dir.path().join("bad.geojson");
    std::fs::write(
        &bad,
        format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, bad_features.join(",")),
    )
    .unwrap();
    let out = smartcity(
        &db,
        &["import-land", "parcels", bad.to_str().unwrap(), "--date", "2026-12-01"],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("feature 1000 (p1001)") && err.contains("ZZZ"), "{err}");
    assert!(err.contains("nothing imported"), "{err}");

    let mut conn = connect(&db);
    let layers = smartcity_db::land::layers(&mut conn).unwrap();
    assert_eq!(layers.len(), 1, "{layers:?}");
    assert_eq!(layers[0].feature_count, 1200, "the bad file changed nothing");
    assert_eq!(layers[0].layer_date.to_string(), "2026-11-30");
    assert_eq!(layers[0].source_file, "thua_dat.geojson");
    let stored = smartcity_db::land::load_land(&mut conn).unwrap();
    assert_eq!(stored.parcels.len(), 1200);

    let missing = smartcity(
        &db,
        &[
            "import-land",
            "zones",
            dir.path().join("none.geojson").to_str().unwrap(),
            "--date",
            "2026-12-01",
        ],
        "",
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("none.geojson"), "{}", text(&missing.stderr));
    let bad_date = smartcity(
        &db,
        &["import-land", "zones", good.to_str().unwrap(), "--date", "30/11/2026"],
        "",
    );
    assert!(!bad_date.status.success());
    assert!(text(&bad_date.stderr).contains("--date"), "{}", text(&bad_date.stderr));
}

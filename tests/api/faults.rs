//! The server under faults of what it depends on, in process: the photo disk full or read-only
//! (a real tmpfs mount, so the kernel's own errors reach the store), and FCM failing for a
//! minute. The database stopped and the process killed are in `api/tests/faults.rs`.

use crate::delivery::{app_sending_to, register};
use crate::helpers::*;
use reqwest::multipart::Part;
use reqwest::StatusCode;
use serde_json::json;
use smartcity_domain::push::PushStatus;
use smartcity_testkit::fake_google::{FakeGoogle, SendFailure};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A small tmpfs mounted on a fresh directory, unmounted when dropped (even after a failed
/// assertion). Needs root, as the CI machine runs the suite.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().unwrap();
        run("mount", &["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs", path(dir.path())]);
        Tmpfs { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn remount(&self, options: &str) {
        run("mount", &["-o", &format!("remount,{options}"), path(self.path())]);
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Lazy, so a file still open somewhere cannot keep the mount behind.
        let _ = Command::new("umount").args(["-l", path(self.path())]).status();
    }
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!("{program} could not run ({e}); these tests need root and mount(8)")
    });
    assert!(
        out.status.success(),
        "{program} {args:?} failed (these tests need root): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every regular file under `dir`.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

async fn complaint_count(app: &TestApp) -> (i64, i64) {
    app.with_db(|conn| {
        use diesel::prelude::*;
        use smartcity_db::schema::{complaint_photos, complaints};
        let rows = complaints::table.count().get_result(conn).unwrap();
        let photos = complaint_photos::table.count().get_result(conn).unwrap();
        (rows, photos)
    })
    .await
}

/// A filing in Hải Châu with two photos large enough to overflow a tiny disk.
async fn file_with_photos(app: &TestApp, token: &str) -> reqwest::Response {
    let photo = |name: &str| Part::bytes(jpeg(2000, 1500)).file_name(name.to_string());
    let form = form("garbage", HAI_CHAU.0, HAI_CHAU.1)
        .part("photos", photo("a.jpg"))
        .part("photos", photo("b.jpg"));
    file(app, token, form, Some("disk-fault-1")).await
}

async fn assert_storage_unavailable(res: reqwest::Response) {
    let retry_after = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
    assert_problem(res, StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable").await;
    assert!(
        retry_after.is_some_and(|secs| secs.parse::<u64>().is_ok_and(|s| s > 0)),
        "a storage outage says when to retry"
    );
}

/// A seeded server keeping its photos on `disk`, and a citizen's token.
async fn app_storing_photos_on(disk: &Tmpfs) -> (TestApp, String) {
    let dir = disk.path().to_path_buf();
    let app = spawn_app_with(
        move |config| {
            config.photo_store =
                smartcity_api::adapters::storage::StoreConfig::Local { dir: dir.clone() }
        },
        |_| {},
    )
    .await;
    app.with_db(|conn| smartcity_api::app::seed::seed(conn).expect("seed")).await;
    let token = app.citizen_token().await;
    (app, token)
}

#[tokio::test]
async fn a_full_photo_disk_answers_503_leaves_nothing_half_written_and_recovers() {
    // Room for a thumbnail or two, not for a display copy.
    let disk = Tmpfs::mount("48k");
    let (app, token) = app_storing_photos_on(&disk).await;

    assert_storage_unavailable(file_with_photos(&app, &token).await).await;
    assert_eq!(complaint_count(&app).await, (0, 0), "no complaint row without its photos");
    assert_eq!(files_under(disk.path()), Vec::<PathBuf>::new(), "no partial file left");

    // The operator frees space: the client's retry with the same key goes through.
    disk.remount("size=32m");
    let res = file_with_photos(&app, &token).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    assert_eq!(complaint_count(&app).await, (1, 2));
    assert_eq!(files_under(disk.path()).len(), 4, "a display copy and a thumbnail per photo");
}

#[tokio::test]
async fn a_read_only_photo_disk_answers_503_leaves_nothing_half_written_and_recovers() {
    let disk = Tmpfs::mount("32m");
    disk.remount("ro");
    let (app, token) = app_storing_photos_on(&disk).await;

    assert_storage_unavailable(file_with_photos(&app, &token).await).await;
    assert_eq!(complaint_count(&app).await, (0, 0), "no complaint row without its photos");

    // A filing without photos does not need the disk.
    let res = file(&app, &token, form("garbage", HAI_CHAU.0, HAI_CHAU.1), None).await;
    assert_eq!(res.status(), StatusCode::CREATED);

    disk.remount("rw");
    let res = file_with_photos(&app, &token).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    assert_eq!(complaint_count(&app).await, (2, 2));
    assert_eq!(files_under(disk.path()).len(), 4);
}

/// Each push in the outbox: (device token, notification id, status, last error).
async fn outbox(app: &TestApp) -> Vec<(String, String, String, Option<String>)> {
    app.with_db(|conn| {
        use diesel::prelude::*;
        use smartcity_db::schema::push_outbox::dsl::*;
        push_outbox
            .select((device_token, notification_id, status, last_error))
            .load::<(String, String, PushStatus, Option<String>)>(conn)
            .unwrap()
    })
    .await
    .into_iter()
    .map(|(token, notification, status, error)| {
        (token, notification, status.as_str().into(), error)
    })
    .collect()
}

fn assert_none_dead(rows: &[(String, String, String, Option<String>)]) {
    let dead: Vec<_> = rows.iter().filter(|row| row.2 == "dead").collect();
    assert!(dead.is_empty(), "dead-lettered during a one-minute outage: {dead:?}");
}

/// FCM answers 503 for half a minute, then 429 with `Retry-After` for another half: once it
/// recovers, every phone gets each of its notifications, exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_minute_of_fcm_failures_delays_pushes_but_loses_and_repeats_none() {
    const PHONES: [&str; 4] = ["phone-a", "phone-b", "phone-c", "phone-d"];
    let google = FakeGoogle::start().await;
    google.fail_sends(Some(SendFailure::Unavailable));
    let (app, _credentials) = app_sending_to(&google, 1).await;
    let reporter = app.citizen_token().await;
    for phone in PHONES {
        register(&app, &reporter, phone, "vi").await;
    }
    let outage = Instant::now();
    let (id, staff) = acknowledged(&app, &reporter, "+84905000091").await;
    let step = json!({"type": "in_progress", "comment": "Đội vệ sinh đang xử lý"});
    let res = app.post_auth(&format!("/v1/complaints/{id}/events"), &staff, &step).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let queued = outbox(&app).await;
    assert!(queued.len() >= 2 * PHONES.len(), "two steps, each to every phone: {queued:?}");

    tokio::time::sleep_until((outage + Duration::from_secs(30)).into()).await;
    google.fail_sends(Some(SendFailure::QuotaExceeded { retry_after_secs: 5 }));
    tokio::time::sleep_until((outage + Duration::from_secs(60)).into()).await;
    assert!(google.sent().is_empty(), "nothing got through the outage");
    assert!(google.send_attempts() > queued.len(), "the worker kept trying during the outage");
    assert_none_dead(&outbox(&app).await);

    google.fail_sends(None);
    // The longest wait a push can have been given by now is about a minute (backoff).
    let deadline = Instant::now() + Duration::from_secs(100);
    loop {
        let rows = outbox(&app).await;
        assert_none_dead(&rows);
        if rows.iter().all(|row| row.2 == "sent") {
            break;
        }
        assert!(Instant::now() < deadline, "not all delivered after FCM recovered: {rows:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // Sent rows are settled after the request: give a duplicate a moment to show up.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut delivered: HashMap<(String, String), usize> = HashMap::new();
    for sent in google.sent() {
        let token = sent.message["token"].as_str().unwrap().to_string();
        let notification = sent.message["data"]["notification_id"].as_str().unwrap().to_string();
        *delivered.entry((token, notification)).or_default() += 1;
    }
    let expected: HashMap<(String, String), usize> = queued
        .iter()
        .map(|(token, notification, ..)| ((token.clone(), notification.clone()), 1))
        .collect();
    assert_eq!(delivered, expected, "each phone got each notification once");
}

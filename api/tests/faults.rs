//! The `smartcity` binary under faults: its PostgreSQL stopped under load and started again,
//! and the process SIGKILLed while photos are being uploaded. The photo disk full or read-only
//! and FCM failing are in `tests/api/faults.rs`.

#[allow(dead_code)] // each test binary uses part of it
mod support;

use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use support::Server;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BIN: &str = env!("CARGO_BIN_EXE_smartcity");
const PG_BIN: &str = "/usr/lib/postgresql/15/bin";
const STRONG_PASSWORD: &str = "ca phe sua da luc bay gio";
/// Inside the demo's Phường Hải Châu.
const HAI_CHAU: (f64, f64) = (16.045, 108.205);

/// A PostgreSQL of this test's own, in a temporary directory on a free port, so stopping it
/// disturbs nobody else. Stopped and removed when dropped, whatever the test's outcome.
struct PrivatePostgres {
    dir: tempfile::TempDir,
    port: u16,
}

impl PrivatePostgres {
    fn start() -> PrivatePostgres {
        assert!(
            Path::new(PG_BIN).join("initdb").exists(),
            "this test starts its own PostgreSQL and needs PostgreSQL 15's programs in {PG_BIN} \
             (apt-get install postgresql-15)"
        );
        let dir = tempfile::Builder::new().prefix("smartcity-pg-").tempdir().unwrap();
        // initdb and postgres refuse to run as root: the cluster is the postgres user's.
        let chown = Command::new("chown").arg("postgres:postgres").arg(dir.path()).status();
        assert!(chown.is_ok_and(|s| s.success()), "chown to the postgres user (needs root)");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let server = PrivatePostgres { dir, port };
        server.pg(&["initdb", "-D", "data", "-U", "postgres", "-A", "trust", "--no-sync"]);
        server.start_again();
        server
    }

    /// Runs one of PostgreSQL's programs as the postgres user, in the cluster's directory.
    fn pg(&self, args: &[&str]) {
        let out = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(Path::new(PG_BIN).join(args[0]))
            .args(&args[1..])
            .current_dir(self.dir.path())
            .output()
            .expect("runuser runs");
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        self.pg(&["pg_ctl", "-D", "data", "-l", "log", "-w", "-t", "30", "-o", &options, "start"]);
    }

    /// As a crash: every connection is cut at once.
    fn stop_immediately(&self) {
        self.pg(&["pg_ctl", "-D", "data", "-m", "immediate", "-w", "stop"]);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres?sslmode=disable", self.port)
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(Path::new(PG_BIN).join("pg_ctl"))
            .args(["-D", "data", "-m", "immediate", "-w", "stop"])
            .current_dir(self.dir.path())
            .output();
    }
}

/// Runs a `smartcity` command to completion.
fn command(database_url: &str, args: &[&str]) {
    let out = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("smartcity runs");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A registered citizen's access token.
async fn citizen_token(client: &reqwest::Client, server: &Server) -> String {
    let res = client
        .post(server.url("/v1/auth/register"))
        .json(&json!({"phone": "0912 345 678", "display_name": "Nguyễn Văn An", "password": STRONG_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let res = client
        .post(server.url("/v1/auth/login"))
        .json(&json!({"phone": "0912345678", "password": STRONG_PASSWORD}))
        .send()
        .await
        .unwrap();
    let tokens: Value = res.json().await.unwrap();
    tokens["access_token"].as_str().expect("an access token").to_string()
}

const BOUNDARY: &str = "smartcity-fault-test-boundary";

/// A complaint filing in Hải Châu as `multipart/form-data`, with `photos` as JPEG parts.
fn filing(photos: &[Vec<u8>]) -> Vec<u8> {
    let mut body = Vec::new();
    let fields = [
        ("category", "garbage".to_string()),
        ("description", "Rác tồn đọng ba ngày trước chợ".to_string()),
        ("lat", HAI_CHAU.0.to_string()),
        ("lon", HAI_CHAU.1.to_string()),
    ];
    for (name, value) in fields {
        body.extend(
            format!(
                "--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .bytes(),
        );
    }
    for (i, photo) in photos.iter().enumerate() {
        body.extend(
            format!(
                "--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"photos\"; \
                 filename=\"IMG_{i}.jpg\"\r\ncontent-type: image/jpeg\r\n\r\n"
            )
            .bytes(),
        );
        body.extend(photo);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{BOUNDARY}--\r\n").bytes());
    body
}

fn multipart_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// A photo-like JPEG: gradients under grain, so it is as large as a phone's photo.
fn large_jpeg(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        let noise = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729) ^ seed)
            .wrapping_mul(2_654_435_761)
            >> 26;
        image::Rgb([
            ((x / 12 + noise) % 256) as u8,
            ((y / 9) % 256) as u8,
            ((x + y + seed) % 256) as u8,
        ])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image).write_to(&mut bytes, image::ImageFormat::Jpeg).unwrap();
    bytes.into_inner()
}

/// What one request got: when it was sent, how long it took, and its status (0: no answer).
#[derive(Debug, Clone)]
struct Answer {
    sent_at: Instant,
    took: Duration,
    status: u16,
    problem_code: Option<String>,
    retry_after: Option<String>,
    complaint_id: Option<String>,
}

async fn answer(sent_at: Instant, result: reqwest::Result<reqwest::Response>) -> Answer {
    let took = sent_at.elapsed();
    let Ok(res) = result else {
        return Answer {
            sent_at,
            took,
            status: 0,
            problem_code: None,
            retry_after: None,
            complaint_id: None,
        };
    };
    let status = res.status().as_u16();
    let retry_after = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
    let body: Value = res.json().await.unwrap_or(Value::Null);
    Answer {
        sent_at,
        took,
        status,
        problem_code: body["code"].as_str().map(str::to_string),
        retry_after,
        complaint_id: body["id"].as_str().map(str::to_string),
    }
}

/// Files complaint after complaint, each under its own `Idempotency-Key` and retried with it
/// until it is filed, until `stop` is set; returns every answer and each key's complaint.
async fn file_until_stopped(
    client: reqwest::Client,
    server_base: String,
    token: String,
    filer: usize,
    stop: Arc<AtomicBool>,
) -> (Vec<Answer>, BTreeMap<String, String>) {
    let mut answers = Vec::new();
    let mut filed = BTreeMap::new();
    let body = filing(&[]);
    for n in 0.. {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let key = format!("filer-{filer}-{n}");
        let id = loop {
            let sent_at = Instant::now();
            let result = client
                .post(format!("{server_base}/v1/complaints"))
                .bearer_auth(&token)
                .header("idempotency-key", &key)
                .header("content-type", multipart_type())
                .body(body.clone())
                .send()
                .await;
            let got = answer(sent_at, result).await;
            answers.push(got.clone());
            if got.status == 201 {
                break got.complaint_id.expect("a filed complaint has an id");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        filed.insert(key, id);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (answers, filed)
}

/// Reads the citizen's own account and the procedure search (both read the database) until
/// `stop` is set.
async fn read_until_stopped(
    client: reqwest::Client,
    server_base: String,
    token: String,
    stop: Arc<AtomicBool>,
) -> Vec<Answer> {
    let mut answers = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        let sent_at = Instant::now();
        let result = client.get(format!("{server_base}/v1/me")).bearer_auth(&token).send().await;
        answers.push(answer(sent_at, result).await);
        let sent_at = Instant::now();
        let result = client.get(format!("{server_base}/v1/procedures?q=khai+sinh")).send().await;
        answers.push(answer(sent_at, result).await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    answers
}

/// PostgreSQL stops (as in a crash) while complaints are filed and read: every request is
/// answered 503 `database_unavailable` with `Retry-After` within a few seconds, none hangs;
/// PostgreSQL comes back and the server serves again within 5 s by itself; the clients'
/// retries under the same keys leave exactly one complaint per key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_under_load_answers_503_quickly_then_recovers_losing_and_doubling_nothing()
{
    const ANSWER_WITHIN: Duration = Duration::from_secs(5);
    const RECOVER_WITHIN: Duration = Duration::from_secs(5);
    let postgres = PrivatePostgres::start();
    command(&postgres.url(), &["migrate"]);
    command(&postgres.url(), &["seed", "--without-demo-city"]);
    let photos = tempfile::tempdir().unwrap();
    let server = Server::start(
        &postgres.url(),
        photos.path(),
        &[("SMARTCITY_DB_TIMEOUT_SECS", "2"), ("SMARTCITY_PUSH_WORKERS", "0")],
    );
    let client = reqwest::Client::builder().timeout(Duration::from_secs(15)).build().unwrap();
    let token = citizen_token(&client, &server).await;

    let stop = Arc::new(AtomicBool::new(false));
    let filers: Vec<_> = (0..4)
        .map(|filer| {
            tokio::spawn(file_until_stopped(
                client.clone(),
                server.base(),
                token.clone(),
                filer,
                stop.clone(),
            ))
        })
        .collect();
    let reader = tokio::spawn(read_until_stopped(
        client.clone(),
        server.base(),
        token.clone(),
        stop.clone(),
    ));

    tokio::time::sleep(Duration::from_secs(2)).await;
    let stopped_at = Instant::now();
    postgres.stop_immediately();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let readyz = client.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(readyz.status(), 503, "not ready without its database");

    postgres.start_again();
    let restarted_at = Instant::now();
    loop {
        let ready = client.get(server.url("/readyz")).send().await.is_ok_and(|r| r.status() == 200);
        let me = client.get(server.url("/v1/me")).bearer_auth(&token).send().await;
        if ready && me.is_ok_and(|r| r.status() == 200) {
            break;
        }
        assert!(
            restarted_at.elapsed() < RECOVER_WITHIN,
            "the server did not recover within 5 s of PostgreSQL's restart"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Load after the recovery, then every filer finishes the key it is on.
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::SeqCst);
    let mut answers = reader.await.unwrap();
    let mut filed = BTreeMap::new();
    for filer in filers {
        let (filer_answers, filer_filed) = tokio::time::timeout(Duration::from_secs(60), filer)
            .await
            .expect("filer ends")
            .unwrap();
        answers.extend(filer_answers);
        filed.extend(filer_filed);
    }

    for got in &answers {
        assert_ne!(got.status, 0, "every request is answered: {got:?}");
        assert!(got.took < ANSWER_WITHIN, "answered within {ANSWER_WITHIN:?}: {got:?}");
        match got.status {
            200 | 201 => {}
            503 => {
                assert_eq!(got.problem_code.as_deref(), Some("database_unavailable"), "{got:?}");
                assert!(got.retry_after.is_some(), "a 503 says when to retry: {got:?}");
                assert!(
                    got.sent_at + ANSWER_WITHIN > stopped_at,
                    "503 only in the outage: {got:?}"
                );
                assert!(
                    got.sent_at < restarted_at + RECOVER_WITHIN,
                    "503 only until the recovery: {got:?}"
                );
            }
            _ => panic!("only success or 503 under this fault: {got:?}"),
        }
    }
    let unavailable = answers.iter().filter(|a| a.status == 503).count();
    let slowest = answers.iter().map(|a| a.took).max().unwrap_or_default();
    eprintln!(
        "{} requests, {unavailable} answered 503, slowest {slowest:?}; {} complaints filed",
        answers.len(),
        filed.len()
    );
    assert!(unavailable > 0, "the outage was seen by the clients");
    let during = |a: &&Answer| a.sent_at > stopped_at && a.sent_at < restarted_at;
    assert!(filed.len() > 4, "filings went through before and after the outage");
    assert!(answers.iter().filter(during).count() > 4, "requests were made during the outage");

    // Exactly one complaint per key, the one its client was given.
    let rows = complaints_by_key(&postgres.url());
    let stored: BTreeMap<String, String> = rows
        .iter()
        .map(|(key, complaint)| (key.clone().expect("filed with a key"), complaint.clone()))
        .collect();
    assert_eq!(rows.len(), stored.len(), "no key has two complaints");
    assert_eq!(stored, filed, "every filing stored once, as its client was told");
}

/// Each complaint's idempotency key (if it was filed with one) and id.
fn complaints_by_key(database_url: &str) -> Vec<(Option<String>, String)> {
    use diesel::prelude::*;
    use smartcity_db::schema::{complaints, idempotency_keys};
    complaints::table
        .left_join(idempotency_keys::table.on(idempotency_keys::resource_id.eq(complaints::id)))
        .select((idempotency_keys::key.nullable(), complaints::id))
        .load(&mut connect(database_url))
        .unwrap()
}

/// Every regular file under `dir`, as store keys (`photos/{uuid}/display.jpg`).
fn stored_keys(dir: &Path) -> BTreeSet<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.iter().map(|file| file.strip_prefix(dir).unwrap().to_str().unwrap().to_string()).collect()
}

fn referenced_keys(database_url: &str) -> (BTreeSet<String>, Vec<String>) {
    use diesel::prelude::*;
    use smartcity_db::schema::{complaint_photos, complaints};
    let mut conn = connect(database_url);
    let keys: Vec<(String, String)> = complaint_photos::table
        .select((complaint_photos::display_key, complaint_photos::thumbnail_key))
        .load(&mut conn)
        .unwrap();
    let with_photos: Vec<String> = complaints::table
        .inner_join(complaint_photos::table)
        .select(complaints::id)
        .distinct()
        .load(&mut conn)
        .unwrap();
    (keys.into_iter().flat_map(|(display, thumb)| [display, thumb]).collect(), with_photos)
}

fn connect(database_url: &str) -> smartcity_db::DbConn {
    use smartcity_db::pool::{build_pool, PoolSettings};
    let pool = build_pool(
        &smartcity_db::Backend::from_url(database_url),
        &PoolSettings { max_size: 1, checkout_timeout: Duration::from_secs(5) },
    );
    let mut conn = pool.get().expect("connect");
    // Hand back the bare connection; the pool would keep it open otherwise.
    std::mem::replace(
        &mut *conn,
        smartcity_db::DbConn::Sqlite(diesel::Connection::establish(":memory:").unwrap()),
    )
}

/// Sends one filing over a raw connection: all of it, or only its first `sent_fraction`, then
/// waits for an answer (none comes to an unfinished upload). Returns the status line, if any.
async fn upload(
    address: String,
    token: String,
    key: String,
    body: Arc<Vec<u8>>,
    sent_fraction: f64,
) -> Option<String> {
    let mut stream = tokio::net::TcpStream::connect(&address).await.ok()?;
    let head = format!(
        "POST /v1/complaints HTTP/1.1\r\nhost: {address}\r\nauthorization: Bearer {token}\r\n\
         idempotency-key: {key}\r\ncontent-type: {}\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n",
        multipart_type(),
        body.len()
    );
    stream.write_all(head.as_bytes()).await.ok()?;
    let sent = (body.len() as f64 * sent_fraction) as usize;
    for chunk in body[..sent].chunks(64 * 1024) {
        stream.write_all(chunk).await.ok()?;
    }
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.ok()?;
    String::from_utf8_lossy(&answer).lines().next().map(str::to_string)
}

/// SIGKILL while large photos are uploading and being processed: after a restart no complaint
/// is missing a photo, no photo row points at a missing file, the clients' retries under the
/// same keys file each complaint once, and the sweeper removes every stored file no complaint
/// refers to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_upload_leaves_no_half_written_complaint_and_no_orphan_file() {
    let db = smartcity_testkit::test_db::TestDb::create();
    command(db.url(), &["migrate"]);
    command(db.url(), &["seed", "--without-demo-city"]);
    let photo_dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(db.url(), photo_dir.path(), &[]);
    let client = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
    let token = citizen_token(&client, &server).await;
    let address = format!("127.0.0.1:{}", server.port);

    // Six filings of two large photos each: four sent whole (the server is processing or
    // storing them), two stalled halfway through their upload.
    let photos = [large_jpeg(2000, 1500, 1), large_jpeg(2000, 1500, 2)];
    let body = Arc::new(filing(&photos));
    let bodies: Vec<Arc<Vec<u8>>> = (0..6).map(|_| body.clone()).collect();
    assert!(body.len() > 1_000_000, "large uploads ({} bytes)", body.len());
    let uploads: Vec<_> = bodies
        .iter()
        .enumerate()
        .map(|(i, body)| {
            let fraction = if i < 4 { 1.0 } else { 0.5 };
            tokio::spawn(upload(
                address.clone(),
                token.clone(),
                format!("upload-{i}"),
                body.clone(),
                fraction,
            ))
        })
        .collect();
    // Kill once the first complaint is in and photos of others are on their way to the store.
    let deadline = Instant::now() + Duration::from_secs(60);
    while referenced_keys(db.url()).1.is_empty() {
        assert!(Instant::now() < deadline, "no filing completed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill();
    let at_kill: Vec<Option<String>> =
        futures_util::future::join_all(uploads).await.into_iter().map(Result::unwrap).collect();
    let (referenced, with_photos) = referenced_keys(db.url());
    let stored = stored_keys(photo_dir.path());
    eprintln!(
        "at the kill: {} complaints with photos, {} files stored, {} not referenced; answers {at_kill:?}",
        with_photos.len(),
        stored.len(),
        stored.difference(&referenced).count()
    );
    assert!(with_photos.len() < 6, "killed before every filing was in");
    // No half-written complaint: each one's photos are whole in the store.
    assert!(
        referenced.is_subset(&stored),
        "photo rows without files: {:?}",
        referenced.difference(&stored)
    );
    assert_eq!(referenced.len() % 4, 0, "a display copy and a thumbnail of each of two photos");

    // A filing the kill cut between storing its photos and committing its row leaves files no
    // row refers to. The kill above hits that moment only sometimes; this plants one exactly
    // as it would be left, so the sweep is always put to the test.
    let planted = format!("photos/{}/display.jpg", uuid::Uuid::new_v4().simple());
    let planted_path = photo_dir.path().join(&planted);
    std::fs::create_dir_all(planted_path.parent().unwrap()).unwrap();
    std::fs::write(&planted_path, b"a display copy whose filing never committed").unwrap();
    // The sweeper leaves files younger than a filing in flight could be (15 minutes) alone:
    // the restart comes, as far as the files can tell, 20 minutes after the kill.
    let twenty_minutes_ago = SystemTime::now() - Duration::from_secs(20 * 60);
    for key in stored_keys(photo_dir.path()) {
        let file = std::fs::File::options().write(true).open(photo_dir.path().join(key)).unwrap();
        file.set_modified(twenty_minutes_ago).unwrap();
    }

    // The restarted server sweeps at start; the clients retry every filing with its key.
    let server = Server::start(db.url(), photo_dir.path(), &[]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while planted_path.exists() {
        assert!(Instant::now() < deadline, "the sweeper did not remove an orphan file");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (referenced, _) = referenced_keys(db.url());
    assert_eq!(stored_keys(photo_dir.path()), referenced, "no orphan outlives the sweep");

    let address = format!("127.0.0.1:{}", server.port);
    for (i, body) in bodies.iter().enumerate() {
        let status =
            upload(address.clone(), token.clone(), format!("upload-{i}"), body.clone(), 1.0).await;
        assert_eq!(status.as_deref(), Some("HTTP/1.1 201 Created"), "retry of upload-{i}");
    }
    let mut keys: Vec<Option<String>> =
        complaints_by_key(db.url()).into_iter().map(|(key, _)| key).collect();
    keys.sort();
    let expected: Vec<Option<String>> = (0..6).map(|i| Some(format!("upload-{i}"))).collect();
    assert_eq!(keys, expected, "one complaint per filing");
    let (referenced, with_photos) = referenced_keys(db.url());
    assert_eq!(with_photos.len(), 6);
    assert_eq!(referenced.len(), 6 * 2 * 2);
    assert_eq!(stored_keys(photo_dir.path()), referenced);
}

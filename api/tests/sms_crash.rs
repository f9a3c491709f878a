//! The `smartcity` binary SIGKILLed while text messages are in flight to an SMSC (real SMPP
//! over TCP): after a restart every message arrives, none is lost, and only those the SMSC held
//! unanswered at the kill may arrive twice.

#[allow(dead_code)] // each test binary uses part of it
mod support;

use smartcity_db::pool::{build_pool, PoolSettings};
use smartcity_db::sms::{self, DailyCap, NewSms};
use smartcity_domain::sms::{SmsPurpose, SmsStatus, SmsText, TextMode};
use smartcity_testkit::smsc::FakeSmsc;
use smartcity_testkit::test_db::TestDb;
use std::collections::BTreeMap;
use std::time::Duration;
use support::Server;

const MESSAGES: usize = 40;

fn pool(db: &TestDb) -> smartcity_db::Pool {
    let backend = smartcity_db::Backend::from_url(db.url());
    let pool = build_pool(
        &backend,
        &PoolSettings { max_size: 2, checkout_timeout: Duration::from_secs(5) },
    );
    smartcity_db::pool::migrate(&mut pool.get().unwrap()).unwrap();
    pool
}

/// Statuses of the outbox by the text of each message.
fn statuses(pool: &smartcity_db::Pool) -> BTreeMap<String, SmsStatus> {
    let rows = sms::recent(&mut pool.get().unwrap(), None, 200).unwrap();
    rows.into_iter().map(|row| (row.body, row.status)).collect()
}

fn server(db: &TestDb, photos: &std::path::Path, smsc: &FakeSmsc) -> Server {
    let port = smsc.port().to_string();
    Server::start(
        db.url(),
        photos,
        &[
            ("SMARTCITY_SEED_ON_EMPTY", "false"),
            ("SMARTCITY_SMS_GATEWAY", "smpp"),
            ("SMARTCITY_SMPP_HOST", "127.0.0.1"),
            ("SMARTCITY_SMPP_PORT", &port),
            ("SMARTCITY_SMPP_SYSTEM_ID", "smartcity"),
            ("SMARTCITY_SMPP_PASSWORD", "secret"),
            ("SMARTCITY_SMS_BRANDNAME", "DANANG1022"),
            ("SMARTCITY_SMS_LEASE_SECS", "2"),
        ],
    )
}

/// Messages to distinct numbers (the daily cap is per number), each with its own text.
fn queue_messages(pool: &smartcity_db::Pool) {
    let mut conn = pool.get().unwrap();
    let now = smartcity_db::now();
    let cap = DailyCap { day_started_at: now, per_number: 10 };
    for i in 0..MESSAGES {
        let text = SmsText::compose(&format!("Tin nhan thu {i:02}"), TextMode::Unaccented);
        let phone = format!("+8491000{i:04}");
        let message = NewSms {
            phone: &phone,
            purpose: SmsPurpose::DossierUpdate,
            text: &text,
            dossier_code: None,
            covering_notification_id: None,
            due_at: now,
            opt_out_token: None,
        };
        assert_eq!(sms::enqueue(&mut conn, &message, &cap, now).unwrap(), SmsStatus::Queued);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_killed_with_messages_in_flight_loses_none_and_repeats_only_those() {
    let db = TestDb::create();
    let photos = tempfile::tempdir().unwrap();
    let pool = pool(&db);
    // Bound first; then the SMSC takes submits but holds its answers, so the window fills with
    // messages in flight.
    let smsc = FakeSmsc::start("smartcity", "secret").await;
    let mut first = server(&db, photos.path(), &smsc);
    smsc.wait_for_binds(1, Duration::from_secs(30)).await;
    smsc.set_hang(true);
    queue_messages(&pool);
    smsc.wait_for_submit_attempts(5, Duration::from_secs(30)).await;
    first.kill();
    let at_kill = statuses(&pool);
    let in_flight = at_kill.values().filter(|s| **s == SmsStatus::Sending).count();
    assert!(in_flight >= 5, "messages were in flight at the kill: {at_kill:?}");

    smsc.set_hang(false);
    smsc.drop_connections();
    let _second = server(&db, photos.path(), &smsc);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let now = statuses(&pool);
        let settled = now.values().filter(|s| **s == SmsStatus::Delivered).count();
        if settled == MESSAGES {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "not all delivered: {now:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let mut received: BTreeMap<String, usize> = BTreeMap::new();
    for message in smsc.messages() {
        *received.entry(message.text).or_default() += 1;
    }
    assert_eq!(received.len(), MESSAGES, "every message reached the SMSC");
    let repeated: Vec<_> = received.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        repeated.len() <= in_flight,
        "only messages in flight at the kill may repeat ({in_flight}): {repeated:?}"
    );
    assert!(repeated.iter().all(|(_, n)| **n == 2), "none more than twice: {repeated:?}");
}

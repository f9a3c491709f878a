//! `bench-sms`: the outbox side of `bench/sms/run`.
//! `bench-sms queue --database-url URL --messages N` migrates the database and queues N dossier
//! messages (the product's "result ready" text, one segment without diacritics, each to its own
//! number `+8490{i:07}`, due now) with `smartcity_db::sms::enqueue`, in transactions of 2,000.
//! `bench-sms check --database-url URL --messages N` waits (up to `--wait-secs`) until every
//! row is `sent` or `delivered`, then a little longer for the receipts, prints the outbox's rows
//! by status, and fails unless there are N rows, all `sent` or `delivered`.

use clap::{Parser, Subcommand};
use diesel::prelude::*;
use smartcity_db::pool::{build_pool, migrate, write_transaction, PoolSettings};
use smartcity_db::schema::sms_outbox;
use smartcity_db::sms::{enqueue, DailyCap, NewSms};
use smartcity_db::{Backend, DbConn, DbError};
use smartcity_domain::sms::templates::{DossierSms, OptOut, SmsTemplate};
use smartcity_domain::sms::{SmsPurpose, SmsStatus, SmsText, TextMode};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Queue {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        #[arg(long, default_value_t = 20_000)]
        messages: usize,
    },
    Check {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        #[arg(long, default_value_t = 20_000)]
        messages: usize,
        /// How long to wait for every row to be sent or delivered.
        #[arg(long, default_value_t = 60)]
        wait_secs: u64,
        /// After that, how long to wait for every receipt.
        #[arg(long, default_value_t = 5)]
        receipts_secs: u64,
    },
}

const CHUNK: usize = 2_000;

fn main() {
    let args = Args::parse();
    match args.command {
        Command::Queue { database_url, messages } => queue(&database_url, messages),
        Command::Check { database_url, messages, wait_secs, receipts_secs } => {
            let ok = check(&database_url, messages, wait_secs, receipts_secs);
            std::process::exit(if ok { 0 } else { 1 });
        }
    }
}

fn connect(url: &str) -> smartcity_db::pool::PooledConn {
    let pool = build_pool(
        &Backend::from_url(url),
        &PoolSettings { max_size: 1, checkout_timeout: Duration::from_secs(30) },
    );
    pool.get().expect("a database connection")
}

fn queue(url: &str, messages: usize) {
    let mut conn = connect(url);
    migrate(&mut conn).expect("migrations");
    let started = Instant::now();
    let now = smartcity_db::now();
    // Each message has its own number; the cap is generous anyway.
    let cap = DailyCap { day_started_at: now - chrono::TimeDelta::days(1), per_number: 1_000 };
    let mut segments = BTreeMap::<u32, usize>::new();
    for chunk in (0..messages).collect::<Vec<_>>().chunks(CHUNK) {
        write_transaction(&mut conn, |conn: &mut DbConn| {
            for &i in chunk {
                let dossier_code = format!("BENCH-{i:06}");
                let token = format!("b{i:09}");
                let url = format!("https://dng.vn/o/{token}");
                let template = SmsTemplate::Dossier {
                    dossier_code: &dossier_code,
                    update: DossierSms::Done,
                    opt_out: OptOut::Link { url: &url },
                };
                let text = SmsText::compose(&template.render("Đà Nẵng"), TextMode::Unaccented);
                *segments.entry(text.segments).or_default() += 1;
                let phone = format!("+8490{i:07}");
                let sms = NewSms {
                    phone: &phone,
                    purpose: SmsPurpose::DossierUpdate,
                    text: &text,
                    dossier_code: Some(&dossier_code),
                    covering_notification_id: None,
                    due_at: now,
                    opt_out_token: Some(&token),
                };
                let status = enqueue(conn, &sms, &cap, now)?;
                assert_eq!(status, SmsStatus::Queued, "message {i} was not queued");
            }
            Ok::<_, DbError>(())
        })
        .expect("messages queued");
    }
    println!(
        "QUEUED {messages} messages in {:.1} s (segments: {segments:?})",
        started.elapsed().as_secs_f64()
    );
}

fn statuses(conn: &mut DbConn) -> BTreeMap<String, usize> {
    let rows: Vec<SmsStatus> =
        sms_outbox::table.select(sms_outbox::status).load(conn).expect("the outbox reads");
    let mut by_status = BTreeMap::new();
    for status in rows {
        *by_status.entry(status.as_str().to_string()).or_default() += 1;
    }
    by_status
}

fn check(url: &str, messages: usize, wait_secs: u64, receipts_secs: u64) -> bool {
    let mut conn = connect(url);
    let settled = |s: &BTreeMap<String, usize>, done: &[&str]| {
        s.iter().all(|(status, _)| done.contains(&status.as_str()))
    };
    let wait = |conn: &mut DbConn, secs: u64, done: &[&str]| {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let now = statuses(conn);
            if settled(&now, done) || Instant::now() >= deadline {
                return now;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    wait(&mut conn, wait_secs, &["sent", "delivered"]);
    let by_status = wait(&mut conn, receipts_secs, &["delivered"]);
    let rows: usize = by_status.values().sum();
    let ok = rows == messages && settled(&by_status, &["sent", "delivered"]);
    let listed: Vec<String> = by_status.iter().map(|(s, n)| format!("{s}={n}")).collect();
    println!("OUTBOX rows={rows} {} {}", listed.join(" "), if ok { "ok" } else { "NOT OK" });
    ok
}

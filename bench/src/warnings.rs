//! `bench-warnings`: how fast one warning reaches a ward's subscribers, for README.
//! `bench-warnings --database-url URL --subscribers N` migrates the database, fills one ward
//! with N residents following it (each with one phone registered for pushes; not measured),
//! then issues a warning to the ward and updates it, ROUNDS times each, with the product's own
//! `smartcity_db::warnings::issue` and `update` (the transaction a staff member's request runs:
//! the warning, one inbox row a subscriber and one queued push a phone, set-wise). It prints
//! each change's inbox rows and pushes, its time and rows per second, checks that the inbox
//! and the push outbox hold exactly N rows per change (none lost, none doubled), and ends with
//! a `ROW` line for README's table.

use clap::Parser;
use diesel::prelude::*;
use smartcity_db::accounts::{insert_user, NewUser};
use smartcity_db::devices::{register, NewDevice};
use smartcity_db::pool::{build_pool, migrate, write_transaction, PoolSettings};
use smartcity_db::schema::{notifications, push_outbox};
use smartcity_db::warnings::{self, FanOut, Issuer, WarningContent};
use smartcity_db::{Backend, DbConn, DbError};
use smartcity_domain::account::Role;
use smartcity_domain::push::Platform;
use smartcity_domain::warning::{
    notice, AreaLabel, Severity, WarningChange, WarningKind, WarningText,
};
use smartcity_domain::Lang;
use std::time::{Duration, Instant};

const WARD: &str = "BENCH-WARD";
const CHUNK: usize = 2_000;

#[derive(Parser)]
struct Args {
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    #[arg(long, default_value_t = 50_000)]
    subscribers: usize,
    /// Issues and updates measured (each a change reaching every subscriber).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
}

fn main() {
    let args = Args::parse();
    let backend = Backend::from_url(&args.database_url);
    let pool = build_pool(
        &backend,
        &PoolSettings { max_size: 1, checkout_timeout: Duration::from_secs(30) },
    );
    let mut conn = pool.get().expect("a database connection");
    migrate(&mut conn).expect("migrations");
    let started = Instant::now();
    fill_ward(&mut conn, args.subscribers).expect("subscribers");
    eprintln!("{} subscribers in {:.1} s", args.subscribers, started.elapsed().as_secs_f64());

    let mut rates = Vec::new();
    for round in 1..=args.rounds {
        let id = format!("bench-{round}");
        let issued = timed(|| issue(&mut conn, &id));
        report("issue", &issued, args.subscribers);
        let updated = timed(|| update(&mut conn, &id));
        report("update", &updated, args.subscribers);
        for (what, version) in [("issue", 1), ("update", 2)] {
            check(&mut conn, &id, version, args.subscribers)
                .unwrap_or_else(|problem| panic!("round {round}, {what}: {problem}"));
        }
        rates.push(rate(&issued));
        rates.push(rate(&updated));
    }
    rates.sort_by(f64::total_cmp);
    let median = rates[rates.len() / 2];
    println!(
        "ROW | {} | {} subscribers, 1 phone each | {:.0} inbox rows + pushes queued/s (median of {}) | {:.2} s a change |",
        backend_label(&backend),
        args.subscribers,
        median,
        rates.len(),
        (2 * args.subscribers) as f64 / median,
    );
}

fn backend_label(backend: &Backend) -> &'static str {
    match backend {
        Backend::Sqlite { .. } => "SQLite",
        Backend::Postgres { .. } => "PostgreSQL",
    }
}

/// N residents with proven numbers, each following the ward once with one Android phone.
fn fill_ward(conn: &mut DbConn, subscribers: usize) -> Result<(), DbError> {
    // Passwords are never checked here: one hash-shaped string spares N Argon2 runs.
    let password_hash = "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2g$YmVuY2hiZW5jaGJlbmNoYmVuY2g";
    let now = smartcity_db::now();
    for chunk in (0..subscribers).collect::<Vec<_>>().chunks(CHUNK) {
        write_transaction(conn, |conn: &mut DbConn| {
            for &i in chunk {
                let id = format!("bench-user-{i:06}");
                let phone = format!("+8497{i:07}");
                insert_user(
                    conn,
                    &NewUser {
                        id: &id,
                        phone: &phone,
                        password_hash,
                        display_name: "Cư dân",
                        role: Role::Citizen,
                        agency_id: None,
                        disabled: false,
                        created_at: now,
                        phone_verified_at: Some(now),
                    },
                )?;
                warnings::follow_area(conn, &id, AreaLabel::Home, WARD, now)?;
                let token = format!("bench-device-{i:06}");
                let device = NewDevice {
                    token: &token,
                    user_id: &id,
                    session_id: "bench",
                    platform: Platform::Android,
                    app_version: "1.0.0",
                    lang: Lang::Vi,
                };
                register(conn, &device, now)?;
            }
            Ok::<_, DbError>(())
        })?;
    }
    Ok(())
}

fn content(title: &str, severity: Severity) -> WarningContent {
    let now = smartcity_db::now();
    WarningContent {
        kind: WarningKind::WaterCut,
        severity,
        title_vi: title.to_string(),
        body_vi: "Tạm ngừng cấp nước từ 8 giờ đến 17 giờ để sửa đường ống.".to_string(),
        title_en: None,
        body_en: None,
        polygon: None,
        valid_from: now,
        valid_until: now + chrono::TimeDelta::days(1),
        areas: vec![WARD.to_string()],
    }
}

fn text(content: &WarningContent) -> WarningText {
    WarningText {
        title_vi: content.title_vi.clone(),
        body_vi: content.body_vi.clone(),
        title_en: None,
        body_en: None,
    }
}

// Moderate: pushes and inbox rows only, as most warnings (severe ones also text those without
// the app, and here everyone has it).
fn issue(conn: &mut DbConn, id: &str) -> FanOut {
    let content = content("Mất nước", Severity::Moderate);
    let told = notice(id, WarningChange::Issued, content.kind, content.severity, &text(&content));
    let issuer = Issuer { agency_id: None, user_id: None, station_code: None };
    warnings::issue(conn, id, &content, &issuer, &told, None, smartcity_db::now()).expect("issue")
}

fn update(conn: &mut DbConn, id: &str) -> FanOut {
    let content = content("Mất nước kéo dài", Severity::Moderate);
    let told = notice(id, WarningChange::Updated, content.kind, content.severity, &text(&content));
    warnings::update(conn, id, &content, &told, None, smartcity_db::now())
        .expect("update")
        .expect("the warning is live")
}

fn timed(change: impl FnOnce() -> FanOut) -> (FanOut, Duration) {
    let started = Instant::now();
    let reach = change();
    (reach, started.elapsed())
}

/// Inbox rows and pushes queued per second.
fn rate((reach, took): &(FanOut, Duration)) -> f64 {
    (reach.inbox + reach.pushes) as f64 / took.as_secs_f64()
}

fn report(what: &str, measured: &(FanOut, Duration), subscribers: usize) {
    let (reach, took) = measured;
    assert_eq!((reach.inbox, reach.pushes), (subscribers, subscribers), "{what} reached");
    println!(
        "{what}: {} inbox rows, {} pushes in {:.3} s: {:.0} rows/s",
        reach.inbox,
        reach.pushes,
        took.as_secs_f64(),
        rate(measured)
    );
}

/// The change's inbox rows and queued pushes, as stored: exactly one each per subscriber.
fn check(conn: &mut DbConn, id: &str, version: i32, subscribers: usize) -> Result<(), String> {
    let prefix = format!("w.{id}.{version}.%");
    let inbox: i64 = notifications::table
        .filter(notifications::id.like(&prefix))
        .count()
        .get_result(conn)
        .map_err(|e| e.to_string())?;
    let pushes: i64 = push_outbox::table
        .filter(push_outbox::notification_id.like(&prefix))
        .count()
        .get_result(conn)
        .map_err(|e| e.to_string())?;
    let wanted = subscribers as i64;
    if (inbox, pushes) != (wanted, wanted) {
        return Err(format!("{inbox} inbox rows and {pushes} pushes stored, {wanted} wanted"));
    }
    Ok(())
}

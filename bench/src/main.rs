//! `bench-seed`: the demo data, then the catalogue grown to `--procedures` with variants of the
//! real procedures, and `--dossiers` dossiers spread over the last year. Dossier `i` has code
//! `BENCH-{i:06}` and applicant phone `+8491{i:07}`, so a load script can prove any of them.
//! `--citizens` citizens (phone `+8497{i:07}`), one bench staff member per agency (phone
//! `+8498{k:07}`), all with the password `ca phe sua da luc bay gio`, and `--complaints`
//! complaints over a province filed by the citizens (see `complaints.rs`). `--samples-out DIR`
//! writes what the load scripts draw their requests from (see `samples.rs`).

mod complaints;
mod samples;

use chrono::{Duration, NaiveDate, Utc};
use clap::Parser;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use smartcity_bench::catalogue::variants;
use smartcity_db::schema::dossiers;
use smartcity_db::DbConn;
use smartcity_domain::geo::{parse_areas, AreaIndex, Region};
use smartcity_domain::procedure::parse_catalogue;
use std::time::Instant;

#[derive(Parser)]
struct Args {
    /// `sqlite://PATH` or `postgres://…`, as for the server.
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    #[arg(long, default_value_t = 6_000)]
    procedures: usize,
    #[arg(long, default_value_t = 100_000)]
    dossiers: usize,
    #[arg(long, default_value_t = 0)]
    complaints: usize,
    /// Citizens (they file the complaints); any of them can log in.
    #[arg(long, alias = "reporters", default_value_t = 0)]
    citizens: usize,
    /// A directory for the load scripts' samples: places, complaint ids, bench staff.
    #[arg(long)]
    samples_out: Option<String>,
    /// Places and complaint ids to sample.
    #[arg(long, default_value_t = 20_000)]
    samples: usize,
}

#[derive(Insertable)]
#[diesel(table_name = dossiers)]
struct NewDossier {
    code: String,
    agency_id: String,
    procedure_code: String,
    applicant_name: String,
    applicant_phone: String,
    received_on: NaiveDate,
    due_on: NaiveDate,
    status: i32,
    status_at: chrono::NaiveDateTime,
    finished_on: Option<NaiveDate>,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

const FAMILY: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ"];
const GIVEN: [&str; 8] =
    ["Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thu Hà", "Đức Huy", "Ngọc Lan", "Thanh Sơn"];

fn dossier(i: usize, agencies: &[String], procedures: &[String]) -> NewDossier {
    let today = Utc::now().date_naive();
    let received_on = today - Duration::days((i % 365) as i64);
    let due_on = received_on + Duration::days(3 + (i % 12) as i64);
    // Two in three are finished, most of them on time.
    let finished_on = match i % 3 {
        0 => None,
        1 => Some(due_on - Duration::days((i % 3) as i64)),
        _ => Some(due_on + Duration::days((i % 5) as i64 - 1)),
    }
    .filter(|d| *d <= today);
    let status = if finished_on.is_some() { 10 } else { 4 };
    let now = Utc::now().naive_utc();
    NewDossier {
        code: format!("BENCH-{i:06}"),
        agency_id: agencies[i % agencies.len()].clone(),
        procedure_code: procedures[i % procedures.len()].clone(),
        applicant_name: format!("{} {}", FAMILY[i % 8], GIVEN[(i / 8) % 8]),
        applicant_phone: format!("+8491{i:07}"),
        received_on,
        due_on,
        status,
        status_at: received_on.and_hms_opt(9, 0, 0).expect("valid time"),
        finished_on,
        created_at: now,
        updated_at: now,
    }
}

fn main() {
    let args = Args::parse();
    let backend = smartcity_db::Backend::from_url(&args.database_url);
    let pool = smartcity_db::pool::build_pool(
        &backend,
        &smartcity_db::pool::PoolSettings {
            max_size: 1,
            checkout_timeout: std::time::Duration::from_secs(10),
        },
    );
    let mut conn = pool.get().expect("database reachable");
    let started = Instant::now();
    smartcity_db::pool::migrate(&mut conn).expect("migrations");
    let report = smartcity_api::app::seed::seed(&mut conn).expect("demo data");
    print!("{report}");
    let sqlite = matches!(**conn, DbConn::Sqlite(_));
    if sqlite {
        // This connection only, for the load: a crash means seeding again anyway.
        conn.batch_execute("PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;")
            .expect("pragmas");
    }

    let phase = Instant::now();
    let real = parse_catalogue(smartcity_api::app::seed::DEMO_CATALOGUE).expect("catalogue");
    let extra = variants(&real, args.procedures);
    let counts = smartcity_db::procedures::upsert_all(&mut conn, &extra, smartcity_db::now())
        .expect("procedures");
    println!(
        "procedure variants: {} added, {} updated ({:.1} s)",
        counts.inserted,
        counts.updated,
        phase.elapsed().as_secs_f64()
    );

    let agencies: Vec<String> = smartcity_db::agencies::list_all(&mut conn)
        .expect("agencies")
        .into_iter()
        .map(|a| a.id)
        .collect();
    let phase = Instant::now();
    let procedures: Vec<String> = real.iter().map(|p| p.code.clone()).collect();
    let dossiers = seed_dossiers(&mut conn, args.dossiers, &agencies, &procedures);
    println!("dossiers: {dossiers} in all ({:.1} s)", phase.elapsed().as_secs_f64());

    let phase = Instant::now();
    let password_hash = smartcity_api::app::auth::passwords::hash(complaints::PASSWORD);
    let citizens =
        complaints::seed_citizens(&mut conn, args.citizens, &password_hash).expect("citizens");
    let staff = complaints::seed_staff(&mut conn, &agencies, &password_hash).expect("bench staff");
    println!(
        "citizens: {} in all, bench staff: {} ({:.1} s)",
        citizens.len(),
        staff.len(),
        phase.elapsed().as_secs_f64()
    );
    seed_complaints(&mut conn, &args, &citizens);

    if sqlite {
        conn.batch_execute("PRAGMA synchronous = NORMAL; PRAGMA wal_checkpoint(TRUNCATE);")
            .expect("pragmas");
    } else {
        // What autovacuum does soon after a load: statistics, and the visibility map that
        // index-only scans need. One statement at a time: VACUUM cannot run in a transaction.
        let phase = Instant::now();
        for table in ["complaints", "complaint_photos", "users", "dossiers", "procedures"] {
            conn.batch_execute(&format!("VACUUM ANALYZE {table}")).expect("vacuum");
        }
        println!("vacuum analyze ({:.1} s)", phase.elapsed().as_secs_f64());
    }
    if let Some(dir) = &args.samples_out {
        samples::write(&mut conn, dir, args.samples, &staff).expect("samples");
    }
    println!("seeded in {:.1} s", started.elapsed().as_secs_f64());
}

/// Dossiers `existing..total`, a thousand rows a statement: through the concrete connection (the
/// multi-backend one cannot express a multi-row insert).
fn seed_dossiers(
    conn: &mut DbConn,
    total: usize,
    agencies: &[String],
    procedures: &[String],
) -> usize {
    let existing: i64 = dossiers::table.count().get_result(conn).expect("count");
    for chunk_start in (existing as usize..total).step_by(1_000) {
        let rows: Vec<NewDossier> = (chunk_start..(chunk_start + 1_000).min(total))
            .map(|i| dossier(i, agencies, procedures))
            .collect();
        match conn {
            DbConn::Postgres(c) => diesel::insert_into(dossiers::table).values(&rows).execute(c),
            DbConn::Sqlite(c) => diesel::insert_into(dossiers::table).values(&rows).execute(c),
        }
        .expect("insert dossiers");
    }
    total.max(existing as usize)
}

/// The complaints, filed by the citizens.
fn seed_complaints(conn: &mut DbConn, args: &Args, citizens: &[String]) {
    if args.complaints == 0 {
        return;
    }
    let started = Instant::now();
    let areas = parse_areas(smartcity_api::app::seed::DEMO_AREAS, "name", &Region::VIETNAM)
        .expect("demo areas");
    let areas = AreaIndex::new(areas);
    let rules = smartcity_db::places::rules(conn).expect("routing rules");
    let categories = smartcity_db::places::list_categories(conn).expect("categories");
    let ctx = complaints::Context {
        areas: &areas,
        rules: &rules,
        categories: &categories,
        reporters: citizens,
    };
    let total = complaints::seed(conn, &ctx, args.complaints).expect("insert complaints");
    println!("complaints: {total} in all ({:.1} s)", started.elapsed().as_secs_f64());
}

//! `bench-reference`: the read path's ceiling on this stack, to measure the product against.
//!
//! The bare stack the product is built on and nothing else: actix-web 4, diesel 2.3's
//! `MultiConnection` over an r2d2 pool, no middleware. `GET /rows/{id}` takes one connection,
//! runs one indexed single-row `SELECT` inside `web::block` and writes the row with
//! `serde_json`. The table is filled with `--rows` rows (100,000) the first time, in the
//! database `--database-url` names (`sqlite://PATH` or `postgres://…`, as for the server), with
//! the product's SQLite settings (WAL, `synchronous = NORMAL`) so the two read the same way.
//! bench/compare loads it with `bench/lua/reference.lua` and the product's wrk settings.

use actix_web::{web, App, HttpResponse, HttpServer};
use clap::Parser;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ConnectionManager, CustomizeConnection};
use diesel::sqlite::SqliteConnection;
use serde::Serialize;

#[derive(diesel::MultiConnection)]
enum AnyConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

diesel::table! {
    reference_rows (id) {
        id -> Text,
        code -> Text,
        title -> Text,
        status -> Text,
        agency -> Text,
        created_at -> Text,
        body -> Text,
    }
}

#[derive(Queryable, Serialize)]
struct Row {
    id: String,
    code: String,
    title: String,
    status: String,
    agency: String,
    created_at: String,
    body: String,
}

#[derive(Parser)]
struct Args {
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value = "127.0.0.1:18090")]
    bind: String,
    #[arg(long, default_value_t = 100_000)]
    rows: usize,
    /// Connections in the pool: the product's defaults are 8 on SQLite and 10 on PostgreSQL.
    #[arg(long)]
    pool: Option<u32>,
}

#[derive(Debug)]
struct SqliteSettings;

impl CustomizeConnection<AnyConnection, r2d2::Error> for SqliteSettings {
    fn on_acquire(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        if let AnyConnection::Sqlite(sqlite) = conn {
            sqlite
                .batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
                     PRAGMA synchronous = NORMAL;",
                )
                .map_err(r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

type Pool = r2d2::Pool<ConnectionManager<AnyConnection>>;

async fn row(pool: web::Data<Pool>, id: web::Path<String>) -> HttpResponse {
    let id = id.into_inner();
    let found = web::block(move || {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        reference_rows::table.find(id).first::<Row>(&mut conn).optional().map_err(|e| e.to_string())
    })
    .await;
    match found {
        Ok(Ok(Some(row))) => HttpResponse::Ok().json(row),
        Ok(Ok(None)) => HttpResponse::NotFound().finish(),
        _ => HttpResponse::ServiceUnavailable().finish(),
    }
}

/// Fills the table once, a thousand rows a statement, in one transaction.
fn fill(conn: &mut AnyConnection, rows: usize) -> QueryResult<()> {
    conn.batch_execute(
        "CREATE TABLE IF NOT EXISTS reference_rows (id TEXT PRIMARY KEY, code TEXT NOT NULL, \
         title TEXT NOT NULL, status TEXT NOT NULL, agency TEXT NOT NULL, \
         created_at TEXT NOT NULL, body TEXT NOT NULL)",
    )?;
    let present: i64 = reference_rows::table.count().get_result(conn)?;
    if present as usize >= rows {
        return Ok(());
    }
    conn.batch_execute("DELETE FROM reference_rows")?;
    let body = "Đèn đường trước số 12 Lê Duẩn không sáng từ ba hôm nay, \
                buổi tối đoạn này rất tối và nguy hiểm cho người đi bộ. "
        .repeat(3);
    conn.transaction(|conn| {
        for start in (0..rows).step_by(1000) {
            let values: Vec<String> = (start..(start + 1000).min(rows))
                .map(|i| {
                    format!(
                        "('{i:08}', 'BENCH-{i:06}', 'Đèn đường hỏng {i}', 'in_progress', \
                         'so-xay-dung', '2026-0{}-1{}T08:30:00', '{body}')",
                        1 + i % 9,
                        i % 10
                    )
                })
                .collect();
            conn.batch_execute(&format!("INSERT INTO reference_rows VALUES {}", values.join(",")))?;
        }
        Ok(())
    })
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let sqlite = !args.database_url.starts_with("postgres");
    let url = args.database_url.strip_prefix("sqlite://").unwrap_or(&args.database_url);
    let pool_size = args.pool.unwrap_or(if sqlite { 8 } else { 10 });
    let pool = r2d2::Pool::builder()
        .max_size(pool_size)
        .connection_customizer(Box::new(SqliteSettings))
        .build(ConnectionManager::<AnyConnection>::new(url))
        .map_err(std::io::Error::other)?;
    {
        let mut conn = pool.get().map_err(std::io::Error::other)?;
        fill(&mut conn, args.rows).map_err(std::io::Error::other)?;
    }
    eprintln!("bench-reference: {} rows, listening on {}", args.rows, args.bind);
    let pool = web::Data::new(pool);
    HttpServer::new(move || {
        App::new().app_data(pool.clone()).route("/rows/{id}", web::get().to(row))
    })
    .bind(&args.bind)?
    .run()
    .await
}

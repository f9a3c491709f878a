//! A fresh, isolated database for one test, on the backend CI asks for.
//!
//! `SMARTCITY_TEST_DATABASE_URL=postgres://…` (the server's maintenance database, e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`) runs the suite on PostgreSQL: each test gets a
//! database cloned from a migrated template and dropped afterwards. Unset, each test gets its own
//! SQLite file in a temporary directory.
//!
//! Used by the black-box suite and by the binary's tests alike, so both isolate the same way.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use std::hash::{Hash, Hasher};

pub const TEST_DATABASE_ENV: &str = "SMARTCITY_TEST_DATABASE_URL";

pub enum TestDb {
    Sqlite { dir: tempfile::TempDir, url: String },
    Postgres { admin_url: String, name: String, url: String },
}

impl TestDb {
    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }

    /// A new database; on PostgreSQL already migrated (cloned from the template).
    pub fn create() -> TestDb {
        match std::env::var(TEST_DATABASE_ENV) {
            Ok(admin_url) if admin_url.starts_with("postgres") => create_postgres(&admin_url),
            Ok(other) if !other.is_empty() => {
                panic!("{TEST_DATABASE_ENV} must be a postgres:// URL, not {other:?}")
            }
            _ => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                TestDb::Sqlite { dir, url }
            }
        }
    }
}

/// The PostgreSQL URL CI gave, if any: tests that need PostgreSQL itself use it and must fail,
/// not skip, when it is set but unusable.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var(TEST_DATABASE_ENV).ok().filter(|u| u.starts_with("postgres"))
}

/// The same server and options, another database: `postgres://h/postgres?sslmode=disable`
/// becomes `postgres://h/{database}?sslmode=disable`.
fn with_database(admin_url: &str, database: &str) -> String {
    let (location, options) = match admin_url.split_once('?') {
        Some((location, options)) => (location, format!("?{options}")),
        None => (admin_url, String::new()),
    };
    let (server, _) = location.rsplit_once('/').expect("a PostgreSQL URL names a database");
    format!("{server}/{database}{options}")
}

#[derive(QueryableByName)]
struct Datname {
    #[diesel(sql_type = Text)]
    #[allow(dead_code)]
    datname: String,
}

fn template_name() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|p| p.join("db/migrations/postgres").is_dir())
        .expect("workspace root")
        .join("db/migrations/postgres");
    let mut files: Vec<_> = walk(&dir);
    files.sort();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for file in files {
        file.to_string_lossy().hash(&mut hasher);
        std::fs::read(&file).expect("migration readable").hash(&mut hasher);
    }
    format!("smartcity_template_{:x}", hasher.finish())
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable migrations") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn create_postgres(admin_url: &str) -> TestDb {
    let mut admin = PgConnection::establish(admin_url)
        .unwrap_or_else(|e| panic!("{TEST_DATABASE_ENV} is set but PostgreSQL refused: {e}"));
    let template = template_name();
    let name = format!("smartcity_test_{}", uuid::Uuid::new_v4().simple());
    // Tests run in parallel, in several processes: one at a time makes the template and clones.
    diesel::sql_query("SELECT pg_advisory_lock(7411004)").execute(&mut admin).expect("lock");
    let exists = !diesel::sql_query("SELECT datname FROM pg_database WHERE datname = $1")
        .bind::<Text, _>(&template)
        .load::<Datname>(&mut admin)
        .expect("query pg_database")
        .is_empty();
    if !exists {
        diesel::sql_query(format!("CREATE DATABASE {template}"))
            .execute(&mut admin)
            .expect("create template");
        let mut conn = smartcity_db::DbConn::Postgres(
            PgConnection::establish(&with_database(admin_url, &template))
                .expect("connect template"),
        );
        smartcity_db::pool::migrate(&mut conn).expect("migrate template");
    }
    diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .execute(&mut admin)
        .expect("clone template");
    diesel::sql_query("SELECT pg_advisory_unlock(7411004)").execute(&mut admin).expect("unlock");
    TestDb::Postgres {
        url: with_database(admin_url, &name),
        admin_url: admin_url.to_string(),
        name,
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin_url, name, .. } = self {
            if let Ok(mut admin) = PgConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin);
            }
        }
    }
}

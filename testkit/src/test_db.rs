//! A fresh, isolated database for one test, on the backend CI asks for.
//!
//! `SMARTCITY_TEST_DATABASE_URL=postgres://…` (the server's maintenance database, e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`) runs the suite on PostgreSQL: each test gets a
//! database cloned from a migrated template and dropped afterwards. Unset, each test gets its own
//! SQLite file in a temporary directory.
//!
//! Templates are named after the migrations they hold (`smartcity_template_{hash}`), so test
//! processes of different checkouts can share one server. Every step on templates (making one,
//! cloning it, dropping old ones) runs under one advisory lock, so processes take turns. A
//! process also holds its template's own lock, shared, for as long as it lives; the first test
//! of a process drops every other template whose lock it can take exclusively, that is, which no
//! running process uses.
//!
//! Used by the black-box suite and by the binary's tests alike, so both isolate the same way.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, OnceLock};

pub const TEST_DATABASE_ENV: &str = "SMARTCITY_TEST_DATABASE_URL";

/// Every template's name starts so; the rest is the hash of its migrations, in hex.
pub const TEMPLATE_PREFIX: &str = "smartcity_template_";

/// Taken around every step on templates, by every test process.
const TEMPLATES_LOCK: i64 = 7411004;

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
pub fn with_database(admin_url: &str, database: &str) -> String {
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
    datname: String,
}

#[derive(QueryableByName)]
struct Answer {
    #[diesel(sql_type = Bool)]
    yes: bool,
}

/// The template of this checkout's PostgreSQL migrations.
pub fn template_name() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|p| p.join("db/migrations/postgres").is_dir())
        .expect("workspace root")
        .join("db/migrations/postgres");
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    // The migrations this build carries (a build older than the files on disk names fewer),
    // and what the files say.
    smartcity_db::pool::postgres_migration_names().hash(&mut hasher);
    let mut files: Vec<_> = walk(&dir);
    files.sort();
    for file in files {
        // Relative, so checkouts in other places with the same migrations share the template.
        file.strip_prefix(&dir).expect("under the migrations").to_string_lossy().hash(&mut hasher);
        std::fs::read(&file).expect("migration readable").hash(&mut hasher);
    }
    format!("{TEMPLATE_PREFIX}{:x}", hasher.finish())
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

/// The advisory lock of a template (also of its unfinished copy `{name}_new`): the hash in its
/// name. None for a name not of that shape, which is left alone.
fn template_lock(name: &str) -> Option<i64> {
    let hash = name.strip_prefix(TEMPLATE_PREFIX)?;
    let hash = hash.strip_suffix("_new").unwrap_or(hash);
    u64::from_str_radix(hash, 16).ok().map(|h| h as i64)
}

pub fn execute(conn: &mut PgConnection, sql: &str) -> QueryResult<usize> {
    diesel::sql_query(sql).execute(conn)
}

pub fn exists(admin: &mut PgConnection, database: &str) -> bool {
    !diesel::sql_query("SELECT datname FROM pg_database WHERE datname = $1")
        .bind::<Text, _>(database)
        .load::<Datname>(admin)
        .expect("query pg_database")
        .is_empty()
}

/// Runs `work` while this session holds the templates' lock; other processes wait.
pub fn with_templates_locked<T>(
    admin: &mut PgConnection,
    work: impl FnOnce(&mut PgConnection) -> T,
) -> T {
    execute(admin, &format!("SELECT pg_advisory_lock({TEMPLATES_LOCK})")).expect("lock");
    let out = work(admin);
    execute(admin, &format!("SELECT pg_advisory_unlock({TEMPLATES_LOCK})")).expect("unlock");
    out
}

/// Makes the migrated template `name` unless it exists; under the templates' lock. It is
/// migrated as `{name}_new` and renamed when done, so a process killed halfway leaves no
/// template that looks finished (its `_new` is dropped by the next one).
pub fn ensure_template(admin: &mut PgConnection, admin_url: &str, name: &str) {
    if exists(admin, name) {
        return;
    }
    let building = format!("{name}_new");
    // Nobody else builds while we hold the lock: whatever is connected to it is left over.
    execute(admin, &format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
        .expect("drop an unfinished template");
    execute(admin, &format!("CREATE DATABASE {building}")).expect("create template");
    {
        let mut conn = smartcity_db::DbConn::Postgres(
            PgConnection::establish(&with_database(admin_url, &building))
                .expect("connect template"),
        );
        smartcity_db::pool::migrate(&mut conn).expect("migrate template");
    }
    // PostgreSQL waits (up to 5 s) for the migration's session to end before renaming.
    execute(admin, &format!("ALTER DATABASE {building} RENAME TO {name}"))
        .expect("publish template");
}

/// A session holding template `name`'s lock, shared: while it lives, no test process drops
/// that template. Each process keeps one for its own template.
pub fn hold_template(admin_url: &str, name: &str) -> PgConnection {
    let key = template_lock(name).expect("a template name");
    let mut conn = PgConnection::establish(admin_url).expect("connect");
    execute(&mut conn, &format!("SELECT pg_advisory_lock_shared({key})")).expect("shared lock");
    conn
}

/// Drops every template but `current` that no running test process holds and nobody is
/// connected to; returns their names. Under the templates' lock, so no process is making,
/// cloning or starting to use one meanwhile.
pub fn drop_stale_templates(admin: &mut PgConnection, current: &str) -> Vec<String> {
    let pattern = format!("{}%", TEMPLATE_PREFIX.replace('_', "\\_"));
    let others: Vec<String> = diesel::sql_query(
        "SELECT datname FROM pg_database WHERE datname LIKE $1 AND datname <> $2",
    )
    .bind::<Text, _>(pattern)
    .bind::<Text, _>(current)
    .load::<Datname>(admin)
    .expect("query pg_database")
    .into_iter()
    .map(|d| d.datname)
    .collect();
    let mut dropped = Vec::new();
    for name in others {
        let Some(key) = template_lock(&name) else { continue };
        let unused = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS yes")
            .bind::<BigInt, _>(key)
            .get_result::<Answer>(admin)
            .expect("try lock")
            .yes;
        if !unused {
            continue; // a running process of that checkout clones from it
        }
        let connected = diesel::sql_query(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = $1) AS yes",
        )
        .bind::<Text, _>(&name)
        .get_result::<Answer>(admin)
        .expect("query pg_stat_activity")
        .yes;
        // Never `WITH (FORCE)`: someone connected (a person with psql) keeps it.
        if !connected && execute(admin, &format!("DROP DATABASE IF EXISTS {name}")).is_ok() {
            dropped.push(name);
        }
        execute(admin, &format!("SELECT pg_advisory_unlock({key})")).expect("unlock");
    }
    dropped
}

/// This process's hold on its template, taken with its first database.
static HELD_TEMPLATE: OnceLock<Mutex<PgConnection>> = OnceLock::new();

fn create_postgres(admin_url: &str) -> TestDb {
    let mut admin = PgConnection::establish(admin_url)
        .unwrap_or_else(|e| panic!("{TEST_DATABASE_ENV} is set but PostgreSQL refused: {e}"));
    let template = template_name();
    let name = format!("smartcity_test_{}", uuid::Uuid::new_v4().simple());
    with_templates_locked(&mut admin, |admin| {
        ensure_template(admin, admin_url, &template);
        HELD_TEMPLATE.get_or_init(|| {
            let held = hold_template(admin_url, &template);
            drop_stale_templates(admin, &template);
            Mutex::new(held)
        });
        execute(admin, &format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .expect("clone template");
    });
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
                let _ =
                    execute(&mut admin, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

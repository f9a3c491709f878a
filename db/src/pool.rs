//! One binary, two backends: the backend is chosen by the URL's scheme, never by trying one and
//! falling back to the other (SQLite would happily open a file named `postgres://…`).

use crate::DbError;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Postgres { url: String },
    Sqlite { path: String },
}

impl Backend {
    /// `postgres://…` or `postgresql://…` is PostgreSQL; `sqlite://PATH` or a bare path is SQLite.
    pub fn from_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres { url: url.to_string() }
        } else {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            Backend::Sqlite { path: path.to_string() }
        }
    }
}

pub struct Manager {
    backend: Backend,
}

/// SQLite settings for a server: WAL so readers do not wait on the writer, a busy timeout so
/// concurrent writers queue instead of failing, and foreign keys enforced.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";

// diesel keeps statements prepared; after five runs PostgreSQL may switch one to a generic
// plan that ignores its parameters. For the public map that plan guessed 25 rows in any box
// and scanned the whole latitude band (330 ms at the median with 1,000,000 complaints, against
// 20 ms planned for the actual box; README, Performance). Planning each run costs far less.
const POSTGRES_SETTINGS: &str = "SET plan_cache_mode = force_custom_plan;";

diesel::define_sql_function! {
    /// SQL's `lower`. SQLite's own lowers ASCII letters only, so a search for "đèn" would miss
    /// "Đèn": every SQLite connection replaces it with Rust's Unicode lowercase (as SQLite's ICU
    /// extension does), and it reads the same as PostgreSQL's.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// A connection in the pool, with when it was last known to work (opened or answered a
/// check): it is used as the [`DbConn`] it holds.
pub struct PooledDb {
    conn: DbConn,
    checked_at: Instant,
}

impl Deref for PooledDb {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl DerefMut for PooledDb {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

/// A PostgreSQL connection is checked at checkout at most this often: under load that is one
/// `SELECT 1` per connection a second instead of one per request, a round trip each. A
/// connection that died in between fails its query as a lost connection (503, as a query that
/// loses it midway does), for at most this long, before its next check drops it.
const CHECK_AT_MOST_EVERY: Duration = Duration::from_secs(1);

impl ManageConnection for Manager {
    type Connection = PooledDb;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<PooledDb, r2d2::Error> {
        let conn = match &self.backend {
            Backend::Postgres { url } => {
                let mut conn =
                    PgConnection::establish(url).map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(POSTGRES_SETTINGS).map_err(r2d2::Error::QueryError)?;
                DbConn::Postgres(conn)
            }
            Backend::Sqlite { path } => {
                let mut conn =
                    SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(SQLITE_PRAGMAS).map_err(r2d2::Error::QueryError)?;
                lower_utils::register_impl(&mut conn, |text: String| text.to_lowercase())
                    .map_err(r2d2::Error::QueryError)?;
                DbConn::Sqlite(conn)
            }
        };
        Ok(PooledDb { conn, checked_at: Instant::now() })
    }

    /// Asked at every checkout. A PostgreSQL connection may have been closed by the server or
    /// the network: a `SELECT 1` finds out, at most every [`CHECK_AT_MOST_EVERY`]. A SQLite
    /// connection is an open file in this process and cannot go away, so checking it would
    /// only parse and run a statement on every request.
    fn is_valid(&self, pooled: &mut PooledDb) -> Result<(), r2d2::Error> {
        match pooled.conn {
            DbConn::Sqlite(_) => Ok(()),
            DbConn::Postgres(_) if pooled.checked_at.elapsed() < CHECK_AT_MOST_EVERY => Ok(()),
            DbConn::Postgres(_) => {
                pooled.conn.ping().map_err(r2d2::Error::QueryError)?;
                pooled.checked_at = Instant::now();
                Ok(())
            }
        }
    }

    fn has_broken(&self, pooled: &mut PooledDb) -> bool {
        pooled.conn.is_broken()
    }
}

/// A transaction that writes. On SQLite it takes the write lock when it begins (`BEGIN
/// IMMEDIATE`): two of them queue on the busy timeout, where a deferred one that read first
/// would fail with "database is locked" at its first write once another had written since.
/// PostgreSQL locks rows as they are written. Inside another transaction it is a savepoint.
pub fn write_transaction<T, E, F>(conn: &mut DbConn, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    type Transactions = <DbConn as Connection>::TransactionManager;
    let DbConn::Sqlite(sqlite) = conn else {
        return conn.transaction(work);
    };
    let status = AnsiTransactionManager::transaction_manager_status_mut(sqlite);
    if status.transaction_depth()?.is_some() {
        return conn.transaction(work);
    }
    // Writers of this process queue here, where the one waiting wakes as soon as the lock is
    // free; SQLite's busy handler would have it sleep 1, 2, 5… ms between tries.
    let _turn = SQLITE_WRITER.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    match work(conn) {
        Ok(value) => {
            Transactions::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            Transactions::rollback_transaction(conn)?;
            Err(error)
        }
    }
}

static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Work of a few short statements that are each atomic on their own (counters, say), with
/// reads between them. On SQLite it is one write transaction, so the write lock is taken
/// once rather than by each statement. On PostgreSQL each statement commits by itself, so a
/// row many requests update (one client address's counter) is locked for a statement, not for
/// the whole work.
pub fn short_writes<T, E, F>(conn: &mut DbConn, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Sqlite(_) => write_transaction(conn, work),
        DbConn::Postgres(_) => work(conn),
    }
}

/// Whether [`short_writes`] holds the database's only write lock from its first statement to
/// its last (SQLite): then no other connection, of this process or another, writes between what
/// the work reads and what it writes.
pub fn short_writes_are_exclusive(conn: &DbConn) -> bool {
    matches!(conn, DbConn::Sqlite(_))
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

pub struct PoolSettings {
    pub max_size: u32,
    /// How long a request waits for a connection before it is told the database is unavailable.
    pub checkout_timeout: Duration,
}

/// Builds the pool without connecting yet, so the server starts (and `/readyz` says 503) even
/// when the database is down.
pub fn build_pool(backend: &Backend, settings: &PoolSettings) -> Pool {
    let max_size = match backend {
        // One writer at a time anyway; a few readers beside it.
        Backend::Sqlite { .. } => settings.max_size.min(8),
        Backend::Postgres { .. } => settings.max_size,
    };
    r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(0))
        .connection_timeout(settings.checkout_timeout)
        .test_on_check_out(true)
        .build_unchecked(Manager { backend: backend.clone() })
}

/// The PostgreSQL migrations this build carries, by name: what `migrate` would apply to an
/// empty database (the tests name their migrated templates after them).
pub fn postgres_migration_names() -> Vec<String> {
    use diesel::migration::MigrationSource;
    let migrations: Vec<Box<dyn diesel::migration::Migration<diesel::pg::Pg>>> =
        MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS)
            .expect("embedded migrations list themselves");
    migrations.iter().map(|m| m.name().to_string()).collect()
}

/// Applies pending migrations. On PostgreSQL an advisory lock makes instances that start
/// together take turns instead of racing.
pub fn migrate(conn: &mut DbConn) -> Result<Vec<String>, DbError> {
    let applied = match conn {
        DbConn::Postgres(c) => {
            c.batch_execute("SELECT pg_advisory_lock(7411003)")?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|versions| versions.iter().map(|v| v.to_string()).collect::<Vec<_>>());
            c.batch_execute("SELECT pg_advisory_unlock(7411003)")?;
            result
        }
        DbConn::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|versions| versions.iter().map(|v| v.to_string()).collect::<Vec<_>>()),
    };
    applied.map_err(|err| DbError::Migration(err.to_string()))
}

/// Readiness: a read of a real table through a pooled connection within `timeout`, so a
/// database that accepts connections but cannot serve data (dropped, corrupt, unmigrated), or
/// a pool with no connection to spare, is not ready. On SQLite the read is also made through a
/// connection opened for it: a pooled one may answer from its page cache after the file under
/// it went bad.
pub fn check_ready(pool: &Pool, timeout: Duration) -> Result<(), DbError> {
    fn read(conn: &mut DbConn) -> Result<(), DbError> {
        use diesel::RunQueryDsl;
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations LIMIT 1")
            .execute(conn)?;
        Ok(())
    }
    #[derive(diesel::QueryableByName)]
    struct File {
        #[diesel(sql_type = diesel::sql_types::Text)]
        file: String,
    }
    let mut pooled = pool.get_timeout(timeout)?;
    read(&mut pooled)?;
    if let DbConn::Sqlite(_) = &**pooled {
        use diesel::RunQueryDsl;
        let main: File =
            diesel::sql_query("SELECT file FROM pragma_database_list WHERE name = 'main'")
                .get_result(&mut **pooled)?;
        // An in-memory database has no file to open again; opening a file that is not there
        // would create an empty one.
        if main.file.is_empty() {
            return Ok(());
        }
        if !std::path::Path::new(&main.file).exists() {
            return Err(DbError::Unavailable(format!("{} is gone", main.file)));
        }
        let fresh = SqliteConnection::establish(&main.file)
            .map_err(|err| DbError::Unavailable(err.to_string()))?;
        read(&mut DbConn::Sqlite(fresh))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_the_url_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://smartcity.db"),
            Backend::Sqlite { path: "smartcity.db".into() }
        );
        assert_eq!(
            Backend::from_url("/var/lib/smartcity.db"),
            Backend::Sqlite { path: "/var/lib/smartcity.db".into() }
        );
        for url in ["postgres://u@h/db", "postgresql://u@h/db"] {
            assert_eq!(Backend::from_url(url), Backend::Postgres { url: url.into() });
        }
    }

    /// A transaction reads, another connection writes meanwhile, then the first writes: on
    /// SQLite a deferred transaction fails there with "database is locked"; a write
    /// transaction makes the other wait, and both get through.
    #[test]
    fn write_transactions_that_read_first_queue_instead_of_failing_on_sqlite() {
        use diesel::sql_types::BigInt;
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let path = std::env::temp_dir()
            .join(format!("smartcity-write-transaction-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let manager = Manager { backend: Backend::Sqlite { path: path.display().to_string() } };
        let mut first = manager.connect().unwrap();
        first.batch_execute("CREATE TABLE counter (n BIGINT NOT NULL)").unwrap();
        first.batch_execute("INSERT INTO counter VALUES (0)").unwrap();
        let mut other = manager.connect().unwrap();
        let (reading, read) = std::sync::mpsc::channel::<()>();
        let meanwhile = std::thread::spawn(move || {
            read.recv().unwrap();
            other.batch_execute("UPDATE counter SET n = n + 10")
        });

        write_transaction(&mut first, |conn| {
            let before: Count = diesel::sql_query("SELECT n FROM counter").get_result(conn)?;
            reading.send(()).unwrap();
            // The other connection is now waiting for the write lock this one holds.
            std::thread::sleep(std::time::Duration::from_millis(200));
            assert!(!meanwhile.is_finished(), "the other write did not wait");
            diesel::sql_query(format!("UPDATE counter SET n = {}", before.n + 1)).execute(conn)
        })
        .expect("the transaction that read first writes too");
        meanwhile.join().unwrap().expect("the other write goes through after it");
        let after: Count =
            diesel::sql_query("SELECT n FROM counter").get_result(&mut *first).unwrap();
        assert_eq!(after.n, 11);
        let _ = std::fs::remove_file(&path);
    }
}

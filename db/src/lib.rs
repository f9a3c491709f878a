//! smartcity's storage: the diesel schema, rows, repositories and migrations for both backends,
//! and the pool. No HTTP here; every function takes a connection and is called off the async
//! workers by the server.

pub mod accounts;
pub mod agencies;
pub mod air;
pub mod api_keys;
pub mod cameras;
pub mod complaints;
pub mod devices;
pub mod dossier_decisions;
pub mod dossiers;
pub mod error;
pub mod idempotency;
pub mod land;
pub mod lease;
pub mod notifications;
pub mod online_dossiers;
pub mod open311;
pub mod outbox;
pub mod phone_codes;
pub mod places;
pub mod pool;
pub mod procedures;
pub mod questions;
pub mod reminders;
pub mod revisions;
pub mod schema;
pub mod signing_keys;
pub mod sms;
pub mod throttle;
pub mod warnings;
pub mod web_sessions;
pub mod webhooks;
pub mod words;

pub use error::DbError;
pub use pool::{Backend, DbConn, Pool};

/// Now, in UTC, at the precision both backends store (microseconds).
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    chrono::SubsecRound::trunc_subsecs(now, 6)
}

/// The row a key names, read without `LIMIT`. diesel binds `.first()`'s `LIMIT 1` as a
/// parameter, and SQLite looks at a bound LIMIT while it plans, so such a statement is planned
/// again each time it runs: for the read path's large joined SELECTs that was a fifth of the
/// server's time (README, issue 17). A key names one row at most anyway.
fn row_by_key<'query, Q, T>(query: Q, conn: &mut DbConn) -> diesel::QueryResult<Option<T>>
where
    Q: diesel::RunQueryDsl<DbConn> + diesel::query_dsl::LoadQuery<'query, DbConn, T>,
{
    Ok(diesel::RunQueryDsl::load(query, conn)?.into_iter().next())
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

//! Black-box tests: the real server on an ephemeral port, a real database (SQLite, or
//! PostgreSQL when `SMARTCITY_TEST_DATABASE_URL` is set), reqwest as the client.

mod accounts;
mod complaints;
mod contract;
mod dossiers;
mod errors;
mod helpers;
mod operations;
mod places;
mod procedures;
mod schema_parity;
mod test_db;
mod tokens;

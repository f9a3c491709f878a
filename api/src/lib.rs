//! The smartcity HTTP API: routes (`routes`), extractors, auth, problem rendering, middleware,
//! and the operator commands behind the `smartcity` binary.

pub mod auth;
pub mod auto_close;
pub mod cli;
pub mod config;
pub mod delivery;
pub mod extract;
pub mod geography;
pub mod georeport;
pub mod metrics;
pub mod middleware;
pub mod photos;
pub mod problem;
pub mod push;
pub mod reminders;
pub mod revision_cache;
pub mod routes;
pub mod search;
pub mod seed;
pub mod startup;
pub mod state;
pub mod storage;
pub mod sweeper;
pub mod throttle;

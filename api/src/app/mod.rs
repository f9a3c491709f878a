//! The use cases: one function per thing a person or a job does (file a complaint, record an
//! event on it, look up a dossier, register a phone …). They take plain inputs and return
//! domain values or database rows, never HTTP types, so the JSON API, the console and the jobs
//! call the same ones. Below them: `adapters` (photos, storage, FCM, metrics), `db`, `domain`.

pub mod accounts;
pub mod admin;
pub mod air;
pub mod auth;
pub mod camera_cache;
pub mod cameras;
pub mod categories;
pub mod complaints;
pub mod dashboard;
pub mod database;
pub mod dossier_decisions;
pub mod dossiers;
pub mod error;
pub mod geography;
pub mod health;
pub mod idempotency;
pub mod inbox;
pub mod land;
pub mod online_dossiers;
pub mod open311;
pub mod phone_codes;
pub mod places;
pub mod procedures;
pub mod questions;
pub mod revision_cache;
pub mod search;
pub mod seed;
pub mod sms;
pub mod state;
pub mod stats;
pub mod throttle;
pub mod uploads;
pub mod warnings;
pub mod webhooks;

pub use error::{ApiError, ErrorCode};
pub use state::AppState;

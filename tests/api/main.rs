//! Black-box tests: the real server on an ephemeral port, a real database (SQLite, or
//! PostgreSQL when `SMARTCITY_TEST_DATABASE_URL` is set), reqwest as the client.

mod accounts;
mod authorization;
mod body_memory;
mod categories;
mod complaint_photos;
mod complaints;
mod console;
mod console_admin_keys;
mod console_city;
mod contract;
mod delivery;
mod demo_city;
mod dossier_decisions;
mod dossiers;
mod errors;
mod faults;
mod fcm_client;
mod generated_client;
mod helpers;
mod http_methods;
mod inbox;
mod online_dossiers;
mod open311;
mod operations;
mod photos_on_s3;
mod places;
mod procedures;
mod public_page;
mod reminders;
mod schema_parity;
mod sms;
mod templates;
mod tokens;
mod warnings;
mod webhooks;

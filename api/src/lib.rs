//! The `smartcity` binary's crate, in layers whose dependencies point one way:
//!
//! - `http`: the JSON API (routes, handlers, extractors, middleware, problem rendering);
//! - `console`: the agencies' web pages, beside the API and on the same use cases;
//! - `jobs`: push workers and the periodic jobs, supervised;
//! - `app`: one function per use case, shared by the API and the jobs; its error type;
//! - `adapters`: photo processing, the photo store, FCM, metrics;
//! - `config`: the environment's settings.
//!
//! Only `startup` (the server) and `cli` (the operator's commands) wire them together.

pub mod adapters;
pub mod app;
pub mod cli;
pub mod config;
pub mod console;
pub mod http;
pub mod jobs;
pub mod startup;

//! The JSON API: the route table, the handlers (parse, call one use case, render), request
//! extractors and the callers they prove, the middleware every request passes, and problem
//! rendering. Open311's own formats are rendered in `georeport`.

pub mod auth;
pub mod body_memory;
pub mod cors;
pub mod extract;
pub mod georeport;
pub mod handlers;
pub mod middleware;
pub mod multipart;
pub mod problem;
pub mod routes;

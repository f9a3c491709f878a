//! The outside world, each behind one small type: photo processing, the photo store (a
//! directory or S3), Firebase Cloud Messaging, Prometheus metrics. Nothing here knows HTTP
//! requests or use cases; each returns its own errors.

pub mod camera;
pub mod fcm;
pub mod metrics;
pub mod photos;
pub mod storage;

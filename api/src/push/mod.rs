//! Push notifications to the citizen app's devices. [`fcm`] is our own client of Firebase Cloud
//! Messaging's HTTP v1 API (the `fcm` crate speaks only the legacy API Google shut down in 2024).

pub mod fcm;

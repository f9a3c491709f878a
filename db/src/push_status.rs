//! What becomes of a push: the `status` of a `push_outbox` row. Its own module so that
//! `notifications`, which queues pushes, and `outbox`, which delivers them and reads the
//! notifications they carry, both use it without depending on each other.

pub const QUEUED: &str = "queued";
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
/// No push service is configured: the inbox has it, no phone will.
pub const SKIPPED: &str = "skipped";
/// FCM said the device token is dead; the device is forgotten.
pub const DROPPED: &str = "dropped";
/// Gave up after the last attempt, or a permanent error: a dead letter.
pub const DEAD: &str = "dead";

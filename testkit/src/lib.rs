//! What the tests of several crates share (the photo pipeline's unit tests, the black-box
//! suite in `tests/`, the binary's own tests in `api/tests/`) and the photo benchmark uses.

pub mod fake_camera;
pub mod fake_google;
pub mod fake_sms_http;
pub mod photos;
pub mod s3_server;
pub mod smsc;
pub mod test_db;

//! Webhooks an agency registers to hear of what citizens do with online dossiers: the events,
//! the delivery states, the signature the receiver checks and the backoff between attempts.

use crate::backoff::Backoff;
use crate::validation::{Invalid, Reason};
use crate::word::impl_word;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;

/// What happened, as the `event` of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookEvent {
    Submitted,
    Supplemented,
    Withdrawn,
}

impl_word!(WebhookEvent {
    Submitted => "dossier.submitted",
    Supplemented => "dossier.supplemented",
    Withdrawn => "dossier.withdrawn",
});

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookStatus {
    Queued,
    Sending,
    Delivered,
    /// Gave up after [`MAX_ATTEMPTS`]; the agency's pull still finds the dossier.
    Failed,
}

impl_word!(WebhookStatus {
    Queued => "queued",
    Sending => "sending",
    Delivered => "delivered",
    Failed => "failed",
});

/// Attempts before a delivery is given up: with [`retry_delay`], a little over a day.
pub const MAX_ATTEMPTS: i32 = 34;

/// The wait after the `attempts`-th failed attempt: 5 s, doubling, at most an hour.
pub fn retry_delay(attempts: i32) -> Duration {
    BACKOFF.full(attempts)
}

const BACKOFF: Backoff = Backoff {
    first: Duration::from_secs(5),
    longest: Duration::from_secs(3600),
    max_attempts: MAX_ATTEMPTS,
};

/// The signature a delivery carries in `X-Smartcity-Signature`: `sha256=` and the hex HMAC-SHA256
/// of `{timestamp}.{body}` under the webhook's secret. The timestamp (Unix seconds, sent as
/// `X-Smartcity-Timestamp`) is signed too, so a receiver can refuse old replays.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    format!("sha256={}", digest.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// A webhook's address: `https://`, or `http://` to this machine only (a receiver beside the
/// agency's system, or a test), at most 500 characters, no credentials in it.
pub fn parse_webhook_url(field: &str, raw: &str) -> Result<String, Invalid> {
    let url = raw.trim();
    let rest = url.strip_prefix("https://").or_else(|| {
        url.strip_prefix("http://").filter(|rest| {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
            matches!(host, "127.0.0.1" | "localhost" | "[::1]")
        })
    });
    let authority = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    let ok = url.len() <= 500
        && authority.is_some_and(|a| !a.is_empty() && !a.contains('@'))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(url.to_string())
    } else {
        Err(Invalid::new(
            field,
            Reason::Format {
                expected_vi: "địa chỉ https:// (http:// chỉ cho máy này), không kèm tài khoản",
                expected_en:
                    "an https:// address (http:// only to this machine), without credentials",
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_the_timestamp_and_the_body() {
        // Checked against an independent computation
        // (printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret).
        assert_eq!(
            signature("secret", 1_700_000_000, br#"{"a":1}"#),
            "sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
        );
        assert_ne!(
            signature("secret", 1_700_000_001, br#"{"a":1}"#),
            signature("secret", 1_700_000_000, br#"{"a":1}"#)
        );
        assert_ne!(
            signature("other", 1_700_000_000, br#"{"a":1}"#),
            signature("secret", 1_700_000_000, br#"{"a":1}"#)
        );
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay(1), Duration::from_secs(5));
        assert_eq!(retry_delay(2), Duration::from_secs(10));
        assert_eq!(retry_delay(MAX_ATTEMPTS), Duration::from_secs(3600));
        let total: u64 = (1..MAX_ATTEMPTS).map(|a| retry_delay(a).as_secs()).sum();
        assert!((24 * 3600..48 * 3600).contains(&total), "{total}");
    }

    #[test]
    fn webhook_addresses_are_https_or_this_machine() {
        for good in [
            "https://motcua.danang.gov.vn/hooks/smartcity",
            "http://127.0.0.1:8080/h",
            "http://localhost/h",
        ] {
            assert!(parse_webhook_url("url", good).is_ok(), "{good}");
        }
        for bad in [
            "http://motcua.danang.gov.vn/h",
            "https://",
            "ftp://x",
            "https://u:p@x/h",
            "https://x/a b",
            "http://127.0.0.1.evil.com/",
        ] {
            assert!(parse_webhook_url("url", bad).is_err(), "{bad}");
        }
    }
}

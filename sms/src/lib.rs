//! SMS delivery's transport: hand one prepared message to an operator or a provider and say
//! whether it was taken, or why not. The outbox (retries, caps, templates) and the text rules
//! (which [`Encoding`], what text) live elsewhere; this crate only delivers.
//!
//! A [`Gateway`] is chosen by configuration:
//!
//! - [`Gateway::Log`] (no configuration, the demo): the message is written to the log with
//!   `tracing::info!` and accepted as `log-<id>`.
//! - [`Gateway::Smpp`]: SMPP 3.4 to an operator's SMSC, see [`SmppGateway`] and [`SmppConfig`].
//!   One supervised TCP session bound as transceiver: `enquire_link` keep-alive, reconnection
//!   with exponential backoff, a window of `submit_sm` in flight, delivery receipts
//!   (`deliver_sm`) parsed into [`DeliveryReport`]s on a bounded channel. Long texts go as
//!   concatenated parts (UDH, 8-bit reference); the first part's `message_id` is the provider id.
//!   Config fields: `host`, `port`, `system_id`, `password`, `system_type`, `source_addr`
//!   (the brandname), `source_ton` (5, alphanumeric), `source_npi` (0), `enquire_link_interval`
//!   (30 s), `response_timeout` (10 s), `connect_timeout` (10 s), `window` (10),
//!   `reconnect_min` (1 s), `reconnect_max` (60 s), `receipt_buffer` (1024).
//! - [`Gateway::Http`]: a brandname HTTP API of the kind Vietnamese providers sell, see
//!   [`HttpGateway`] and [`HttpGatewayConfig`]. One JSON POST per message; every field name is
//!   configurable (`fields`), as are the JSON pointers to the provider's message id and to a
//!   body-level success code (`message_id_pointer`, `success`), extra constant fields such as
//!   API keys (`extra_fields`), an auth header (`auth_header`), the phone's form (`phone_format`)
//!   and the callback URL the provider posts delivery reports to (`callback_url`), which
//!   [`HttpGateway::parse_report`] reads with the pointers in `report`.
//!
//! Both real gateways answer with the same contract: [`SendError::Temporary`] when trying again
//! later may work (link down, throttled, 5xx, timeout), [`SendError::Permanent`] when it never
//! will (invalid destination, rejected, 4xx, text the chosen encoding cannot carry).

mod http;
mod receipt;
mod smpp;
mod split;

pub use http::{
    HttpFieldNames, HttpGateway, HttpGatewayConfig, HttpSetupError, PhoneFormat, ReportConfig,
    SuccessCheck,
};
pub use smpp::{SmppConfig, SmppGateway};

/// How the caller prepared the text: GSM 03.38 default alphabet (160 characters a message) or
/// UCS-2/UTF-16 (70), e.g. for Vietnamese with its diacritics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

/// One message to deliver, its text already prepared by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingSms {
    /// The outbox's row id; sent as the request id where the gateway has one.
    pub id: String,
    /// E.164, e.g. `+84912345678`.
    pub to: String,
    pub text: String,
    pub encoding: Encoding,
}

/// The gateway took the message; delivery reports will name it by `provider_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub provider_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Try again later: the link is down, the provider throttled or failed (5xx), a timeout.
    #[error("temporary SMS failure: {0}")]
    Temporary(String),
    /// Never retry: invalid destination, rejected content, a 4xx, text the encoding cannot carry.
    #[error("permanent SMS failure: {0}")]
    Permanent(String),
}

impl SendError {
    pub fn is_temporary(&self) -> bool {
        matches!(self, SendError::Temporary(_))
    }
}

/// What the operator or provider later said about a message it accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    /// As in [`Accepted::provider_id`].
    pub provider_id: String,
    /// Reached the handset. `false` covers both final failures (`UNDELIV`, `EXPIRED`,
    /// `REJECTD`, …) and intermediate states (`ENROUTE`, `ACCEPTD`): read `detail`.
    pub delivered: bool,
    /// The provider's status word, e.g. `DELIVRD`, `UNDELIV`.
    pub detail: String,
}

/// What an SMSC sends of its own accord: a delivery report, or a message a person sent back
/// (a keyword such as `TC`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    Report(DeliveryReport),
    Reply(Reply),
}

/// A mobile-originated message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// As the SMSC wrote it, usually international digits (`84912345678`).
    pub from: String,
    pub text: String,
}

/// The configured transport.
#[derive(Debug, Clone)]
pub enum Gateway {
    /// No gateway configured (the demo): messages go to the log.
    Log,
    Smpp(SmppGateway),
    Http(HttpGateway),
}

impl Gateway {
    pub async fn send(&self, sms: &OutgoingSms) -> Result<Accepted, SendError> {
        match self {
            Gateway::Log => {
                tracing::info!(id = %sms.id, to = %sms.to, encoding = ?sms.encoding, text = %sms.text, "SMS (log gateway, not sent)");
                Ok(Accepted { provider_id: format!("log-{}", sms.id) })
            }
            Gateway::Smpp(gateway) => gateway.send(sms).await,
            Gateway::Http(gateway) => gateway.send(sms).await,
        }
    }

    /// For logs and metrics: `log`, `smpp` or `http`.
    pub fn name(&self) -> &'static str {
        match self {
            Gateway::Log => "log",
            Gateway::Smpp(_) => "smpp",
            Gateway::Http(_) => "http",
        }
    }
}

/// `+84912345678` → `84912345678`; anything but 1 to 20 digits after an optional `+` is not a
/// number any gateway can reach.
pub(crate) fn e164_digits(to: &str) -> Result<&str, SendError> {
    let digits = to.strip_prefix('+').unwrap_or(to);
    if digits.is_empty() || digits.len() > 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SendError::Permanent(format!("invalid destination number {to:?}")));
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn log_gateway_accepts_with_a_log_id() {
        let sms = OutgoingSms {
            id: "42".into(),
            to: "+84912345678".into(),
            text: "hello".into(),
            encoding: Encoding::Gsm7,
        };
        let accepted = Gateway::Log.send(&sms).await.unwrap();
        assert_eq!(accepted.provider_id, "log-42");
        assert_eq!(Gateway::Log.name(), "log");
    }

    #[test]
    fn destinations_are_digits() {
        assert_eq!(e164_digits("+84912345678").unwrap(), "84912345678");
        assert!(e164_digits("+84 912").is_err());
        assert!(e164_digits("+").is_err());
    }
}

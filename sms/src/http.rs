//! The HTTP brandname gateway: one JSON POST a message, as Vietnamese SMS providers' APIs take
//! them (brandname, phone, text, an SMS type where "2" is customer care, a request id, an
//! optional callback URL for delivery reports). Providers name these fields differently and
//! often answer 200 with an error code in the body, so both are configuration.

use crate::{e164_digits, Accepted, DeliveryReport, Encoding, OutgoingSms, SendError};
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::StatusCode;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;

/// The provider's API. [`HttpGatewayConfig::new`] fills in the defaults shown.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpGatewayConfig {
    /// Where messages are POSTed.
    pub url: String,
    /// e.g. `("Authorization", "Bearer …")` or `("apikey", "…")`. Default none.
    pub auth_header: Option<(String, String)>,
    /// The registered sender name.
    pub brandname: String,
    /// Default `"2"` (customer care).
    pub sms_type: String,
    pub fields: HttpFieldNames,
    /// Constant fields added to every request body, e.g. `ApiKey`/`SecretKey` for providers
    /// that authenticate in the body. Default empty.
    pub extra_fields: Map<String, Value>,
    /// Sent in `fields.callback_url` when both are set. Default none.
    pub callback_url: Option<String>,
    /// Default [`PhoneFormat::International`].
    pub phone_format: PhoneFormat,
    /// RFC 6901 pointer to the provider's message id in a successful answer. Default `/SMSID`.
    pub message_id_pointer: String,
    /// A body-level success code: anything else in a 2xx answer is a refusal. Default
    /// `/CodeResult` == `"100"`.
    pub success: Option<SuccessCheck>,
    /// Whole request, connection included. Default 10 s.
    pub timeout: Duration,
    /// How the provider's delivery report posts read, for [`HttpGateway::parse_report`].
    pub report: ReportConfig,
}

/// The request body's field names. Defaults: `Brandname`, `Phone`, `Content`, `SmsType`,
/// `RequestId`, `CallbackUrl`, no unicode flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpFieldNames {
    pub brandname: String,
    pub phone: String,
    pub message: String,
    pub sms_type: String,
    pub request_id: String,
    /// Omitted from the body when `None`.
    pub callback_url: Option<String>,
    /// Some providers want to be told the text is Unicode: this field gets `"1"` for
    /// [`Encoding::Ucs2`] and `"0"` for GSM. Omitted when `None`.
    pub unicode: Option<String>,
}

impl Default for HttpFieldNames {
    fn default() -> Self {
        HttpFieldNames {
            brandname: "Brandname".into(),
            phone: "Phone".into(),
            message: "Content".into(),
            sms_type: "SmsType".into(),
            request_id: "RequestId".into(),
            callback_url: Some("CallbackUrl".into()),
            unicode: None,
        }
    }
}

/// How the destination number is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PhoneFormat {
    /// `84912345678`.
    #[default]
    International,
    /// `0912345678`: a leading `84` becomes `0`; other countries stay international.
    National,
}

/// `pointer` in the answer must equal `value`; numbers and strings compare by their text,
/// so `100` and `"100"` both match `"100"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuccessCheck {
    pub pointer: String,
    pub value: String,
}

/// Delivery reports the provider POSTs to the callback URL. Defaults: id at `/SMSID`, status
/// at `/SendStatus`, delivered when the status is `"2"` or `"DELIVRD"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportConfig {
    pub id_pointer: String,
    pub status_pointer: String,
    pub delivered_values: Vec<String>,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            id_pointer: "/SMSID".into(),
            status_pointer: "/SendStatus".into(),
            delivered_values: vec!["2".into(), "DELIVRD".into()],
        }
    }
}

impl HttpGatewayConfig {
    pub fn new(url: impl Into<String>, brandname: impl Into<String>) -> HttpGatewayConfig {
        HttpGatewayConfig {
            url: url.into(),
            auth_header: None,
            brandname: brandname.into(),
            sms_type: "2".into(),
            fields: HttpFieldNames::default(),
            extra_fields: Map::new(),
            callback_url: None,
            phone_format: PhoneFormat::International,
            message_id_pointer: "/SMSID".into(),
            success: Some(SuccessCheck { pointer: "/CodeResult".into(), value: "100".into() }),
            timeout: Duration::from_secs(10),
            report: ReportConfig::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HttpSetupError {
    #[error("invalid SMS gateway URL {0:?}")]
    Url(String),
    #[error("invalid auth header for the SMS gateway")]
    Header,
    #[error("HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}

#[derive(Debug, Clone)]
pub struct HttpGateway {
    // Shared: the gateway is cloned into senders and kept small beside the SMPP handle.
    config: Arc<HttpGatewayConfig>,
    auth: Option<(HeaderName, HeaderValue)>,
    client: reqwest::Client,
}

/// How much of an unexpected answer goes into an error message.
const EXCERPT: usize = 300;

impl HttpGateway {
    /// Checks the URL and header and builds the HTTP client (no request is made).
    pub fn new(config: HttpGatewayConfig) -> Result<HttpGateway, HttpSetupError> {
        let url = reqwest::Url::parse(&config.url)
            .map_err(|_| HttpSetupError::Url(config.url.clone()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(HttpSetupError::Url(config.url.clone()));
        }
        let auth = match &config.auth_header {
            None => None,
            Some((name, value)) => {
                let name =
                    HeaderName::from_bytes(name.as_bytes()).map_err(|_| HttpSetupError::Header)?;
                let mut value = HeaderValue::from_str(value).map_err(|_| HttpSetupError::Header)?;
                value.set_sensitive(true);
                Some((name, value))
            }
        };
        let client = reqwest::Client::builder()
            .user_agent(concat!("smartcity/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(config.timeout)
            .timeout(config.timeout)
            // A POST redirected becomes a GET: a moved API is a configuration error, not a send.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(HttpGateway { config: Arc::new(config), auth, client })
    }

    pub fn config(&self) -> &HttpGatewayConfig {
        &self.config
    }

    /// The request body for a message, as sent.
    pub fn request_body(&self, sms: &OutgoingSms) -> Result<Value, SendError> {
        let config = &self.config;
        let fields = &config.fields;
        let digits = e164_digits(&sms.to)?;
        let phone = match (config.phone_format, digits.strip_prefix("84")) {
            (PhoneFormat::National, Some(rest)) => format!("0{rest}"),
            _ => digits.to_string(),
        };
        let mut body = config.extra_fields.clone();
        body.insert(fields.brandname.clone(), config.brandname.clone().into());
        body.insert(fields.phone.clone(), phone.into());
        body.insert(fields.message.clone(), sms.text.clone().into());
        body.insert(fields.sms_type.clone(), config.sms_type.clone().into());
        body.insert(fields.request_id.clone(), sms.id.clone().into());
        if let (Some(field), Some(url)) = (&fields.callback_url, &config.callback_url) {
            body.insert(field.clone(), url.clone().into());
        }
        if let Some(field) = &fields.unicode {
            let flag = if sms.encoding == Encoding::Ucs2 { "1" } else { "0" };
            body.insert(field.clone(), flag.into());
        }
        Ok(Value::Object(body))
    }

    pub async fn send(&self, sms: &OutgoingSms) -> Result<Accepted, SendError> {
        let body = self.request_body(sms)?;
        let mut request = self.client.post(&self.config.url).json(&body);
        if let Some((name, value)) = &self.auth {
            request = request.header(name.clone(), value.clone());
        }
        let response = request.send().await.map_err(|e| {
            // Not sent or no answer: the provider may try again later as well as we can.
            SendError::Temporary(format!("SMS gateway unreachable: {}", error_chain(&e)))
        })?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| SendError::Temporary(format!("SMS gateway answer cut short: {e}")))?;
        let excerpt: String = text.chars().take(EXCERPT).collect();
        if status.is_server_error()
            || status == StatusCode::TOO_MANY_REQUESTS
            || status == StatusCode::REQUEST_TIMEOUT
        {
            return Err(SendError::Temporary(format!("SMS gateway answered {status}: {excerpt}")));
        }
        if !status.is_success() {
            return Err(SendError::Permanent(format!("SMS gateway answered {status}: {excerpt}")));
        }
        // A 2xx whose body we cannot read as an acceptance: retrying the same request would
        // meet the same answer, so it is not sent, for good.
        let answer: Value = serde_json::from_str(&text).map_err(|_| {
            SendError::Permanent(format!("SMS gateway answered {status} without JSON: {excerpt}"))
        })?;
        if let Some(check) = &self.config.success {
            let found = answer.pointer(&check.pointer).and_then(scalar_text);
            if found.as_deref() != Some(check.value.as_str()) {
                return Err(SendError::Permanent(format!("SMS gateway refused: {excerpt}")));
            }
        }
        let provider_id = answer
            .pointer(&self.config.message_id_pointer)
            .and_then(scalar_text)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| {
                SendError::Permanent(format!(
                    "no message id at {} in the answer: {excerpt}",
                    self.config.message_id_pointer
                ))
            })?;
        Ok(Accepted { provider_id })
    }

    /// A delivery report the provider POSTed to the callback URL, or `None` when the body
    /// does not carry an id and a status where `config.report` says.
    pub fn parse_report(&self, body: &Value) -> Option<DeliveryReport> {
        let report = &self.config.report;
        let provider_id = body.pointer(&report.id_pointer).and_then(scalar_text)?;
        let detail = body.pointer(&report.status_pointer).and_then(scalar_text)?;
        if provider_id.is_empty() {
            return None;
        }
        let delivered = report.delivered_values.iter().any(|v| v.eq_ignore_ascii_case(&detail));
        Some(DeliveryReport { provider_id, delivered, detail })
    }
}

/// Strings as they are, numbers and booleans as written in JSON.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// reqwest's own message hides the cause (refused, timed out) a level down.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sms() -> OutgoingSms {
        OutgoingSms {
            id: "r1".into(),
            to: "+84912345678".into(),
            text: "Hồ sơ".into(),
            encoding: Encoding::Ucs2,
        }
    }

    #[test]
    fn national_phone_and_unicode_flag() {
        let mut config = HttpGatewayConfig::new("http://127.0.0.1:1/send", "SMARTCITY");
        config.phone_format = PhoneFormat::National;
        config.fields.unicode = Some("IsUnicode".into());
        let body = HttpGateway::new(config).unwrap().request_body(&sms()).unwrap();
        assert_eq!(body["Phone"], "0912345678");
        assert_eq!(body["IsUnicode"], "1");
        assert!(body.get("CallbackUrl").is_none());
    }

    #[test]
    fn bad_setup_is_refused() {
        assert!(HttpGateway::new(HttpGatewayConfig::new("not a url", "X")).is_err());
        let mut config = HttpGatewayConfig::new("http://127.0.0.1:1/", "X");
        config.auth_header = Some(("bad header".into(), "v".into()));
        assert!(HttpGateway::new(config).is_err());
    }
}

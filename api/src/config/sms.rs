//! The SMS channel's settings (`SMARTCITY_SMS_*`, `SMARTCITY_SMPP_*`): which gateway, how texts
//! are written, the caps and who must prove a number. README's "SMS" section lists them.

use super::flag;
use smartcity_domain::sms::TextMode;
use smartcity_domain::throttle::ThrottlePolicy;
use smartcity_domain::Word;
use smartcity_sms::{HttpGatewayConfig, PhoneFormat, ReportConfig, SmppConfig, SuccessCheck};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct SmsSettings {
    pub gateway: GatewayChoice,
    /// Without diacritics (GSM-7, 160 characters a segment) by default, as providers bill per
    /// segment; or Unicode (UCS-2, 70).
    pub text_mode: TextMode,
    /// Messages one number may receive in a Vietnam day, codes included.
    pub daily_cap: u32,
    /// SMS workers in this instance (0: none; other instances may still send).
    pub workers: usize,
    /// How long a claimed message is its worker's before another may take it.
    pub lease: Duration,
    /// How long a dossier message waits for a push to the applicant's own app, which makes it
    /// unneeded.
    pub push_grace: Duration,
    /// Citizens file complaints and follow dossiers only once their number is proven.
    pub require_verified_phone: bool,
    /// Code requests per number and per client address.
    pub code_throttle: ThrottlePolicy,
    /// The secret path segment of the routes an HTTP gateway calls back (delivery reports,
    /// replies): `/v1/sms/gateway/{secret}/…`. Without it those routes answer 404.
    pub callback_secret: Option<String>,
    /// The number people reply `TC` to, for messages without a public URL to link to.
    pub reply_to: Option<String>,
    /// The time the quiet hours are judged at: the system's, or a fixed one (tests).
    pub clock: Clock,
}

/// Where "now" comes from for the SMS rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    System,
    Fixed(chrono::DateTime<chrono::Utc>),
    /// The system's, moved by this much: time still passes, at the hour of day a test needs.
    Offset(chrono::TimeDelta),
}

impl Clock {
    pub fn now(self) -> chrono::DateTime<chrono::Utc> {
        match self {
            Clock::System => chrono::Utc::now(),
            Clock::Fixed(at) => at,
            Clock::Offset(by) => chrono::Utc::now() + by,
        }
    }
}

/// Where messages go. (The configurations are boxed: they are large beside `Log`.)
#[derive(Debug, Clone)]
pub enum GatewayChoice {
    /// Nowhere: the log and the administrators' outbox view (the demo).
    Log,
    Smpp(Box<SmppConfig>),
    Http(Box<HttpGatewayConfig>),
}

impl Default for SmsSettings {
    fn default() -> Self {
        SmsSettings {
            gateway: GatewayChoice::Log,
            text_mode: TextMode::Unaccented,
            daily_cap: smartcity_domain::sms::DAILY_CAP_PER_NUMBER,
            workers: 1,
            lease: Duration::from_secs(60),
            push_grace: Duration::from_secs(120),
            require_verified_phone: true,
            code_throttle: ThrottlePolicy::phone_codes(),
            callback_secret: None,
            reply_to: None,
            clock: Clock::System,
        }
    }
}

impl SmsSettings {
    pub fn from_lookup(
        get: &impl Fn(&str) -> Option<String>,
        public_url: Option<&str>,
    ) -> Result<SmsSettings, String> {
        let text = |name: &str| get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let number =
            |name: &str, range: std::ops::RangeInclusive<u64>| -> Result<Option<u64>, String> {
                match text(name) {
                    None => Ok(None),
                    Some(raw) => {
                        raw.parse().ok().filter(|n| range.contains(n)).map(Some).ok_or_else(|| {
                            format!("{name} must be {}–{}, not {raw:?}", range.start(), range.end())
                        })
                    }
                }
            };
        let mut settings = SmsSettings::default();
        if let Some(mode) = text("SMARTCITY_SMS_TEXT_MODE") {
            settings.text_mode = TextMode::from_word(&mode).ok_or_else(|| {
                format!("SMARTCITY_SMS_TEXT_MODE must be unaccented or unicode, not {mode:?}")
            })?;
        }
        if let Some(cap) = number("SMARTCITY_SMS_DAILY_CAP", 1..=100)? {
            settings.daily_cap = cap as u32;
        }
        if let Some(workers) = number("SMARTCITY_SMS_WORKERS", 0..=16)? {
            settings.workers = workers as usize;
        }
        if let Some(secs) = number("SMARTCITY_SMS_LEASE_SECS", 1..=3600)? {
            settings.lease = Duration::from_secs(secs);
        }
        if let Some(secs) = number("SMARTCITY_SMS_PUSH_GRACE_SECS", 0..=3600)? {
            settings.push_grace = Duration::from_secs(secs);
        }
        settings.require_verified_phone =
            flag(get, "SMARTCITY_REQUIRE_VERIFIED_PHONE", settings.require_verified_phone)?;
        settings.callback_secret = text("SMARTCITY_SMS_CALLBACK_SECRET");
        if let Some(secret) = &settings.callback_secret {
            let url_safe =
                secret.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if secret.len() < 16 || !url_safe {
                return Err("SMARTCITY_SMS_CALLBACK_SECRET must be at least 16 letters, digits, \
                            '-' or '_'"
                    .into());
            }
        }
        settings.reply_to = text("SMARTCITY_SMS_REPLY_TO");
        let brandname = || {
            text("SMARTCITY_SMS_BRANDNAME")
                .ok_or_else(|| "SMARTCITY_SMS_BRANDNAME is needed with a gateway".to_string())
        };
        settings.gateway = match text("SMARTCITY_SMS_GATEWAY").as_deref() {
            None | Some("log") => GatewayChoice::Log,
            Some("smpp") => {
                let host = text("SMARTCITY_SMPP_HOST")
                    .ok_or("SMARTCITY_SMPP_HOST is needed with the smpp gateway")?;
                let port = number("SMARTCITY_SMPP_PORT", 1..=65_535)?.unwrap_or(2775) as u16;
                let system_id = text("SMARTCITY_SMPP_SYSTEM_ID")
                    .ok_or("SMARTCITY_SMPP_SYSTEM_ID is needed with the smpp gateway")?;
                let password = text("SMARTCITY_SMPP_PASSWORD").unwrap_or_default();
                let mut smpp = SmppConfig::new(host, port, system_id, password, brandname()?);
                if let Some(system_type) = text("SMARTCITY_SMPP_SYSTEM_TYPE") {
                    smpp.system_type = system_type;
                }
                if let Some(ton) = number("SMARTCITY_SMPP_SOURCE_TON", 0..=6)? {
                    smpp.source_ton = ton as u8;
                }
                if let Some(npi) = number("SMARTCITY_SMPP_SOURCE_NPI", 0..=18)? {
                    smpp.source_npi = npi as u8;
                }
                if let Some(window) = number("SMARTCITY_SMPP_WINDOW", 1..=100)? {
                    smpp.window = window as usize;
                }
                if let Some(secs) = number("SMARTCITY_SMPP_ENQUIRE_LINK_SECS", 1..=600)? {
                    smpp.enquire_link_interval = Duration::from_secs(secs);
                }
                GatewayChoice::Smpp(Box::new(smpp))
            }
            Some("http") => {
                let url = text("SMARTCITY_SMS_HTTP_URL")
                    .ok_or("SMARTCITY_SMS_HTTP_URL is needed with the http gateway")?;
                let mut http = HttpGatewayConfig::new(url, brandname()?);
                if let Some(header) = text("SMARTCITY_SMS_HTTP_AUTH_HEADER") {
                    let (name, value) = header
                        .split_once(':')
                        .ok_or("SMARTCITY_SMS_HTTP_AUTH_HEADER must read `Name: value`")?;
                    http.auth_header = Some((name.trim().into(), value.trim().into()));
                }
                if let Some(sms_type) = text("SMARTCITY_SMS_HTTP_SMS_TYPE") {
                    http.sms_type = sms_type;
                }
                if let Some(fields) = text("SMARTCITY_SMS_HTTP_FIELDS") {
                    http_fields(&mut http, &fields)?;
                }
                if let Some(extra) = text("SMARTCITY_SMS_HTTP_EXTRA_FIELDS") {
                    http.extra_fields = serde_json::from_str(&extra).map_err(|e| {
                        format!("SMARTCITY_SMS_HTTP_EXTRA_FIELDS must be a JSON object: {e}")
                    })?;
                }
                if let Some(pointer) = text("SMARTCITY_SMS_HTTP_MESSAGE_ID_POINTER") {
                    http.message_id_pointer = pointer;
                }
                if let Some(success) = text("SMARTCITY_SMS_HTTP_SUCCESS") {
                    http.success = match success.split_once('=') {
                        _ if success == "none" => None,
                        Some((pointer, value)) => {
                            Some(SuccessCheck { pointer: pointer.into(), value: value.into() })
                        }
                        None => {
                            return Err("SMARTCITY_SMS_HTTP_SUCCESS must read /pointer=value or \
                                        none"
                                .into())
                        }
                    };
                }
                http.phone_format = match text("SMARTCITY_SMS_HTTP_PHONE_FORMAT").as_deref() {
                    None | Some("international") => PhoneFormat::International,
                    Some("national") => PhoneFormat::National,
                    Some(other) => {
                        return Err(format!(
                            "SMARTCITY_SMS_HTTP_PHONE_FORMAT must be international or national, \
                             not {other:?}"
                        ))
                    }
                };
                if let Some(report) = text("SMARTCITY_SMS_HTTP_REPORT") {
                    http.report = report_config(&report)?;
                }
                http.callback_url = match (public_url, &settings.callback_secret) {
                    (Some(url), Some(secret)) => {
                        Some(format!("{url}/v1/sms/gateway/{secret}/reports"))
                    }
                    _ => None,
                };
                GatewayChoice::Http(Box::new(http))
            }
            Some(other) => {
                return Err(format!(
                    "SMARTCITY_SMS_GATEWAY must be log, smpp or http, not {other:?}"
                ))
            }
        };
        Ok(settings)
    }
}

/// `{"phone": "Phone", "message": "Content", …}`: the provider's name for each field.
fn http_fields(http: &mut HttpGatewayConfig, json: &str) -> Result<(), String> {
    let bad = |e: String| format!("SMARTCITY_SMS_HTTP_FIELDS: {e}");
    let map: std::collections::BTreeMap<String, Option<String>> =
        serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
    let fields = &mut http.fields;
    for (ours, theirs) in map {
        let required = || theirs.clone().ok_or_else(|| bad(format!("{ours} cannot be null")));
        match ours.as_str() {
            "brandname" => fields.brandname = required()?,
            "phone" => fields.phone = required()?,
            "message" => fields.message = required()?,
            "sms_type" => fields.sms_type = required()?,
            "request_id" => fields.request_id = required()?,
            "callback_url" => fields.callback_url = theirs,
            "unicode" => fields.unicode = theirs,
            other => return Err(bad(format!("unknown field {other:?}"))),
        }
    }
    Ok(())
}

/// `{"id_pointer": "/SMSID", "status_pointer": "/SendStatus", "delivered_values": ["2"]}`.
fn report_config(json: &str) -> Result<ReportConfig, String> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Report {
        id_pointer: String,
        status_pointer: String,
        delivered_values: Vec<String>,
    }
    let report: Report =
        serde_json::from_str(json).map_err(|e| format!("SMARTCITY_SMS_HTTP_REPORT: {e}"))?;
    Ok(ReportConfig {
        id_pointer: report.id_pointer,
        status_pointer: report.status_pointer,
        delivered_values: report.delivered_values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &'static [(&'static str, &'static str)]) -> Result<SmsSettings, String> {
        let get = |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
        SmsSettings::from_lookup(&get, Some("https://city.example"))
    }

    #[test]
    fn the_log_gateway_without_diacritics_by_default() {
        let settings = read(&[]).unwrap();
        assert!(matches!(settings.gateway, GatewayChoice::Log));
        assert_eq!(settings.text_mode, TextMode::Unaccented);
        assert!(settings.require_verified_phone);
    }

    #[test]
    fn gateways_are_read_with_their_provider_fields() {
        let smpp = read(&[
            ("SMARTCITY_SMS_GATEWAY", "smpp"),
            ("SMARTCITY_SMPP_HOST", "10.0.0.5"),
            ("SMARTCITY_SMPP_SYSTEM_ID", "danang"),
            ("SMARTCITY_SMPP_PASSWORD", "secret"),
            ("SMARTCITY_SMS_BRANDNAME", "DANANG1022"),
            ("SMARTCITY_SMPP_WINDOW", "20"),
        ])
        .unwrap();
        let GatewayChoice::Smpp(smpp) = smpp.gateway else { panic!("smpp") };
        assert_eq!((smpp.port, smpp.window, smpp.source_addr.as_str()), (2775, 20, "DANANG1022"));

        let http = read(&[
            ("SMARTCITY_SMS_GATEWAY", "http"),
            ("SMARTCITY_SMS_HTTP_URL", "https://sms.provider.example/send"),
            ("SMARTCITY_SMS_BRANDNAME", "DANANG1022"),
            ("SMARTCITY_SMS_CALLBACK_SECRET", "a-long-enough-secret"),
            ("SMARTCITY_SMS_HTTP_FIELDS", r#"{"phone": "msisdn", "message": "text"}"#),
            ("SMARTCITY_SMS_HTTP_SUCCESS", "/status=ok"),
            ("SMARTCITY_SMS_HTTP_AUTH_HEADER", "Authorization: Bearer abc"),
        ])
        .unwrap();
        let GatewayChoice::Http(http) = http.gateway else { panic!("http") };
        assert_eq!((http.fields.phone.as_str(), http.fields.message.as_str()), ("msisdn", "text"));
        assert_eq!(http.success.unwrap().value, "ok");
        assert_eq!(
            http.callback_url.as_deref(),
            Some("https://city.example/v1/sms/gateway/a-long-enough-secret/reports")
        );
        assert_eq!(http.auth_header.unwrap().1, "Bearer abc");
    }

    #[test]
    fn bad_settings_are_named() {
        for (pairs, named) in [
            (&[("SMARTCITY_SMS_GATEWAY", "pigeon")][..], "SMARTCITY_SMS_GATEWAY"),
            (&[("SMARTCITY_SMS_GATEWAY", "smpp")][..], "SMARTCITY_SMPP_HOST"),
            (&[("SMARTCITY_SMS_TEXT_MODE", "emoji")][..], "SMARTCITY_SMS_TEXT_MODE"),
            (&[("SMARTCITY_SMS_DAILY_CAP", "0")][..], "SMARTCITY_SMS_DAILY_CAP"),
            (&[("SMARTCITY_SMS_CALLBACK_SECRET", "short")][..], "SMARTCITY_SMS_CALLBACK_SECRET"),
            (
                &[("SMARTCITY_SMS_GATEWAY", "http"), ("SMARTCITY_SMS_HTTP_URL", "https://x")][..],
                "SMARTCITY_SMS_BRANDNAME",
            ),
        ] {
            let pairs: &'static [(&'static str, &'static str)] = pairs;
            let err = read(pairs).unwrap_err();
            assert!(err.contains(named), "{err}");
        }
    }
}

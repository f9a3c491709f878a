//! Request extractors that refuse bad input with a problem naming the field, instead of the
//! framework's plain-text errors.

use crate::app::error::{ApiError, ErrorCode};
use crate::app::idempotency;
use crate::app::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use percent_encoding::percent_decode;
use serde::de::DeserializeOwned;
use smartcity_domain::Lang;
use std::future::{ready, Ready};

/// Largest JSON body any route accepts; no JSON request of ours comes near it.
pub const MAX_JSON_BYTES: usize = 64 * 1024;

/// A JSON body (`Content-Type: application/json`), at most [`MAX_JSON_BYTES`].
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| {
                let v = v.trim().to_ascii_lowercase();
                v == "application/json" || (v.starts_with("application/") && v.ends_with("+json"))
            })
            .unwrap_or(false);
        let declared_len = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::new(ErrorCode::UnsupportedMediaType)
                    .with_field("Content-Type")
                    .with_detail(
                        "Gửi nội dung JSON với Content-Type: application/json",
                        "Send a JSON body with Content-Type: application/json",
                    ));
            }
            if declared_len.is_some_and(|len| len > MAX_JSON_BYTES) {
                return Err(too_large());
            }
            let mut body = Vec::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk
                    .map_err(|_| ApiError::new(ErrorCode::MalformedJson).with_field("body"))?;
                if body.len() + chunk.len() > MAX_JSON_BYTES {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            parse_json(&body).map(ApiJson)
        })
    }
}

fn too_large() -> ApiError {
    ApiError::new(ErrorCode::BodyTooLarge).with_field("body").with_detail(
        format!("Nội dung JSON không được quá {} KiB", MAX_JSON_BYTES / 1024),
        format!("JSON bodies are limited to {} KiB", MAX_JSON_BYTES / 1024),
    )
}

/// Deserialises, naming the field at fault. The syntax is checked first and whole (so trailing
/// garbage, invalid UTF-8 or nesting deeper than serde_json's 128 levels is a 400 on the body),
/// then the shape (a 422 on the field, a key sent twice included).
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let malformed = |err: &serde_json::Error| {
        ApiError::new(ErrorCode::MalformedJson).with_field("body").with_detail(
            format!("JSON sai cú pháp ở dòng {}, cột {}", err.line(), err.column()),
            format!("JSON syntax error at line {}, column {}", err.line(), err.column()),
        )
    };
    let mut reader = serde_json::Deserializer::from_slice(body);
    let value = match serde_path_to_error::deserialize::<_, StrictValue>(&mut reader) {
        Ok(StrictValue(value)) => value,
        Err(err) if err.inner().classify() == serde_json::error::Category::Data => {
            let path = err.path().to_string();
            return Err(field_error(&path, &err.into_inner().to_string()));
        }
        Err(err) => return Err(malformed(err.inner())),
    };
    reader.end().map_err(|err| malformed(&err))?;
    let mut value = value;
    integral_numbers_as_integers(&mut value);
    if !value.is_object() {
        return Err(ApiError::invalid_field(
            "body",
            "`body` phải là một đối tượng JSON",
            "`body` must be a JSON object",
        ));
    }
    from_value(value)
}

/// A JSON value already read (a body a handler completed, say) as `T`, the field at fault
/// named as for a body.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        field_error(&path, &err.into_inner().to_string())
    })
}

/// A JSON value as `serde_json::Value` reads it, except that an object naming a key twice is
/// refused: serde_json would keep the last silently, and which one counts must not depend on
/// which parser reads the body.
struct StrictValue(serde_json::Value);

impl<'de> serde::Deserialize<'de> for StrictValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(items.into())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = serde_json::Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if fields.contains_key(&name) {
                return Err(serde::de::Error::custom(format_args!("duplicate field `{name}`")));
            }
            let StrictValue(value) = map.next_value()?;
            fields.insert(name, value);
        }
        Ok(fields.into())
    }
}

/// JSON (and JSON Schema) count `1.0` and `1e3` as integers; serde would refuse them for an
/// integer field, so whole numbers written with a fraction or exponent are made integers first.
fn integral_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // Only where the integer is exact in an f64.
            if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_numbers_as_integers),
        _ => {}
    }
}

/// serde says "missing field `x`" or "unknown field `x`, expected …" about the enclosing
/// object; the field a person needs to hear about is the named one.
fn field_error(path: &str, message: &str) -> ApiError {
    let message = match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    let named = message.split('`').nth(1).filter(|_| {
        ["missing field", "unknown field", "duplicate field"].iter().any(|p| message.starts_with(p))
    });
    let field = match (path, named) {
        (".", Some(name)) => name.to_string(),
        (path, Some(name)) if path == name || path.ends_with(&format!(".{name}")) => {
            path.to_string()
        }
        (parent, Some(name)) => format!("{parent}.{name}"),
        (".", None) => "body".to_string(),
        (path, None) => path.to_string(),
    };
    let (vi, en) = if message.starts_with("missing field") {
        (format!("Thiếu trường `{field}`"), format!("Missing field `{field}`"))
    } else if message.starts_with("unknown field") {
        (format!("Không có trường `{field}`"), format!("Unknown field `{field}`"))
    } else if message.starts_with("duplicate field") {
        (format!("Trường `{field}` được gửi hai lần"), format!("Field `{field}` was sent twice"))
    } else {
        (format!("Trường `{field}`: {message}"), format!("Field `{field}`: {message}"))
    };
    ApiError::invalid_field(field, vi, en)
}

/// The query string, deserialised with unknown parameters refused and the parameter named.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequest for ApiQuery<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_query(req.query_string()).map(ApiQuery))
    }
}

pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let path = err.path().to_string();
        let message = err.into_inner().to_string();
        let mut error = field_error(&path, &message);
        error.code = ErrorCode::InvalidQuery;
        error
    })
}

/// The first parameter of a query string or form body whose name or value is not UTF-8 once
/// percent-decoded: its name, or `None` for the name when the name itself is not UTF-8.
/// (`form_urlencoded` would turn such bytes into U+FFFD silently: `q=%FF` would search for `�`.)
pub fn undecodable_parameter(encoded: &[u8]) -> Option<Option<String>> {
    encoded.split(|&b| b == b'&').find_map(|pair| {
        let mut halves = pair.splitn(2, |&b| b == b'=');
        // `+` (a space in forms) is ASCII either way: it cannot make text undecodable.
        let name = percent_decode(halves.next().unwrap_or_default()).decode_utf8();
        let value = percent_decode(halves.next().unwrap_or_default()).decode_utf8();
        match (name, value) {
            (Err(_), _) => Some(None),
            (Ok(name), Err(_)) => Some(Some(name.into_owned())),
            (Ok(_), Ok(_)) => None,
        }
    })
}

/// The language the request asks for (`Accept-Language`), Vietnamese by default: the one
/// place it is worked out.
pub fn lang_of(req: &HttpRequest) -> Lang {
    Lang::negotiate(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
}

/// The language the request asked for.
pub struct RequestLang(pub Lang);

impl FromRequest for RequestLang {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(RequestLang(lang_of(req))))
    }
}

/// The client's address, for throttling: the peer's, or the one `X-Forwarded-For` names when
/// the operator said a proxy of theirs stands in front (`SMARTCITY_TRUST_PROXY`).
pub struct ClientAddress(pub String);

impl FromRequest for ClientAddress {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let trust_proxy =
            req.app_data::<web::Data<AppState>>().is_some_and(|state| state.config.trust_proxy);
        let forwarded = trust_proxy
            .then(|| req.connection_info().realip_remote_addr().map(str::to_string))
            .flatten();
        let peer =
            || req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into());
        ready(Ok(ClientAddress(forwarded.unwrap_or_else(peer))))
    }
}

/// The `Idempotency-Key` a creating request may carry: 1–100 visible ASCII characters.
pub struct IdempotencyKeyHeader(pub Option<String>);

impl FromRequest for IdempotencyKeyHeader {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(value) = req.headers().get(idempotency::HEADER) else {
            return ready(Ok(IdempotencyKeyHeader(None)));
        };
        let key = value
            .to_str()
            .ok()
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.len() <= 100)
            .map(|v| IdempotencyKeyHeader(Some(v.to_string())))
            .ok_or_else(|| {
                ApiError::invalid_field(
                    idempotency::HEADER,
                    "Idempotency-Key: 1–100 ký tự ASCII",
                    "Idempotency-Key: 1–100 ASCII characters",
                )
            });
        ready(key)
    }
}

/// The JSON body, read by a handler once it has let the caller in: extracted beside the
/// caller, a bad body could answer first and tell someone refused what their body lacks.
pub async fn json_body<T: DeserializeOwned + 'static>(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<T, ApiError> {
    let ApiJson(body) = ApiJson::<T>::from_request(req, &mut payload.into_inner()).await?;
    Ok(body)
}

/// A JSON body whose fields are all optional: no body at all stands for `T::default()`.
pub async fn json_body_or_empty<T: DeserializeOwned + Default + 'static>(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<T, ApiError> {
    let headers = req.headers();
    let no_body = match headers.get(actix_web::http::header::CONTENT_LENGTH) {
        Some(length) => length.to_str().is_ok_and(|l| l.trim() == "0"),
        None => !headers.contains_key(actix_web::http::header::TRANSFER_ENCODING),
    };
    if no_body {
        return Ok(T::default());
    }
    json_body(req, payload).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // only deserialised, to see what is refused
    struct Body {
        phone: String,
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        count: u32,
    }

    fn field_of(body: &str) -> (ErrorCode, Option<String>) {
        let err = parse_json::<Body>(body.as_bytes()).unwrap_err();
        (err.code, err.field)
    }

    #[test]
    fn names_the_field_at_fault() {
        assert_eq!(field_of("{}"), (ErrorCode::InvalidField, Some("phone".into())));
        assert_eq!(field_of(r#"{"phone":1}"#), (ErrorCode::InvalidField, Some("phone".into())));
        assert_eq!(
            field_of(r#"{"phone":"x","extra":1}"#),
            (ErrorCode::InvalidField, Some("extra".into()))
        );
        assert_eq!(
            field_of(r#"{"phone":"x","inner":{"count":-1}}"#),
            (ErrorCode::InvalidField, Some("inner.count".into()))
        );
        assert_eq!(
            field_of(r#"{"phone":"x","inner":{}}"#),
            (ErrorCode::InvalidField, Some("inner.count".into()))
        );
        assert_eq!(field_of(r#"{"phone":"#), (ErrorCode::MalformedJson, Some("body".into())));
        assert_eq!(field_of(r#"{"phone":"x"} x"#), (ErrorCode::MalformedJson, Some("body".into())));
        assert_eq!(field_of("[]"), (ErrorCode::InvalidField, Some("body".into())));
        assert_eq!(field_of(r#"["x", null]"#), (ErrorCode::InvalidField, Some("body".into())));
        assert_eq!(
            field_of(r#"{"phone":"x","inner":{"count":1.5}}"#),
            (ErrorCode::InvalidField, Some("inner.count".into()))
        );
    }

    #[test]
    fn a_key_sent_twice_is_refused_naming_it() {
        assert_eq!(
            field_of(r#"{"phone":"x","phone":"y"}"#),
            (ErrorCode::InvalidField, Some("phone".into()))
        );
        assert_eq!(
            field_of(r#"{"phone":"x","inner":{"count":1,"count":2}}"#),
            (ErrorCode::InvalidField, Some("inner.count".into()))
        );
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(field_of(&deep), (ErrorCode::MalformedJson, Some("body".into())));
        assert_eq!(field_of(r#"{"phone":1e999}"#), (ErrorCode::MalformedJson, Some("body".into())));
    }

    #[test]
    fn undecodable_parameters_are_named() {
        assert_eq!(undecodable_parameter(b"q=ph%C6%B0%E1%BB%9Dng&page=1"), None);
        assert_eq!(undecodable_parameter(b"page=1&q=%FF%FE"), Some(Some("q".into())));
        assert_eq!(undecodable_parameter(b"%FF=1"), Some(None));
        assert_eq!(undecodable_parameter(b"q=%C3"), Some(Some("q".into())));
        // A stray `%` is itself, not an escape.
        assert_eq!(undecodable_parameter(b"q=100%&r=%zz"), None);
    }

    #[test]
    fn whole_numbers_with_a_fraction_or_exponent_are_integers() {
        let whole: Body = parse_json(br#"{"phone":"x","inner":{"count":2.0}}"#).unwrap();
        assert_eq!(whole.inner.unwrap().count, 2);
        let exponent: Body = parse_json(br#"{"phone":"x","inner":{"count":1e3}}"#).unwrap();
        assert_eq!(exponent.inner.unwrap().count, 1000);
    }
}

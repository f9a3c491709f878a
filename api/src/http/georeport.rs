//! Open311 GeoReport v2 documents: one JSON value per answer, written out as JSON or as the
//! spec's XML (lists become a wrapper element holding one element per item), and errors as
//! the spec's list of `{code, description}`.

use crate::app::error::ApiError;
use crate::http::problem;
use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use serde_json::{json, Value};
use smartcity_domain::open311::Format;
use smartcity_domain::Lang;
use std::fmt::Write;

/// The element for one item of a list element, by the list's name.
fn item_tag(list: &str) -> &'static str {
    match list {
        "services" => "service",
        "service_requests" => "request",
        "attributes" => "attribute",
        "values" => "value",
        "endpoints" => "endpoint",
        "formats" => "format",
        "errors" => "error",
        _ => "item",
    }
}

/// Text as XML character data: markup escaped, characters XML 1.0 cannot carry dropped.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

fn element(out: &mut String, tag: &str, value: &Value) {
    match value {
        Value::Null => {
            let _ = write!(out, "<{tag}/>");
        }
        Value::Array(items) => {
            let _ = write!(out, "<{tag}>");
            for item in items {
                element(out, item_tag(tag), item);
            }
            let _ = write!(out, "</{tag}>");
        }
        Value::Object(fields) => {
            let _ = write!(out, "<{tag}>");
            for (name, field) in fields {
                element(out, name, field);
            }
            let _ = write!(out, "</{tag}>");
        }
        Value::String(text) => {
            let _ = write!(out, "<{tag}>");
            escape_into(out, text);
            let _ = write!(out, "</{tag}>");
        }
        Value::Bool(_) | Value::Number(_) => {
            let _ = write!(out, "<{tag}>{value}</{tag}>");
        }
    }
}

/// `document` as XML under the root element `root`.
pub fn to_xml(root: &str, document: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    element(&mut out, root, document);
    out
}

/// An answer in the asked format; `root` names the XML root element.
pub fn respond(status: StatusCode, format: Format, root: &str, document: &Value) -> HttpResponse {
    let body = match format {
        Format::Json => document.to_string(),
        Format::Xml => to_xml(root, document),
    };
    HttpResponse::build(status).content_type(format.content_type()).body(body)
}

/// The spec's error list. GeoReport names 400, 403 and 404; other refusals become 400, and a
/// failure of ours keeps its 5xx. The description names the field at fault.
pub fn error(error: &ApiError, format: Format, lang: Lang) -> HttpResponse {
    problem::log(error);
    let status = match error.code.status() {
        401 | 403 => StatusCode::FORBIDDEN,
        404 => StatusCode::NOT_FOUND,
        400..=499 => StatusCode::BAD_REQUEST,
        _ => problem::status_of(error),
    };
    let detail = error.detail_in(lang);
    let description = match &error.field {
        Some(field) if !detail.contains(field.as_str()) => format!("{field}: {detail}"),
        _ => detail,
    };
    let document = json!([{ "code": status.as_u16(), "description": description }]);
    let mut response = respond(status, format, "errors", &document);
    response.extensions_mut().insert(super::problem::OwnErrorFormat);
    if let Some(secs) = error.retry_after_secs {
        if let Ok(value) = header::HeaderValue::from_str(&secs.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_hold_one_element_per_item_and_text_is_escaped() {
        let document = json!([{
            "service_code": "a<b>&\"c\"",
            "metadata": true,
            "attributes": [{ "order": 1, "values": [{ "key": "k", "name": "Tên" }] }],
            "keywords": null,
        }]);
        let xml = to_xml("services", &document);
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><services><service>\
             <attributes><attribute><order>1</order><values><value><key>k</key>\
             <name>Tên</name></value></values></attribute></attributes><keywords/>\
             <metadata>true</metadata><service_code>a&lt;b&gt;&amp;&quot;c&quot;</service_code>\
             </service></services>"
        );
    }

    #[test]
    fn characters_xml_cannot_carry_are_dropped() {
        assert_eq!(
            to_xml("a", &json!("x\u{1}y\u{FFFF}z\n")),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>xyz\n</a>"
        );
    }
}

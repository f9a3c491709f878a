//! `/o/{token}`: the link a dossier message carries to stop such messages. Opening it asks
//! (link previews and scanners open links too, so a GET changes nothing); the button stops
//! them. No sign-in: the token is the message's own, too long to guess.

use super::layout::{public_frame, tr};
use crate::app::error::ApiError;
use crate::app::sms;
use crate::app::state::AppState;
use crate::http::extract::ApiQuery;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use maud::html;
use serde::Deserialize;
use smartcity_domain::Lang;

#[derive(Debug, Default, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// Vietnamese unless the reader asks for English (`?lang=en`).
fn lang_of(query: &LangQuery) -> Lang {
    match query.lang.as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Vi,
    }
}

/// `GET /o/{token}`.
pub async fn ask(
    state: web::Data<AppState>,
    token: web::Path<String>,
    query: ApiQuery<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    let phone = sms::opt_out_link_exists(&state, token.clone()).await?;
    let lang = lang_of(&query.0);
    let body = html! {
        p { (tr(lang, "Số điện thoại", "Phone number")) " " strong { (phone) } }
        p { (tr(lang,
            "Bạn sẽ không nhận tin nhắn về hồ sơ thủ tục hành chính nữa. Mã xác thực vẫn được gửi khi bạn yêu cầu.",
            "You will receive no more messages about dossiers. Codes you ask for are still sent.")) }
        form method="post" action={ "/o/" (token) "?lang=" (lang.tag()) } {
            button type="submit" { (tr(lang, "Dừng nhận tin nhắn", "Stop these messages")) }
        }
    };
    Ok(page(lang, tr(lang, "Dừng nhận tin nhắn hồ sơ", "Stop dossier messages"), body))
}

/// `POST /o/{token}`.
pub async fn confirm(
    state: web::Data<AppState>,
    token: web::Path<String>,
    query: ApiQuery<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let phone = sms::opt_out_by_link(&state, token.into_inner()).await?;
    let lang = lang_of(&query.0);
    let body = html! {
        p { (tr(lang, "Đã dừng gửi tin nhắn hồ sơ tới số", "No more dossier messages to")) " " strong { (phone) } "." }
        p { (tr(lang,
            "Muốn nhận lại, soạn DK gửi tổng đài, hoặc theo dõi hồ sơ trên ứng dụng.",
            "To receive them again, reply DK, or follow the dossier in the app.")) }
    };
    Ok(page(lang, tr(lang, "Đã dừng nhận tin nhắn", "Messages stopped"), body))
}

fn page(lang: Lang, title: &str, body: maud::Markup) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(public_frame(lang, title, body).into_string())
}

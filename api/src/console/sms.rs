//! `/console/admin/sms`: the newest text messages, for administrators: to whom, what, its
//! status and the gateway's word. On a laptop without a gateway this is where a demo reads the
//! code it "sent". The same use case as `GET /v1/admin/sms`.

use super::html_page;
use super::layout::{frame, tr, when, Section};
use super::session::ConsoleAdmin;
use crate::app::error::ApiError;
use crate::app::sms;
use crate::app::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;

/// Messages a page shows.
const SHOWN: i64 = 100;

/// `GET /console/admin/sms`.
pub async fn outbox(
    state: web::Data<AppState>,
    who: ConsoleAdmin,
) -> Result<HttpResponse, ApiError> {
    let messages = sms::recent(&state, &who.admin, None, SHOWN).await?;
    let lang = who.console.lang;
    let t = |vi, en| tr(lang, vi, en);
    let body = html! {
        p.muted { (t("100 tin nhắn gần nhất. Mã xác thực được che sau khi gửi.",
                     "The latest 100 messages. Codes are masked once sent.")) }
        @if messages.is_empty() {
            p #no-sms { (t("Chưa có tin nhắn nào.", "No message yet.")) }
        } @else {
            table #sms {
                thead { tr {
                    th { (t("Lúc", "Made")) } th { (t("Số điện thoại", "Phone")) }
                    th { (t("Loại", "Purpose")) } th { (t("Nội dung", "Text")) }
                    th { (t("Trạng thái", "Status")) } th { (t("Lỗi", "Error")) }
                } }
                tbody {
                    @for message in &messages {
                        tr data-id=(message.id) {
                            td { (when(message.created_at)) }
                            td { (message.phone) }
                            td { (message.purpose.as_str()) }
                            td.desc { (message.body) }
                            td { (message.status.as_str()) }
                            td.desc { (message.last_error.as_deref().unwrap_or_default()) }
                        }
                    }
                }
            }
        }
    };
    let title = t("Tin nhắn SMS", "Text messages");
    let page = frame(lang, Some(&who.console), Section::Admin, title, body);
    Ok(html_page(StatusCode::OK, page))
}

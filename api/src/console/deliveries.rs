//! Push notifications the workers gave up on (dead letters): for whom, what, why and after how
//! many attempts, and a button that puts one back in the queue (after the FCM credentials are
//! fixed, say). The same use cases as `/v1/admin/push-dead-letters`.

use super::admin_keys::posted;
use super::layout::{frame, tr, when, Section};
use super::session::{ConsoleAdmin, CSRF_FIELD};
use super::{html_page, see_other};
use crate::app::admin;
use crate::app::error::ApiError;
use crate::app::state::AppState;
use crate::http::extract::ApiQuery;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;
use serde::Deserialize;

/// Characters of a device token shown: enough to tell a person's phones apart, not to send
/// to one.
const TOKEN_TAIL_CHARS: usize = 6;

#[derive(Deserialize)]
pub struct Shown {
    /// Set after a requeue, to say it was done.
    requeued: Option<u8>,
}

/// `GET /console/admin/push`: the latest dead letters, newest first.
pub async fn dead_letters(
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    shown: ApiQuery<Shown>,
) -> Result<HttpResponse, ApiError> {
    let letters = admin::dead_letters(&state, &who.admin).await?;
    let lang = who.console.lang;
    let t = |vi, en| tr(lang, vi, en);
    let body = html! {
        @if shown.0.requeued.is_some() {
            p.notice role="status" { (t("Đã đưa lại vào hàng đợi; sẽ gửi ngay.", "Back in the queue; it is sent at once.")) }
        }
        p.muted { (t("Thông báo đẩy đã thử gửi nhiều lần không được (200 thông báo gần nhất). Gửi lại sau khi đã khắc phục nguyên nhân.",
                     "Pushes given up on after repeated failures (the latest 200). Send one again once the cause is fixed.")) }
        @if letters.is_empty() {
            p #no-dead-letters { (t("Không có thông báo nào bị bỏ.", "No push has been given up on.")) }
        } @else {
            table #dead-letters {
                thead { tr {
                    th { (t("Bỏ lúc", "Given up")) } th { (t("Người nhận", "Recipient")) }
                    th { (t("Thiết bị", "Device")) } th { (t("Nội dung", "Notification")) }
                    th { (t("Số lần thử", "Attempts")) } th { (t("Lỗi", "Error")) } th {}
                } }
                tbody {
                    @for letter in &letters {
                        @let push = &letter.push;
                        tr data-id=(push.id) {
                            td { (when(push.finished_at.unwrap_or(push.created_at))) }
                            td { (letter.recipient) }
                            td { code { "…" (token_tail(&push.device_token)) } }
                            td { (letter.title.get(lang)) }
                            td { (push.attempts) }
                            td.desc { (push.last_error.as_deref().unwrap_or_default()) }
                            td {
                                form method="post" action={ "/console/admin/push/" (push.id) "/requeue" } {
                                    input type="hidden" name=(CSRF_FIELD) value=(who.console.csrf);
                                    button.plain type="submit" { (t("Gửi lại", "Requeue")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let title = t("Thông báo đẩy không gửi được", "Undelivered push notifications");
    let page = frame(lang, Some(&who.console), Section::Admin, title, body);
    Ok(html_page(StatusCode::OK, page))
}

/// `POST /console/admin/push/{id}/requeue`: due at once, its attempts counted afresh.
pub async fn requeue(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    posted(&req, &who, &body)?;
    admin::requeue(&state, &who.admin, id.into_inner()).await?;
    Ok(see_other("/console/admin/push?requeued=1"))
}

/// The end of a device token: the whole token is an address pushes can be sent to, and an
/// administrator only needs to tell a person's phones apart.
fn token_tail(token: &str) -> String {
    let skip = token.chars().count().saturating_sub(TOKEN_TAIL_CHARS);
    token.chars().skip(skip).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_end_of_a_device_token_is_shown() {
        assert_eq!(super::token_tail("fcm-token-abcdef123456"), "123456");
        assert_eq!(super::token_tail("abc"), "abc");
    }
}

//! Signing in and out of the console, and switching its language.

use super::forms::Fields;
use super::layout::{field_error, frame, tr, Section};
use super::session::{
    self, lang_of, Console, CSRF_FIELD, LANG_COOKIE, SESSION_COOKIE, SIGN_IN_COOKIE,
};
use crate::app::accounts;
use crate::app::auth::tokens;
use crate::app::error::{ApiError, ErrorCode};
use crate::app::state::AppState;
use crate::http::extract::ClientAddress;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;
use smartcity_domain::Lang;

#[derive(Debug, Deserialize)]
pub struct Back {
    back: Option<String>,
}

/// Where to go after signing in: a page of the console, never another site.
fn local(back: Option<&str>) -> &str {
    back.filter(|b| b.starts_with("/console/") && !b.starts_with("//") && !b.contains('\\'))
        .unwrap_or("/console/")
}

/// `GET /console/login`.
pub async fn form(req: HttpRequest, query: web::Query<Back>) -> HttpResponse {
    let token = tokens::new_form_token();
    let body = sign_in_page(lang_of(&req), &token, local(query.back.as_deref()), "", None);
    HttpResponse::Ok()
        .cookie(session::cookie(&req, SIGN_IN_COOKIE, token))
        .content_type("text/html; charset=utf-8")
        .body(body.into_string())
}

/// `POST /console/login`: phone and password, throttled as the API's sign-in is.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    client: ClientAddress,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let lang = lang_of(&req);
    let fields = Fields::parse(&body)?;
    let back = local(fields.get("back")).to_string();
    let phone = fields.get("phone").unwrap_or_default().to_string();
    let expected = req.cookie(SIGN_IN_COOKIE).map(|c| c.value().to_string());
    let form_ok = session::check_origin(&req).is_ok()
        && matches!((fields.get(CSRF_FIELD), &expected), (Some(sent), Some(kept)) if session::same_secret(sent, kept));
    let signed_in = if form_ok {
        let password = fields.get("password").unwrap_or_default().to_string();
        accounts::sign_in_browser(&state, &phone, password, &client.0).await
    } else {
        Err(ApiError::forbidden().with_field(CSRF_FIELD).with_detail(
            "Trang đăng nhập đã hết hạn; hãy thử lại",
            "The sign-in page had expired; try again",
        ))
    };
    match signed_in {
        Ok(signed_in) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, back))
            .cookie(session::cookie(&req, SESSION_COOKIE, signed_in.cookie_token))
            .cookie(session::removal(&req, SIGN_IN_COOKIE))
            .finish()),
        Err(refused) if refused.code.status() >= 500 => Err(refused),
        Err(refused) => {
            let token = tokens::new_form_token();
            let message = refused.detail_in(lang);
            let status =
                StatusCode::from_u16(refused.code.status()).unwrap_or(StatusCode::BAD_REQUEST);
            let mut answer = HttpResponse::build(status);
            if let Some(secs) = refused.retry_after_secs {
                answer.insert_header((header::RETRY_AFTER, secs.to_string()));
            }
            let body = sign_in_page(lang, &token, &back, &phone, Some(&message));
            Ok(answer
                .cookie(session::cookie(&req, SIGN_IN_COOKIE, token))
                .content_type("text/html; charset=utf-8")
                .body(body.into_string()))
        }
    }
}

fn sign_in_page(lang: Lang, token: &str, back: &str, phone: &str, refused: Option<&str>) -> Markup {
    let body = html! {
        form.card.login method="post" action="/console/login" {
            input type="hidden" name=(CSRF_FIELD) value=(token);
            input type="hidden" name="back" value=(back);
            (field_error(refused))
            div.field {
                label for="phone" { (tr(lang, "Số điện thoại", "Phone number")) }
                input #phone name="phone" type="tel" autocomplete="username" required value=(phone);
            }
            div.field {
                label for="password" { (tr(lang, "Mật khẩu", "Password")) }
                input #password name="password" type="password" autocomplete="current-password" required;
            }
            button type="submit" { (tr(lang, "Đăng nhập", "Sign in")) }
        }
    };
    frame(lang, None, Section::SignIn, tr(lang, "Đăng nhập", "Sign in"), body)
}

/// `POST /console/logout`: the session ends on the server, not only in this browser.
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    console: Console,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(&body)?;
    console.check_form(&req, fields.get(CSRF_FIELD))?;
    let cookie = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
    accounts::sign_out_browser(&state, &cookie).await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/console/login"))
        .cookie(session::removal(&req, SESSION_COOKIE))
        .finish())
}

/// `GET /console/lang/{vi|en}`: back to the page the reader was on, in the other language.
pub async fn switch(req: HttpRequest, lang: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let lang = match lang.as_str() {
        "vi" | "en" => lang.into_inner(),
        _ => return Err(ApiError::new(ErrorCode::NotFound)),
    };
    let referer = req.headers().get(header::REFERER).and_then(|v| v.to_str().ok());
    let host = req.connection_info().host().to_string();
    let back = referer
        .and_then(|r| r.split_once("://"))
        .and_then(|(_, rest)| rest.strip_prefix(host.as_str()))
        .map(|path| local(Some(path)).to_string())
        .unwrap_or_else(|| "/console/".into());
    let mut cookie = session::cookie(&req, LANG_COOKIE, lang);
    cookie.set_max_age(actix_web::cookie::time::Duration::days(365));
    Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, back)).cookie(cookie).finish())
}

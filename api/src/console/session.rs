//! Who is using the console: the signed-in staff member or administrator behind the session
//! cookie, checked against the database on every request, and the checks every form passes.

use crate::app::auth::{self, Admin, Caller};
use crate::app::error::{ApiError, Bug, ErrorCode};
use crate::app::state::AppState;
use crate::config::SecureCookie;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use smartcity_domain::Lang;

pub const SESSION_COOKIE: &str = "sc_session";
/// The sign-in form's own token, before there is a session to keep one in.
pub const SIGN_IN_COOKIE: &str = "sc_signin";
pub const LANG_COOKIE: &str = "sc_lang";
/// The hidden field every form carries.
pub const CSRF_FIELD: &str = "csrf";

/// The reader's language: Vietnamese unless they switched to English.
pub fn lang_of(req: &HttpRequest) -> Lang {
    match req.cookie(LANG_COOKIE).as_ref().map(Cookie::value) {
        Some("en") => Lang::En,
        _ => Lang::Vi,
    }
}

/// A signed-in staff member or administrator, the token their forms carry, their language.
pub struct Console {
    pub caller: Caller,
    pub csrf: String,
    pub lang: Lang,
}

impl Console {
    /// Checks a posted form: it came from a page of ours (the browser says so), and carries
    /// the token of this session.
    pub fn check_form(&self, req: &HttpRequest, sent: Option<&str>) -> Result<(), ApiError> {
        check_origin(req)?;
        match sent {
            Some(sent) if same_secret(sent, &self.csrf) => Ok(()),
            _ => Err(form_refused()),
        }
    }
}

impl FromRequest for Console {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let cookie = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
        let lang = lang_of(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal(Bug("no state".into())))?;
            let cookie = cookie.ok_or_else(|| ApiError::new(ErrorCode::AuthenticationRequired))?;
            let browser = auth::authenticate_browser(&state, &cookie)
                .await?
                .ok_or_else(|| ApiError::new(ErrorCode::AuthenticationRequired))?;
            Ok(Console { caller: browser.caller, csrf: browser.csrf_token, lang })
        })
    }
}

/// An administrator in the console; to anyone else the administration's pages do not exist.
pub struct ConsoleAdmin {
    pub console: Console,
    pub admin: Admin,
}

impl FromRequest for ConsoleAdmin {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let console = Console::from_request(req, payload);
        Box::pin(async move {
            let console = console.await?;
            let admin = Admin::check(console.caller.clone()).map_err(|_| ApiError::not_found())?;
            Ok(ConsoleAdmin { console, admin })
        })
    }
}

/// A form posted from another site, or by a page that was not ours, is refused: browsers say
/// where a request comes from in `Sec-Fetch-Site` and `Origin`.
pub fn check_origin(req: &HttpRequest) -> Result<(), ApiError> {
    let headers = req.headers();
    let text = |name| headers.get(name).and_then(|v: &header::HeaderValue| v.to_str().ok());
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        if site != "same-origin" && site != "none" {
            return Err(form_refused());
        }
    }
    if let Some(origin) = text(header::ORIGIN) {
        let host = origin.split_once("://").map(|(_, host)| host);
        if host.is_none() || host != text(header::HOST) {
            return Err(form_refused());
        }
    }
    Ok(())
}

fn form_refused() -> ApiError {
    ApiError::forbidden().with_field(CSRF_FIELD).with_detail(
        "Biểu mẫu đã hết hạn hoặc không gửi từ trang này; hãy tải lại trang rồi thử lại",
        "The form has expired or was not sent from this page; reload the page and try again",
    )
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// A cookie of the console: never readable by scripts, never sent from another site, only
/// over HTTPS when served over HTTPS (or as configured).
pub fn cookie<'c>(req: &HttpRequest, name: &'c str, value: String) -> Cookie<'c> {
    let secure = match req.app_data::<web::Data<AppState>>().map(|s| s.config.secure_cookie) {
        Some(SecureCookie::Always) => true,
        Some(SecureCookie::Never) => false,
        Some(SecureCookie::Auto) | None => req.connection_info().scheme() == "https",
    };
    Cookie::build(name, value)
        .path("/console")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish()
}

/// The same cookie, expired.
pub fn removal<'c>(req: &HttpRequest, name: &'c str) -> Cookie<'c> {
    let mut gone = cookie(req, name, String::new());
    gone.make_removal();
    gone
}

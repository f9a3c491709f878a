//! The agencies' console: pages for staff and administrators at `/console/`, rendered on the
//! server from the same `app` use cases the JSON API calls, so the two never disagree about a
//! rule. Assets are compiled in; forms work without scripts, and htmx only refreshes the inbox.
//!
//! Every page is answered with a Content-Security-Policy that allows no inline script, every
//! form is checked for its session's token and its origin, and every error is a page in the
//! reader's language (signing in again when the session has ended), never a blank one.

mod admin;
mod admin_keys;
mod areas;
mod assets;
mod categories;
mod complaint;
mod deliveries;
mod dossiers;
mod figures;
mod forms;
mod inbox;
mod layout;
mod login;
mod opt_out;
mod procedures;
mod public;
mod questions;
mod session;
mod sms;

use crate::app::error::{ApiError, ErrorCode};
use crate::app::state::AppState;
use crate::http::middleware::catch_panics;
use crate::http::problem;
use crate::http::problem::OwnErrorFormat;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{HttpServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, HttpResponse};
use layout::{frame, tr, Section};
use maud::html;

pub fn register(cfg: &mut web::ServiceConfig) {
    // The public page shares the console's headers and error pages, not its session.
    cfg.service(
        web::resource("/")
            .route(web::get().to(public::page))
            .default_service(web::to(method_not_allowed))
            .wrap(from_fn(catch_panics))
            .wrap(from_fn(render_errors))
            .wrap(from_fn(security_headers)),
    );
    cfg.service(
        web::resource("/o/{token}")
            .route(web::get().to(opt_out::ask))
            .route(web::post().to(opt_out::confirm))
            .default_service(web::to(method_not_allowed))
            .wrap(from_fn(catch_panics))
            .wrap(from_fn(render_errors))
            .wrap(from_fn(security_headers)),
    );
    cfg.route("/console", web::get().to(|| async { see_other("/console/") }));
    cfg.service(
        web::scope("/console")
            .wrap(from_fn(render_errors))
            .wrap(from_fn(security_headers))
            .service(at("/", vec![web::get().to(inbox::page)]))
            .service(at("/login", vec![web::get().to(login::form), web::post().to(login::submit)]))
            .service(at("/logout", vec![web::post().to(login::logout)]))
            .service(at("/lang/{lang}", vec![web::get().to(login::switch)]))
            .service(at(
                "/complaints/{id}",
                vec![web::get().to(complaint::page), web::post().to(complaint::act)],
            ))
            .service(at("/dossiers", vec![web::get().to(dossiers::list)]))
            .service(at("/questions", vec![web::get().to(questions::list)]))
            .service(at("/questions/{id}", vec![web::get().to(questions::page)]))
            .service(at("/questions/{id}/answer", vec![web::post().to(questions::answer)]))
            .service(at("/questions/{id}/transfer", vec![web::post().to(questions::transfer)]))
            .service(at("/questions/{id}/attachment", vec![web::get().to(questions::attachment)]))
            .service(at("/figures", vec![web::get().to(figures::page)]))
            .service(at("/figures.csv", vec![web::get().to(figures::csv)]))
            .service(at(
                "/dossiers/{code}",
                vec![web::get().to(dossiers::page), web::post().to(dossiers::record)],
            ))
            .service(at("/dossiers/{code}/decisions", vec![web::post().to(dossiers::decide)]))
            .service(at("/dossiers/{code}/{kind}/{id}", vec![web::get().to(dossiers::download)]))
            .service(at(
                "/admin/staff",
                vec![web::get().to(admin::staff), web::post().to(admin::create_staff)],
            ))
            .service(at("/admin/staff/{id}", vec![web::post().to(admin::change_staff)]))
            .service(at(
                "/admin/routing",
                vec![web::get().to(admin::routing), web::post().to(admin::save_routing)],
            ))
            .service(at("/admin", vec![web::get().to(admin_keys::index)]))
            .service(at(
                "/admin/agencies",
                vec![
                    web::get().to(admin_keys::agencies),
                    web::post().to(admin_keys::create_agency),
                ],
            ))
            .service(at(
                "/admin/agencies/{id}",
                vec![
                    web::get().to(admin_keys::agency_keys),
                    web::post().to(admin_keys::issue_agency_key),
                ],
            ))
            .service(at(
                "/admin/agencies/{id}/keys/{key_id}/revoke",
                vec![web::post().to(admin_keys::revoke_agency_key)],
            ))
            .service(at(
                "/admin/open311-clients",
                vec![
                    web::get().to(admin_keys::open311_clients),
                    web::post().to(admin_keys::issue_open311_client),
                ],
            ))
            .service(at(
                "/admin/open311-clients/{id}/revoke",
                vec![web::post().to(admin_keys::revoke_open311_client)],
            ))
            .service(at("/admin/push", vec![web::get().to(deliveries::dead_letters)]))
            .service(at("/admin/sms", vec![web::get().to(sms::outbox)]))
            .service(at("/admin/push/{id}/requeue", vec![web::post().to(deliveries::requeue)]))
            .service(at(
                "/admin/categories",
                vec![web::get().to(categories::list), web::post().to(categories::create)],
            ))
            .service(at(
                "/admin/categories/{code}",
                vec![web::get().to(categories::edit), web::post().to(categories::save)],
            ))
            .service(at(
                "/admin/categories/{code}/retire",
                vec![web::post().to(categories::retire)],
            ))
            .service(at(
                "/admin/areas",
                vec![web::get().to(areas::page), web::post().to(areas::upload)],
            ))
            .service(at("/admin/procedures", vec![web::get().to(procedures::list)]))
            .service(at(
                "/admin/procedures/{code}",
                vec![web::get().to(procedures::edit), web::post().to(procedures::save)],
            ))
            .service(at(
                "/admin/procedures/{code}/retire",
                vec![web::post().to(procedures::retire)],
            ))
            .service(at("/assets/{version}/{path:.*}", vec![web::get().to(assets::serve)]))
            .default_service(web::to(|| async { Err::<HttpResponse, _>(ApiError::not_found()) })),
    );
}

/// One page's resource; a panic in its handler answers 500 and the worker serves on (wrapped
/// per resource: only after routing may the request be held).
fn at(path: &str, routes: Vec<actix_web::Route>) -> impl HttpServiceFactory {
    let resource = routes.into_iter().fold(web::resource(path), |res, route| res.route(route));
    resource.default_service(web::to(method_not_allowed)).wrap(from_fn(catch_panics))
}

async fn method_not_allowed() -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(ErrorCode::MethodNotAllowed))
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, to.to_string())).finish()
}

/// What a code keeps unescaped in a path: letters, digits and `-._~` (RFC 3986's unreserved).
const PATH_SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The page of one thing of a list (`/console/admin/categories` and `trees`), its code
/// escaped for the path.
fn path_in(list: &str, code: &str) -> String {
    format!("{list}/{}", percent_encoding::utf8_percent_encode(code, PATH_SEGMENT))
}

/// A page answered with `status` (a refused form's page carries the refusal's).
fn html_page(status: StatusCode, page: maud::Markup) -> HttpResponse {
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(page.into_string())
}

/// The status a refusal is answered with.
fn status_of(refused: &ApiError) -> StatusCode {
    StatusCode::from_u16(refused.code.status()).unwrap_or(StatusCode::BAD_REQUEST)
}

/// Errors as pages: a session that ended sends the reader to sign in and back; anything else
/// is a page saying what happened, in their language, with the status it deserves.
async fn render_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let error = match res.response().error().and_then(|e| e.as_error::<ApiError>()) {
        Some(error) => error.clone(),
        None => return Ok(res),
    };
    let (req, _) = res.into_parts();
    let answer = if error.code == ErrorCode::AuthenticationRequired {
        let back = req.uri().path_and_query().map_or("/console/", |p| p.as_str()).to_string();
        let to = format!(
            "/console/login?back={}",
            percent_encoding::utf8_percent_encode(&back, percent_encoding::NON_ALPHANUMERIC,)
        );
        if req.headers().contains_key("hx-request") {
            // htmx follows this header with a full page load.
            HttpResponse::Ok().insert_header(("HX-Redirect", to)).finish()
        } else {
            see_other(&to)
        }
    } else {
        problem::log(&error);
        let lang = session::lang_of(&req);
        let status =
            StatusCode::from_u16(error.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let title = error.code.title(lang);
        let body = html! {
            div.card {
                p { (error.detail_in(lang)) }
                p { a href="/console/" { (tr(lang, "Về hộp thư", "Back to the inbox")) } }
            }
        };
        let mut answer = HttpResponse::build(status);
        if let Some(secs) = error.retry_after_secs {
            answer.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        answer
            .content_type("text/html; charset=utf-8")
            .body(frame(lang, None, Section::SignIn, title, body).into_string())
    };
    Ok(ServiceResponse::new(req, answer))
}

/// What every console answer carries: its own error format, no inline script or style may run, nothing may frame
/// it, pages are not cached (they hold personal data), and types are not guessed.
async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let tiles = req
        .app_data::<web::Data<AppState>>()
        .map(|state| tile_source(&state.config.map_tiles))
        .unwrap_or_default();
    let mut res = next.call(req).await?;
    // Console answers are pages, refusals included: the API's problem layer leaves them be.
    res.response_mut().extensions_mut().insert(OwnErrorFormat);
    let csp = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: {tiles}; \
         font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
         base-uri 'none'"
    );
    let headers = res.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

/// The origin a tile URL template loads from, as a CSP source (`{s}` subdomains as `*`).
fn tile_source(template: &str) -> String {
    let Some((scheme, rest)) = template.split_once("://") else { return String::new() };
    let host = rest.split('/').next().unwrap_or_default().replace("{s}", "*");
    format!("{scheme}://{host}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn tiles_are_allowed_from_their_server_only() {
        assert_eq!(
            super::tile_source("https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
            "https://tile.openstreetmap.org"
        );
        assert_eq!(
            super::tile_source("http://{s}.tiles.intranet.vn:8080/osm/{z}/{x}/{y}.png"),
            "http://*.tiles.intranet.vn:8080"
        );
    }
}

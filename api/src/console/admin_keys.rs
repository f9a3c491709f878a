//! The administration of who may call the city's APIs: agencies, the API keys their
//! one-stop-shop systems push dossiers with, and the `api_key`s Open311 client apps file with.
//! A key is shown in full once, on the page that issued it; afterwards only its prefix, as the
//! API lists it. Every change goes through `app::admin`, as the API's.

use super::forms::Fields;
use super::layout::{field_error, frame, tr, when, Section};
use super::session::{ConsoleAdmin, CSRF_FIELD};
use super::{html_page, see_other, status_of};
use crate::app::admin;
use crate::app::error::ApiError;
use crate::app::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use maud::{html, Markup};
use smartcity_domain::agency::GovLevel;
use smartcity_domain::Lang;

/// What a page says above its list after a change.
enum Said {
    Nothing,
    /// A key just issued, shown this once, and what it was issued for.
    Key {
        what: String,
        key: String,
    },
    /// A refused form, and what was typed in it (kept for another try).
    Refused {
        error: ApiError,
        typed: Fields,
    },
}

impl Said {
    /// A use case's answer: the key it issued, or what the reader may correct; a failure of
    /// ours stays an error (an error page).
    fn of<T>(
        done: Result<admin::IssuedKey<T>, ApiError>,
        what: impl FnOnce(&T) -> String,
        typed: Fields,
    ) -> Result<Said, ApiError> {
        match done {
            Ok(issued) => Ok(Said::Key { what: what(&issued.row), key: issued.key }),
            Err(error) if error.code.status() < 500 => Ok(Said::Refused { error, typed }),
            Err(failed) => Err(failed),
        }
    }

    fn refusal(&self) -> Option<&ApiError> {
        match self {
            Said::Refused { error, .. } => Some(error),
            _ => None,
        }
    }

    /// What was typed in `field`, after a refusal.
    fn typed(&self, field: &str) -> Option<&str> {
        match self {
            Said::Refused { typed, .. } => typed.get(field),
            _ => None,
        }
    }

    /// The refusal's reason, when it is about `field` (one about no field is said above).
    fn error_at(&self, lang: Lang, field: &str) -> Option<String> {
        let error = self.refusal().filter(|e| e.field.as_deref() == Some(field))?;
        Some(error.detail_in(lang))
    }

    /// The key shown once, with the warning to copy it now.
    fn notice(&self, lang: Lang) -> Markup {
        let t = |vi, en| tr(lang, vi, en);
        html! {
            @if let Said::Key { what, key } = self {
                div.notice role="status" #new-key {
                    (t("Khoá mới cho ", "The new key for ")) strong { (what) } ":"
                    br; code.secret #key { (key) }
                    br; strong { (t("Hãy sao chép ngay: khoá chỉ hiện một lần, sau đó chỉ còn vài ký tự đầu.",
                                    "Copy it now: it is shown this once, and afterwards only its first characters.")) }
                }
            }
            @if let Some(error) = self.refusal().filter(|e| e.field.is_none()) {
                p.notice.bad role="alert" { (error.detail_in(lang)) }
            }
        }
    }
}

/// `GET /console/admin/agencies`.
pub async fn agencies(
    state: web::Data<AppState>,
    who: ConsoleAdmin,
) -> Result<HttpResponse, ApiError> {
    agencies_page(&state, &who, Said::Nothing).await
}

/// `POST /console/admin/agencies`: a new agency, as `POST /v1/admin/agencies`.
pub async fn create_agency(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = posted(&req, &who, &body)?;
    let [code, name, level] = ["code", "name", "level"].map(|f| fields.get(f).unwrap_or_default());
    match admin::create_agency(&state, &who.admin, code, name, level).await {
        Ok(_) => Ok(see_other("/console/admin/agencies")),
        Err(error) if error.code.status() < 500 => {
            agencies_page(&state, &who, Said::Refused { error, typed: fields }).await
        }
        Err(failed) => Err(failed),
    }
}

async fn agencies_page(
    state: &AppState,
    who: &ConsoleAdmin,
    said: Said,
) -> Result<HttpResponse, ApiError> {
    let agencies = admin::agencies(state, &who.admin).await?;
    let lang = who.console.lang;
    let t = |vi, en| tr(lang, vi, en);
    let typed_level = said.typed("level");
    let body = html! {
        (said.notice(lang))
        h2 { (t("Thêm cơ quan", "New agency")) }
        form.filters method="post" action="/console/admin/agencies" {
            input type="hidden" name=(CSRF_FIELD) value=(who.console.csrf);
            label { (t("Mã (chữ thường không dấu, số, gạch ngang)", "Code (lower-case letters, digits, dashes)"))
                input #new-code name="code" required placeholder="ubnd-phuong-hai-chau" value=[said.typed("code")];
                (field_error(said.error_at(lang, "code").as_deref()))
            }
            label { (t("Tên", "Name"))
                input #new-agency-name name="name" required value=[said.typed("name")];
                (field_error(said.error_at(lang, "name").as_deref()))
            }
            label { (t("Cấp", "Level"))
                select #new-level name="level" {
                    @for level in [GovLevel::Commune, GovLevel::Province] {
                        option value=(level.as_str()) selected[typed_level == Some(level.as_str())] { (level_name(lang, level)) }
                    }
                }
                (field_error(said.error_at(lang, "level").as_deref()))
            }
            button type="submit" { (t("Thêm", "Add")) }
        }
        h2 { (t("Các cơ quan", "Agencies")) }
        table #agencies {
            thead { tr {
                th { (t("Mã", "Code")) } th { (t("Tên", "Name")) } th { (t("Cấp", "Level")) }
                th { (t("Cán bộ", "Staff")) } th { (t("Khoá API đang dùng", "Live API keys")) } th {}
            } }
            tbody {
                @for summary in &agencies {
                    tr data-code=(summary.agency.code) {
                        td { code { (summary.agency.code) } }
                        td { (summary.agency.name) }
                        td { (level_name(lang, summary.agency.level)) }
                        td { (summary.staff) }
                        td { (summary.live_keys) }
                        td { a href={ "/console/admin/agencies/" (summary.agency.id) } { (t("Khoá API", "API keys")) } }
                    }
                }
            }
        }
    };
    let title = t("Cơ quan", "Agencies");
    Ok(answer(frame(lang, Some(&who.console), Section::Admin, title, body), &said))
}

fn level_name(lang: Lang, level: GovLevel) -> &'static str {
    match level {
        GovLevel::Province => tr(lang, "Cấp tỉnh", "Province"),
        GovLevel::Commune => tr(lang, "Cấp xã", "Commune"),
    }
}

/// `GET /console/admin/agencies/{id}`: the agency's API keys.
pub async fn agency_keys(
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    agency_keys_page(&state, &who, id.into_inner(), Said::Nothing).await
}

/// `POST /console/admin/agencies/{id}`: a new API key for the agency, shown this once.
pub async fn issue_agency_key(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = posted(&req, &who, &body)?;
    let id = id.into_inner();
    let label = fields.get("label").unwrap_or_default().to_string();
    let issued = admin::create_api_key(&state, &who.admin, id.clone(), &label).await;
    let said = Said::of(issued, |row| row.label.clone(), fields)?;
    agency_keys_page(&state, &who, id, said).await
}

/// `POST /console/admin/agencies/{id}/keys/{key_id}/revoke`: the key stops working at once.
pub async fn revoke_agency_key(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    posted(&req, &who, &body)?;
    let (agency_id, key_id) = path.into_inner();
    admin::revoke_api_key(&state, &who.admin, agency_id.clone(), key_id).await?;
    Ok(see_other(&format!("/console/admin/agencies/{agency_id}")))
}

async fn agency_keys_page(
    state: &AppState,
    who: &ConsoleAdmin,
    agency_id: String,
    said: Said,
) -> Result<HttpResponse, ApiError> {
    let agency = admin::agency(state, &who.admin, agency_id.clone()).await?;
    let keys = admin::list_api_keys(state, &who.admin, agency_id).await?;
    let lang = who.console.lang;
    let t = |vi, en| tr(lang, vi, en);
    let body = html! {
        p { a href="/console/admin/agencies" { (t("← Các cơ quan", "← Agencies")) } }
        (said.notice(lang))
        p.muted { (t("Hệ thống một cửa của cơ quan gửi hồ sơ bằng khoá này, trong tiêu đề X-Api-Key.",
                     "The agency's one-stop-shop system pushes dossiers with this key, in the X-Api-Key header.")) }
        (issue_form(lang, &who.console.csrf, &format!("/console/admin/agencies/{}", agency.id), "label",
            t("Dùng cho (ví dụ: Hệ thống một cửa điện tử)", "What it is for (e.g. the one-stop-shop system)"), &said))
        h2 { (t("Khoá API", "API keys")) }
        table #keys {
            thead { tr {
                th { (t("Đầu khoá", "Prefix")) } th { (t("Dùng cho", "For")) } th { (t("Cấp lúc", "Issued")) }
                th { (t("Dùng lần cuối", "Last used")) } th { (t("Trạng thái", "State")) } th {}
            } }
            tbody {
                @for key in &keys {
                    tr data-key=(key.id) {
                        td { code { (key.prefix) "…" } }
                        td { (key.label) }
                        td { (when(key.created_at)) }
                        td { (key.last_used_at.map(when).unwrap_or_default()) }
                        (key_state(lang, &who.console.csrf, key.revoked_at,
                            &format!("/console/admin/agencies/{}/keys/{}/revoke", agency.id, key.id)))
                    }
                }
            }
        }
    };
    let title = format!("{} · {}", t("Khoá API", "API keys"), agency.name);
    Ok(answer(frame(lang, Some(&who.console), Section::Admin, &title, body), &said))
}

/// `GET /console/admin/open311-clients`.
pub async fn open311_clients(
    state: web::Data<AppState>,
    who: ConsoleAdmin,
) -> Result<HttpResponse, ApiError> {
    open311_page(&state, &who, Said::Nothing).await
}

/// `POST /console/admin/open311-clients`: an `api_key` for a client app, shown this once.
pub async fn issue_open311_client(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = posted(&req, &who, &body)?;
    let name = fields.get("name").unwrap_or_default().to_string();
    let issued = admin::create_open311_client(&state, &who.admin, &name).await;
    let said = Said::of(issued, |row| row.name.clone(), fields)?;
    open311_page(&state, &who, said).await
}

/// `POST /console/admin/open311-clients/{id}/revoke`: the app's key stops working at once;
/// what it filed stays.
pub async fn revoke_open311_client(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    posted(&req, &who, &body)?;
    admin::revoke_open311_client(&state, &who.admin, id.into_inner()).await?;
    Ok(see_other("/console/admin/open311-clients"))
}

async fn open311_page(
    state: &AppState,
    who: &ConsoleAdmin,
    said: Said,
) -> Result<HttpResponse, ApiError> {
    let clients = admin::open311_clients(state, &who.admin).await?;
    let lang = who.console.lang;
    let t = |vi, en| tr(lang, vi, en);
    let body = html! {
        (said.notice(lang))
        p.muted { (t("Ứng dụng theo chuẩn Open311 (GeoReport v2) gửi phản ánh bằng khoá này, trong trường api_key.",
                     "Open311 (GeoReport v2) client apps file complaints with this key, in the api_key field.")) }
        (issue_form(lang, &who.console.csrf, "/console/admin/open311-clients", "name",
            t("Tên ứng dụng", "The app's name"), &said))
        h2 { (t("Ứng dụng", "Client apps")) }
        table #clients {
            thead { tr {
                th { (t("Đầu khoá", "Prefix")) } th { (t("Ứng dụng", "App")) } th { (t("Cấp lúc", "Issued")) }
                th { (t("Trạng thái", "State")) } th {}
            } }
            tbody {
                @for client in &clients {
                    tr data-client=(client.id) {
                        td { code { (client.prefix) "…" } }
                        td { (client.name) }
                        td { (when(client.created_at)) }
                        (key_state(lang, &who.console.csrf, client.revoked_at,
                            &format!("/console/admin/open311-clients/{}/revoke", client.id)))
                    }
                }
            }
        }
    };
    let title = t("Khoá ứng dụng Open311", "Open311 client keys");
    Ok(answer(frame(lang, Some(&who.console), Section::Admin, title, body), &said))
}

/// The form that issues a key: one text field saying what the key is for.
fn issue_form(
    lang: Lang,
    csrf: &str,
    action: &str,
    field: &'static str,
    label: &str,
    said: &Said,
) -> Markup {
    html! {
        h2 { (tr(lang, "Cấp khoá mới", "Issue a key")) }
        form.filters method="post" action=(action) {
            input type="hidden" name=(CSRF_FIELD) value=(csrf);
            label { (label)
                input #new-key-for name=(field) required maxlength="100" value=[said.typed(field)];
                (field_error(said.error_at(lang, field).as_deref()))
            }
            button type="submit" { (tr(lang, "Cấp khoá", "Issue")) }
        }
    }
}

/// A key's state and, while it works, the form that revokes it.
fn key_state(lang: Lang, csrf: &str, revoked_at: Option<NaiveDateTime>, revoke: &str) -> Markup {
    html! {
        @match revoked_at {
            Some(at) => {
                td.state { span.badge.overdue { (tr(lang, "Đã thu hồi", "Revoked")) } " " (when(at)) }
                td {}
            }
            None => {
                td.state { (tr(lang, "Đang dùng", "Live")) }
                td {
                    form method="post" action=(revoke) {
                        input type="hidden" name=(CSRF_FIELD) value=(csrf);
                        button.plain type="submit" { (tr(lang, "Thu hồi", "Revoke")) }
                    }
                }
            }
        }
    }
}

/// `GET /console/admin`: the administration's pages.
pub async fn index(who: ConsoleAdmin) -> HttpResponse {
    let lang = who.console.lang;
    let t = |vi, en| tr(lang, vi, en);
    let pages = [
        (
            "/console/admin/staff",
            t("Tài khoản cán bộ", "Staff accounts"),
            t(
                "Tạo, khoá, mở khoá, đặt lại mật khẩu",
                "Create, disable, enable, reset the password",
            ),
        ),
        (
            "/console/admin/routing",
            t("Phân công xử lý", "Routing"),
            t(
                "Cơ quan nhận từng lĩnh vực ở từng khu vực",
                "Which agency receives each category in each area",
            ),
        ),
        (
            "/console/admin/categories",
            t("Loại phản ánh", "Complaint categories"),
            t(
                "Tên, thời hạn xử lý, câu hỏi; thêm, sửa, ngừng dùng",
                "Names, SLA hours, questions; add, edit, retire",
            ),
        ),
        (
            "/console/admin/areas",
            t("Khu vực", "Areas"),
            t(
                "Phường, xã trên bản đồ; nạp tệp GeoJSON",
                "Wards and communes on a map; upload a GeoJSON file",
            ),
        ),
        (
            "/console/admin/procedures",
            t("Thủ tục hành chính", "Administrative procedures"),
            t("Tìm, sửa, ngừng áp dụng", "Find, edit, retire"),
        ),
        (
            "/console/admin/agencies",
            t("Cơ quan và khoá API", "Agencies and API keys"),
            t(
                "Thêm cơ quan; cấp, thu hồi khoá của hệ thống một cửa",
                "Add an agency; issue and revoke its one-stop-shop system's keys",
            ),
        ),
        (
            "/console/admin/open311-clients",
            t("Khoá ứng dụng Open311", "Open311 client keys"),
            t(
                "Cấp, thu hồi khoá của ứng dụng gửi phản ánh",
                "Issue and revoke the keys client apps file with",
            ),
        ),
        (
            "/console/admin/push",
            t("Thông báo đẩy không gửi được", "Undelivered push notifications"),
            t("Xem và gửi lại", "See them and send them again"),
        ),
        (
            "/console/admin/sms",
            t("Tin nhắn SMS", "Text messages"),
            t("Tin nhắn gần nhất và trạng thái gửi", "The latest messages and how they went"),
        ),
    ];
    let body = html! {
        ul.admin-pages {
            @for (href, name, what) in pages {
                li { a href=(href) { (name) } br; span.muted { (what) } }
            }
        }
    };
    let page =
        frame(lang, Some(&who.console), Section::Admin, t("Quản trị", "Administration"), body);
    html_page(StatusCode::OK, page)
}

/// A posted form's fields, once the form is known to come from this administrator's page.
pub(super) fn posted(
    req: &HttpRequest,
    who: &ConsoleAdmin,
    body: &[u8],
) -> Result<Fields, ApiError> {
    let fields = Fields::parse(body)?;
    who.console.check_form(req, fields.get(CSRF_FIELD))?;
    Ok(fields)
}

/// The page, answered with the refusal's status when a form was refused.
fn answer(page: Markup, said: &Said) -> HttpResponse {
    html_page(said.refusal().map_or(StatusCode::OK, status_of), page)
}

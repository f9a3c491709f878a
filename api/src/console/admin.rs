//! The administration an administrator does in the browser: staff accounts (create with a
//! password shown once, disable, reset the password) and the routing matrix (which agency
//! receives each category in each area). Every change goes through `app::admin`, as the API's.

use super::forms::Fields;
use super::layout::{frame, tr, Section};
use super::session::{ConsoleAdmin, CSRF_FIELD};
use super::{html_page, see_other, status_of};
use crate::app::admin::{self, RoutingCell};
use crate::app::error::ApiError;
use crate::app::places::{self, Directory};
use crate::app::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use smartcity_db::accounts::UserRow;
use smartcity_domain::routing::{Rule, ANY};
use smartcity_domain::Lang;

/// What the staff page says above its list after a change.
enum Said {
    Nothing,
    /// A password made for an account, shown this once.
    Password {
        name: String,
        phone: String,
        password: String,
    },
    Refused(ApiError),
}

/// `GET /console/admin/staff`.
pub async fn staff(
    state: web::Data<AppState>,
    who: ConsoleAdmin,
) -> Result<HttpResponse, ApiError> {
    staff_page(&state, &who, Said::Nothing).await
}

/// `POST /console/admin/staff`: a new staff account of an agency.
pub async fn create_staff(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(&body)?;
    who.console.check_form(&req, fields.get(CSRF_FIELD))?;
    let (phone, name) =
        (fields.get("phone").unwrap_or_default(), fields.get("display_name").unwrap_or_default());
    let agency_id = fields.get("agency_id").unwrap_or_default().to_string();
    let said =
        match admin::create_staff_with_password(&state, &who.admin, phone, name, agency_id).await {
            Ok((user, password)) => {
                Said::Password { name: user.display_name, phone: user.phone, password }
            }
            Err(refused) if refused.code.status() < 500 => Said::Refused(refused),
            Err(failed) => return Err(failed),
        };
    staff_page(&state, &who, said).await
}

/// `POST /console/admin/staff/{id}`: disable, enable, or a new password.
pub async fn change_staff(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(&body)?;
    who.console.check_form(&req, fields.get(CSRF_FIELD))?;
    let id = id.into_inner();
    let done = match fields.get("change").unwrap_or_default() {
        "disable" => admin::set_disabled(&state, &who.admin, id.clone(), true).await.map(|()| None),
        "enable" => admin::set_disabled(&state, &who.admin, id.clone(), false).await.map(|()| None),
        "reset_password" => admin::reset_password(&state, &who.admin, id.clone()).await.map(Some),
        _ => Err(ApiError::invalid_field("change", "Không có thao tác này", "No such change")),
    };
    let said = match done {
        Ok(None) => return Ok(see_other("/console/admin/staff")),
        Ok(Some(password)) => {
            let accounts = admin::staff_accounts(&state, &who.admin).await?;
            let user = accounts.into_iter().find(|u| u.id == id);
            let (name, phone) = user.map(|u| (u.display_name, u.phone)).unwrap_or_default();
            Said::Password { name, phone, password }
        }
        Err(refused) if refused.code.status() < 500 => Said::Refused(refused),
        Err(failed) => return Err(failed),
    };
    staff_page(&state, &who, said).await
}

async fn staff_page(
    state: &AppState,
    who: &ConsoleAdmin,
    said: Said,
) -> Result<HttpResponse, ApiError> {
    let accounts = admin::staff_accounts(state, &who.admin).await?;
    let directory = places::directory(state).await?;
    let lang = who.console.lang;
    let csrf = &who.console.csrf;
    let t = |vi, en| tr(lang, vi, en);
    let body = html! {
        @match &said {
            Said::Password { name, phone, password } => div.notice role="status" #new-password {
                (t("Mật khẩu của ", "The password of ")) strong { (name) } " (" (phone) "): "
                code #password { (password) }
                br; (t("Chỉ hiện một lần: hãy trao tận tay người dùng.", "Shown this once: hand it over in person."))
            },
            Said::Refused(error) => p.notice.bad role="alert" { (error.detail_in(lang)) },
            Said::Nothing => {}
        }
        h2 { (t("Tạo tài khoản cán bộ", "New staff account")) }
        form.filters method="post" action="/console/admin/staff" {
            input type="hidden" name=(CSRF_FIELD) value=(csrf);
            label { (t("Họ và tên", "Full name")) input #new-name name="display_name" required; }
            label { (t("Số điện thoại", "Phone")) input #new-phone name="phone" type="tel" required; }
            label { (t("Cơ quan", "Agency"))
                select #new-agency name="agency_id" required {
                    @for agency in &directory.agencies { option value=(agency.id) { (agency.name) } }
                }
            }
            button type="submit" { (t("Tạo", "Create")) }
        }
        h2 { (t("Tài khoản", "Accounts")) }
        table #accounts {
            thead { tr {
                th { (t("Họ và tên", "Name")) } th { (t("Số điện thoại", "Phone")) }
                th { (t("Vai trò", "Role")) } th { (t("Cơ quan", "Agency")) } th { (t("Trạng thái", "State")) } th {}
            } }
            tbody { @for user in &accounts { (account_row(lang, csrf, user, &directory)) } }
        }
    };
    let page = frame(
        lang,
        Some(&who.console),
        Section::Staff,
        t("Tài khoản cán bộ", "Staff accounts"),
        body,
    );
    let status = match &said {
        Said::Refused(error) => status_of(error),
        _ => StatusCode::OK,
    };
    Ok(html_page(status, page))
}

fn account_row(lang: Lang, csrf: &str, user: &UserRow, directory: &Directory) -> Markup {
    let agency = user.agency_id.as_deref().and_then(|id| directory.agency(id));
    let change = |value: &'static str, label: &'static str| {
        html! {
            form method="post" action={ "/console/admin/staff/" (user.id) } {
                input type="hidden" name=(CSRF_FIELD) value=(csrf);
                input type="hidden" name="change" value=(value);
                button.plain type="submit" { (label) }
            }
        }
    };
    html! {
        tr data-phone=(user.phone) {
            td { (user.display_name) } td { (user.phone) }
            td { (super::layout::role_name(lang, user.role)) }
            td { (agency.map_or("—", |a| a.name.as_str())) }
            td.state { @if user.disabled { span.badge.overdue { (tr(lang, "Đã khoá", "Disabled")) } } @else { (tr(lang, "Đang dùng", "Active")) } }
            td {
                @if user.disabled { (change("enable", tr(lang, "Mở khoá", "Enable"))) }
                @else { (change("disable", tr(lang, "Khoá", "Disable"))) }
                (change("reset_password", tr(lang, "Đặt lại mật khẩu", "Reset password")))
            }
        }
    }
}

/// `GET /console/admin/routing`: categories down, areas across, an agency in each cell.
pub async fn routing(
    state: web::Data<AppState>,
    who: ConsoleAdmin,
) -> Result<HttpResponse, ApiError> {
    routing_page(&state, &who, None).await
}

/// `POST /console/admin/routing`: the whole matrix; the cells that changed are applied.
pub async fn save_routing(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(&body)?;
    who.console.check_form(&req, fields.get(CSRF_FIELD))?;
    let cells = fields
        .pairs()
        .filter_map(|(name, value)| {
            let (category, area) = name.strip_prefix("rule:")?.split_once(':')?;
            let agency_id = Some(value.to_string()).filter(|v| !v.is_empty());
            Some(RoutingCell { category: category.to_string(), area: area.to_string(), agency_id })
        })
        .collect();
    match admin::apply_routing(&state, &who.admin, cells).await {
        Ok(_) => Ok(see_other("/console/admin/routing?saved=1")),
        Err(refused) if refused.code.status() < 500 => {
            routing_page(&state, &who, Some(refused)).await
        }
        Err(failed) => Err(failed),
    }
}

async fn routing_page(
    state: &AppState,
    who: &ConsoleAdmin,
    refused: Option<ApiError>,
) -> Result<HttpResponse, ApiError> {
    let rules = admin::routing_rules(state, &who.admin).await?;
    let directory = places::directory(state).await?;
    let lang = who.console.lang;
    let t = |vi, en| tr(lang, vi, en);
    let any = t("Mọi", "Any");
    let categories: Vec<(String, String)> = std::iter::once((ANY.to_string(), any.to_string()))
        .chain(directory.categories.iter().map(|c| (c.code.clone(), c.name.get(lang).to_string())))
        .collect();
    let areas: Vec<(String, String)> = std::iter::once((ANY.to_string(), any.to_string()))
        .chain(directory.areas.iter().map(|a| (a.code.clone(), a.name.clone())))
        .collect();
    let agency_at = |category: &str, area: &str| {
        rules
            .iter()
            .find(|r: &&Rule| r.category == category && r.area == area)
            .map(|r| r.agency_id.as_str())
    };
    let body = html! {
        @if let Some(error) = &refused { p.notice.bad role="alert" { (error.detail_in(lang)) } }
        p.muted { (t("Ô trống: theo quy tắc rộng hơn (cùng lĩnh vực ở mọi khu vực, rồi mọi lĩnh vực).",
                     "An empty cell falls back to the wider rules (the category anywhere, then any category).")) }
        form method="post" action="/console/admin/routing" {
            input type="hidden" name=(CSRF_FIELD) value=(who.console.csrf);
            div.card.scroll {
                table #routing {
                    thead { tr { th { (t("Lĩnh vực \\ Khu vực", "Category \\ Area")) } @for (_, area) in &areas { th { (area) } } } }
                    tbody {
                        @for (code, name) in &categories {
                            tr {
                                th { (name) }
                                @for (area, _) in &areas {
                                    td {
                                        select name={ "rule:" (code) ":" (area) } aria-label={ (name) " · " (area) } {
                                            option value="" { "—" }
                                            @for agency in &directory.agencies {
                                                option value=(agency.id) selected[agency_at(code, area) == Some(agency.id.as_str())] { (agency.name) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p { button #save-routing type="submit" { (t("Lưu", "Save")) } }
        }
    };
    let page =
        frame(lang, Some(&who.console), Section::Routing, t("Phân công xử lý", "Routing"), body);
    let status = refused.map_or(actix_web::http::StatusCode::OK, |e| {
        actix_web::http::StatusCode::from_u16(e.code.status()).unwrap_or_default()
    });
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page.into_string()))
}

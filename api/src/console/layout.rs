//! The frame every console page shares (head, top bar, language switch, sign-out) and the
//! small pieces of wording and formatting the pages reuse.

use super::assets;
use super::session::{Console, CSRF_FIELD};
use crate::app::error::ApiError;
use chrono::{FixedOffset, NaiveDateTime};
use maud::{html, Markup, DOCTYPE};
use smartcity_domain::account::Role;
use smartcity_domain::Lang;

/// Vietnamese or English, whichever the reader reads.
pub fn tr(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// A time as people here read it: Vietnam time, `HH:MM dd/mm/yyyy`.
pub fn when(at: NaiveDateTime) -> String {
    let utc_plus_7 = FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset");
    at.and_utc().with_timezone(&utc_plus_7).format("%H:%M %d/%m/%Y").to_string()
}

/// Which part of the console a page belongs to, for the top bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Inbox,
    Dossiers,
    Questions,
    Figures,
    Staff,
    Routing,
    /// The administration's other pages and their index.
    Admin,
    Categories,
    Areas,
    Procedures,
    SignIn,
}

impl Section {
    /// Whether the page is one of the administration's, all reached through its one link.
    fn is_admin(self) -> bool {
        matches!(
            self,
            Section::Staff
                | Section::Routing
                | Section::Admin
                | Section::Categories
                | Section::Areas
                | Section::Procedures
        )
    }
}

/// A whole page: `title` in the tab and as its heading, `body` below the top bar.
pub fn frame(
    lang: Lang,
    who: Option<&Console>,
    here: Section,
    title: &str,
    body: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            (head(title, tr(lang, "Bảng điều khiển", "Console")))
            body {
                header.bar {
                    a.brand href="/console/" { "Smart City · " (tr(lang, "Bảng điều khiển", "Console")) }
                    nav {
                        @if let Some(console) = who {
                            (nav_link(here, Section::Inbox, "/console/", tr(lang, "Phản ánh", "Complaints")))
                            (nav_link(here, Section::Dossiers, "/console/dossiers", tr(lang, "Hồ sơ", "Dossiers")))
                            (nav_link(here, Section::Questions, "/console/questions", tr(lang, "Hỏi đáp", "Questions")))
                            (nav_link(here, Section::Figures, "/console/figures", tr(lang, "Số liệu", "Figures")))
                            @if console.caller.role == Role::Admin {
                                a href="/console/admin" class=[here.is_admin().then_some("here")] { (tr(lang, "Quản trị", "Admin")) }
                            }
                        }
                    }
                    (language_switch(lang))
                    @if let Some(console) = who {
                        span.who {
                            (console.caller.user.display_name) " · " (role_name(lang, console.caller.role))
                        }
                        form method="post" action="/console/logout" {
                            input type="hidden" name=(CSRF_FIELD) value=(console.csrf);
                            button.plain type="submit" { (tr(lang, "Đăng xuất", "Sign out")) }
                        }
                    }
                }
                main { h1 { (title) } (body) }
            }
        }
    }
}

/// What every page loads: the stylesheet, the maps, htmx and our one script, all from the binary.
fn head(title: &str, site: &str) -> Markup {
    html! {
    head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            // htmx is told not to add inline styles or run scripts it swaps in: the
            // Content-Security-Policy allows neither.
            meta name="htmx-config"
                content=r#"{"includeIndicatorStyles":false,"allowScriptTags":false,"allowEval":false}"#;
            title { (title) " · " (site) }
            link rel="stylesheet" href=(assets::url("console.css"));
            link rel="stylesheet" href=(assets::url("vendor/leaflet/leaflet.css"));
            script src=(assets::url("vendor/htmx.min.js")) defer {}
            script src=(assets::url("vendor/leaflet/leaflet.js")) defer {}
            script src=(assets::url("console.js")) defer {}
        }
    }
}

/// A page anyone may read (no sign-in, no session): the public dashboard at `/`. Its language
/// comes from `?lang=`, since the console's cookie is not sent outside `/console`.
pub fn public_frame(lang: Lang, title: &str, body: Markup) -> Markup {
    let (other, label) = match lang {
        Lang::Vi => ("en", "English"),
        Lang::En => ("vi", "Tiếng Việt"),
    };
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            (head(title, "Smart City"))
            body {
                header.bar {
                    a.brand href={ "/?lang=" (lang.tag()) } { "Smart City" }
                    nav {}
                    a href={ "/?lang=" (other) } hreflang=(other) { (label) }
                    a href="/console/login" { (tr(lang, "Cán bộ đăng nhập", "Staff sign-in")) }
                }
                main { h1 { (title) } (body) }
            }
        }
    }
}

fn nav_link(here: Section, to: Section, href: &str, label: &str) -> Markup {
    html! { a href=(href) class=[(here == to).then_some("here")] { (label) } }
}

fn language_switch(lang: Lang) -> Markup {
    let (other, label) = match lang {
        Lang::Vi => ("en", "English"),
        Lang::En => ("vi", "Tiếng Việt"),
    };
    html! { a href={ "/console/lang/" (other) } hreflang=(other) { (label) } }
}

pub fn role_name(lang: Lang, role: Role) -> &'static str {
    match role {
        Role::Admin => tr(lang, "Quản trị viên", "Administrator"),
        Role::Staff => tr(lang, "Cán bộ", "Staff"),
        Role::Citizen => tr(lang, "Người dân", "Resident"),
    }
}

/// The refusal's words when it is about the form field `name` (an entry of a list,
/// `documents[2]` or a question's `attributes[2].code`, is about the list's box).
pub fn refusal_about(lang: Lang, error: Option<&ApiError>, name: &str) -> Option<String> {
    let error = error?;
    let field = error.field.as_deref()?;
    let about = field.split(['[', '.']).next().unwrap_or(field);
    (about == name).then(|| error.detail_in(lang))
}

/// A refusal shown next to the field it is about.
pub fn field_error(message: Option<&str>) -> Markup {
    html! { @if let Some(message) = message { p.error role="alert" { (message) } } }
}

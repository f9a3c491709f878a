//! The complaint categories as an administrator keeps them in the browser: the list (retired
//! ones too), a new category, a category's edit form (names, group, keywords, SLA hours, icon,
//! the radius "me too" looks in, and its questions as JSON), and retiring. Every change goes
//! through `app::categories`, as `/v1/admin/categories` does, so the rules are the API's.

use super::forms::Fields;
use super::layout::{field_error, frame, refusal_about, tr, Section};
use super::session::{ConsoleAdmin, CSRF_FIELD};
use super::{html_page, path_in, see_other, status_of};
use crate::app::categories;
use crate::app::error::ApiError;
use crate::app::state::AppState;
use crate::http::extract::from_value;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};
use smartcity_db::places::StoredCategory;
use smartcity_domain::complaint::Category;
use smartcity_domain::Lang;

const LIST: &str = "/console/admin/categories";

/// What a page says above its form after a change.
enum Said {
    Nothing,
    /// The change was made (`?done=1` after the redirect).
    Done,
    Refused(ApiError),
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

impl Done {
    fn said(&self) -> Said {
        if self.done.is_some() {
            Said::Done
        } else {
            Said::Nothing
        }
    }
}

/// `GET /console/admin/categories`: every category, and a form for a new one.
pub async fn list(
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    done: web::Query<Done>,
) -> Result<HttpResponse, ApiError> {
    let blank = Fields::from_pairs(values_of(&new_category()));
    list_page(&state, &who, &blank, done.said()).await
}

/// `POST /console/admin/categories`: a new category, at the end of the list.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(&body)?;
    who.console.check_form(&req, fields.get(CSRF_FIELD))?;
    let code = fields.text("code").unwrap_or_default();
    let created = match category_from(&fields, &code) {
        Ok(category) => categories::create(&state, &who.admin, category).await,
        Err(refused) => Err(refused),
    };
    match created {
        Ok(created) => Ok(see_other(&format!("{}?done=1", path_in(LIST, &created.category.code)))),
        Err(refused) if refused.code.status() < 500 => {
            let refused = question_named(refused, &fields);
            list_page(&state, &who, &fields, Said::Refused(refused)).await
        }
        Err(failed) => Err(failed),
    }
}

/// `GET /console/admin/categories/{code}`: its edit form.
pub async fn edit(
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    code: web::Path<String>,
    done: web::Query<Done>,
) -> Result<HttpResponse, ApiError> {
    let stored = find(&state, &who, &code).await?;
    let fields = Fields::from_pairs(values_of(&stored.category));
    Ok(edit_page(&who, &stored, &fields, done.said()))
}

/// `POST /console/admin/categories/{code}`: replaces it wholly (and brings a retired one back).
pub async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    code: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(&body)?;
    who.console.check_form(&req, fields.get(CSRF_FIELD))?;
    let saved = match category_from(&fields, &code) {
        Ok(category) => categories::replace(&state, &who.admin, &code, category).await,
        Err(refused) => Err(refused),
    };
    match saved {
        Ok(_) => Ok(see_other(&format!("{}?done=1", path_in(LIST, &code)))),
        Err(refused) if refused.code.status() < 500 && refused.code.status() != 404 => {
            let stored = find(&state, &who, &code).await?;
            let refused = question_named(refused, &fields);
            Ok(edit_page(&who, &stored, &fields, Said::Refused(refused)))
        }
        Err(failed) => Err(failed),
    }
}

/// `POST /console/admin/categories/{code}/retire`: nothing new is filed under it.
pub async fn retire(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    code: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(&body)?;
    who.console.check_form(&req, fields.get(CSRF_FIELD))?;
    categories::retire(&state, &who.admin, code.into_inner()).await?;
    Ok(see_other(&format!("{LIST}?done=1")))
}

async fn find(
    state: &AppState,
    who: &ConsoleAdmin,
    code: &str,
) -> Result<StoredCategory, ApiError> {
    let all = categories::all(state, &who.admin).await?;
    all.into_iter().find(|c| c.category.code == code).ok_or_else(ApiError::not_found)
}

/// The category a form describes, read by the same deserialiser as the API's JSON body, so a
/// field at fault is named as the API names it (`name.vi`, `attributes[1].datatype`).
fn category_from(fields: &Fields, code: &str) -> Result<Category, ApiError> {
    let text = |name: &str| Value::String(fields.get(name).unwrap_or_default().trim().to_string());
    let bilingual = |name: &str| json!({ "vi": text(&format!("{name}.vi")), "en": text(&format!("{name}.en")) });
    let whole = |name: &'static str| {
        fields.get(name).unwrap_or_default().trim().parse::<u32>().map(Value::from).map_err(|_| {
            ApiError::invalid_field(
                name,
                format!("`{name}` phải là số nguyên không âm"),
                format!("`{name}` must be a whole number"),
            )
        })
    };
    let questions = match fields.get("attributes").map(str::trim).filter(|t| !t.is_empty()) {
        None => json!([]),
        Some(questions) => serde_json::from_str(questions).map_err(|e| {
            ApiError::invalid_field(
                "attributes",
                format!("JSON của các câu hỏi sai cú pháp ở dòng {}, cột {}", e.line(), e.column()),
                format!(
                    "The questions' JSON has a syntax error at line {}, column {}",
                    e.line(),
                    e.column()
                ),
            )
        })?,
    };
    from_value(json!({
        "code": code,
        "name": bilingual("name"),
        "group": bilingual("group"),
        "keywords": bilingual("keywords"),
        "sla_hours": whole("sla_hours")?,
        "icon": text("icon"),
        "nearby_radius_m": whole("nearby_radius_m")?,
        "attributes": questions,
    }))
}

/// A refusal about question `i` (`attributes[i]…`) says which question, by number and code.
fn question_named(refused: ApiError, fields: &Fields) -> ApiError {
    let index = refused
        .field
        .as_deref()
        .and_then(|f| f.strip_prefix("attributes["))
        .and_then(|rest| rest.split(']').next())
        .and_then(|i| i.parse::<usize>().ok());
    let (Some(index), Some(detail)) = (index, refused.detail.clone()) else { return refused };
    let questions: Vec<Value> =
        serde_json::from_str(fields.get("attributes").unwrap_or_default()).unwrap_or_default();
    let code = questions.get(index).and_then(|q| q["code"].as_str()).unwrap_or("?");
    let number = index + 1;
    refused.with_detail(
        format!("Câu hỏi {number} (`{code}`): {}", detail.vi),
        format!("Question {number} (`{code}`): {}", detail.en),
    )
}

/// A stored category as the form's fields, so a form shows stored and typed values alike.
fn values_of(category: &Category) -> Vec<(String, String)> {
    let questions = if category.attributes.is_empty() {
        String::new()
    } else {
        serde_json::to_string_pretty(&category.attributes).unwrap_or_default()
    };
    [
        ("name.vi", category.name.vi.clone()),
        ("name.en", category.name.en.clone()),
        ("group.vi", category.group.vi.clone()),
        ("group.en", category.group.en.clone()),
        ("keywords.vi", category.keywords.vi.clone()),
        ("keywords.en", category.keywords.en.clone()),
        ("sla_hours", category.sla_hours.to_string()),
        ("icon", category.icon.clone()),
        ("nearby_radius_m", category.nearby_radius_m.to_string()),
        ("attributes", questions),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value))
    .collect()
}

/// The list and the new-category form (`typed`: what it shows).
async fn list_page(
    state: &AppState,
    who: &ConsoleAdmin,
    typed: &Fields,
    said: Said,
) -> Result<HttpResponse, ApiError> {
    let all = categories::all(state, &who.admin).await?;
    let lang = who.console.lang;
    let t = |vi, en| tr(lang, vi, en);
    let error = match &said {
        Said::Refused(error) => Some(error),
        _ => None,
    };
    let body = html! {
        @match &said {
            Said::Refused(error) => p.notice.bad role="alert" { (error.detail_in(lang)) },
            Said::Done => p.notice role="status" { (t("Đã ngừng dùng loại phản ánh.", "The category is retired.")) },
            Said::Nothing => {}
        }
        table #categories {
            thead { tr {
                th { (t("Mã", "Code")) } th { "Tiếng Việt" } th { "English" }
                th { (t("Hạn xử lý (giờ)", "SLA (hours)")) } th { (t("Câu hỏi", "Questions")) }
                th { (t("Trạng thái", "State")) } th {}
            } }
            tbody {
                @for stored in &all {
                    @let c = &stored.category;
                    tr data-code=(c.code) {
                        td { code { (c.code) } } td { (c.name.vi) } td { (c.name.en) }
                        td { (c.sla_hours) } td { (c.attributes.len()) }
                        td.state {
                            @if stored.active { (t("Đang dùng", "Active")) }
                            @else { span.badge.overdue { (t("Ngừng dùng", "Retired")) } }
                        }
                        td {
                            a href=(path_in(LIST, &c.code)) { (t("Sửa", "Edit")) }
                            @if stored.active {
                                form.inline method="post" action={ (path_in(LIST, &c.code)) "/retire" } {
                                    input type="hidden" name=(CSRF_FIELD) value=(who.console.csrf);
                                    button.plain type="submit" { (t("Ngừng dùng", "Retire")) }
                                }
                            }
                        }
                    }
                }
            }
        }
        details #new-category open[error.is_some()] {
            summary { (t("Thêm loại phản ánh", "New category")) }
            form.card method="post" action=(LIST) {
                input type="hidden" name=(CSRF_FIELD) value=(who.console.csrf);
                (text_field(lang, typed, error, "code", t("Mã (chữ thường, số, dấu gạch dưới)", "Code (lower-case letters, digits, underscores)")))
                (category_fields(lang, typed, error))
                button type="submit" { (t("Thêm", "Add")) }
            }
        }
    };
    let status = error.map_or(StatusCode::OK, status_of);
    let title = t("Loại phản ánh", "Complaint categories");
    Ok(html_page(status, frame(lang, Some(&who.console), Section::Categories, title, body)))
}

/// What the new-category form starts from: the usual radius, no questions.
fn new_category() -> Category {
    Category {
        code: String::new(),
        name: Default::default(),
        group: Default::default(),
        keywords: Default::default(),
        sla_hours: 72,
        icon: "other".to_string(),
        nearby_radius_m: smartcity_domain::complaint::DEFAULT_NEARBY_RADIUS_M,
        attributes: Vec::new(),
    }
}

fn edit_page(
    who: &ConsoleAdmin,
    stored: &StoredCategory,
    typed: &Fields,
    said: Said,
) -> HttpResponse {
    let lang = who.console.lang;
    let t = |vi, en| tr(lang, vi, en);
    let code = &stored.category.code;
    let error = match &said {
        Said::Refused(error) => Some(error),
        _ => None,
    };
    let body = html! {
        @match &said {
            Said::Refused(error) => p.notice.bad role="alert" { (error.detail_in(lang)) },
            Said::Done => p.notice role="status" { (t("Đã lưu.", "Saved.")) },
            Said::Nothing => {}
        }
        @if !stored.active {
            p.notice.bad { (t("Loại này đã ngừng dùng; lưu lại sẽ dùng lại nó.", "This category is retired; saving brings it back.")) }
        }
        p { a href=(LIST) { (t("← Tất cả loại phản ánh", "← All categories")) } }
        form.card #category method="post" action=(path_in(LIST, code)) {
            input type="hidden" name=(CSRF_FIELD) value=(who.console.csrf);
            p { (t("Mã", "Code")) ": " code { (code) } }
            (category_fields(lang, typed, error))
            button type="submit" { (t("Lưu", "Save")) }
        }
    };
    let title = format!("{} · {}", t("Loại phản ánh", "Category"), stored.category.name.get(lang));
    let status = error.map_or(StatusCode::OK, status_of);
    html_page(status, frame(lang, Some(&who.console), Section::Categories, &title, body))
}

/// The fields of a category but its code, with what was typed (or stored) and the refusal
/// beside the field it names.
fn category_fields(lang: Lang, typed: &Fields, error: Option<&ApiError>) -> Markup {
    let t = |vi, en| tr(lang, vi, en);
    html! {
        div.pair {
            (text_field(lang, typed, error, "name.vi", "Tên (tiếng Việt)"))
            (text_field(lang, typed, error, "name.en", "Name (English)"))
        }
        div.pair {
            (text_field(lang, typed, error, "group.vi", "Nhóm (tiếng Việt)"))
            (text_field(lang, typed, error, "group.en", "Group (English)"))
        }
        div.pair {
            (text_field(lang, typed, error, "keywords.vi", "Từ khoá (tiếng Việt, cách nhau bởi dấu phẩy)"))
            (text_field(lang, typed, error, "keywords.en", "Keywords (English, separated by commas)"))
        }
        div.pair {
            (text_field(lang, typed, error, "sla_hours", t("Hạn xử lý (giờ)", "SLA (hours to resolve)")))
            (text_field(lang, typed, error, "nearby_radius_m", t("Bán kính tìm phản ánh trùng (m)", "Radius for similar complaints (m)")))
        }
        (text_field(lang, typed, error, "icon", t("Biểu tượng", "Icon")))
        div.field {
            label for="field-attributes" {
                (t("Câu hỏi thêm (JSON: danh sách các câu hỏi có code, datatype, required, description, values)",
                   "Questions (JSON: a list of questions with code, datatype, required, description, values)"))
            }
            textarea.code #field-attributes name="attributes" rows="14" { (typed.get("attributes").unwrap_or_default()) }
            (field_error(refusal_about(lang, error, "attributes").as_deref()))
        }
    }
}

fn text_field(
    lang: Lang,
    typed: &Fields,
    error: Option<&ApiError>,
    name: &'static str,
    label: &str,
) -> Markup {
    let id = format!("field-{}", name.replace('.', "-"));
    html! {
        div.field {
            label for=(id) { (label) }
            input id=(id) name=(name) value=(typed.get(name).unwrap_or_default());
            (field_error(refusal_about(lang, error, name).as_deref()))
        }
    }
}

//! The procedure catalogue as an administrator keeps it in the browser: searched as citizens
//! search it, a procedure's edit form (the fields `PUT /v1/admin/procedures/{code}` takes) and
//! retiring, through `app::procedures`, so the rules are the API's.

use super::forms::Fields;
use super::layout::{field_error, frame, refusal_about, tr, Section};
use super::session::{ConsoleAdmin, CSRF_FIELD};
use super::{html_page, path_in, see_other, status_of};
use crate::app::error::ApiError;
use crate::app::procedures;
use crate::app::state::AppState;
use crate::http::extract::{from_value, ApiQuery};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use smartcity_db::procedures::ProcedureRow;
use smartcity_domain::agency::GovLevel;
use smartcity_domain::procedure::ProcedureSpec;
use smartcity_domain::search::Filters;
use smartcity_domain::Lang;

const LIST: &str = "/console/admin/procedures";
const PER_PAGE: usize = 25;

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    q: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<usize>,
    /// Set after a retirement, to say so.
    #[serde(skip_serializing)]
    retired: Option<String>,
}

/// `GET /console/admin/procedures`: the catalogue, searched (`q`) as citizens search it.
pub async fn list(
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    query: ApiQuery<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let page = query.page.unwrap_or(1).max(1);
    let offset = (page - 1) * PER_PAGE;
    let found = procedures::search(&state, &query.q, Filters::default(), offset, PER_PAGE).await;
    let lang = who.console.lang;
    let t = |vi, en| tr(lang, vi, en);
    let (rows, total, refused) = match found {
        Ok((rows, total)) => (rows, total, None),
        Err(refused) if refused.code.status() < 500 => (Vec::new(), 0, Some(refused)),
        Err(failed) => return Err(failed),
    };
    let body = html! {
        @if query.retired.is_some() { p.notice role="status" { (t("Đã ngừng áp dụng thủ tục.", "The procedure is retired.")) } }
        form.filters method="get" action=(LIST) {
            label { (t("Tìm thủ tục", "Search procedures")) input #q name="q" type="search" value=(query.q); }
            button type="submit" { (t("Tìm", "Search")) }
        }
        @if let Some(error) = &refused { (field_error(Some(&error.detail_in(lang)))) }
        p.muted { (total) " " (t("thủ tục", "procedures")) }
        table #procedures {
            thead { tr {
                th { (t("Mã", "Code")) } th { (t("Tên thủ tục", "Name")) } th { (t("Lĩnh vực", "Field")) }
                th { (t("Cơ quan", "Agency")) } th { (t("Mức độ", "Level")) }
            } }
            tbody {
                @for row in &rows {
                    tr data-code=(row.code) {
                        td { a href=(path_in(LIST, &row.code)) { code { (row.code) } } }
                        td { (row.name) } td { (row.field) } td { (row.agency) } td { (row.service_level) }
                    }
                }
            }
        }
        @if offset + rows.len() < total {
            p.more { a.button.plain href={ (LIST) "?" (serde_urlencoded::to_string(ListQuery { page: Some(page + 1), ..query.clone() }).unwrap_or_default()) } { (t("Trang sau", "Next page")) } }
        }
    };
    let status = refused.as_ref().map_or(StatusCode::OK, status_of);
    let title = t("Thủ tục hành chính", "Procedures");
    Ok(html_page(status, frame(lang, Some(&who.console), Section::Procedures, title, body)))
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// `GET /console/admin/procedures/{code}`: its edit form (a retired one's too).
pub async fn edit(
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    code: web::Path<String>,
    done: web::Query<Done>,
) -> Result<HttpResponse, ApiError> {
    let row = procedures::find(&state, code.into_inner()).await?;
    let fields = Fields::from_pairs(values_of(&row)?);
    let said = if done.done.is_some() { Said::Saved } else { Said::Nothing };
    Ok(edit_page(&who, &row, &fields, said))
}

/// `POST /console/admin/procedures/{code}`: replaces it (and brings a retired one back).
pub async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    code: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(&body)?;
    who.console.check_form(&req, fields.get(CSRF_FIELD))?;
    let saved = match spec_from(&fields, &code) {
        Ok(spec) => procedures::replace(&state, &who.admin, &code, spec).await,
        Err(refused) => Err(refused),
    };
    match saved {
        Ok(_) => Ok(see_other(&format!("{}?done=1", path_in(LIST, &code)))),
        Err(refused) if refused.code.status() < 500 && refused.code.status() != 404 => {
            let row = procedures::find(&state, code.into_inner()).await?;
            Ok(edit_page(&who, &row, &fields, Said::Refused(refused)))
        }
        Err(failed) => Err(failed),
    }
}

/// `POST /console/admin/procedures/{code}/retire`: out of the catalogue and search; the
/// dossiers that name it keep it.
pub async fn retire(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    code: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(&body)?;
    who.console.check_form(&req, fields.get(CSRF_FIELD))?;
    procedures::retire(&state, &who.admin, code.into_inner()).await?;
    Ok(see_other(&format!("{LIST}?retired=1")))
}

/// The procedure a form describes, read by the deserialiser of the API's JSON body, so a field
/// at fault is named as the API names it. Lists are one entry a line.
fn spec_from(fields: &Fields, code: &str) -> Result<ProcedureSpec, ApiError> {
    let text = |name: &str| fields.get(name).unwrap_or_default().trim().to_string();
    let lines = |name: &str| -> Vec<String> {
        text(name).lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
    };
    let whole = |name: &'static str| {
        text(name).parse::<i64>().map(Value::from).map_err(|_| {
            ApiError::invalid_field(
                name,
                format!("`{name}` phải là số nguyên"),
                format!("`{name}` must be a whole number"),
            )
        })
    };
    let online_url = Some(text("online_url")).filter(|url| !url.is_empty());
    // The online submission is edited as the JSON the API and the catalogue file take: its
    // components are a list of objects that a form of fixed fields would not hold.
    let submission = match text("submission") {
        json if json.is_empty() => Value::Null,
        json => serde_json::from_str::<Value>(&json).map_err(|err| {
            ApiError::invalid_field(
                "submission",
                format!("`submission` không phải JSON hợp lệ: {err}"),
                format!("`submission` is not valid JSON: {err}"),
            )
        })?,
    };
    from_value(json!({
        "code": code,
        "name": text("name"),
        "name_en": text("name_en"),
        "field": text("field"),
        "level": text("level"),
        "agency": text("agency"),
        "service_level": whole("service_level")?,
        "processing_days": whole("processing_days")?,
        "fee_vnd": whole("fee_vnd")?,
        "documents": lines("documents"),
        "result": text("result"),
        "steps": lines("steps"),
        "online_url": online_url,
        "submission": submission,
    }))
}

/// A stored procedure as the form's fields.
fn values_of(row: &ProcedureRow) -> Result<Vec<(String, String)>, ApiError> {
    let pairs = [
        ("name", row.name.clone()),
        ("name_en", row.name_en.clone()),
        ("field", row.field.clone()),
        ("level", row.level.as_str().to_string()),
        ("agency", row.agency.clone()),
        ("service_level", row.service_level.to_string()),
        ("processing_days", row.processing_days.to_string()),
        ("fee_vnd", row.fee_vnd.to_string()),
        ("documents", row.documents()?.join("\n")),
        ("result", row.result.clone()),
        ("steps", row.steps()?.join("\n")),
        ("online_url", row.online_url.clone().unwrap_or_default()),
        ("submission", submission_json(row)?),
    ];
    Ok(pairs.into_iter().map(|(name, value)| (name.to_string(), value)).collect())
}

/// The stored submission as the form shows it: indented JSON, or nothing.
fn submission_json(row: &ProcedureRow) -> Result<String, ApiError> {
    Ok(row
        .submission()?
        .map(|s| serde_json::to_string_pretty(&s).expect("a submission serializes"))
        .unwrap_or_default())
}

/// What the edit page says above its form.
enum Said {
    Nothing,
    Saved,
    Refused(ApiError),
}

fn edit_page(who: &ConsoleAdmin, row: &ProcedureRow, typed: &Fields, said: Said) -> HttpResponse {
    let lang = who.console.lang;
    let t = |vi, en| tr(lang, vi, en);
    let error = match &said {
        Said::Refused(error) => Some(error),
        _ => None,
    };
    let input =
        |name: &'static str, label: &str| field(lang, typed, error, name, label, Kind::Line);
    let area =
        |name: &'static str, label: &str| field(lang, typed, error, name, label, Kind::Lines);
    let level = typed.get("level").unwrap_or_default();
    let service_level = typed.get("service_level").unwrap_or_default();
    let body = html! {
        @match &said {
            Said::Refused(error) => p.notice.bad role="alert" { (error.detail_in(lang)) },
            Said::Saved => p.notice role="status" { (t("Đã lưu.", "Saved.")) },
            Said::Nothing => {}
        }
        @if row.retired_at.is_some() {
            p.notice.bad { (t("Thủ tục đã ngừng áp dụng; lưu lại sẽ áp dụng lại.", "This procedure is retired; saving brings it back.")) }
        }
        p { a href=(LIST) { (t("← Danh mục thủ tục", "← The catalogue")) } }
        form.card #procedure method="post" action=(path_in(LIST, &row.code)) {
            input type="hidden" name=(CSRF_FIELD) value=(who.console.csrf);
            p { (t("Mã", "Code")) ": " code { (row.code) } }
            (input("name", t("Tên thủ tục", "Name")))
            (input("name_en", t("Tên tiếng Anh", "English name")))
            (input("field", t("Lĩnh vực", "Field")))
            div.pair {
                div.field {
                    label for="field-level" { (t("Cấp thực hiện", "Level of government")) }
                    select #field-level name="level" {
                        @for (word, vi, en) in [(GovLevel::Province, "Cấp tỉnh", "Province"), (GovLevel::Commune, "Cấp xã", "Commune")] {
                            option value=(word.as_str()) selected[level == word.as_str()] { (tr(lang, vi, en)) }
                        }
                    }
                    (field_error(refusal_about(lang, error, "level").as_deref()))
                }
                div.field {
                    label for="field-service_level" { (t("Mức độ dịch vụ công trực tuyến", "Online service level")) }
                    select #field-service_level name="service_level" {
                        @for n in 1..=4 {
                            option value=(n) selected[service_level == n.to_string()] { (n) }
                        }
                    }
                    (field_error(refusal_about(lang, error, "service_level").as_deref()))
                }
            }
            (input("agency", t("Cơ quan thực hiện", "Agency")))
            div.pair {
                (input("processing_days", t("Thời hạn giải quyết (ngày làm việc)", "Processing time (working days)")))
                (input("fee_vnd", t("Lệ phí (đồng)", "Fee (VND)")))
            }
            (area("documents", t("Thành phần hồ sơ (mỗi dòng một giấy tờ)", "Documents (one a line)")))
            (input("result", t("Kết quả", "Result")))
            (area("steps", t("Trình tự thực hiện (mỗi dòng một bước)", "Steps (one a line)")))
            (input("online_url", t("Địa chỉ nộp trực tuyến (https://, không bắt buộc)", "Online submission address (https://, optional)")))
            (area("submission", t("Hồ sơ nộp trực tuyến, mức độ 3 và 4 (JSON như tệp danh mục: thành phần, đối tượng, cách nhận kết quả; để trống nếu không có)", "Online submission, levels 3 and 4 (JSON as in the catalogue file: components, applicants, how the result returns; empty if none)")))
            button type="submit" { (t("Lưu", "Save")) }
        }
        @if row.retired_at.is_none() {
            form method="post" action={ (path_in(LIST, &row.code)) "/retire" } {
                input type="hidden" name=(CSRF_FIELD) value=(who.console.csrf);
                button.plain #retire type="submit" { (t("Ngừng áp dụng thủ tục này", "Retire this procedure")) }
            }
        }
    };
    let title = format!("{} · {}", row.code, row.name);
    let status = error.map_or(StatusCode::OK, status_of);
    html_page(status, frame(lang, Some(&who.console), Section::Procedures, &title, body))
}

enum Kind {
    Line,
    Lines,
}

fn field(
    lang: Lang,
    typed: &Fields,
    error: Option<&ApiError>,
    name: &'static str,
    label: &str,
    kind: Kind,
) -> Markup {
    let id = format!("field-{name}");
    let value = typed.get(name).unwrap_or_default();
    html! {
        div.field {
            label for=(id) { (label) }
            @match kind {
                Kind::Line => input id=(id) name=(name) value=(value);,
                Kind::Lines => textarea id=(id) name=(name) rows="6" { (value) },
            }
            (field_error(refusal_about(lang, error, name).as_deref()))
        }
    }
}

//! The areas (wards and communes) complaints are routed by, as an administrator sees and
//! replaces them: on a map and as a table (which stays when the map's tiles cannot load), and
//! an upload of a GeoJSON FeatureCollection that replaces them all, through the same use case
//! as `PUT /v1/admin/areas` and the operator's `import-areas`. A refused file names the feature
//! at fault and changes nothing.

use super::forms::Fields;
use super::layout::{field_error, frame, tr, Section};
use super::session::{ConsoleAdmin, CSRF_FIELD};
use super::{html_page, see_other, status_of};
use crate::app::error::{ApiError, ErrorCode};
use crate::app::geography::MAX_AREAS_BYTES;
use crate::app::places;
use crate::app::state::AppState;
use crate::http::multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;
use serde::Deserialize;
use smartcity_domain::geo::feature_collection;

/// The upload's file part.
const FILE: &str = "file";
/// The property that names an area unless the form says otherwise (as `import-areas`).
const DEFAULT_NAME_PROPERTY: &str = "name";

/// What the page says above the map.
enum Said {
    Nothing,
    /// Areas were replaced (`?replaced=N` after the redirect).
    Replaced(usize),
    /// The file was refused: why, and the name property typed, kept.
    Refused {
        error: ApiError,
        name_property: String,
    },
}

#[derive(Debug, Deserialize)]
pub struct Replaced {
    replaced: Option<usize>,
}

/// `GET /console/admin/areas`
pub async fn page(
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    replaced: web::Query<Replaced>,
) -> Result<HttpResponse, ApiError> {
    let said = replaced.replaced.map_or(Said::Nothing, Said::Replaced);
    areas_page(&state, &who, said).await
}

/// `POST /console/admin/areas` (multipart): a GeoJSON file that replaces every area. The
/// form's token is checked before a byte of the file is held.
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: ConsoleAdmin,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    if !multipart::is_multipart(&req) {
        return Err(ApiError::new(ErrorCode::UnsupportedMediaType));
    }
    let check = |sent: &[(String, String)]| {
        let token = sent.iter().find(|(name, _)| name == CSRF_FIELD).map(|(_, v)| v.as_str());
        who.console.check_form(&req, token)
    };
    let form = multipart::read_file_form(&req, payload, FILE, MAX_AREAS_BYTES, check).await;
    let name_property = form
        .as_ref()
        .ok()
        .and_then(|form| Fields::from_pairs(form.fields.clone()).text("name_property"))
        .unwrap_or_else(|| DEFAULT_NAME_PROPERTY.to_string());
    let replaced = match form.and_then(file_text) {
        Ok(text) => places::replace_areas(&state, &who.admin, text, name_property.clone()).await,
        Err(refused) => Err(refused),
    };
    match replaced {
        Ok(areas) => Ok(see_other(&format!("/console/admin/areas?replaced={}", areas.len()))),
        // A form without its token is refused as every console form is, not shown as a file's fault.
        Err(refused) if refused.code == ErrorCode::Forbidden => Err(refused),
        Err(error) if error.code.status() < 500 => {
            areas_page(&state, &who, Said::Refused { error, name_property }).await
        }
        Err(failed) => Err(failed),
    }
}

/// The uploaded file as text, or a refusal on the file's field.
fn file_text(form: multipart::FileForm) -> Result<String, ApiError> {
    let bytes = form.file.filter(|bytes| !bytes.is_empty()).ok_or_else(|| {
        ApiError::invalid_field(FILE, "Hãy chọn một tệp GeoJSON", "Choose a GeoJSON file")
    })?;
    String::from_utf8(bytes).map_err(|_| {
        ApiError::invalid_field(
            FILE,
            "Tệp GeoJSON phải là văn bản UTF-8",
            "The GeoJSON file must be UTF-8 text",
        )
    })
}

async fn areas_page(
    state: &AppState,
    who: &ConsoleAdmin,
    said: Said,
) -> Result<HttpResponse, ApiError> {
    let areas = places::areas(state).await?;
    let lang = who.console.lang;
    let t = |vi, en| tr(lang, vi, en);
    let shapes: Vec<String> = areas.iter().map(|area| area.geometry.clone()).collect();
    let (error, name_property) = match &said {
        Said::Refused { error, name_property } => (Some(error), name_property.as_str()),
        _ => (None, DEFAULT_NAME_PROPERTY),
    };
    let body = html! {
        @match &said {
            Said::Replaced(count) => p.notice role="status" #replaced {
                (t("Đã thay toàn bộ khu vực; số khu vực hiện có: ", "Every area was replaced; areas now: ")) (count)
            },
            Said::Refused { error, .. } => p.notice.bad role="alert" {
                (t("Tệp bị từ chối, khu vực không thay đổi. ", "The file was refused; the areas are unchanged. "))
                (error.detail_in(lang))
            },
            Said::Nothing => {}
        }
        div.split {
            div {
                div #areas-map.map data-map data-tiles=(state.config.map_tiles) data-attribution="© OpenStreetMap"
                    data-areas=(feature_collection(&shapes)) {}
                p #areas-map-note.map-note hidden {
                    (t("Không tải được bản đồ nền; danh sách khu vực ở bên.",
                       "The map tiles could not be loaded; the areas are listed beside it."))
                }
            }
            div {
                table #areas {
                    thead { tr { th { (t("Mã", "Code")) } th { (t("Tên", "Name")) } th { (t("Điểm bên trong", "A point inside")) } } }
                    tbody {
                        @for area in &areas {
                            tr data-code=(area.code) {
                                td { code { (area.code) } } td { (area.name) }
                                td { (format!("{:.5}, {:.5}", area.inside_lat, area.inside_lon)) }
                            }
                        }
                    }
                }
                @if areas.is_empty() { p.muted { (t("Chưa có khu vực nào.", "No areas yet.")) } }
            }
        }
        h2 { (t("Thay toàn bộ khu vực", "Replace every area")) }
        form.card #upload-areas method="post" action="/console/admin/areas" enctype="multipart/form-data" {
            input type="hidden" name=(CSRF_FIELD) value=(who.console.csrf);
            p.muted {
                (t("Một GeoJSON FeatureCollection gồm các Polygon hoặc MultiPolygon, mỗi đối tượng có tên (và thuộc tính code nếu có). Tệp sai bị từ chối cả tệp, nêu đối tượng sai. Tối đa ",
                   "A GeoJSON FeatureCollection of Polygon or MultiPolygon features, each named (and with a code property if it has one). A file with a bad feature is refused whole, naming it. At most "))
                (MAX_AREAS_BYTES >> 20) " MiB."
            }
            div.field {
                label for="areas-file" { (t("Tệp GeoJSON", "GeoJSON file")) }
                input #areas-file type="file" name=(FILE) accept=".geojson,.json,application/geo+json,application/json" required;
                (field_error(error.filter(|e| e.field.as_deref() != Some("name_property")).map(|e| e.detail_in(lang)).as_deref()))
            }
            div.field {
                label for="name-property" { (t("Thuộc tính chứa tên khu vực", "The property that names an area")) }
                input #name-property name="name_property" value=(name_property) required;
                (field_error(error.filter(|e| e.field.as_deref() == Some("name_property")).map(|e| e.detail_in(lang)).as_deref()))
            }
            button type="submit" { (t("Tải lên và thay", "Upload and replace")) }
        }
    };
    let status = error.map_or(StatusCode::OK, status_of);
    let title = t("Khu vực", "Areas");
    Ok(html_page(status, frame(lang, Some(&who.console), Section::Areas, title, body)))
}

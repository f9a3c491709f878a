//! What the app's filing and map screens start from: the categories with their questions, and
//! the areas (wards and communes).

use crate::app::error::{ApiError, ErrorCode};
use crate::app::geography::MAX_AREAS_BYTES;
use crate::app::places;
use crate::app::state::AppState;
use crate::http::auth::AdminCaller;
use crate::http::extract::ApiQuery;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use smartcity_db::places::AreaRow;
use smartcity_domain::complaint::Category;

#[derive(Debug, Serialize)]
pub struct CategoryList {
    items: Vec<Category>,
}

pub async fn categories(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let items = places::categories(&state).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(CategoryList { items }))
}

#[derive(Debug, Serialize)]
pub struct BoundingBoxView {
    min_lat: f64,
    max_lat: f64,
    min_lon: f64,
    max_lon: f64,
}

#[derive(Debug, Serialize)]
pub struct PointView {
    lat: f64,
    lon: f64,
}

#[derive(Debug, Serialize)]
pub struct AreaView {
    code: String,
    name: String,
    bbox: BoundingBoxView,
    /// A point inside the area, for a label or a default pin.
    inside: PointView,
}

#[derive(Debug, Serialize)]
pub struct AreaList {
    items: Vec<AreaView>,
}

pub async fn areas(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let rows = places::areas(&state).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(area_list(rows)))
}

fn area_list(rows: Vec<AreaRow>) -> AreaList {
    let items = rows
        .into_iter()
        .map(|r| AreaView {
            code: r.code,
            name: r.name,
            bbox: BoundingBoxView {
                min_lat: r.min_lat,
                max_lat: r.max_lat,
                min_lon: r.min_lon,
                max_lon: r.max_lon,
            },
            inside: PointView { lat: r.inside_lat, lon: r.inside_lon },
        })
        .collect();
    AreaList { items }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreasQuery {
    /// The feature property that names each area.
    name_property: Option<String>,
}

/// `PUT /v1/admin/areas`: every area replaced by those of a GeoJSON FeatureCollection (the
/// body), whole or not at all; answers the areas as `GET /v1/areas` lists them.
pub async fn replace_areas(
    state: web::Data<AppState>,
    caller: AdminCaller,
    query: ApiQuery<AreasQuery>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let text = geojson_body(&req, body).await?;
    let name_property = query.0.name_property.unwrap_or_else(|| "name".to_string());
    let rows = places::replace_areas(&state, &caller.0, text, name_property).await?;
    Ok(HttpResponse::Ok().json(area_list(rows)))
}

/// The body as text, `application/geo+json` or `application/json`, cut at
/// [`MAX_AREAS_BYTES`] (declared or sent) before more is read.
async fn geojson_body(req: &HttpRequest, body: web::Payload) -> Result<String, ApiError> {
    let media_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if !matches!(media_type.as_deref(), Some("application/geo+json" | "application/json")) {
        return Err(ApiError::new(ErrorCode::UnsupportedMediaType)
            .with_field("Content-Type")
            .with_detail(
                "Gửi tệp GeoJSON với Content-Type: application/geo+json",
                "Send the GeoJSON with Content-Type: application/geo+json",
            ));
    }
    let too_large = || {
        ApiError::new(ErrorCode::BodyTooLarge).with_field("body").with_detail(
            format!("Tệp khu vực tối đa {} MiB", MAX_AREAS_BYTES >> 20),
            format!("An areas file is at most {} MiB", MAX_AREAS_BYTES >> 20),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_AREAS_BYTES) {
        return Err(too_large());
    }
    let mut body = body.into_inner();
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk =
            chunk.map_err(|_| ApiError::new(ErrorCode::MalformedJson).with_field("body"))?;
        if bytes.len() + chunk.len() > MAX_AREAS_BYTES {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| {
        ApiError::new(ErrorCode::MalformedJson)
            .with_field("body")
            .with_detail("Tệp GeoJSON phải là văn bản UTF-8", "The GeoJSON must be UTF-8 text")
    })
}

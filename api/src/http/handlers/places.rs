//! What the app's filing and map screens start from: the categories with their questions, and
//! the areas (wards and communes).

use crate::app::error::ApiError;
use crate::app::places;
use crate::app::state::AppState;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Serialize;
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
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(AreaList { items }))
}

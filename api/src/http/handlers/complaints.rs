//! Reading complaints: the public map and detail, the nearby check before filing, the
//! reporter's own, an agency's list; following and "me too"; the photos themselves.

use super::complaint_views::{
    agency_item, map_item, status_view, thumbnail_url, view, AgencyItem, ComplaintView, MapItem,
};
use super::{cursor_after, limit, parse_cursor, utc, Paging};
use crate::app::complaints::reading::{self, AgencyListing, MapArea, MapFilter, PhotoVariant};
use crate::app::error::ApiError;
use crate::app::state::AppState;
use crate::http::auth::{AgencyCaller, SignedIn};
use crate::http::extract::ApiQuery;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use smartcity_domain::complaint::ComplaintStatus;
use smartcity_domain::datetime::StrictDateTime;
use smartcity_domain::geo::{BoundingBox, LatLon};

/// `GET /v1/complaints/{id}`: the public view, for everyone; the reporter's own fields are in
/// `GET /v1/me/complaints`.
pub async fn show(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(view(&reading::public(&state, &id).await?)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CursorQuery {
    cursor: Option<String>,
    limit: Option<i64>,
}

#[derive(Debug, Serialize)]
struct ComplaintList {
    items: Vec<ComplaintView>,
    /// Pass as `cursor` for the next page; absent on the last.
    next_cursor: Option<String>,
}

/// `GET /v1/me/complaints`: the caller's own, newest first, with their private fields.
pub async fn mine(
    state: web::Data<AppState>,
    caller: SignedIn,
    query: ApiQuery<CursorQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = limit(query.0.limit, 20, 100)?;
    let before = query.0.cursor.as_deref().map(parse_cursor).transpose()?;
    let (page, more) = reading::mine(&state, &caller.0, before, limit).await?;
    let next_cursor = page
        .last()
        .filter(|_| more)
        .map(|last| cursor_after(last.complaint().created_at, &last.complaint().id));
    let items = page.iter().map(view).collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(ComplaintList { items, next_cursor }))
}

/// A point of the query, its refusal naming the query parameter.
fn point(state: &AppState, lat: f64, lon: f64) -> Result<LatLon, ApiError> {
    LatLon::parse(lat, lon, state.areas.region()).map_err(|e| ApiError::from(e).in_query())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NearbyQuery {
    lat: f64,
    lon: f64,
    category: Option<String>,
}

#[derive(Debug, Serialize)]
struct NearbyItem {
    id: String,
    category: String,
    status: super::complaint_views::StatusView,
    description: String,
    distance_m: f64,
    follower_count: i32,
    me_too_count: i32,
    created_at: String,
    thumbnail_url: Option<String>,
}

#[derive(Debug, Serialize)]
struct NearbyList {
    radius_m: u32,
    items: Vec<NearbyItem>,
}

/// `GET /v1/complaints/nearby`: open complaints within the category's radius, nearest first.
pub async fn nearby(
    state: web::Data<AppState>,
    query: ApiQuery<NearbyQuery>,
) -> Result<HttpResponse, ApiError> {
    let NearbyQuery { lat, lon, category } = query.0;
    let center = point(&state, lat, lon)?;
    let (radius_m, found) = reading::nearby(&state, center, category).await?;
    let items = found
        .into_iter()
        .map(|n| NearbyItem {
            thumbnail_url: n.thumbnail_photo_id.as_deref().map(thumbnail_url),
            status: status_view(n.row.status),
            created_at: utc(n.row.created_at),
            distance_m: n.distance_m,
            id: n.row.id,
            category: n.row.category_code,
            description: n.row.description,
            follower_count: n.row.follower_count,
            me_too_count: n.row.me_too_count,
        })
        .collect();
    Ok(HttpResponse::Ok().json(NearbyList { radius_m, items }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapQuery {
    min_lat: Option<f64>,
    max_lat: Option<f64>,
    min_lon: Option<f64>,
    max_lon: Option<f64>,
    lat: Option<f64>,
    lon: Option<f64>,
    radius_m: Option<u32>,
    category: Option<String>,
    status: Option<String>,
    since: Option<StrictDateTime>,
    cursor: Option<String>,
    limit: Option<i64>,
}

const MAX_RADIUS_M: u32 = 50_000;

/// The box or circle a map query asks for.
fn map_area(state: &AppState, q: &MapQuery) -> Result<MapArea, ApiError> {
    match (q.min_lat, q.max_lat, q.min_lon, q.max_lon, q.lat, q.lon) {
        (Some(min_lat), Some(max_lat), Some(min_lon), Some(max_lon), None, None) => {
            if !(min_lat <= max_lat && min_lon <= max_lon)
                || [min_lat, max_lat, min_lon, max_lon].iter().any(|v| !v.is_finite())
            {
                return Err(ApiError::invalid_query(
                    "min_lat",
                    "Khung toạ độ không hợp lệ",
                    "The bounding box is not valid",
                ));
            }
            Ok(MapArea::Box(BoundingBox { min_lat, max_lat, min_lon, max_lon }))
        }
        (None, None, None, None, Some(lat), Some(lon)) => {
            let center = point(state, lat, lon)?;
            let radius_m = q.radius_m.unwrap_or(1_000);
            if radius_m == 0 || radius_m > MAX_RADIUS_M {
                return Err(ApiError::invalid_query(
                    "radius_m",
                    "`radius_m` từ 1 đến 50000",
                    "`radius_m` is 1–50000",
                ));
            }
            Ok(MapArea::Circle { center, radius_m })
        }
        _ => Err(ApiError::invalid_query(
            "min_lat",
            "Gửi một khung (min_lat, max_lat, min_lon, max_lon) hoặc một tâm (lat, lon, radius_m)",
            "Send a box (min_lat, max_lat, min_lon, max_lon) or a centre (lat, lon, radius_m)",
        )),
    }
}

fn status(raw: Option<&str>) -> Result<Option<ComplaintStatus>, ApiError> {
    raw.map(|raw| {
        ComplaintStatus::parse("status", raw).map_err(|_| {
            ApiError::invalid_query(
                "status",
                "`status` không hợp lệ",
                "`status` is not a complaint status",
            )
        })
    })
    .transpose()
}

#[derive(Debug, Serialize)]
struct MapPage {
    items: Vec<MapItem>,
    /// Pass as `cursor` for the next page; absent on the last.
    next_cursor: Option<String>,
}

/// `GET /v1/complaints`: the public map. A box (`min_lat`…`max_lon`) or a centre and radius;
/// category, status, created since; newest first, cursor paging.
pub async fn map(
    state: web::Data<AppState>,
    query: ApiQuery<MapQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let filter = MapFilter {
        area: map_area(&state, &q)?,
        limit: limit(q.limit, 50, 200)?,
        status: status(q.status.as_deref())?,
        before: q.cursor.as_deref().map(parse_cursor).transpose()?,
        created_since: q.since.map(|s| s.0.naive_utc()),
        category: q.category,
    };
    let page = reading::map(&state, filter).await?;
    let next_cursor = page.next.map(|(at, id)| cursor_after(at, &id));
    let items = page.rows.into_iter().map(map_item).collect();
    Ok(HttpResponse::Ok().json(MapPage { items, next_cursor }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyQuery {
    status: Option<String>,
    category: Option<String>,
    overdue: Option<bool>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[derive(Debug, Serialize)]
struct AgencyPage {
    items: Vec<AgencyItem>,
    page: u32,
    per_page: u32,
    total: i64,
}

/// `GET /v1/agency/complaints`: the caller's agency's complaints, soonest due first; filter by
/// status, category, or `overdue=true` (open and past the category's SLA).
pub async fn for_agency(
    state: web::Data<AppState>,
    caller: AgencyCaller,
    query: ApiQuery<AgencyQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let (page, per_page, offset) = Paging { page: q.page, per_page: q.per_page }.resolve()?;
    let listing = AgencyListing {
        status: status(q.status.as_deref())?,
        category: q.category,
        overdue: q.overdue == Some(true),
        ..AgencyListing::default()
    };
    let agency_id = caller.0.agency_id().to_string();
    let (rows, total) =
        reading::for_agency(&state, agency_id, listing, offset, i64::from(per_page)).await?;
    let items = rows.into_iter().map(agency_item).collect();
    Ok(HttpResponse::Ok().json(AgencyPage { items, page, per_page, total }))
}

#[derive(Debug, Serialize)]
struct Counts {
    follower_count: i32,
    me_too_count: i32,
}

async fn count_in(
    state: &AppState,
    caller: SignedIn,
    id: String,
    me_too: bool,
) -> Result<HttpResponse, ApiError> {
    let (newly, row) = reading::follow(state, &caller.0, id, me_too).await?;
    let mut response = if newly { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(response.json(Counts { follower_count: row.follower_count, me_too_count: row.me_too_count }))
}

/// `POST /v1/complaints/{id}/followers`: counted once per person.
pub async fn follow(
    state: web::Data<AppState>,
    caller: SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    count_in(&state, caller, id.into_inner(), false).await
}

/// `POST /v1/complaints/{id}/me-too`: counted once per person.
pub async fn me_too(
    state: web::Data<AppState>,
    caller: SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    count_in(&state, caller, id.into_inner(), true).await
}

#[derive(Debug, Deserialize)]
pub struct PhotoPath {
    id: String,
    variant: String,
}

/// `GET /v1/photos/{id}/{display|thumbnail}`: the stored JPEG, metadata-free.
pub async fn photo(
    state: web::Data<AppState>,
    path: web::Path<PhotoPath>,
) -> Result<HttpResponse, ApiError> {
    let PhotoPath { id, variant } = path.into_inner();
    let variant = match variant.as_str() {
        "display" => PhotoVariant::Display,
        "thumbnail" => PhotoVariant::Thumbnail,
        _ => return Err(ApiError::not_found()),
    };
    let bytes = reading::photo(&state, id, variant).await?;
    Ok(HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(bytes))
}

//! Public cameras: the map's list (`/v1/cameras?bbox=`), a camera, its snapshot from the
//! server's cache, and the administrators' registry (`/v1/admin/cameras`).

use super::utc;
use crate::app::cameras::{self, CameraDraft};
use crate::app::error::ApiError;
use crate::app::state::AppState;
use crate::http::auth::AdminCaller;
use crate::http::extract::{json_body, ApiQuery};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use smartcity_db::cameras::CameraRow;
use smartcity_domain::Lang;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CameraRequest {
    name: String,
    kind: String,
    lat: f64,
    lon: f64,
    snapshot_url: String,
    #[serde(default)]
    stream_url: Option<String>,
    #[serde(default = "active_by_default")]
    active: bool,
}

fn active_by_default() -> bool {
    true
}

impl From<CameraRequest> for CameraDraft {
    fn from(b: CameraRequest) -> CameraDraft {
        CameraDraft {
            name: b.name,
            kind: b.kind,
            lat: b.lat,
            lon: b.lon,
            snapshot_url: b.snapshot_url,
            stream_url: b.stream_url,
            active: b.active,
        }
    }
}

/// What everyone sees of a camera: never its snapshot's upstream address.
#[derive(Debug, Serialize)]
struct CameraView {
    id: String,
    name: String,
    kind: &'static str,
    kind_name_vi: &'static str,
    kind_name_en: &'static str,
    lat: f64,
    lon: f64,
    /// Where this server serves its latest snapshot.
    snapshot: String,
    /// The live stream (HLS), played by the phone straight from the camera's server.
    stream_url: Option<String>,
    /// False once a snapshot fetch failed, until one succeeds again.
    working: bool,
    down_since: Option<String>,
    last_snapshot_at: Option<String>,
}

fn camera_view(row: &CameraRow) -> CameraView {
    CameraView {
        id: row.id.clone(),
        name: row.name.clone(),
        kind: row.kind.as_str(),
        kind_name_vi: row.kind.name(Lang::Vi),
        kind_name_en: row.kind.name(Lang::En),
        lat: row.lat,
        lon: row.lon,
        snapshot: format!("/v1/cameras/{}/snapshot", row.id),
        stream_url: row.stream_url.clone(),
        working: row.working,
        down_since: row.down_since.map(utc),
        last_snapshot_at: row.last_snapshot_at.map(utc),
    }
}

/// What an administrator sees: everything, the upstream address and retirement too.
#[derive(Debug, Serialize)]
struct AdminCameraView {
    #[serde(flatten)]
    camera: CameraView,
    snapshot_url: String,
    active: bool,
    failures: i32,
    created_at: String,
    updated_at: String,
}

fn admin_view(row: CameraRow) -> AdminCameraView {
    AdminCameraView {
        camera: camera_view(&row),
        snapshot_url: row.snapshot_url,
        active: row.active,
        failures: row.failures,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    }
}

/// `POST /v1/admin/cameras` (201).
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: AdminCaller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let b: CameraRequest = json_body(&req, body).await?;
    let row = cameras::create(&state, &admin.0, b.into()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/cameras/{}", row.id)))
        .json(admin_view(row)))
}

/// `PUT /v1/admin/cameras/{id}`: replaces a camera's description.
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: AdminCaller,
    id: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let b: CameraRequest = json_body(&req, body).await?;
    let row = cameras::update(&state, &admin.0, id.into_inner(), b.into()).await?;
    Ok(HttpResponse::Ok().json(admin_view(row)))
}

/// `DELETE /v1/admin/cameras/{id}`: retires a camera (204).
pub async fn retire(
    state: web::Data<AppState>,
    admin: AdminCaller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    cameras::retire(&state, &admin.0, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoxQuery {
    bbox: Option<String>,
}

#[derive(Debug, Serialize)]
struct CameraList {
    items: Vec<CameraView>,
    /// True when the box held more than the answer lists (a smaller box lists them all).
    truncated: bool,
}

/// `GET /v1/cameras?bbox=minLon,minLat,maxLon,maxLat`: the active cameras in a map's box.
pub async fn list(
    state: web::Data<AppState>,
    query: ApiQuery<BoxQuery>,
) -> Result<HttpResponse, ApiError> {
    let bbox = query.0.bbox.unwrap_or_default();
    let (rows, truncated) = cameras::in_box(&state, &bbox).await?;
    let items = rows.iter().map(camera_view).collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=10"))
        .json(CameraList { items, truncated }))
}

/// `GET /v1/cameras/{id}`
pub async fn show(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let row = cameras::show(&state, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(camera_view(&row)))
}

/// `GET /v1/cameras/{id}/snapshot`: the latest JPEG, from the server's cache. `Cache-Control`
/// lets it be kept until the server would fetch a new one; `Last-Modified` and `Age` say when
/// it was taken. While the camera is down: 503 `camera_unavailable` with `Retry-After`.
pub async fn snapshot(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let snapshot = cameras::snapshot(&state, &id).await?;
    let now = smartcity_db::now();
    let left = (snapshot.fresh_until - now).num_seconds().max(0);
    let age = (now - snapshot.fetched_at).num_seconds().max(0);
    let taken = std::time::SystemTime::from(snapshot.fetched_at.and_utc());
    Ok(HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header((header::CACHE_CONTROL, format!("public, max-age={left}")))
        .insert_header((header::LAST_MODIFIED, header::HttpDate::from(taken).to_string()))
        .insert_header((header::AGE, age.to_string()))
        .body(snapshot.jpeg))
}

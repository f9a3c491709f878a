//! Warnings to areas (`/v1/warnings`) and the areas a resident follows (`/v1/me/areas`).

use super::utc;
use crate::app::error::ApiError;
use crate::app::state::AppState;
use crate::app::warnings::{self, Place, WarningDraft};
use crate::http::auth::SignedIn;
use crate::http::extract::{json_body, ApiQuery};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use smartcity_db::warnings::{FanOut, StoredWarning, UserAreaRow};
use smartcity_domain::datetime::StrictDateTime;
use smartcity_domain::geo::LatLon;
use smartcity_domain::warning::WarningState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarningRequest {
    kind: String,
    severity: String,
    title_vi: String,
    body_vi: String,
    title_en: Option<String>,
    body_en: Option<String>,
    #[serde(default)]
    areas: Vec<String>,
    polygon: Option<serde_json::Value>,
    valid_from: Option<StrictDateTime>,
    valid_until: StrictDateTime,
}

impl From<WarningRequest> for WarningDraft {
    fn from(body: WarningRequest) -> WarningDraft {
        WarningDraft {
            kind: body.kind,
            severity: body.severity,
            title_vi: body.title_vi,
            body_vi: body.body_vi,
            title_en: body.title_en,
            body_en: body.body_en,
            areas: body.areas,
            polygon: body.polygon,
            valid_from: body.valid_from.map(|at| at.0),
            valid_until: body.valid_until.0,
        }
    }
}

#[derive(Debug, Serialize)]
struct Source {
    /// `agency`, `administrator` or `air_station`.
    kind: &'static str,
    agency_id: Option<String>,
    station_code: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct WarningView {
    id: String,
    kind: &'static str,
    severity: &'static str,
    state: &'static str,
    title_vi: String,
    body_vi: String,
    title_en: Option<String>,
    body_en: Option<String>,
    areas: Vec<String>,
    polygon: Option<serde_json::Value>,
    valid_from: String,
    valid_until: String,
    cancelled_at: Option<String>,
    version: i32,
    source: Source,
    created_at: String,
    updated_at: String,
}

fn view(warning: StoredWarning) -> WarningView {
    let StoredWarning { row, areas } = warning;
    let state = WarningState::at(
        row.valid_from,
        row.valid_until,
        row.cancelled_at.is_some(),
        smartcity_db::now(),
    );
    let source = Source {
        kind: match (&row.agency_id, &row.station_code) {
            (Some(_), _) => "agency",
            (None, Some(_)) => "air_station",
            (None, None) => "administrator",
        },
        agency_id: row.agency_id,
        station_code: row.station_code,
    };
    WarningView {
        kind: row.kind.as_str(),
        severity: row.severity.as_str(),
        state: state.as_str(),
        polygon: row.polygon.and_then(|text| serde_json::from_str(&text).ok()),
        valid_from: utc(row.valid_from),
        valid_until: utc(row.valid_until),
        cancelled_at: row.cancelled_at.map(utc),
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        id: row.id,
        title_vi: row.title_vi,
        body_vi: row.body_vi,
        title_en: row.title_en,
        body_en: row.body_en,
        areas,
        version: row.version,
        source,
    }
}

/// A change and how far it reached.
#[derive(Debug, Serialize)]
struct Changed {
    warning: WarningView,
    /// Inbox rows written and pushes queued by this change.
    reached: Reached,
}

#[derive(Debug, Serialize)]
struct Reached {
    inbox: usize,
    pushes: usize,
    /// SMS queued for subscribers without the app (severe and extreme warnings only).
    texts: usize,
}

fn changed(warning: StoredWarning, reach: FanOut) -> Changed {
    Changed {
        warning: view(warning),
        reached: Reached { inbox: reach.inbox, pushes: reach.pushes, texts: reach.texts },
    }
}

/// `POST /v1/warnings`: staff of an agency or an administrator issues a warning (201).
pub async fn issue(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: SignedIn,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: WarningRequest = json_body(&req, body).await?;
    let (warning, reach) = warnings::issue(&state, &caller.0, body.into()).await?;
    Ok(HttpResponse::Created().json(changed(warning, reach)))
}

/// `PUT /v1/warnings/{id}`: replaces what a warning says and where.
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: SignedIn,
    id: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: WarningRequest = json_body(&req, body).await?;
    let (warning, reach) =
        warnings::update(&state, &caller.0, id.into_inner(), body.into()).await?;
    Ok(HttpResponse::Ok().json(changed(warning, reach)))
}

/// `POST /v1/warnings/{id}/cancel`: calls a warning off; it stays readable.
pub async fn cancel(
    state: web::Data<AppState>,
    caller: SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (warning, reach) = warnings::cancel(&state, &caller.0, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(changed(warning, reach)))
}

/// `GET /v1/warnings/{id}`: any warning, ended or cancelled too.
pub async fn show(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(view(warnings::stored(&state, id.into_inner()).await?)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceQuery {
    lat: Option<f64>,
    lon: Option<f64>,
    area: Option<String>,
}

#[derive(Debug, Serialize)]
struct WarningList {
    items: Vec<WarningView>,
}

/// `GET /v1/warnings?lat=&lon=` or `?area=`: the warnings not yet ended there, the most severe
/// first.
pub async fn current(
    state: web::Data<AppState>,
    query: ApiQuery<PlaceQuery>,
) -> Result<HttpResponse, ApiError> {
    let place = place(&state, query.0).map_err(ApiError::in_query)?;
    let found = warnings::current(&state, place).await.map_err(ApiError::in_query)?;
    let items = found.into_iter().map(view).collect();
    Ok(HttpResponse::Ok().json(WarningList { items }))
}

/// A point (`lat` and `lon`) or an area's code, not both.
fn place(state: &AppState, query: PlaceQuery) -> Result<Place, ApiError> {
    match (query.lat, query.lon, query.area) {
        (Some(lat), Some(lon), None) => {
            Ok(Place::Point(LatLon::parse(lat, lon, state.areas.region())?))
        }
        (None, None, Some(area)) => Ok(Place::Area(area)),
        _ => Err(ApiError::invalid_field(
            "lat",
            "Cần lat và lon, hoặc area (không cả hai)",
            "Give lat and lon, or area (not both)",
        )),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowRequest {
    label: String,
    area: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct UserAreaView {
    id: String,
    label: &'static str,
    area: String,
    created_at: String,
}

fn area_view(row: UserAreaRow) -> UserAreaView {
    UserAreaView {
        label: row.label.as_str(),
        created_at: utc(row.created_at),
        id: row.id,
        area: row.area_code,
    }
}

#[derive(Debug, Serialize)]
struct UserAreaList {
    items: Vec<UserAreaView>,
}

/// `GET /v1/me/areas`
pub async fn my_areas(
    state: web::Data<AppState>,
    caller: SignedIn,
) -> Result<HttpResponse, ApiError> {
    let items = warnings::my_areas(&state, &caller.0).await?.into_iter().map(area_view).collect();
    // Where a person lives and works: no shared cache keeps it.
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(UserAreaList { items }))
}

/// `POST /v1/me/areas`: follows an area by its code or by a point in it (201; 200 when the
/// person already followed it under that label).
pub async fn follow_area(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: SignedIn,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let FollowRequest { label, area, lat, lon } = json_body(&req, body).await?;
    let place = place(&state, PlaceQuery { lat, lon, area })?;
    let (created, row) = warnings::follow_area(&state, &caller.0, &label, place).await?;
    let mut response = if created { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(response.insert_header((header::CACHE_CONTROL, "private, no-store")).json(area_view(row)))
}

/// `DELETE /v1/me/areas/{id}`
pub async fn unfollow_area(
    state: web::Data<AppState>,
    caller: SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    warnings::unfollow_area(&state, &caller.0, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

//! Air quality: stations and their VN_AQI for everyone (`/v1/air/stations`), readings from
//! the monitoring networks' loggers (`/v1/air/observations`), and the administrators'
//! registry of networks and stations.

use super::{etag_matches, utc};
use crate::app::air::{self, ItemOutcome, ObservationDraft, StationDraft};
use crate::app::error::ApiError;
use crate::app::state::AppState;
use crate::http::auth::{AdminCaller, AirNetwork};
use crate::http::extract::{from_value, json_body, ApiQuery, RequestLang};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use smartcity_db::air::{Rated, StationRow, Taken};
use smartcity_domain::air::AqiLevel;
use smartcity_domain::datetime::StrictDateTime;
use smartcity_domain::geo::LatLon;
use smartcity_domain::Lang;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkRequest {
    name: String,
}

#[derive(Debug, Serialize)]
struct NetworkCreated {
    id: String,
    name: String,
    /// Shown once: only its hash is kept.
    key: String,
}

/// `POST /v1/admin/air/networks`: a monitoring network and the key its loggers send (201).
pub async fn create_network(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: AdminCaller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let NetworkRequest { name } = json_body(&req, body).await?;
    let issued = air::create_network(&state, &admin.0, &name).await?;
    let created = NetworkCreated { id: issued.id, name: issued.name, key: issued.key };
    // The key is shown once: no cache may keep it.
    Ok(HttpResponse::Created().insert_header((header::CACHE_CONTROL, "no-store")).json(created))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StationRequest {
    network_id: String,
    name: String,
    operator: String,
    kind: String,
    lat: f64,
    lon: f64,
    #[serde(default = "active_by_default")]
    active: bool,
}

fn active_by_default() -> bool {
    true
}

#[derive(Debug, Serialize)]
struct StationView {
    code: String,
    name: String,
    operator: String,
    kind: &'static str,
    lat: f64,
    lon: f64,
    active: bool,
}

fn station_view(row: StationRow) -> StationView {
    StationView {
        kind: row.kind.as_str(),
        code: row.code,
        name: row.name,
        operator: row.operator,
        lat: row.lat,
        lon: row.lon,
        active: row.active,
    }
}

/// `PUT /v1/admin/air/stations/{code}`: creates (201) or replaces (200) a station.
pub async fn save_station(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: AdminCaller,
    code: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let b: StationRequest = json_body(&req, body).await?;
    let draft = StationDraft {
        network_id: b.network_id,
        name: b.name,
        operator: b.operator,
        kind: b.kind,
        lat: b.lat,
        lon: b.lon,
        active: b.active,
    };
    let (created, row) = air::save_station(&state, &admin.0, &code, draft).await?;
    let mut response = if created { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(response.json(station_view(row)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservationBatch {
    observations: Vec<serde_json::Value>,
}

/// One reading, as a SensorThings Observation names its parts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ObservationItem {
    station: String,
    parameter: String,
    #[serde(rename = "phenomenonTime")]
    phenomenon_time: StrictDateTime,
    result: f64,
    unit: String,
}

#[derive(Debug, Serialize)]
struct ItemView {
    index: usize,
    /// `stored`, `duplicate` or `refused`.
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

#[derive(Debug, Serialize)]
struct BatchTaken {
    stored: usize,
    duplicates: usize,
    refused: usize,
    items: Vec<ItemView>,
}

/// `POST /v1/air/observations`: a network's batch of readings (`X-Api-Key`). Each item is
/// judged alone; the answer lists what became of each.
pub async fn observations(
    req: HttpRequest,
    state: web::Data<AppState>,
    network: AirNetwork,
    lang: RequestLang,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let ObservationBatch { observations } = json_body(&req, body).await?;
    let drafts = observations
        .into_iter()
        .enumerate()
        .map(|(index, value)| {
            let item: ObservationItem = from_value(value).map_err(|mut refusal| {
                let field = refusal.field.take().unwrap_or_default();
                refusal.field = Some(format!("observations[{index}].{field}"));
                refusal
            })?;
            Ok(ObservationDraft {
                station: item.station,
                parameter: item.parameter,
                phenomenon_time: item.phenomenon_time.0,
                result: item.result,
                unit: item.unit,
            })
        })
        .collect();
    let outcomes = air::ingest(&state, network.0, drafts).await?;
    let items: Vec<ItemView> = outcomes
        .into_iter()
        .enumerate()
        .map(|(index, outcome)| match outcome {
            ItemOutcome::Taken(Taken::Stored) => {
                ItemView { index, status: "stored", field: None, detail: None }
            }
            ItemOutcome::Taken(Taken::Duplicate) => {
                ItemView { index, status: "duplicate", field: None, detail: None }
            }
            ItemOutcome::Taken(Taken::UnknownStation) => ItemView {
                index,
                status: "refused",
                field: Some(format!("observations[{index}].station")),
                detail: Some(match lang.0 {
                    Lang::Vi => "Mạng quan trắc này không có trạm đang hoạt động với mã này".into(),
                    Lang::En => "This network has no active station with this code".into(),
                }),
            },
            ItemOutcome::Refused(refusal) => ItemView {
                index,
                status: "refused",
                detail: Some(refusal.detail_in(lang.0)),
                field: refusal.field,
            },
        })
        .collect();
    let count = |status: &str| items.iter().filter(|item| item.status == status).count();
    let taken = BatchTaken {
        stored: count("stored"),
        duplicates: count("duplicate"),
        refused: count("refused"),
        items,
    };
    Ok(HttpResponse::Ok().json(taken))
}

#[derive(Debug, Serialize)]
struct Advice {
    everyone: &'static str,
    sensitive: &'static str,
}

#[derive(Debug, Serialize)]
struct LevelView {
    code: &'static str,
    name_vi: &'static str,
    name_en: &'static str,
    colour: &'static str,
    hex: &'static str,
    advice_vi: Advice,
    advice_en: Advice,
}

fn level_view(level: AqiLevel) -> LevelView {
    let advice = |lang| Advice {
        everyone: level.advice_for_everyone(lang),
        sensitive: level.advice_for_sensitive(lang),
    };
    LevelView {
        code: level.as_str(),
        name_vi: level.name(Lang::Vi),
        name_en: level.name(Lang::En),
        colour: level.colour(),
        hex: level.hex(),
        advice_vi: advice(Lang::Vi),
        advice_en: advice(Lang::En),
    }
}

#[derive(Debug, Serialize)]
struct RatedView {
    /// The hour (its start, UTC) or the Vietnam day.
    at: String,
    aqi: i32,
    level: LevelView,
    dominant: &'static str,
    sub_indices: BTreeMap<&'static str, i32>,
}

fn rated_view<T>(rated: Rated<T>, at: impl Fn(T) -> String) -> RatedView {
    RatedView {
        level: level_view(AqiLevel::of(u16::try_from(rated.aqi).unwrap_or(0))),
        dominant: rated.dominant.as_str(),
        sub_indices: rated.sub_indices.iter().map(|(p, v)| (p.as_str(), *v)).collect(),
        aqi: rated.aqi,
        at: at(rated.at),
    }
}

#[derive(Debug, Serialize)]
struct LatestView {
    #[serde(flatten)]
    rated: RatedView,
    /// Minutes since the end of the rated hour: how old the reading is.
    age_minutes: i64,
}

#[derive(Debug, Serialize)]
struct StationSummaryView {
    #[serde(flatten)]
    station: StationView,
    distance_m: Option<f64>,
    latest: Option<LatestView>,
}

#[derive(Debug, Serialize)]
struct StationList {
    items: Vec<StationSummaryView>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NearQuery {
    lat: Option<f64>,
    lon: Option<f64>,
}

/// The tag of public air answers: the data's revision and the minute (ages are in minutes).
async fn air_tag(state: &AppState) -> Result<String, ApiError> {
    let revision = air::revision(state).await?;
    let minute = chrono::Utc::now().timestamp() / 60;
    Ok(format!("\"air-{revision}-{minute}\""))
}

fn not_modified(tag: String) -> HttpResponse {
    HttpResponse::NotModified().insert_header((header::ETAG, tag)).finish()
}

/// `GET /v1/air/stations?lat=&lon=`: the active stations, nearest first, with their latest
/// hourly AQI.
pub async fn stations(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ApiQuery<NearQuery>,
) -> Result<HttpResponse, ApiError> {
    let near = match (query.0.lat, query.0.lon) {
        (Some(lat), Some(lon)) => Some(
            LatLon::parse(lat, lon, state.areas.region())
                .map_err(|e| ApiError::from(e).in_query())?,
        ),
        (None, None) => None,
        _ => {
            return Err(ApiError::invalid_field(
                "lat",
                "Cần cả lat và lon",
                "Give both lat and lon",
            )
            .in_query())
        }
    };
    let tag = air_tag(&state).await?;
    if etag_matches(&req, &tag) {
        return Ok(not_modified(tag));
    }
    let now = smartcity_db::now();
    let items = air::stations(&state, near)
        .await?
        .into_iter()
        .map(|summary| StationSummaryView {
            distance_m: summary.distance_m.map(|d| d.round()),
            latest: summary.latest.map(|latest| LatestView {
                age_minutes: age_minutes(latest.at, now),
                rated: rated_view(latest, utc),
            }),
            station: station_view(summary.row),
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .json(StationList { items }))
}

/// Minutes from the end of the hour that starts at `hour` until `now`.
fn age_minutes(hour: NaiveDateTime, now: NaiveDateTime) -> i64 {
    let end = hour + chrono::TimeDelta::hours(1);
    (now - end).num_minutes().max(0)
}

#[derive(Debug, Serialize)]
struct StationDetail {
    #[serde(flatten)]
    station: StationView,
    /// The last 48 hours' AQI, the newest first (hours without one are absent).
    hourly: Vec<RatedView>,
    /// The last 30 Vietnam days' AQI, the newest first.
    daily: Vec<RatedView>,
}

/// `GET /v1/air/stations/{code}`
pub async fn station(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    // The tag before the data (newer data under an older tag is only fetched again), and the
    // station before the 304: an unknown code is 404 whatever the client holds.
    let tag = air_tag(&state).await?;
    let history = air::station(&state, code.into_inner()).await?;
    if etag_matches(&req, &tag) {
        return Ok(not_modified(tag));
    }
    let detail = StationDetail {
        hourly: history.hours.into_iter().map(|r| rated_view(r, utc)).collect(),
        daily: history.days.into_iter().map(|r| rated_view(r, |day| day.to_string())).collect(),
        station: station_view(history.row),
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .json(detail))
}

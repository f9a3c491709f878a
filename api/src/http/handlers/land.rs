//! `GET /v1/land?lat=&lon=`: the parcel and the planning zone at a point, for reference.

use crate::app::error::ApiError;
use crate::app::land::{self, LandAt, NOTICE_EN, NOTICE_VI};
use crate::app::state::AppState;
use crate::http::extract::ApiQuery;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use smartcity_domain::geo::LatLon;
use smartcity_domain::land::{Parcel, PlanningZone};
use smartcity_domain::Lang;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointQuery {
    lat: Option<f64>,
    lon: Option<f64>,
}

#[derive(Debug, Serialize)]
struct LandUseView {
    code: &'static str,
    name_vi: &'static str,
    name_en: &'static str,
}

#[derive(Debug, Serialize)]
struct ParcelView {
    sheet: u32,
    number: u32,
    area_m2: f64,
    land_use: LandUseView,
    address: Option<String>,
    ward: Option<String>,
}

#[derive(Debug, Serialize)]
struct ZoneView {
    zone: String,
    function: String,
    plan: String,
    decision: String,
}

#[derive(Debug, Serialize)]
struct Layers {
    parcels_date: Option<NaiveDate>,
    zones_date: Option<NaiveDate>,
}

#[derive(Debug, Serialize)]
struct Notice {
    vi: &'static str,
    en: &'static str,
}

#[derive(Debug, Serialize)]
struct LandView {
    parcel: Option<ParcelView>,
    zone: Option<ZoneView>,
    layers: Layers,
    notice: Notice,
}

fn parcel_view(parcel: &Parcel) -> ParcelView {
    let land_use = parcel.land_use();
    ParcelView {
        sheet: parcel.sheet(),
        number: parcel.number(),
        area_m2: parcel.area_m2(),
        land_use: LandUseView {
            code: land_use.as_str(),
            name_vi: land_use.name(Lang::Vi),
            name_en: land_use.name(Lang::En),
        },
        address: parcel.address().map(str::to_string),
        ward: parcel.ward().map(str::to_string),
    }
}

fn zone_view(zone: &PlanningZone) -> ZoneView {
    ZoneView {
        zone: zone.zone().to_string(),
        function: zone.function().to_string(),
        plan: zone.plan().to_string(),
        decision: zone.decision().to_string(),
    }
}

/// `GET /v1/land?lat=&lon=`.
pub async fn at_point(
    state: web::Data<AppState>,
    query: ApiQuery<PointQuery>,
) -> Result<HttpResponse, ApiError> {
    let (lat, lon) = match (query.0.lat, query.0.lon) {
        (Some(lat), Some(lon)) => (lat, lon),
        (lat, _) => {
            let field = if lat.is_none() { "lat" } else { "lon" };
            return Err(ApiError::invalid_field(
                field,
                "Cần cả lat và lon",
                "Give both lat and lon",
            )
            .in_query());
        }
    };
    let point = LatLon::parse(lat, lon, state.land.region())
        .map_err(|invalid| ApiError::from(invalid).in_query())?;
    let LandAt { parcel, zone, parcels_date, zones_date } =
        land::land_at(&state.land, &state.database, point).await?;
    Ok(HttpResponse::Ok().json(LandView {
        parcel: parcel.as_ref().map(parcel_view),
        zone: zone.as_ref().map(zone_view),
        layers: Layers { parcels_date, zones_date },
        notice: Notice { vi: NOTICE_VI, en: NOTICE_EN },
    }))
}
